"""Reconcile-time validation of RayCluster, RayJob and RayService, with KubeRay's rules and messages.

KubeRay's controllers check every object before reconciling it and, when a check fails, post a
Warning event (and, for RayJob/RayService, write the error into the status). Users may run this
operator against KubeRay's own CRDs, which lack our CEL rules, so everything KubeRay checks at
reconcile time is checked here again, even where our CRD already rejects it at admission.

The rules, their order (the first failing rule wins) and the error texts are KubeRay's: runbooks
and alerts grep for them, so the texts must not be reworded. Everything here is a pure function of
the parsed object and the :class:`~ray_operator.config.OperatorConfig` (feature gates).

How the reconcilers use it:

* :func:`validate_raycluster`, :func:`validate_rayjob`, :func:`validate_rayservice` raise
  :class:`ValidationError`; ``.message`` is KubeRay's bare error text (the RayJob ``status.message``
  / RayService ``Ready`` condition message), ``.reason`` the event reason, and
  ``.event_note(namespace, name)`` the full event note exactly as KubeRay words it.
* :func:`raycluster_warnings` returns the non-fatal warnings; post each with reason
  :data:`RAYCLUSTER_WARNING_REASON` and note :func:`raycluster_warning_note`.

Known deviations from KubeRay:

* Omitted ``minReplicas``/``maxReplicas`` count as their CRD defaults (0 and 2147483647), as the API
  server stores them; KubeRay's "must set both minReplicas and maxReplicas" rule can only fire for
  objects that bypassed CRD defaulting, which the parsed model cannot represent.
* Where KubeRay iterates a Go map (invalid group labels, deletion-rule TTL groups) the order of the
  joined messages is random there; here it is deterministic (label keys sorted, rules in spec order).
* ``runtimeEnvYAML`` parse errors keep KubeRay's prefix and Go's wording for the common cases (not a
  mapping, syntax error with line number); rarer YAML errors carry PyYAML's problem text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final

import yaml
from yaml.scanner import ScannerError

from ray_operator.builders import features, names, pods
from ray_operator.builders.autoscaler import AUTOSCALER_V2_ENV
from ray_operator.config import (
    GATE_GCS_FT_EMBEDDED_STORAGE,
    GATE_HISTORY_SERVER,
    GATE_INCREMENTAL_UPGRADE,
    GATE_JOB_DELETION_POLICY,
    GATE_MTLS,
    GATE_NETWORK_POLICY,
    OperatorConfig,
)
from ray_operator.goparse import go_quote, parse_generic_version, parse_go_duration, parse_go_int, version_less_than
from ray_operator.models import RayCluster, RayClusterSpec, WorkerGroupSpec
from ray_operator.models.rayjob import RayJob
from ray_operator.models.rayservice import RayService

# --- event reasons (KubeRay's ``utils.K8sEventType`` values) ------------------------------------------

REASON_INVALID_RAYCLUSTER_METADATA: Final = "InvalidRayClusterMetadata"
REASON_INVALID_RAYCLUSTER_SPEC: Final = "InvalidRayClusterSpec"
REASON_INVALID_RAYCLUSTER_STATUS: Final = "InvalidRayClusterStatus"
REASON_INVALID_RAYJOB_METADATA: Final = "InvalidRayJobMetadata"
REASON_INVALID_RAYJOB_SPEC: Final = "InvalidRayJobSpec"
REASON_INVALID_RAYJOB_STATUS: Final = "InvalidRayJobStatus"
REASON_INVALID_RAYSERVICE_METADATA: Final = "InvalidRayServiceMetadata"
REASON_INVALID_RAYSERVICE_SPEC: Final = "InvalidRayServiceSpec"
#: KubeRay posts the autoscaler-v1 restartPolicy warning with the spec-error reason.
RAYCLUSTER_WARNING_REASON: Final = REASON_INVALID_RAYCLUSTER_SPEC

# --- names KubeRay's rules refer to -----------------------------------------------------------------

MAX_RAYCLUSTER_NAME_LENGTH: Final = 53
MAX_RAYJOB_NAME_LENGTH: Final = MAX_RAYCLUSTER_NAME_LENGTH - 6
MAX_RAYSERVICE_NAME_LENGTH: Final = MAX_RAYCLUSTER_NAME_LENGTH - 6

_ANNOTATION_INITIALIZING_TIMEOUT: Final = "ray.io/initializing-timeout"

_RAY_REDIS_ADDRESS: Final = "RAY_REDIS_ADDRESS"
_REDIS_PASSWORD: Final = "REDIS_PASSWORD"
_REDIS_USERNAME: Final = "REDIS_USERNAME"
_RAY_GCS_STORAGE: Final = "RAY_gcs_storage"
_RAY_GCS_STORAGE_PATH: Final = "RAY_gcs_storage_path"
_AUTOSCALER_START_CMD_ENV: Final = "KUBERAY_GEN_AUTOSCALER_START_CMD"
_TLS_ENVS: Final = ("RAY_USE_TLS", "RAY_TLS_SERVER_CERT", "RAY_TLS_SERVER_KEY", "RAY_TLS_CA_CERT")
_TLS_VOLUME: Final = "ray-tls"
_TLS_MOUNT_PATH: Final = "/etc/ray/tls"
#: Env vars of the history collector that the operator sets itself.
_COLLECTOR_MANAGED_ENVS: Final = (
    "POD_IP",
    "FQ_RAY_IP",
    "RAY_CLUSTER_NAME",
    "RAY_CLUSTER_NAMESPACE",
    "RAY_ROLE",
    "OWNER_KIND",
    "OWNER_NAME",
    "EVENTS_PORT",
)

_SIDECAR_MODE: Final = "SidecarMode"
_INTERACTIVE_MODE: Final = "InteractiveMode"
_DELETE_CLUSTER: Final = "DeleteCluster"
_DELETE_WORKERS: Final = "DeleteWorkers"
_DELETE_SELF: Final = "DeleteSelf"
_DELETE_NONE: Final = "DeleteNone"
_INCREMENTAL_UPGRADE: Final = "NewClusterWithIncrementalUpgrade"

_AUTH_MIN_VERSION: Final = "2.52.0"
_K8S_AUTH_MIN_VERSION: Final = "2.55.0"
_PRIORITY_MIN_VERSION: Final = "2.56.0"


class ValidationError(Exception):
    """A KubeRay validation failure: bare message, event reason and the event note's wording.

    ``message`` is exactly KubeRay's ``err.Error()``. ``event_note()`` adds the object reference the
    way the matching KubeRay controller formats its Warning event. ``requeue`` is true only for the
    RayCluster status check, after which KubeRay retries instead of waiting for a spec change.
    """

    def __init__(
        self,
        message: str,
        reason: str = "",
        *,
        note_prefix: str = "",
        note_separator: str = ": ",
        requeue: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.requeue = requeue
        self._note_prefix = note_prefix
        self._note_separator = note_separator

    def event_note(self, namespace: str, name: str) -> str:
        """The Warning event's note, e.g. ``The RayCluster spec is invalid ns/c: <message>``."""
        return f"{self._note_prefix}{namespace}/{name}{self._note_separator}{self.message}"


class _Invalid(Exception):
    """Internal: the first failing rule, before the public wrapper attaches reason and note."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Go formatting helpers --------------------------------------------------------------------------


def _go_list(items: Sequence[str]) -> str:
    """``fmt.Sprintf("%v", []string{...})``."""
    return "[" + " ".join(items) + "]"


def _byte_len(text: str) -> int:
    """Go's ``len(string)``: UTF-8 bytes, not characters."""
    return len(text.encode("utf-8", "surrogatepass"))


