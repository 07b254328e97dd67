"""client-go's ``rest_client_*`` metrics from the API facade, against a scripted server on loopback.

Each test reads the counters before and after, so what other tests sent to another port does not
matter; the ``host`` label is the server's ``host:port``, as client-go's ``url.Host``.
"""

from __future__ import annotations

from aiohttp import web
from prometheus_client import REGISTRY

from ray_operator.framework import k8s
from unit.test_k8s_facade import POD, Server, client, fast_backoff, server, status

__all__ = ["fast_backoff", "server"]  # fixtures used from the facade's tests


def host(srv: Server) -> str:
    return srv.url.removeprefix("http://")


def requests(srv: Server, code: str, method: str) -> float:
    labels = {"code": code, "method": method, "host": host(srv)}
    return REGISTRY.get_sample_value("rest_client_requests_total", labels) or 0.0


def sample(srv: Server, name: str, verb: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, {"verb": verb, "host": host(srv), **labels}) or 0.0


async def test_requests_are_counted_by_code_method_and_host(server: Server) -> None:
    server.answer = lambda r, n: status(404, "NotFound") if n == 1 else web.json_response(POD, status=201 if n else 200)
    kube = client(server)
    try:
        await kube.get(k8s.PODS, "p", "ns")
        assert await kube.get_or_none(k8s.PODS, "q", "ns") is None
        await kube.create(k8s.PODS, POD)
    finally:
        await kube.close()
    assert requests(server, "200", "GET") == 1
    assert requests(server, "404", "GET") == 1
    assert requests(server, "201", "POST") == 1
    assert sample(server, "rest_client_request_duration_seconds_count", "GET") == 2
    assert sample(server, "rest_client_rate_limiter_duration_seconds_count", "POST") == 1
    # Sizes: a GET sends no body; the POST sends the pod's JSON; every answer has a body.
    assert sample(server, "rest_client_request_size_bytes_bucket", "GET", le="64.0") == 2
    assert sample(server, "rest_client_request_size_bytes_sum", "POST") > 40
    assert sample(server, "rest_client_response_size_bytes_sum", "POST") > 40


async def test_retries_and_connection_errors_use_client_gos_labels(server: Server) -> None:
    async def answer(request: web.Request, n: int) -> web.StreamResponse:
        if n == 0:
            return status(503, "ServiceUnavailable")
        if n < 3:  # aiohttp retries a dropped GET once by itself: two drops make one error for us
            assert request.transport is not None
            request.transport.abort()
        return web.json_response({"ok": n})

    server.answer = answer
    kube = client(server)
    try:
        await kube.get(k8s.PODS, "p", "ns")
    finally:
        await kube.close()
    assert requests(server, "503", "GET") == 1
    assert requests(server, "<error>", "GET") == 1
    assert requests(server, "200", "GET") == 1
    assert sample(server, "rest_client_request_retries_total", "GET", code="503") == 1
    assert sample(server, "rest_client_request_retries_total", "GET", code="<error>") == 1
