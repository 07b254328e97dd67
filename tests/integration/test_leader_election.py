"""Two operator replicas with leader election: one leads, the other waits and takes over."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from helpers import ray_pods, raycluster_manifest, set_worker_replicas, stays, wait_ready, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def _holder(cluster: LocalCluster, namespace: str) -> str:
    out = cluster.kubectl("-n", namespace, "get", "lease", "ray-operator-leader", "-o", "json", check=False)
    if out.returncode != 0:
        return ""
    return str(json.loads(out.stdout)["spec"].get("holderIdentity") or "")


@pytest.fixture
def private_namespace(crds_installed: LocalCluster) -> Iterator[str]:
    """Outside the shared operator's ``t-*`` namespaces, so only the operators under test act here."""
    name = f"leader-{uuid.uuid4().hex[:5]}"
    crds_installed.kubectl("create", "namespace", name)
    try:
        yield name
    finally:
        crds_installed.kubectl("delete", "namespace", name, "--wait=false", check=False)


def test_standby_takes_over_when_the_leader_stops(crds_installed: LocalCluster, private_namespace: str) -> None:
    namespace = private_namespace
    args = [
        "--enable-leader-election=true",
        f"--leader-election-namespace={namespace}",
        f"--watch-namespace={namespace}",
    ]
    first = OperatorProcess(crds_installed, extra_args=args).start()
    second: OperatorProcess | None = None
    try:
        wait_until(lambda: _holder(crds_installed, namespace), 30, "a lease holder")
        leader = _holder(crds_installed, namespace)
        second = OperatorProcess(crds_installed, extra_args=args).start()
        # The follower answers its probes but does not lead.
        assert second.get(f"{second.health_url}/readyz") == (200, "standby")
        # Only the leader reconciles: one set of pods, not two.
        manifest = raycluster_manifest("led", replicas=2)
        manifest["metadata"]["namespace"] = namespace
        crds_installed.kubectl("create", "-f", "-", input=json.dumps(manifest))
        wait_ready(crds_installed, namespace, "led", 2)
        stays(lambda: len(ray_pods(crds_installed, namespace, "led")) == 3, 2.0, "exactly one head and two workers")
        assert _holder(crds_installed, namespace) == leader
        assert "became leader" not in second.logs()

        assert first.stop() == 0, first.logs()[-2000:]
        # A clean shutdown releases the lease, so the follower takes over within a retry period or two.
        wait_until(lambda: _holder(crds_installed, namespace) not in ("", leader), 20, "the follower to take over")
        wait_until(lambda: second.get(f"{second.health_url}/readyz") == (200, "ok"), 30, "the new leader to be ready")
        assert "became leader" in second.logs()
        # The new leader adopts the cluster as it is: no duplicate pods after the hand-over.
        set_worker_replicas(crds_installed, namespace, "led", 3)
        wait_ready(crds_installed, namespace, "led", 3)
        stays(lambda: len(ray_pods(crds_installed, namespace, "led")) == 4, 2.0, "exactly one head and three workers")
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.logs()[-2000:]
