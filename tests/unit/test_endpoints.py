"""The operator's /metrics, /healthz and /readyz endpoints, served on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from prometheus_client import CONTENT_TYPE_LATEST, Counter

from ray_operator.framework.endpoints import Endpoints, parse_address

PROBE_COUNTER = Counter("ray_operator_endpoints_test_probe", "A counter only this test increments")


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (":8080", ("0.0.0.0", 8080)),
        ("8082", ("0.0.0.0", 8082)),
        ("127.0.0.1:0", ("127.0.0.1", 0)),
        ("localhost:9090", ("localhost", 9090)),
        (" 10.0.0.1:8080 ", ("10.0.0.1", 8080)),
        ("[::]:8080", ("::", 8080)),
        ("[::1]:0", ("::1", 0)),
        ("0", None),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_address(address: str, expected: tuple[str, int] | None) -> None:
    assert parse_address(address) == expected


def test_parse_address_rejects_a_non_numeric_port() -> None:
    with pytest.raises(ValueError):
        parse_address("localhost:http")


class Probe:
    """A health or readiness callable whose answer the test controls."""

    def __init__(self) -> None:
        self.answer: tuple[bool, str] = (True, "")
        self.calls = 0

    def __call__(self) -> tuple[bool, str]:
        self.calls += 1
        return self.answer


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as s:
        yield s


@pytest.fixture
async def served() -> AsyncIterator[tuple[Endpoints, Probe, Probe]]:
    healthy, ready = Probe(), Probe()
    endpoints = Endpoints("127.0.0.1:0", "127.0.0.1:0", healthy, ready)
    await endpoints.start()
    try:
        yield endpoints, healthy, ready
    finally:
        await endpoints.stop()


def url(endpoints: Endpoints, path: str) -> str:
    host, port = endpoints.bound[path]
    return f"http://{host}:{port}{path}"


async def test_bound_ports_are_recorded(served: tuple[Endpoints, Probe, Probe]) -> None:
    endpoints, _, _ = served
    assert set(endpoints.bound) == {"/metrics", "/healthz", "/readyz"}
    host, port = endpoints.bound["/metrics"]
    assert host == "127.0.0.1"
    assert port > 0
    # The same address is served by one site.
    assert endpoints.bound["/healthz"] == endpoints.bound["/readyz"] == endpoints.bound["/metrics"]


async def test_metrics_serves_the_prometheus_registry(
    served: tuple[Endpoints, Probe, Probe], session: aiohttp.ClientSession
) -> None:
    endpoints, _, _ = served
    PROBE_COUNTER.inc(3)
    async with session.get(url(endpoints, "/metrics")) as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == CONTENT_TYPE_LATEST
        text = await response.text()
    assert "# TYPE ray_operator_endpoints_test_probe_total counter" in text
    assert "\nray_operator_endpoints_test_probe_total " in text


async def test_health_and_ready_ok(served: tuple[Endpoints, Probe, Probe], session: aiohttp.ClientSession) -> None:
    endpoints, healthy, ready = served
    for path in ("/healthz", "/readyz"):
        async with session.get(url(endpoints, path)) as response:
            assert (response.status, await response.text()) == (200, "ok")
    assert (healthy.calls, ready.calls) == (1, 1)


async def test_unhealthy_and_not_ready_give_503(
    served: tuple[Endpoints, Probe, Probe], session: aiohttp.ClientSession
) -> None:
    endpoints, healthy, ready = served
    healthy.answer = (False, "")
    ready.answer = (False, "")
    async with session.get(url(endpoints, "/healthz")) as response:
        assert (response.status, await response.text()) == (503, "unhealthy")
    async with session.get(url(endpoints, "/readyz")) as response:
        assert (response.status, await response.text()) == (503, "not ready")
    healthy.answer = (False, "worker raycluster-worker-0 crashed")
    ready.answer = (True, "leader")
    async with session.get(url(endpoints, "/healthz")) as response:
        assert (response.status, await response.text()) == (503, "worker raycluster-worker-0 crashed")
    async with session.get(url(endpoints, "/readyz")) as response:
        assert (response.status, await response.text()) == (200, "leader")


async def test_health_only_when_metrics_disabled(session: aiohttp.ClientSession) -> None:
    endpoints = Endpoints("0", "127.0.0.1:0", Probe(), Probe())
    await endpoints.start()
    try:
        assert set(endpoints.bound) == {"/healthz", "/readyz"}
        host, port = endpoints.bound["/healthz"]
        async with session.get(f"http://{host}:{port}/metrics") as response:
            assert response.status == 404
        async with session.get(url(endpoints, "/healthz")) as response:
            assert response.status == 200
    finally:
        await endpoints.stop()


async def test_both_disabled_serves_nothing() -> None:
    endpoints = Endpoints("", "0", Probe(), Probe())
    await endpoints.start()
    assert endpoints.bound == {}
    await endpoints.stop()


async def test_stop_closes_the_port(session: aiohttp.ClientSession) -> None:
    endpoints = Endpoints("127.0.0.1:0", "0", Probe(), Probe())
    await endpoints.start()
    target = url(endpoints, "/metrics")
    await endpoints.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with session.get(target):
            pass
