"""The RayService controller, described: what wakes it and which reconciler it runs.

As KubeRay's ``SetupWithManager``: For RayService (generation, label or annotation changes: its
own status writes do not wake it), Owns RayCluster (``HeadPodReady`` starts the Serve calls) and
Service. Two additions, so that readiness is seen when it happens instead of at the next 2 s
poll: the head Pods of its clusters (the ``ray.io/serve`` label and Pod readiness), and the
EndpointSlices of its Services (``numServeEndpoints``).
"""

from __future__ import annotations

from ray_operator.builders import names
from ray_operator.config import OperatorConfig
from ray_operator.controllers.caches import SERVICE_NAME_LABEL
from ray_operator.controllers.rayjob import is_head_pod
from ray_operator.dashboard.client import Dashboards
from ray_operator.framework import k8s
from ray_operator.framework.description import (
    ControllerContext,
    ControllerSpec,
    Watch,
    spec_changed,
    via_label,
)
from ray_operator.reconcilers.rayservice import RayServiceReconciler


def rayservice_controller(config: OperatorConfig, dashboards: Dashboards) -> ControllerSpec:
    def make(ctx: ControllerContext) -> RayServiceReconciler:
        return RayServiceReconciler(ctx, config, dashboards)

    return ControllerSpec(
        name="rayservice",
        primary=k8s.RAYSERVICES,
        primary_predicate=spec_changed,
        owns=(k8s.RAYCLUSTERS, k8s.SERVICES),
        watches=(
            Watch(k8s.PODS, via_label(names.LABEL_CLUSTER, k8s.RAYCLUSTERS, names.CRD_RAYSERVICE), is_head_pod),
            Watch(k8s.ENDPOINT_SLICES, via_label(SERVICE_NAME_LABEL, k8s.SERVICES, names.CRD_RAYSERVICE)),
        ),
        make_reconciler=make,
        recorder="rayservice-controller",
    )
