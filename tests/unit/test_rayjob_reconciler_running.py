"""RayJobReconciler in Running (KubeRay 2.3.8-2.3.15): the dashboard, the submitter, deadlines, timers.

The stub dashboard answers ``GET /api/jobs/<id>`` from its ``jobs`` (None = KubeRay's 404) and
raises on demand; the submitter Job and the head Pod are set up in the informers as the Job
controller and the kubelet would leave them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ray_operator.builders.rayjob import submit_request
from ray_operator.config import GATE_SIDECAR_SUBMITTER_RESTART, OperatorConfig
from ray_operator.dashboard.client import DashboardError, SubmissionIdInUse
from ray_operator.framework import k8s
from ray_operator.framework.controller import RetryLater
from unit.rayjob_harness import CONFIG, NAME, NS, POLL, START, Harness, normal, rayjob

MS = 1000


async def running(config: OperatorConfig = CONFIG, **spec: Any) -> Harness:
    """A RayJob (with ``spec``) whose cluster is ready and whose status is Running."""
    h = Harness(rayjob(**spec), config)
    await h.start()
    assert h.status()["jobDeploymentStatus"] == "Running", h.status()
    h.kube.reset()
    return h


# ---------------------------------------------------------------------------------- HTTPMode submission


async def test_httpmode_submits_the_job_ray_does_not_know_and_reads_it_back_at_once() -> None:
    h = await running(
        mode="HTTPMode", metadata={"owner": "me"}, runtimeEnvYAML="pip:\n  - requests\n", entrypointNumCpus=1
    )

    assert await h.reconcile() == 0.0

    job_id = h.job_id
    assert h.dashboard.methods() == ["get_job_info", "submit_job"]
    request = h.dashboard.calls[1][1]
    assert request == submit_request(h.rayjob(), job_id)
    assert request == {
        "entrypoint": "python -c 'print(1)'",
        "runtime_env": {"pip": ["requests"]},
        "metadata": {"owner": "me"},
        "submission_id": job_id,
        "entrypoint_num_cpus": 1,
    }
    assert h.status_patches() == []  # nothing of the four fields changed
    assert h.dashboards.requests[-1] == {
        "namespace": NS,
        "cluster": h.cluster_name,
        "dashboard_url": h.dashboard_url(),
        "head_service": f"{h.cluster_name}-head-svc",
        "auth_token": None,
    }

    assert await h.reconcile() == POLL
    assert h.status()["jobStatus"] == "PENDING"
    assert h.status()["jobDeploymentStatus"] == "Running"
    assert h.status()["rayClusterStatus"] == {"state": "ready", "readyWorkerReplicas": 1}


async def test_a_submission_id_already_in_use_is_not_a_failure() -> None:
    h = await running(mode="HTTPMode")
    h.dashboard.fail("submit_job", SubmissionIdInUse(h.job_id))

    assert await h.reconcile() == 0.0

    assert "jobStatusCheckFailureStartTime" not in h.status()
    assert h.status_patches() == []


async def test_a_failed_submission_starts_the_status_check_failure_clock_once() -> None:
    h = await running(mode="HTTPMode")
    h.dashboard.fail("submit_job", DashboardError("SubmitJob fail: 500 Internal Server Error boom"))
    h.clock.now += 5

    assert await h.reconcile() == POLL

    assert h.status()["jobStatusCheckFailureStartTime"] == "2027-01-15T08:00:05Z"
    assert len(h.status_patches()) == 1
    h.clock.now += 10
    await h.reconcile()
    assert h.status()["jobStatusCheckFailureStartTime"] == "2027-01-15T08:00:05Z"
    assert len(h.status_patches()) == 1

    h.dashboard.fail("submit_job", None)
    await h.reconcile()  # a good submission clears the clock, and that is written
    assert "jobStatusCheckFailureStartTime" not in h.status()
    assert len(h.status_patches()) == 2


# ---------------------------------------------------------------------------------- dashboard failures


async def test_unreachable_dashboard_fails_the_job_after_the_status_check_timeout_without_retry() -> None:
    h = await running(mode="HTTPMode", backoffLimit=2)
    h.dashboard.fail("get_job_info", DashboardError('Get "http://x/api/jobs/y": connection refused'))
    h.clock.now += 5

    await h.reconcile()
    assert h.status()["jobStatusCheckFailureStartTime"] == "2027-01-15T08:00:05Z"
    assert h.status()["jobDeploymentStatus"] == "Running"
    h.clock.now += 100
    await h.reconcile()
    assert len(h.status_patches()) == 1  # the clock is written once

    h.clock.now += 200  # 300 s (the default RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS) since the first failure
    assert await h.reconcile() == 0.0
    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == ("Failed", "JobStatusCheckTimeoutExceeded")
    assert status["message"] == (
        "Job status checks have been failing since 2027-01-15 08:00:05; exceeded timeout of 300s"
    )
    assert status["failed"] == 1  # not retried despite backoffLimit
    assert status["endTime"] == "2027-01-15T08:05:05Z"


async def test_the_status_check_timeout_follows_the_configured_seconds() -> None:
    config = dataclasses.replace(CONFIG, rayjob_status_check_timeout_seconds=20, rayjob_poll_seconds=1000)
    h = await running(config, mode="HTTPMode")
    h.dashboard.fail("get_job_info", DashboardError("down"))

    assert await h.reconcile() == 20.0
    h.clock.now += 8
    assert await h.reconcile() == 12.0
    h.clock.now += 12
    await h.reconcile()
    assert h.status()["message"].endswith("exceeded timeout of 20s")


async def test_a_good_status_check_clears_the_failure_clock() -> None:
    h = await running()
    h.dashboard.fail("get_job_info", DashboardError("down"))
    await h.reconcile()
    assert "jobStatusCheckFailureStartTime" in h.status()

    h.dashboard.fail("get_job_info", None)
    h.dashboard.set_job(h.job_id, "RUNNING")
    await h.reconcile()

    assert "jobStatusCheckFailureStartTime" not in h.status()
    assert h.status()["jobStatus"] == "RUNNING"


async def test_k8sjobmode_waits_while_ray_does_not_know_the_job_and_the_submitter_runs() -> None:
    h = await running()

    assert await h.reconcile() == POLL

    assert h.dashboard.methods() == ["get_job_info"]  # the submitter submits, never the operator
    assert h.status_patches() == []


# ---------------------------------------------------------------------------------- terminal Ray job


async def test_succeeded_job_completes_with_counters_times_and_end_time() -> None:
    h = await running(mode="HTTPMode")
    h.clock.now += 30
    h.dashboard.set_job(
        h.job_id, "SUCCEEDED", "Job finished successfully.", int((START + 2) * MS), int((START + 29) * MS)
    )

    assert await h.reconcile() == 0.0

    status = h.status()
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Complete", "SUCCEEDED")
    assert status["reason"] == ""
    assert status["message"] == "Job finished successfully."
    assert (status["succeeded"], status["failed"]) == (1, 0)
    assert status["endTime"] == "2027-01-15T08:00:30Z"
    assert status["rayJobInfo"] == {"startTime": "2027-01-15T08:00:02Z", "endTime": "2027-01-15T08:00:29Z"}
    assert status["rayClusterStatus"] == {"state": "ready", "readyWorkerReplicas": 1}


@pytest.mark.parametrize(
    ("ray_status", "deployment", "reason", "counters"),
    [("FAILED", "Failed", "AppFailed", (0, 1)), ("STOPPED", "Complete", "", (0, 0))],
)
async def test_failed_and_stopped_jobs(
    ray_status: str, deployment: str, reason: str, counters: tuple[int, int]
) -> None:
    h = await running(mode="HTTPMode")
    h.dashboard.set_job(h.job_id, ray_status, "bye", end_ms=int(START * MS))

    await h.reconcile()

    status = h.status()
    assert (status["jobDeploymentStatus"], status["jobStatus"], status["reason"]) == (deployment, ray_status, reason)
    assert (status["succeeded"], status["failed"]) == counters


async def test_a_change_of_message_alone_is_not_written() -> None:
    h = await running(mode="HTTPMode")
    h.dashboard.set_job(h.job_id, "RUNNING", "step 1")
    await h.reconcile()
    assert h.status()["message"] == "step 1"
    writes = len(h.status_patches())

    h.dashboard.set_job(h.job_id, "RUNNING", "step 2")
    assert await h.reconcile() == POLL

    assert len(h.status_patches()) == writes  # KubeRay writes only jobStatus/deployment/cluster/failure-time changes
    assert h.status()["message"] == "step 1"


# ---------------------------------------------------------------------------------- K8sJobMode submitter


async def test_k8sjobmode_is_terminal_only_once_the_submitter_job_finished() -> None:
    config = dataclasses.replace(CONFIG, rayjob_poll_seconds=1000)
    h = await running(config)
    h.clock.now += 20
    h.dashboard.set_job(h.job_id, "SUCCEEDED", end_ms=int((START + 10) * MS))

    assert await h.reconcile() == 290.0  # the grace period after Ray's end time is the latest we look again

    assert (h.status()["jobDeploymentStatus"], h.status()["jobStatus"]) == ("Running", "SUCCEEDED")
    assert h.kube.events() == [normal("CreatedService", f"Created the service {NS}/{NAME}-head-svc")]

    h.finish_submitter("Complete", at=START + 21)
    h.clock.now += 2
    assert await h.reconcile() == 0.0
    assert (h.status()["jobDeploymentStatus"], h.status()["succeeded"]) == ("Complete", 1)


async def test_k8sjobmode_transition_grace_period_exceeded() -> None:
    h = await running()
    h.dashboard.set_job(h.job_id, "FAILED", end_ms=int(START * MS))
    await h.reconcile()
    h.clock.now += 300

    await h.reconcile()

    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == (
        "Failed",
        "JobDeploymentStatusTransitionGracePeriodExceeded",
    )
    assert status["message"] == (
        "JobDeploymentStatus does not transition to Complete or Failed within the grace period after JobStatus "
        "reaches a terminal state."
    )


@pytest.mark.parametrize(
    ("ray_status", "reason", "message"),
    [
        (
            "RUNNING",
            "SubmissionFailed",
            "Job submission has failed. Reason: BackoffLimitExceeded. "
            "Message: Job has reached the specified backoff limit",
        ),
        ("FAILED", "AppFailed", "app died"),
    ],
)
async def test_failed_submitter_job_fails_the_rayjob(ray_status: str, reason: str, message: str) -> None:
    h = await running()
    h.dashboard.set_job(h.job_id, ray_status, "app died")
    await h.reconcile()
    h.finish_submitter("Failed", START, "BackoffLimitExceeded", "Job has reached the specified backoff limit")
    h.kube.reset()
    h.dashboard.calls.clear()

    assert await h.reconcile() == 0.0

    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"], status["message"]) == ("Failed", reason, message)
    assert h.dashboard.calls == []  # decided by the submitter: no dashboard call


async def test_submitter_finished_but_ray_never_heard_of_the_job() -> None:
    h = await running()
    h.finish_submitter("Complete", at=START)

    await h.reconcile()

    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == ("Failed", "AppFailed")
    assert status["message"] == "Submitter completed but Ray job not found in RayCluster."


async def test_submitter_finished_30s_ago_while_ray_still_runs_the_job() -> None:
    config = dataclasses.replace(CONFIG, rayjob_poll_seconds=1000)
    h = await running(config)
    h.dashboard.set_job(h.job_id, "RUNNING")
    h.finish_submitter("Complete", at=START + 10)
    h.clock.now += 25

    assert await h.reconcile() == 15.0  # 30 s after the submitter finished
    assert h.status()["jobDeploymentStatus"] == "Running"

    h.clock.now += 15
    await h.reconcile()
    status = h.status()
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Failed", "FAILED")
    assert status["reason"] == "JobDeploymentStatusTransitionGracePeriodExceeded"
    assert status["message"] == (
        "The RayJob submitter finished at 2027-01-15 08:00:10 but the ray job did not reach terminal state within 30s"
    )


async def test_k8sjobmode_without_its_submitter_job_retries() -> None:
    h = await running()
    job = h.informers[k8s.JOBS].get((NS, NAME))
    assert job is not None
    h.informers[k8s.JOBS].remove(job)

    with pytest.raises(RetryLater):
        await h.reconcile()


# ---------------------------------------------------------------------------------- SidecarMode


async def test_sidecar_mode_without_a_head_pod_fails() -> None:
    h = await running(mode="SidecarMode")

    await h.reconcile()

    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"], status["message"]) == (
        "Failed",
        "AppFailed",
        "Ray head pod not found.",
    )


async def test_sidecar_container_exit_code_fails_the_submission() -> None:
    h = await running(mode="SidecarMode")
    terminated = {"exitCode": 1, "reason": "Error", "finishedAt": "2027-01-15T08:00:01Z"}
    h.put_head_pod({"ready": False, "state": {"terminated": terminated}})

    await h.reconcile()

    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == ("Failed", "SubmissionFailed")
    assert status["message"] == "Ray head pod container ray-job-submitter terminated with exit code 1: Error"


async def test_sidecar_container_exit_zero_completes_with_the_ray_status() -> None:
    h = await running(mode="SidecarMode")
    h.put_head_pod(
        {"state": {"terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": "2027-01-15T08:00:01Z"}}}
    )
    h.dashboard.set_job(h.job_id, "SUCCEEDED")

    await h.reconcile()

    assert (h.status()["jobDeploymentStatus"], h.status()["succeeded"]) == ("Complete", 1)


async def test_sidecar_restart_gate_fails_only_after_the_restart_limit() -> None:
    gates = {**CONFIG.feature_gates, GATE_SIDECAR_SUBMITTER_RESTART: True}
    h = await running(dataclasses.replace(CONFIG, feature_gates=gates), mode="SidecarMode")
    h.dashboard.set_job(h.job_id, "RUNNING")
    crashed = {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2027-01-15T08:00:01Z"}}
    h.put_head_pod({"state": {"running": {}}, "lastState": crashed, "restartCount": 1})
    await h.reconcile()
    assert h.status()["jobDeploymentStatus"] == "Running"

    h.put_head_pod({"state": {"waiting": {"reason": "CrashLoopBackOff"}}, "lastState": crashed, "restartCount": 2})
    await h.reconcile()
    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == ("Failed", "SubmissionFailed")
    assert status["message"] == (
        "Ray head pod submitter container ray-job-submitter terminated after exceeding the maximum restart count"
    )


# ---------------------------------------------------------------------------------- deadlines and polling


async def test_running_polls_at_the_configured_interval_or_sooner_for_a_deadline() -> None:
    h = await running(mode="HTTPMode", activeDeadlineSeconds=100)
    h.dashboard.set_job(h.job_id, "RUNNING")

    assert await h.reconcile() == POLL
    h.clock.now += 50
    assert await h.reconcile() == 50.0  # the active deadline comes before the next poll


async def test_active_deadline_fails_the_job_and_is_never_retried() -> None:
    h = await running(mode="HTTPMode", activeDeadlineSeconds=10, backoffLimit=3)
    h.dashboard.set_job(h.job_id, "RUNNING")
    h.clock.now += 10

    assert await h.reconcile() == 0.0

    status = h.status()
    assert (status["jobDeploymentStatus"], status["reason"]) == ("Failed", "DeadlineExceeded")
    assert status["message"] == (
        "The RayJob has passed the activeDeadlineSeconds. StartTime: 2027-01-15 08:00:00 +0000 UTC. "
        "ActiveDeadlineSeconds: 10"
    )
    assert status["failed"] == 1
    assert h.dashboard.calls == []  # the deadline is checked before the dashboard
