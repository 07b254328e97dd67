"""KubeRay's reconcile-time validation rules: one valid and one invalid case (at least) per rule.

Expected messages are KubeRay's exact error texts (users grep for them), so every assertion compares
the whole message. Objects are built from a small valid base manifest plus per-case mutations.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from ray_operator.config import DEFAULT_FEATURE_GATES, OperatorConfig
from ray_operator.models import RayCluster
from ray_operator.models.rayjob import RayJob
from ray_operator.models.rayservice import RayService
from ray_operator.validation import (
    RAYCLUSTER_WARNING_REASON,
    ValidationError,
    raycluster_warning_note,
    raycluster_warnings,
    validate_raycluster,
    validate_raycluster_spec,
    validate_rayjob,
    validate_rayservice,
)

Body = dict[str, Any]
Mut = Callable[[Body], None]

IMAGE = "rayproject/ray:2.52.0"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# apimachinery's regex explanations, embedded verbatim in several KubeRay messages.
DNS1035_ERR = (
    "[a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')]"
)
DNS1123_ERR = (
    "[a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')]"
)
LABEL_KEY_ERR = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE_ERR = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
IDLE_V2_ERR = (
    "worker group workers: idleTimeoutSeconds is set, but autoscaler v2 is not enabled. Please set "
    ".spec.autoscalerOptions.version to 'v2' (or set RAY_enable_autoscaler_v2 environment variable to 'true' "
    "in the head pod if using KubeRay < 1.4.0)"
)
TLS_AUTO = "- the operator manages TLS configuration automatically"

# --- manifests ---------------------------------------------------------------------------------------


def container(name: str, **extra: Any) -> Body:
    return {"name": name, "image": IMAGE, **extra}


def env(**values: str) -> list[Body]:
    return [{"name": name, "value": value} for name, value in values.items()]


def cluster_spec() -> Body:
    """A minimal valid RayClusterSpec: a head and one fixed-size worker group."""
    return {
        "rayVersion": "2.52.0",
        "headGroupSpec": {
            "rayStartParams": {},
            "template": {"spec": {"containers": [container("ray-head")]}},
        },
        "workerGroupSpecs": [
            {
                "groupName": "workers",
                "replicas": 1,
                "minReplicas": 1,
                "maxReplicas": 5,
                "rayStartParams": {},
                "template": {"spec": {"containers": [container("ray-worker")]}},
            }
        ],
    }


def base(kind: str) -> Body:
    meta = {"name": f"{kind.lower()}-sample", "namespace": "default"}
    if kind == "RayCluster":
        spec = cluster_spec()
    elif kind == "RayJob":
        spec = {"entrypoint": "python -c 'print(1)'", "rayClusterSpec": cluster_spec()}
    else:
        spec = {"serveConfigV2": "applications: []\n", "rayClusterConfig": cluster_spec()}
    return {"apiVersion": "ray.io/v1", "kind": kind, "metadata": meta, "spec": spec}


# --- mutations (applied in order to a deep copy of the base manifest) -------------------------------


def _cluster(body: Body) -> Body:
    spec: Body = body["spec"]
    if body["kind"] == "RayJob":
        return spec.setdefault("rayClusterSpec", cluster_spec())  # type: ignore[no-any-return]
    if body["kind"] == "RayService":
        return spec["rayClusterConfig"]  # type: ignore[no-any-return]
    return spec


def _update(get: Callable[[Body], Body], fields: Mapping[str, Any]) -> Mut:
    def apply(body: Body) -> None:
        target = get(body)
        for key, value in fields.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(value)

    return apply


def meta(**fields: Any) -> Mut:
    return _update(lambda b: b["metadata"], fields)


def spec(fields: Mapping[str, Any]) -> Mut:
    """Top-level spec fields of the object itself (``None`` removes a field)."""
    return _update(lambda b: b["spec"], fields)


def cspec(fields: Mapping[str, Any]) -> Mut:
    """Fields of the (embedded) RayClusterSpec."""
    return _update(_cluster, fields)


def head(fields: Mapping[str, Any]) -> Mut:
    return _update(lambda b: _cluster(b)["headGroupSpec"], fields)


def head_pod(fields: Mapping[str, Any]) -> Mut:
    return _update(lambda b: _cluster(b)["headGroupSpec"]["template"]["spec"], fields)


def head_ray(fields: Mapping[str, Any]) -> Mut:
    return _update(lambda b: _cluster(b)["headGroupSpec"]["template"]["spec"]["containers"][0], fields)


def worker(fields: Mapping[str, Any], index: int = 0) -> Mut:
    return _update(lambda b: _cluster(b)["workerGroupSpecs"][index], fields)


def worker_pod(fields: Mapping[str, Any], index: int = 0) -> Mut:
    return _update(lambda b: _cluster(b)["workerGroupSpecs"][index]["template"]["spec"], fields)


def worker_ray(fields: Mapping[str, Any], index: int = 0) -> Mut:
    return _update(lambda b: _cluster(b)["workerGroupSpecs"][index]["template"]["spec"]["containers"][0], fields)


def add_worker(name: str, **fields: Any) -> Mut:
    def apply(body: Body) -> None:
        group = copy.deepcopy(cluster_spec()["workerGroupSpecs"][0])
        group.update(groupName=name, **fields)
        _cluster(body)["workerGroupSpecs"].append(group)

    return apply


def status(fields: Mapping[str, Any]) -> Mut:
    return _update(lambda b: b.setdefault("status", {}), fields)


AUTOSCALING = cspec({"enableInTreeAutoscaling": True})
V1 = cspec({"enableInTreeAutoscaling": True, "autoscalerOptions": {"version": "v1"}})
V2 = cspec({"enableInTreeAutoscaling": True, "autoscalerOptions": {"version": "v2"}})
FT_REDIS = cspec({"gcsFaultToleranceOptions": {"redisAddress": "redis:6379"}})
ROCKSDB = cspec({"gcsFaultToleranceOptions": {"backend": "rocksdb"}})
HISTORY = cspec(
    {
        "historyServerOptions": {
            "collectorOptions": {
                "image": "collector:1",
                "env": env(STORAGE_BACKEND="S3", S3_REGION="us-east-1"),
            }
        }
    }
)
TLS = cspec({"tlsOptions": {"enabled": True}})


def collector_env(**values: str) -> Mut:
    return cspec({"historyServerOptions": {"collectorOptions": {"image": "collector:1", "env": env(**values)}}})


def network_policy(policy: Mapping[str, Any]) -> Mut:
    return cspec({"networkPolicy": dict(policy)})


RULE_INGRESS: list[Body] = [{"from": [{"podSelector": {}}]}]
RULE_EGRESS: list[Body] = [{"to": [{"podSelector": {}}]}]


def deletion(strategy: Mapping[str, Any]) -> Mut:
    return spec({"deletionStrategy": dict(strategy)})


def rule(policy: str, ttl: int = 0, **condition: str) -> Body:
    return {"policy": policy, "condition": {"ttlSeconds": ttl, **condition}}


def legacy(on_success: str | None, on_failure: str | None) -> Body:
    return {
        "onSuccess": {"policy": on_success} if on_success else {},
        "onFailure": {"policy": on_failure} if on_failure else {},
    }


def incremental(**options: Any) -> Mut:
    values = {
        "maxSurgePercent": 50,
        "stepSizePercent": 10,
        "intervalSeconds": 30,
        "gatewayClassName": "istio",
    }
    values.update(options)
    return spec({"upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade", "clusterUpgradeOptions": values}})


# --- running a case ----------------------------------------------------------------------------------


def config(gates: Mapping[str, bool] | None = None) -> OperatorConfig:
    return OperatorConfig(feature_gates={**DEFAULT_FEATURE_GATES, **(gates or {})})


def build(kind: str, muts: tuple[Mut, ...]) -> Body:
    body = base(kind)
    for mut in muts:
        mut(body)
    return body


def validate(body: Body, cfg: OperatorConfig) -> None:
    if body["kind"] == "RayCluster":
        validate_raycluster(RayCluster.from_body(body), cfg)
    elif body["kind"] == "RayJob":
        validate_rayjob(RayJob.from_body(body), cfg)
    else:
        validate_rayservice(RayService.from_body(body), cfg)


def case(
    case_id: str,
    *muts: Mut,
    error: str | None = None,
    reason: str | None = None,
    kind: str = "RayCluster",
    gates: Mapping[str, bool] | None = None,
) -> Any:
    """One table row; ``reason`` defaults to the spec reason of ``kind`` when ``error`` is set."""
    if error is not None and reason is None:
        reason = f"Invalid{kind}Spec"
    return pytest.param(kind, muts, dict(gates or {}), reason, error, id=case_id)


NP_GATE = {"RayClusterNetworkPolicy": True}
TLS_GATE = {"RayClusterMTLS": True}
HS_GATE = {"RayClusterHistoryServer": True}
ROCKS_GATE = {"GCSFaultToleranceEmbeddedStorage": True}

RAYCLUSTER_CASES = [
    case("valid-minimal"),
    # metadata
    case("name-53-chars", meta(name="a" * 53)),
    case(
        "name-too-long",
        meta(name="a" * 54),
        reason="InvalidRayClusterMetadata",
        error="RayCluster name should be no more than 53 characters",
    ),
    case(
        "name-not-dns1035",
        meta(name="1" * 53),
        reason="InvalidRayClusterMetadata",
        error=f"RayCluster name should be a valid DNS1035 label: {DNS1035_ERR}",
    ),
    case(
        "name-uppercase",
        meta(name="MyCluster"),
        reason="InvalidRayClusterMetadata",
        error=f"RayCluster name should be a valid DNS1035 label: {DNS1035_ERR}",
    ),
    # containers
    case(
        "head-no-containers",
        head_pod({"containers": []}),
        error="headGroupSpec should have at least one container",
    ),
    case(
        "worker-no-containers",
        worker_pod({"containers": []}),
        error="workerGroupSpec should have at least one container",
    ),
    # group resources
    case("head-resources-only", head({"resources": {"CPU": "2", "GPU": "1"}})),
    case(
        "head-empty-num-cpus-with-resources",
        head({"resources": {"CPU": "2"}, "rayStartParams": {"num-cpus": ""}}),
    ),
    case(
        "head-resources-conflict",
        head({"resources": {"CPU": "2"}, "rayStartParams": {"num-cpus": "2"}}),
        error=(
            "resource fields should not be set in both rayStartParams and Resources for Head group; please use only one"
        ),
    ),
    case(
        "worker-resources-conflict",
        worker({"resources": {"memory": "1Gi"}, "rayStartParams": {"resources": "'{\"TPU\": 4}'"}}),
        error=(
            "resource fields should not be set in both rayStartParams and Resources for workers group; "
            "please use only one"
        ),
    ),
    # group labels
    case(
        "labels-field",
        head({"labels": {"ray.io/market-type": "on-demand"}}),
        worker({"labels": {"zone": "a"}}),
    ),
    case(
        "head-labels-in-ray-start-params",
        head({"rayStartParams": {"labels": "a=b"}}),
        error=(
            "rayStartParams['labels'] is not supported for Head group; please use the top-level Labels field instead"
        ),
    ),
    case(
        "worker-empty-labels-param",
        worker({"rayStartParams": {"labels": ""}}),
        error=(
            "rayStartParams['labels'] is not supported for workers group; please use the top-level Labels field instead"
        ),
    ),
    case(
        "label-key-invalid",
        worker({"labels": {"invalid_key!": "value"}}),
        error=f"invalid label key for workers group: 'invalid_key!', error: {LABEL_KEY_ERR}",
    ),
    case(
        "label-value-invalid",
        head({"labels": {"valid-key": "invalid/value"}}),
        error=(f"invalid label value for key 'valid-key' in Head group: 'invalid/value', error: {LABEL_VALUE_ERR}"),
    ),
    case(
        "label-errors-joined",
        head({"labels": {"b": "x/y", "a/b/c": "ok"}}),
        error=(
            "invalid label key for Head group: 'a/b/c', error: a valid label key must consist of "
            "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
            "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
            "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName'); invalid label value for key 'b' in Head group: 'x/y', error: "
            f"{LABEL_VALUE_ERR}"
        ),
    ),
    # replicas
    case("min-equals-max", worker({"minReplicas": 3, "maxReplicas": 3, "replicas": 3})),
    case("replicas-defaulted", worker({"minReplicas": None, "maxReplicas": None})),
    case(
        "negative-min-replicas",
        worker({"minReplicas": -1}),
        error="worker group workers has negative minReplicas -1",
    ),
    case(
        "negative-max-replicas",
        worker({"minReplicas": 0, "maxReplicas": -2}),
        error="worker group workers has negative maxReplicas -2",
    ),
    case(
        "min-greater-than-max",
        worker({"minReplicas": 5, "maxReplicas": 1}),
        error="worker group workers has minReplicas 5 greater than maxReplicas 1",
    ),
    # per-group idle timeout
    case("idle-timeout-v2", V2, worker({"idleTimeoutSeconds": 60})),
    case(
        "idle-timeout-v2-env",
        AUTOSCALING,
        head_ray({"env": env(RAY_enable_autoscaler_v2="1")}),
        worker({"idleTimeoutSeconds": 60}),
    ),
    case(
        "idle-timeout-negative",
        V2,
        worker({"idleTimeoutSeconds": -10}),
        error="worker group workers: idleTimeoutSeconds must be non-negative, got -10",
    ),
    case("idle-timeout-without-v2", AUTOSCALING, worker({"idleTimeoutSeconds": 60}), error=IDLE_V2_ERR),
    case("idle-timeout-v1", V1, worker({"idleTimeoutSeconds": 60}), error=IDLE_V2_ERR),
    # per-group priority
    case("priority-zero", worker({"priority": 0})),
    case("priority-v2", V2, cspec({"rayVersion": "2.56.0"}), worker({"priority": 5})),
    case(
        "priority-no-ray-version",
        V2,
        cspec({"rayVersion": None}),
        worker({"priority": 1}),
        error=(
            "worker group workers: priority is set, but RayVersion was not specified. Ray version 2.56.0 or "
            "later is required"
        ),
    ),
    case(
        "priority-bad-ray-version",
        V2,
        cspec({"rayVersion": "invalid"}),
        worker({"priority": 1}),
        error=(
            "worker group workers: priority is set, but RayVersion format is invalid: invalid, could not "
            'parse "invalid" as version'
        ),
    ),
    case(
        "priority-old-ray",
        V2,
        cspec({"rayVersion": "2.55.0"}),
        worker({"priority": 1}),
        error="worker group workers: priority is set, but minimum Ray version is 2.56.0, got 2.55.0",
    ),
    case(
        "priority-without-v2",
        AUTOSCALING,
        cspec({"rayVersion": "2.56.0"}),
        worker({"priority": 2}),
        error=(
            "worker group workers: priority is set to 2, but autoscaler v2 is not enabled. Priority is only "
            "supported with autoscaler v2 enabled"
        ),
    ),
    # GCS fault tolerance
    case("ft-redis", FT_REDIS),
    case(
        "ft-legacy-annotation",
        meta(annotations={"ray.io/ft-enabled": "true"}),
        head_ray({"env": env(RAY_REDIS_ADDRESS="r:6379")}),
    ),
    case(
        "ft-annotation-and-options",
        FT_REDIS,
        meta(annotations={"ray.io/ft-enabled": "false"}),
        error=(
            "ray.io/ft-enabled annotation and GcsFaultToleranceOptions are both set. Please use only "
            "GcsFaultToleranceOptions to configure GCS fault tolerance"
        ),
    ),
    case(
        "redis-address-without-ft",
        head_ray({"env": env(RAY_REDIS_ADDRESS="r:6379")}),
        error=(
            "RAY_REDIS_ADDRESS is set which implicitly enables GCS fault tolerance, but "
            "GcsFaultToleranceOptions is not set. Please set GcsFaultToleranceOptions to enable GCS fault "
            "tolerance"
        ),
    ),
    case(
        "ft-redis-password-param",
        FT_REDIS,
        head({"rayStartParams": {"redis-password": "secret"}}),
        error=(
            "cannot set `redis-password` in rayStartParams when GcsFaultToleranceOptions is enabled - use "
            "GcsFaultToleranceOptions.RedisPassword instead"
        ),
    ),
    case(
        "ft-redis-password-env",
        FT_REDIS,
        head_ray({"env": env(REDIS_PASSWORD="secret")}),
        error=(
            "cannot set `REDIS_PASSWORD` env var in head Pod when GcsFaultToleranceOptions is enabled - use "
            "GcsFaultToleranceOptions.RedisPassword instead"
        ),
    ),
    case(
        "ft-redis-address-env",
        FT_REDIS,
        head_ray({"env": env(RAY_REDIS_ADDRESS="r:6379")}),
        error=(
            "cannot set `RAY_REDIS_ADDRESS` env var in head Pod when GcsFaultToleranceOptions is enabled - "
            "use GcsFaultToleranceOptions.RedisAddress instead"
        ),
    ),
    case(
        "ft-external-storage-annotation",
        FT_REDIS,
        meta(annotations={"ray.io/external-storage-namespace": "ns"}),
        error=(
            "cannot set `ray.io/external-storage-namespace` annotation when GcsFaultToleranceOptions is "
            "enabled - use GcsFaultToleranceOptions.ExternalStorageNamespace instead"
        ),
    ),
    case(
        "ft-redis-with-storage",
        cspec({"gcsFaultToleranceOptions": {"redisAddress": "r:6379", "storage": {"size": "1Gi"}}}),
        error=(
            "cannot set GcsFaultToleranceOptions.Storage when backend is 'redis' - it only applies to the "
            "'rocksdb' backend"
        ),
    ),
    case(
        "rocksdb",
        cspec({"gcsFaultToleranceOptions": {"backend": "rocksdb", "storage": {"size": "5Gi"}}}),
        gates=ROCKS_GATE,
    ),
    case(
        "rocksdb-claim",
        cspec(
            {
                "gcsFaultToleranceOptions": {
                    "backend": "rocksdb",
                    "storage": {"claimName": "mine", "subPath": "x"},
                }
            }
        ),
        gates=ROCKS_GATE,
    ),
    case(
        "rocksdb-without-gate",
        ROCKSDB,
        error=(
            "the embedded RocksDB GCS fault tolerance backend (GcsFaultToleranceOptions.Backend: 'rocksdb') "
            "requires the GCSFaultToleranceEmbeddedStorage feature gate to be enabled"
        ),
    ),
    *(
        case(
            f"rocksdb-{field.lower()}",
            cspec({"gcsFaultToleranceOptions": {"backend": "rocksdb", field[0].lower() + field[1:]: value}}),
            gates=ROCKS_GATE,
            error=f"cannot set GcsFaultToleranceOptions.{field} when backend is 'rocksdb'",
        )
        for field, value in (
            ("RedisAddress", "r:6379"),
            ("RedisUsername", {"value": "u"}),
            ("RedisPassword", {"value": "p"}),
            ("ExternalStorageNamespace", "ns"),
        )
    ),
    case(
        "rocksdb-claim-and-size",
        cspec(
            {
                "gcsFaultToleranceOptions": {
                    "backend": "rocksdb",
                    "storage": {"claimName": "c", "accessModes": ["RWO"]},
                }
            }
        ),
        gates=ROCKS_GATE,
        error=(
            "GcsFaultToleranceOptions.Storage.ClaimName is mutually exclusive with size, storageClassName, "
            "and accessModes"
        ),
    ),
    case(
        "rocksdb-storage-env",
        ROCKSDB,
        head_ray({"env": env(RAY_gcs_storage_path="/x")}),
        gates=ROCKS_GATE,
        error=(
            "cannot set `RAY_gcs_storage` or `RAY_gcs_storage_path` env var in head Pod when the embedded "
            "GCS FT backend is used - these are managed by KubeRay"
        ),
    ),
    case(
        "rocksdb-mount-name",
        ROCKSDB,
        head_ray({"volumeMounts": [{"name": "gcs-storage", "mountPath": "/elsewhere"}]}),
        gates=ROCKS_GATE,
        error=(
            'cannot set a volume mount named "gcs-storage" or mounted at /data/gcs in the head container '
            "when the embedded GCS FT backend is used - it is managed by KubeRay"
        ),
    ),
    case(
        "rocksdb-mount-path",
        ROCKSDB,
        head_ray({"volumeMounts": [{"name": "data", "mountPath": "/data/gcs"}]}),
        gates=ROCKS_GATE,
        error=(
            'cannot set a volume mount named "gcs-storage" or mounted at /data/gcs in the head container '
            "when the embedded GCS FT backend is used - it is managed by KubeRay"
        ),
    ),
    case(
        "rocksdb-volume",
        ROCKSDB,
        head_pod({"volumes": [{"name": "gcs-storage", "emptyDir": {}}]}),
        gates=ROCKS_GATE,
        error=(
            'cannot set a volume named "gcs-storage" in the head Pod when the embedded GCS FT backend is '
            "used - it is managed by KubeRay"
        ),
    ),
    case(
        "ft-redis-username-option",
        cspec({"gcsFaultToleranceOptions": {"redisAddress": "r", "redisUsername": {"value": "u"}}}),
    ),
    case(
        "redis-username-param",
        head({"rayStartParams": {"redis-username": "u"}}),
        error=(
            "cannot set redis username in rayStartParams or environment variables - use "
            "GcsFaultToleranceOptions.RedisUsername instead"
        ),
    ),
    case(
        "redis-username-env",
        FT_REDIS,
        head_ray({"env": env(REDIS_USERNAME="u")}),
        error=(
            "cannot set redis username in rayStartParams or environment variables - use "
            "GcsFaultToleranceOptions.RedisUsername instead"
        ),
    ),
    # suspended worker groups
    case("worker-suspend", worker({"suspend": True})),
    case(
        "worker-suspend-without-gate",
        worker({"suspend": True}),
        gates={"RayJobDeletionPolicy": False},
        error=("worker group workers can be suspended only when the RayJobDeletionPolicy feature gate is enabled"),
    ),
    case(
        "worker-suspend-with-autoscaler",
        AUTOSCALING,
        worker({"suspend": True}),
        error="worker group workers cannot be suspended with Autoscaler enabled",
    ),
    # autoscaler
    case("autoscaler-v2-env-false", head_ray({"env": env(RAY_enable_autoscaler_v2="false")})),
    *(
        case(
            f"autoscaler-v2-env-{value}-without-autoscaling",
            head_ray({"env": env(RAY_enable_autoscaler_v2=value)}),
            error=(
                f"environment variable RAY_enable_autoscaler_v2 cannot be set to '{value}' when "
                "enableInTreeAutoscaling is false. Please set enableInTreeAutoscaling: true to use "
                "autoscaler v2"
            ),
        )
        for value in ("1", "true")
    ),
    case(
        "autoscaler-version-and-env",
        V1,
        head_ray({"env": env(RAY_enable_autoscaler_v2="false")}),
        error=(
            "both .spec.autoscalerOptions.version and head Pod env var RAY_enable_autoscaler_v2 are set, "
            "please only use the former"
        ),
    ),
    case(
        "autoscaler-v2-restart-never",
        V2,
        head_pod({"restartPolicy": "Never"}),
        worker_pod({"restartPolicy": "Never"}),
    ),
    case(
        "autoscaler-v2-head-restart",
        V2,
        head_pod({"restartPolicy": "Always"}),
        error="restartPolicy for head Pod should be Never or unset when using autoscaler V2",
    ),
    case(
        "autoscaler-v2-worker-restart",
        V2,
        add_worker("gpu"),
        worker_pod({"restartPolicy": "OnFailure"}, index=1),
        error="restartPolicy for worker group gpu should be Never or unset when using autoscaler V2",
    ),
    case("autoscaler-v1-worker-restart-is-a-warning", V1, worker_pod({"restartPolicy": "Always"})),
    case("autoscaler-idle-timeout", cspec({"autoscalerOptions": {"idleTimeoutSeconds": 0}})),
    case(
        "autoscaler-idle-timeout-negative",
        cspec({"autoscalerOptions": {"idleTimeoutSeconds": -10}}),
        error="autoscalerOptions.idleTimeoutSeconds must be non-negative, got -10",
    ),
    case(
        "autoscaler-env",
        AUTOSCALING,
        cspec({"enableInTreeAutoscaling": True, "autoscalerOptions": {"env": env(FOO="1")}}),
    ),
    case(
        "autoscaler-env-start-cmd",
        cspec({"autoscalerOptions": {"env": env(KUBERAY_GEN_AUTOSCALER_START_CMD="x")}}),
        error=(
            "autoscalerOptions.env must not contain KUBERAY_GEN_AUTOSCALER_START_CMD: it is managed by "
            "KubeRay and injected automatically into the autoscaler container"
        ),
    ),
    # history server
    case("history-server", HISTORY, gates=HS_GATE),
    case(
        "history-server-without-gate",
        HISTORY,
        error="RayClusterHistoryServer feature gate is not enabled",
    ),
    case(
        "history-server-no-collector",
        cspec({"historyServerOptions": {}}),
        gates=HS_GATE,
        error="historyServerOptions.collectorOptions must be set",
    ),
    case(
        "history-server-no-image",
        cspec({"historyServerOptions": {"collectorOptions": {"env": env(STORAGE_BACKEND="S3")}}}),
        gates=HS_GATE,
        error="historyServerOptions.collectorOptions.image must be set",
    ),
    *(
        case(
            f"history-server-managed-env-{name.lower()}",
            collector_env(STORAGE_BACKEND="S3", S3_REGION="r", **{name: "x"}),
            gates=HS_GATE,
            error=(
                f"historyServerOptions.collectorOptions.env must not contain {name}: it is managed by "
                "KubeRay and injected automatically into the collector container"
            ),
        )
        for name in ("POD_IP", "EVENTS_PORT")
    ),
    case(
        "history-server-no-backend",
        collector_env(S3_REGION="r"),
        gates=HS_GATE,
        error=(
            "STORAGE_BACKEND environment variable must be set with a literal string value in "
            "historyServerOptions.collectorOptions.env"
        ),
    ),
    case(
        "history-server-gcs-bucket-from-secret",
        cspec(
            {
                "historyServerOptions": {
                    "collectorOptions": {
                        "image": "c:1",
                        "env": [
                            {"name": "STORAGE_BACKEND", "value": "gcs"},
                            {"name": "GCS_BUCKET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                        ],
                    }
                }
            }
        ),
        gates=HS_GATE,
    ),
    case("history-server-unknown-backend", collector_env(STORAGE_BACKEND="local"), gates=HS_GATE),
    case(
        "history-server-gcs",
        collector_env(STORAGE_BACKEND="GCS"),
        gates=HS_GATE,
        error="GCS_BUCKET environment variable must be set when STORAGE_BACKEND is GCS",
    ),
    case(
        "history-server-s3",
        collector_env(STORAGE_BACKEND="s3", S3_REGION=""),
        gates=HS_GATE,
        error="S3_REGION environment variable must be set when STORAGE_BACKEND is S3",
    ),
    case(
        "history-server-azure-connection-string",
        collector_env(STORAGE_BACKEND="AZUREBLOB", AZURE_STORAGE_AUTH_MODE=" Connection_String "),
        gates=HS_GATE,
        error=(
            "AZURE_STORAGE_CONNECTION_STRING environment variable must be set when STORAGE_BACKEND is "
            "AZUREBLOB and AZURE_STORAGE_AUTH_MODE is connection_string"
        ),
    ),
    case(
        "history-server-azure-workload-identity",
        collector_env(STORAGE_BACKEND="AZUREBLOB", AZURE_STORAGE_AUTH_MODE="workload_identity"),
        gates=HS_GATE,
        error=(
            "AZURE_STORAGE_ACCOUNT_URL environment variable must be set when STORAGE_BACKEND is AZUREBLOB "
            "and AZURE_STORAGE_AUTH_MODE is workload_identity"
        ),
    ),
    case(
        "history-server-azure",
        collector_env(STORAGE_BACKEND="AZUREBLOB"),
        gates=HS_GATE,
        error=(
            "either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT_URL environment variable must "
            "be set when STORAGE_BACKEND is AZUREBLOB"
        ),
    ),
    case(
        "history-server-azure-account-url",
        collector_env(STORAGE_BACKEND="AZUREBLOB", AZURE_STORAGE_ACCOUNT_URL="https://x"),
        gates=HS_GATE,
    ),
    case(
        "history-server-aliyun",
        collector_env(STORAGE_BACKEND="ALIYUNOSS", OSS_BUCKET="b", OSS_ENDPOINT="e"),
        gates=HS_GATE,
        error="OSS_REGION environment variable must be set when STORAGE_BACKEND is ALIYUNOSS",
    ),
    case(
        "history-server-head-collector-container",
        HISTORY,
        head_pod({"containers": [container("ray-head"), container("ray-history-collector")]}),
        gates=HS_GATE,
        error=(
            "head pod template must not define a container with name 'ray-history-collector' when history "
            "server collector options are enabled"
        ),
    ),
    case(
        "history-server-worker-collector-container",
        HISTORY,
        worker_pod({"containers": [container("ray-worker"), container("ray-history-collector")]}),
        gates=HS_GATE,
        error=(
            "worker group workers pod template must not define a container with name 'ray-history-collector' "
            "when history server collector options are enabled"
        ),
    ),
    # authentication
    case("auth-token", cspec({"authOptions": {"mode": "token"}})),
    case("auth-token-short-version", cspec({"authOptions": {"mode": "token"}, "rayVersion": "v2.52"})),
    case("auth-disabled-old-ray", cspec({"authOptions": {"mode": "disabled"}, "rayVersion": "2.9.0"})),
    case(
        "auth-token-no-version",
        cspec({"authOptions": {"mode": "token"}, "rayVersion": None}),
        error=("authOptions.mode is 'token' but RayVersion was not specified. Ray version 2.52.0 or later is required"),
    ),
    case(
        "auth-token-bad-version",
        cspec({"authOptions": {"mode": "token"}, "rayVersion": "invalid-version"}),
        error=(
            "authOptions.mode is 'token' but RayVersion format is invalid: invalid-version, could not parse "
            '"invalid-version" as version'
        ),
    ),
    case(
        "auth-token-single-component-version",
        cspec({"authOptions": {"mode": "token"}, "rayVersion": "3"}),
        error="authOptions.mode is 'token' but RayVersion format is invalid: 3, illegal version string \"3\"",
    ),
    case(
        "auth-token-old-ray",
        cspec({"authOptions": {"mode": "token"}, "rayVersion": "2.50.0"}),
        error="authOptions.mode is 'token' but minimum Ray version is 2.52.0, got 2.50.0",
    ),
    case(
        "k8s-auth",
        cspec({"authOptions": {"mode": "token", "enableK8sTokenAuth": True}, "rayVersion": "2.55.0"}),
    ),
    case(
        "k8s-auth-old-ray",
        cspec({"authOptions": {"mode": "token", "enableK8sTokenAuth": True}, "rayVersion": "2.54.1"}),
        error="authOptions.enableK8sTokenAuth is enabled but minimum Ray version is 2.55.0, got 2.54.1",
    ),
    case(
        "k8s-auth-with-secret",
        cspec(
            {
                "authOptions": {"mode": "token", "enableK8sTokenAuth": True, "secretName": "tok"},
                "rayVersion": "2.55.0",
            }
        ),
        error="authOptions.enableK8sTokenAuth is enabled and authOptions.secretName is also set",
    ),
    case(
        "k8s-auth-without-token-mode",
        cspec({"authOptions": {"enableK8sTokenAuth": True}}),
        error="authOptions.enableK8sTokenAuth is enabled but authOptions.mode not set to 'token'",
    ),
    # network policy
    case(
        "network-policy",
        network_policy(
            {
                "head": {"ingressRules": RULE_INGRESS, "egressRules": RULE_EGRESS},
                "workerGroups": [{"groupName": "workers"}],
            }
        ),
        gates=NP_GATE,
    ),
    case(
        "network-policy-deny-ingress-with-ingress-rules",
        network_policy({"mode": "DenyAllIngress", "worker": {"ingressRules": RULE_INGRESS}}),
        gates=NP_GATE,
    ),
    case(
        "network-policy-without-gate",
        network_policy({}),
        error="spec.networkPolicy requires the RayClusterNetworkPolicy feature gate to be enabled",
    ),
    case(
        "network-policy-head-ingress",
        network_policy({"mode": "DenyAllEgress", "head": {"ingressRules": RULE_INGRESS}}),
        gates=NP_GATE,
        error=(
            'networkPolicy.head.ingressRules cannot be set when mode is "DenyAllEgress" (ingress is not restricted)'
        ),
    ),
    case(
        "network-policy-head-egress",
        network_policy({"mode": "DenyAllIngress", "head": {"egressRules": RULE_EGRESS}}),
        gates=NP_GATE,
        error=('networkPolicy.head.egressRules cannot be set when mode is "DenyAllIngress" (egress is not restricted)'),
    ),
    case(
        "network-policy-worker-ingress",
        network_policy({"mode": "DenyAllEgress", "worker": {"ingressRules": RULE_INGRESS}}),
        gates=NP_GATE,
        error=(
            'networkPolicy.worker.ingressRules cannot be set when mode is "DenyAllEgress" (ingress is not restricted)'
        ),
    ),
    case(
        "network-policy-worker-egress",
        network_policy({"mode": "DenyAllIngress", "worker": {"egressRules": RULE_EGRESS}}),
        gates=NP_GATE,
        error=(
            'networkPolicy.worker.egressRules cannot be set when mode is "DenyAllIngress" (egress is not restricted)'
        ),
    ),
    case("uppercase-group-without-network-policy", worker({"groupName": "GPU_Group"})),
    case(
        "network-policy-group-name",
        network_policy({}),
        worker({"groupName": "GPU_Group"}),
        gates=NP_GATE,
        error=(
            'worker group name "GPU_Group" must be a valid DNS1123 label when networkPolicy is enabled '
            f"(it is embedded in the NetworkPolicy name): {DNS1123_ERR}"
        ),
    ),
    case(
        "network-policy-group-ingress",
        network_policy(
            {
                "mode": "DenyAllEgress",
                "workerGroups": [{"groupName": "workers", "ingressRules": RULE_INGRESS}],
            }
        ),
        gates=NP_GATE,
        error=(
            'networkPolicy.workerGroups["workers"].ingressRules cannot be set when mode is '
            '"DenyAllEgress" (ingress is not restricted)'
        ),
    ),
    case(
        "network-policy-group-egress",
        network_policy(
            {"mode": "DenyAllIngress", "workerGroups": [{"groupName": "workers", "egressRules": RULE_EGRESS}]}
        ),
        gates=NP_GATE,
        error=(
            'networkPolicy.workerGroups["workers"].egressRules cannot be set when mode is '
            '"DenyAllIngress" (egress is not restricted)'
        ),
    ),
    case(
        "network-policy-unknown-group",
        network_policy({"workerGroups": [{"groupName": "gpu"}]}),
        gates=NP_GATE,
        error='networkPolicy.workerGroups["gpu"] does not match any group name in workerGroupSpecs',
    ),
    # mTLS
    case("tls", TLS, cspec({"enableInTreeAutoscaling": True, "autoscalerOptions": {}}), gates=TLS_GATE),
    case(
        "tls-disabled-env-allowed",
        cspec({"tlsOptions": {"enabled": False}}),
        head_ray({"env": env(RAY_USE_TLS="1")}),
        gates=TLS_GATE,
    ),
    case(
        "tls-without-gate",
        cspec({"tlsOptions": {"enabled": False}}),
        error="spec.tlsOptions requires the RayClusterMTLS feature gate to be enabled",
    ),
    case(
        "tls-head-env",
        TLS,
        head_ray({"env": env(RAY_TLS_CA_CERT="/x")}),
        gates=TLS_GATE,
        error=(f"cannot set RAY_TLS_CA_CERT environment variable in head Pod when tlsOptions is set {TLS_AUTO}"),
    ),
    case(
        "tls-head-mount-name",
        TLS,
        head_ray({"volumeMounts": [{"name": "ray-tls", "mountPath": "/x"}]}),
        gates=TLS_GATE,
        error=f'cannot use volume mount named "ray-tls" in head Pod when tlsOptions is set {TLS_AUTO}',
    ),
    case(
        "tls-head-mount-path",
        TLS,
        head_ray({"volumeMounts": [{"name": "certs", "mountPath": "/etc/ray/tls"}]}),
        gates=TLS_GATE,
        error=f'cannot use volume mount at path "/etc/ray/tls" in head Pod when tlsOptions is set {TLS_AUTO}',
    ),
    case(
        "tls-worker-env",
        TLS,
        worker_ray({"env": env(RAY_USE_TLS="0")}),
        gates=TLS_GATE,
        error=(
            f'cannot set RAY_USE_TLS environment variable in worker group "workers" when tlsOptions is set {TLS_AUTO}'
        ),
    ),
    case(
        "tls-worker-mount",
        TLS,
        worker_ray({"volumeMounts": [{"name": "ray-tls", "mountPath": "/etc/ray/tls"}]}),
        gates=TLS_GATE,
        error=(f'cannot use volume mount named "ray-tls" in worker group "workers" when tlsOptions is set {TLS_AUTO}'),
    ),
    case(
        "tls-autoscaler-env",
        TLS,
        cspec({"autoscalerOptions": {"env": env(RAY_TLS_SERVER_KEY="/k")}}),
        gates=TLS_GATE,
        error=(
            "cannot set RAY_TLS_SERVER_KEY environment variable in autoscalerOptions.env when tlsOptions is "
            "set - the operator manages TLS configuration for the autoscaler automatically"
        ),
    ),
    case(
        "tls-autoscaler-mount-path",
        TLS,
        cspec({"autoscalerOptions": {"volumeMounts": [{"name": "c", "mountPath": "/etc/ray/tls"}]}}),
        gates=TLS_GATE,
        error=(
            'cannot use volume mount at path "/etc/ray/tls" in autoscalerOptions.volumeMounts when '
            f"tlsOptions is set {TLS_AUTO}"
        ),
    ),
    # upgrade strategy (checked after the spec)
    case("upgrade-recreate", cspec({"upgradeStrategy": {"type": "Recreate"}})),
    case(
        "upgrade-none-created-by-raycluster",
        cspec({"upgradeStrategy": {"type": "None"}}),
        meta(labels={"ray.io/originated-from-crd": "RayCluster"}),
    ),
    case(
        "upgrade-invalid-type",
        cspec({"upgradeStrategy": {"type": "Rolling"}}),
        error=(
            "The RayCluster spec is invalid: Spec.UpgradeStrategy.Type value Rolling is invalid, valid "
            "options are Recreate or None"
        ),
    ),
    *(
        case(
            f"upgrade-created-by-{crd.lower()}",
            cspec({"upgradeStrategy": {"type": "Recreate"}}),
            meta(labels={"ray.io/originated-from-crd": crd}),
            error=f"upgradeStrategy cannot be set when RayCluster is created by {crd}",
        )
        for crd in ("RayJob", "RayService")
    ),
    # status
    case(
        "status-suspending",
        status(
            {
                "conditions": [
                    {"type": "RayClusterSuspending", "status": "True"},
                    {"type": "RayClusterSuspended", "status": "False"},
                ]
            }
        ),
    ),
    case(
        "status-suspending-and-suspended",
        status(
            {
                "conditions": [
                    {"type": "RayClusterSuspending", "status": "True"},
                    {"type": "RayClusterSuspended", "status": "True"},
                ]
            }
        ),
        reason="InvalidRayClusterStatus",
        error=(
            "invalid RayCluster State: rayv1.RayClusterSuspending and rayv1.RayClusterSuspended conditions "
            "should not be both true"
        ),
    ),
]

J = "RayJob"
RAYJOB_CASES = [
    case("valid-k8sjobmode", kind=J),
    case("name-47-chars", meta(name="j" * 47), kind=J),
    case(
        "name-too-long",
        meta(name="j" * 48),
        kind=J,
        reason="InvalidRayJobMetadata",
        error="The RayJob metadata is invalid: RayJob name should be no more than 47 characters",
    ),
    case(
        "name-not-dns1035",
        meta(name="my_job"),
        kind=J,
        reason="InvalidRayJobMetadata",
        error=f"The RayJob metadata is invalid: RayJob name should be a valid DNS1035 label: {DNS1035_ERR}",
    ),
    case("suspend", spec({"suspend": True, "shutdownAfterJobFinishes": True}), kind=J),
    case(
        "suspend-without-shutdown",
        spec({"suspend": True}),
        kind=J,
        error=(
            "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false is not allowed "
            "to be suspended"
        ),
    ),
    case("ttl", spec({"shutdownAfterJobFinishes": True, "ttlSecondsAfterFinished": 60}), kind=J),
    case(
        "ttl-negative",
        spec({"ttlSecondsAfterFinished": -1}),
        kind=J,
        error="The RayJob spec is invalid: TTLSecondsAfterFinished must be a non-negative integer",
    ),
    case(
        "ttl-without-shutdown",
        spec({"ttlSecondsAfterFinished": 10}),
        kind=J,
        error=(
            "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false cannot have "
            "TTLSecondsAfterFinished"
        ),
    ),
    # deletion strategy
    case("deletion-legacy", deletion(legacy("DeleteCluster", "DeleteNone")), kind=J),
    case(
        "deletion-without-gate",
        deletion(legacy("DeleteCluster", "DeleteCluster")),
        kind=J,
        gates={"RayJobDeletionPolicy": False},
        error="RayJobDeletionPolicy feature gate must be enabled to use DeletionStrategy",
    ),
    case(
        "deletion-rules-and-shutdown",
        spec({"shutdownAfterJobFinishes": True}),
        deletion({"deletionRules": [rule("DeleteCluster", jobStatus="SUCCEEDED")]}),
        kind=J,
        error=(
            "The RayJob spec is invalid: spec.shutdownAfterJobFinishes and "
            "spec.deletionStrategy.deletionRules are mutually exclusive"
        ),
    ),
    case(
        "deletion-rules-and-legacy",
        deletion(
            {
                **legacy("DeleteCluster", "DeleteCluster"),
                "deletionRules": [rule("DeleteSelf", jobStatus="FAILED")],
            }
        ),
        kind=J,
        error=(
            "The RayJob spec is invalid: Cannot use both legacy onSuccess/onFailure fields and deletionRules "
            "simultaneously"
        ),
    ),
    case(
        "deletion-empty",
        deletion({}),
        kind=J,
        error=(
            "The RayJob spec is invalid: DeletionStrategy requires either BOTH onSuccess and onFailure, OR "
            "the deletionRules field (cannot be empty)"
        ),
    ),
    case(
        "deletion-legacy-on-success-only",
        deletion({"onSuccess": {"policy": "DeleteCluster"}}),
        kind=J,
        error=(
            "both DeletionStrategy.OnSuccess and DeletionStrategy.OnFailure must be set when using the "
            "legacy deletion policy fields of DeletionStrategy"
        ),
    ),
    case(
        "deletion-legacy-success-policy-unset",
        deletion(legacy(None, "DeleteCluster")),
        kind=J,
        error=(
            "the DeletionPolicyType field of DeletionStrategy.OnSuccess cannot be unset when "
            "DeletionStrategy is enabled"
        ),
    ),
    case(
        "deletion-legacy-failure-policy-unset",
        deletion(legacy("DeleteCluster", None)),
        kind=J,
        error=(
            "the DeletionPolicyType field of DeletionStrategy.OnFailure cannot be unset when "
            "DeletionStrategy is enabled"
        ),
    ),
    case(
        "deletion-legacy-selector-on-success",
        spec({"rayClusterSpec": None, "clusterSelector": {"ray.io/cluster": "c"}}),
        deletion(legacy("DeleteCluster", "DeleteSelf")),
        kind=J,
        error="the ClusterSelector mode doesn't support DeletionStrategy=DeleteCluster on success",
    ),
    case(
        "deletion-legacy-selector-on-failure",
        spec({"rayClusterSpec": None, "clusterSelector": {"ray.io/cluster": "c"}}),
        deletion(legacy("DeleteSelf", "DeleteWorkers")),
        kind=J,
        error="the ClusterSelector mode doesn't support DeletionStrategy=DeleteWorkers on failure",
    ),
    case(
        "deletion-legacy-delete-workers-autoscaling",
        AUTOSCALING,
        deletion(legacy("DeleteWorkers", "DeleteCluster")),
        kind=J,
        error="DeletionStrategy=DeleteWorkers currently does not support RayCluster with autoscaling enabled",
    ),
    case(
        "deletion-legacy-delete-none-with-shutdown",
        spec({"shutdownAfterJobFinishes": True}),
        deletion(legacy("DeleteCluster", "DeleteNone")),
        kind=J,
        error=(
            "The RayJob spec is invalid: shutdownAfterJobFinshes is set to 'true' while deletion policy is 'DeleteNone'"
        ),
    ),
    case(
        "deletion-rules",
        deletion(
            {
                "deletionRules": [
                    rule("DeleteWorkers", 10, jobStatus="SUCCEEDED"),
                    rule("DeleteCluster", 20, jobStatus="SUCCEEDED"),
                    rule("DeleteSelf", 30, jobStatus="SUCCEEDED"),
                    rule("DeleteNone", 0, jobStatus="SUCCEEDED"),
                    rule("DeleteCluster", 0, jobDeploymentStatus="Failed"),
                ]
            }
        ),
        kind=J,
    ),
    case(
        "deletion-rule-both-statuses",
        deletion({"deletionRules": [rule("DeleteSelf", jobStatus="FAILED", jobDeploymentStatus="Failed")]}),
        kind=J,
        error="deletionRules[0]: cannot set both JobStatus and JobDeploymentStatus at the same time",
    ),
    case(
        "deletion-rule-no-status",
        deletion({"deletionRules": [rule("DeleteSelf")]}),
        kind=J,
        error="deletionRules[0]: exactly one of JobStatus and JobDeploymentStatus must be set",
    ),
    case(
        "deletion-rule-negative-ttl",
        deletion({"deletionRules": [rule("DeleteSelf", -5, jobStatus="FAILED")]}),
        kind=J,
        error="deletionRules[0]: TTLSeconds must be non-negative",
    ),
    case(
        "deletion-rule-selector",
        spec({"rayClusterSpec": None, "clusterSelector": {"ray.io/cluster": "c"}}),
        deletion(
            {
                "deletionRules": [
                    rule("DeleteSelf", jobStatus="FAILED"),
                    rule("DeleteCluster", jobStatus="FAILED"),
                ]
            }
        ),
        kind=J,
        error=("deletionRules[1]: DeletionPolicyType 'DeleteCluster' not supported when ClusterSelector is set"),
    ),
    case(
        "deletion-rule-workers-autoscaling",
        AUTOSCALING,
        deletion({"deletionRules": [rule("DeleteWorkers", jobStatus="FAILED")]}),
        kind=J,
        error="deletionRules[0]: DeletionPolicyType 'DeleteWorkers' not supported with autoscaling enabled",
    ),
    case(
        "deletion-rule-duplicate-job-status",
        deletion(
            {
                "deletionRules": [
                    rule("DeleteSelf", 1, jobStatus="FAILED"),
                    rule("DeleteSelf", 2, jobStatus="FAILED"),
                ]
            }
        ),
        kind=J,
        error="deletionRules[1]: duplicate rule for DeletionPolicyType 'DeleteSelf' and JobStatus 'FAILED'",
    ),
    case(
        "deletion-rule-duplicate-deployment-status",
        deletion(
            {
                "deletionRules": [
                    rule("DeleteCluster", jobDeploymentStatus="Failed"),
                    rule("DeleteCluster", jobDeploymentStatus="Failed"),
                ]
            }
        ),
        kind=J,
        error=(
            "deletionRules[1]: duplicate rule for DeletionPolicyType 'DeleteCluster' and JobDeploymentStatus 'Failed'"
        ),
    ),
    case(
        "deletion-rule-ttl-order",
        deletion(
            {
                "deletionRules": [
                    rule("DeleteSelf", 10, jobStatus="SUCCEEDED"),
                    rule("DeleteCluster", 20, jobStatus="SUCCEEDED"),
                    rule("DeleteWorkers", 30, jobStatus="SUCCEEDED"),
                ]
            }
        ),
        kind=J,
        error=(
            "for JobStatus 'SUCCEEDED': DeleteCluster TTL (20) must be >= DeleteWorkers TTL (30)\nfor "
            "JobStatus 'SUCCEEDED': DeleteSelf TTL (10) must be >= DeleteCluster TTL (20)"
        ),
    ),
    case(
        "deletion-rule-errors-joined",
        deletion(
            {
                "deletionRules": [
                    rule("DeleteSelf"),
                    rule("DeleteCluster", 50, jobDeploymentStatus="Failed"),
                    rule("DeleteSelf", 5, jobDeploymentStatus="Failed"),
                ]
            }
        ),
        kind=J,
        error=(
            "deletionRules[0]: exactly one of JobStatus and JobDeploymentStatus must be set\nfor "
            "JobDeploymentStatus 'Failed': DeleteSelf TTL (5) must be >= DeleteCluster TTL (50)"
        ),
    ),
    # cluster selector
    case(
        "cluster-selector",
        spec({"rayClusterSpec": None, "clusterSelector": {"ray.io/cluster": "shared"}}),
        kind=J,
    ),
    case(
        "cluster-selector-suspend",
        spec({"rayClusterSpec": None, "clusterSelector": {"ray.io/cluster": "c"}}),
        spec({"suspend": True, "shutdownAfterJobFinishes": True}),
        kind=J,
        error="The RayJob spec is invalid: the ClusterSelector mode doesn't support the suspend operation",
    ),
    case(
        "no-cluster",
        spec({"rayClusterSpec": None}),
        kind=J,
        error="The RayJob spec is invalid: one of RayClusterSpec or ClusterSelector must be set",
    ),
    case(
        "cluster-selector-without-name",
        spec({"rayClusterSpec": None, "clusterSelector": {"team": "a"}}),
        kind=J,
        error="cluster name in ClusterSelector should not be empty",
    ),
    case(
        "cluster-selector-sidecar",
        spec(
            {
                "rayClusterSpec": None,
                "clusterSelector": {"ray.io/cluster": "c"},
                "submissionMode": "SidecarMode",
            }
        ),
        kind=J,
        error="ClusterSelector is not supported in SidecarMode",
    ),
    case(
        "cluster-selector-backoff",
        spec({"rayClusterSpec": None, "clusterSelector": {"ray.io/cluster": "c"}, "backoffLimit": 1}),
        kind=J,
        error="The RayJob spec is invalid: BackoffLimit is incompatible with ClusterSelector mode",
    ),
    # submission modes
    case("interactive", spec({"submissionMode": "InteractiveMode", "entrypoint": None}), kind=J),
    case(
        "interactive-backoff",
        spec({"submissionMode": "InteractiveMode", "backoffLimit": 2}),
        kind=J,
        error="The RayJob spec is invalid: BackoffLimit is incompatible with InteractiveMode",
    ),
    case("sidecar", spec({"submissionMode": "SidecarMode"}), head_pod({"restartPolicy": "Never"}), kind=J),
    case(
        "sidecar-submitter-template",
        spec(
            {
                "submissionMode": "SidecarMode",
                "submitterPodTemplate": {"spec": {"containers": [container("s")]}},
            }
        ),
        kind=J,
        error="Currently, SidecarMode doesn't support SubmitterPodTemplate",
    ),
    case(
        "sidecar-submitter-config",
        spec({"submissionMode": "SidecarMode", "submitterConfig": {"backoffLimit": 1}}),
        kind=J,
        error="Currently, SidecarMode doesn't support SubmitterConfig",
    ),
    case(
        "sidecar-head-restart-policy",
        spec({"submissionMode": "SidecarMode"}),
        head_pod({"restartPolicy": "Always"}),
        kind=J,
        error="restartPolicy for head Pod should be Never or unset when using SidecarMode",
    ),
    case(
        "httpmode-submitter-config",
        spec({"submissionMode": "HTTPMode", "submitterConfig": {"backoffLimit": 1}}),
        kind=J,
    ),
    # embedded cluster spec
    case(
        "k8s-token-auth",
        cspec({"authOptions": {"mode": "token", "enableK8sTokenAuth": True}, "rayVersion": "2.55.0"}),
        kind=J,
        error="The RayJob spec is invalid: K8s token auth mode is currently not supported for RayJob",
    ),
    case(
        "cluster-spec-error-prefixed",
        head_pod({"containers": []}),
        kind=J,
        error="The RayJob spec is invalid: headGroupSpec should have at least one container",
    ),
    case(
        "cluster-spec-uses-job-annotations",
        FT_REDIS,
        meta(annotations={"ray.io/ft-enabled": "true"}),
        kind=J,
        error=(
            "The RayJob spec is invalid: ray.io/ft-enabled annotation and GcsFaultToleranceOptions are both "
            "set. Please use only GcsFaultToleranceOptions to configure GCS fault tolerance"
        ),
    ),
    # runtime env and deadlines
    case(
        "runtime-env",
        spec({"runtimeEnvYAML": "pip:\n  - requests==2.26.0\nenv_vars:\n  counter_name: test\n"}),
        kind=J,
    ),
    case(
        "runtime-env-not-a-mapping",
        spec({"runtimeEnvYAML": "invalid_yaml_str"}),
        kind=J,
        error=(
            "failed to unmarshal RuntimeEnvYAML: invalid_yaml_str: error unmarshaling JSON: while decoding "
            "JSON: json: cannot unmarshal string into Go value of type types.RuntimeEnvType"
        ),
    ),
    case(
        "runtime-env-syntax",
        spec({"runtimeEnvYAML": "pip: [requests\n"}),
        kind=J,
        error=(
            "failed to unmarshal RuntimeEnvYAML: pip: [requests\n: error converting YAML to JSON: yaml: line "
            "1: did not find expected ',' or ']'"
        ),
    ),
    case(
        "deadlines",
        spec({"activeDeadlineSeconds": 600, "preRunningDeadlineSeconds": 60, "backoffLimit": 3}),
        kind=J,
    ),
    case(
        "active-deadline-zero",
        spec({"activeDeadlineSeconds": 0}),
        kind=J,
        error="The RayJob spec is invalid: activeDeadlineSeconds must be a positive integer",
    ),
    case(
        "pre-running-deadline-negative",
        spec({"preRunningDeadlineSeconds": -1}),
        kind=J,
        error="The RayJob spec is invalid: preRunningDeadlineSeconds must be a positive integer",
    ),
    case(
        "backoff-negative",
        spec({"backoffLimit": -1}),
        kind=J,
        error="The RayJob spec is invalid: backoffLimit must be a positive integer",
    ),
    # status
    case(
        "waiting-interactive",
        spec({"submissionMode": "InteractiveMode"}),
        status({"jobDeploymentStatus": "Waiting"}),
        kind=J,
    ),
    case(
        "waiting-k8sjobmode",
        status({"jobDeploymentStatus": "Waiting"}),
        kind=J,
        reason="InvalidRayJobStatus",
        error=(
            "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is "
            "not InteractiveMode"
        ),
    ),
]

S = "RayService"
TIMEOUT = "ray.io/initializing-timeout"
RAYSERVICE_CASES = [
    case("valid", kind=S),
    case(
        "name-too-long",
        meta(name="s" * 48),
        kind=S,
        reason="InvalidRayServiceMetadata",
        error="The RayService metadata is invalid: RayService name should be no more than 47 characters",
    ),
    case(
        "name-not-dns1035",
        meta(name="-svc"),
        kind=S,
        reason="InvalidRayServiceMetadata",
        error=(f"The RayService metadata is invalid: RayService name should be a valid DNS1035 label: {DNS1035_ERR}"),
    ),
    *(case(f"timeout-{value}", meta(annotations={TIMEOUT: value}), kind=S) for value in ("5m", "1h30m", "300", "+90")),
    case(
        "timeout-zero-duration",
        meta(annotations={TIMEOUT: "0s"}),
        kind=S,
        reason="InvalidRayServiceMetadata",
        error=(
            "The RayService metadata is invalid: RayService annotations is invalid: annotation "
            "ray.io/initializing-timeout must be a positive duration, got: 0s"
        ),
    ),
    case(
        "timeout-negative-seconds",
        meta(annotations={TIMEOUT: "-5"}),
        kind=S,
        reason="InvalidRayServiceMetadata",
        error=(
            "The RayService metadata is invalid: RayService annotations is invalid: annotation "
            "ray.io/initializing-timeout must be a positive integer (seconds), got: -5"
        ),
    ),
    case(
        "timeout-garbage",
        meta(annotations={TIMEOUT: "5 minutes"}),
        kind=S,
        reason="InvalidRayServiceMetadata",
        error=(
            "The RayService metadata is invalid: RayService annotations is invalid: annotation "
            "ray.io/initializing-timeout has invalid format: 5 minutes. Expected Go duration format (e.g., "
            "'5m', '1h') or positive integer seconds"
        ),
    ),
    case(
        "k8s-token-auth",
        cspec({"authOptions": {"mode": "token", "enableK8sTokenAuth": True}, "rayVersion": "2.55.0"}),
        kind=S,
        error="The RayService spec is invalid: K8s token auth mode is currently not supported for RayService",
    ),
    case(
        "cluster-spec-error-prefixed",
        worker({"minReplicas": 3, "maxReplicas": 2}),
        kind=S,
        error=("The RayService spec is invalid: worker group workers has minReplicas 3 greater than maxReplicas 2"),
    ),
    case("head-service-without-name", head({"headService": {"metadata": {"labels": {"a": "b"}}}}), kind=S),
    case(
        "head-service-name",
        head({"headService": {"metadata": {"name": "my-head"}}}),
        kind=S,
        error=(
            "The RayService spec is invalid: spec.rayClusterConfig.headGroupSpec.headService.metadata.name "
            "should not be set"
        ),
    ),
    case("upgrade-new-cluster", spec({"upgradeStrategy": {"type": "NewCluster"}}), kind=S),
    case(
        "upgrade-invalid-type",
        spec({"upgradeStrategy": {"type": "BlueGreen"}}),
        kind=S,
        error=(
            "The RayService spec is invalid: Spec.UpgradeStrategy.Type value BlueGreen is invalid, valid "
            "options are NewClusterWithIncrementalUpgrade, NewCluster, or None"
        ),
    ),
    case("deletion-delay", spec({"rayClusterDeletionDelaySeconds": 0}), kind=S),
    case(
        "deletion-delay-negative",
        spec({"rayClusterDeletionDelaySeconds": -1}),
        kind=S,
        error=(
            "The RayService spec is invalid: Spec.RayClusterDeletionDelaySeconds should be a non-negative "
            "integer, got -1"
        ),
    ),
    case("incremental", AUTOSCALING, incremental(), kind=S),
    case(
        "incremental-step-equals-surge",
        AUTOSCALING,
        incremental(maxSurgePercent=20, stepSizePercent=20),
        kind=S,
    ),
    case(
        "incremental-gate-off-not-checked",
        spec({"upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade"}}),
        kind=S,
        gates={"RayServiceIncrementalUpgrade": False},
    ),
    case(
        "incremental-without-autoscaler",
        incremental(),
        kind=S,
        error=("The RayService spec is invalid: Ray Autoscaler is required for NewClusterWithIncrementalUpgrade"),
    ),
    case(
        "incremental-without-options",
        AUTOSCALING,
        spec({"upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade"}}),
        kind=S,
        error=(
            "The RayService spec is invalid: ClusterUpgradeOptions are required for NewClusterWithIncrementalUpgrade"
        ),
    ),
    case(
        "incremental-max-surge",
        AUTOSCALING,
        incremental(maxSurgePercent=101),
        kind=S,
        error="The RayService spec is invalid: maxSurgePercent must be between 0 and 100",
    ),
    case(
        "incremental-step-size",
        AUTOSCALING,
        incremental(stepSizePercent=-1),
        kind=S,
        error="The RayService spec is invalid: stepSizePercent must be between 0 and 100",
    ),
    case(
        "incremental-step-above-surge",
        AUTOSCALING,
        incremental(maxSurgePercent=10, stepSizePercent=20),
        kind=S,
        error="The RayService spec is invalid: stepSizePercent must be less than or equal to maxSurgePercent",
    ),
    case(
        "incremental-interval",
        AUTOSCALING,
        incremental(intervalSeconds=0),
        kind=S,
        error="The RayService spec is invalid: intervalSeconds must be greater than 0",
    ),
    case(
        "incremental-gateway-class",
        AUTOSCALING,
        incremental(gatewayClassName=""),
        kind=S,
        error=("The RayService spec is invalid: gatewayClassName is required for NewClusterWithIncrementalUpgrade"),
    ),
]

ALL_CASES = RAYCLUSTER_CASES + RAYJOB_CASES + RAYSERVICE_CASES


@pytest.mark.parametrize(("kind", "muts", "gates", "reason", "message"), ALL_CASES)
def test_rule(
    kind: str, muts: tuple[Mut, ...], gates: dict[str, bool], reason: str | None, message: str | None
) -> None:
    body = build(kind, muts)
    if message is None:
        validate(body, config(gates))
        return
    with pytest.raises(ValidationError) as info:
        validate(body, config(gates))
    assert info.value.message == message
    assert str(info.value) == message
    assert info.value.reason == reason


# --- event notes, requeue, warnings, cert-manager ---------------------------------------------------


@pytest.mark.parametrize(
    ("muts", "note"),
    [
        (
            (meta(name="Bad"),),
            "The RayCluster metadata is invalid default/Bad: RayCluster name should be a valid DNS1035 "
            f"label: {DNS1035_ERR}",
        ),
        (
            (head_pod({"containers": []}),),
            "The RayCluster spec is invalid default/raycluster-sample: headGroupSpec should have at least "
            "one container",
        ),
        (
            (cspec({"upgradeStrategy": {"type": "X"}}),),
            "The RayCluster UpgradeStrategy is invalid default/raycluster-sample: The RayCluster spec is "
            "invalid: Spec.UpgradeStrategy.Type value X is invalid, valid options are Recreate or None",
        ),
        (
            (
                status(
                    {
                        "conditions": [
                            {"type": "RayClusterSuspending", "status": "True"},
                            {"type": "RayClusterSuspended", "status": "True"},
                        ]
                    }
                ),
            ),
            "The RayCluster status is invalid default/raycluster-sample, invalid RayCluster State: "
            "rayv1.RayClusterSuspending and rayv1.RayClusterSuspended conditions should not be both true",
        ),
    ],
    ids=["metadata", "spec", "upgrade-strategy", "status"],
)
def test_raycluster_event_notes(muts: tuple[Mut, ...], note: str) -> None:
    body = build("RayCluster", muts)
    cluster = RayCluster.from_body(body)
    with pytest.raises(ValidationError) as info:
        validate_raycluster(cluster, config())
    assert info.value.event_note(cluster.namespace, cluster.name) == note
    assert info.value.requeue == (info.value.reason == "InvalidRayClusterStatus")


def test_rayjob_and_rayservice_event_notes() -> None:
    job = RayJob.from_body(build("RayJob", (spec({"backoffLimit": -1}),)))
    with pytest.raises(ValidationError) as info:
        validate_rayjob(job, config())
    assert (
        info.value.event_note("ns", "job")
        == "ns/job: The RayJob spec is invalid: backoffLimit must be a positive integer"
    )
    service = RayService.from_body(build("RayService", (spec({"rayClusterDeletionDelaySeconds": -3}),)))
    with pytest.raises(ValidationError) as info:
        validate_rayservice(service, config())
    assert info.value.event_note("ns", "svc") == (
        "ns/svc: The RayService spec is invalid: Spec.RayClusterDeletionDelaySeconds should be a "
        "non-negative integer, got -3"
    )
    assert not info.value.requeue


def test_validate_raycluster_spec_standalone() -> None:
    """The spec validator alone (used for cluster templates) raises the RayCluster spec reason."""
    spec_model = RayCluster.from_body(build("RayCluster", (worker({"minReplicas": -1}),))).spec
    with pytest.raises(ValidationError) as info:
        validate_raycluster_spec(spec_model, {}, config())
    assert info.value.reason == "InvalidRayClusterSpec"
    assert (
        info.value.event_note("a", "b")
        == "The RayCluster spec is invalid a/b: worker group workers has negative minReplicas -1"
    )


def test_tls_requires_cert_manager() -> None:
    cluster = RayCluster.from_body(build("RayCluster", (TLS,)))
    validate_raycluster(cluster, config(TLS_GATE), cert_manager_available=True)
    validate_raycluster(RayCluster.from_body(build("RayCluster", ())), config(TLS_GATE), cert_manager_available=False)
    with pytest.raises(ValidationError) as info:
        validate_raycluster(cluster, config(TLS_GATE), cert_manager_available=False)
    assert info.value.reason == "InvalidRayClusterSpec"
    assert info.value.event_note("default", "c") == (
        "The RayCluster spec is invalid default/c: tlsOptions requires cert-manager, but cert-manager is not installed"
    )


@pytest.mark.parametrize(
    ("muts", "expected"),
    [
        ((), []),
        ((V1,), []),
        ((AUTOSCALING, worker_pod({"restartPolicy": "Always"})), []),
        (
            (
                V1,
                worker_pod({"restartPolicy": "Always"}),
                add_worker("gpu"),
                add_worker("tpu"),
                worker_pod({"restartPolicy": "OnFailure"}, index=2),
                worker_pod({"restartPolicy": "Never"}, index=1),
            ),
            ["restartPolicy for worker groups [workers, tpu] should be Never or unset when using autoscaler V1"],
        ),
    ],
    ids=["no-autoscaler", "v1-clean", "version-unset", "v1-restart-policies"],
)
def test_raycluster_warnings(muts: tuple[Mut, ...], expected: list[str]) -> None:
    cluster = RayCluster.from_body(build("RayCluster", muts))
    validate_raycluster(cluster, config())  # warnings never make the cluster invalid
    assert raycluster_warnings(cluster, config()) == expected
    assert RAYCLUSTER_WARNING_REASON == "InvalidRayClusterSpec"
    assert raycluster_warning_note("ns", "c", "w") == "RayCluster spec warning ns/c: w"


# --- KubeRay-sample-like manifests that must pass ---------------------------------------------------

SAMPLES = yaml.safe_load_all(
    """
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: raycluster-autoscaler-v2}
spec:
  rayVersion: "2.52.0"
  enableInTreeAutoscaling: true
  autoscalerOptions:
    version: v2
    upscalingMode: Default
    idleTimeoutSeconds: 60
    imagePullPolicy: IfNotPresent
    resources: {limits: {cpu: 500m, memory: 512Mi}, requests: {cpu: 500m, memory: 512Mi}}
  headGroupSpec:
    rayStartParams: {num-cpus: "0"}
    template:
      spec:
        restartPolicy: Never
        containers:
          - name: ray-head
            image: rayproject/ray:2.52.0
            ports: [{containerPort: 6379, name: gcs}, {containerPort: 8265, name: dashboard}]
            resources: {limits: {cpu: "1", memory: 2G}, requests: {cpu: "1", memory: 2G}}
  workerGroupSpecs:
    - groupName: small-group
      replicas: 0
      minReplicas: 0
      maxReplicas: 10
      idleTimeoutSeconds: 120
      rayStartParams: {}
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: ray-worker
              image: rayproject/ray:2.52.0
              resources: {limits: {cpu: "1", memory: 1G}, requests: {cpu: "1", memory: 1G}}
