"""kopf wiring for RayCluster: watch events become store updates and queue keys. Nothing else.

- RayCluster events update :class:`ObjectStore` and enqueue the cluster, except status-only
  changes (our own writes), which KubeRay's predicates ignore too.
- Ray pods (server-side selected by ``ray.io/node-type``) feed a kopf index keyed by
  (namespace, cluster) with slim pods; kopf guarantees the index is complete before any other
  handler runs, which is our informer "cache synced" barrier. Every pod event enqueues its cluster.
"""

from __future__ import annotations

from typing import Any

import kopf

from ray_operator.framework.controller import Controller
from ray_operator.stores import IndexPodSource, ObjectStore, slim_pod, spec_changed

CLUSTER_LABEL = "ray.io/cluster"


def register(
    registry: kopf.OperatorRegistry,
    clusters: ObjectStore,
    pods: IndexPodSource,
    controller: Controller,
) -> None:
    """Attach the RayCluster handlers to ``registry``."""

    @kopf.index("pods", id="ray_pods", registry=registry)
    def ray_pods(body: kopf.Body, namespace: str | None, labels: kopf.Labels, **_: Any) -> Any:
        cluster = labels.get(CLUSTER_LABEL)
        if not cluster:
            return None
        return {(namespace or "", cluster): slim_pod(body)}

    @kopf.on.event("pods", registry=registry)
    async def ray_pod_event(namespace: str | None, labels: kopf.Labels, **_: Any) -> None:
        cluster = labels.get(CLUSTER_LABEL)
        if cluster:
            controller.enqueue((namespace or "", cluster))

    @kopf.on.event("ray.io", "v1", "rayclusters", registry=registry)
    async def raycluster_event(
        type: str | None, body: kopf.Body, namespace: str | None, name: str | None, **kwargs: Any
    ) -> None:
        if pods.index is None:
            pods.index = kwargs["ray_pods"]
        key = (namespace or "", name or "")
        if type == "DELETED":
            clusters.remove(key, uid=body.get("metadata", {}).get("uid"))
            controller.enqueue(key)
            return
        stored, previous = clusters.update(dict(body))
        if stored and spec_changed(previous, body):
            controller.enqueue(key)
