"""GitOps-safe autoscaling: Argo CD syncs between the real Ray autoscaler's changes.

The RayCluster and the Application are the shipped ``examples/argocd/`` files. Argo's syncs and
diffs are replayed with kubectl (``argo_replay``); the autoscaler is the real
``ray kuberay-autoscaler`` (v2) next to a real Ray head on loopback (``autoscaler_process``).
The recommended pattern keeps what the autoscaler set, in both directions; the others reset it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from argo_replay import ArgoApp
from autoscaler_process import Autoscaled
from helpers import Watch, heads, patch_raycluster, raycluster, stays, wait_until, workers
from ray_operator.localcluster.cluster import LocalCluster

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "argocd"
MANIFEST = EXAMPLES / "raycluster-autoscaling.yaml"
APPLICATION = EXAMPLES / "application-raycluster-autoscaling.yaml"
NAME = "raycluster-gitops"
SCALE_TIMEOUT = 90.0  # the autoscaler polls every 5 s; the shared 2-core machine can be slow


def manifest(**group: Any) -> dict[str, Any]:
    """The example RayCluster, with fields of its worker group overridden."""
    body: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    body["spec"]["workerGroupSpecs"][0].update(group)
    return body


def group(cluster: LocalCluster, namespace: str) -> dict[str, Any]:
    rc = raycluster(cluster, namespace, NAME)
    assert rc is not None
    result: dict[str, Any] = rc["spec"]["workerGroupSpecs"][0]
    return result


def wait_replicas(cluster: LocalCluster, namespace: str, replicas: int, autoscaled: Autoscaled) -> None:
    """Wait until the autoscaler has set ``replicas``."""

    def check() -> bool:
        assert autoscaled.alive(), f"the autoscaler exited:\n{autoscaled.log_tail()}"
        return group(cluster, namespace).get("replicas") == replicas

    try:
        wait_until(check, SCALE_TIMEOUT, f"the autoscaler to set replicas={replicas}", interval=0.2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nautoscaler log:\n{autoscaled.log_tail()}") from None


def wait_workers(cluster: LocalCluster, namespace: str, count: int) -> list[dict[str, Any]]:
    def check() -> list[dict[str, Any]] | bool:
        pods = [p for p in workers(cluster, namespace, NAME) if not p["metadata"].get("deletionTimestamp")]
        return (pods or True) if len(pods) == count else False

    found = wait_until(check, 30, f"{count} worker pods of {NAME}")
    return found if isinstance(found, list) else []


@pytest.fixture
def start_autoscaler(kube_cluster: LocalCluster, namespace: str) -> Iterator[Any]:
    """Start the real autoscaler once the cluster's head Pod exists; stopped after the test."""
    started: list[Autoscaled] = []

    def start() -> Autoscaled:
        head = wait_until(lambda: heads(kube_cluster, namespace, NAME), 30, "the head pod")[0]
        autoscaled = Autoscaled(kube_cluster, namespace, NAME, head["metadata"]["name"])
        started.append(autoscaled)
        return autoscaled.start()

    try:
        yield start
    finally:
        for autoscaled in started:
            autoscaled.stop()


