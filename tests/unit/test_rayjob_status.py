"""RayJob status rules: KubeRay's write rule, counters and retry decision, deadlines and their texts."""

from __future__ import annotations

from typing import Any

import pytest

from ray_operator.framework.clock import parse_time
from ray_operator.reconcilers.rayjob import status as st

START = "2026-01-02T03:04:05Z"
T0 = parse_time(START) or 0.0


def test_only_the_four_kuberay_fields_make_a_write() -> None:
    old: dict[str, Any] = {"jobStatus": "RUNNING", "jobDeploymentStatus": "Running", "dashboardURL": "a:1"}
    assert not st.worth_writing(old, {**old, "dashboardURL": "b:2", "message": "new"})
    assert st.worth_writing(old, {**old, "jobStatus": "SUCCEEDED"})
    assert st.worth_writing(old, {**old, "jobDeploymentStatus": "Complete"})
    assert st.worth_writing(old, {**old, "jobStatusCheckFailureStartTime": START})
    assert st.worth_writing(old, {**old, "rayClusterStatus": {"state": "ready"}})


def test_cluster_status_mirror_ignores_fields_kuberay_ignores() -> None:
    base = {"state": "ready", "readyWorkerReplicas": 1, "lastUpdateTime": START, "observedGeneration": 1}
    assert not st.cluster_status_differs(base, {**base, "lastUpdateTime": "2027-01-01T00:00:00Z"})
    assert not st.cluster_status_differs(base, {**base, "observedGeneration": 5, "desiredCPU": "3"})
    assert st.cluster_status_differs(base, {**base, "readyWorkerReplicas": 2})
    cond = {"type": "HeadPodReady", "status": "True", "lastTransitionTime": START}
    with_cond = {**base, "conditions": [cond]}
    assert not st.cluster_status_differs(
        with_cond, {**base, "conditions": [{**cond, "lastTransitionTime": "2027-01-01T00:00:00Z"}]}
    )
    assert st.cluster_status_differs(with_cond, {**base, "conditions": [{**cond, "status": "False"}]})
    assert not st.cluster_status_differs(None, {})


@pytest.mark.parametrize(
    ("status", "backoff", "expected"),
    [
        ({"jobDeploymentStatus": "Failed", "reason": "AppFailed"}, 2, ("Retrying", 1, 0)),
        ({"jobDeploymentStatus": "Failed", "reason": "AppFailed", "failed": 2}, 2, ("Failed", 3, 0)),
        ({"jobDeploymentStatus": "Failed", "reason": "AppFailed"}, None, ("Failed", 1, 0)),
        ({"jobDeploymentStatus": "Failed", "reason": "DeadlineExceeded"}, 3, ("Failed", 1, 0)),
        ({"jobDeploymentStatus": "Failed", "reason": "JobStatusCheckTimeoutExceeded"}, 3, ("Failed", 1, 0)),
        ({"jobDeploymentStatus": "Failed", "reason": "PreRunningDeadlineExceeded"}, 1, ("Retrying", 1, 0)),
        ({"jobDeploymentStatus": "Complete", "jobStatus": "SUCCEEDED", "succeeded": 1}, 2, ("Complete", 0, 2)),
        ({"jobDeploymentStatus": "Complete", "jobStatus": "STOPPED"}, 2, ("Complete", 0, 0)),
        ({"jobDeploymentStatus": "Running"}, 2, ("Running", 0, 0)),
    ],
)
def test_counters_and_retry(status: dict[str, Any], backoff: int | None, expected: tuple[str, int, int]) -> None:
    st.count_and_maybe_retry(status, backoff)
    assert (status["jobDeploymentStatus"], status["failed"], status["succeeded"]) == expected


