"""Head and worker Pods, built from the RayCluster's pod templates exactly like KubeRay builds them.

The user's template is the base (deep-copied, never mutated); the operator then enforces what Ray
needs: identity labels, the ``ray start`` command, environment, ports, shared-memory and log volumes,
the ``wait-gcs-ready`` init container, probes, the autoscaler sidecar, GCS fault tolerance, auth and
TLS wiring. Every step runs in KubeRay's order because the order is visible (env var order, which
step sees which value). Container 0 is always the Ray container.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ray_operator.builders import names, probes, raystart
from ray_operator.builders.autoscaler import (
    AUTOSCALER_V2_ENV,
    apply_autoscaler_options,
    autoscaler_version,
    autoscaling_enabled,
    build_autoscaler_container,
    field_ref_env,
    fixed_resources,
    service_account_lookup_name,
)
from ray_operator.builders.hashing import recreate_hash
from ray_operator.config import OperatorConfig
from ray_operator.models import RayCluster, WorkerGroupSpec

SHARED_MEMORY_VOLUME: Final = "shared-mem"
SHARED_MEMORY_PATH: Final = "/dev/shm"
RAY_LOGS_VOLUME: Final = "ray-logs"
RAY_LOGS_PATH: Final = "/tmp/ray"
GCS_STORAGE_VOLUME: Final = "gcs-storage"
GCS_STORAGE_PATH: Final = "/data/gcs"
RAY_TOKEN_VOLUME: Final = "ray-token"
RAY_TOKEN_PATH: Final = "/var/run/secrets/ray.io/serviceaccount"
TLS_VOLUME: Final = "ray-tls"
TLS_PATH: Final = "/etc/ray/tls"
WORKER_GCS_RECONNECT_TIMEOUT_S: Final = "600"
LOCAL_HOST: Final = "127.0.0.1"
EXPOSABLE_EVENT_TYPES: Final = (
    "TASK_DEFINITION_EVENT,TASK_LIFECYCLE_EVENT,ACTOR_TASK_DEFINITION_EVENT,TASK_PROFILE_EVENT,"
    "DRIVER_JOB_DEFINITION_EVENT,DRIVER_JOB_LIFECYCLE_EVENT,ACTOR_DEFINITION_EVENT,ACTOR_LIFECYCLE_EVENT,"
    "NODE_DEFINITION_EVENT,NODE_LIFECYCLE_EVENT"
)
GATE_MULTI_HOST_INDEXING: Final = "RayMultiHostIndexing"
GATE_MTLS: Final = "RayClusterMTLS"
GATE_HISTORY_SERVER: Final = "RayClusterHistoryServer"

_PROTECTED_LABELS: Final = frozenset({names.LABEL_NODE_TYPE, names.LABEL_GROUP, names.LABEL_CLUSTER})


# --- small helpers on container dicts -------------------------------------------------------------


def env_var(name: str, value: str = "", value_from: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A core/v1 EnvVar, leaving out empty fields as the API server would."""
    env: dict[str, Any] = {"name": name}
    if value:
        env["value"] = value
    if value_from:
        env["valueFrom"] = copy.deepcopy(dict(value_from))
    return env


def has_env(container: Mapping[str, Any], name: str) -> bool:
    return any(e.get("name") == name for e in container.get("env") or ())


def append_env(container: dict[str, Any], *envs: dict[str, Any]) -> None:
    container["env"] = [*(container.get("env") or []), *envs]


def append_env_if_absent(container: dict[str, Any], name: str, value: str) -> None:
    if not has_env(container, name):
        append_env(container, env_var(name, value))


def _has_mount_path(container: Mapping[str, Any], path: str) -> bool:
    return any(m.get("mountPath") == path for m in container.get("volumeMounts") or ())


def _has_volume(pod_spec: Mapping[str, Any], name: str) -> bool:
    return any(v.get("name") == name for v in pod_spec.get("volumes") or ())


def _append(mapping: dict[str, Any], key: str, *items: Any) -> None:
    mapping[key] = [*(mapping.get(key) or []), *items]


def _memory_size_limit(container: Mapping[str, Any]) -> Any:
    """The Ray container's memory limit, else its memory request (for the ``/dev/shm`` size)."""
    resources = container.get("resources") or {}
    for kind in ("limits", "requests"):
        values = resources.get(kind) or {}
        if "memory" in values:
            return values["memory"]
    return None


def _add_empty_dir(
    container: dict[str, Any], pod_spec: dict[str, Any], name: str, path: str, *, in_memory: bool
) -> None:
    """Mount an emptyDir at ``path`` unless the container already mounts something there."""
    if _has_mount_path(container, path):
        return
    if not _has_volume(pod_spec, name):
        empty_dir: dict[str, Any] = {}
        if in_memory:
            empty_dir["medium"] = "Memory"
            size = _memory_size_limit(container)
            if size is not None:
                empty_dir["sizeLimit"] = size
        _append(pod_spec, "volumes", {"name": name, "emptyDir": empty_dir})
    _append(container, "volumeMounts", {"name": name, "mountPath": path})


