"""RayCluster status computation: KubeRay's fields, conditions and transitions."""

from __future__ import annotations

from typing import Any

from ray_operator.framework.conditions import find_condition
from ray_operator.models import RayCluster
from ray_operator.reconcilers.raycluster.status import (
    Observed,
    compute_status,
    head_pod_ready_condition,
    validation_failed_status,
)

CLOCK = "2026-11-21T10:00:00Z"


def clock() -> str:
    return CLOCK


def cluster(replicas: int = 2, suspend: bool | None = None, generation: int = 3) -> RayCluster:
    spec: dict[str, Any] = {
        "headGroupSpec": {
            "rayStartParams": {},
            "template": {
                "spec": {
                    "containers": [
                        {"name": "ray-head", "image": "ray", "resources": {"requests": {"cpu": "1", "memory": "2Gi"}}}
                    ]
                }
            },
        },
        "workerGroupSpecs": [
            {
                "groupName": "w",
                "replicas": replicas,
                "minReplicas": 0,
                "maxReplicas": 10,
                "rayStartParams": {},
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "ray-worker",
                                "image": "ray",
                                "resources": {"limits": {"cpu": "2", "memory": "1Gi", "nvidia.com/gpu": "1"}},
                            }
                        ]
                    }
                },
            }
        ],
    }
    if suspend is not None:
        spec["suspend"] = suspend
    return RayCluster.from_body(
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {"name": "rc", "namespace": "ns", "uid": "u1", "generation": generation},
            "spec": spec,
        }
    )


def pod(name: str, node_type: str, ready: bool = True, phase: str = "Running", ip: str = "10.0.0.1") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"ray.io/node-type": node_type, "ray.io/cluster": "rc"}},
        "spec": {"containers": [{"name": "ray"}]},
        "status": {
            "phase": phase,
            "podIP": ip,
            "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
        },
    }


HEAD_SVC = {
    "metadata": {"name": "rc-head-svc"},
    "spec": {
        "clusterIP": "None",
        "ports": [
            {"name": "dashboard", "port": 8265, "targetPort": 8265},
            {"name": "client", "port": 10001, "targetPort": 10001},
            {"name": "", "port": 1, "targetPort": 1},
        ],
    },
}


def conditions(status: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["type"]: (c["status"], c["reason"]) for c in status.get("conditions", [])}


def test_all_pods_ready_makes_the_cluster_ready_with_kuberay_fields() -> None:
    pods = [pod("h", "head", ip="10.0.0.9"), pod("w1", "worker"), pod("w2", "worker")]
    status = compute_status(cluster(), {}, Observed(pods=pods, head_service=HEAD_SVC), clock)
    assert status["state"] == "ready"
    assert status["stateTransitionTimes"] == {"ready": CLOCK}
    assert status["observedGeneration"] == 3
    assert (status["readyWorkerReplicas"], status["availableWorkerReplicas"]) == (2, 2)
    assert (status["desiredWorkerReplicas"], status["minWorkerReplicas"], status["maxWorkerReplicas"]) == (2, 0, 10)
    assert (status["desiredCPU"], status["desiredMemory"], status["desiredGPU"], status["desiredTPU"]) == (
        "5",
        "4Gi",
        "2",
        "0",
    )
    assert status["endpoints"] == {"dashboard": "8265", "client": "10001"}
    # A headless head Service reports the head pod's IP as the service IP, as KubeRay does.
    assert status["head"] == {
        "podIP": "10.0.0.9",
        "podName": "h",
        "serviceIP": "10.0.0.9",
        "serviceName": "rc-head-svc",
    }
    assert conditions(status) == {
        "HeadPodReady": ("True", "HeadPodRunningAndReady"),
        "RayClusterProvisioned": ("True", "AllPodRunningAndReadyFirstTime"),
        "RayClusterSuspended": ("False", "RayClusterSuspended"),
        "RayClusterSuspending": ("False", "RayClusterSuspending"),
    }


def test_missing_worker_keeps_state_and_provisioning() -> None:
    status = compute_status(cluster(), {}, Observed(pods=[pod("h", "head")], head_service=HEAD_SVC), clock)
    assert "state" not in status
    assert conditions(status)["RayClusterProvisioned"] == ("False", "RayClusterPodsProvisioning")


