"""Specs the API server admits but the operator cannot act on are reported, and fixing them heals.

Two kinds: a spec KubeRay's validation rejects (Warning ``InvalidRayClusterSpec`` + our
``ValidationFailed`` condition), and a pod template with a mistyped field, which is free-form at
admission but fails the strict pod create (``ReplicaFailure`` + ``FailedToCreateHeadPod``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpers import (
    condition,
    condition_is,
    create,
    events,
    patch_raycluster,
    ray_pods,
    raycluster,
    raycluster_manifest,
    stays,
    wait_ready,
    wait_until,
)
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def _autoscaler_v2_with_restart_always(manifest: dict[str, Any]) -> None:
    manifest["spec"]["enableInTreeAutoscaling"] = True
    manifest["spec"]["autoscalerOptions"] = {"version": "v2"}
    manifest["spec"]["workerGroupSpecs"][0]["template"]["spec"]["restartPolicy"] = "Always"


def _v2_env_without_autoscaling(manifest: dict[str, Any]) -> None:
    head = manifest["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    head["env"] = [{"name": "RAY_enable_autoscaler_v2", "value": "true"}]


CASES: dict[str, tuple[Callable[[dict[str, Any]], None], str, list[dict[str, Any]]]] = {
    "autoscaler-v2-restart-always": (
        _autoscaler_v2_with_restart_always,
        "restartPolicy for worker group small should be Never or unset when using autoscaler V2",
        [{"op": "replace", "path": "/spec/workerGroupSpecs/0/template/spec/restartPolicy", "value": "Never"}],
    ),
    "v2-env-without-autoscaling": (
        _v2_env_without_autoscaling,
        "environment variable RAY_enable_autoscaler_v2 cannot be set to 'true' when enableInTreeAutoscaling is "
        "false. Please set enableInTreeAutoscaling: true to use autoscaler v2",
        [{"op": "remove", "path": "/spec/headGroupSpec/template/spec/containers/0/env"}],
    ),
}


def _wait_reported(
    cluster: LocalCluster, namespace: str, name: str, condition_type: str, event_reason: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Wait for condition ``condition_type=True`` and Warning events ``event_reason``; return both."""

    def reported() -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        rc = raycluster(cluster, namespace, name)
        found = events(cluster, namespace, event_reason, "Warning")
        return (rc, found) if condition_is(rc, condition_type, "True") and found else None

    result: tuple[dict[str, Any], list[dict[str, Any]]] = wait_until(
        reported, what=f"{condition_type} condition and {event_reason} event"
    )
    return result


@pytest.mark.parametrize("case", sorted(CASES))
def test_invalid_spec_is_reported_and_fixing_it_clears_the_report(
    case: str, kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    break_spec, message, fix = CASES[case]
    manifest = raycluster_manifest("bad", replicas=1)
    break_spec(manifest)
    create(kube_cluster, namespace, manifest)

    rc, found = _wait_reported(kube_cluster, namespace, "bad", "ValidationFailed", "InvalidRayClusterSpec")
    cond = condition(rc, "ValidationFailed")
    assert cond is not None
    assert (cond["reason"], cond["message"]) == ("InvalidRayClusterSpec", message)
    assert rc["status"]["observedGeneration"] == rc["metadata"]["generation"]
    (event,) = found
    assert event["note"] == f"The RayCluster spec is invalid {namespace}/bad: {message}"
    assert (event["reportingController"], event["action"]) == ("raycluster-controller", "Validate")
    assert (event["regarding"]["kind"], event["regarding"]["name"]) == ("RayCluster", "bad")
    # Nothing is created for an invalid spec.
    stays(lambda: not ray_pods(kube_cluster, namespace, "bad"), 1.0, "no pods for an invalid spec")

    patch_raycluster(kube_cluster, namespace, "bad", fix, type_="json")
    rc = wait_ready(kube_cluster, namespace, "bad", 1)
    assert condition(rc, "ValidationFailed") is None
    assert "reason" not in rc["status"]
    assert condition_is(rc, "RayClusterProvisioned", "True", "AllPodRunningAndReadyFirstTime")


def test_mistyped_pod_template_field_fails_the_strict_pod_create_and_is_reported(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("typo", replicas=1)
    manifest["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["imagePullPolize"] = "Always"
    created = create(kube_cluster, namespace, manifest)
    # Admission keeps the free-form template as written.
    assert created["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["imagePullPolize"] == "Always"

    rc, found = _wait_reported(kube_cluster, namespace, "typo", "ReplicaFailure", "FailedToCreateHeadPod")
    cond = condition(rc, "ReplicaFailure")
    assert cond is not None
    assert cond["reason"] == "FailedCreateHeadPod"
    assert "imagePullPolize" in cond["message"], cond
    assert condition_is(rc, "HeadPodReady", "False", "HeadPodNotFound")
    assert rc["status"].get("state") != "ready"
    notes = [e["note"] for e in found]
    assert all(n.startswith(f"Failed to create head Pod {namespace}/typo-head-") for n in notes), notes
    assert all("imagePullPolize" in n for n in notes), notes
    assert not ray_pods(kube_cluster, namespace, "typo", "ray.io/node-type=head")

    patch_raycluster(
        kube_cluster,
        namespace,
        "typo",
        [{"op": "remove", "path": "/spec/headGroupSpec/template/spec/containers/0/imagePullPolize"}],
        type_="json",
    )
    rc = wait_ready(kube_cluster, namespace, "typo", 1, timeout=60)
    assert condition(rc, "ReplicaFailure") is None
