"""RayCluster status, computed from the spec and what was observed (a pure function).

Field for field what KubeRay reports: state, worker counts, desired resources, endpoints, head
info and the conditions ``HeadPodReady``, ``RayClusterProvisioned``, ``ReplicaFailure``,
``RayClusterSuspending`` and ``RayClusterSuspended`` with KubeRay's reasons. One addition:
``ValidationFailed`` (set by the reconciler, kept here) tells Argo CD and ``kubectl`` why an
invalid spec is not being acted on, where KubeRay only emits an event.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ray_operator.builders import desired, names
from ray_operator.framework.clock import now_rfc3339
from ray_operator.framework.conditions import (
    FALSE,
    TRUE,
    find_condition,
    is_true,
    remove_condition,
    set_condition,
)
from ray_operator.models import RayCluster
from ray_operator.models.raycluster import (
    CONDITION_HEAD_POD_READY,
    CONDITION_PROVISIONED,
    CONDITION_REPLICA_FAILURE,
    CONDITION_SUSPENDED,
    CONDITION_SUSPENDING,
    CONDITION_VALIDATION_FAILED,
    REASON_ALL_POD_RUNNING_AND_READY_FIRST_TIME,
    REASON_HEAD_POD_NOT_FOUND,
    REASON_HEAD_POD_RUNNING_AND_READY,
    REASON_PODS_PROVISIONING,
    REASON_UNKNOWN,
    STATE_READY,
    STATE_SUSPENDED,
)


@dataclass
class Observed:
    """What one reconcile saw and did."""

    pods: Sequence[Mapping[str, Any]]
    head_service: Mapping[str, Any] | None
    replica_failure: tuple[str, str] | None = None  # (reason, message) of a failed pod action
    error: bool = False  # any reconcile error (blocks state "ready", like KubeRay)
    conditions_enabled: bool = True  # feature gate RayClusterStatusConditions


def suspend_status(conditions: Sequence[Mapping[str, Any]] | None) -> str:
    """``RayClusterSuspending``, ``RayClusterSuspended`` or "" (KubeRay's FindRayClusterSuspendStatus)."""
    for condition in conditions or ():
        if condition.get("type") in (CONDITION_SUSPENDING, CONDITION_SUSPENDED) and condition.get("status") == TRUE:
            return str(condition["type"])
    return ""


def pod_ready(pod: Mapping[str, Any]) -> bool:
    """Running and (if it has one) the Ready condition is True (KubeRay's CheckAllPodsRunning, for state)."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running":
        return False
    ready = find_condition(status.get("conditions"), "Ready")
    return ready is None or ready.get("status") == TRUE


def running_and_ready(pod: Mapping[str, Any]) -> bool:
    """Running with a Ready condition that is True (KubeRay's IsRunningAndReady, for the counters)."""
    status = pod.get("status") or {}
    ready = find_condition(status.get("conditions"), "Ready")
    return status.get("phase") == "Running" and ready is not None and ready.get("status") == TRUE


def all_pods_running(pods: Sequence[Mapping[str, Any]]) -> bool:
    return bool(pods) and all(pod_ready(p) for p in pods)


def _node_type(pod: Mapping[str, Any]) -> str:
    return str(((pod.get("metadata") or {}).get("labels") or {}).get(names.LABEL_NODE_TYPE, ""))


def head_pods(pods: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [p for p in pods if _node_type(p) == names.NODE_TYPE_HEAD]


def head_pod_ready_condition(pod: Mapping[str, Any]) -> tuple[str, str, str]:
    """(status, reason, message) of ``HeadPodReady`` from the head Pod's Ready condition."""
    status = pod.get("status") or {}
    ready = find_condition(status.get("conditions"), "Ready")
    if ready is None:
        return FALSE, REASON_UNKNOWN, ""
    cond_status = str(ready.get("status") or FALSE)
    message = str(ready.get("message") or "")
    reason = str(ready.get("reason") or "")
    if cond_status == TRUE and not reason:
        reason = REASON_HEAD_POD_RUNNING_AND_READY
    if reason == "ContainersNotReady":
        for cs in status.get("containerStatuses") or ():
            state = cs.get("state") or {}
            detail = state.get("waiting") or state.get("terminated")
            if detail is not None:
                reason = str(detail.get("reason") or "")
                message = (message + "; " if message else "") + f"{cs.get('name', '')}: {detail.get('message', '')}"
                break
    return cond_status, reason or REASON_UNKNOWN, message


def _endpoints(previous: Mapping[str, str] | None, service: Mapping[str, Any] | None) -> dict[str, str]:
    endpoints = dict(previous or {})  # KubeRay's map only ever grows
    for port in ((service or {}).get("spec") or {}).get("ports") or ():
        name = port.get("name")
        if not name:
            continue
        target = port.get("targetPort")
        if port.get("nodePort"):
            endpoints[name] = str(port["nodePort"])
        elif isinstance(target, int) and target != 0:
            endpoints[name] = str(target)
        elif isinstance(target, str) and target:
            endpoints[name] = target
    return endpoints


def compute_status(
    cluster: RayCluster,
    previous: Mapping[str, Any] | None,
    observed: Observed,
    clock: Callable[[], str] = now_rfc3339,
) -> dict[str, Any]:
    """The new ``status`` of ``cluster`` (a JSON-ready dict; ``previous`` is not modified)."""
    status: dict[str, Any] = copy.deepcopy(dict(previous or {}))
    conditions: list[dict[str, Any]] = status.get("conditions") or []
    status["conditions"] = conditions
    pods = list(observed.pods)
    suspend_requested = cluster.spec.suspend is True

    if observed.conditions_enabled:
        if observed.replica_failure is not None:
            reason, message = observed.replica_failure
            set_condition(conditions, CONDITION_REPLICA_FAILURE, TRUE, reason, message, clock=clock)
        elif not observed.error:
            remove_condition(conditions, CONDITION_REPLICA_FAILURE)
        if remove_condition(conditions, CONDITION_VALIDATION_FAILED):
            status.pop("reason", None)  # it carried the validation message

    status["observedGeneration"] = cluster.generation
    workers = [p for p in pods if _node_type(p) == names.NODE_TYPE_WORKER]
    status["readyWorkerReplicas"] = sum(1 for p in workers if running_and_ready(p))
    status["availableWorkerReplicas"] = sum(1 for p in workers if (p.get("status") or {}).get("phase") == "Running")
    totals = desired.cluster_totals(cluster)
    status["desiredWorkerReplicas"] = totals.desired_workers
    status["minWorkerReplicas"] = totals.min_workers
    status["maxWorkerReplicas"] = totals.max_workers
    status["desiredCPU"] = totals.desired_cpu
    status["desiredMemory"] = totals.desired_memory
    status["desiredGPU"] = totals.desired_gpu
    status["desiredTPU"] = totals.desired_tpu

    previous_state = status.get("state", "")
    if not observed.error and len(pods) == totals.desired_workers + 1 and all_pods_running(pods):
        status["state"] = STATE_READY
        status.pop("reason", None)

    heads = head_pods(pods)
    head = heads[0] if len(heads) == 1 else None
    if observed.conditions_enabled:
        if not heads:
            not_found = (FALSE, REASON_HEAD_POD_NOT_FOUND, "Head Pod not found")
            set_condition(conditions, CONDITION_HEAD_POD_READY, *not_found, clock=clock)
        else:
            set_condition(conditions, CONDITION_HEAD_POD_READY, *head_pod_ready_condition(heads[0]), clock=clock)

        suspend = suspend_status(conditions)
        if not is_true(conditions, CONDITION_PROVISIONED) and suspend != CONDITION_SUSPENDED:
            # KubeRay only checks the pods it happens to list; we also require all of them to exist, so a
            # Ready head alone (workers failing to be created) is not reported as a provisioned cluster.
            if all_pods_running(pods) and len(pods) == totals.desired_workers + 1:
                set_condition(
                    conditions,
                    CONDITION_PROVISIONED,
                    TRUE,
                    REASON_ALL_POD_RUNNING_AND_READY_FIRST_TIME,
                    "All Ray Pods are ready for the first time",
                    clock=clock,
                )
            else:
                set_condition(
                    conditions,
                    CONDITION_PROVISIONED,
                    FALSE,
                    REASON_PODS_PROVISIONING,
                    "RayCluster Pods are being provisioned for first time",
                    clock=clock,
                )
        if suspend == CONDITION_SUSPENDING:
            if not pods:
                set_condition(
                    conditions,
                    CONDITION_PROVISIONED,
                    FALSE,
                    REASON_PODS_PROVISIONING,
                    "RayCluster has been suspended",
                    clock=clock,
                )
                set_condition(conditions, CONDITION_SUSPENDING, FALSE, CONDITION_SUSPENDING, clock=clock)
                set_condition(conditions, CONDITION_SUSPENDED, TRUE, CONDITION_SUSPENDED, clock=clock)
        elif suspend == CONDITION_SUSPENDED:
            if cluster.spec.suspend is False:
                set_condition(conditions, CONDITION_SUSPENDED, FALSE, CONDITION_SUSPENDED, clock=clock)
        else:
            set_condition(conditions, CONDITION_SUSPENDED, FALSE, CONDITION_SUSPENDED, clock=clock)
            requested = TRUE if suspend_requested else FALSE
            set_condition(conditions, CONDITION_SUSPENDING, requested, CONDITION_SUSPENDING, clock=clock)

    if suspend_requested and not pods:
        status["state"] = STATE_SUSPENDED

    endpoints = _endpoints(status.get("endpoints"), observed.head_service)
    if endpoints:
        status["endpoints"] = endpoints
    head_info: dict[str, str] = {
        "podIP": str((head or {}).get("status", {}).get("podIP", "")) if head else "",
        "podName": str((head or {}).get("metadata", {}).get("name", "")) if head else "",
    }
    if observed.head_service is not None:
        svc_spec = observed.head_service.get("spec") or {}
        cluster_ip = svc_spec.get("clusterIP", "")
        head_info["serviceIP"] = head_info["podIP"] if cluster_ip == "None" else str(cluster_ip)
        head_info["serviceName"] = str((observed.head_service.get("metadata") or {}).get("name", ""))
    status["head"] = {k: v for k, v in head_info.items() if v}

    now = clock()
    status["lastUpdateTime"] = now
    if status.get("state", "") != previous_state and status.get("state"):
        transitions = dict(status.get("stateTransitionTimes") or {})
        transitions[status["state"]] = now
        status["stateTransitionTimes"] = transitions
    if not conditions:
        status.pop("conditions")
    return status


def validation_failed_status(
    previous: Mapping[str, Any] | None,
    generation: int,
    reason: str,
    message: str,
    clock: Callable[[], str] = now_rfc3339,
) -> dict[str, Any]:
    """Status for a spec the operator refuses to act on: the rest of the status is left as is."""
    status: dict[str, Any] = copy.deepcopy(dict(previous or {}))
    conditions: list[dict[str, Any]] = status.get("conditions") or []
    set_condition(conditions, CONDITION_VALIDATION_FAILED, TRUE, reason, message, clock=clock)
    status["conditions"] = conditions
    status["observedGeneration"] = generation
    status["reason"] = message
    return status
