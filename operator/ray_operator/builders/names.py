"""Names, label keys and well-known values shared by every object the operator creates.

All strings here are part of the compatibility contract with KubeRay: selectors, the Ray autoscaler,
dashboards and users' scripts look objects up by them, so they must never change.
"""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ray_operator.models import RayCluster

# --- label keys -----------------------------------------------------------------------------------
LABEL_CLUSTER: Final = "ray.io/cluster"
LABEL_NODE_TYPE: Final = "ray.io/node-type"
LABEL_GROUP: Final = "ray.io/group"
LABEL_IS_RAY_NODE: Final = "ray.io/is-ray-node"
LABEL_IDENTIFIER: Final = "ray.io/identifier"
LABEL_SERVE: Final = "ray.io/serve"
LABEL_HEADLESS_WORKER_SVC: Final = "ray.io/headless-worker-svc"
LABEL_ORIGINATED_FROM_CR_NAME: Final = "ray.io/originated-from-cr-name"
LABEL_ORIGINATED_FROM_CRD: Final = "ray.io/originated-from-crd"
LABEL_REPLICA_NAME: Final = "ray.io/worker-group-replica-name"
LABEL_REPLICA_INDEX: Final = "ray.io/worker-group-replica-index"
LABEL_HOST_INDEX: Final = "ray.io/replica-host-index"
LABEL_APP_NAME: Final = "app.kubernetes.io/name"
LABEL_CREATED_BY: Final = "app.kubernetes.io/created-by"

APP_NAME: Final = "kuberay"
CREATED_BY: Final = "kuberay-operator"

# --- annotation keys ------------------------------------------------------------------------------
ANNOTATION_FT_ENABLED: Final = "ray.io/ft-enabled"
ANNOTATION_EXTERNAL_STORAGE_NAMESPACE: Final = "ray.io/external-storage-namespace"
ANNOTATION_GCS_FT_DELETION_TIMEOUT: Final = "ray.io/gcs-ft-deletion-timeout"
ANNOTATION_OVERWRITE_CONTAINER_CMD: Final = "ray.io/overwrite-container-cmd"
ANNOTATION_ENABLE_SERVE_SERVICE: Final = "ray.io/enable-serve-service"
ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART: Final = "ray.io/disable-provisioned-head-restart"
ANNOTATION_RECREATE_HASH: Final = "ray.io/upgrade-strategy-recreate-hash"
ANNOTATION_KUBERAY_VERSION: Final = "ray.io/kuberay-version"
ANNOTATION_INGRESS_CLASS: Final = "kubernetes.io/ingress.class"

FINALIZER_GCS_FT_REDIS_CLEANUP: Final = "ray.io/gcs-ft-redis-cleanup-finalizer"

# --- node types, group names, CRD kinds -----------------------------------------------------------
NODE_TYPE_HEAD: Final = "head"
NODE_TYPE_WORKER: Final = "worker"
NODE_TYPE_REDIS_CLEANUP: Final = "redis-cleanup"
HEAD_GROUP_NAME: Final = "headgroup"

CRD_RAYCLUSTER: Final = "RayCluster"
CRD_RAYJOB: Final = "RayJob"
CRD_RAYSERVICE: Final = "RayService"

API_VERSION: Final = "ray.io/v1"
KIND: Final = "RayCluster"

# --- ports ----------------------------------------------------------------------------------------
PORT_CLIENT: Final = 10001
PORT_GCS: Final = 6379
PORT_DASHBOARD: Final = 8265
PORT_METRICS: Final = 8080
PORT_DASHBOARD_AGENT: Final = 52365
PORT_SERVE: Final = 8000
PORT_NAME_CLIENT: Final = "client"
PORT_NAME_GCS: Final = "gcs-server"
PORT_NAME_DASHBOARD: Final = "dashboard"
PORT_NAME_METRICS: Final = "metrics"
PORT_NAME_SERVE: Final = "serve"

#: The Ray container is always the first container of a Ray Pod.
RAY_CONTAINER_INDEX: Final = 0
AUTOSCALER_CONTAINER_NAME: Final = "autoscaler"
WAIT_GCS_READY_CONTAINER_NAME: Final = "wait-gcs-ready"
COLLECTOR_CONTAINER_NAME: Final = "ray-history-collector"

