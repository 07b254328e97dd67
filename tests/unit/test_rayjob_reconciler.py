"""RayJobReconciler, New to Running: KubeRay's first states (2.3.1-2.3.7), validation and the write rule.

Each test drives ``reconcile((ns, name))`` against an in-memory API server and a stub dashboard
(:mod:`rayjob_harness`) and asserts what a KubeRay user observes: the status (KubeRay's field
values and texts), the children and their events, and the delay the reconciler asks for.
Running is in ``test_rayjob_reconciler_running.py``; suspend, retry, clean-up and deletion in
``test_rayjob_reconciler_finished.py``; the controller description in ``..._controller.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ray_operator.framework import k8s
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.reconciler import StatusConflict
from ray_operator.reconcilers.rayjob.reconciler import DEFAULT_REQUEUE, IDLE_RECHECK
from ray_operator.reconcilers.rayjob.steps import Pass
from unit.rayjob_harness import (
    FINALIZER,
    NAME,
    NS,
    START_TEXT,
    Harness,
    cluster_spec,
    normal,
    rayjob,
    warning,
)

GENERATED = re.compile(rf"{NAME}-[a-z0-9]{{5}}")


def env_of(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in container.get("env") or ()}


# ---------------------------------------------------------------------------------- 2.3.1 New


async def test_new_adds_the_finalizer_then_initializes_the_status_in_one_guarded_write() -> None:
    h = Harness(rayjob())
    created_version = h.rayjob()["metadata"]["resourceVersion"]

    assert await h.reconcile() == 0.0  # a new state: its first step at once

    finalizer_patch, status_patch = h.kube.find("patch", "rayjobs")
    assert finalizer_patch.subresource is None
    assert finalizer_patch.body["metadata"]["finalizers"] == [FINALIZER]
    assert h.rayjob()["metadata"]["finalizers"] == [FINALIZER]
    status = h.status()
    assert GENERATED.fullmatch(status["jobId"]), status
    assert GENERATED.fullmatch(status["rayClusterName"]), status
    assert status["jobDeploymentStatus"] == "Initializing"
    assert status.get("jobStatus", "") == ""
    assert status["startTime"] == START_TEXT
    assert (status["failed"], status["succeeded"]) == (0, 0)
    assert "endTime" not in status
    assert len(h.status_patches()) == 1
    # Both writes are guarded; the status write by the version the finalizer patch returned (the
    # fake API server rejects a guarded patch of any other version).
    assert finalizer_patch.body["metadata"]["resourceVersion"] == created_version
    assert status_patch.subresource == "status"
    assert status_patch.body["metadata"]["resourceVersion"] not in (None, created_version)
    assert h.kube.find("create", "rayclusters") == []  # the cluster comes in Initializing


async def test_the_status_write_carries_the_resource_version_it_was_based_on() -> None:
    h = Harness(rayjob(finalizers=[FINALIZER]))
    version = h.rayjob()["metadata"]["resourceVersion"]

    await h.reconcile()

    (status_patch,) = h.status_patches()
    assert status_patch.body["metadata"] == {"resourceVersion": version}


async def test_a_status_write_based_on_a_stale_copy_fails_and_writes_nothing() -> None:
    h = Harness(rayjob(finalizers=[FINALIZER]))
    h.kube.mutate(k8s.RAYJOBS, NAME, NS, lambda b: b["metadata"].setdefault("labels", {}).update(x="y"))

    with pytest.raises(StatusConflict):
        await h.reconcile()

    assert "status" not in h.rayjob()


async def test_new_takes_the_job_id_from_the_spec_and_the_cluster_from_the_selector() -> None:
    h = Harness(rayjob(jobId="my-submission", clusterSelector={"ray.io/cluster": "shared"}))

    await h.reconcile()

    assert (h.status()["jobId"], h.status()["rayClusterName"]) == ("my-submission", "shared")


async def test_interactive_mode_gets_no_job_id_at_new() -> None:
    h = Harness(rayjob(mode="InteractiveMode"))

    await h.reconcile()

    assert h.status()["jobDeploymentStatus"] == "Initializing"
    assert h.status().get("jobId", "") == ""
    assert GENERATED.fullmatch(h.status()["rayClusterName"])


# ---------------------------------------------------------------------------------- 2.3.2-2.3.4 Initializing


async def test_initializing_creates_the_cluster_once_and_mirrors_its_status_until_ready() -> None:
    h = Harness(rayjob(labels={"team": "ml"}))
    await h.reconcile()
    h.kube.reset()

    assert await h.reconcile() == IDLE_RECHECK  # nothing to poll: the cluster's status change wakes us

    cluster = h.cluster()
    assert cluster is not None
    assert cluster["metadata"]["labels"] == {
        "team": "ml",
        "ray.io/originated-from-cr-name": NAME,
        "ray.io/originated-from-crd": "RayJob",
        "ray.io/job-submission-mode": "K8sJobMode",
    }
    (owner,) = cluster["metadata"]["ownerReferences"]
    assert owner == {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "name": NAME,
        "uid": h.rayjob()["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert cluster["spec"] == cluster_spec()
    assert h.kube.events() == [normal("CreatedRayCluster", f"Created RayCluster {NS}/{h.cluster_name}")]
    assert h.status_patches() == []  # a cluster without status changes nothing worth writing

    not_ready = {"state": "", "desiredWorkerReplicas": 1, "readyWorkerReplicas": 0}
    h.set_cluster_status(not_ready)
    h.kube.reset()
    assert await h.reconcile() == IDLE_RECHECK
    assert h.kube.find("create", "rayclusters") == []
    assert h.status()["rayClusterStatus"] == not_ready
    assert h.status()["jobDeploymentStatus"] == "Initializing"
    assert "dashboardURL" not in h.status()
    assert len(h.status_patches()) == 1


async def test_ready_cluster_in_k8sjobmode_gets_the_dashboard_url_and_the_submitter_job() -> None:
    h = Harness(rayjob())

    assert await h.start() == 0.0

    status = h.status()
    assert status["jobDeploymentStatus"] == "Running"
    assert status["dashboardURL"] == h.dashboard_url()
    job = h.submitter()
    assert job is not None
    assert job["metadata"]["labels"] == {
        "ray.io/originated-from-cr-name": NAME,
        "ray.io/originated-from-crd": "RayJob",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }
    assert job["metadata"]["ownerReferences"][0]["kind"] == "RayJob"
    assert job["spec"]["backoffLimit"] == 2
    (container,) = job["spec"]["template"]["spec"]["containers"]
    env = env_of(container)
    assert env["RAY_DASHBOARD_ADDRESS"] == h.dashboard_url()
    assert env["RAY_JOB_SUBMISSION_ID"] == status["jobId"]
    assert h.kube.events()[-1] == normal("CreatedRayJobSubmitter", f"Created Kubernetes Job {NS}/{NAME}")
    assert len(h.kube.find("create", "jobs")) == 1


@pytest.mark.parametrize(
    ("mode", "state"), [("HTTPMode", "Running"), ("SidecarMode", "Running"), ("InteractiveMode", "Waiting")]
)
async def test_ready_cluster_in_other_modes_creates_no_submitter_job(mode: str, state: str) -> None:
    h = Harness(rayjob(mode=mode))

    assert await h.start() == 0.0

    assert h.status()["jobDeploymentStatus"] == state
    assert h.status()["dashboardURL"] == h.dashboard_url()
    assert h.kube.find("create", "jobs") == []
    assert "CreatedRayJobSubmitter" not in h.kube.reasons()


async def test_sidecar_mode_cluster_carries_the_submitter_container_and_never_restarts_the_head() -> None:
    h = Harness(rayjob(mode="SidecarMode"))
    await h.reconcile()
    await h.reconcile()

    cluster = h.cluster()
    assert cluster is not None
    head = cluster["spec"]["headGroupSpec"]["template"]["spec"]
    assert [c["name"] for c in head["containers"]] == ["ray-head", "ray-job-submitter"]
    assert head["restartPolicy"] == "Never"
    assert cluster["metadata"]["annotations"]["ray.io/disable-provisioned-head-restart"] == "true"
    assert env_of(head["containers"][1])["RAY_JOB_SUBMISSION_ID"] == h.job_id


async def test_selector_cluster_that_does_not_exist_is_reported_and_retried() -> None:
    h = Harness(rayjob(clusterSelector={"ray.io/cluster": "shared"}))
    await h.reconcile()

    with pytest.raises(RetryLater):
        await h.reconcile()

    assert h.kube.events() == [
        warning(
            "RayClusterNotFound",
            f"RayCluster {NS}/shared set in the clusterSelector is not found. It must be created manually",
        )
    ]
    assert h.kube.find("create", "rayclusters") == []
    assert h.status()["jobDeploymentStatus"] == "Initializing"


async def test_selector_cluster_not_ready_is_polled_as_it_is_not_ours_to_watch() -> None:
    h = Harness(rayjob(clusterSelector={"ray.io/cluster": "shared"}))
    await h.reconcile()
    h.put_cluster("shared", state=None)

    assert await h.reconcile() == DEFAULT_REQUEUE

    h.set_cluster_status({"state": "ready"}, name="shared")
    assert await h.reconcile() == 0.0
    assert h.status()["dashboardURL"] == h.dashboard_url("shared")
    assert h.status()["jobDeploymentStatus"] == "Running"
    assert h.kube.find("create", "rayclusters") == []
    await h.reconcile()
    assert h.kube.find("create", "services") == []  # no <rayjob>-head-svc for a selected cluster


async def test_suspend_during_initializing_moves_to_suspending_before_any_cluster() -> None:
    h = Harness(rayjob(suspend=True, shutdownAfterJobFinishes=True))
    await h.reconcile()

    assert await h.reconcile() == 0.0

    assert h.status()["jobDeploymentStatus"] == "Suspending"
    assert h.kube.find("create", "rayclusters") == []


async def test_pre_running_deadline_timer_in_initializing() -> None:
    h = Harness(rayjob(preRunningDeadlineSeconds=40, activeDeadlineSeconds=100))
    await h.reconcile()
    h.clock.now += 15

    assert await h.reconcile() == 25.0  # the cluster is not ready: look again when the deadline is due

    h.clock.now += 25
    assert await h.reconcile() == 0.0
    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == ("Failed", "PreRunningDeadlineExceeded")
    assert status["message"] == (
        "The RayJob has passed the preRunningDeadlineSeconds. StartTime: 2027-01-15 08:00:00 +0000 UTC. "
        "PreRunningDeadlineSeconds: 40"
    )
    assert status["failed"] == 1


# ---------------------------------------------------------------------------------- 2.3.5-2.3.7 Waiting


async def test_waiting_without_spec_job_id_writes_nothing_until_the_user_sets_it() -> None:
    h = Harness(rayjob(mode="InteractiveMode"))
    await h.start()
    assert h.status()["jobDeploymentStatus"] == "Waiting"
    h.kube.reset()

    assert await h.reconcile() is None  # setting spec.jobId is an edit, and edits wake us

    assert h.kube.writes() == []
    assert h.dashboard.calls == []

    h.edit_spec(jobId="typed-by-user")
    assert await h.reconcile() == 0.0
    assert h.status()["jobDeploymentStatus"] == "Running"
    assert h.status()["jobId"] == "typed-by-user"


async def test_waiting_past_the_pre_running_deadline_fails() -> None:
    h = Harness(rayjob(mode="InteractiveMode", preRunningDeadlineSeconds=30))
    await h.start()
    h.clock.now += 10
    assert await h.reconcile() == 20.0

    h.clock.now += 20
    await h.reconcile()
    assert (h.status()["jobDeploymentStatus"], h.status()["reason"]) == ("Failed", "PreRunningDeadlineExceeded")


# ---------------------------------------------------------------------------------- validation, managedBy


async def test_invalid_metadata_ends_in_validation_failed_with_kuberay_message_and_event() -> None:
    name = "j" * 48
    h = Harness(rayjob(name))

    assert await h.reconcile() is None

    message = "The RayJob metadata is invalid: RayJob name should be no more than 47 characters"
    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"], status["message"]) == (
        "ValidationFailed",
        "ValidationFailed",
        message,
    )
    assert h.kube.events() == [warning("InvalidRayJobMetadata", f"{NS}/{name}: {message}")]
    assert "finalizers" not in h.rayjob()["metadata"]
    assert h.kube.find("create", "rayclusters") == []

    h.kube.reset()
    assert await h.reconcile() is None
    assert h.status_patches() == []  # unchanged jobDeploymentStatus: nothing to write


async def test_invalid_spec_ends_in_validation_failed() -> None:
    h = Harness(rayjob(suspend=True))

    await h.reconcile()

    message = (
        "The RayJob spec is invalid: a RayJob with shutdownAfterJobFinishes set to false is not allowed to be suspended"
    )
    assert (h.status()["jobDeploymentStatus"], h.status()["message"]) == ("ValidationFailed", message)
    assert h.kube.events() == [warning("InvalidRayJobSpec", f"{NS}/{NAME}: {message}")]


async def test_invalid_status_ends_in_validation_failed() -> None:
    h = Harness(rayjob(status={"jobDeploymentStatus": "Waiting"}))

    await h.reconcile()

    message = (
        "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is not "
        "InteractiveMode"
    )
    assert (h.status()["jobDeploymentStatus"], h.status()["message"]) == ("ValidationFailed", message)
    assert h.kube.reasons() == ["InvalidRayJobStatus"]


async def test_a_rayjob_that_is_gone_needs_nothing() -> None:
    h = Harness(rayjob())
    h.store.remove(h.rayjob())

    assert await h.reconcile() is None

    assert h.kube.calls == []


async def test_a_rayjob_managed_by_another_controller_is_not_touched() -> None:
    h = Harness(rayjob(managedBy="kueue.x-k8s.io/multikueue"))

    assert await h.reconcile() is None

    assert h.kube.calls == []
    assert h.dashboard.calls == []
    assert "status" not in h.rayjob()


async def test_a_change_of_dashboard_url_or_message_alone_is_not_written() -> None:
    """KubeRay's ``updateRayJobStatus``: only jobStatus, jobDeploymentStatus, the cluster mirror and
    the failure clock make a write; the endTime stamp comes only with a write."""
    status = {"jobId": "j", "rayClusterName": "c", "jobDeploymentStatus": "Running", "jobStatus": "RUNNING"}
    h = Harness(rayjob(status=status, finalizers=[FINALIZER]))
    body = h.store.get((NS, NAME))
    assert body is not None
    run = Pass(body=body, status={**status, "dashboardURL": "elsewhere:8265", "message": "new"}, now=h.clock())

    assert await h.reconciler._write(run) is False

    assert h.kube.calls == []
    run.status["jobDeploymentStatus"] = "Complete"
    assert await h.reconciler._write(run) is True
    assert h.status()["endTime"] == START_TEXT
    assert h.status()["message"] == "new"


async def test_failing_to_create_the_cluster_or_the_submitter_is_reported() -> None:
    h = Harness(rayjob())
    await h.reconcile()
    h.kube.fail("create", "rayclusters", k8s.Forbidden(403, "Forbidden", "exceeded quota"), times=1)

    with pytest.raises(RetryLater):
        await h.reconcile()
    assert h.kube.events() == [
        warning("FailedToCreateRayCluster", f"Failed to create RayCluster {NS}/{h.cluster_name}: exceeded quota")
    ]

    await h.reconcile()
    h.make_cluster_ready()
    h.kube.fail("create", "jobs", k8s.Forbidden(403, "Forbidden", "no jobs here"))
    with pytest.raises(RetryLater):
        await h.reconcile()
    assert h.kube.events()[-1] == warning(
        "FailedToCreateRayJobSubmitter", f"Failed to create new Kubernetes Job {NS}/{NAME}: no jobs here"
    )
    assert h.status()["jobDeploymentStatus"] == "Initializing"  # nothing written on the error path
    assert "dashboardURL" not in h.status()


async def test_token_auth_cluster_dashboard_calls_carry_its_token() -> None:
    spec = cluster_spec(rayVersion="2.52.0", authOptions={"mode": "token"})
    h = Harness(rayjob(mode="HTTPMode", rayClusterSpec=spec))
    await h.start()

    with pytest.raises(RetryLater):  # the token Secret is not there yet
        await h.reconcile()

    secret = {"metadata": {"name": h.cluster_name, "namespace": NS}, "data": {"auth_token": "czNjcjN0"}}
    h.kube.put(k8s.SECRETS, secret)
    await h.reconcile()
    assert h.dashboards.requests[-1]["auth_token"] == "s3cr3t"
