"""The API facade against a small aiohttp server on 127.0.0.1: retries, re-login, throttling, 409s, paging.

Each test scripts the server's answers and checks what the facade sent and returned; removing the
behaviour a test names (a retry, the 401 re-login, Retry-After, the 410 restart) fails it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import kopf
import pytest
from aiohttp import web

from ray_operator.framework import k8s
from ray_operator.framework.login import Login

Handler = Callable[[web.Request, int], Any]

pytestmark = pytest.mark.timeout(30)  # a facade that loops on 401 must fail, not hang


@dataclass
class Server:
    """One scripted API server; ``answer(request, n)`` is called with the 0-based call number."""

    url: str = ""
    answer: Handler = lambda request, n: web.json_response({})
    seen: list[tuple[str, str, dict[str, str], str | None]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        n = len(self.seen)
        self.seen.append((request.method, request.path, dict(request.query), request.headers.get("Authorization")))
        result = self.answer(request, n)
        if isinstance(result, web.StreamResponse):
            return result
        result = await result
        assert isinstance(result, web.StreamResponse)
        return result


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    srv = Server()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", srv.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    srv.url = f"http://127.0.0.1:{port}"
    try:
        yield srv
    finally:
        await runner.cleanup()


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff without Retry-After takes 10 ms here, so waiting a whole second proves Retry-After."""
    monkeypatch.setattr(k8s, "_backoff", lambda attempt: 0.01)


def client(server: Server, **kwargs: Any) -> k8s.KubeClient:
    creds = k8s.Credentials(server=server.url, ssl_context=False, headers={"Authorization": "Bearer fixed"})
    return k8s.KubeClient(creds, max_retries=3, **kwargs)


def status(code: int, reason: str, message: str = "", headers: dict[str, str] | None = None) -> web.Response:
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "message": message}
    return web.json_response(body, status=code, headers=headers)


POD: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}}


# --------------------------------------------------------------------------- retries


async def test_transient_server_errors_are_retried_until_an_answer(server: Server) -> None:
    server.answer = lambda r, n: status(503, "ServiceUnavailable") if n < 2 else web.json_response({"ok": n})
    kube = client(server)
    try:
        assert await kube.get(k8s.PODS, "p", "ns") == {"ok": 2}
    finally:
        await kube.close()
    assert len(server.seen) == 3


async def test_retries_give_up_after_max_retries(server: Server) -> None:
    server.answer = lambda r, n: status(500, "InternalError", "etcd is sad")
    kube = client(server)
    try:
        with pytest.raises(k8s.ApiError) as caught:
            await kube.get(k8s.PODS, "p", "ns")
    finally:
        await kube.close()
    assert caught.value.status == 500 and "etcd is sad" in caught.value.message
    assert len(server.seen) == 4  # one try and three retries


async def test_a_dropped_connection_is_retried(server: Server) -> None:
    async def answer(request: web.Request, n: int) -> web.StreamResponse:
        if n < 3:  # aiohttp itself retries a GET once on a dropped connection; the rest is ours
            assert request.transport is not None
            request.transport.abort()  # the client sees the connection die mid-request
        return web.json_response({"ok": n})

    server.answer = answer
    kube = client(server)
    try:
        assert await kube.get(k8s.PODS, "p", "ns") == {"ok": 3}
    finally:
        await kube.close()


async def test_a_create_without_a_name_is_not_retried_on_a_server_error(server: Server) -> None:
    """A POST with generateName may have been done: retrying it could make two objects."""
    server.answer = lambda r, n: status(503, "ServiceUnavailable")
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "p-", "namespace": "ns"}}
    kube = client(server)
    try:
        with pytest.raises(k8s.ApiError):
            await kube.create(k8s.PODS, body)
    finally:
        await kube.close()
    assert len(server.seen) == 1


