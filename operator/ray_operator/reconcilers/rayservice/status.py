"""RayService status rules, as pure functions of the status dict (camelCase, as stored).

KubeRay's ``calculateStatus``/``calculateConditions``, the suspend stages of ``handleSuspend``,
the initializing timeout and ``InconsistentRayServiceStatuses`` (which decides whether a pass
writes at all). The reconciler gathers facts (clusters, Services, Serve applications, endpoints)
and these functions turn them into the status KubeRay would write.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Final

from ray_operator.builders import rayservice as build
from ray_operator.framework import conditions as cond
from ray_operator.framework.clock import go_duration, parse_time, rfc3339
from ray_operator.goparse import parse_go_duration, parse_go_int
from ray_operator.models import rayservice as rs

Status = dict[str, Any]

ANNOTATION_INITIALIZING_TIMEOUT: Final = "ray.io/initializing-timeout"
SERVICE_STATUS_NOT_RUNNING: Final = ""

MSG_INITIALIZING: Final = "RayService is initializing"
MSG_NON_ZERO: Final = "Number of serve endpoints is greater than 0"
MSG_ZERO: Final = "Number of serve endpoints dropped to 0"
MSG_BOTH: Final = "Both active and pending Ray clusters exist"
MSG_NO_PENDING: Final = "Active Ray cluster exists and no pending Ray cluster"
MSG_NO_ACTIVE: Final = (
    "No active Ray cluster exists, and the RayService is not initializing. "
    "Please open a GitHub issue in the KubeRay repository."
)
MSG_RESUMED_INITIALIZING: Final = "RayService is initializing after resuming from suspend."

READY: Final = rs.CONDITION_READY
UPGRADE: Final = rs.CONDITION_UPGRADE_IN_PROGRESS
ROLLBACK: Final = rs.CONDITION_ROLLBACK_IN_PROGRESS


def conditions_of(status: MutableMapping[str, Any]) -> list[dict[str, Any]]:
    """``status.conditions`` as a mutable list (created if missing)."""
    found = status.get("conditions")
    if not isinstance(found, list):
        found = status["conditions"] = []
    return found


def set_condition(
    status: MutableMapping[str, Any], type_: str, value: str, reason: str, message: str, now: float
) -> None:
    """KubeRay's ``setCondition``: stamps ``status.observedGeneration`` into the condition."""
    generation = status.get("observedGeneration")
    cond.set_condition(
        conditions_of(status),
        type_,
        value,
        reason,
        message,
        observed_generation=int(generation) if generation is not None else None,
        clock=lambda: rfc3339(now),
    )


def is_true(status: Mapping[str, Any], type_: str) -> bool:
    return cond.is_true(status.get("conditions") or (), type_)


def find(status: Mapping[str, Any], type_: str) -> Mapping[str, Any] | None:
    return cond.find_condition(status.get("conditions") or (), type_)


def active_name(status: Mapping[str, Any]) -> str:
    return str((status.get("activeServiceStatus") or {}).get("rayClusterName") or "")


def pending_name(status: Mapping[str, Any]) -> str:
    return str((status.get("pendingServiceStatus") or {}).get("rayClusterName") or "")


# --- suspend (3.9) ---------------------------------------------------------------------------------


def suspend_is_operative(status: Mapping[str, Any]) -> bool:
    """``suspendIsOperative``: Suspending or Suspended is True (nothing else runs)."""
    return is_true(status, rs.CONDITION_SUSPENDING) or is_true(status, rs.CONDITION_SUSPENDED)


def stage_suspend(status: Status, generation: int, now: float) -> None:
    """Spec.Suspend just became true: commit Suspending and reset the cluster statuses."""
    status["observedGeneration"] = generation
    set_condition(
        status,
        rs.CONDITION_SUSPENDING,
        cond.TRUE,
        rs.REASON_SUSPEND_REQUESTED,
        "Spec.Suspend is true; will delete all Kubernetes resources owned by this RayService.",
        now,
    )
    set_condition(status, READY, cond.FALSE, rs.REASON_SUSPEND_IN_PROGRESS, "RayService is suspending.", now)
    set_condition(
        status,
        UPGRADE,
        cond.FALSE,
        rs.REASON_SUSPEND_IN_PROGRESS,
        "No upgrade in progress.",
        now,
    )
    set_condition(
        status,
        ROLLBACK,
        cond.FALSE,
        rs.REASON_SUSPEND_IN_PROGRESS,
        "No rollback in progress.",
        now,
    )
    status["activeServiceStatus"] = {}
    status["pendingServiceStatus"] = {}
    status["numServeEndpoints"] = 0
    status["serviceStatus"] = SERVICE_STATUS_NOT_RUNNING


