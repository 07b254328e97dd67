"""A scriptable stand-in for a Ray dashboard (and Serve proxy) on 127.0.0.1:<free port>.

By default it behaves like Ray's job and Serve REST API (jobs kept in memory, a duplicate
submission id answered with Ray's 500, unknown jobs with 404). Tests change that with
:meth:`FakeDashboard.script` (status, body, delay, dropped connection), change job state directly
(:meth:`set_job`, :meth:`forget_job`) and read back every request (:attr:`requests`).

The server runs on its own event loop in a daemon thread, so the same object serves sync
integration tests and async unit tests (whose loop it never blocks). Requests through the API
server's proxy paths (``/api/v1/namespaces/<ns>/services/<svc>/proxy/...`` and ``.../pods/...``)
are answered as if sent directly, so the proxy URL form can be tested against the same fake.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import threading
import time
import uuid
from typing import Any

from aiohttp import web

_PROXY = re.compile(r"^/api/v1/namespaces/[^/]+/(?:services|pods)/[^/]+/proxy(/.*)?$")
_JOB = re.compile(r"^/api/jobs/([^/]+)(/stop|/logs)?$")
TERMINAL = frozenset({"STOPPED", "SUCCEEDED", "FAILED"})
DUPLICATE_TEXT = (
    "Traceback (most recent call last):\n  ...\nValueError: Job with submission_id {sid} already exists. "
    "Please use a different submission_id.\n"
)


@dataclasses.dataclass(frozen=True)
class Recorded:
    """One request as the fake saw it; ``path`` is the dashboard path, ``raw_path`` what was sent."""

    method: str
    raw_path: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclasses.dataclass
class Rule:
    """A scripted answer. ``status=None`` with no body runs the default handler (after ``delay``)."""

    method: str
    path: str  # exact dashboard or raw path; a trailing "*" matches a prefix
    status: int | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    delay: float = 0.0
    drop: bool = False  # close the connection without answering
    times: int | None = None  # None: forever

    def matches(self, method: str, raw_path: str, path: str) -> bool:
        if self.method not in ("*", method):
            return False
        if self.path.endswith("*"):
            return raw_path.startswith(self.path[:-1]) or path.startswith(self.path[:-1])
        return self.path in (raw_path, path)


class FakeDashboard:
    """``with FakeDashboard() as fake: ... fake.url ...`` (or ``async with``)."""

    def __init__(self) -> None:
        self.jobs: dict[str, dict[str, Any]] = {}
        self.logs: dict[str, str] = {}
        self.serve_details: Any = {"applications": {}, "deploy_mode": "MULTI_APP", "proxy_location": "EveryNode"}
        self.serve_configs: list[Any] = []
        self._rules: list[Rule] = []
        self._requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def start(self) -> FakeDashboard:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-dashboard", daemon=True)
        self._thread.start()
        if not ready.wait(10) or failure:
            raise RuntimeError(f"fake dashboard did not start: {failure}")
        return self

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> FakeDashboard:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeDashboard:
        return await asyncio.to_thread(self.start)

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    # ------------------------------------------------------------------ scripting and inspection

    def script(
        self,
        method: str,
        path: str,
        *,
        status: int | None = None,
        body: bytes | str | None = None,
        json_body: Any = None,
        content_type: str = "application/json",
        delay: float = 0.0,
        drop: bool = False,
        times: int | None = None,
    ) -> Rule:
        """Answer matching requests this way (first matching rule wins; ``times`` uses it up)."""
        raw = json.dumps(json_body).encode() if json_body is not None else body
        rule = Rule(
            method=method.upper(),
            path=path,
            status=status if status is not None or raw is None else 200,
            body=raw.encode() if isinstance(raw, str) else raw,
            content_type=content_type,
            delay=delay,
            drop=drop,
            times=times,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear_scripts(self) -> None:
        with self._lock:
            self._rules.clear()

    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    def last(self, method: str | None = None, path: str | None = None) -> Recorded:
        """The latest request matching method/path (dashboard or raw path)."""
        for req in reversed(self.requests):
            if (method is None or req.method == method) and (path is None or path in (req.path, req.raw_path)):
                return req
        raise AssertionError(f"no {method or ''} {path or ''} request; saw {[r.raw_path for r in self.requests]}")

    def set_job(self, submission_id: str, **fields: Any) -> dict[str, Any]:
        """Create or update a job; e.g. ``set_job("j", status="SUCCEEDED", end_time=...)``."""
        with self._lock:
            job = self.jobs.setdefault(submission_id, _new_job(submission_id, "python -c 'pass'"))
            job.update(fields)
            return dict(job)

    def forget_job(self, submission_id: str) -> None:
        """Ray lost the job (e.g. the head restarted without GCS FT): 404 from now on."""
        with self._lock:
            self.jobs.pop(submission_id, None)

    # ------------------------------------------------------------------ serving

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        raw_path = request.path
        proxied = _PROXY.match(raw_path)
        path = (proxied.group(1) or "/") if proxied else raw_path
        recorded = Recorded(
            method=request.method,
            raw_path=raw_path,
            path=path,
            query=request.query_string,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        with self._lock:
            self._requests.append(recorded)
            rule = next((r for r in self._rules if r.matches(request.method, raw_path, path)), None)
            if rule is not None and rule.times is not None:
                rule.times -= 1
                if rule.times <= 0:
                    self._rules.remove(rule)
        if rule is not None:
            if rule.delay:
                await asyncio.sleep(rule.delay)
            if rule.drop:
                if request.transport is not None:
                    request.transport.abort()
                raise asyncio.CancelledError  # nothing may be written
            if rule.status is not None:
                return web.Response(status=rule.status, body=rule.body or b"", content_type=rule.content_type)
        with self._lock:
            return self._default(recorded)

    def _default(self, req: Recorded) -> web.Response:
        """What Ray's dashboard (and a Serve proxy) answers."""
        m, path = req.method, req.path
        if path == "/api/version" and m == "GET":
            return _json({"version": "4", "ray_version": "2.52.0", "ray_commit": "fake", "session_name": "fake"})
        if path in ("/api/gcs_healthz", "/api/local_raylet_healthz", "/-/healthz") and m == "GET":
            return web.Response(text="success")
        if path == "/api/serve/applications/":
            if m == "GET":
                return _json(self.serve_details)
            if m == "PUT":
                self.serve_configs.append(json.loads(req.body or b"null"))
                return web.Response(status=200)
        if path == "/api/jobs/":
            if m == "GET":
                return _json(list(self.jobs.values()))
            if m == "POST":
                return self._submit(req)
        job_match = _JOB.match(path)
        if job_match:
            sid, action = job_match.group(1), job_match.group(2)
            job = self.jobs.get(sid)
            if job is None:
                return web.Response(status=404, text=f"Job {sid} does not exist")
            if action is None and m == "GET":
                return _json(job)
            if action is None and m == "DELETE":
                del self.jobs[sid]
                return _json({"deleted": True})
            if action == "/logs" and m == "GET":
                return _json({"logs": self.logs.get(sid, "")})
            if action == "/stop" and m == "POST":
                if job["status"] in TERMINAL:
                    return _json({"stopped": False})
                job.update(status="STOPPED", message="Job was intentionally stopped.", end_time=_now_ms())
                return _json({"stopped": True})
        return web.Response(status=404, text="404: Not Found")

    def _submit(self, req: Recorded) -> web.Response:
        try:
            spec = json.loads(req.body)
            entrypoint = spec["entrypoint"]
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="Traceback ...\nTypeError: bad request")
        sid = spec.get("submission_id") or f"raysubmit_{uuid.uuid4().hex[:16]}"
        if sid in self.jobs:
            return web.Response(status=500, text=DUPLICATE_TEXT.format(sid=sid))
        job = _new_job(sid, entrypoint)
        job.update(metadata=spec.get("metadata") or {}, runtime_env=spec.get("runtime_env"))
        self.jobs[sid] = job
        return _json({"job_id": sid, "submission_id": sid})


def _now_ms() -> int:
    return int(time.time() * 1000)


def _new_job(sid: str, entrypoint: str) -> dict[str, Any]:
    """A job as ``GET /api/jobs/<id>`` shows it right after submission (Ray's JobDetails fields)."""
    return {
        "type": "SUBMISSION",
        "job_id": None,
        "submission_id": sid,
        "driver_info": None,
        "status": "PENDING",
        "entrypoint": entrypoint,
        "message": "Job has not started yet. It may be waiting for resources.",
        "error_type": None,
        "start_time": _now_ms(),
        "end_time": None,
        "metadata": {},
        "runtime_env": None,
        "driver_agent_http_address": None,
        "driver_node_id": None,
        "driver_exit_code": None,
    }


def _json(data: Any) -> web.Response:
    return web.Response(text=json.dumps(data), content_type="application/json")
