"""A dashboard that hangs, fails or answers garbage never stalls other RayJobs or crashes the operator.

One namespace's dashboards are sent to a scripted fake (``ns/*`` override); another RayJob, on the
real Ray head, must complete in its usual time meanwhile.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from conftest import RAY_OVERRIDE_FILE
from fake_dashboard import FakeDashboard
from helpers import create, wait_until
from operator_process import OperatorProcess
from ray_head import RayHead
from ray_operator.localcluster.cluster import LocalCluster
from rayjob_helpers import rayjob_manifest, rj_status, wait_deployment

OK = "python -c \"print('ok')\""


@pytest.fixture
def faulty_namespace(kube_cluster: LocalCluster, ray_head: RayHead) -> Iterator[tuple[str, FakeDashboard]]:
    """A namespace whose dashboards are a fake that hangs for 30 s on every job request."""
    name = f"t-faulty-{uuid.uuid4().hex[:5]}"
    kube_cluster.kubectl("create", "namespace", name)
    with FakeDashboard() as fake:
        fake.script("GET", "/api/jobs/*", delay=30)
        fake.script("POST", "/api/jobs/*", delay=30)
        original = RAY_OVERRIDE_FILE.read_text()
        RAY_OVERRIDE_FILE.write_text(f"{name}/*={fake.address}\n{original}")
        try:
            yield name, fake
        finally:
            RAY_OVERRIDE_FILE.write_text(original)
            kube_cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


def test_hanging_then_failing_dashboard_shows_in_status_and_stalls_nobody(
    kube_cluster: LocalCluster,
    namespace: str,
    ray_operator: OperatorProcess,
    ray_head: RayHead,
    faulty_namespace: tuple[str, FakeDashboard],
) -> None:
    bad_ns, fake = faulty_namespace
    wait_until(lambda: kube_cluster.request("GET", f"/api/v1/namespaces/{bad_ns}/serviceaccounts/default")[0] == 200)
    create(kube_cluster, bad_ns, rayjob_manifest("stuck", OK, submissionMode="HTTPMode"))
    wait_until(lambda: fake.requests, timeout=120, what="the operator reaching the fake dashboard")
    t0 = time.monotonic()
    create(kube_cluster, namespace, rayjob_manifest("fine", OK, submissionMode="HTTPMode"))
    status = wait_deployment(kube_cluster, namespace, "fine", "Complete", "Failed", timeout=120)
    assert status["jobDeploymentStatus"] == "Complete"
    print(f"healthy RayJob completed in {time.monotonic() - t0:.1f}s next to a hanging dashboard")

    stuck = wait_until(
        lambda: (s := rj_status(kube_cluster, bad_ns, "stuck")).get("jobStatusCheckFailureStartTime") and s,
        timeout=30,
        what="the failure clock started for the hanging dashboard",
    )
    assert stuck["jobDeploymentStatus"] == "Running"
    # Now garbage and 5xx instead of silence: still Running, the clock keeps its first value.
    fake.clear_scripts()
    fake.script("GET", "/api/jobs/*", body="<html>not json</html>", content_type="text/html")
    fake.script("POST", "/api/jobs/*", status=503, body="unavailable")
    seen = len(fake.requests)
    wait_until(lambda: len(fake.requests) >= seen + 2, timeout=30, what="more polls of the broken dashboard")
    again = rj_status(kube_cluster, bad_ns, "stuck")
    assert again["jobDeploymentStatus"] == "Running"
    assert again["jobStatusCheckFailureStartTime"] == stuck["jobStatusCheckFailureStartTime"]
    assert ray_operator.proc is not None and ray_operator.proc.poll() is None
    assert "Traceback" not in ray_operator.logs()