---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: raycluster-gpu}
spec:
  rayVersion: "2.52.0"
  headGroupSpec:
    rayStartParams: {num-gpus: "0"}
    template:
      spec:
        containers:
          - name: ray-head
            image: rayproject/ray-ml:2.52.0-gpu
  workerGroupSpecs:
    - groupName: gpu-group
      replicas: 1
      minReplicas: 1
      maxReplicas: 4
      resources: {GPU: "1", accelerator_type:A100: "1"}
      labels: {ray.io/accelerator-type: A100}
      template:
        spec:
          tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
          containers:
            - name: ray-worker
              image: rayproject/ray-ml:2.52.0-gpu
              resources: {limits: {nvidia.com/gpu: 1, cpu: "8", memory: 32Gi}}
---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: raycluster-tpu-multihost}
spec:
  rayVersion: "2.52.0"
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
  workerGroupSpecs:
    - groupName: tpu-group
      replicas: 1
      minReplicas: 0
      maxReplicas: 1
      numOfHosts: 4
      rayStartParams: {}
      template:
        spec:
          nodeSelector:
            cloud.google.com/gke-tpu-accelerator: tpu-v6e-slice
            cloud.google.com/gke-tpu-topology: 4x4
          containers:
            - name: ray-worker
              image: rayproject/ray:2.52.0
              resources: {limits: {google.com/tpu: "4"}, requests: {google.com/tpu: "4"}}