def suspend_waiting(status: Status, now: float) -> None:
    set_condition(
        status,
        rs.CONDITION_SUSPENDING,
        cond.TRUE,
        rs.REASON_SUSPEND_IN_PROGRESS,
        "Waiting for all Kubernetes resources owned by this RayService to be deleted.",
        now,
    )


def suspend_complete(status: Status, now: float) -> None:
    done = "All owned resources have been deleted."
    set_condition(status, rs.CONDITION_SUSPENDING, cond.FALSE, rs.REASON_SUSPEND_COMPLETE, done, now)
    set_condition(status, rs.CONDITION_SUSPENDED, cond.TRUE, rs.REASON_SUSPEND_COMPLETE, done, now)
    set_condition(status, READY, cond.FALSE, rs.REASON_SUSPEND_COMPLETE, "RayService is suspended.", now)
    set_condition(status, UPGRADE, cond.FALSE, rs.REASON_SUSPEND_COMPLETE, "No upgrade in progress.", now)
    set_condition(
        status,
        ROLLBACK,
        cond.FALSE,
        rs.REASON_SUSPEND_COMPLETE,
        "No rollback in progress.",
        now,
    )


def resume(status: Status, generation: int, now: float) -> None:
    """Suspended and Spec.Suspend false again: Ready and UpgradeInProgress restart (fresh times)."""
    status["observedGeneration"] = generation
    set_condition(
        status,
        rs.CONDITION_SUSPENDED,
        cond.FALSE,
        rs.REASON_RESUMED,
        "Spec.Suspend is false; RayService has resumed.",
        now,
    )
    for type_ in (READY, UPGRADE):
        cond.remove_condition(conditions_of(status), type_)
        set_condition(status, type_, cond.FALSE, rs.REASON_INITIALIZING, MSG_RESUMED_INITIALIZING, now)


# --- initializing timeout (3.8.4) ------------------------------------------------------------------


def initializing_timeout(annotations: Mapping[str, Any]) -> float | None:
    """``ray.io/initializing-timeout`` in seconds (Go duration or integer seconds; validated before)."""
    text = str(annotations.get(ANNOTATION_INITIALIZING_TIMEOUT) or "")
    if not text:
        return None
    nanos = parse_go_duration(text)
    if nanos is not None:
        return nanos / 1e9
    seconds = parse_go_int(text)
    return float(seconds) if seconds is not None else None


def timed_out(status: Mapping[str, Any]) -> bool:
    """``isInitializingTimeout``: Ready is False with reason InitializingTimeout (terminal)."""
    ready = find(status, READY)
    return (
        ready is not None
        and ready.get("status") == cond.FALSE
        and ready.get("reason") == rs.REASON_INITIALIZING_TIMEOUT
    )


def initializing_deadline(status: Mapping[str, Any], timeout: float | None) -> float | None:
    """When a still-initializing RayService times out (``None``: no timeout applies)."""
    ready = find(status, READY)
    if timeout is None or ready is None or ready.get("status") != cond.FALSE:
        return None
    if ready.get("reason") != rs.REASON_INITIALIZING:
        return None
    since = parse_time(ready.get("lastTransitionTime"))
    return None if since is None else since + timeout


def _mark_timed_out(status: Status, timeout: float | None, now: float) -> str | None:
    """``markFailedOnInitializingTimeout``; returns the event note when it fires."""
    deadline = initializing_deadline(status, timeout)
    if deadline is None or timeout is None or now < deadline:
        return None
    spent = go_duration(now - (deadline - timeout))
    limit = go_duration(timeout)
    status.setdefault("activeServiceStatus", {})["rayClusterName"] = ""
    status.setdefault("pendingServiceStatus", {})["rayClusterName"] = ""
    set_condition(
        status,
        READY,
        cond.FALSE,
        rs.REASON_INITIALIZING_TIMEOUT,
        f"RayService failed to become ready within the configured timeout of {limit}. Time spent initializing: {spent}",
        now,
    )
    return f"RayService initializing timeout exceeded after {spent} (configured timeout: {limit})"


# --- conditions (3.8.4, 3.8.5) ---------------------------------------------------------------------


