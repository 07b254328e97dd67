"""The dashboard client against a real Ray head on loopback: jobs end to end, Serve details.

The client is reached through ``--ray-address-override`` (``*=<head>``), as the operator under test
reaches its clusters' dashboards, so the override path is exercised against real Ray too. The three
jobs run concurrently to keep the module well under a minute once the head is up.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator

import pytest

from ray_head import RayHead, serve_available
from ray_operator.config import OperatorConfig
from ray_operator.dashboard.client import DashboardClient, DashboardError, Dashboards, JobInfo, SubmissionIdInUse
from ray_operator.models.rayjob import TERMINAL_JOB_STATUSES

pytestmark = [pytest.mark.ray, pytest.mark.timeout(240)]


@pytest.fixture
async def client(ray_head: RayHead) -> AsyncIterator[DashboardClient]:
    config = OperatorConfig(ray_address_overrides={"*": ray_head.dashboard_address})
    # KubeRay's 2 s is meant for a dashboard with a core to itself; this one shares 2 cores with the suite.
    async with Dashboards(config, direct_timeout=15.0) as dashboards:
        yield dashboards.for_cluster(
            namespace="t-ray",
            cluster="real",
            dashboard_url="real-head-svc.t-ray.svc.cluster.local:8265",
            head_service="real-head-svc",
        )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def wait_for(
    client: DashboardClient, job_id: str, statuses: set[str] | frozenset[str], within: float = 60.0
) -> JobInfo:
    deadline = time.monotonic() + within
    while True:
        info = await client.get_job_info(job_id)
        assert info is not None, f"job {job_id} vanished"
        if info.status in statuses:
            return info
        assert time.monotonic() < deadline, f"job {job_id} still {info.status} ({info.message}) after {within}s"
        await asyncio.sleep(0.25)


async def test_jobs_end_to_end(client: DashboardClient, ray_head: RayHead) -> None:
    ok, bad, sleeper = unique("ok"), unique("bad"), unique("sleep")
    started = time.monotonic()
    assert (
        await client.submit_job(
            {"entrypoint": "python -c \"print('hi')\"", "submission_id": ok, "metadata": {"test": "ok"}}
        )
        == ok
    )
    submit_seconds = time.monotonic() - started
    assert await client.submit_job({"entrypoint": 'python -c "import sys; sys.exit(3)"', "submission_id": bad}) == bad
    assert (
        await client.submit_job({"entrypoint": 'python -c "import time; time.sleep(300)"', "submission_id": sleeper})
        == sleeper
    )

    # The same submission id again: Ray's 500 becomes KubeRay's message.
    with pytest.raises(SubmissionIdInUse) as dup:
        await client.submit_job({"entrypoint": "python -c \"print('hi')\"", "submission_id": ok})
    assert str(dup.value) == f"submission ID '{ok}' already used, Please use a different submission_id"

    done = await wait_for(client, ok, TERMINAL_JOB_STATUSES)
    assert done.status == "SUCCEEDED", done
    assert done.submission_id == ok and done.entrypoint == "python -c \"print('hi')\""
    assert done.metadata == {"test": "ok"}
    assert 0 < done.start_time <= done.end_time
    assert "hi" in (await client.get_job_log(ok) or "")

    failed = await wait_for(client, bad, TERMINAL_JOB_STATUSES)
    assert failed.status == "FAILED" and failed.message, failed

    await wait_for(client, sleeper, {"RUNNING"})
    await client.stop_job(sleeper)
    stopped = await wait_for(client, sleeper, TERMINAL_JOB_STATUSES, within=30)
    assert stopped.status == "STOPPED", stopped
    await client.stop_job(sleeper)  # Ray says stopped=false; the job is terminal, so no error (KubeRay)

    listed = await client.list_jobs()
    assert listed is not None and {ok, bad, sleeper} <= {j.submission_id for j in listed}

    await client.delete_job(bad)
    assert await client.get_job_info(bad) is None
    print(f"[dashboard] first submission answered in {submit_seconds:.2f}s")


async def test_unknown_jobs(client: DashboardClient) -> None:
    assert await client.get_job_info("no-such-job") is None
    assert await client.get_job_log("no-such-job") is None
    with pytest.raises(DashboardError):
        await client.stop_job("no-such-job")


async def test_serve_details_without_applications(client: DashboardClient) -> None:
    if not serve_available():
        pytest.skip("ray[serve] is not importable")
    details = await client.get_serve_details()
    assert details.get("applications") in ({}, None), details


HELLO_APP = """
from ray import serve


@serve.deployment(num_replicas=1, ray_actor_options={"num_cpus": 0.1})
class Hello:
    def __call__(self, request):
        return "hello"


app = Hello.bind()
"""


async def test_serve_deploy_and_proxy_health(client: DashboardClient, ray_head: RayHead) -> None:
    """PUT a one-app config, see it RUNNING in the details and the proxy healthy; then shut Serve down."""
    if not serve_available():
        pytest.skip("ray[serve] is not importable")
    app_dir = ray_head.temp_dir / "serve-app"
    app_dir.mkdir(exist_ok=True)
    (app_dir / "hello_app.py").write_text(HELLO_APP)
    config = {
        "http_options": {"host": "127.0.0.1", "port": ray_head.serve_port},
        "applications": [
            {
                "name": "hello",
                "route_prefix": "/",
                "import_path": "hello_app:app",
                "runtime_env": {"env_vars": {"PYTHONPATH": str(app_dir)}},
            }
        ],
    }
    overrides = {"*": ray_head.dashboard_address}
    async with Dashboards(OperatorConfig(ray_address_overrides=overrides), direct_timeout=30.0) as dashboards:
        # No ':serve' key: the proxy is found at the dashboard override's host and the Pod's serve port.
        proxy = dashboards.serve_proxy_for_pod(
            namespace="t-ray", pod="real-head-x", pod_ip="10.0.0.1", port=ray_head.serve_port, cluster="real"
        )
        try:
            await client.update_deployments(json.dumps(config).encode())
            deadline = time.monotonic() + 90
            while True:
                details = await client.get_serve_details()
                app = (details.get("applications") or {}).get("hello") or {}
                try:
                    await proxy.check_health()
                    healthy = True
                except DashboardError:
                    healthy = False
                if app.get("status") == "RUNNING" and healthy:
                    break
                assert time.monotonic() < deadline, f"serve app not RUNNING/healthy: {app}"
                await asyncio.sleep(0.5)
            assert app["deployments"]["Hello"]["status"] == "HEALTHY"
        finally:
            await asyncio.to_thread(_shutdown_serve, ray_head)


def _shutdown_serve(head: RayHead) -> None:
    """``DELETE /api/serve/applications/`` (not a KubeRay call) so later users get a clean head."""
    request = urllib.request.Request(f"{head.dashboard_url}/api/serve/applications/", method="DELETE")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=60) as resp:
        resp.read()