def _container_index(pod_spec: Mapping[str, Any], name: str) -> int:
    for index, container in enumerate(pod_spec.get("containers") or ()):
        if container.get("name") == name:
            return index
    return -1


# --- cluster-level switches -----------------------------------------------------------------------


def gcs_ft_enabled(cluster: RayCluster) -> bool:
    """FT is on with ``gcsFaultToleranceOptions`` or the legacy annotation ``ray.io/ft-enabled: true``."""
    legacy = cluster.annotations.get(names.ANNOTATION_FT_ENABLED, "").lower() == "true"
    return legacy or cluster.spec.gcs_fault_tolerance_options is not None


def gcs_ft_backend(cluster: RayCluster) -> str:
    """``redis`` (also when unset) or ``rocksdb``."""
    options = cluster.spec.gcs_fault_tolerance_options
    return (options.backend if options is not None else None) or "redis"


def auth_enabled(cluster: RayCluster) -> bool:
    """Token auth is on only for ``authOptions.mode: token`` (an empty mode does not count)."""
    options = cluster.spec.auth_options
    return options is not None and options.mode == "token"


def k8s_token_auth_enabled(cluster: RayCluster) -> bool:
    options = cluster.spec.auth_options
    return options is not None and options.enable_k8s_token_auth is True


def tls_enabled(cluster: RayCluster, config: OperatorConfig) -> bool:
    options = cluster.spec.tls_options
    return config.gate(GATE_MTLS) and options is not None and options.enabled is True


def _collector_enabled(cluster: RayCluster, config: OperatorConfig) -> bool:
    options = cluster.spec.history_server_options
    return config.gate(GATE_HISTORY_SERVER) and options is not None and options.collector_options is not None


def head_fqdn(cluster: RayCluster, config: OperatorConfig) -> str:
    """FQDN of the head Service, e.g. ``raycluster-head-svc.default.svc.cluster.local``."""
    service_name = names.head_service_name(cluster.name, cluster.spec.head_group_spec.head_service)
    return names.head_service_fqdn(service_name, cluster.namespace, config.cluster_domain)


# --- auth, TLS and history server wiring ----------------------------------------------------------


def set_token_auth_env(container: dict[str, Any], cluster: RayCluster) -> None:
    """``RAY_AUTH_MODE=token`` plus either K8s-token settings or ``RAY_AUTH_TOKEN`` from the Secret."""
    append_env_if_absent(container, "RAY_AUTH_MODE", "token")
    if k8s_token_auth_enabled(cluster):
        append_env_if_absent(container, "RAY_ENABLE_K8S_TOKEN_AUTH", "true")
        if not any(m.get("name") == RAY_TOKEN_VOLUME for m in container.get("volumeMounts") or ()):
            _append(
                container,
                "volumeMounts",
                {"name": RAY_TOKEN_VOLUME, "mountPath": RAY_TOKEN_PATH, "readOnly": True},
            )
        return
    if not has_env(container, "RAY_AUTH_TOKEN"):
        options = cluster.spec.auth_options
        secret = names.auth_secret_name(cluster.name, options.secret_name if options is not None else None)
        append_env(
            container,
            env_var("RAY_AUTH_TOKEN", value_from={"secretKeyRef": {"name": secret, "key": "auth_token"}}),
        )


def _configure_token_auth(template_spec: dict[str, Any], cluster: RayCluster) -> None:
    set_token_auth_env(template_spec["containers"][names.RAY_CONTAINER_INDEX], cluster)
    if k8s_token_auth_enabled(cluster) and not _has_volume(template_spec, RAY_TOKEN_VOLUME):
        _append(
            template_spec,
            "volumes",
            {
                "name": RAY_TOKEN_VOLUME,
                "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]},
            },
        )
    for init in template_spec.get("initContainers") or ():
        if init.get("name") == names.WAIT_GCS_READY_CONTAINER_NAME:
            set_token_auth_env(init, cluster)


def set_tls_env(container: dict[str, Any]) -> None:
    """Ray TLS env vars and the read-only certificate mount (each only if missing)."""
    for name, value in (
        ("RAY_USE_TLS", "1"),
        ("RAY_TLS_SERVER_CERT", f"{TLS_PATH}/tls.crt"),
        ("RAY_TLS_SERVER_KEY", f"{TLS_PATH}/tls.key"),
        ("RAY_TLS_CA_CERT", f"{TLS_PATH}/ca.crt"),
    ):
        append_env_if_absent(container, name, value)
    mounts = container.get("volumeMounts") or ()
    if not any(m.get("name") == TLS_VOLUME or m.get("mountPath") == TLS_PATH for m in mounts):
        _append(container, "volumeMounts", {"name": TLS_VOLUME, "mountPath": TLS_PATH, "readOnly": True})