def calculate_conditions(
    status: Status, now: float, *, timeout: float | None, upgrade_note: str = "", ready_note: str = ""
) -> str | None:
    """``calculateConditions``; returns the InitializingTimeout event note if it fired.

    ``upgrade_note`` (ours) is appended to the UpgradeInProgress message while both clusters
    exist: what the pending cluster is still waiting for. ``ready_note`` (ours) is appended to a
    True Ready message when the active cluster's dashboard cannot be read.
    """
    if not conditions_of(status):
        set_condition(status, READY, cond.FALSE, rs.REASON_INITIALIZING, MSG_INITIALIZING, now)
        set_condition(status, UPGRADE, cond.FALSE, rs.REASON_INITIALIZING, MSG_INITIALIZING, now)
    fired = None
    if int(status.get("numServeEndpoints") or 0) > 0:
        message = MSG_NON_ZERO + (f"; {ready_note}" if ready_note else "")
        set_condition(status, READY, cond.TRUE, rs.REASON_NON_ZERO_SERVE_ENDPOINTS, message, now)
    elif is_true(status, READY):
        set_condition(status, READY, cond.FALSE, rs.REASON_ZERO_SERVE_ENDPOINTS, MSG_ZERO, now)
    else:
        fired = _mark_timed_out(status, timeout, now)

    active, pending = active_name(status), pending_name(status)
    if active and pending:
        message = MSG_BOTH + (f"; {upgrade_note}" if upgrade_note else "")
        set_condition(
            status,
            UPGRADE,
            cond.TRUE,
            rs.REASON_BOTH_ACTIVE_PENDING_CLUSTERS_EXIST,
            message,
            now,
        )
    elif active:
        set_condition(status, UPGRADE, cond.FALSE, rs.REASON_NO_PENDING_CLUSTER, MSG_NO_PENDING, now)
    else:
        current = find(status, UPGRADE)
        if current is None or current.get("reason") not in (rs.REASON_INITIALIZING, rs.REASON_INITIALIZING_TIMEOUT):
            set_condition(status, UPGRADE, cond.UNKNOWN, rs.REASON_NO_ACTIVE_CLUSTER, MSG_NO_ACTIVE, now)
    status["serviceStatus"] = rs.SERVICE_STATUS_RUNNING if is_true(status, READY) else ""
    return fired


def promote(status: Status, service_cluster: str) -> bool:
    """``reconcilePromotionAndServingStatus`` (NewCluster/None): once the Services select a cluster
    other than the active one, the pending status becomes the active one. Returns whether the
    Services point to the (pre-promotion) pending cluster."""
    pending = pending_name(status)
    if service_cluster and service_cluster != active_name(status):
        status["activeServiceStatus"] = status.get("pendingServiceStatus") or {}
        status["pendingServiceStatus"] = {}
    return bool(service_cluster) and service_cluster == pending


def should_prepare_new_cluster(
    rayservice: Mapping[str, Any],
    active: Mapping[str, Any] | None,
    pending: Mapping[str, Any] | None,
    *,
    pending_serving: bool,
    zero_downtime: bool,
) -> bool:
    """``shouldPrepareNewCluster``: compare the goal with the pending cluster (else the active)."""
    if pending_serving or is_true(rayservice.get("status") or {}, ROLLBACK):
        return False
    if active is None and pending is None:
        return True
    cluster = pending if pending is not None else active
    assert cluster is not None
    if build.needs_new_cluster(rayservice, cluster) != build.NEW_CLUSTER:
        return False
    return zero_downtime


# --- the write rule (3.2.8) ------------------------------------------------------------------------


def _apps_differ(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    old, new = old or {}, new or {}
    if len(old) != len(new):
        return True
    for name, app in new.items():
        if name not in old:
            return True
        before = old[name] or {}
        if any((before.get(k) or "") != (app.get(k) or "") for k in ("status", "message")):
            return True
        old_deps = before.get("serveDeploymentStatuses") or {}
        new_deps = app.get("serveDeploymentStatuses") or {}
        if len(old_deps) != len(new_deps):
            return True
        for dep, value in new_deps.items():
            if dep not in old_deps:
                return True
            if any((old_deps[dep] or {}).get(k, "") != (value or {}).get(k, "") for k in ("status", "message")):
                return True
    return False


def _cluster_status_differs(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    old, new = old or {}, new or {}
    if (old.get("rayClusterName") or "") != (new.get("rayClusterName") or ""):
        return True
    return _apps_differ(old.get("applicationStatuses"), new.get("applicationStatuses"))


def worth_writing(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """``InconsistentRayServiceStatuses``: the mirrored RayCluster status alone is not worth a write."""
    if (old.get("serviceStatus") or "") != (new.get("serviceStatus") or ""):
        return True
    if int(old.get("numServeEndpoints") or 0) != int(new.get("numServeEndpoints") or 0):
        return True
    if (old.get("conditions") or []) != (new.get("conditions") or []):
        return True
    return any(
        _cluster_status_differs(old.get(key), new.get(key)) for key in ("activeServiceStatus", "pendingServiceStatus")
    )
