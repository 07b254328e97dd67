"""Two operator replicas with leader election: one leads, the other waits and takes over."""

from __future__ import annotations

import json
import time

import pytest

from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def _holder(cluster: LocalCluster, namespace: str) -> str:
    out = cluster.kubectl("-n", namespace, "get", "lease", "ray-operator-leader", "-o", "json", check=False)
    if out.returncode != 0:
        return ""
    return str(json.loads(out.stdout)["spec"].get("holderIdentity") or "")


def _wait(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_standby_takes_over_when_the_leader_stops(crds_installed: LocalCluster, namespace: str) -> None:
    args = [
        "--enable-leader-election=true",
        f"--leader-election-namespace={namespace}",
        f"--watch-namespace={namespace}",  # stay out of the namespaces of other tests
    ]
    first = OperatorProcess(crds_installed, extra_args=args).start()
    second: OperatorProcess | None = None
    try:
        _wait(lambda: _holder(crds_installed, namespace), 30, "a lease holder")
        leader = _holder(crds_installed, namespace)
        second = OperatorProcess(crds_installed, extra_args=args).start()
        # The follower answers its probes but does not lead.
        assert second.get(f"{second.health_url}/readyz") == (200, "standby")
        time.sleep(3)  # a few renew periods: the lease must stay with the first replica
        assert _holder(crds_installed, namespace) == leader
        assert "became leader" not in second.logs()

        assert first.stop() == 0, first.logs()[-2000:]
        # A clean shutdown releases the lease, so the follower takes over within a retry period or two.
        _wait(lambda: _holder(crds_installed, namespace) not in ("", leader), 20, "the follower to take over")
        _wait(lambda: second.get(f"{second.health_url}/readyz") == (200, "ok"), 30, "the new leader to be ready")
        assert "became leader" in second.logs()
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.logs()[-2000:]
