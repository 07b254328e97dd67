"""In-memory views of watched objects that reconcilers read instead of calling the API server.

- :class:`ObjectStore` keeps the latest body of each custom resource we reconcile, fed by watch
  events. It refuses to go backwards (an event older than what we already have, e.g. one that
  was in flight while we wrote status, is ignored), so a reconcile never sees stale status.
- :func:`slim_pod` reduces a Pod to the few fields decisions need. Memory then grows by a few
  hundred bytes per Ray pod instead of the ~10 KB a full Pod object costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

ObjectKey = tuple[str, str]


def _rv(body: Mapping[str, Any]) -> int | None:
    value = (body.get("metadata") or {}).get("resourceVersion")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def spec_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """KubeRay's event predicate: generation, labels, annotations (and deletion/finalizers) changed.

    Status-only updates, including our own status writes, do not need a reconcile.
    """
    if old is None:
        return True
    om, nm = old.get("metadata") or {}, new.get("metadata") or {}
    keys = ("generation", "labels", "annotations", "deletionTimestamp", "finalizers", "uid")
    return any(om.get(k) != nm.get(k) for k in keys)


class ObjectStore:
    """Latest known body per (namespace, name)."""

    def __init__(self) -> None:
        self._items: dict[ObjectKey, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._items.values()))

    def get(self, key: ObjectKey) -> dict[str, Any] | None:
        return self._items.get(key)

    def keys(self) -> list[ObjectKey]:
        return list(self._items)

    def update(self, body: Mapping[str, Any]) -> tuple[bool, dict[str, Any] | None]:
        """Store ``body`` unless it is older than what we have; return (stored, previous)."""
        meta = body.get("metadata") or {}
        key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        previous = self._items.get(key)
        if previous is not None:
            same_object = (previous.get("metadata") or {}).get("uid") == meta.get("uid")
            old_rv, new_rv = _rv(previous), _rv(body)
            if same_object and old_rv is not None and new_rv is not None and new_rv < old_rv:
                return False, previous
        self._items[key] = dict(body)
        return True, previous

    def remove(self, key: ObjectKey, uid: str | None = None) -> None:
        """Forget ``key`` (only if it is still the object with ``uid``, when given)."""
        current = self._items.get(key)
        if current is None:
            return
        if uid is None or (current.get("metadata") or {}).get("uid") == uid:
            del self._items[key]


_KEPT_ANNOTATION_PREFIX = "ray.io/"
# A terminated state is kept whole: KubeRay prints it in the events about deleting the pod.
_STATE_FIELDS = {
    "waiting": ("reason", "message"),
    "running": (),
    "terminated": ("exitCode", "signal", "reason", "message", "startedAt", "finishedAt", "containerID"),
}


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
        state = cs.get("state") or {}
        slim_state: dict[str, Any] = {}
        for kind in ("waiting", "terminated", "running"):
            if kind in state:
                detail = state[kind] or {}
                slim_state[kind] = {k: detail[k] for k in _STATE_FIELDS[kind] if k in detail}
        container_statuses.append({"name": cs.get("name", ""), "ready": bool(cs.get("ready")), "state": slim_state})
    slim_status: dict[str, Any] = {"phase": status.get("phase", "")}
    for key in ("reason", "message", "podIP"):
        if status.get(key):
            slim_status[key] = status[key]
    if conditions:
        slim_status["conditions"] = conditions
    if container_statuses:
        slim_status["containerStatuses"] = container_statuses
    return {
        "metadata": slim_meta,
        "spec": {
            "restartPolicy": spec.get("restartPolicy", ""),
            "containers": [{"name": containers[0].get("name", "")}],
        },
        "status": slim_status,
    }


def _sort_key(pod: Mapping[str, Any]) -> tuple[str, str]:
    meta = pod["metadata"]
    return (meta.get("creationTimestamp", ""), meta.get("name", ""))


class IndexPodSource:
    """The pods of each cluster: a kopf ``Index`` keyed by (namespace, cluster) with slim pods.

    The index is handed over by the first RayCluster event (kopf passes indexes only to handlers);
    tests may assign any mapping of the same shape.
    """

    def __init__(self) -> None:
        self.index: Mapping[Any, Iterable[dict[str, Any]]] | None = None

    def pods_of(self, namespace: str, cluster: str) -> list[dict[str, Any]]:
        if self.index is None:
            raise RuntimeError("pod index not populated yet")
        store = self.index.get((namespace, cluster))
        return sorted(store or (), key=_sort_key)