_MAX_NAME_LENGTH = 50  # 63 minus "-worker-" and the 5 random characters of generateName
_MAX_LABEL_LENGTH = 63


def _is_go_punct(char: str) -> bool:
    """Go's ``unicode.IsPunct`` (Unicode categories P*): ``-._`` are, ``$+<=>^|~`` are not."""
    return unicodedata.category(char).startswith("P")


def check_name(name: str) -> str:
    """KubeRay's ``CheckName``: keep the LAST 50 characters, then never start with a digit or punctuation."""
    if len(name) > _MAX_NAME_LENGTH:
        name = name[len(name) - _MAX_NAME_LENGTH :]
    if name and name[0] in "0123456789":
        name = "r" + name[1:]
    if name and _is_go_punct(name[0]):
        name = "r" + name[1:]
    return name


def check_label(value: str) -> str:
    """KubeRay's ``CheckLabel``: keep the LAST 63 characters, then never start with punctuation."""
    if len(value) > _MAX_LABEL_LENGTH:
        value = value[len(value) - _MAX_LABEL_LENGTH :]
    if value and _is_go_punct(value[0]):
        value = "r" + value[1:]
    return value


def identifier(cluster_name: str, node_type: str) -> str:
    """Value of ``ray.io/identifier``: ``<cluster>-head`` / ``<cluster>-worker`` (63-char safe)."""
    return check_label(f"{cluster_name}-{node_type}")


def pod_name_prefix(prefix: str, node_type: str, *, generate: bool = True) -> str:
    """``<first 50 chars of prefix>-<type>-`` (a generateName), or without the dash as a fixed name."""
    result = f"{prefix[:_MAX_NAME_LENGTH]}-{node_type}".lower()
    return result + "-" if generate else result


def head_pod_generate_name(cluster_name: str) -> str:
    """``generateName`` of the head Pod, e.g. ``raycluster-kuberay-head-``."""
    return pod_name_prefix(cluster_name, NODE_TYPE_HEAD)


def head_pod_fixed_name(cluster_name: str) -> str:
    """Head Pod name when ``ENABLE_DETERMINISTIC_HEAD_POD_NAME`` is on, e.g. ``raycluster-kuberay-head``."""
    return pod_name_prefix(cluster_name, NODE_TYPE_HEAD, generate=False)


def worker_pod_generate_name(cluster_name: str, group_name: str) -> str:
    """``generateName`` of worker Pods, e.g. ``raycluster-kuberay-small-group-worker-``."""
    return pod_name_prefix(f"{cluster_name}-{group_name}", NODE_TYPE_WORKER)


def head_service_name(cluster_name: str, head_service: Mapping[str, Any] | None = None) -> str:
    """``<cluster>-head-svc``, unless the custom ``headGroupSpec.headService`` carries a name."""
    custom = ((head_service or {}).get("metadata") or {}).get("name")
    return str(custom) if custom else f"{cluster_name}-head-svc"


def head_service_fqdn(service_name: str, namespace: str, cluster_domain: str) -> str:
    """``<svc>.<ns>.svc.<domain>``: how workers and clients reach the head (``FQ_RAY_IP``)."""
    return f"{service_name}.{namespace}.svc.{cluster_domain or 'cluster.local'}"


def ray_ip_from_fqdn(fqdn: str) -> str:
    """The deprecated ``RAY_IP``: first DNS label of the FQDN."""
    return fqdn.split(".")[0]


def serve_service_name(owner_name: str) -> str:
    """``<owner>-serve-svc``."""
    return f"{owner_name}-serve-svc"


def serve_service_label(owner_name: str) -> str:
    """Value of ``ray.io/serve`` on serve Services: ``<owner>-serve``."""
    return f"{owner_name}-serve"


def headless_worker_service_name(cluster_name: str) -> str:
    """``<cluster>-headless``: peer discovery for multi-host worker groups."""
    return f"{cluster_name}-headless"


def ingress_name(cluster_name: str) -> str:
    """``CheckName(<cluster>-head-ingress)``."""
    return check_name(f"{cluster_name}-head-ingress")


def redis_cleanup_job_name(cluster_name: str) -> str:
    """``CheckLabel(<cluster>-redis-cleanup)``."""
    return check_label(f"{cluster_name}-redis-cleanup")


