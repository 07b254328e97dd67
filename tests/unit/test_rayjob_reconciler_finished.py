"""RayJobReconciler after Running: suspend, retry, clean-up of a finished job, and deletion.

KubeRay 2.3.16-2.3.20 (Suspending/Retrying release the cluster and the submitter, then reset
the status), 2.1.9/2.6 (what a finished job deletes, and when) and 2.5 (the finalizer).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ray_operator.dashboard.client import DashboardError
from ray_operator.framework import k8s
from ray_operator.reconcilers.rayjob.reconciler import DEFAULT_REQUEUE
from unit.fake_kube import rfc3339
from unit.rayjob_harness import CONFIG, FINALIZER, NAME, NS, START, START_TEXT, Harness, normal, rayjob

CLUSTER = f"{NAME}-abcde"


async def running(**spec: Any) -> Harness:
    h = Harness(rayjob(**spec))
    await h.start()
    assert h.status()["jobDeploymentStatus"] == "Running", h.status()
    return h


def finished(job_status: str = "SUCCEEDED", *, config: Any = CONFIG, **spec: Any) -> Harness:
    """A RayJob that finished at START on its cluster ``CLUSTER`` (which exists and is in the cache)."""
    deployment = "Failed" if job_status == "FAILED" else "Complete"
    status = {
        "jobId": f"{NAME}-xyz12",
        "rayClusterName": spec.get("clusterSelector", {}).get("ray.io/cluster", CLUSTER),
        "jobStatus": job_status,
        "jobDeploymentStatus": deployment,
        "startTime": START_TEXT,
        "endTime": START_TEXT,
        "succeeded": int(job_status == "SUCCEEDED"),
        "failed": int(job_status == "FAILED"),
    }
    h = Harness(rayjob(status=status, finalizers=[FINALIZER], **spec), config)
    h.put_cluster(status["rayClusterName"])
    h.kube.reset()
    return h


# ---------------------------------------------------------------------------------- 2.3.16-2.3.20 retry


async def test_failure_within_backoff_limit_releases_everything_and_starts_over() -> None:
    h = await running(backoffLimit=1)
    first_cluster, first_job_id = h.cluster_name, h.job_id
    h.dashboard.set_job(first_job_id, "FAILED", "exit 1")
    h.finish_submitter("Failed", START, "BackoffLimitExceeded", "Job has reached the specified backoff limit")

    assert await h.reconcile() == 0.0
    assert (h.status()["jobDeploymentStatus"], h.status()["failed"]) == ("Retrying", 1)
    assert "endTime" not in h.status()
    h.kube.reset()

    assert await h.reconcile() == DEFAULT_REQUEUE  # deletions issued; wait until both are gone
    assert h.kube.events() == [
        normal("DeletedRayCluster", f"Deleted cluster {NS}/{first_cluster}"),
        normal("DeletedRayJobSubmitter", f"Deleted submitter K8s Job {NS}/{NAME}"),
    ]
    assert h.kube.propagation[("jobs", NAME)] == "Background"
    assert h.status_patches() == []
    assert h.status()["jobDeploymentStatus"] == "Retrying"

    h.watch_catches_up()
    assert await h.reconcile() == 0.0
    status = h.status()
    assert status["jobDeploymentStatus"] == ""
    for key in ("rayClusterName", "dashboardURL", "jobId", "message", "reason", "jobStatus"):
        assert status.get(key, "") == "", key
    assert status.get("rayJobInfo", {}) == {}
    assert status.get("rayClusterStatus", {}) == {}
    assert status["failed"] == 1

    h.clock.now += 7
    await h.reconcile()
    status = h.status()
    assert status["jobDeploymentStatus"] == "Initializing"
    assert status["startTime"] == "2027-01-15T08:00:07Z"
    assert status["rayClusterName"] not in ("", first_cluster)
    assert status["jobId"] not in ("", first_job_id)


async def test_the_rayjob_head_service_follows_the_new_cluster_after_a_retry() -> None:
    h = await running(mode="HTTPMode", backoffLimit=1)
    h.dashboard.set_job(h.job_id, "RUNNING")
    await h.reconcile()  # Running creates <rayjob>-head-svc for the first cluster
    service = h.kube.peek(k8s.SERVICES, f"{NAME}-head-svc", NS)
    assert service is not None
    h.kube.mutate(k8s.SERVICES, f"{NAME}-head-svc", NS, lambda b: b["spec"].update(clusterIP="10.96.0.9"))
    h.watch_catches_up(k8s.SERVICES)
    h.dashboard.set_job(h.job_id, "FAILED")
    await h.reconcile()  # Running -> Retrying
    await h.reconcile()  # the first cluster is deleted
    h.watch_catches_up()
    await h.reconcile()  # Retrying -> New
    await h.start()  # Initializing, the second cluster ready, Running
    h.kube.reset()

    await h.reconcile()

    service = h.kube.peek(k8s.SERVICES, f"{NAME}-head-svc", NS)
    assert service is not None
    assert service["spec"]["selector"]["ray.io/cluster"] == h.cluster_name
    assert service["spec"]["clusterIP"] == "10.96.0.9"
    assert h.kube.events() == [normal("UpdatedService", f"Updated the service {NS}/{NAME}-head-svc")]


async def test_retrying_waits_while_the_cluster_is_terminating() -> None:
    h = await running(mode="HTTPMode", backoffLimit=1)
    h.kube.mutate(k8s.RAYCLUSTERS, h.cluster_name, NS, lambda b: b["metadata"].update(finalizers=["x/y"]))
    h.dashboard.set_job(h.job_id, "FAILED")
    await h.reconcile()
    await h.reconcile()
    h.watch_catches_up()
    h.kube.reset()

    assert await h.reconcile() == DEFAULT_REQUEUE

    assert h.kube.find("delete", "rayclusters") == []  # already terminating: not deleted again
    assert h.status()["jobDeploymentStatus"] == "Retrying"


async def test_pre_running_deadline_failure_is_retried() -> None:
    h = Harness(rayjob(preRunningDeadlineSeconds=5, backoffLimit=1))
    await h.reconcile()
    h.clock.now += 5

    await h.reconcile()

    assert (h.status()["jobDeploymentStatus"], h.status()["reason"]) == ("Retrying", "PreRunningDeadlineExceeded")


async def test_retries_stop_at_the_backoff_limit() -> None:
    h = await running(mode="HTTPMode", backoffLimit=1)
    h.edit_status(failed=1)
    h.dashboard.set_job(h.job_id, "FAILED")

    await h.reconcile()

    assert (h.status()["jobDeploymentStatus"], h.status()["failed"]) == ("Failed", 2)


# ---------------------------------------------------------------------------------- suspend


async def test_suspend_while_running_releases_the_cluster_then_resume_starts_over() -> None:
    h = await running(shutdownAfterJobFinishes=True)
    h.edit_spec(suspend=True)

    assert await h.reconcile() == 0.0
    assert h.status()["jobDeploymentStatus"] == "Suspending"
    await h.reconcile()
    assert h.kube.reasons()[-2:] == ["DeletedRayCluster", "DeletedRayJobSubmitter"]
    h.watch_catches_up()
    await h.reconcile()
    assert h.status()["jobDeploymentStatus"] == "Suspended"
    assert h.status().get("rayClusterName", "") == ""
    h.kube.reset()

    assert await h.reconcile() is None  # suspended: nothing to do until an edit
    assert h.kube.writes() == []

    h.edit_spec(suspend=False)
    assert await h.reconcile() == 0.0
    assert h.status()["jobDeploymentStatus"] == ""
    assert h.status().get("jobStatus", "") == ""


# ---------------------------------------------------------------------------------- 2.1.9 shutdownAfterJobFinishes


async def test_shutdown_after_the_ttl_deletes_the_cluster_but_keeps_the_submitter() -> None:
    h = await running(shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=60)
    h.dashboard.set_job(h.job_id, "SUCCEEDED")
    h.finish_submitter("Complete", START)
    await h.reconcile()
    assert h.status()["endTime"] == START_TEXT
    h.clock.now += 20.5

    assert await h.reconcile() == 39.5  # exactly when the TTL runs out
    assert h.cluster() is not None

    h.clock.now += 39.5
    h.kube.reset()
    assert await h.reconcile() is None
    assert h.cluster() is None
    assert h.kube.events() == [normal("DeletedRayCluster", f"Deleted cluster {NS}/{h.cluster_name}")]
    assert h.submitter() is not None
    assert h.status_patches() == []


async def test_delete_rayjob_cr_after_job_finishes_deletes_the_rayjob_itself() -> None:
    config = dataclasses.replace(CONFIG, delete_rayjob_after_job_finishes=True)
    h = finished(config=config, shutdownAfterJobFinishes=True)

    assert await h.reconcile() is None

    assert h.kube.keys("delete") == [("delete", "rayjobs", NAME)]
    assert h.rayjob()["metadata"]["deletionTimestamp"]  # held by our finalizer
    assert h.cluster(CLUSTER) is not None


async def test_a_finished_job_without_clean_up_options_is_left_alone() -> None:
    h = finished()

    assert await h.reconcile() is None

    assert h.kube.writes() == []


async def test_a_selected_cluster_is_never_deleted() -> None:
    h = finished(clusterSelector={"ray.io/cluster": "shared"}, shutdownAfterJobFinishes=True)

    assert await h.reconcile() is None

    assert h.kube.writes() == []
    assert h.cluster("shared") is not None


# ---------------------------------------------------------------------------------- 2.6 deletion strategy


def legacy(on_success: str, on_failure: str) -> dict[str, Any]:
    return {"onSuccess": {"policy": on_success}, "onFailure": {"policy": on_failure}}


async def test_legacy_policy_by_job_status_after_the_ttl() -> None:
    h = finished("FAILED", shutdownAfterJobFinishes=True, ttlSecondsAfterFinished=30,
                 deletionStrategy=legacy("DeleteSelf", "DeleteCluster"))  # fmt: skip
    h.clock.now += 10
    assert await h.reconcile() == 20.0

    h.clock.now += 20
    assert await h.reconcile() is None
    assert h.kube.keys("delete") == [("delete", "rayclusters", CLUSTER)]


async def test_legacy_delete_self_on_success() -> None:
    h = finished("SUCCEEDED", deletionStrategy=legacy("DeleteSelf", "DeleteCluster"))

    await h.reconcile()

    assert h.kube.keys("delete") == [("delete", "rayjobs", NAME)]


async def test_legacy_delete_none_does_nothing() -> None:
    h = finished("SUCCEEDED", deletionStrategy=legacy("DeleteNone", "DeleteCluster"))

    assert await h.reconcile() is None

    assert h.kube.writes() == []


def rule(policy: str, ttl: int, job_status: str | None = "SUCCEEDED", deployment: str | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {"ttlSeconds": ttl}
    if deployment is not None:
        condition["jobDeploymentStatus"] = deployment
    else:
        condition["jobStatus"] = job_status
    return {"policy": policy, "condition": condition}


async def test_deletion_rules_run_in_order_and_return_the_next_due_time() -> None:
    rules = [rule("DeleteWorkers", 0), rule("DeleteCluster", 60), rule("DeleteSelf", 90, "FAILED")]
    h = finished("SUCCEEDED", deletionStrategy={"deletionRules": rules})
    h.clock.now += 5

    assert await h.reconcile() == 55.0  # DeleteCluster is next

    cluster = h.cluster(CLUSTER)
    assert cluster is not None
    assert [g["suspend"] for g in cluster["spec"]["workerGroupSpecs"]] == [True]
    assert h.kube.events() == [
        normal("UpdatedRayCluster", f"Set the `suspend` field to true for all worker groups in cluster {NS}/{CLUSTER}")
    ]
    h.kube.reset()
    assert await h.reconcile() == 55.0
    assert h.kube.writes() == []  # DeleteWorkers is done: all groups are suspended

    h.clock.now += 55
    assert await h.reconcile() is None
    assert h.kube.keys("delete") == [("delete", "rayclusters", CLUSTER)]


async def test_only_the_most_impactful_overdue_rule_runs() -> None:
    rules = [rule("DeleteWorkers", 0), rule("DeleteCluster", 10)]
    h = finished("SUCCEEDED", deletionStrategy={"deletionRules": rules})
    h.clock.now += 100

    await h.reconcile()

    assert h.kube.find("replace", "rayclusters") == []
    assert h.kube.keys("delete") == [("delete", "rayclusters", CLUSTER)]
    assert h.kube.reasons() == ["DeletedRayCluster"]


async def test_deletion_rule_on_the_deployment_status() -> None:
    h = finished("FAILED", deletionStrategy={"deletionRules": [rule("DeleteCluster", 0, deployment="Failed")]})

    await h.reconcile()

    assert h.kube.keys("delete") == [("delete", "rayclusters", CLUSTER)]


# ---------------------------------------------------------------------------------- 2.5 finalizer


def deleting(h: Harness) -> None:
    h.edit(lambda b: b["metadata"].__setitem__("deletionTimestamp", rfc3339(h.clock())))


async def test_deleting_a_running_job_stops_it_and_removes_the_finalizer() -> None:
    h = await running(mode="HTTPMode")
    job_id, url = h.job_id, h.dashboard_url()
    deleting(h)
    h.dashboard.calls.clear()

    assert await h.reconcile() is None

    assert h.dashboard.calls == [("stop_job", job_id)]
    assert h.dashboards.requests[-1]["dashboard_url"] == url
    assert h.kube.peek(k8s.RAYJOBS, NAME, NS) is None  # the finalizer was the last one: it is gone


async def test_deleting_a_finished_job_does_not_stop_it() -> None:
    h = finished("SUCCEEDED")
    deleting(h)

    await h.reconcile()

    assert h.dashboard.calls == []
    assert h.kube.peek(k8s.RAYJOBS, NAME, NS) is None


async def test_a_dashboard_error_does_not_keep_the_finalizer() -> None:
    h = await running(mode="HTTPMode")
    h.dashboard.fail("stop_job", DashboardError("connection refused"))
    h.edit(lambda b: b["metadata"].update(finalizers=[FINALIZER, "other/keep"]))
    deleting(h)

    await h.reconcile()

    assert h.dashboard.methods()[-1] == "stop_job"
    assert h.rayjob()["metadata"]["finalizers"] == ["other/keep"]