async def test_429_waits_as_long_as_retry_after_says(server: Server) -> None:
    server.answer = lambda r, n: (
        status(429, "TooManyRequests", headers={"Retry-After": "1"}) if n == 0 else web.json_response(POD)
    )
    kube = client(server)
    started = time.monotonic()
    try:
        # A create with generateName is not retried on 5xx, but 429 means "not done": it is.
        assert await kube.create(k8s.PODS, {**POD, "metadata": {"generateName": "p-", "namespace": "ns"}}) == POD
    finally:
        await kube.close()
    assert time.monotonic() - started >= 0.95
    assert [m for m, *_ in server.seen] == ["POST", "POST"]


# --------------------------------------------------------------------------- 401: log in again


async def test_401_logs_in_again_and_retries_once_with_the_new_token(server: Server) -> None:
    tokens = iter(["old", "new"])

    def loader() -> kopf.ConnectionInfo:
        return kopf.ConnectionInfo(server=server.url, token=next(tokens))

    server.answer = lambda r, n: (
        web.json_response(POD) if r.headers.get("Authorization") == "Bearer new" else status(401, "Unauthorized")
    )
    login = Login(loader)
    kube = k8s.KubeClient(login=login)
    try:
        assert await kube.patch(k8s.PODS, "p", {"metadata": {"labels": {"a": "b"}}}, "ns") == POD
    finally:
        await kube.close()
    assert [auth for *_, auth in server.seen] == ["Bearer old", "Bearer new"]
    assert login.logins == 2


async def test_a_401_after_logging_in_again_is_final(server: Server) -> None:
    login = Login(lambda: kopf.ConnectionInfo(server=server.url, token="revoked"))
    server.answer = lambda r, n: status(401, "Unauthorized")
    kube = k8s.KubeClient(login=login)
    try:
        with pytest.raises(k8s.ApiError) as caught:
            await kube.get(k8s.PODS, "p", "ns")
    finally:
        await kube.close()
    assert caught.value.status == 401
    assert len(server.seen) == 2 and login.logins == 2


async def test_fixed_credentials_have_nothing_to_refresh(server: Server) -> None:
    server.answer = lambda r, n: status(401, "Unauthorized")
    kube = client(server)
    try:
        with pytest.raises(k8s.ApiError):
            await kube.get(k8s.PODS, "p", "ns")
    finally:
        await kube.close()
    assert len(server.seen) == 1


async def test_a_login_renewed_by_kopf_is_used_without_logging_in_again(server: Server) -> None:
    """kopf's re-authentication and the facade share one Login: one source of truth."""
    tokens = iter(["first", "second"])
    login = Login(lambda: kopf.ConnectionInfo(server=server.url, token=next(tokens)))
    server.answer = lambda r, n: web.json_response(POD)
    kube = k8s.KubeClient(login=login)
    try:
        await kube.get(k8s.PODS, "p", "ns")
        stale = login.info
        await login.refresh(stale)  # what kopf's login handler does after kopf saw a 401
        await login.refresh(stale)  # a second 401 for the same credentials: no second login
        await kube.get(k8s.PODS, "p", "ns")
    finally:
        await kube.close()
    assert [auth for *_, auth in server.seen] == ["Bearer first", "Bearer second"]
    assert login.logins == 2


# --------------------------------------------------------------------------- 409 and other errors


async def test_409_already_exists_and_409_conflict_are_different_errors(server: Server) -> None:
    server.answer = lambda r, n: (
        status(409, "AlreadyExists", 'pods "p" already exists')
        if r.method == "POST"
        else status(409, "Conflict", "the object has been modified")
    )
    kube = client(server)
    try:
        with pytest.raises(k8s.AlreadyExists) as exists:
            await kube.create(k8s.PODS, POD)
        with pytest.raises(k8s.Conflict) as conflict:
            await kube.replace(k8s.PODS, {**POD, "metadata": {**POD["metadata"], "resourceVersion": "1"}})
    finally:
        await kube.close()
    assert not isinstance(exists.value, k8s.Conflict) and not isinstance(conflict.value, k8s.AlreadyExists)
    assert exists.value.reason == "AlreadyExists" and "already exists" in exists.value.message
    assert len(server.seen) == 2  # a 409 is an answer, not retried