---
apiVersion: ray.io/v1
kind: RayCluster
metadata:
  name: raycluster-external-redis
  annotations: {ray.io/ft-enabled: "true"}
spec:
  rayVersion: "2.52.0"
  headGroupSpec:
    rayStartParams:
      num-cpus: "0"
      redis-password: $REDIS_PASSWORD
    template:
      spec:
        containers:
          - name: ray-head
            image: rayproject/ray:2.52.0
            env:
              - {name: RAY_REDIS_ADDRESS, value: "redis:6379"}
              - name: REDIS_PASSWORD
                valueFrom: {secretKeyRef: {name: redis-password-secret, key: password}}
  workerGroupSpecs:
    - groupName: small-group
      replicas: 1
      minReplicas: 1
      maxReplicas: 10
      rayStartParams: {}
      template:
        spec:
          containers: [{name: ray-worker, image: rayproject/ray:2.52.0}]
---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: raycluster-gcs-ft}
spec:
  rayVersion: "2.52.0"
  gcsFaultToleranceOptions:
    redisAddress: "redis:6379"
    redisPassword:
      valueFrom: {secretKeyRef: {name: redis-password-secret, key: password}}
    externalStorageNamespace: my-ns
  headGroupSpec:
    rayStartParams: {}
    template:
      spec:
        containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
