"""RayJob lifecycle on the local control plane with the real Ray head: deadlines, clean-up timers,
deletion rules, suspend/resume, the finalizer that stops the Ray job, and the cluster selector."""

from __future__ import annotations

import time

from helpers import api_get, create, events, patch, raycluster, raycluster_manifest, stays, wait_ready, wait_until
from operator_process import OperatorProcess
from ray_head import RayHead
from ray_operator.framework.clock import parse_time
from ray_operator.localcluster.cluster import LocalCluster
from rayjob_helpers import (
    rayjob,
    rayjob_manifest,
    rj_status,
    stop_ray_job,
    wait_deployment,
    wait_ray_status,
)

SLEEP = 'python -c "import time; time.sleep(600)"'
OK = "python -c \"print('ok')\""


def test_active_deadline_fails_the_job_on_time_and_the_ttl_deletes_its_cluster(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    manifest = rayjob_manifest(
        "deadline",
        SLEEP,
        submissionMode="HTTPMode",
        activeDeadlineSeconds=6,
        shutdownAfterJobFinishes=True,
        ttlSecondsAfterFinished=3,
        backoffLimit=2,  # a deadline is never retried
    )
    create(kube_cluster, namespace, manifest)
    status = wait_deployment(kube_cluster, namespace, "deadline", "Failed", timeout=60)
    try:
        started, ended = parse_time(status["startTime"]), parse_time(status["endTime"])
        assert started is not None and ended is not None
        # A timer, not a 3 s poll: failed within a second or two of the deadline.
        assert 6 <= ended - started <= 8, (status["startTime"], status["endTime"])
        assert status["reason"] == "DeadlineExceeded"
        assert status["message"].startswith("The RayJob has passed the activeDeadlineSeconds. StartTime: ")
        assert status["message"].endswith(" +0000 UTC. ActiveDeadlineSeconds: 6")
        assert status["failed"] == 1
        cluster_name = status["rayClusterName"]
        wait_until(lambda: raycluster(kube_cluster, namespace, cluster_name) is None, 30, "cluster deleted")
        gone_at = time.time()
        assert gone_at - ended >= 3 - 1  # not before the TTL (endTime has whole seconds)
        assert rj_status(kube_cluster, namespace, "deadline")["jobDeploymentStatus"] == "Failed"  # no retry
        (deleted,) = events(kube_cluster, namespace, "DeletedRayCluster")
        assert deleted["note"] == f"Deleted cluster {namespace}/{cluster_name}"
    finally:
        stop_ray_job(ray_head.dashboard_address, status["jobId"])


def test_deletion_rules_suspend_workers_then_delete_the_cluster_when_due(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    rules = [
        {"policy": "DeleteWorkers", "condition": {"jobStatus": "SUCCEEDED", "ttlSeconds": 0}},
        {"policy": "DeleteCluster", "condition": {"jobStatus": "SUCCEEDED", "ttlSeconds": 5}},
    ]
    manifest = rayjob_manifest(
        "rules", OK, workers=1, submissionMode="HTTPMode", deletionStrategy={"deletionRules": rules}
    )
    create(kube_cluster, namespace, manifest)
    status = wait_deployment(kube_cluster, namespace, "rules", "Complete", "Failed", timeout=120)
    assert status["jobDeploymentStatus"] == "Complete", status
    cluster_name = status["rayClusterName"]

    def workers_suspended() -> bool:
        rc = raycluster(kube_cluster, namespace, cluster_name)
        return rc is not None and all(g.get("suspend") is True for g in rc["spec"]["workerGroupSpecs"])

    wait_until(workers_suspended, 20, "worker groups suspended")
    (updated,) = events(kube_cluster, namespace, "UpdatedRayCluster")
    assert updated["note"] == (
        f"Set the `suspend` field to true for all worker groups in cluster {namespace}/{cluster_name}"
    )
    wait_until(lambda: raycluster(kube_cluster, namespace, cluster_name) is None, 30, "cluster deleted")
    ended = parse_time(status["endTime"]) or 0.0
    assert time.time() - ended >= 5 - 1
    assert rayjob(kube_cluster, namespace, "rules") is not None  # DeleteSelf was not asked for


def test_suspend_deletes_the_cluster_resume_starts_afresh_and_deleting_stops_the_ray_job(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    manifest = rayjob_manifest("susp", SLEEP, submissionMode="HTTPMode", shutdownAfterJobFinishes=True)
    create(kube_cluster, namespace, manifest)
    first = wait_until(
        lambda: (s := rj_status(kube_cluster, namespace, "susp")).get("jobStatus") == "RUNNING" and s,
        120,
        "the Ray job running",
    )
    patch(kube_cluster, namespace, "rayjob", "susp", {"spec": {"suspend": True}})
    status = wait_deployment(kube_cluster, namespace, "susp", "Suspended", timeout=60)
    assert status["rayClusterName"] == "" and status["jobId"] == "" and status["jobStatus"] == ""
    assert raycluster(kube_cluster, namespace, first["rayClusterName"]) is None
    stays(
        lambda: rj_status(kube_cluster, namespace, "susp")["jobDeploymentStatus"] == "Suspended",
        seconds=2,
        what="stays suspended",
    )
    stop_ray_job(ray_head.dashboard_address, first["jobId"])  # KubeRay does not stop it on suspend

    patch(kube_cluster, namespace, "rayjob", "susp", {"spec": {"suspend": False}})
    second = wait_until(
        lambda: (s := rj_status(kube_cluster, namespace, "susp")).get("jobStatus") == "RUNNING" and s,
        120,
        "running again after resume",
    )
    assert second["rayClusterName"] != first["rayClusterName"]
    assert second["jobId"] != first["jobId"]

    # Deleting the RayJob stops the Ray job (the finalizer), then the RayJob goes.
    kube_cluster.kubectl("-n", namespace, "delete", "rayjob", "susp", "--wait=false")
    wait_ray_status(ray_head.dashboard_address, second["jobId"], "STOPPED", timeout=30)
    wait_until(lambda: rayjob(kube_cluster, namespace, "susp") is None, 30, "RayJob deleted")


def test_cluster_selector_uses_an_existing_cluster_and_never_touches_it(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    manifest = rayjob_manifest("sel", OK, submissionMode="HTTPMode", clusterSelector={"ray.io/cluster": "shared"})
    del manifest["spec"]["rayClusterSpec"]
    create(kube_cluster, namespace, manifest)
    wait_until(lambda: events(kube_cluster, namespace, "RayClusterNotFound"), 30, "RayClusterNotFound event")
    (missing, *_) = events(kube_cluster, namespace, "RayClusterNotFound")
    assert missing["note"] == (
        f"RayCluster {namespace}/shared set in the clusterSelector is not found. It must be created manually"
    )
    create(kube_cluster, namespace, raycluster_manifest("shared", replicas=0))
    wait_ready(kube_cluster, namespace, "shared", 0, timeout=60)
    status = wait_deployment(kube_cluster, namespace, "sel", "Complete", "Failed", timeout=120)
    assert (status["jobDeploymentStatus"], status["rayClusterName"]) == ("Complete", "shared"), status
    rc = raycluster(kube_cluster, namespace, "shared")
    assert rc is not None and not rc["metadata"].get("ownerReferences")
    assert api_get(kube_cluster, f"/api/v1/namespaces/{namespace}/services/sel-head-svc") is None
    assert not events(kube_cluster, namespace, "CreatedRayCluster")