async def test_status_codes_map_to_the_exceptions_reconcilers_branch_on(server: Server) -> None:
    codes = {404: k8s.NotFound, 422: k8s.Invalid, 400: k8s.BadRequest, 403: k8s.Forbidden}
    server.answer = lambda r, n: status(int(r.query["code"]), "X")
    kube = client(server)
    try:
        for code, cls in codes.items():
            with pytest.raises(cls):
                await kube.request("GET", "/api/v1/pods", params={"code": str(code)})
        server.answer = lambda r, n: status(404, "NotFound")
        assert await kube.get_or_none(k8s.PODS, "p", "ns") is None
    finally:
        await kube.close()


# --------------------------------------------------------------------------- pagination


async def test_an_expired_continue_token_restarts_the_list_once(server: Server) -> None:
    expired = {"n": 0}

    def answer(request: web.Request, n: int) -> web.Response:
        token = request.query.get("continue")
        if token is None:
            return web.json_response({"metadata": {"continue": "t1"}, "items": [{"n": "a"}, {"n": "b"}]})
        if expired["n"] == 0:
            expired["n"] += 1
            return status(410, "Expired", "The provided continue parameter is too old")
        return web.json_response({"metadata": {"resourceVersion": "42"}, "items": [{"n": "c"}]})

    server.answer = answer
    kube = client(server)
    try:
        items, version = await kube.list_with_version(k8s.PODS, "ns", page_size=2)
    finally:
        await kube.close()
    assert [i["n"] for i in items] == ["a", "b", "c"]  # no duplicates from the first attempt
    assert version == "42"
    assert [q.get("continue") for _, _, q, _ in server.seen] == [None, "t1", None, "t1"]
    assert all(q["limit"] == "2" for _, _, q, _ in server.seen)


async def test_a_continue_token_that_expires_twice_is_an_error(server: Server) -> None:
    server.answer = lambda r, n: (
        web.json_response({"metadata": {"continue": "t"}, "items": [{}]})
        if "continue" not in r.query
        else status(410, "Expired")
    )
    kube = client(server)
    try:
        with pytest.raises(k8s.ApiError) as caught:
            await kube.list(k8s.PODS, "ns")
    finally:
        await kube.close()
    assert caught.value.status == 410 and len(server.seen) == 4


# --------------------------------------------------------------------------- write guard


async def test_write_guard_stops_writes_but_not_reads_or_leases(server: Server) -> None:
    class NotLeader(Exception):
        pass

    def guard() -> None:
        raise NotLeader

    server.answer = lambda r, n: web.json_response(POD)
    kube = client(server)
    kube.write_guard = guard
    try:
        for write in (
            kube.create(k8s.PODS, POD),
            kube.replace(k8s.PODS, POD),
            kube.patch(k8s.PODS, "p", {}, "ns"),
            kube.delete(k8s.PODS, "p", "ns"),
            kube.delete_collection(k8s.PODS, "ns", "a=b"),
        ):
            with pytest.raises(NotLeader):
                await write
        assert server.seen == []
        await kube.get(k8s.PODS, "p", "ns")
        lease = {"metadata": {"name": "l", "namespace": "ns"}}
        await kube.replace(k8s.LEASES, lease)
        await kube.create(k8s.LEASES, lease)
    finally:
        await kube.close()
    assert [(m, p) for m, p, *_ in server.seen] == [
        ("GET", "/api/v1/namespaces/ns/pods/p"),
        ("PUT", "/apis/coordination.k8s.io/v1/namespaces/ns/leases/l"),
        ("POST", "/apis/coordination.k8s.io/v1/namespaces/ns/leases"),
    ]


async def test_write_guard_is_asked_again_before_each_retry(server: Server) -> None:
    allowed = iter([True, False])

    def guard() -> None:
        if not next(allowed):
            raise RuntimeError("lease lost during the backoff")

    server.answer = lambda r, n: status(503, "ServiceUnavailable")
    kube = client(server)
    kube.write_guard = guard
    try:
        with pytest.raises(RuntimeError, match="lease lost"):
            await kube.patch(k8s.PODS, "p", {}, "ns")
    finally:
        await kube.close()
    assert len(server.seen) == 1