def autoscaler_service_account_name(cluster_name: str, head_template: Mapping[str, Any]) -> str:
    """Head template ``serviceAccountName`` if set, else the cluster name (before CheckName)."""
    spec = head_template.get("spec") or {}
    return str(spec.get("serviceAccountName") or cluster_name)


def auth_secret_name(cluster_name: str, secret_name: str | None) -> str:
    """Secret holding ``auth_token``: the user's ``authOptions.secretName`` or ``CheckName(<cluster>)``."""
    return secret_name or check_name(cluster_name)


def gcs_storage_pvc_name(cluster_name: str, claim_name: str | None) -> str:
    """PVC of the embedded RocksDB GCS store: the user's claim or ``<cluster>-gcs-pvc``."""
    return claim_name or f"{cluster_name}-gcs-pvc"


def head_port(head_ray_start_params: Mapping[str, str]) -> str:
    """GCS port workers connect to: head ``rayStartParams["port"]`` or ``6379`` (kept as a string)."""
    return head_ray_start_params["port"] if "port" in head_ray_start_params else str(PORT_GCS)


def creator_crd(cluster_labels: Mapping[str, str]) -> str:
    """Kind that created the cluster (label ``ray.io/originated-from-crd``), ``RayCluster`` by default."""
    value = cluster_labels.get(LABEL_ORIGINATED_FROM_CRD, "")
    return value if value in (CRD_RAYCLUSTER, CRD_RAYJOB, CRD_RAYSERVICE) else CRD_RAYCLUSTER


def container_port(container: Mapping[str, Any], port_name: str, default: int) -> int:
    """``containerPort`` of the first port called ``port_name``, else ``default``."""
    for port in container.get("ports") or ():
        if port.get("name") == port_name:
            return int(port.get("containerPort") or 0)
    return default


#: Alphabet of Kubernetes' ``rand.String`` (no vowels, no look-alike characters).
RANDOM_ALPHABET: Final = "bcdfghjklmnpqrstvwxz2456789"


def random_suffix(length: int = 5) -> str:
    """Random characters as in Kubernetes-generated names (not derived from any input)."""
    return "".join(secrets.choice(RANDOM_ALPHABET) for _ in range(length))


def named_after(owner: str, name: str) -> bool:
    """Whether ``name`` is ``<owner>-<suffix>``, as the clusters a RayJob or RayService creates
    are; a prefix test would also claim the clusters of ``<owner>2`` or ``<owner>-b``."""
    return name.rpartition("-")[0] == owner


def worker_replica_name(group_name: str) -> str:
    """Name shared by the hosts of one multi-host replica: ``<group>-<5 random chars>``."""
    return f"{group_name}-{random_suffix()}"


def controller_reference(cluster_name: str, cluster_uid: str) -> dict[str, Any]:
    """ownerReference making the RayCluster the controller of a child (garbage-collected with it)."""
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "name": cluster_name,
        "uid": cluster_uid,
        "controller": True,
        "blockOwnerDeletion": True,
    }


def owner_references(cluster: RayCluster) -> list[dict[str, Any]]:
    """``ownerReferences`` of a child the RayCluster controls."""
    return [controller_reference(cluster.name, cluster.uid)]


def child_metadata(cluster: RayCluster, name: str, labels: Mapping[str, str], *, owned: bool = True) -> dict[str, Any]:
    """``metadata`` of a child object: name, the cluster's namespace, labels and (unless
    ``owned=False``) the cluster as controlling owner, so it is garbage-collected with it."""
    metadata: dict[str, Any] = {"name": name, "namespace": cluster.namespace, "labels": dict(labels)}
    if owned:
        metadata["ownerReferences"] = owner_references(cluster)
    return metadata


def owner_controller_reference(owner: Mapping[str, Any], kind: str) -> dict[str, Any]:
    """Controller ownerReference to a ``ray.io/v1`` object of ``kind`` (RayJob, RayService)."""
    meta = owner.get("metadata") or {}
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "name": meta.get("name") or "",
        "uid": meta.get("uid") or "",
        "controller": True,
        "blockOwnerDeletion": True,
    }


def originated_from(owner_name: str, crd: str) -> dict[str, str]:
    """``ray.io/originated-from-cr-name`` and ``ray.io/originated-from-crd`` of an owner's children."""
    return {LABEL_ORIGINATED_FROM_CR_NAME: owner_name, LABEL_ORIGINATED_FROM_CRD: crd}