# --- apimachinery's name/label validators (same rules, same texts) ---------------------------------

_DNS1035_LABEL_FMT: Final = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT: Final = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_LABEL_KEY_FMT: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT: Final = "(" + _LABEL_KEY_FMT + ")?"
_DNS_LABEL_MAX: Final = 63
_DNS_SUBDOMAIN_MAX: Final = 253


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery's ``RegexError`` (including its doubled space before ``or``)."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    text = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            text += " or "
        text += "'" + example + "', "
    return text + "regex used for validation is '" + fmt + "')"


def _matches(fmt: str, value: str) -> bool:
    return re.fullmatch(fmt, value) is not None


def _dns1035_label_errors(value: str) -> list[str]:
    errs = []
    if _byte_len(value) > _DNS_LABEL_MAX:
        errs.append(f"must be no more than {_DNS_LABEL_MAX} characters")
    if not _matches(_DNS1035_LABEL_FMT, value):
        errs.append(
            _regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                "alphabetic character, and end with an alphanumeric character",
                _DNS1035_LABEL_FMT,
                "my-name",
                "abc-123",
            )
        )
    return errs


def _dns1123_label_errors(value: str) -> list[str]:
    errs = []
    if _byte_len(value) > _DNS_LABEL_MAX:
        errs.append(f"must be no more than {_DNS_LABEL_MAX} characters")
    if not _matches(_DNS1123_LABEL_FMT, value):
        if _matches(_DNS1123_SUBDOMAIN_FMT, value):
            errs.append("must not contain dots")
        else:
            errs.append(
                _regex_error(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    "and must start and end with an alphanumeric character",
                    _DNS1123_LABEL_FMT,
                    "my-name",
                    "123-abc",
                )
            )
    return errs


def _dns1123_subdomain_errors(value: str) -> list[str]:
    errs = []
    if _byte_len(value) > _DNS_SUBDOMAIN_MAX:
        errs.append(f"must be no more than {_DNS_SUBDOMAIN_MAX} bytes")
    if not _matches(_DNS1123_SUBDOMAIN_FMT, value):
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                "'.', "
                "and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errs


_LABEL_KEY_MSG: Final = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)


def _label_key_errors(value: str) -> list[str]:
    """apimachinery's ``IsQualifiedName`` (a label key: optional DNS subdomain prefix and a name)."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + msg for msg in _dns1123_subdomain_errors(prefix))
    else:
        return [
            "a valid label key "
            + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif _byte_len(name) > _DNS_LABEL_MAX:
        errs.append(f"name part must be no more than {_DNS_LABEL_MAX} bytes")
    if not _matches(_LABEL_KEY_FMT, name):
        errs.append("name part " + _regex_error(_LABEL_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _label_value_errors(value: str) -> list[str]:
    """apimachinery's ``IsValidLabelValue``."""
    errs = []
    if _byte_len(value) > _DNS_LABEL_MAX:
        errs.append(f"must be no more than {_DNS_LABEL_MAX} bytes")
    if not _matches(_LABEL_VALUE_FMT, value):
        errs.append(
            _regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
                "'.', "
                "and must start and end with an alphanumeric character",
                _LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


# --- runtimeEnvYAML (KubeRay unmarshals it into a map) ---------------------------------------------

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _json_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list | tuple):
        return "array"
    return "string"


def _runtime_env_error(runtime_env_yaml: str) -> str | None:
    """Why ``runtimeEnvYAML`` is not a YAML mapping, worded like Go's YAML→JSON→map decoding."""
    try:
        documents = yaml.load_all(runtime_env_yaml, Loader=_YAML_LOADER)
        document = next(iter(documents), None)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or str(exc)
        line = 0
        if exc.problem_mark is not None and exc.problem_mark.line != 0:
            line = exc.problem_mark.line + (1 if isinstance(exc, ScannerError) else 0)
        elif exc.context_mark is not None:
            line = exc.context_mark.line
        where = f"line {line}: " if line else ""
        return f"error converting YAML to JSON: yaml: {where}{problem}"
    except yaml.YAMLError as exc:
        return f"error converting YAML to JSON: yaml: {exc}"
    if document is None or isinstance(document, dict):
        return None
    return (
        f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {_json_type_name(document)} "
        "into Go value of type types.RuntimeEnvType"
    )


# --- pod template access (core/v1 objects are plain dicts) -----------------------------------------


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _pod_spec(template: Any) -> Mapping[str, Any]:
    return _mapping(_mapping(template).get("spec"))


def _containers(template: Any) -> list[Mapping[str, Any]]:
    return _dicts(_pod_spec(template).get("containers"))


def _restart_policy(template: Any) -> str:
    return str(_pod_spec(template).get("restartPolicy") or "")


def _env_var(envs: Iterable[Mapping[str, Any]], name: str) -> Mapping[str, Any] | None:
    """The first env var called ``name`` (KubeRay's ``EnvVarByName``)."""
    for env in envs:
        if env.get("name") == name:
            return env
    return None