def test_provisioned_stays_true_and_state_is_sticky() -> None:
    pods = [pod("h", "head"), pod("w1", "worker"), pod("w2", "worker")]
    first = compute_status(cluster(), {}, Observed(pods=pods, head_service=HEAD_SVC), clock)
    degraded = [pod("h", "head"), pod("w1", "worker", ready=False)]
    second = compute_status(cluster(), first, Observed(pods=degraded, head_service=HEAD_SVC), clock)
    assert second["state"] == "ready"  # KubeRay never resets state
    assert conditions(second)["RayClusterProvisioned"] == ("True", "AllPodRunningAndReadyFirstTime")
    assert second["readyWorkerReplicas"] == 0 and second["availableWorkerReplicas"] == 1


def test_endpoints_only_grow() -> None:
    previous = {"endpoints": {"serve": "8000"}}
    status = compute_status(cluster(), previous, Observed(pods=[], head_service=HEAD_SVC), clock)
    assert status["endpoints"] == {"serve": "8000", "dashboard": "8265", "client": "10001"}


def test_replica_failure_is_set_and_cleared() -> None:
    failed = compute_status(
        cluster(),
        {},
        Observed(pods=[], head_service=None, replica_failure=("FailedCreateHeadPod", "boom"), error=True),
        clock,
    )
    condition = find_condition(failed["conditions"], "ReplicaFailure")
    assert condition is not None and (condition["status"], condition["reason"], condition["message"]) == (
        "True",
        "FailedCreateHeadPod",
        "boom",
    )
    assert conditions(failed)["HeadPodReady"] == ("False", "HeadPodNotFound")
    ok = compute_status(cluster(), failed, Observed(pods=[], head_service=None), clock)
    assert "ReplicaFailure" not in conditions(ok)


def test_suspend_walks_through_suspending_to_suspended_and_back() -> None:
    pods = [pod("h", "head"), pod("w1", "worker"), pod("w2", "worker")]
    running = compute_status(cluster(), {}, Observed(pods=pods, head_service=HEAD_SVC), clock)
    suspending = compute_status(cluster(suspend=True), running, Observed(pods=pods, head_service=HEAD_SVC), clock)
    assert conditions(suspending)["RayClusterSuspending"] == ("True", "RayClusterSuspending")
    suspended = compute_status(cluster(suspend=True), suspending, Observed(pods=[], head_service=HEAD_SVC), clock)
    assert suspended["state"] == "suspended"
    assert conditions(suspended)["RayClusterSuspending"] == ("False", "RayClusterSuspending")
    assert conditions(suspended)["RayClusterSuspended"] == ("True", "RayClusterSuspended")
    provisioned = find_condition(suspended["conditions"], "RayClusterProvisioned")
    assert provisioned is not None and provisioned["message"] == "RayCluster has been suspended"
    resumed = compute_status(cluster(suspend=False), suspended, Observed(pods=[], head_service=HEAD_SVC), clock)
    assert conditions(resumed)["RayClusterSuspended"] == ("False", "RayClusterSuspended")


def test_conditions_gate_off_writes_no_conditions() -> None:
    pods = [pod("h", "head"), pod("w1", "worker"), pod("w2", "worker")]
    status = compute_status(cluster(), {}, Observed(pods=pods, head_service=HEAD_SVC, conditions_enabled=False), clock)
    assert "conditions" not in status
    assert status["state"] == "ready"


def test_head_pod_ready_reason_explains_a_waiting_container() -> None:
    head = {
        "status": {
            "conditions": [
                {"type": "Ready", "status": "False", "reason": "ContainersNotReady", "message": "not ready"}
            ],
            "containerStatuses": [
                {"name": "ray-head", "state": {"waiting": {"reason": "ImagePullBackOff", "message": "no such image"}}}
            ],
        }
    }
    assert head_pod_ready_condition(head) == ("False", "ImagePullBackOff", "not ready; ray-head: no such image")
    assert head_pod_ready_condition({"status": {}}) == ("False", "Unknown", "")


def test_validation_failure_is_a_condition_and_clears_when_valid() -> None:
    invalid = validation_failed_status({"state": "ready"}, 4, "InvalidRayClusterSpec", "bad spec", clock)
    assert conditions(invalid)["ValidationFailed"] == ("True", "InvalidRayClusterSpec")
    assert invalid["reason"] == "bad spec" and invalid["observedGeneration"] == 4 and invalid["state"] == "ready"
    fixed = compute_status(cluster(), invalid, Observed(pods=[], head_service=None), clock)
    assert "ValidationFailed" not in conditions(fixed)
    assert "reason" not in fixed
