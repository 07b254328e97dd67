"""RayJob status rules, as pure functions of the status dict (camelCase, as stored).

KubeRay mutates one status copy through the reconcile switch and writes it at the end only if
``jobStatus``, ``jobDeploymentStatus``, the mirrored RayCluster status (compared by the RayCluster
write rule) or ``jobStatusCheckFailureStartTime`` changed; ``endTime`` is stamped by that write
while the job is terminal; the counters and the retry decision run just before it. The same rules
live here, so the reconciler only decides transitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ray_operator.framework.clock import go_date_time, go_time_string, parse_time
from ray_operator.models import rayjob as rj

Status = dict[str, Any]

#: RayCluster status fields whose change KubeRay's ``InconsistentRayClusterStatus`` counts.
_CLUSTER_STATUS_KEYS = (
    "state",
    "reason",
    "readyWorkerReplicas",
    "availableWorkerReplicas",
    "desiredWorkerReplicas",
    "minWorkerReplicas",
    "maxWorkerReplicas",
    "endpoints",
    "head",
    "conditions",
)


def _empty(value: Any) -> bool:
    return value in (None, "", 0, {}, [])


def cluster_status_differs(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """KubeRay's RayCluster status write rule, applied to ``status.rayClusterStatus``."""
    old, new = old or {}, new or {}
    for key in _CLUSTER_STATUS_KEYS:
        a, b = old.get(key), new.get(key)
        if _empty(a) and _empty(b):
            continue
        if key == "conditions":
            strip = ("lastTransitionTime", "observedGeneration")
            a = [{k: v for k, v in c.items() if k not in strip} for c in a or ()]
            b = [{k: v for k, v in c.items() if k not in strip} for c in b or ()]
        if a != b:
            return True
    return False


