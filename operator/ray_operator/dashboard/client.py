"""Async clients of a Ray cluster's dashboard (jobs, Serve) and of its Serve proxies (KubeRay section 5).

Behaviour and error texts follow KubeRay's ``dashboard_httpclient.go`` and ``httpproxy_httpclient.go``
so that RayJob/RayService status messages read the same. Two deliberate differences: every failure
is a :class:`DashboardError` (Go returns transport errors raw; a reconciler here must never see an
aiohttp exception or a traceback), and response bodies are checked against the shapes KubeRay's Go
structs accept, so a garbage body fails like a failed ``json.Unmarshal`` instead of surfacing later
as a ``KeyError``.

One :class:`Dashboards` per process owns the single aiohttp session; :meth:`Dashboards.for_cluster`
makes a cheap :class:`DashboardClient` per reconcile, pointed where :mod:`.addressing` says.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import ssl as ssl_module
from collections.abc import Callable, Mapping
from typing import Any, Final

import aiohttp

from ray_operator import __version__
from ray_operator.config import OperatorConfig
from ray_operator.dashboard import addressing
from ray_operator.models.rayjob import TERMINAL_JOB_STATUSES

JOBS_PATH: Final = "/api/jobs/"
SERVE_APPLICATIONS_PATH: Final = "/api/serve/applications/"
SERVE_DETAILS_QUERY: Final = "?api_type=declarative"
SERVE_PROXY_HEALTH_PATH: Final = "-/healthz"  # appended to a base URL ending in "/"
AUTH_HEADER: Final = "x-ray-authorization"
_JSON: Final = "application/json"
_HEALTH_BODY_LIMIT: Final = 4096

Headers = Callable[[], Mapping[str, str]]


class DashboardError(Exception):
    """A dashboard call failed; ``str(exc)`` is KubeRay's message for the same failure."""


class SubmissionIdInUse(DashboardError):
    """The dashboard already has a job with this submission id (a resubmission raced a GET)."""

    def __init__(self, submission_id: str) -> None:
        super().__init__(f"submission ID '{submission_id}' already used, Please use a different submission_id")
        self.submission_id = submission_id


class JobNotFound(DashboardError):
    """KubeRay's BadRequest "Job <id> does not exist on the cluster" (only :meth:`stop_job` raises it)."""


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a string")
    return value


def _uint(obj: Mapping[str, Any], key: str) -> int:
    """Go ``uint64``: an integer literal in range (not 1.0, not -1, not true)."""
    value = obj.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**64:
        raise ValueError(f"{key}: expected an unsigned integer")
    return value


def _object(obj: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, dict):
        raise ValueError(f"{key}: expected an object")
    return value


def _string_map(obj: Mapping[str, Any], key: str) -> dict[str, str] | None:
    value = _object(obj, key)
    if value is not None and not all(v is None or isinstance(v, str) for v in value.values()):
        raise ValueError(f"{key}: expected string values")
    return None if value is None else {k: v or "" for k, v in value.items()}


def _loads(body: bytes) -> Any:
    """JSON as Go reads it: invalid UTF-8 replaced, NaN/Infinity refused."""

    def refuse(constant: str) -> Any:
        raise ValueError(f"invalid JSON constant {constant}")

    return json.loads(body.decode("utf-8", errors="replace"), parse_constant=refuse)


def _loads_object(body: bytes) -> dict[str, Any]:
    """A JSON object (``null`` reads as empty, like Go's unmarshal into a struct)."""
    data = _loads(body)
    if data is not None and not isinstance(data, dict):
        raise ValueError("expected an object")
    return data or {}