---
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: rayjob-sample}
spec:
  entrypoint: python /home/ray/samples/sample_code.py
  runtimeEnvYAML: |
    pip:
      - requests==2.26.0
      - pendulum==2.1.2
    env_vars:
      counter_name: "test_counter"
  shutdownAfterJobFinishes: true
  ttlSecondsAfterFinished: 10
  rayClusterSpec:
    rayVersion: "2.52.0"
    headGroupSpec:
      rayStartParams: {}
      template:
        spec:
          containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
    workerGroupSpecs:
      - groupName: small-group
        replicas: 1
        minReplicas: 1
        maxReplicas: 5
        rayStartParams: {}
        template:
          spec:
            containers: [{name: ray-worker, image: rayproject/ray:2.52.0}]
  submitterPodTemplate:
    spec:
      restartPolicy: Never
      containers: [{name: my-custom-rayjob-submitter, image: rayproject/ray:2.52.0}]
---
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: rayjob-http}
spec:
  submissionMode: HTTPMode
  entrypoint: python -c "import ray; ray.init()"
  entrypointNumCpus: 1
  activeDeadlineSeconds: 3600
  backoffLimit: 2
  rayClusterSpec:
    headGroupSpec:
      rayStartParams: {}
      template:
        spec:
          containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
---
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: rayjob-interactive}
spec:
  submissionMode: InteractiveMode
  rayClusterSpec:
    headGroupSpec:
      rayStartParams: {}
      template:
        spec:
          containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
