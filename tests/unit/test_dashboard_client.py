"""The dashboard client against a scripted fake dashboard: paths, bodies, headers, errors (KubeRay 5.x)."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from fake_dashboard import FakeDashboard
from ray_operator.config import OperatorConfig
from ray_operator.dashboard.client import (
    DashboardClient,
    DashboardError,
    Dashboards,
    JobInfo,
    JobNotFound,
    SubmissionIdInUse,
)


@pytest.fixture
def fake() -> Iterator[FakeDashboard]:
    with FakeDashboard() as server:
        yield server


@pytest.fixture
async def dashboards() -> AsyncIterator[Dashboards]:
    async with Dashboards(OperatorConfig(), direct_timeout=1.0) as factory:
        yield factory


def client_for(dashboards: Dashboards, fake: FakeDashboard, token: str | None = None) -> DashboardClient:
    return dashboards.for_cluster(
        namespace="ns", cluster="c", dashboard_url=fake.address, head_service="c-head-svc", auth_token=token
    )


@pytest.fixture
def client(dashboards: Dashboards, fake: FakeDashboard) -> DashboardClient:
    return client_for(dashboards, fake)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- jobs


async def test_get_job_info_reads_kuberay_fields(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.set_job(
        "j1",
        job_id="02000000",
        status="RUNNING",
        message="running",
        start_time=1700000000123,
        end_time=None,
        entrypoint="python x.py",
        error_type=None,
        metadata={"owner": "me"},
        runtime_env={"pip": ["a"]},
    )
    info = await client.get_job_info("j1")
    assert info == JobInfo(
        job_id="02000000",
        submission_id="j1",
        status="RUNNING",
        message="running",
        start_time=1700000000123,
        end_time=0,
        entrypoint="python x.py",
        error_type=None,
        metadata={"owner": "me"},
        runtime_env={"pip": ["a"]},
    )
    req = fake.last("GET", "/api/jobs/j1")
    assert req.raw_path == "/api/jobs/j1" and req.body == b""
    assert "x-ray-authorization" not in req.headers


async def test_get_job_info_404_is_none(client: DashboardClient) -> None:
    assert await client.get_job_info("nope") is None


async def test_get_job_info_decodes_any_other_status_like_kuberay(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.script("GET", "/api/jobs/j", status=500, json_body={"status": "RUNNING"}, times=1)
    info = await client.get_job_info("j")
    assert info is not None and info.status == "RUNNING"
    fake.script("GET", "/api/jobs/j", status=500, body="boom", times=1)
    with pytest.raises(DashboardError) as err:
        await client.get_job_info("j")
    assert str(err.value) == "GetJobInfo fail: boom"


async def test_list_jobs(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.set_job("a", status="SUCCEEDED")
    fake.set_job("b", status="FAILED")
    jobs = await client.list_jobs()
    assert jobs is not None and sorted((j.submission_id, j.status) for j in jobs) == [
        ("a", "SUCCEEDED"),
        ("b", "FAILED"),
    ]
    assert fake.last("GET").raw_path == "/api/jobs/"
    fake.script("GET", "/api/jobs/", status=404, body="no")
    assert await client.list_jobs() is None


async def test_submit_job_posts_the_request_as_given(client: DashboardClient, fake: FakeDashboard) -> None:
    request = {
        "entrypoint": "python -c 'print(1)'",
        "submission_id": "rj-1",
        "metadata": {"k": "v"},
        "entrypoint_num_cpus": 1.5,
    }
    assert await client.submit_job(request) == "rj-1"
    req = fake.last("POST", "/api/jobs/")
    assert req.json() == request
    assert req.headers["content-type"] == "application/json"
    assert fake.jobs["rj-1"]["metadata"] == {"k": "v"}


async def test_submit_duplicate_submission_id(client: DashboardClient) -> None:
    await client.submit_job({"entrypoint": "true", "submission_id": "dup"})
    with pytest.raises(SubmissionIdInUse) as err:
        await client.submit_job({"entrypoint": "true", "submission_id": "dup"})
    assert str(err.value) == "submission ID 'dup' already used, Please use a different submission_id"
    assert err.value.submission_id == "dup" and isinstance(err.value, DashboardError)


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (500, "boom", "SubmitJob fail: 500 Internal Server Error boom"),
        (
            400,
            "Please use a different submission_id",
            "SubmitJob fail: 400 Bad Request Please use a different submission_id",
        ),
        (503, "", "SubmitJob fail: 503 Service Unavailable "),
        (200, "not json", "SubmitJob fail: not json"),
    ],
)
async def test_submit_failures(
    client: DashboardClient, fake: FakeDashboard, status: int, body: str, message: str
) -> None:
    fake.script("POST", "/api/jobs/", status=status, body=body)
    with pytest.raises(DashboardError) as err:
        await client.submit_job({"entrypoint": "true", "submission_id": "x"})
    assert type(err.value) is DashboardError and str(err.value) == message


async def test_stop_running_job(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.set_job("s", status="RUNNING")
    await client.stop_job("s")
    assert fake.jobs["s"]["status"] == "STOPPED"
    req = fake.last("POST", "/api/jobs/s/stop")
    assert req.body == b"" and req.headers["content-type"] == "application/json"


async def test_stop_not_stopped_is_an_error_only_while_not_terminal(
    client: DashboardClient, fake: FakeDashboard
) -> None:
    fake.set_job("done", status="SUCCEEDED")
    await client.stop_job("done")  # Ray answers stopped=false, the job is terminal: fine
    assert fake.last("GET").raw_path == "/api/jobs/done"
    fake.set_job("stuck", status="RUNNING")
    fake.script("POST", "/api/jobs/stuck/stop", json_body={"stopped": False})
    with pytest.raises(DashboardError) as err:
        await client.stop_job("stuck")
    assert str(err.value).startswith("failed to stop job: ") and "RUNNING" in str(err.value)


async def test_stop_unknown_job(client: DashboardClient, fake: FakeDashboard) -> None:
    with pytest.raises(DashboardError) as err:  # Ray answers 404 with text
        await client.stop_job("ghost")
    assert str(err.value) == "StopJob fail: 404 Not Found Job ghost does not exist"
    fake.script("POST", "/api/jobs/ghost/stop", json_body={"stopped": False})
    with pytest.raises(JobNotFound) as not_found:
        await client.stop_job("ghost")
    assert str(not_found.value) == "Job ghost does not exist on the cluster"


async def test_delete_job_ignores_the_answer(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.set_job("d")
    await client.delete_job("d")
    assert "d" not in fake.jobs and fake.last("DELETE").raw_path == "/api/jobs/d"
    fake.script("DELETE", "/api/jobs/d", status=500, body="garbage{")
    await client.delete_job("d")


async def test_get_job_log(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.set_job("l")
    fake.logs["l"] = "hi\n"
    assert await client.get_job_log("l") == "hi\n"
    assert fake.last("GET").raw_path == "/api/jobs/l/logs"
    assert await client.get_job_log("missing") is None


# --------------------------------------------------------------------------- serve


async def test_get_serve_details_returns_the_raw_answer(client: DashboardClient, fake: FakeDashboard) -> None:
    details = {
        "deploy_mode": "MULTI_APP",
        "controller_info": {"node_id": "n"},
        "applications": {
            "app": {
                "name": "app",
                "status": "RUNNING",
                "message": "",
                "route_prefix": None,
                "docs_path": None,
                "deployments": {"D": {"name": "D", "status": "HEALTHY", "message": "", "replicas": []}},
            }
        },
    }
    fake.serve_details = details
    assert await client.get_serve_details() == details
    req = fake.last("GET", "/api/serve/applications/")
    assert req.query == "api_type=declarative"


async def test_get_serve_details_errors(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.script("GET", "/api/serve/applications/", status=503, body="not yet", times=1)
    with pytest.raises(DashboardError) as err:
        await client.get_serve_details()
    assert str(err.value) == "GetServeDetails fail: 503 Service Unavailable not yet"
    fake.script("GET", "/api/serve/applications/", json_body={"applications": {"a": {"status": 3}}}, times=1)
    with pytest.raises(DashboardError) as err:
        await client.get_serve_details()
    assert str(err.value) == 'GetServeDetails failed. Failed to unmarshal bytes: {"applications": {"a": {"status": 3}}}'


async def test_update_deployments(client: DashboardClient, fake: FakeDashboard) -> None:
    config = b'{"applications":[{"name":"a","import_path":"m:app"}]}'
    await client.update_deployments(config)
    req = fake.last("PUT", "/api/serve/applications/")
    assert req.body == config and req.headers["content-type"] == "application/json"
    fake.script("PUT", "/api/serve/applications/", status=202, body="", times=1)
    await client.update_deployments(config)
    fake.script("PUT", "/api/serve/applications/", status=500, body="bad config")
    with pytest.raises(DashboardError) as err:
        await client.update_deployments(config)
    assert str(err.value) == "UpdateDeployments fail: 500 Internal Server Error bad config"


# --------------------------------------------------------------------------- garbage never escapes


GARBAGE = [b"", b"not json", b"[1, 2]", b'"text"', b"NaN", b"\xff\xfe", b"{", b"123"]
GARBAGE_JOB = [
    b'{"status": 5}',
    b'{"start_time": -1}',
    b'{"start_time": 1.5}',
    b'{"end_time": true}',
    b'{"metadata": {"a": 1}}',
    b'{"runtime_env": []}',
    b'{"error_type": 7}',
    b'{"start_time": 1e3}',
]


@pytest.mark.parametrize("body", GARBAGE + GARBAGE_JOB)
async def test_garbage_job_info(client: DashboardClient, fake: FakeDashboard, body: bytes) -> None:
    fake.script("GET", "/api/jobs/g", body=body)
    with pytest.raises(DashboardError, match=r"^GetJobInfo fail: "):
        await client.get_job_info("g")


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize(
    ("method", "path", "call"),
    [
        ("GET", "/api/jobs/", lambda c: c.list_jobs()),
        ("POST", "/api/jobs/", lambda c: c.submit_job({"entrypoint": "x"})),
        ("POST", "/api/jobs/g/stop", lambda c: c.stop_job("g")),
        ("GET", "/api/jobs/g/logs", lambda c: c.get_job_log("g")),
        ("GET", "/api/serve/applications/", lambda c: c.get_serve_details()),
    ],
)
async def test_garbage_is_always_a_dashboard_error(
    client: DashboardClient, fake: FakeDashboard, method: str, path: str, call: Any, body: bytes
) -> None:
    fake.script(method, path, body=body)
    with pytest.raises(DashboardError):
        await call(client)


@pytest.mark.parametrize(
    ("method", "path", "body", "call"),
    [
        ("POST", "/api/jobs/g/stop", b'{"stopped": "yes"}', lambda c: c.stop_job("g")),
        ("POST", "/api/jobs/", b'{"job_id": 7}', lambda c: c.submit_job({"entrypoint": "x"})),
        ("GET", "/api/jobs/g/logs", b'{"logs": ["a"]}', lambda c: c.get_job_log("g")),
        ("GET", "/api/jobs/", b'[{"status": 1}]', lambda c: c.list_jobs()),
        ("GET", "/api/serve/applications/", b'{"applications": {"a": 1}}', lambda c: c.get_serve_details()),
        ("GET", "/api/serve/applications/", b'{"applications": []}', lambda c: c.get_serve_details()),
        (
            "GET",
            "/api/serve/applications/",
            b'{"applications": {"a": {"deployments": {"d": {"status": {}}}}}}',
            lambda c: c.get_serve_details(),
        ),
    ],
)
async def test_wrongly_typed_fields_are_a_dashboard_error(
    client: DashboardClient, fake: FakeDashboard, method: str, path: str, body: bytes, call: Any
) -> None:
    fake.script(method, path, body=body)
    with pytest.raises(DashboardError):
        await call(client)


async def test_null_body_is_empty_like_go(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.script("GET", "/api/jobs/n", body="null")
    assert await client.get_job_info("n") == JobInfo()


# --------------------------------------------------------------------------- transport failures


async def test_timeout_is_bounded(fake: FakeDashboard) -> None:
    async with Dashboards(OperatorConfig(), direct_timeout=0.3) as factory:
        client = client_for(factory, fake)
        fake.script("GET", "/api/jobs/slow", delay=3)
        started = time.monotonic()
        with pytest.raises(
            DashboardError, match=r'^Get "http://127\.0\.0\.1:\d+/api/jobs/slow": no response within 0\.3s'
        ):
            await client.get_job_info("slow")
        assert time.monotonic() - started < 1.5


async def test_kuberay_default_timeouts(dashboards: Dashboards, fake: FakeDashboard) -> None:
    async with Dashboards(OperatorConfig()) as factory:
        client = client_for(factory, fake)
        assert client.timeout == 2.0
        fake.script("GET", "/api/jobs/slow", delay=4)
        started = time.monotonic()
        with pytest.raises(DashboardError, match="no response within 2s"):
            await client.get_job_info("slow")
        assert 1.9 < time.monotonic() - started < 3.0
    proxied = Dashboards(OperatorConfig(use_kubernetes_proxy=True), api_server="https://127.0.0.1:6443")
    assert proxied.for_cluster(namespace="n", cluster="c", dashboard_url="", head_service="s").timeout == 10.0


async def test_connection_refused(dashboards: Dashboards) -> None:
    port = closed_port()
    client = dashboards.for_cluster(namespace="n", cluster="c", dashboard_url=f"127.0.0.1:{port}", head_service="s")
    with pytest.raises(DashboardError, match=rf'^Get "http://127\.0\.0\.1:{port}/api/jobs/x": '):
        await client.get_job_info("x")
    with pytest.raises(DashboardError):
        await client.delete_job("x")


async def test_dropped_connection(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.script("*", "/api/jobs/*", drop=True)
    for call in (client.get_job_info("x"), client.submit_job({"entrypoint": "x"}), client.stop_job("x")):
        with pytest.raises(DashboardError, match="/api/jobs/"):
            await call


async def test_empty_dashboard_url_is_a_dashboard_error(dashboards: Dashboards) -> None:
    client = dashboards.for_cluster(namespace="n", cluster="c", dashboard_url="", head_service="s")
    assert client.base_url == "http://"
    with pytest.raises(DashboardError):
        await client.get_job_info("x")


async def test_event_loop_keeps_running_during_a_slow_call(client: DashboardClient, fake: FakeDashboard) -> None:
    fake.script("GET", "/api/jobs/slow", delay=0.5, times=1)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.02)

    ticker = asyncio.create_task(tick())
    try:
        assert await client.get_job_info("slow") is None
    finally:
        ticker.cancel()
    assert ticks >= 10


# --------------------------------------------------------------------------- addressing and headers


async def test_auth_header_on_every_call(dashboards: Dashboards, fake: FakeDashboard) -> None:
    client = client_for(dashboards, fake, token="s3cret")
    fake.set_job("a", status="RUNNING")
    await client.get_job_info("a")
    await client.list_jobs()
    await client.submit_job({"entrypoint": "x", "submission_id": "b"})
    await client.get_job_log("a")
    await client.stop_job("a")
    await client.delete_job("a")
    await client.get_serve_details()
    await client.update_deployments(b"{}")
    assert len(fake.requests) == 8
    assert {r.headers.get("x-ray-authorization") for r in fake.requests} == {"Bearer s3cret"}
    await client_for(dashboards, fake, token="").get_job_info("b")
    assert "x-ray-authorization" not in fake.last().headers


async def test_kubernetes_proxy_url_and_headers(fake: FakeDashboard) -> None:
    token = {"value": "kube-1"}
    config = OperatorConfig(use_kubernetes_proxy=True)
    async with Dashboards(
        config, api_server=fake.url + "/", api_headers=lambda: {"Authorization": f"Bearer {token['value']}"}
    ) as factory:
        client = factory.for_cluster(
            namespace="ns", cluster="c", dashboard_url="ignored:8265", head_service="c-head-svc", auth_token="t"
        )
        assert client.base_url == f"{fake.url}/api/v1/namespaces/ns/services/c-head-svc:dashboard/proxy"
        fake.set_job("j", status="RUNNING")
        assert (await client.get_job_info("j")) is not None
        req = fake.last("GET")
        assert req.raw_path == "/api/v1/namespaces/ns/services/c-head-svc:dashboard/proxy/api/jobs/j"
        assert req.headers["authorization"] == "Bearer kube-1" and req.headers["x-ray-authorization"] == "Bearer t"
        token["value"] = "kube-2"  # a rotated token applies to the next request
        await client.get_serve_details()
        req = fake.last("GET")
        assert req.headers["authorization"] == "Bearer kube-2"
        assert req.raw_path.endswith("/proxy/api/serve/applications/") and req.query == "api_type=declarative"


def test_kubernetes_proxy_needs_the_api_server() -> None:
    with pytest.raises(ValueError, match="use-kubernetes-proxy"):
        Dashboards(OperatorConfig(use_kubernetes_proxy=True))


async def test_override_precedence(fake: FakeDashboard) -> None:
    dead = f"127.0.0.1:{closed_port()}"
    overrides = {"ns/c": fake.address, "ns/*": dead, "*": dead}
    config = OperatorConfig(use_kubernetes_proxy=True, ray_address_overrides=overrides)
    async with Dashboards(
        config, api_server="https://10.0.0.1:6443", api_headers=lambda: {"Authorization": "Bearer k"}
    ) as factory:
        exact = factory.for_cluster(namespace="ns", cluster="c", dashboard_url="x:8265", head_service="c-head-svc")
        assert exact.base_url == f"http://{fake.address}" and exact.timeout == 2.0
        await exact.get_job_info("j")
        assert "authorization" not in fake.last().headers  # overridden traffic is direct, without API credentials
        ns_wide = factory.for_cluster(namespace="ns", cluster="other", dashboard_url="x:8265", head_service="s")
        anywhere = factory.for_cluster(namespace="elsewhere", cluster="c", dashboard_url="x:8265", head_service="s")
        assert ns_wide.base_url == anywhere.base_url == f"http://{dead}"
    async with Dashboards(OperatorConfig(ray_address_overrides={"*": fake.address})) as factory:
        client = factory.for_cluster(
            namespace="a", cluster="b", dashboard_url="b-head-svc.a.svc.cluster.local:8265", head_service="s"
        )
        assert client.base_url == f"http://{fake.address}"


async def test_one_session_for_all_clients(dashboards: Dashboards, fake: FakeDashboard) -> None:
    first, second = client_for(dashboards, fake), client_for(dashboards, fake, token="t")
    await first.get_job_info("a")
    session = dashboards._session
    await second.get_job_info("a")
    assert session is not None and dashboards._session is session
    await dashboards.close()
    assert session.closed
    await first.get_job_info("a")  # made again lazily
    assert dashboards._session is not None and dashboards._session is not session


# --------------------------------------------------------------------------- serve proxy health


async def test_serve_proxy_health_direct(dashboards: Dashboards, fake: FakeDashboard) -> None:
    proxy = dashboards.serve_proxy_for_pod(namespace="ns", pod="p", pod_ip="127.0.0.1", port=fake.port)
    assert proxy.base_url == f"http://127.0.0.1:{fake.port}/" and proxy.timeout == 1.0
    await proxy.check_health()
    assert fake.last().raw_path == "/-/healthz"
    fake.script("GET", "/-/healthz", status=503, body="x" * 10000)
    with pytest.raises(DashboardError) as err:
        await proxy.check_health()
    assert str(err.value) == (
        "CheckProxyActorHealth fails. status code: 503, status: 503 Service Unavailable, body: " + "x" * 4096
    )


async def test_serve_proxy_health_through_the_api_server(fake: FakeDashboard) -> None:
    config = OperatorConfig(use_kubernetes_proxy=True)
    async with Dashboards(config, api_server=fake.url, api_headers=lambda: {"Authorization": "Bearer k"}) as factory:
        proxy = factory.serve_proxy_for_pod(namespace="ns", pod="head-x", pod_ip="10.1.2.3", port=8000)
        assert proxy.timeout == 10.0
        await proxy.check_health()
        req = fake.last()
        assert req.raw_path == "/api/v1/namespaces/ns/pods/head-x:8000/proxy/-/healthz"
        assert req.headers["authorization"] == "Bearer k"


async def test_serve_proxy_overrides(fake: FakeDashboard) -> None:
    overrides = {"ns/c": "127.0.0.1:8265", "ns/c:serve": fake.address, "*": "127.0.0.1:8265"}
    async with Dashboards(OperatorConfig(ray_address_overrides=overrides)) as factory:
        explicit = factory.serve_proxy_for_pod(namespace="ns", pod="p", pod_ip="10.0.0.9", port=8000, cluster="c")
        assert explicit.base_url == f"http://{fake.address}/"
        await explicit.check_health()
        derived = factory.serve_proxy_for_pod(
            namespace="other", pod="p", pod_ip="10.0.0.9", port=fake.port, cluster="d"
        )
        assert derived.base_url == f"http://127.0.0.1:{fake.port}/"  # the dashboard override's host, the Pod's port
        await derived.check_health()


def test_job_info_is_parsed_from_ray_job_details() -> None:
    ray_answer = json.loads(
        '{"type": "SUBMISSION", "job_id": null, "submission_id": "s", "driver_info": null, "status": "PENDING",'
        ' "entrypoint": "e", "message": "m", "error_type": null, "start_time": 1, "end_time": null,'
        ' "metadata": {}, "runtime_env": {}, "driver_agent_http_address": null, "driver_node_id": null}'
    )
    assert JobInfo.from_json(ray_answer) == JobInfo(
        submission_id="s", status="PENDING", entrypoint="e", message="m", start_time=1, metadata={}, runtime_env={}
    )