@dataclasses.dataclass(frozen=True)
class JobInfo:
    """``GET /api/jobs/<id>`` as KubeRay's ``RayJobInfo`` reads it; times are Unix milliseconds."""

    job_id: str = ""
    submission_id: str = ""
    status: str = ""
    message: str = ""
    start_time: int = 0
    end_time: int = 0
    entrypoint: str = ""
    error_type: str | None = None
    metadata: dict[str, str] | None = None
    runtime_env: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: Any) -> JobInfo:
        """Decode one job; ValueError where Go's ``json.Unmarshal`` would fail (``null`` is empty)."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("expected an object")
        error_type = data.get("error_type")
        if error_type is not None and not isinstance(error_type, str):
            raise ValueError("error_type: expected a string")
        return cls(
            job_id=_str(data, "job_id"),
            submission_id=_str(data, "submission_id"),
            status=_str(data, "status"),
            message=_str(data, "message"),
            start_time=_uint(data, "start_time"),
            end_time=_uint(data, "end_time"),
            entrypoint=_str(data, "entrypoint"),
            error_type=error_type,
            metadata=_string_map(data, "metadata"),
            runtime_env=_object(data, "runtime_env"),
        )


def _check_serve_details(data: Any) -> dict[str, Any]:
    """The shape of KubeRay's ``ServeDetails``; ValueError where its unmarshal would fail."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("expected an object")
    _str(data, "deploy_mode")
    for app in (_object(data, "applications") or {}).values():
        if not isinstance(app, dict):
            raise ValueError("application: expected an object")
        for key in ("name", "status", "message", "route_prefix", "docs_path"):
            _str(app, key)
        for dep in (_object(app, "deployments") or {}).values():
            if not isinstance(dep, dict):
                raise ValueError("deployment: expected an object")
            for key in ("name", "status", "message", "route_prefix"):
                _str(dep, key)
    return data