def test_active_deadline_message_and_timer() -> None:
    spec = {"activeDeadlineSeconds": 10}
    status: dict[str, Any] = {"startTime": START, "jobDeploymentStatus": "Running"}
    assert st.active_deadline(spec, status) == T0 + 10
    assert not st.check_active_deadline(spec, status, T0 + 9.9)
    assert st.check_active_deadline(spec, status, T0 + 10)
    assert status["jobDeploymentStatus"] == "Failed"
    assert status["reason"] == "DeadlineExceeded"
    assert status["message"] == (
        "The RayJob has passed the activeDeadlineSeconds. StartTime: 2026-01-02 03:04:05 +0000 UTC. "
        "ActiveDeadlineSeconds: 10"
    )


def test_pre_running_deadline_message() -> None:
    status: dict[str, Any] = {"startTime": START}
    assert st.check_pre_running_deadline({"preRunningDeadlineSeconds": 5}, status, T0 + 6)
    assert status["reason"] == "PreRunningDeadlineExceeded"
    assert status["message"] == (
        "The RayJob has passed the preRunningDeadlineSeconds. StartTime: 2026-01-02 03:04:05 +0000 UTC. "
        "PreRunningDeadlineSeconds: 5"
    )
    assert not st.check_pre_running_deadline({}, {"startTime": START}, T0 + 1e9)


def test_status_check_timeout_message() -> None:
    status: dict[str, Any] = {"jobStatusCheckFailureStartTime": START, "jobDeploymentStatus": "Running"}
    assert not st.check_status_check_timeout(status, T0 + 299, 300)
    assert st.check_status_check_timeout(status, T0 + 300, 300)
    assert status["reason"] == "JobStatusCheckTimeoutExceeded"
    assert status["message"] == (
        "Job status checks have been failing since 2026-01-02 03:04:05; exceeded timeout of 300s"
    )


def test_grace_period_after_ray_reported_the_end() -> None:
    status: dict[str, Any] = {
        "jobStatus": "FAILED",
        "jobDeploymentStatus": "Running",
        "rayJobInfo": {"endTime": START},
    }
    assert not st.check_grace_period(dict(status), T0 + 299, 300)
    assert st.check_grace_period(status, T0 + 300, 300)
    assert status["jobDeploymentStatus"] == "Failed"
    assert status["reason"] == "JobDeploymentStatusTransitionGracePeriodExceeded"
    succeeded = {**status, "jobStatus": "SUCCEEDED", "jobDeploymentStatus": "Running"}
    assert st.check_grace_period(succeeded, T0 + 300, 300)
    assert succeeded["jobDeploymentStatus"] == "Complete"
    assert not st.check_grace_period({"jobStatus": "RUNNING", "jobDeploymentStatus": "Running"}, T0 + 1e9, 300)


def test_submitter_finished_timeout() -> None:
    status: dict[str, Any] = {"jobStatus": "RUNNING", "jobDeploymentStatus": "Running"}
    assert not st.check_submitter_finished_timeout(status, None, T0 + 1e9)
    assert not st.check_submitter_finished_timeout(status, T0, T0 + 29)
    assert st.check_submitter_finished_timeout(status, T0, T0 + 30)
    assert status["jobStatus"] == "FAILED"
    assert status["message"] == (
        "The RayJob submitter finished at 2026-01-02 03:04:05 but the ray job did not reach terminal state within 30s"
    )


def test_reset_for_a_new_cluster() -> None:
    status: dict[str, Any] = {
        "jobId": "j",
        "rayClusterName": "c",
        "dashboardURL": "u",
        "jobStatus": "FAILED",
        "reason": "AppFailed",
        "message": "m",
        "rayJobInfo": {"startTime": START},
        "rayClusterStatus": {"state": "ready"},
        "jobStatusCheckFailureStartTime": START,
        "failed": 1,
        "startTime": START,
    }
    st.reset_for_new_cluster(status)
    assert status == {
        "jobId": "",
        "rayClusterName": "",
        "dashboardURL": "",
        "jobStatus": "",
        "reason": "",
        "message": "",
        "rayJobInfo": {},
        "rayClusterStatus": {},
        "failed": 1,
        "startTime": START,
    }
