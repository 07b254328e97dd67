"""The RayJob controller as described (``controllers/rayjob.py``): KubeRay's ``SetupWithManager``.

For RayJob without a predicate, Owns RayCluster/Service/Job, and one addition: the head Pod of
the job's cluster wakes the RayJob (the SidecarMode submitter is a container of that Pod).
"""

from __future__ import annotations

from typing import Any, cast

from ray_operator.controllers.rayjob import rayjob_controller
from ray_operator.dashboard.client import Dashboards
from ray_operator.framework import k8s
from ray_operator.reconcilers.rayjob import RayJobReconciler
from unit.rayjob_harness import CONFIG, NAME, NS, Harness, StubDashboard, StubDashboards, rayjob


def test_the_controller_is_described_as_kuberays_setup_with_manager() -> None:
    spec = rayjob_controller(CONFIG, cast(Dashboards, StubDashboards(StubDashboard())))

    assert (spec.name, spec.primary, spec.recorder) == ("rayjob", k8s.RAYJOBS, "rayjob-controller")
    assert spec.owns == (k8s.RAYCLUSTERS, k8s.SERVICES, k8s.JOBS)
    old = rayjob(status={"jobDeploymentStatus": "Running"})
    new = rayjob(status={"jobDeploymentStatus": "Complete"})
    assert spec.primary_predicate(old, new)  # no predicate: its own status changes wake it


async def test_a_head_pod_of_the_jobs_cluster_wakes_the_rayjob_and_a_worker_pod_does_not() -> None:
    h = Harness(rayjob(mode="SidecarMode"))
    await h.reconcile()
    await h.reconcile()
    (watch,) = rayjob_controller(CONFIG, cast(Dashboards, h.dashboards)).watches

    def pod(node_type: str) -> dict[str, Any]:
        labels = {"ray.io/cluster": h.cluster_name, "ray.io/node-type": node_type}
        return {"metadata": {"name": f"p-{node_type}", "namespace": NS, "labels": labels}}

    assert watch.resource == k8s.PODS
    assert watch.predicate(None, pod("head"))
    assert not watch.predicate(None, pod("worker"))
    assert list(watch.mapper(None, pod("head"), h.informers)) == [(NS, NAME)]


async def test_the_spec_factory_builds_the_rayjob_reconciler() -> None:
    h = Harness(rayjob())
    spec = rayjob_controller(CONFIG, cast(Dashboards, h.dashboards))

    reconciler = spec.make_reconciler(h.reconciler.ctx)

    assert isinstance(reconciler, RayJobReconciler)
    assert reconciler.config is CONFIG
    assert reconciler.dashboards is cast(Dashboards, h.dashboards)
