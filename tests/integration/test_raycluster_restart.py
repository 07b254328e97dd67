"""An operator SIGKILLed in the middle of scaling converges after restart: no duplicate, no missing pod.

The operator keeps no state outside the API server (scale expectations are in memory only), so a
fresh process must recompute the same plan from what exists. These tests kill it while it is
half-way through creating (then deleting) workers and count the pods the restarted one leaves.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from helpers import (
    create,
    events,
    live,
    raycluster_manifest,
    set_worker_replicas,
    stays,
    wait_ready,
    workers,
)
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

BIG = 40
SMALL = 5


def _kill_when(
    operator: OperatorProcess, count: Callable[[], int], done: Callable[[int], bool], timeout: float = 30.0
) -> int:
    """SIGKILL the operator as soon as ``done(count())`` says it is mid-way; return the count seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = count()
        if done(seen):
            operator.kill()
            return seen
    raise AssertionError("the operator never reached the point where the test kills it")


def test_killed_mid_scale_up_and_mid_scale_down_converges_exactly(
    kube_cluster: LocalCluster, namespace: str, restartable: OperatorProcess
) -> None:
    operator = restartable
    create(kube_cluster, namespace, raycluster_manifest("crash", replicas=1))
    wait_ready(kube_cluster, namespace, "crash", 1)

    def count() -> int:
        return len(workers(kube_cluster, namespace, "crash"))

    # Scale up; kill as soon as some but not all new workers exist.
    set_worker_replicas(kube_cluster, namespace, "crash", BIG)
    seen = _kill_when(operator, count, lambda n: BIG // 4 <= n < BIG)
    at_kill = count()
    print(f"scale-up: killed at {seen}, {at_kill} workers after the kill")
    assert at_kill < BIG, f"all {BIG} pods existed by the time the operator died"
    operator.start()
    most = 0

    def settled() -> bool:
        nonlocal most
        pods = workers(kube_cluster, namespace, "crash")
        most = max(most, len(pods))
        return len(pods) == BIG

    _wait_fast(settled, timeout=60)
    rc = wait_ready(kube_cluster, namespace, "crash", BIG, timeout=60)
    assert most == BIG, f"saw {most} worker pods at some point; wanted never more than {BIG}"
    pods = workers(kube_cluster, namespace, "crash")
    assert len(pods) == len(live(pods)) == BIG
    indices = sorted(int(p["metadata"]["labels"]["ray.io/worker-group-replica-index"]) for p in pods)
    assert indices == list(range(BIG)), "every replica index exactly once"
    assert not events(kube_cluster, namespace, "DeletedWorkerPod"), "no surplus pod was created and removed"
    assert rc["status"]["readyWorkerReplicas"] == BIG
    stays(lambda: count() == BIG, 1.0, f"{BIG} workers")

    # Scale down; kill as soon as some but not all surplus workers are gone.
    set_worker_replicas(kube_cluster, namespace, "crash", SMALL)
    seen = _kill_when(operator, count, lambda n: SMALL < n <= BIG - BIG // 4)
    at_kill = count()
    print(f"scale-down: killed at {seen}, {at_kill} workers after the kill")
    assert at_kill > SMALL, "the operator finished scaling down before it died"
    operator.start()
    least = BIG

    def shrunk() -> bool:
        nonlocal least
        n = count()
        least = min(least, n)
        return n == SMALL

    _wait_fast(shrunk, timeout=60)
    rc = wait_ready(kube_cluster, namespace, "crash", SMALL, timeout=60)
    assert least == SMALL, f"saw only {least} workers at some point; wanted never fewer than {SMALL}"
    assert rc["status"]["desiredWorkerReplicas"] == SMALL
    stays(lambda: count() == SMALL, 1.0, f"{SMALL} workers")


def _wait_fast(check: Callable[[], bool], timeout: float) -> None:
    """Wait for ``check`` to hold, polling fast (so the extremes it records along the way are real)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out after {timeout}s"
        time.sleep(0.02)
