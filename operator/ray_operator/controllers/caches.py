"""What each watched kind looks like in our caches: server-side selector, slim shape, indexes.

Only Ray's own objects are watched where a label says so (KubeRay narrows its cache the same
way for Pods and Jobs), and every cached object is cut down to the fields decisions read, so
memory grows with Ray pods, not with the size of the Kubernetes cluster. Secrets are cached
without their data: a token is read with one GET when it is needed.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import Any

from ray_operator.builders import names
from ray_operator.framework import k8s
from ray_operator.framework.informer import (
    OWNER_INDEX,
    Body,
    InformerSpec,
    controller_owner_index,
    label_index,
    without_managed_fields,
)

#: Only Ray's own pods are watched and cached.
RAY_POD_SELECTOR = "ray.io/node-type in (head,worker,redis-cleanup)"
#: Jobs the operator creates (submitter, Redis cleanup) carry KubeRay's creator label.
OPERATOR_JOB_SELECTOR = f"{names.LABEL_CREATED_BY}={names.CREATED_BY}"
#: Children of a RayCluster that carry its name (token Secret, GCS PVC, Ingress, autoscaler RBAC).
CLUSTER_CHILD_SELECTOR = names.LABEL_CLUSTER

#: Index name: objects by ``(namespace, ray.io/cluster label)``.
BY_CLUSTER = "cluster"
#: Index name: EndpointSlices by ``(namespace, kubernetes.io/service-name label)``.
BY_SERVICE = "service"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
#: Index name: objects by ``(namespace, ray.io/originated-from-crd, ray.io/originated-from-cr-name)``
#: (what KubeRay lists a RayService's clusters and Services by).
BY_ORIGIN = "origin"

_KEPT_ANNOTATION_PREFIX = "ray.io/"
# A terminated state is kept whole: KubeRay prints it in the events about deleting the pod.
_STATE_FIELDS = {
    "waiting": ("reason", "message"),
    "running": (),
    "terminated": ("exitCode", "signal", "reason", "message", "startedAt", "finishedAt", "containerID"),
}


def _slim_meta(meta: Mapping[str, Any], *, annotations: bool = True) -> dict[str, Any]:
    slim: dict[str, Any] = {
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "uid": meta.get("uid", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
        "creationTimestamp": meta.get("creationTimestamp", ""),
        "labels": dict(meta.get("labels") or {}),
    }
    if annotations:
        slim["annotations"] = dict(meta.get("annotations") or {})
    for key in ("deletionTimestamp", "ownerReferences", "generation"):
        if meta.get(key):
            slim[key] = meta[key]
    return slim


def _slim_state(state: Mapping[str, Any] | None) -> dict[str, Any]:
    slim: dict[str, Any] = {}
    for kind in ("waiting", "terminated", "running"):
        if kind in (state or {}):
            detail = (state or {})[kind] or {}
            slim[kind] = {k: detail[k] for k in _STATE_FIELDS[kind] if k in detail}
    return slim


def slim_pod(body: Mapping[str, Any]) -> dict[str, Any]:
    """A Pod reduced to what reconcile and status decisions read, in the Pod's own shape.

    Keeping the shape means functions written for Pods (``should_delete_pod`` ...) work on both.
    """
    meta = body.get("metadata") or {}
    spec = body.get("spec") or {}
    status = body.get("status") or {}
    containers = spec.get("containers") or [{}]
    slim_meta: dict[str, Any] = {
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "uid": meta.get("uid", ""),
        "resourceVersion": meta.get("resourceVersion", ""),
        "creationTimestamp": meta.get("creationTimestamp", ""),
        "labels": dict(meta.get("labels") or {}),
        "annotations": {
            k: v for k, v in (meta.get("annotations") or {}).items() if k.startswith(_KEPT_ANNOTATION_PREFIX)
        },
    }
    if meta.get("deletionTimestamp"):
        slim_meta["deletionTimestamp"] = meta["deletionTimestamp"]
    conditions = [
        {k: c[k] for k in ("type", "status", "reason", "message") if c.get(k)}
        for c in status.get("conditions") or []
        if c.get("type") == "Ready"
    ]
    container_statuses = []
    for cs in status.get("containerStatuses") or []:
        slim_cs: dict[str, Any] = {
            "name": cs.get("name", ""),
            "ready": bool(cs.get("ready")),
            "state": _slim_state(cs.get("state")),
        }
        if cs.get("restartCount"):  # the SidecarMode submitter's restarts (gate SidecarSubmitterRestart)
            slim_cs["restartCount"] = cs["restartCount"]
        if (cs.get("lastState") or {}).get("terminated"):
            slim_cs["lastState"] = _slim_state({"terminated": cs["lastState"]["terminated"]})
        container_statuses.append(slim_cs)
    slim_status: dict[str, Any] = {"phase": status.get("phase", "")}
    for key in ("reason", "message", "podIP"):
        if status.get(key):
            slim_status[key] = status[key]
    if conditions:
        slim_status["conditions"] = conditions
    if container_statuses:
        slim_status["containerStatuses"] = container_statuses
    slim_spec: dict[str, Any] = {
        "restartPolicy": spec.get("restartPolicy", ""),
        "containers": [{"name": c.get("name", "")} for c in containers],
    }
    return {"metadata": slim_meta, "spec": slim_spec, "status": slim_status}


def slim_service(body: Mapping[str, Any]) -> Body:
    """Services: metadata and spec (selector, ports, clusterIP) — what the switch rule compares."""
    return {
        "apiVersion": body.get("apiVersion", "v1"),
        "kind": body.get("kind", "Service"),
        "metadata": _slim_meta(body.get("metadata") or {}),
        "spec": dict(body.get("spec") or {}),
    }


def slim_metadata_only(body: Mapping[str, Any]) -> Body:
    """Existence is all we read (Secrets: never cache their data; RBAC objects are create-only)."""
    return {
        "apiVersion": body.get("apiVersion", ""),
        "kind": body.get("kind", ""),
        "metadata": _slim_meta(body.get("metadata") or {}, annotations=False),
    }


def slim_job(body: Mapping[str, Any]) -> Body:
    """Jobs: metadata and status (conditions, completion); the pod template is dropped."""
    spec = {k: v for k, v in (body.get("spec") or {}).items() if k != "template"}
    return {
        "apiVersion": body.get("apiVersion", "batch/v1"),
        "kind": body.get("kind", "Job"),
        "metadata": _slim_meta(body.get("metadata") or {}),
        "spec": spec,
        "status": dict(body.get("status") or {}),
    }


def slim_endpoint_slice(body: Mapping[str, Any]) -> Body:
    """EndpointSlices: which Pods (by uid) are ready behind which Service."""
    endpoints = []
    for endpoint in body.get("endpoints") or ():
        ready = (endpoint.get("conditions") or {}).get("ready")
        ref = endpoint.get("targetRef") or {}
        endpoints.append(
            {"conditions": {"ready": ready}, "targetRef": {"uid": ref.get("uid", ""), "kind": ref.get("kind", "")}}
        )
    return {
        "apiVersion": body.get("apiVersion", "discovery.k8s.io/v1"),
        "kind": body.get("kind", "EndpointSlice"),
        "metadata": _slim_meta(body.get("metadata") or {}, annotations=False),
        "endpoints": endpoints,
    }


def _cluster_index(body: Mapping[str, Any]) -> Iterable[Hashable]:
    return label_index(names.LABEL_CLUSTER)(body)


def _origin_index(body: Mapping[str, Any]) -> Iterable[Hashable]:
    meta = body.get("metadata") or {}
    labels = meta.get("labels") or {}
    crd, name = labels.get(names.LABEL_ORIGINATED_FROM_CRD), labels.get(names.LABEL_ORIGINATED_FROM_CR_NAME)
    return [(str(meta.get("namespace") or ""), str(crd), str(name))] if crd and name else []


def _owner_and_cluster() -> dict[str, Any]:
    return {OWNER_INDEX: controller_owner_index, BY_CLUSTER: _cluster_index, BY_ORIGIN: _origin_index}


#: Every kind any controller watches, and how it is cached.
INFORMER_SPECS: dict[k8s.Resource, InformerSpec] = {
    spec.resource: spec
    for spec in (
        InformerSpec(k8s.RAYCLUSTERS, slim=without_managed_fields, indexes={BY_ORIGIN: _origin_index}),
        InformerSpec(k8s.RAYJOBS, slim=without_managed_fields),
        InformerSpec(k8s.RAYSERVICES, slim=without_managed_fields),
        InformerSpec(k8s.PODS, label_selector=RAY_POD_SELECTOR, slim=slim_pod, indexes={BY_CLUSTER: _cluster_index}),
        InformerSpec(k8s.SERVICES, slim=slim_service, indexes=_owner_and_cluster()),
        InformerSpec(k8s.SECRETS, label_selector=CLUSTER_CHILD_SELECTOR, slim=slim_metadata_only),
        InformerSpec(k8s.PVCS, label_selector=CLUSTER_CHILD_SELECTOR, slim=without_managed_fields),
        InformerSpec(k8s.INGRESSES, label_selector=CLUSTER_CHILD_SELECTOR, slim=without_managed_fields),
        InformerSpec(k8s.SERVICE_ACCOUNTS, label_selector=CLUSTER_CHILD_SELECTOR, slim=slim_metadata_only),
        InformerSpec(k8s.ROLES, label_selector=CLUSTER_CHILD_SELECTOR, slim=slim_metadata_only),
        InformerSpec(k8s.ROLE_BINDINGS, label_selector=CLUSTER_CHILD_SELECTOR, slim=slim_metadata_only),
        InformerSpec(k8s.JOBS, label_selector=OPERATOR_JOB_SELECTOR, slim=slim_job, indexes=_owner_and_cluster()),
        InformerSpec(
            k8s.ENDPOINT_SLICES,
            slim=slim_endpoint_slice,
            indexes={BY_SERVICE: label_index(SERVICE_NAME_LABEL)},
        ),
    )
}


def informer_spec(resource: k8s.Resource) -> InformerSpec:
    """The cache settings of ``resource`` (whole objects minus managedFields if not listed)."""
    return INFORMER_SPECS.get(resource) or InformerSpec(resource)