status:
  jobDeploymentStatus: Waiting
---
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: rayjob-sidecar}
spec:
  submissionMode: SidecarMode
  entrypoint: python -c "print(1)"
  deletionStrategy:
    deletionRules:
      - policy: DeleteWorkers
        condition: {jobStatus: SUCCEEDED, ttlSeconds: 10}
      - policy: DeleteCluster
        condition: {jobStatus: SUCCEEDED, ttlSeconds: 60}
      - policy: DeleteSelf
        condition: {jobStatus: FAILED, ttlSeconds: 300}
  rayClusterSpec:
    headGroupSpec:
      rayStartParams: {}
      template:
        spec:
          containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
    workerGroupSpecs:
      - groupName: workers
        replicas: 1
        minReplicas: 1
        maxReplicas: 1
        template:
          spec:
            containers: [{name: ray-worker, image: rayproject/ray:2.52.0}]
---
apiVersion: ray.io/v1
kind: RayJob
metadata: {name: rayjob-use-existing-raycluster}
spec:
  entrypoint: python -c "print(1)"
  clusterSelector: {ray.io/cluster: raycluster-kuberay}
  deletionStrategy:
    onSuccess: {policy: DeleteSelf}
    onFailure: {policy: DeleteNone}
---
apiVersion: ray.io/v1
kind: RayService
metadata:
  name: rayservice-sample
  annotations: {ray.io/initializing-timeout: 10m}