@dataclasses.dataclass(frozen=True)
class _Response:
    status: int
    reason: str
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status <= 299

    @property
    def status_line(self) -> str:
        """Go's ``resp.Status``, e.g. ``500 Internal Server Error``."""
        return f"{self.status} {self.reason}".rstrip()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def _read_up_to(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """Go's ``io.ReadAll(io.LimitReader(body, limit))``: at most ``limit`` bytes, no more read."""
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = await resp.content.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class _Http:
    """One base URL, its timeout and headers, over the process-wide session."""

    def __init__(
        self,
        session: Callable[[], aiohttp.ClientSession],
        base_url: str,
        timeout: float,
        headers: Headers | None,
        ssl: ssl_module.SSLContext | None,
        auth_token: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.timeout = timeout
        self._session = session
        self._headers = headers
        self._ssl: ssl_module.SSLContext | bool = ssl if ssl is not None else True
        self._auth_token = auth_token

    async def request(
        self, method: str, path: str, *, data: bytes | None = None, json_type: bool = False, limit: int | None = None
    ) -> _Response:
        """One bounded round trip; every failure to get a response is a DashboardError."""
        url = self.base_url + path
        headers: dict[str, str] = {}
        try:
            if self._headers is not None:
                headers.update(self._headers())
            if json_type:
                headers["Content-Type"] = _JSON
            if self._auth_token:
                headers[AUTH_HEADER] = f"Bearer {self._auth_token}"
            async with asyncio.timeout(self.timeout):
                async with self._session().request(
                    method,
                    url,
                    data=data,
                    headers=headers,
                    ssl=self._ssl,
                    timeout=aiohttp.ClientTimeout(total=self.timeout),
                ) as resp:
                    body = await (_read_up_to(resp, limit) if limit is not None else resp.read())
                    return _Response(resp.status, resp.reason or "", body)
        except TimeoutError as exc:
            raise DashboardError(f'{method.title()} "{url}": no response within {self.timeout:g}s') from exc
        except (aiohttp.ClientError, OSError, ValueError, RuntimeError) as exc:
            reason = str(exc) or type(exc).__name__
            raise DashboardError(f'{method.title()} "{url}": {reason}') from exc


class _Client:
    def __init__(self, http: _Http) -> None:
        self._http = http

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def timeout(self) -> float:
        return self._http.timeout


class DashboardClient(_Client):
    """One cluster's dashboard; cheap to make, holds no connection of its own."""

    async def get_job_info(self, job_id: str) -> JobInfo | None:
        """The job, or None when the dashboard answers 404 (KubeRay's "does not exist" BadRequest)."""
        resp = await self._http.request("GET", JOBS_PATH + job_id)
        if resp.status == 404:
            return None
        try:  # KubeRay decodes any other status's body as a job, too
            return JobInfo.from_json(_loads(resp.body))
        except ValueError:
            raise DashboardError(f"GetJobInfo fail: {resp.text}") from None

    async def list_jobs(self) -> list[JobInfo] | None:
        """All jobs; None on 404. (KubeRay's controllers do not use it.)"""
        resp = await self._http.request("GET", JOBS_PATH)
        if resp.status == 404:
            return None
        try:
            data = _loads(resp.body)
            if data is not None and not isinstance(data, list):
                raise ValueError("expected an array")
            return [JobInfo.from_json(item) for item in data or ()]
        except ValueError:
            raise DashboardError(f"GetJobInfo fail: {resp.text}") from None  # sic: KubeRay's text

    async def submit_job(self, request: Mapping[str, Any]) -> str:
        """POST KubeRay's ``SubmitJobReq`` (built by the caller, empty fields omitted); the job id."""
        submission_id = str(request.get("submission_id") or "")
        try:
            body = json.dumps(request, separators=(",", ":"), allow_nan=False).encode()
        except (TypeError, ValueError) as exc:
            raise DashboardError(f"SubmitJob fail: cannot encode the request: {exc}") from None
        resp = await self._http.request("POST", JOBS_PATH, data=body, json_type=True)
        if not resp.ok:
            if resp.status == 500 and "Please use a different submission_id" in resp.text:
                raise SubmissionIdInUse(submission_id)
            raise DashboardError(f"SubmitJob fail: {resp.status_line} {resp.text}")
        try:
            return _str(_loads_object(resp.body), "job_id")
        except ValueError:
            raise DashboardError(f"SubmitJob fail: {resp.text}") from None

    async def stop_job(self, job_id: str) -> None:
        """Stop the job; "not stopped" is an error only while the job is not yet terminal (KubeRay)."""
        resp = await self._http.request("POST", JOBS_PATH + job_id + "/stop", json_type=True)
        try:
            stopped = _loads_object(resp.body).get("stopped")
            if stopped is not None and not isinstance(stopped, bool):
                raise ValueError("stopped: expected a boolean")
        except ValueError:
            raise DashboardError(f"StopJob fail: {resp.status_line} {resp.text}") from None
        if stopped:
            return
        info = await self.get_job_info(job_id)
        if info is None:
            raise JobNotFound(f"Job {job_id} does not exist on the cluster")
        if info.status not in TERMINAL_JOB_STATUSES:
            raise DashboardError(f"failed to stop job: {info}")

    async def delete_job(self, job_id: str) -> None:
        """DELETE the job; like KubeRay, only a failed round trip is an error, the answer is ignored."""
        await self._http.request("DELETE", JOBS_PATH + job_id, json_type=True)

    async def get_job_log(self, job_id: str) -> str | None:
        """The driver's log; None on 404. (KubeRay's controllers do not use it.)"""
        resp = await self._http.request("GET", JOBS_PATH + job_id + "/logs")
        if resp.status == 404:
            return None
        try:
            return _str(_loads_object(resp.body), "logs")
        except ValueError:
            raise DashboardError(f"GetJobLog fail: {resp.text}") from None

    async def get_serve_details(self) -> dict[str, Any]:
        """The raw ``GET /api/serve/applications/?api_type=declarative`` answer (checked for shape)."""
        resp = await self._http.request("GET", SERVE_APPLICATIONS_PATH + SERVE_DETAILS_QUERY)
        if not resp.ok:
            raise DashboardError(f"GetServeDetails fail: {resp.status_line} {resp.text}")
        try:
            return _check_serve_details(_loads(resp.body))
        except ValueError:
            raise DashboardError(f"GetServeDetails failed. Failed to unmarshal bytes: {resp.text}") from None

    async def update_deployments(self, config_json: bytes) -> None:
        """PUT the multi-application Serve config; any 2xx is success."""
        resp = await self._http.request("PUT", SERVE_APPLICATIONS_PATH, data=config_json, json_type=True)
        if not resp.ok:
            raise DashboardError(f"UpdateDeployments fail: {resp.status_line} {resp.text}")


class ServeProxyClient(_Client):
    """One Pod's Serve HTTP proxy, for KubeRay's ``CheckProxyActorHealth``."""

    async def check_health(self) -> None:
        """``GET <base>/-/healthz``: 200 is healthy; otherwise a DashboardError with up to 4 KiB of body."""
        resp = await self._http.request("GET", SERVE_PROXY_HEALTH_PATH, limit=_HEALTH_BODY_LIMIT)
        if resp.status != 200:
            raise DashboardError(
                f"CheckProxyActorHealth fails. status code: {resp.status}, status: {resp.status_line}, "
                f"body: {resp.text}"
            )


class Dashboards:
    """Process-wide factory of dashboard clients owning ONE aiohttp session (made lazily).

    ``api_server``/``api_headers``/``ssl`` are the operator's own API-server connection, used only
    with ``--use-kubernetes-proxy``; ``api_headers`` is called per request so rotated tokens apply.
    """

    def __init__(
        self,
        config: OperatorConfig,
        api_server: str | None = None,
        api_headers: Headers | None = None,
        ssl: ssl_module.SSLContext | None = None,
        *,
        direct_timeout: float = addressing.DIRECT_TIMEOUT,
        proxy_timeout: float = addressing.PROXY_TIMEOUT,
    ) -> None:
        if config.use_kubernetes_proxy and not api_server:
            raise ValueError("--use-kubernetes-proxy needs the API server's address")
        self.config = config
        self.api_server = (api_server or "").rstrip("/")
        self.direct_timeout = direct_timeout
        self.proxy_timeout = proxy_timeout
        self._api_headers = api_headers
        self._ssl = ssl
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=64, keepalive_timeout=15),
                headers={"User-Agent": f"ray-operator/{__version__}"},
                trust_env=False,  # never route dashboard traffic through $HTTP_PROXY
            )
            self._loop = loop
        return self._session

    def _http(self, base_url: str, *, proxied: bool, auth_token: str | None = None) -> _Http:
        if proxied:
            return _Http(self._get_session, base_url, self.proxy_timeout, self._api_headers, self._ssl, auth_token)
        return _Http(self._get_session, base_url, self.direct_timeout, None, None, auth_token)

    def for_cluster(
        self, *, namespace: str, cluster: str, dashboard_url: str, head_service: str, auth_token: str | None = None
    ) -> DashboardClient:
        """Override (``ns/cluster`` > ``ns/*`` > ``*``), else the API-server proxy, else ``http://<dashboard_url>``."""
        override = addressing.dashboard_override(self.config.ray_address_overrides, namespace, cluster)
        if override:
            base, proxied = addressing.direct_dashboard_url(override), False
        elif self.config.use_kubernetes_proxy:
            base, proxied = addressing.proxy_dashboard_url(self.api_server, namespace, head_service), True
        else:
            base, proxied = addressing.direct_dashboard_url(dashboard_url), False
        return DashboardClient(self._http(base, proxied=proxied, auth_token=auth_token))

    def serve_proxy_for_pod(
        self, *, namespace: str, pod: str, pod_ip: str, port: int, cluster: str = ""
    ) -> ServeProxyClient:
        """A Pod's Serve proxy: override (see :mod:`.addressing`), else API-server proxy, else ``podIP:port``."""
        override = addressing.serve_override(self.config.ray_address_overrides, namespace, cluster, port)
        if override:
            base, proxied = f"http://{override}/", False
        elif self.config.use_kubernetes_proxy:
            base, proxied = addressing.proxy_serve_proxy_url(self.api_server, namespace, pod, port), True
        else:
            base, proxied = addressing.direct_serve_proxy_url(pod_ip, port), False
        return ServeProxyClient(self._http(base, proxied=proxied))

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> Dashboards:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