def _container_env(container: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return _dicts(container.get("env"))


def _env_value(env: Mapping[str, Any] | None) -> str:
    return str(env.get("value") or "") if env is not None else ""


# --- feature switches (shared with the builders: ray_operator.builders.features) ------------------


def _autoscaler_v2_via_env(head_container: Mapping[str, Any]) -> bool:
    """Head env ``RAY_enable_autoscaler_v2`` = ``1``/``true`` (how v2 was enabled before KubeRay 1.4)."""
    env = _env_var(_container_env(head_container), AUTOSCALER_V2_ENV)
    return env is not None and _env_value(env) in ("1", "true")


# --- RayCluster spec rules (KubeRay's ValidateRayClusterSpec, in its order) ------------------------


def _check_group_resources(group: str, params: Mapping[str, str], resources: Mapping[str, str] | None) -> None:
    """Ray resources come from either ``resources`` or rayStartParams, never both."""
    in_params = any(params.get(key, "") != "" for key in ("num-cpus", "num-gpus", "memory", "resources"))
    if in_params and resources:
        raise _Invalid(
            f"resource fields should not be set in both rayStartParams and Resources for {group} group; "
            "please use only one"
        )


def _check_group_labels(group: str, params: Mapping[str, str], labels: Mapping[str, str] | None) -> None:
    """Ray node labels live in the group's ``labels`` and must be valid Kubernetes labels."""
    if "labels" in params:
        raise _Invalid(
            f"rayStartParams['labels'] is not supported for {group} group; please use the top-level Labels "
            "field instead"
        )
    errors: list[str] = []
    for key in sorted(labels or {}):
        value = (labels or {})[key]
        for err in _label_key_errors(key):
            errors.append(f"invalid label key for {group} group: '{key}', error: {err}")
        for err in _label_value_errors(value):
            errors.append(f"invalid label value for key '{key}' in {group} group: '{value}', error: {err}")
    if errors:
        raise _Invalid("; ".join(errors))


def _check_worker_idle_timeout(group: WorkerGroupSpec, spec: RayClusterSpec, head: Mapping[str, Any]) -> None:
    """Per-group idle timeouts are read by autoscaler v2 only."""
    timeout = group.idle_timeout_seconds
    if timeout is None:
        return
    if timeout < 0:
        raise _Invalid(f"worker group {group.group_name}: idleTimeoutSeconds must be non-negative, got {timeout}")
    if features.autoscaler_version(spec) == "v2" or _autoscaler_v2_via_env(head):
        return
    raise _Invalid(
        f"worker group {group.group_name}: idleTimeoutSeconds is set, but autoscaler v2 is not enabled. "
        "Please set .spec.autoscalerOptions.version to 'v2' (or set RAY_enable_autoscaler_v2 environment "
        "variable to 'true' in the head pod if using KubeRay < 1.4.0)"
    )


def _check_worker_priority(group: WorkerGroupSpec, spec: RayClusterSpec, head: Mapping[str, Any]) -> None:
    """Group priority needs Ray >= 2.56 and autoscaler v2, the only readers of the field."""
    priority = group.priority
    if not priority:
        return
    name = group.group_name
    ray_version = spec.ray_version or ""
    if not ray_version:
        raise _Invalid(
            f"worker group {name}: priority is set, but RayVersion was not specified. Ray version "
            f"{_PRIORITY_MIN_VERSION} or later is required"
        )
    try:
        parsed = parse_generic_version(ray_version)
    except ValueError as exc:
        raise _Invalid(
            f"worker group {name}: priority is set, but RayVersion format is invalid: {ray_version}, {exc}"
        ) from None
    if version_less_than(parsed, parse_generic_version(_PRIORITY_MIN_VERSION)):
        raise _Invalid(
            f"worker group {name}: priority is set, but minimum Ray version is {_PRIORITY_MIN_VERSION}, got "
            f"{ray_version}"
        )
    if features.autoscaler_version(spec) == "v2" or _autoscaler_v2_via_env(head):
        return
    raise _Invalid(
        f"worker group {name}: priority is set to {priority}, but autoscaler v2 is not enabled. Priority is "
        "only supported with autoscaler v2 enabled"
    )


def _check_gcs_ft_backend(spec: RayClusterSpec, head: Mapping[str, Any], config: OperatorConfig) -> None:
    """Backend-specific GCS FT rules: rocksdb owns its env, volume and mount; redis has no storage."""
    options = spec.gcs_fault_tolerance_options
    if options is None:
        return
    if features.gcs_ft_backend(spec) != features.GCS_FT_BACKEND_ROCKSDB:
        if options.storage is not None:
            raise _Invalid(
                "cannot set GcsFaultToleranceOptions.Storage when backend is 'redis' - it only applies to "
                "the 'rocksdb' backend"
            )
        return
    if not config.gate(GATE_GCS_FT_EMBEDDED_STORAGE):
        raise _Invalid(
            "the embedded RocksDB GCS fault tolerance backend (GcsFaultToleranceOptions.Backend: 'rocksdb') "
            "requires the GCSFaultToleranceEmbeddedStorage feature gate to be enabled"
        )
    if options.redis_address:
        raise _Invalid("cannot set GcsFaultToleranceOptions.RedisAddress when backend is 'rocksdb'")
    if options.redis_username is not None:
        raise _Invalid("cannot set GcsFaultToleranceOptions.RedisUsername when backend is 'rocksdb'")
    if options.redis_password is not None:
        raise _Invalid("cannot set GcsFaultToleranceOptions.RedisPassword when backend is 'rocksdb'")
    if options.external_storage_namespace:
        raise _Invalid("cannot set GcsFaultToleranceOptions.ExternalStorageNamespace when backend is 'rocksdb'")
    storage = options.storage
    if (
        storage is not None
        and storage.claim_name
        and (storage.size is not None or storage.storage_class_name is not None or storage.access_modes)
    ):
        raise _Invalid(
            "GcsFaultToleranceOptions.Storage.ClaimName is mutually exclusive with size, storageClassName, "
            "and accessModes"
        )
    envs = _container_env(head)
    if _env_var(envs, _RAY_GCS_STORAGE) is not None or _env_var(envs, _RAY_GCS_STORAGE_PATH) is not None:
        raise _Invalid(
            f"cannot set `{_RAY_GCS_STORAGE}` or `{_RAY_GCS_STORAGE_PATH}` env var in head Pod when the "
            "embedded GCS FT backend is used - these are managed by KubeRay"
        )
    for mount in _dicts(head.get("volumeMounts")):
        if mount.get("mountPath") == pods.GCS_STORAGE_PATH or mount.get("name") == pods.GCS_STORAGE_VOLUME:
            raise _Invalid(
                f"cannot set a volume mount named {go_quote(pods.GCS_STORAGE_VOLUME)} or mounted at "
                f"{pods.GCS_STORAGE_PATH} in the head container when the embedded GCS FT backend is used "
                "- it is managed by KubeRay"
            )
    for volume in _dicts(_pod_spec(spec.head_group_spec.template).get("volumes")):
        if volume.get("name") == pods.GCS_STORAGE_VOLUME:
            raise _Invalid(
                f"cannot set a volume named {go_quote(pods.GCS_STORAGE_VOLUME)} in the head Pod when the "
                "embedded GCS FT backend is used - it is managed by KubeRay"
            )


def _check_collector_options(spec: RayClusterSpec) -> None:
    """The history collector sidecar needs an image and a storage backend, and owns some env vars."""
    history = spec.history_server_options
    options = history.collector_options if history is not None else None
    if options is None:
        return
    if not options.image:
        raise _Invalid("historyServerOptions.collectorOptions.image must be set")
    envs: dict[str, Mapping[str, Any]] = {}
    for env in _dicts(options.env):
        envs[str(env.get("name", ""))] = env

    def has_value(name: str) -> bool:
        env = envs.get(name)
        return env is not None and (_env_value(env) != "" or env.get("valueFrom") is not None)

    for name in _COLLECTOR_MANAGED_ENVS:
        if name in envs:
            raise _Invalid(
                f"historyServerOptions.collectorOptions.env must not contain {name}: it is managed by "
                "KubeRay and injected automatically into the collector container"
            )
    backend = _env_value(envs.get("STORAGE_BACKEND"))
    if not backend:
        raise _Invalid(
            "STORAGE_BACKEND environment variable must be set with a literal string value in "
            "historyServerOptions.collectorOptions.env"
        )
    backend = backend.upper()
    if backend == "GCS" and not has_value("GCS_BUCKET"):
        raise _Invalid("GCS_BUCKET environment variable must be set when STORAGE_BACKEND is GCS")
    if backend == "S3" and not has_value("S3_REGION"):
        raise _Invalid("S3_REGION environment variable must be set when STORAGE_BACKEND is S3")
    if backend == "AZUREBLOB":
        auth_mode = _env_value(envs.get("AZURE_STORAGE_AUTH_MODE")).strip().lower()
        if auth_mode == "connection_string":
            if not has_value("AZURE_STORAGE_CONNECTION_STRING"):
                raise _Invalid(
                    "AZURE_STORAGE_CONNECTION_STRING environment variable must be set when STORAGE_BACKEND "
                    "is AZUREBLOB and AZURE_STORAGE_AUTH_MODE is connection_string"
                )
        elif auth_mode in ("workload_identity", "default"):
            if not has_value("AZURE_STORAGE_ACCOUNT_URL"):
                raise _Invalid(
                    "AZURE_STORAGE_ACCOUNT_URL environment variable must be set when STORAGE_BACKEND is "
                    f"AZUREBLOB and AZURE_STORAGE_AUTH_MODE is {auth_mode}"
                )
        elif not has_value("AZURE_STORAGE_CONNECTION_STRING") and not has_value("AZURE_STORAGE_ACCOUNT_URL"):
            raise _Invalid(
                "either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL environment variable "
                "must be set when STORAGE_BACKEND is AZUREBLOB"
            )
    if backend == "ALIYUNOSS":
        for name in ("OSS_BUCKET", "OSS_ENDPOINT", "OSS_REGION"):
            if not has_value(name):
                raise _Invalid(f"{name} environment variable must be set when STORAGE_BACKEND is ALIYUNOSS")


def _check_history_server(spec: RayClusterSpec, config: OperatorConfig) -> None:
    history = spec.history_server_options
    if history is None:
        return
    if not config.gate(GATE_HISTORY_SERVER):
        raise _Invalid("RayClusterHistoryServer feature gate is not enabled")
    if history.collector_options is None:
        raise _Invalid("historyServerOptions.collectorOptions must be set")
    _check_collector_options(spec)
    for container in _containers(spec.head_group_spec.template):
        if container.get("name") == names.COLLECTOR_CONTAINER_NAME:
            raise _Invalid(
                f"head pod template must not define a container with name '{names.COLLECTOR_CONTAINER_NAME}' when "
                "history server collector options are enabled"
            )
    for group in spec.worker_group_specs or ():
        for container in _containers(group.template):
            if container.get("name") == names.COLLECTOR_CONTAINER_NAME:
                raise _Invalid(
                    f"worker group {group.group_name} pod template must not define a container with name "
                    f"'{names.COLLECTOR_CONTAINER_NAME}' when history server collector options are enabled"
                )


def _check_auth(spec: RayClusterSpec) -> None:
    """Token auth needs Ray >= 2.52 (Kubernetes token auth >= 2.55, and no shared secret)."""
    options = spec.auth_options
    if not features.auth_enabled(spec):
        if features.k8s_token_auth_enabled(spec):
            raise _Invalid("authOptions.enableK8sTokenAuth is enabled but authOptions.mode not set to 'token'")
        return
    ray_version = spec.ray_version or ""
    if not ray_version:
        raise _Invalid(
            "authOptions.mode is 'token' but RayVersion was not specified. Ray version 2.52.0 or later is required"
        )
    try:
        parsed = parse_generic_version(ray_version)
    except ValueError as exc:
        raise _Invalid(f"authOptions.mode is 'token' but RayVersion format is invalid: {ray_version}, {exc}") from None
    if version_less_than(parsed, parse_generic_version(_AUTH_MIN_VERSION)):
        raise _Invalid(f"authOptions.mode is 'token' but minimum Ray version is 2.52.0, got {ray_version}")
    if features.k8s_token_auth_enabled(spec):
        if version_less_than(parsed, parse_generic_version(_K8S_AUTH_MIN_VERSION)):
            raise _Invalid(
                f"authOptions.enableK8sTokenAuth is enabled but minimum Ray version is 2.55.0, got {ray_version}"
            )
        if options is not None and options.secret_name:
            raise _Invalid("authOptions.enableK8sTokenAuth is enabled and authOptions.secretName is also set")


def _check_network_policy(spec: RayClusterSpec) -> None:
    """Extra rules must be restricted by the mode, and per-group rules must name real groups."""
    policy = spec.network_policy
    if policy is None:
        return
    mode = policy.mode
    quoted_mode = go_quote(mode)
    for where, rules in (("head", policy.head), ("worker", policy.worker)):
        if rules is None:
            continue
        if mode == "DenyAllEgress" and rules.ingress_rules:
            raise _Invalid(
                f"networkPolicy.{where}.ingressRules cannot be set when mode is {quoted_mode} (ingress is "
                "not restricted)"
            )
        if mode == "DenyAllIngress" and rules.egress_rules:
            raise _Invalid(
                f"networkPolicy.{where}.egressRules cannot be set when mode is {quoted_mode} (egress is not restricted)"
            )
    group_names = set()
    for group in spec.worker_group_specs or ():
        errs = _dns1123_label_errors(group.group_name)
        if errs:
            raise _Invalid(
                f"worker group name {go_quote(group.group_name)} must be a valid DNS1123 label when "
                f"networkPolicy is enabled (it is embedded in the NetworkPolicy name): {_go_list(errs)}"
            )
        group_names.add(group.group_name)
    for entry in policy.worker_groups or ():
        quoted = go_quote(entry.group_name)
        if mode == "DenyAllEgress" and entry.ingress_rules:
            raise _Invalid(
                f"networkPolicy.workerGroups[{quoted}].ingressRules cannot be set when mode is "
                f"{quoted_mode} (ingress is not restricted)"
            )
        if mode == "DenyAllIngress" and entry.egress_rules:
            raise _Invalid(
                f"networkPolicy.workerGroups[{quoted}].egressRules cannot be set when mode is {quoted_mode} "
                "(egress is not restricted)"
            )
        if entry.group_name not in group_names:
            raise _Invalid(f"networkPolicy.workerGroups[{quoted}] does not match any group name in workerGroupSpecs")


def _check_tls_mounts(mounts: Iterable[Mapping[str, Any]], location: str) -> None:
    """The operator mounts the TLS secret as ``ray-tls`` at ``/etc/ray/tls``; nothing may clash."""
    for mount in mounts:
        if mount.get("name") == _TLS_VOLUME:
            raise _Invalid(
                f"cannot use volume mount named {go_quote(_TLS_VOLUME)} in {location} when tlsOptions is "
                "set - the operator manages TLS configuration automatically"
            )
        if mount.get("mountPath") == _TLS_MOUNT_PATH:
            raise _Invalid(
                f"cannot use volume mount at path {go_quote(_TLS_MOUNT_PATH)} in {location} when "
                "tlsOptions is set - the operator manages TLS configuration automatically"
            )


def _check_tls(spec: RayClusterSpec, config: OperatorConfig) -> None:
    """With mTLS the operator owns the TLS env vars and the ``ray-tls`` mount everywhere."""
    if not features.tls_enabled(spec, config):
        return
    head_containers = _containers(spec.head_group_spec.template)
    if head_containers:
        head = head_containers[0]
        for name in _TLS_ENVS:
            if _env_var(_container_env(head), name) is not None:
                raise _Invalid(
                    f"cannot set {name} environment variable in head Pod when tlsOptions is set - the "
                    "operator manages TLS configuration automatically"
                )
        _check_tls_mounts(_dicts(head.get("volumeMounts")), "head Pod")
    for group in spec.worker_group_specs or ():
        worker_containers = _containers(group.template)
        if not worker_containers:
            continue
        worker = worker_containers[0]
        quoted = go_quote(group.group_name)
        for name in _TLS_ENVS:
            if _env_var(_container_env(worker), name) is not None:
                raise _Invalid(
                    f"cannot set {name} environment variable in worker group {quoted} when tlsOptions is "
                    "set - the operator manages TLS configuration automatically"
                )
        _check_tls_mounts(_dicts(worker.get("volumeMounts")), f"worker group {quoted}")
    options = spec.autoscaler_options
    if options is not None:
        for name in _TLS_ENVS:
            if _env_var(_dicts(options.env), name) is not None:
                raise _Invalid(
                    f"cannot set {name} environment variable in autoscalerOptions.env when tlsOptions is "
                    "set - the operator manages TLS configuration for the autoscaler automatically"
                )
        _check_tls_mounts(_dicts(options.volume_mounts), "autoscalerOptions.volumeMounts")


def _check_raycluster_spec(spec: RayClusterSpec, annotations: Mapping[str, str], config: OperatorConfig) -> None:
    head_spec = spec.head_group_spec
    head_containers = _containers(head_spec.template)
    if not head_containers:
        raise _Invalid("headGroupSpec should have at least one container")
    head = head_containers[0]
    head_envs = _container_env(head)
    _check_group_resources("Head", head_spec.ray_start_params, head_spec.resources)
    _check_group_labels("Head", head_spec.ray_start_params, head_spec.labels)

    autoscaling = features.autoscaling_enabled(spec)
    workers = list(spec.worker_group_specs or ())
    for group in workers:
        name = group.group_name
        if not _containers(group.template):
            raise _Invalid("workerGroupSpec should have at least one container")
        if group.min_replicas < 0:
            raise _Invalid(f"worker group {name} has negative minReplicas {group.min_replicas}")
        if group.max_replicas < 0:
            raise _Invalid(f"worker group {name} has negative maxReplicas {group.max_replicas}")
        if group.min_replicas > group.max_replicas:
            raise _Invalid(
                f"worker group {name} has minReplicas {group.min_replicas} greater than maxReplicas "
                f"{group.max_replicas}"
            )
        _check_group_resources(name, group.ray_start_params, group.resources)
        _check_group_labels(name, group.ray_start_params, group.labels)
        _check_worker_idle_timeout(group, spec, head)
        _check_worker_priority(group, spec, head)

    ft_options = spec.gcs_fault_tolerance_options
    if annotations.get(names.ANNOTATION_FT_ENABLED, "") != "" and ft_options is not None:
        raise _Invalid(
            f"{names.ANNOTATION_FT_ENABLED} annotation and GcsFaultToleranceOptions are both set. Please use "
            "only GcsFaultToleranceOptions to configure GCS fault tolerance"
        )
    if not features.gcs_ft_enabled(spec, annotations) and _env_var(head_envs, _RAY_REDIS_ADDRESS) is not None:
        raise _Invalid(
            f"{_RAY_REDIS_ADDRESS} is set which implicitly enables GCS fault tolerance, but "
            "GcsFaultToleranceOptions is not set. Please set GcsFaultToleranceOptions to enable GCS fault "
            "tolerance"
        )
    if ft_options is not None:
        if head_spec.ray_start_params.get("redis-password", ""):
            raise _Invalid(
                "cannot set `redis-password` in rayStartParams when GcsFaultToleranceOptions is enabled - "
                "use GcsFaultToleranceOptions.RedisPassword instead"
            )
        if _env_var(head_envs, _REDIS_PASSWORD) is not None:
            raise _Invalid(
                "cannot set `REDIS_PASSWORD` env var in head Pod when GcsFaultToleranceOptions is enabled - "
                "use GcsFaultToleranceOptions.RedisPassword instead"
            )
        if _env_var(head_envs, _RAY_REDIS_ADDRESS) is not None:
            raise _Invalid(
                "cannot set `RAY_REDIS_ADDRESS` env var in head Pod when GcsFaultToleranceOptions is "
                "enabled - use GcsFaultToleranceOptions.RedisAddress instead"
            )
        if annotations.get(names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE, ""):
            raise _Invalid(
                "cannot set `ray.io/external-storage-namespace` annotation when GcsFaultToleranceOptions is "
                "enabled - use GcsFaultToleranceOptions.ExternalStorageNamespace instead"
            )
        _check_gcs_ft_backend(spec, head, config)
    if head_spec.ray_start_params.get("redis-username", "") or _env_var(head_envs, _REDIS_USERNAME) is not None:
        raise _Invalid(
            "cannot set redis username in rayStartParams or environment variables - use "
            "GcsFaultToleranceOptions.RedisUsername instead"
        )

    if not config.gate(GATE_JOB_DELETION_POLICY):
        for group in workers:
            if group.suspend is True:
                raise _Invalid(
                    f"worker group {group.group_name} can be suspended only when the RayJobDeletionPolicy "
                    "feature gate is enabled"
                )

    if not autoscaling:
        v2_env = _env_var(head_envs, AUTOSCALER_V2_ENV)
        if v2_env is not None and _env_value(v2_env) in ("1", "true"):
            raise _Invalid(
                f"environment variable {AUTOSCALER_V2_ENV} cannot be set to '{_env_value(v2_env)}' when "
                "enableInTreeAutoscaling is false. Please set enableInTreeAutoscaling: true to use "
                "autoscaler v2"
            )
    else:
        for group in workers:
            if group.suspend is True:
                raise _Invalid(f"worker group {group.group_name} cannot be suspended with Autoscaler enabled")
        # KubeRay tests the field's presence here (any value), elsewhere only v1/v2.
        version_set = spec.autoscaler_options is not None and spec.autoscaler_options.version is not None
        if version_set and _env_var(head_envs, AUTOSCALER_V2_ENV) is not None:
            raise _Invalid(
                f"both .spec.autoscalerOptions.version and head Pod env var {AUTOSCALER_V2_ENV} are set, "
                "please only use the former"
            )
        if features.autoscaler_version(spec) == "v2":
            if _restart_policy(head_spec.template) not in ("", "Never"):
                raise _Invalid("restartPolicy for head Pod should be Never or unset when using autoscaler V2")
            for group in workers:
                if _restart_policy(group.template) not in ("", "Never"):
                    raise _Invalid(
                        f"restartPolicy for worker group {group.group_name} should be Never or unset when "
                        "using autoscaler V2"
                    )

    autoscaler_options = spec.autoscaler_options
    if autoscaler_options is not None:
        idle = autoscaler_options.idle_timeout_seconds
        if idle is not None and idle < 0:
            raise _Invalid(f"autoscalerOptions.idleTimeoutSeconds must be non-negative, got {idle}")
        if _env_var(_dicts(autoscaler_options.env), _AUTOSCALER_START_CMD_ENV) is not None:
            raise _Invalid(
                f"autoscalerOptions.env must not contain {_AUTOSCALER_START_CMD_ENV}: it is managed by "
                "KubeRay and injected automatically into the autoscaler container"
            )

    _check_history_server(spec, config)
    _check_auth(spec)

    if spec.network_policy is not None and not config.gate(GATE_NETWORK_POLICY):
        raise _Invalid("spec.networkPolicy requires the RayClusterNetworkPolicy feature gate to be enabled")
    _check_network_policy(spec)

    if spec.tls_options is not None and not config.gate(GATE_MTLS):
        raise _Invalid("spec.tlsOptions requires the RayClusterMTLS feature gate to be enabled")
    _check_tls(spec, config)


# --- RayCluster: public API -----------------------------------------------------------------------


def _raycluster_error(exc: _Invalid, reason: str, phrase: str, separator: str = ": ") -> ValidationError:
    return ValidationError(
        exc.message,
        reason,
        note_prefix=f"The RayCluster {phrase} ",
        note_separator=separator,
        requeue=reason == REASON_INVALID_RAYCLUSTER_STATUS,
    )


def validate_raycluster_spec(spec: RayClusterSpec, annotations: Mapping[str, str], config: OperatorConfig) -> None:
    """KubeRay's ``ValidateRayClusterSpec``; also applied to RayJob/RayService cluster specs.

    ``annotations`` are those of the owning object (RayCluster, RayJob or RayService), as in KubeRay.
    Raises :class:`ValidationError` with reason ``InvalidRayClusterSpec``.
    """
    try:
        _check_raycluster_spec(spec, annotations, config)
    except _Invalid as exc:
        raise _raycluster_error(exc, REASON_INVALID_RAYCLUSTER_SPEC, "spec is invalid") from None


def _check_raycluster_metadata(name: str) -> None:
    if _byte_len(name) > MAX_RAYCLUSTER_NAME_LENGTH:
        raise _Invalid(f"RayCluster name should be no more than {MAX_RAYCLUSTER_NAME_LENGTH} characters")
    errs = _dns1035_label_errors(name)
    if errs:
        raise _Invalid(f"RayCluster name should be a valid DNS1035 label: {_go_list(errs)}")


def _check_raycluster_upgrade_options(cluster: RayCluster) -> None:
    strategy = cluster.spec.upgrade_strategy
    upgrade_type = strategy.type if strategy is not None else None
    if upgrade_type is None:
        return
    if upgrade_type not in ("Recreate", "None"):
        raise _Invalid(
            f"The RayCluster spec is invalid: Spec.UpgradeStrategy.Type value {upgrade_type} is invalid, "
            "valid options are Recreate or None"
        )
    creator = cluster.labels.get(names.LABEL_ORIGINATED_FROM_CRD, "")
    if creator in ("RayJob", "RayService"):
        raise _Invalid(f"upgradeStrategy cannot be set when RayCluster is created by {creator}")


def _condition_true(conditions: Iterable[Mapping[str, Any]] | None, condition_type: str) -> bool:
    for condition in conditions or ():
        if isinstance(condition, Mapping) and condition.get("type") == condition_type:
            return condition.get("status") == "True"
    return False


def _check_raycluster_status(cluster: RayCluster) -> None:
    conditions = cluster.status.conditions if cluster.status is not None else None
    if _condition_true(conditions, "RayClusterSuspending") and _condition_true(conditions, "RayClusterSuspended"):
        raise _Invalid(
            "invalid RayCluster State: rayv1.RayClusterSuspending and rayv1.RayClusterSuspended conditions "
            "should not be both true"
        )


def validate_raycluster(cluster: RayCluster, config: OperatorConfig, *, cert_manager_available: bool = True) -> None:
    """Everything KubeRay's RayCluster controller checks before reconciling, in its order.

    Metadata (``InvalidRayClusterMetadata``), spec (``InvalidRayClusterSpec``), the cert-manager
    requirement of mTLS (pass ``cert_manager_available=False`` when its API is missing), upgrade
    strategy (``InvalidRayClusterSpec``) and status (``InvalidRayClusterStatus``, ``requeue``).
    """
    try:
        _check_raycluster_metadata(cluster.name)
    except _Invalid as exc:
        raise _raycluster_error(exc, REASON_INVALID_RAYCLUSTER_METADATA, "metadata is invalid") from None
    validate_raycluster_spec(cluster.spec, cluster.annotations, config)
    if features.tls_enabled(cluster.spec, config) and not cert_manager_available:
        raise _raycluster_error(
            _Invalid("tlsOptions requires cert-manager, but cert-manager is not installed"),
            REASON_INVALID_RAYCLUSTER_SPEC,
            "spec is invalid",
        )
    try:
        _check_raycluster_upgrade_options(cluster)
    except _Invalid as exc:
        raise _raycluster_error(exc, REASON_INVALID_RAYCLUSTER_SPEC, "UpgradeStrategy is invalid") from None
    try:
        _check_raycluster_status(cluster)
    except _Invalid as exc:
        raise _raycluster_error(exc, REASON_INVALID_RAYCLUSTER_STATUS, "status is invalid", ", ") from None


def raycluster_warnings(cluster: RayCluster, config: OperatorConfig) -> list[str]:
    """Non-fatal findings KubeRay reports as Warning events after a successful validation.

    With autoscaler v1 a worker ``restartPolicy`` other than ``Never`` lets kubelet restart Ray
    in place behind the autoscaler's back. KubeRay only warns (v2 rejects it), so the cluster is
    still reconciled.
    """
    del config  # no gate-dependent warnings today; kept for a stable signature
    spec = cluster.spec
    if not features.autoscaling_enabled(spec) or features.autoscaler_version(spec) != "v1":
        return []
    groups = [
        group.group_name
        for group in spec.worker_group_specs or ()
        if _restart_policy(group.template) not in ("", "Never")
    ]
    if not groups:
        return []
    return [f"restartPolicy for worker groups [{', '.join(groups)}] should be Never or unset when using autoscaler V1"]


def raycluster_warning_note(namespace: str, name: str, warning: str) -> str:
    """The note KubeRay posts with a :func:`raycluster_warnings` entry."""
    return f"RayCluster spec warning {namespace}/{name}: {warning}"


# --- RayJob ---------------------------------------------------------------------------------------


def _check_rayjob_metadata(name: str) -> None:
    if _byte_len(name) > MAX_RAYJOB_NAME_LENGTH:
        raise _Invalid(
            f"The RayJob metadata is invalid: RayJob name should be no more than {MAX_RAYJOB_NAME_LENGTH} characters"
        )
    errs = _dns1035_label_errors(name)
    if errs:
        raise _Invalid(f"The RayJob metadata is invalid: RayJob name should be a valid DNS1035 label: {_go_list(errs)}")


def _check_legacy_deletion_policies(job: RayJob, selector_mode: bool) -> None:
    strategy = job.spec.deletion_strategy
    assert strategy is not None
    on_success, on_failure = strategy.on_success, strategy.on_failure
    if on_success is None or on_failure is None:
        raise _Invalid(
            "both DeletionStrategy.OnSuccess and DeletionStrategy.OnFailure must be set when using the "
            "legacy deletion policy fields of DeletionStrategy"
        )
    if on_success.policy is None:
        raise _Invalid(
            "the DeletionPolicyType field of DeletionStrategy.OnSuccess cannot be unset when "
            "DeletionStrategy is enabled"
        )
    if on_failure.policy is None:
        raise _Invalid(
            "the DeletionPolicyType field of DeletionStrategy.OnFailure cannot be unset when "
            "DeletionStrategy is enabled"
        )
    success, failure = on_success.policy, on_failure.policy
    if selector_mode:
        if success in (_DELETE_CLUSTER, _DELETE_WORKERS):
            raise _Invalid(f"the ClusterSelector mode doesn't support DeletionStrategy={success} on success")
        if failure in (_DELETE_CLUSTER, _DELETE_WORKERS):
            raise _Invalid(f"the ClusterSelector mode doesn't support DeletionStrategy={failure} on failure")
    if _DELETE_WORKERS in (success, failure) and features.autoscaling_enabled(job.spec.ray_cluster_spec):
        raise _Invalid("DeletionStrategy=DeleteWorkers currently does not support RayCluster with autoscaling enabled")
    if job.spec.shutdown_after_job_finishes is True and _DELETE_NONE in (success, failure):
        raise _Invalid(
            "The RayJob spec is invalid: shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'"
        )


def _ttl_order_errors(ttls: Mapping[str, int], condition_type: str, condition_value: str) -> list[str]:
    """TTLs must not decrease along DeleteWorkers, DeleteCluster, DeleteSelf (earlier = smaller)."""
    errors = []
    previous: tuple[str, int] | None = None
    for policy in (_DELETE_WORKERS, _DELETE_CLUSTER, _DELETE_SELF):
        if policy not in ttls:
            continue
        ttl = ttls[policy]
        if previous is not None and ttl < previous[1]:
            errors.append(
                f"for {condition_type} '{condition_value}': {policy} TTL ({ttl}) must be >= {previous[0]} "
                f"TTL ({previous[1]})"
            )
        previous = (policy, ttl)
    return errors


def _check_deletion_rules(job: RayJob, selector_mode: bool) -> None:
    """Every rule is checked and all problems are reported together, one per line."""
    strategy = job.spec.deletion_strategy
    assert strategy is not None
    autoscaling = features.autoscaling_enabled(job.spec.ray_cluster_spec)
    by_job_status: dict[str, dict[str, int]] = {}
    by_deployment_status: dict[str, dict[str, int]] = {}
    errors: list[str] = []
    for i, rule in enumerate(strategy.deletion_rules or ()):
        condition = rule.condition
        job_status, deployment_status = condition.job_status, condition.job_deployment_status
        if job_status is not None and deployment_status is not None:
            errors.append(f"deletionRules[{i}]: cannot set both JobStatus and JobDeploymentStatus at the same time")
            continue
        if job_status is None and deployment_status is None:
            errors.append(f"deletionRules[{i}]: exactly one of JobStatus and JobDeploymentStatus must be set")
            continue
        if condition.ttl_seconds < 0:
            errors.append(f"deletionRules[{i}]: TTLSeconds must be non-negative")
            continue
        if selector_mode and rule.policy in (_DELETE_CLUSTER, _DELETE_WORKERS):
            errors.append(
                f"deletionRules[{i}]: DeletionPolicyType '{rule.policy}' not supported when ClusterSelector is set"
            )
            continue
        if autoscaling and rule.policy == _DELETE_WORKERS:
            errors.append(
                f"deletionRules[{i}]: DeletionPolicyType 'DeleteWorkers' not supported with autoscaling enabled"
            )
            continue
        if job_status is not None:
            group, label, value = by_job_status.setdefault(job_status, {}), "JobStatus", job_status
        else:
            assert deployment_status is not None
            group = by_deployment_status.setdefault(deployment_status, {})
            label, value = "JobDeploymentStatus", deployment_status
        if rule.policy in group:
            errors.append(
                f"deletionRules[{i}]: duplicate rule for DeletionPolicyType '{rule.policy}' and {label} '{value}'"
            )
            continue
        group[rule.policy] = condition.ttl_seconds
    for status, ttls in by_job_status.items():
        errors.extend(_ttl_order_errors(ttls, "JobStatus", status))
    for status, ttls in by_deployment_status.items():
        errors.extend(_ttl_order_errors(ttls, "JobDeploymentStatus", status))
    if errors:
        raise _Invalid("\n".join(errors))


def _check_deletion_configuration(job: RayJob, config: OperatorConfig) -> None:
    spec = job.spec
    shutdown = spec.shutdown_after_job_finishes is True
    if not shutdown and spec.ttl_seconds_after_finished > 0:
        raise _Invalid(
            "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false cannot have "
            "TTLSecondsAfterFinished"
        )
    strategy = spec.deletion_strategy
    if strategy is None:
        return
    if not config.gate(GATE_JOB_DELETION_POLICY):
        raise _Invalid("RayJobDeletionPolicy feature gate must be enabled to use DeletionStrategy")
    legacy = strategy.on_success is not None or strategy.on_failure is not None
    rules = bool(strategy.deletion_rules)
    if rules and shutdown:
        raise _Invalid(
            "The RayJob spec is invalid: spec.shutdownAfterJobFinishes and "
            "spec.deletionStrategy.deletionRules are mutually exclusive"
        )
    if rules and legacy:
        raise _Invalid(
            "The RayJob spec is invalid: Cannot use both legacy onSuccess/onFailure fields and "
            "deletionRules simultaneously"
        )
    selector_mode = bool(spec.cluster_selector)
    if legacy:
        _check_legacy_deletion_policies(job, selector_mode)
    elif rules:
        _check_deletion_rules(job, selector_mode)
    else:
        raise _Invalid(
            "The RayJob spec is invalid: DeletionStrategy requires either BOTH onSuccess and onFailure, OR "
            "the deletionRules field (cannot be empty)"
        )


def _check_rayjob_spec(job: RayJob, config: OperatorConfig) -> None:
    spec = job.spec
    if spec.suspend is True and spec.shutdown_after_job_finishes is not True:
        raise _Invalid(
            "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false is not allowed "
            "to be suspended"
        )
    if spec.ttl_seconds_after_finished < 0:
        raise _Invalid("The RayJob spec is invalid: TTLSecondsAfterFinished must be a non-negative integer")
    _check_deletion_configuration(job, config)

    selector_mode = bool(spec.cluster_selector)
    if spec.suspend is True and selector_mode:
        raise _Invalid("The RayJob spec is invalid: the ClusterSelector mode doesn't support the suspend operation")
    if spec.ray_cluster_spec is None and not selector_mode:
        raise _Invalid("The RayJob spec is invalid: one of RayClusterSpec or ClusterSelector must be set")
    if selector_mode:
        if not (spec.cluster_selector or {}).get(names.LABEL_CLUSTER, ""):
            raise _Invalid("cluster name in ClusterSelector should not be empty")
        if spec.submission_mode == _SIDECAR_MODE:
            raise _Invalid("ClusterSelector is not supported in SidecarMode")
        if spec.backoff_limit > 0:
            raise _Invalid("The RayJob spec is invalid: BackoffLimit is incompatible with ClusterSelector mode")
    if spec.submission_mode == _INTERACTIVE_MODE and spec.backoff_limit > 0:
        raise _Invalid("The RayJob spec is invalid: BackoffLimit is incompatible with InteractiveMode")
    if spec.submission_mode == _SIDECAR_MODE:
        if spec.submitter_pod_template is not None:
            raise _Invalid("Currently, SidecarMode doesn't support SubmitterPodTemplate")
        if spec.submitter_config is not None:
            raise _Invalid("Currently, SidecarMode doesn't support SubmitterConfig")
        if spec.ray_cluster_spec is not None and _restart_policy(
            spec.ray_cluster_spec.head_group_spec.template
        ) not in ("", "Never"):
            raise _Invalid("restartPolicy for head Pod should be Never or unset when using SidecarMode")

    if spec.ray_cluster_spec is not None:
        if features.k8s_token_auth_enabled(spec.ray_cluster_spec):
            raise _Invalid("The RayJob spec is invalid: K8s token auth mode is currently not supported for RayJob")
        try:
            _check_raycluster_spec(spec.ray_cluster_spec, job.annotations, config)
        except _Invalid as exc:
            raise _Invalid(f"The RayJob spec is invalid: {exc.message}") from None

    runtime_env = spec.runtime_env_yaml or ""
    runtime_env_error = _runtime_env_error(runtime_env)
    if runtime_env_error is not None:
        raise _Invalid(f"failed to unmarshal RuntimeEnvYAML: {runtime_env}: {runtime_env_error}")
    if spec.active_deadline_seconds is not None and spec.active_deadline_seconds <= 0:
        raise _Invalid("The RayJob spec is invalid: activeDeadlineSeconds must be a positive integer")
    if spec.pre_running_deadline_seconds is not None and spec.pre_running_deadline_seconds <= 0:
        raise _Invalid("The RayJob spec is invalid: preRunningDeadlineSeconds must be a positive integer")
    if spec.backoff_limit < 0:
        raise _Invalid("The RayJob spec is invalid: backoffLimit must be a positive integer")


def _check_rayjob_status(job: RayJob) -> None:
    status = job.status.job_deployment_status if job.status is not None else None
    if status == "Waiting" and job.spec.submission_mode != _INTERACTIVE_MODE:
        raise _Invalid(
            "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is "
            "not InteractiveMode"
        )


def validate_rayjob(job: RayJob, config: OperatorConfig) -> None:
    """KubeRay's RayJob checks (metadata, spec incl. its cluster spec, status), first failure wins.

    On failure KubeRay sets ``status.jobDeploymentStatus: ValidationFailed``, ``status.reason:
    ValidationFailed`` and ``status.message`` to ``.message``; the event note is ``<ns>/<name>: <err>``.
    """
    checks: tuple[tuple[Callable[[], None], str], ...] = (
        (lambda: _check_rayjob_metadata(job.name), REASON_INVALID_RAYJOB_METADATA),
        (lambda: _check_rayjob_spec(job, config), REASON_INVALID_RAYJOB_SPEC),
        (lambda: _check_rayjob_status(job), REASON_INVALID_RAYJOB_STATUS),
    )
    for check, reason in checks:
        try:
            check()
        except _Invalid as exc:
            raise ValidationError(exc.message, reason) from None


# --- RayService -----------------------------------------------------------------------------------


def _check_initializing_timeout(annotations: Mapping[str, str]) -> None:
    value = annotations.get(_ANNOTATION_INITIALIZING_TIMEOUT, "")
    if not value:
        return
    duration = parse_go_duration(value)
    if duration is not None:
        if duration <= 0:
            raise _Invalid(f"annotation {_ANNOTATION_INITIALIZING_TIMEOUT} must be a positive duration, got: {value}")
        return
    seconds = parse_go_int(value)
    if seconds is not None:
        if seconds <= 0:
            raise _Invalid(
                f"annotation {_ANNOTATION_INITIALIZING_TIMEOUT} must be a positive integer (seconds), got: {value}"
            )
        return
    raise _Invalid(
        f"annotation {_ANNOTATION_INITIALIZING_TIMEOUT} has invalid format: {value}. Expected Go duration "
        "format (e.g., '5m', '1h') or positive integer seconds"
    )


def _check_rayservice_metadata(service: RayService) -> None:
    name = service.name
    if _byte_len(name) > MAX_RAYSERVICE_NAME_LENGTH:
        raise _Invalid(
            "The RayService metadata is invalid: RayService name should be no more than "
            f"{MAX_RAYSERVICE_NAME_LENGTH} characters"
        )
    errs = _dns1035_label_errors(name)
    if errs:
        raise _Invalid(
            f"The RayService metadata is invalid: RayService name should be a valid DNS1035 label: {_go_list(errs)}"
        )
    try:
        _check_initializing_timeout(service.annotations)
    except _Invalid as exc:
        raise _Invalid(
            f"The RayService metadata is invalid: RayService annotations is invalid: {exc.message}"
        ) from None


def _check_cluster_upgrade_options(service: RayService) -> None:
    """Incremental upgrades scale the new cluster with the autoscaler and shift traffic in steps."""
    if not features.autoscaling_enabled(service.spec.ray_cluster_config):
        raise _Invalid("Ray Autoscaler is required for NewClusterWithIncrementalUpgrade")
    strategy = service.spec.upgrade_strategy
    options = strategy.cluster_upgrade_options if strategy is not None else None
    if options is None:
        raise _Invalid("ClusterUpgradeOptions are required for NewClusterWithIncrementalUpgrade")
    max_surge = options.max_surge_percent
    if max_surge < 0 or max_surge > 100:
        raise _Invalid("maxSurgePercent must be between 0 and 100")
    step = options.step_size_percent
    if step < 0 or step > 100:
        raise _Invalid("stepSizePercent must be between 0 and 100")
    if step > max_surge:
        raise _Invalid("stepSizePercent must be less than or equal to maxSurgePercent")
    if options.interval_seconds <= 0:
        raise _Invalid("intervalSeconds must be greater than 0")
    if not options.gateway_class_name:
        raise _Invalid("gatewayClassName is required for NewClusterWithIncrementalUpgrade")


def _check_rayservice_spec(service: RayService, config: OperatorConfig) -> None:
    spec = service.spec
    cluster_spec = spec.ray_cluster_config
    if features.k8s_token_auth_enabled(cluster_spec):
        raise _Invalid("The RayService spec is invalid: K8s token auth mode is currently not supported for RayService")
    try:
        _check_raycluster_spec(cluster_spec, service.annotations, config)
    except _Invalid as exc:
        raise _Invalid(f"The RayService spec is invalid: {exc.message}") from None
    head_service = cluster_spec.head_group_spec.head_service
    if head_service is not None and _mapping(head_service.get("metadata")).get("name"):
        raise _Invalid(
            "The RayService spec is invalid: spec.rayClusterConfig.headGroupSpec.headService.metadata.name "
            "should not be set"
        )
    upgrade_type = spec.upgrade_strategy.type if spec.upgrade_strategy is not None else None
    if upgrade_type is not None and upgrade_type not in ("None", "NewCluster", _INCREMENTAL_UPGRADE):
        raise _Invalid(
            f"The RayService spec is invalid: Spec.UpgradeStrategy.Type value {upgrade_type} is invalid, "
            "valid options are NewClusterWithIncrementalUpgrade, NewCluster, or None"
        )
    delay = spec.ray_cluster_deletion_delay_seconds
    if delay is not None and delay < 0:
        raise _Invalid(
            "The RayService spec is invalid: Spec.RayClusterDeletionDelaySeconds should be a non-negative "
            f"integer, got {delay}"
        )
    if config.gate(GATE_INCREMENTAL_UPGRADE) and upgrade_type == _INCREMENTAL_UPGRADE:
        try:
            _check_cluster_upgrade_options(service)
        except _Invalid as exc:
            raise _Invalid(f"The RayService spec is invalid: {exc.message}") from None


def validate_rayservice(service: RayService, config: OperatorConfig) -> None:
    """KubeRay's RayService checks (metadata incl. the initializing-timeout annotation, then spec).

    On failure KubeRay sets condition ``Ready=False`` with reason ``ValidationFailed`` and message
    ``.message``; the event note is ``<ns>/<name>: <err>``.
    """
    checks: tuple[tuple[Callable[[], None], str], ...] = (
        (lambda: _check_rayservice_metadata(service), REASON_INVALID_RAYSERVICE_METADATA),
        (lambda: _check_rayservice_spec(service, config), REASON_INVALID_RAYSERVICE_SPEC),
    )
    for check, reason in checks:
        try:
            check()
        except _Invalid as exc:
            raise ValidationError(exc.message, reason) from None


__all__ = [
    "MAX_RAYCLUSTER_NAME_LENGTH",
    "MAX_RAYJOB_NAME_LENGTH",
    "MAX_RAYSERVICE_NAME_LENGTH",
    "RAYCLUSTER_WARNING_REASON",
    "REASON_INVALID_RAYCLUSTER_METADATA",
    "REASON_INVALID_RAYCLUSTER_SPEC",
    "REASON_INVALID_RAYCLUSTER_STATUS",
    "REASON_INVALID_RAYJOB_METADATA",
    "REASON_INVALID_RAYJOB_SPEC",
    "REASON_INVALID_RAYJOB_STATUS",
    "REASON_INVALID_RAYSERVICE_METADATA",
    "REASON_INVALID_RAYSERVICE_SPEC",
    "ValidationError",
    "raycluster_warning_note",
    "raycluster_warnings",
    "validate_raycluster",
    "validate_raycluster_spec",
    "validate_rayjob",
    "validate_rayservice",
]