spec:
  serveConfigV2: |
    applications:
      - name: fruit_app
        import_path: fruit.deployment_graph
        route_prefix: /fruit
  rayClusterConfig:
    rayVersion: "2.52.0"
    enableInTreeAutoscaling: true
    headGroupSpec:
      rayStartParams: {num-cpus: "0"}
      template:
        spec:
          containers: [{name: ray-head, image: rayproject/ray:2.52.0}]
    workerGroupSpecs:
      - groupName: small-group
        replicas: 1
        minReplicas: 1
        maxReplicas: 5
        rayStartParams: {}
        template:
          spec:
            containers: [{name: ray-worker, image: rayproject/ray:2.52.0}]
  upgradeStrategy:
    type: NewClusterWithIncrementalUpgrade
    clusterUpgradeOptions: {gatewayClassName: istio, stepSizePercent: 10, intervalSeconds: 30}
"""
)
SAMPLE_BODIES = list(SAMPLES)


@pytest.mark.parametrize("body", SAMPLE_BODIES, ids=[b["metadata"]["name"] for b in SAMPLE_BODIES])
def test_kuberay_like_samples_are_valid(body: Body) -> None:
    body = {**body, "metadata": {**body["metadata"], "namespace": "default"}}
    validate(body, config())
    if body["kind"] == "RayCluster":
        assert raycluster_warnings(RayCluster.from_body(body), config()) == []


def _example_objects() -> list[Any]:
    params = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("apiVersion") == "ray.io/v1":
                params.append(pytest.param(doc, id=f"{path.stem}:{doc['metadata']['name']}"))
    return params


@pytest.mark.parametrize("body", _example_objects())
def test_repository_examples_are_valid(body: Body) -> None:
    """Our shipped examples must pass KubeRay's checks with the default feature gates."""
    validate(body, config())