@pytest.mark.parametrize("apply", ["server-side", "client-side"])
def test_recommended_pattern_keeps_what_the_autoscaler_set(
    kube_cluster: LocalCluster, ray_operator: object, namespace: str, start_autoscaler: Any, apply: str
) -> None:
    """ignoreDifferences + RespectIgnoreDifferences: up on demand, down through workersToDelete,
    an Argo sync after each change, and no diff."""
    app = ArgoApp.load(APPLICATION)
    assert app.respect_ignore and app.server_side and app.ignore, "the shipped Application lost its options"
    app = dataclasses.replace(app, server_side=apply == "server-side")
    desired = manifest()
    app.sync(kube_cluster, namespace, desired)
    autoscaled = start_autoscaler()

    autoscaled.add_demand()
    wait_replicas(kube_cluster, namespace, 1, autoscaled)
    pod = wait_workers(kube_cluster, namespace, 1)[0]["metadata"]["name"]
    assert app.diff(kube_cluster, namespace, desired) == []
    stored = app.sync(kube_cluster, namespace, desired)
    assert stored["spec"]["workerGroupSpecs"][0]["replicas"] == 1, "the sync reset what the autoscaler set"
    stays(lambda: len(wait_workers(kube_cluster, namespace, 1)) == 1, 3, "the worker after the sync")
    assert app.diff(kube_cluster, namespace, desired) == []

    with Watch(kube_cluster, namespace, "raycluster", NAME) as watch:
        autoscaled.cancel_demand()
        wait_replicas(kube_cluster, namespace, 0, autoscaled)
        stored = app.sync(kube_cluster, namespace, desired)
        assert stored["spec"]["workerGroupSpecs"][0]["replicas"] == 0
        wait_workers(kube_cluster, namespace, 0)
    deletes = [v["spec"]["workerGroupSpecs"][0].get("scaleStrategy", {}).get("workersToDelete") for v in watch.seen]
    assert [pod] in deletes, f"the scale-down did not go through workersToDelete: {deletes}"
    # Neither the operator nor autoscaler v2 empties workersToDelete until the next scale request:
    # the deleted Pod's name stays in the spec, and a sync must leave it there too.
    stored = app.sync(kube_cluster, namespace, desired)
    assert stored["spec"]["workerGroupSpecs"][0]["replicas"] == 0
    assert stored["spec"]["workerGroupSpecs"][0]["scaleStrategy"] == {"workersToDelete": [pod]}
    stays(lambda: not workers(kube_cluster, namespace, NAME), 3, "no worker after the sync")
    assert group(kube_cluster, namespace).get("replicas") == 0
    assert app.diff(kube_cluster, namespace, desired) == []
    # Ignoring replicas alone (the Ray guide's recipe) leaves that field as a perpetual diff.
    replicas_only = dataclasses.replace(app, ignore=(".spec.workerGroupSpecs[].replicas",))
    drift = replicas_only.diff(kube_cluster, namespace, desired)
    assert drift == [f'spec.workerGroupSpecs[0].scaleStrategy: {{"workersToDelete": ["{pod}"]}} -> null'], drift


def test_other_patterns_reset_the_autoscaler(
    kube_cluster: LocalCluster, ray_operator: object, namespace: str, start_autoscaler: Any
) -> None:
    """Without ignoreDifferences a sync resets the replicas the autoscaler set, and the diff shows it."""
    plain = ArgoApp()
    with_replicas = manifest(replicas=0)
    plain.sync(kube_cluster, namespace, with_replicas)
    autoscaled = start_autoscaler()
    autoscaled.add_demand()

    # Only this case is proven against the autoscaler: after a reset the operator keeps the worker Pod
    # (no random deletion with autoscaling, as KubeRay), so autoscaler v2 sees its instance and does
    # not raise replicas again; replaying the "replicas left out" cases needs a fresh cluster each.
    cases = [("replicas in Git, client-side", plain, with_replicas)]
    for what, app, desired in cases:
        wait_replicas(kube_cluster, namespace, 1, autoscaled)  # the demand is still there
        diff = app.diff(kube_cluster, namespace, desired)
        assert any(".replicas: 1 -> 0" in d for d in diff), f"{what}: Argo would not see the drift: {diff}"
        stored = app.sync(kube_cluster, namespace, desired)
        assert stored["spec"]["workerGroupSpecs"][0]["replicas"] == 0, f"{what}: the sync kept replicas"


def test_respected_ignores_hold_back_git_changes_of_the_group(
    kube_cluster: LocalCluster, ray_operator: object, namespace: str
) -> None:
    """The cost of the recommended pattern, as Argo implements it: RespectIgnoreDifferences copies
    the whole live workerGroupSpecs list into what it applies, so a Git change elsewhere in a
    worker group is not applied, and the Application stays OutOfSync on it."""
    app = ArgoApp.load(APPLICATION)
    app.sync(kube_cluster, namespace, manifest())
    # What the autoscaler does (a JSON patch of replicas), without waiting for it.
    patch_raycluster(
        kube_cluster,
        namespace,
        NAME,
        [{"op": "replace", "path": "/spec/workerGroupSpecs/0/replicas", "value": 2}],
        "json",
    )
    changed = manifest(maxReplicas=5)
    assert app.diff(kube_cluster, namespace, changed) == ["spec.workerGroupSpecs[0].maxReplicas: 3 -> 5"]
    stored = app.sync(kube_cluster, namespace, changed)
    assert stored["spec"]["workerGroupSpecs"][0]["maxReplicas"] == 3
    assert stored["spec"]["workerGroupSpecs"][0]["replicas"] == 2
    assert app.diff(kube_cluster, namespace, changed) != []
    # Fields outside workerGroupSpecs are synced as usual.
    other = copy.deepcopy(changed)
    other["spec"]["autoscalerOptions"]["idleTimeoutSeconds"] = 30
    stored = app.sync(kube_cluster, namespace, other)
    assert stored["spec"]["autoscalerOptions"]["idleTimeoutSeconds"] == 30, json.dumps(stored["spec"])
