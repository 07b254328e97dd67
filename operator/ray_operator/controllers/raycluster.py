"""The RayCluster controller, described: what wakes it and which reconciler it runs.

As KubeRay's ``SetupWithManager``: For RayCluster (generation, labels, annotations: our own status
writes do not wake it), Owns every child kind it creates, so deleting the head Service, the token
Secret or the GCS PVC by hand is repaired at once; Ray Pods wake the cluster named by their
``ray.io/cluster`` label.
"""

from __future__ import annotations

from ray_operator.builders import names
from ray_operator.config import OperatorConfig
from ray_operator.framework import k8s
from ray_operator.framework.description import ControllerContext, ControllerSpec, Watch, spec_changed, to_label
from ray_operator.reconcilers.raycluster import RayClusterReconciler


def raycluster_controller(config: OperatorConfig) -> ControllerSpec:
    def make(ctx: ControllerContext) -> RayClusterReconciler:
        return RayClusterReconciler(ctx, config)

    return ControllerSpec(
        name="raycluster",
        primary=k8s.RAYCLUSTERS,
        primary_predicate=spec_changed,
        owns=(
            k8s.SERVICES,
            k8s.SECRETS,
            k8s.PVCS,
            k8s.INGRESSES,
            k8s.SERVICE_ACCOUNTS,
            k8s.ROLES,
            k8s.ROLE_BINDINGS,
            k8s.JOBS,
        ),
        watches=(Watch(k8s.PODS, to_label(names.LABEL_CLUSTER)),),
        make_reconciler=make,
        recorder="raycluster-controller",
    )