_TLS_WAIT_SCRIPT: Final = "\n".join(
    [
        f'CERT="{TLS_PATH}/tls.crt"',
        'if [ -z "${POD_IP}" ]; then',
        "  POD_IP=$(hostname -i 2>/dev/null | awk '{print $1}')",
        "fi",
        "if ! command -v openssl >/dev/null 2>&1; then",
        '  echo "openssl not found; cannot verify IP SAN" >&2',
        "  exit 1",
        "fi",
        'echo "Waiting for TLS cert to include IP SAN for ${POD_IP}..."',
        "while true; do",
        '  if openssl x509 -in "${CERT}" -noout -text 2>/dev/null | grep -qE "IP Address:${POD_IP}([^0-9.]|$)"; then',
        '    echo "TLS cert now includes IP SAN for ${POD_IP}"',
        "    exit 0",
        "  fi",
        '  echo "IP SAN for ${POD_IP} not yet in cert, retrying in 5s..."',
        "  sleep 5",
        "done",
    ]
)


def _configure_tls(template_spec: dict[str, Any], cluster: RayCluster, node_type: str) -> None:
    """Mount the cert-manager Secret, export TLS env vars and wait until the cert has the Pod IP."""
    if not _has_volume(template_spec, TLS_VOLUME):
        secret = names.tls_secret_name(cluster.name, node_type)
        _append(template_spec, "volumes", {"name": TLS_VOLUME, "secret": {"secretName": secret}})
    ray = template_spec["containers"][names.RAY_CONTAINER_INDEX]
    set_tls_env(ray)
    for init in template_spec.get("initContainers") or ():
        if init.get("name") == names.WAIT_GCS_READY_CONTAINER_NAME:
            set_tls_env(init)
    inits = template_spec.get("initContainers") or []
    if any(init.get("name") == names.WAIT_TLS_CONTAINER_NAME for init in inits):
        return
    wait: dict[str, Any] = {
        "name": names.WAIT_TLS_CONTAINER_NAME,
        "command": ["sh", "-c"],
        "args": [_TLS_WAIT_SCRIPT],
        "env": [field_ref_env("POD_IP", "status.podIP")],
        "volumeMounts": [{"name": TLS_VOLUME, "mountPath": TLS_PATH, "readOnly": True}],
        "resources": fixed_resources("50m", "64Mi"),
    }
    _copy_image_settings(ray, wait)
    template_spec["initContainers"] = [wait, *inits]


def _copy_image_settings(source: Mapping[str, Any], target: dict[str, Any]) -> None:
    """Image, pull policy and security context of the Ray container, for injected helpers."""
    for key in ("image", "imagePullPolicy"):
        if source.get(key):
            target[key] = source[key]
    if source.get("securityContext") is not None:
        target["securityContext"] = copy.deepcopy(source["securityContext"])