def worth_writing(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> bool:
    """KubeRay's ``updateRayJobStatus`` rule: only these four fields make a write."""
    old = old or {}
    return (
        (old.get("jobStatus") or "") != (new.get("jobStatus") or "")
        or (old.get("jobDeploymentStatus") or "") != (new.get("jobDeploymentStatus") or "")
        or cluster_status_differs(old.get("rayClusterStatus"), new.get("rayClusterStatus"))
        or old.get("jobStatusCheckFailureStartTime") != new.get("jobStatusCheckFailureStartTime")
    )


def deployment(status: Mapping[str, Any]) -> str:
    return str(status.get("jobDeploymentStatus") or "")


def job_status(status: Mapping[str, Any]) -> str:
    return str(status.get("jobStatus") or "")


def is_job_terminal(value: str) -> bool:
    return value in rj.TERMINAL_JOB_STATUSES


def fail(status: Status, reason: str, message: str) -> None:
    status["jobDeploymentStatus"] = rj.DEPLOYMENT_FAILED
    status["reason"] = reason
    status["message"] = message


def count_and_maybe_retry(status: Status, backoff_limit: int | None) -> None:
    """``checkBackoffLimitAndUpdateStatusIfNeeded``: counters, then Failed -> Retrying if allowed."""
    failed = int(status.get("failed") or 0)
    succeeded = int(status.get("succeeded") or 0)
    if deployment(status) == rj.DEPLOYMENT_FAILED:
        failed += 1
    if job_status(status) == rj.JOB_STATUS_SUCCEEDED and deployment(status) == rj.DEPLOYMENT_COMPLETE:
        succeeded += 1
    status["failed"], status["succeeded"] = failed, succeeded
    if deployment(status) != rj.DEPLOYMENT_FAILED or backoff_limit is None or failed >= backoff_limit + 1:
        return
    if status.get("reason") in (rj.REASON_DEADLINE_EXCEEDED, rj.REASON_STATUS_CHECK_TIMEOUT_EXCEEDED):
        return
    status["jobDeploymentStatus"] = rj.DEPLOYMENT_RETRYING


def reset_for_new_cluster(status: Status) -> None:
    """What Suspending/Retrying clear once the cluster and submitter are gone."""
    status["rayClusterStatus"] = {}
    for key in ("rayClusterName", "dashboardURL", "jobId", "message", "reason", "jobStatus"):
        status[key] = ""
    status["rayJobInfo"] = {}
    status.pop("jobStatusCheckFailureStartTime", None)


# ---------------------------------------------------------------------- deadlines


def started_at(status: Mapping[str, Any]) -> float | None:
    return parse_time(status.get("startTime"))


def active_deadline(spec: Mapping[str, Any], status: Mapping[str, Any]) -> float | None:
    """When ``activeDeadlineSeconds`` runs out (None if unset)."""
    seconds, start = spec.get("activeDeadlineSeconds"), started_at(status)
    return None if seconds is None or start is None else start + int(seconds)


def pre_running_deadline(spec: Mapping[str, Any], status: Mapping[str, Any]) -> float | None:
    seconds, start = spec.get("preRunningDeadlineSeconds"), started_at(status)
    return None if seconds is None or start is None else start + int(seconds)


def _check_deadline(spec: Mapping[str, Any], status: Status, now: float, field: str, reason: str) -> bool:
    """Fail with KubeRay's "The RayJob has passed the <field>" once ``startTime + spec[field]`` is reached."""
    seconds, start = spec.get(field), started_at(status)
    if seconds is None or start is None or now < start + int(seconds):
        return False
    label = field[0].upper() + field[1:]
    fail(
        status,
        reason,
        f"The RayJob has passed the {field}. StartTime: {go_time_string(start)}. {label}: {seconds}",
    )
    return True


def check_active_deadline(spec: Mapping[str, Any], status: Status, now: float) -> bool:
    return _check_deadline(spec, status, now, "activeDeadlineSeconds", rj.REASON_DEADLINE_EXCEEDED)


def check_pre_running_deadline(spec: Mapping[str, Any], status: Status, now: float) -> bool:
    return _check_deadline(spec, status, now, "preRunningDeadlineSeconds", rj.REASON_PRE_RUNNING_DEADLINE_EXCEEDED)


def check_grace_period(status: Status, now: float, grace_seconds: int) -> bool:
    """Ray said the job ended long ago, yet we are still Running: give up waiting (2.3.10)."""
    if not is_job_terminal(job_status(status)) or deployment(status) != rj.DEPLOYMENT_RUNNING:
        return False
    ended = parse_time((status.get("rayJobInfo") or {}).get("endTime"))
    if ended is None or now < ended + grace_seconds:
        return False
    failed = job_status(status) == rj.JOB_STATUS_FAILED
    status["jobDeploymentStatus"] = rj.DEPLOYMENT_FAILED if failed else rj.DEPLOYMENT_COMPLETE
    status["reason"] = rj.REASON_TRANSITION_GRACE_PERIOD_EXCEEDED
    status["message"] = (
        "JobDeploymentStatus does not transition to Complete or Failed within the grace period after JobStatus "
        "reaches a terminal state."
    )
    return True


def check_status_check_timeout(status: Status, now: float, timeout_seconds: int) -> bool:
    since = parse_time(status.get("jobStatusCheckFailureStartTime"))
    if since is None or now < since + timeout_seconds:
        return False
    fail(
        status,
        rj.REASON_STATUS_CHECK_TIMEOUT_EXCEEDED,
        f"Job status checks have been failing since {go_date_time(since)}; exceeded timeout of {timeout_seconds}s",
    )
    return True


#: How long a finished submitter may wait for Ray to report a terminal job status.
SUBMITTER_FINISHED_TIMEOUT = 30.0


def check_submitter_finished_timeout(status: Status, finished_at: float | None, now: float) -> bool:
    if finished_at is None or now < finished_at + SUBMITTER_FINISHED_TIMEOUT:
        return False
    status["jobStatus"] = rj.JOB_STATUS_FAILED
    fail(
        status,
        rj.REASON_TRANSITION_GRACE_PERIOD_EXCEEDED,
        f"The RayJob submitter finished at {go_date_time(finished_at)} but the ray job did not reach terminal "
        "state within 30s",
    )
    return True
