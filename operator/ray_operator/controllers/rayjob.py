"""The RayJob controller, described: what wakes it and which reconciler it runs.

As KubeRay's ``SetupWithManager``: For RayJob (every change: the state machine reads its own
status), Owns RayCluster (its status: ``ready`` starts the submission), Service and batch Job (the
submitter finishing). One addition: a head Pod of the job's cluster wakes the RayJob, because in
SidecarMode the submitter is a container of that Pod and its exit decides the job.
"""

from __future__ import annotations

from ray_operator.builders import names
from ray_operator.config import OperatorConfig
from ray_operator.dashboard.client import Dashboards
from ray_operator.framework import k8s
from ray_operator.framework.description import ControllerContext, ControllerSpec, Watch, via_label
from ray_operator.framework.informer import Body
from ray_operator.reconcilers.rayjob import RayJobReconciler


def is_head_pod(old: Body | None, new: Body | None) -> bool:
    """Only head Pods matter to a RayJob (its SidecarMode submitter lives there)."""
    body = new if new is not None else old
    labels = ((body or {}).get("metadata") or {}).get("labels") or {}
    return labels.get(names.LABEL_NODE_TYPE) == names.NODE_TYPE_HEAD


def rayjob_controller(config: OperatorConfig, dashboards: Dashboards) -> ControllerSpec:
    def make(ctx: ControllerContext) -> RayJobReconciler:
        return RayJobReconciler(ctx, config, dashboards)

    return ControllerSpec(
        name="rayjob",
        primary=k8s.RAYJOBS,
        owns=(k8s.RAYCLUSTERS, k8s.SERVICES, k8s.JOBS),
        watches=(Watch(k8s.PODS, via_label(names.LABEL_CLUSTER, k8s.RAYCLUSTERS, "RayJob"), is_head_pod),),
        make_reconciler=make,
        recorder="rayjob-controller",
    )
