"""Objects of GCS fault tolerance: the Redis cleanup Job and the embedded store's PVC.

With Redis-backed GCS fault tolerance the cluster's metadata outlives the Pods, so KubeRay holds
the RayCluster with the finalizer ``ray.io/gcs-ft-redis-cleanup-finalizer`` until the cleanup Job
ran. The Job reuses the head Pod (same image, env and Redis credentials) but only runs a Python
one-liner. The RocksDB backend instead keeps GCS data on a PersistentVolumeClaim.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders import features, names
from ray_operator.builders.containers import append_env, env_var, fixed_resources, has_env
from ray_operator.builders.pods import build_head_pod
from ray_operator.builders.raystart import bash_command
from ray_operator.config import OperatorConfig
from ray_operator.goparse import parse_go_int
from ray_operator.models import RayCluster
from ray_operator.quantity import Quantity, parse_quantity

DEFAULT_DELETION_TIMEOUT_SECONDS: Final = 300
_DOCS_HINT: Final = (
    'echo "To get more information about manually deleting the storage namespace in Redis and removing the '
    "RayCluster's finalizer, please check https://docs.ray.io/en/master/cluster/kubernetes/user-guides/"
    'kuberay-gcs-ft.html for more details." && '
)
_SCRIPT_PREFIX: Final = (
    'python -c "from ray._private.gcs_utils import cleanup_redis_storage; '
    "from urllib.parse import urlparse; "
    "import os; "
    "import sys; "
    "redis_address = os.getenv('RAY_REDIS_ADDRESS', '').split(',')[0]; "
    "redis_address = redis_address if '://' in redis_address else 'redis://' + redis_address; "
    "parsed = urlparse(redis_address); "
)


def needs_redis_cleanup(cluster: RayCluster, config: OperatorConfig) -> bool:
    """Whether the cleanup finalizer applies: Redis-backed GCS FT and cleanup not disabled."""
    return (
        config.enable_gcs_ft_redis_cleanup
        and features.gcs_ft_enabled(cluster.spec, cluster.annotations)
        and features.gcs_ft_backend(cluster.spec) == features.GCS_FT_BACKEND_REDIS
    )


def deletion_timeout_seconds(cluster: RayCluster) -> int:
    """Annotation ``ray.io/gcs-ft-deletion-timeout`` (positive integer seconds, Go ``strconv.Atoi``), else 300."""
    value = parse_go_int(cluster.annotations.get(names.ANNOTATION_GCS_FT_DELETION_TIMEOUT, ""))
    return value if value is not None and value > 0 else DEFAULT_DELETION_TIMEOUT_SECONDS


def cleanup_script(*, with_username: bool) -> str:
    """Shell command calling Ray's ``cleanup_redis_storage`` for the cluster's storage namespace."""
    username = "username=os.getenv('REDIS_USERNAME', parsed.username), " if with_username else ""
    call = (
        "sys.exit(1) if not cleanup_redis_storage(host=parsed.hostname, port=parsed.port, "
        f"{username}password=os.getenv('REDIS_PASSWORD', parsed.password or ''), "
        "use_ssl=parsed.scheme=='rediss', storage_namespace=os.getenv('RAY_external_storage_namespace')) "
        'else None"'
    )
    return _DOCS_HINT + _SCRIPT_PREFIX + call


def build_redis_cleanup_job(cluster: RayCluster, config: OperatorConfig) -> dict[str, Any]:
    """``<cluster>-redis-cleanup`` Job (best effort: no retries, 5 minutes at most)."""
    pod = build_head_pod(cluster, config, upgrade_annotations=False)
    metadata, spec = pod["metadata"], pod["spec"]
    metadata["labels"][names.LABEL_NODE_TYPE] = names.NODE_TYPE_REDIS_CLEANUP
    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    spec["containers"] = [ray]
    ray["command"] = bash_command(login_shell=config.enable_login_shell)
    ray["args"] = [cleanup_script(with_username=has_env(ray, "REDIS_USERNAME"))]
    ray.pop("livenessProbe", None)
    ray.pop("readinessProbe", None)
    append_env(
        ray,
        env_var("RAY_redis_db_connect_retries", "120"),
        env_var("RAY_redis_db_connect_wait_milliseconds", "500"),
    )
    ray["resources"] = fixed_resources("200m", "256Mi")
    spec["restartPolicy"] = "Never"

    job_metadata = names.child_metadata(cluster, names.redis_cleanup_job_name(cluster.name), metadata["labels"])
    if metadata.get("annotations"):
        job_metadata["annotations"] = dict(metadata["annotations"])
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": job_metadata,
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": 300,
            "template": {"metadata": copy.deepcopy(metadata), "spec": spec},
        },
    }


def cleanup_job_lookup_labels(cluster: RayCluster) -> dict[str, str]:
    """Label selector of the cleanup Jobs of a cluster."""
    return {names.LABEL_CLUSTER: cluster.name, names.LABEL_NODE_TYPE: names.NODE_TYPE_REDIS_CLEANUP}


def job_finished(job: Mapping[str, Any]) -> str | None:
    """``Complete`` or ``Failed`` once the Job is over (``FailureTarget`` counts as failed), else ``None``."""
    for condition in (job.get("status") or {}).get("conditions") or ():
        if condition.get("status") != "True":
            continue
        if condition.get("type") == "Complete":
            return "Complete"
        if condition.get("type") in ("Failed", "FailureTarget"):
            return "Failed"
    return None


# --- embedded (RocksDB) GCS storage ---------------------------------------------------------------


def gcs_storage_pvc_wanted(cluster: RayCluster) -> bool:
    """RocksDB-backed GCS FT without a user-provided claim: the operator manages the PVC."""
    if not features.gcs_ft_embedded(cluster.spec):
        return False
    options = cluster.spec.gcs_fault_tolerance_options
    storage = options.storage if options is not None else None
    return not (storage is not None and storage.claim_name)


def gcs_storage_retained(cluster: RayCluster) -> bool:
    """``storage.deletionPolicy: Retain``: the PVC must not be owned by (deleted with) the cluster."""
    options = cluster.spec.gcs_fault_tolerance_options
    storage = options.storage if options is not None else None
    return storage is not None and storage.deletion_policy == "Retain"


def build_gcs_storage_pvc(cluster: RayCluster) -> dict[str, Any]:
    """``<cluster>-gcs-pvc`` (1Gi ReadWriteOnce unless configured), owned unless retained."""
    options = cluster.spec.gcs_fault_tolerance_options
    storage = options.storage if options is not None else None
    claim = storage.claim_name if storage is not None else None
    spec: dict[str, Any] = {
        "accessModes": list(storage.access_modes)
        if storage is not None and storage.access_modes
        else ["ReadWriteOnce"],
        "resources": {"requests": {"storage": storage.size if storage is not None and storage.size else "1Gi"}},
    }
    if storage is not None and storage.storage_class_name is not None:
        spec["storageClassName"] = storage.storage_class_name
    metadata = names.child_metadata(
        cluster,
        names.gcs_storage_pvc_name(cluster.name, claim),
        {names.LABEL_CLUSTER: cluster.name},
        owned=not gcs_storage_retained(cluster),
    )
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": metadata, "spec": spec}


def gcs_storage_pvc_drift(desired: Mapping[str, Any], existing: Mapping[str, Any]) -> str:
    """What an existing PVC cannot be changed to (size, class, access modes); ``""`` when in sync."""
    diffs: list[str] = []
    want_spec, have_spec = desired.get("spec") or {}, existing.get("spec") or {}
    want = parse_quantity(((want_spec.get("resources") or {}).get("requests") or {}).get("storage"))
    have = parse_quantity(((have_spec.get("resources") or {}).get("requests") or {}).get("storage"))
    want_q, have_q = want or Quantity.zero(), have or Quantity.zero()
    if want_q.value != have_q.value:
        diffs.append(f"requested size {want_q} != current {have_q}")
    want_class = want_spec.get("storageClassName")
    if want_class is not None and want_class != have_spec.get("storageClassName"):
        have_class = have_spec.get("storageClassName")
        diffs.append(
            f"storageClassName {want_class} != current {have_class if have_class is not None else '<default>'}"
        )
    want_modes, have_modes = list(want_spec.get("accessModes") or []), list(have_spec.get("accessModes") or [])
    if sorted(want_modes) != sorted(have_modes):
        diffs.append(f"accessModes [{' '.join(want_modes)}] != current [{' '.join(have_modes)}]")
    return "; ".join(diffs)