def _build_collector(cluster: RayCluster, node_type: str, fqdn: str) -> dict[str, Any]:
    """History-server collector sidecar (feature gate ``RayClusterHistoryServer``)."""
    history = cluster.spec.history_server_options
    options = history.collector_options if history is not None else None
    assert options is not None
    env: list[dict[str, Any]] = [
        field_ref_env("POD_IP", "status.podIP"),
        env_var("RAY_CLUSTER_NAME", cluster.name),
        env_var("RAY_CLUSTER_NAMESPACE", cluster.namespace),
        env_var("RAY_ROLE", "Head" if node_type == names.NODE_TYPE_HEAD else "Worker"),
        env_var("EVENTS_PORT", "8084"),
    ]
    if fqdn:
        env.append(env_var("FQ_RAY_IP", fqdn))
    labels = cluster.labels
    if labels.get(names.LABEL_ORIGINATED_FROM_CRD):
        env.append(env_var("OWNER_KIND", labels[names.LABEL_ORIGINATED_FROM_CRD]))
    if labels.get(names.LABEL_ORIGINATED_FROM_CR_NAME):
        env.append(env_var("OWNER_NAME", labels[names.LABEL_ORIGINATED_FROM_CR_NAME]))
    user_env = copy.deepcopy(options.env or [])
    if node_type == names.NODE_TYPE_HEAD and not any(e.get("name") == "RAY_DASHBOARD_ADDRESS" for e in user_env):
        env.append(env_var("RAY_DASHBOARD_ADDRESS", "http://localhost:8265"))
    env.extend(user_env)
    container: dict[str, Any] = {
        "name": names.COLLECTOR_CONTAINER_NAME,
        "imagePullPolicy": options.image_pull_policy if options.image_pull_policy is not None else "IfNotPresent",
        "resources": copy.deepcopy(options.resources)
        if options.resources is not None
        else {"limits": {"cpu": "200m", "memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "64Mi"}},
        "env": env,
    }
    if options.image:
        container["image"] = options.image
    if auth_enabled(cluster):
        set_token_auth_env(container, cluster)
    return container


# --- GCS fault tolerance --------------------------------------------------------------------------


def _configure_gcs_ft(template: dict[str, Any], params: dict[str, str], cluster: RayCluster, node_type: str) -> None:
    """FT annotation (head), worker reconnect timeout, and the backend wiring on the head."""
    enabled = gcs_ft_enabled(cluster)
    annotations = template["metadata"].setdefault("annotations", {})
    if node_type == names.NODE_TYPE_HEAD:
        annotations[names.ANNOTATION_FT_ENABLED] = "true" if enabled else "false"
    if not enabled:
        return
    spec = template["spec"]
    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    if node_type == names.NODE_TYPE_WORKER:
        append_env_if_absent(ray, "RAY_gcs_rpc_server_reconnect_timeout_s", WORKER_GCS_RECONNECT_TIMEOUT_S)
        return
    options = cluster.spec.gcs_fault_tolerance_options
    if gcs_ft_backend(cluster) == "rocksdb":
        append_env_if_absent(ray, "RAY_gcs_storage", "rocksdb")
        append_env_if_absent(ray, "RAY_gcs_storage_path", GCS_STORAGE_PATH)
        storage = options.storage if options is not None else None
        mount: dict[str, Any] = {"name": GCS_STORAGE_VOLUME, "mountPath": GCS_STORAGE_PATH}
        if storage is not None and storage.sub_path:
            mount["subPath"] = storage.sub_path
        _append(ray, "volumeMounts", mount)
        claim = names.gcs_storage_pvc_name(cluster.name, storage.claim_name if storage is not None else None)
        _append(spec, "volumes", {"name": GCS_STORAGE_VOLUME, "persistentVolumeClaim": {"claimName": claim}})
        return
    # Redis backend: storage namespace = UID < annotation < option.
    storage_ns = cluster.annotations.get(names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE, cluster.uid)
    if options is not None and options.external_storage_namespace:
        storage_ns = options.external_storage_namespace
    annotations[names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE] = storage_ns
    append_env_if_absent(ray, "RAY_external_storage_namespace", storage_ns)
    if options is not None:
        append_env(ray, env_var("RAY_REDIS_ADDRESS", options.redis_address or ""))
        if options.redis_username is not None:
            params["redis-username"] = "$REDIS_USERNAME"
            username = options.redis_username
            append_env(ray, env_var("REDIS_USERNAME", username.value or "", username.value_from))
        if options.redis_password is not None:
            params["redis-password"] = "$REDIS_PASSWORD"
            password = options.redis_password
            append_env(ray, env_var("REDIS_PASSWORD", password.value or "", password.value_from))
    elif not has_env(ray, "REDIS_PASSWORD") and "redis-password" in params:
        # Legacy setup with the password in rayStartParams: the cleanup Job reads it from the env.
        append_env(ray, env_var("REDIS_PASSWORD", params["redis-password"]))


# --- labels ---------------------------------------------------------------------------------------


def pod_labels(
    node_type: str,
    cluster_name: str,
    group_name: str,
    template_labels: Mapping[str, str] | None,
    group_labels: Mapping[str, str] | None,
) -> dict[str, str]:
    """Operator labels, overridden by template then group labels except cluster/node-type/group."""
    labels = {
        names.LABEL_IS_RAY_NODE: "yes",
        names.LABEL_CLUSTER: cluster_name,
        names.LABEL_NODE_TYPE: node_type,
        names.LABEL_GROUP: group_name,
        names.LABEL_IDENTIFIER: names.identifier(cluster_name, node_type),
        names.LABEL_APP_NAME: names.APP_NAME,
        names.LABEL_CREATED_BY: names.CREATED_BY,
    }
    for key, value in {**(template_labels or {}), **(group_labels or {})}.items():
        if key not in _PROTECTED_LABELS:
            labels[key] = value
    return labels


# --- the wait-gcs-ready init container ------------------------------------------------------------


def wait_gcs_ready_script(fqdn: str, head_port: str) -> str:
    """Bash loop polling ``ray health-check`` (quiet for 120 s, then verbose), tab-indented like KubeRay's."""
    address = f"{fqdn}:{head_port}"
    faq = "https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html"
    lines = [
        (5, "SECONDS=0"),
        (5, "while true; do"),
        (6, "if (( SECONDS <= 120 )); then"),
        (7, f"if ray health-check --address {address} > /dev/null 2>&1; then"),
        (8, 'echo "GCS is ready."'),
        (8, "break"),
        (7, "fi"),
        (7, 'echo "$SECONDS seconds elapsed: Waiting for GCS to be ready."'),
        (6, "else"),
        (7, f"if ray health-check --address {address}; then"),
        (8, 'echo "GCS is ready. Any error messages above can be safely ignored."'),
        (8, "break"),
        (7, "fi"),
        (
            7,
            f'echo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. '
            f'For troubleshooting, refer to the FAQ at {faq}."',
        ),
        (6, "fi"),
        (6, "sleep 5"),
        (5, "done"),
    ]
    return "\n" + "".join("\t" * depth + text + "\n" for depth, text in lines) + "\t" * 4


def build_wait_gcs_ready_container(
    ray_container: Mapping[str, Any], fqdn: str, head_port: str, *, login_shell: bool
) -> dict[str, Any]:
    """Init container that blocks a worker until the head's GCS answers health checks.

    It gets a copy of the Ray container's env and mounts as written in the template (TLS settings
    may live there), and fixed small resources so it never asks for GPUs.
    """
    container: dict[str, Any] = {
        "name": names.WAIT_GCS_READY_CONTAINER_NAME,
        "command": raystart.bash_command(login_shell=login_shell),
        "args": [wait_gcs_ready_script(fqdn, head_port)],
        "resources": fixed_resources("200m", "256Mi"),
    }
    _copy_image_settings(ray_container, container)
    for key in ("env", "volumeMounts"):
        if ray_container.get(key):
            container[key] = copy.deepcopy(ray_container[key])
    return container


# --- the common tail of head and worker Pods (KubeRay's BuildPod) ---------------------------------


def _set_ray_container_env(
    ray: dict[str, Any],
    *,
    node_type: str,
    fqdn: str,
    head_port: str,
    start_command: str,
    creator: str,
    config: OperatorConfig,
    pod_spec: Mapping[str, Any],
) -> None:
    """Environment every Ray container gets, in KubeRay's order."""
    for default in config.default_container_envs:
        if not has_env(ray, str(default.get("name"))):
            append_env(ray, copy.deepcopy(dict(default)))
    host = LOCAL_HOST
    if node_type == names.NODE_TYPE_WORKER:
        host = fqdn
        append_env(ray, env_var("FQ_RAY_IP", fqdn), env_var("RAY_IP", names.ray_ip_from_fqdn(fqdn)))
    append_env(
        ray,
        field_ref_env("RAY_CLUSTER_NAME", f"metadata.labels['{names.LABEL_CLUSTER}']"),
        field_ref_env("RAY_CLUSTER_NAMESPACE", "metadata.namespace"),
        field_ref_env("RAY_CLOUD_INSTANCE_ID", "metadata.name"),
        field_ref_env("RAY_NODE_TYPE_NAME", f"metadata.labels['{names.LABEL_GROUP}']"),
        env_var("KUBERAY_GEN_RAY_START_CMD", start_command),
    )
    append_env_if_absent(ray, "RAY_PORT", head_port)
    if creator == names.CRD_RAYSERVICE:
        append_env_if_absent(ray, "RAY_timeout_ms_task_wait_for_death_info", "0")
        append_env_if_absent(ray, "RAY_gcs_server_request_timeout_seconds", "5")
        append_env_if_absent(ray, "RAY_SERVE_KV_TIMEOUT_S", "5")
    append_env_if_absent(ray, "RAY_ADDRESS", f"{host}:{head_port}")
    append_env_if_absent(ray, "RAY_USAGE_STATS_KUBERAY_IN_USE", "1")
    if node_type == names.NODE_TYPE_HEAD:
        tags = f"kuberay_version={config.operator_version};kuberay_crd={creator}"
        append_env(ray, env_var("RAY_USAGE_STATS_EXTRA_TAGS", tags))
    append_env_if_absent(ray, "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "1")
    if config.gate(GATE_HISTORY_SERVER) and _container_index(pod_spec, names.COLLECTOR_CONTAINER_NAME) != -1:
        append_env_if_absent(ray, "RAY_enable_ray_event", "true")
        append_env_if_absent(ray, "RAY_enable_core_worker_ray_event_to_aggregator", "true")
        append_env_if_absent(
            ray, "RAY_DASHBOARD_AGGREGATOR_AGENT_EVENTS_EXPORT_ADDR", "http://localhost:8084/v1/events"
        )
        append_env_if_absent(ray, "RAY_DASHBOARD_AGGREGATOR_AGENT_EXPOSABLE_EVENT_TYPES", EXPOSABLE_EVENT_TYPES)
        append_env_if_absent(
            ray,
            "RAY_DASHBOARD_AGGREGATOR_AGENT_PUBLISHER_HTTP_ENDPOINT_EXPOSABLE_EVENT_TYPES",
            EXPOSABLE_EVENT_TYPES,
        )


def _finish_pod(
    template: dict[str, Any],
    params: dict[str, str],
    *,
    cluster: RayCluster,
    config: OperatorConfig,
    node_type: str,
    fqdn: str,
    head_port: str,
) -> dict[str, Any]:
    """Shared tail: sidecars are in place; add volumes, command, env, probes and ownership."""
    metadata = template["metadata"]
    spec = template["spec"]
    creator = names.creator_crd(cluster.labels)
    if creator == names.CRD_RAYSERVICE:
        # Workers serve as soon as their readiness probe passes; the head is switched on later
        # by the RayService controller once its Serve proxy is healthy.
        metadata["labels"][names.LABEL_SERVE] = "false" if node_type == names.NODE_TYPE_HEAD else "true"
    containers = spec["containers"]
    ray = containers[names.RAY_CONTAINER_INDEX]
    if "plasma-directory" not in params:
        _add_empty_dir(ray, spec, SHARED_MEMORY_VOLUME, SHARED_MEMORY_PATH, in_memory=True)
    if node_type == names.NODE_TYPE_HEAD and autoscaling_enabled(cluster):
        autoscaler = containers[_container_index(spec, names.AUTOSCALER_CONTAINER_NAME)]
        _add_empty_dir(ray, spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)
        _add_empty_dir(autoscaler, spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)
    if config.gate(GATE_HISTORY_SERVER):
        collector_index = _container_index(spec, names.COLLECTOR_CONTAINER_NAME)
        if collector_index != -1:
            _add_empty_dir(ray, spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)
            _add_empty_dir(containers[collector_index], spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)

    raystart.apply_container_resources(params, ray.get("resources"))
    start_command = raystart.ray_start_command(node_type, params)
    overwrite = str((metadata.get("annotations") or {}).get(names.ANNOTATION_OVERWRITE_CONTAINER_CMD, "")).lower()
    wrapped = raystart.container_command(
        ray.get("command"),
        ray.get("args"),
        start_command,
        overwrite=overwrite == "true",
        login_shell=config.enable_login_shell,
    )
    if wrapped is not None:
        ray["command"], ray["args"] = wrapped

    for init in spec.get("initContainers") or ():
        append_env(init, env_var("FQ_RAY_IP", fqdn), env_var("RAY_IP", names.ray_ip_from_fqdn(fqdn)))
    _set_ray_container_env(
        ray,
        node_type=node_type,
        fqdn=fqdn,
        head_port=head_port,
        start_command=start_command,
        creator=creator,
        config=config,
        pod_spec=spec,
    )
    if config.enable_probes_injection:
        probes.inject_probes(
            ray,
            node_type=node_type,
            creator_crd=creator,
            ray_start_params=params,
            ray_version=cluster.spec.ray_version,
        )
    metadata["ownerReferences"] = [names.controller_reference(cluster.name, cluster.uid)]
    if not metadata.get("annotations"):
        metadata.pop("annotations", None)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def _start_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """A private deep copy of a pod template with ``metadata`` and ``spec`` present."""
    copied = copy.deepcopy(dict(template))
    copied["metadata"] = dict(copied.get("metadata") or {})
    copied["spec"] = dict(copied.get("spec") or {})
    if not copied["spec"].get("containers"):
        raise ValueError("the pod template must have at least one container (the Ray container)")
    return copied


def _add_config_defaults(
    template: dict[str, Any], sidecars: Sequence[Mapping[str, Any]], config: OperatorConfig
) -> None:
    """Operator-configured sidecars, then default Pod annotations/labels for keys not set yet."""
    if sidecars:
        _append(template["spec"], "containers", *(copy.deepcopy(dict(s)) for s in sidecars))
    metadata = template["metadata"]
    if config.default_pod_annotations:
        annotations = metadata.setdefault("annotations", {})
        for key, value in config.default_pod_annotations.items():
            annotations.setdefault(key, value)
    if config.default_pod_labels:
        labels = metadata.setdefault("labels", {})
        for key, value in config.default_pod_labels.items():
            labels.setdefault(key, value)


def _overwrite_annotation(template: dict[str, Any], cluster: RayCluster) -> None:
    """Carry ``ray.io/overwrite-container-cmd: "true"`` from the RayCluster onto the Pod."""
    annotations = template["metadata"].setdefault("annotations", {})
    if cluster.annotations.get(names.ANNOTATION_OVERWRITE_CONTAINER_CMD, "").lower() == "true":
        annotations[names.ANNOTATION_OVERWRITE_CONTAINER_CMD] = "true"


def _ensure_metrics_port(ray: dict[str, Any]) -> None:
    if not any(p.get("name") == names.PORT_NAME_METRICS for p in ray.get("ports") or ()):
        _append(ray, "ports", {"name": names.PORT_NAME_METRICS, "containerPort": names.PORT_METRICS})


# --- public builders ------------------------------------------------------------------------------


def build_head_pod(cluster: RayCluster, config: OperatorConfig, *, upgrade_annotations: bool = True) -> dict[str, Any]:
    """The head Pod manifest (``generateName`` unless deterministic head names are enabled).

    ``upgrade_annotations`` adds ``ray.io/upgrade-strategy-recreate-hash`` and
    ``ray.io/kuberay-version``, which KubeRay sets whenever it creates a head Pod (but not on Pods
    built for other purposes, such as the Redis cleanup Job).
    """
    head = cluster.spec.head_group_spec
    template = _start_template(head.template)
    metadata, spec = template["metadata"], template["spec"]
    params = dict(head.ray_start_params or {})
    head_port = names.head_port(head.ray_start_params or {})
    fqdn = head_fqdn(cluster, config)

    if config.enable_deterministic_head_pod_name:
        metadata["name"] = names.head_pod_fixed_name(cluster.name)
    else:
        metadata["generateName"] = names.head_pod_generate_name(cluster.name)
    metadata["namespace"] = cluster.namespace
    raystart.apply_group_resources(params, head.resources)
    raystart.apply_group_labels(params, head.labels)
    metadata["labels"] = pod_labels(
        names.NODE_TYPE_HEAD, cluster.name, names.HEAD_GROUP_NAME, metadata.get("labels"), head.labels
    )
    raystart.set_missing_params(params, names.NODE_TYPE_HEAD)
    _overwrite_annotation(template, cluster)

    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    if autoscaling_enabled(cluster):
        # Ray's own monitor is replaced by the KubeRay autoscaler sidecar.
        params["no-monitor"] = "true"
        spec["serviceAccountName"] = names.check_name(service_account_lookup_name(cluster))
        autoscaler = build_autoscaler_container(str(ray.get("image") or ""), config)
        if auth_enabled(cluster):
            set_token_auth_env(autoscaler, cluster)
        if tls_enabled(cluster, config):
            set_tls_env(autoscaler)
        apply_autoscaler_options(autoscaler, cluster.spec.autoscaler_options)
        _append(spec, "containers", autoscaler)
        version = autoscaler_version(cluster)
        if version == "v2":
            append_env(ray, env_var(AUTOSCALER_V2_ENV, "true"))
            spec["restartPolicy"] = "Never"
        elif version == "v1":
            append_env(ray, env_var(AUTOSCALER_V2_ENV, "false"))

    _configure_gcs_ft(template, params, cluster, names.NODE_TYPE_HEAD)
    _ensure_metrics_port(ray)
    if auth_enabled(cluster):
        _configure_token_auth(spec, cluster)
    if tls_enabled(cluster, config):
        _configure_tls(spec, cluster, names.NODE_TYPE_HEAD)
    if _collector_enabled(cluster, config):
        _append(spec, "containers", _build_collector(cluster, names.NODE_TYPE_HEAD, fqdn))

    _add_config_defaults(template, config.head_sidecar_containers, config)
    pod = _finish_pod(
        template,
        params,
        cluster=cluster,
        config=config,
        node_type=names.NODE_TYPE_HEAD,
        fqdn=fqdn,
        head_port=head_port,
    )
    if upgrade_annotations:
        annotations = pod["metadata"].setdefault("annotations", {})
        annotations[names.ANNOTATION_RECREATE_HASH] = recreate_hash(cluster)
        annotations[names.ANNOTATION_KUBERAY_VERSION] = config.operator_version
    return pod


def worker_group(cluster: RayCluster, group: WorkerGroupSpec | int | str) -> WorkerGroupSpec:
    """Resolve a worker group given by object, index or name."""
    if isinstance(group, WorkerGroupSpec):
        return group
    groups = cluster.spec.worker_group_specs or []
    if isinstance(group, int):
        return groups[group]
    found = cluster.worker_group(group)
    if found is None:
        raise KeyError(f"RayCluster {cluster.namespace}/{cluster.name} has no worker group {group!r}")
    return found


def build_worker_pod(
    cluster: RayCluster,
    group: WorkerGroupSpec | int | str,
    config: OperatorConfig,
    *,
    replica_index: int = 0,
    replica_name: str = "",
    host_index: int = 0,
) -> dict[str, Any]:
    """A worker Pod manifest (``generateName`` ``<cluster>-<group>-worker-``).

    With feature gate ``RayMultiHostIndexing`` (default on) the Pod is labelled with
    ``replica_index`` (the lowest index not used by the group's live Pods, chosen by the caller);
    for multi-host groups also with ``replica_name`` (``<group>-<5 random chars>``, shared by the
    hosts of one replica) and ``host_index`` (0..numOfHosts-1).
    """
    worker = worker_group(cluster, group)
    template = _start_template(worker.template)
    metadata, spec = template["metadata"], template["spec"]
    params = dict(worker.ray_start_params or {})
    head_port = names.head_port(cluster.spec.head_group_spec.ray_start_params or {})
    fqdn = head_fqdn(cluster, config)

    metadata["generateName"] = names.worker_pod_generate_name(cluster.name, worker.group_name)
    metadata["namespace"] = cluster.namespace
    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    if config.enable_init_container_injection:
        init = build_wait_gcs_ready_container(ray, fqdn, head_port, login_shell=config.enable_login_shell)
        _append(spec, "initContainers", init)
    metadata.pop("name", None)
    raystart.apply_group_resources(params, worker.resources)
    raystart.apply_group_labels(params, worker.labels)
    labels = pod_labels(names.NODE_TYPE_WORKER, cluster.name, worker.group_name, metadata.get("labels"), worker.labels)
    if config.gate(GATE_MULTI_HOST_INDEXING):
        labels[names.LABEL_REPLICA_INDEX] = str(replica_index)
        if worker.num_of_hosts > 1:
            labels[names.LABEL_REPLICA_NAME] = replica_name
            labels[names.LABEL_HOST_INDEX] = str(host_index)
    metadata["labels"] = labels
    raystart.set_missing_params(params, names.NODE_TYPE_WORKER, worker_address=f"{fqdn}:{head_port}")
    _overwrite_annotation(template, cluster)
    _configure_gcs_ft(template, params, cluster, names.NODE_TYPE_WORKER)
    _ensure_metrics_port(ray)
    if autoscaling_enabled(cluster) and autoscaler_version(cluster) == "v2":
        spec["restartPolicy"] = "Never"
    if auth_enabled(cluster):
        _configure_token_auth(spec, cluster)
    if tls_enabled(cluster, config):
        _configure_tls(spec, cluster, names.NODE_TYPE_WORKER)
    if _collector_enabled(cluster, config):
        _append(spec, "containers", _build_collector(cluster, names.NODE_TYPE_WORKER, fqdn))

    _add_config_defaults(template, config.worker_sidecar_containers, config)
    return _finish_pod(
        template,
        params,
        cluster=cluster,
        config=config,
        node_type=names.NODE_TYPE_WORKER,
        fqdn=fqdn,
        head_port=head_port,
    )


def ray_container_terminated(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``state.terminated`` of the Ray container (matched by name: status order is not spec order)."""
    containers = (pod.get("spec") or {}).get("containers") or []
    if not containers:
        return None
    ray_name = containers[names.RAY_CONTAINER_INDEX].get("name")
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        if status.get("name") == ray_name:
            terminated = (status.get("state") or {}).get("terminated")
            return terminated if terminated is not None else None
    return None


def _go_time(value: Any) -> str:
    """A metav1.Time as Go's ``%v`` prints it (UTC), e.g. ``2024-01-01 00:00:00 +0000 UTC``."""
    if not value:
        return "0001-01-01 00:00:00 +0000 UTC"
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    utc = parsed.astimezone(datetime.UTC)
    fraction = f".{utc.microsecond:06d}".rstrip("0") if utc.microsecond else ""
    return utc.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


def describe_terminated(terminated: Mapping[str, Any] | None) -> str:
    """A ContainerStateTerminated as KubeRay's messages print it (Go's generated ``String()``)."""
    if terminated is None:
        return "nil"
    return (
        "&ContainerStateTerminated{"
        f"ExitCode:{terminated.get('exitCode', 0)},"
        f"Signal:{terminated.get('signal', 0)},"
        f"Reason:{terminated.get('reason', '')},"
        f"Message:{terminated.get('message', '')},"
        f"StartedAt:{_go_time(terminated.get('startedAt'))},"
        f"FinishedAt:{_go_time(terminated.get('finishedAt'))},"
        f"ContainerID:{terminated.get('containerID', '')},"
        "}"
    )


def should_delete_pod(pod: Mapping[str, Any]) -> tuple[bool, str]:
    """Whether a Ray Pod is beyond repair and must be replaced, with KubeRay's explanation.

    Terminal phases (Failed/Succeeded) always; a Running Pod whose Ray container terminated only
    when ``restartPolicy: Never`` (otherwise the kubelet restarts the container).
    """
    metadata = pod.get("metadata") or {}
    labels = metadata.get("labels") or {}
    node_type = labels.get(names.LABEL_NODE_TYPE, "")
    name = metadata.get("name", "")
    phase = (pod.get("status") or {}).get("phase", "")
    restart_policy = (pod.get("spec") or {}).get("restartPolicy", "")
    if phase in ("Failed", "Succeeded"):
        return True, (
            f"The {node_type} Pod {name} status is {phase} which is a terminal state. "
            "KubeRay will delete the Pod and create new Pods in the next reconciliation if necessary."
        )
    terminated = ray_container_terminated(pod)
    status = describe_terminated(terminated)
    if phase == "Running" and terminated is not None:
        if restart_policy == "Never":
            return True, (
                f"The Pod status of the {node_type} Pod {name} is {phase}, and the Ray container terminated "
                f"status is {status}. The container is unable to restart due to its restart policy "
                f"{restart_policy}, so KubeRay will delete it."
            )
        return False, (
            f"The Pod status of the {node_type} Pod {name} is {phase}, and the Ray container terminated "
            f"status is {status}. However, KubeRay will not delete the Pod because its restartPolicy is "
            f"set to {restart_policy} and it should be able to restart automatically."
        )
    return False, (
        f"KubeRay does not need to delete the {node_type} Pod {name}. The Pod status is {phase}, "
        f"and the Ray container terminated status is {status}."
    )
