"""A loopback HTTP relay between the operator and a real Ray dashboard, stamping every exchange.

Why: "cluster ready -> Ray job started" mixes the operator's delay with Ray's own handling of the
submission. With the operator's ``--ray-address-override`` pointed here, each request is passed
to the head unchanged and the relay notes, on the wall clock (``time.time()``, which Ray also
uses): when the request arrived, its method and path, the ``submission_id`` of a
``POST /api/jobs/``, when the head's answer came back, and whether the operator had already hung
up by then (its dashboard timeout fired, so a second POST is a retry, not a duplicate).

The relay runs on its own event loop in a daemon thread, so the benchmark's watches never delay
its time stamps, and it never cancels a forwarded request because the operator left.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

__all__ = ["DashboardRelay", "Exchange", "SubmitTrace", "submit_traces"]

JOBS_PATH = "/api/jobs/"
#: Headers that belong to one hop and are never passed on (RFC 9110 section 7.6.1), plus the two
#: that the relay's own client or server sets from the body it actually sends.
_HOP = frozenset(
    h.lower()
    for h in (
        "Connection",
        "Keep-Alive",
        "Proxy-Connection",
        "Transfer-Encoding",
        "TE",
        "Trailer",
        "Upgrade",
        "Host",
        "Content-Length",
    )
)


@dataclass
class Exchange:
    """One request through the relay; times are Unix seconds (``time.time()``)."""

    arrived: float
    method: str
    path: str
    submission_id: str = ""  # POST /api/jobs/ only
    responded: float | None = None  # the head's answer back at the relay
    status: int = 0  # the head's status code; 0 when it gave none
    client_gone: bool = False  # the operator had hung up before the answer reached it
    error: str = ""


@dataclass
class SubmitTrace:
    """What the relay saw of one submission id."""

    submission_id: str
    first_get: float | None = None  # first GET /api/jobs/<id> (the 404 that makes HTTPMode submit)
    posts: list[Exchange] = field(default_factory=list)
    retries: int = 0  # POSTs after one whose answer never reached the operator (timeout)
    duplicates: int = 0  # POSTs after one the operator was told succeeded: a bug

    @property
    def first_post(self) -> Exchange | None:
        return self.posts[0] if self.posts else None


def _delivered_ok(exchange: Exchange) -> bool:
    return 200 <= exchange.status <= 299 and not exchange.client_gone


def submit_traces(exchanges: Iterable[Exchange]) -> dict[str, SubmitTrace]:
    """Group the job API traffic by submission id; classify repeated POSTs as retries or duplicates."""
    traces: dict[str, SubmitTrace] = {}
    for ex in sorted(exchanges, key=lambda e: e.arrived):
        if ex.method == "POST" and ex.path.rstrip("/") == JOBS_PATH.rstrip("/"):
            trace = traces.setdefault(ex.submission_id, SubmitTrace(ex.submission_id))
            if any(_delivered_ok(p) for p in trace.posts):
                trace.duplicates += 1
            elif trace.posts:
                trace.retries += 1
            trace.posts.append(ex)
        elif ex.method == "GET" and ex.path.startswith(JOBS_PATH):
            job_id = ex.path[len(JOBS_PATH) :].split("?")[0]
            if job_id and "/" not in job_id:
                trace = traces.setdefault(job_id, SubmitTrace(job_id))
                if trace.first_get is None:
                    trace.first_get = ex.arrived
    return traces


class DashboardRelay:
    """Forward ``127.0.0.1:<port>`` to ``upstream`` (``host:port``) and record each exchange."""

    def __init__(self, upstream: str, timeout: float = 30.0) -> None:
        self.upstream = f"http://{upstream}"
        self.timeout = timeout  # bounds every forwarded request; far above the operator's own
        self.address = ""  # host:port, what --ray-address-override takes; set by start()
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="dashboard-relay", daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def exchanges(self) -> list[Exchange]:
        """A snapshot of what was recorded so far, in arrival order."""
        with self._lock:
            return sorted(self._exchanges, key=lambda e: e.arrived)

    def start(self) -> DashboardRelay:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def __enter__(self) -> DashboardRelay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=100),
            auto_decompress=False,  # pass bodies through byte for byte
            trust_env=False,  # never via $HTTP_PROXY: loopback only
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # The default, said out loud: a request whose client left still runs to its end.
        self._runner = web.AppRunner(app, handler_cancellation=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.address = f"{host}:{port}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        exchange = Exchange(arrived=time.time(), method=request.method, path=request.path_qs)
        with self._lock:
            self._exchanges.append(exchange)
        body = await request.read()
        if request.method == "POST" and request.path == JOBS_PATH:
            exchange.submission_id = _submission_id(body)
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        assert self._session is not None
        try:
            async with self._session.request(
                request.method,
                self.upstream + request.path_qs,
                data=body if body else None,
                headers=headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as upstream:
                payload = await upstream.read()
                exchange.responded = time.time()
                exchange.status = upstream.status
                out_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP}
                response = web.Response(status=upstream.status, reason=upstream.reason, body=payload)
                response.headers.update(out_headers)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            exchange.responded = time.time()
            exchange.error = str(exc) or type(exc).__name__
            response = web.Response(status=502, text=f"relay: {exchange.error}")
        transport = request.transport
        exchange.client_gone = transport is None or transport.is_closing()
        return response


def _submission_id(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    value = data.get("submission_id") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""
