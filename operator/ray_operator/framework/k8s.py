"""The one module that talks to the Kubernetes API server.

Why our own thin client on aiohttp instead of a generated client: builders produce plain dicts,
and aiohttp is already loaded by kopf, so the requests themselves cost next to nothing. The login
is the official ``kubernetes`` package's (see :mod:`~ray_operator.framework.login`): kopf's watches
and this facade share one :class:`~ray_operator.framework.login.Login`, so both use the same
server, CA, client certificate, token and proxy, and a 401 re-runs that login for both. Measured
memory is in the README.

What the facade adds over raw HTTP: a client-side token bucket (KubeRay's ``--qps``/``--burst``),
retries with backoff for throttling and transient server errors (``Retry-After`` honoured), one
re-login and retry on 401, typed exceptions for the status codes reconcilers branch on, strict
field validation on create (a mistyped field in a pod template becomes a clear error instead of
being silently dropped), an optional ``write_guard`` for leader election, and KubeRay's
``rest_client_*`` metrics.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import json
import logging
import ssl
import time
import urllib.parse
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import kopf

from ray_operator import __version__
from ray_operator.framework.client_metrics import CONNECTION_ERROR, ClientMetrics
from ray_operator.framework.login import Login as Login
from ray_operator.framework.login import LoginError as LoginError
from ray_operator.framework.login import expired
from ray_operator.framework.login import process_login as process_login

logger = logging.getLogger(__name__)

Body = dict[str, Any]


# --------------------------------------------------------------------------- resources


@dataclass(frozen=True)
class Resource:
    """An API resource: enough to build its URL."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None, subresource: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{urllib.parse.quote(namespace)}"
        base += f"/{self.plural}"
        if name:
            base += f"/{urllib.parse.quote(name)}"
        if subresource:
            base += f"/{subresource}"
        return base


PODS = Resource("", "v1", "pods", "Pod")
SERVICES = Resource("", "v1", "services", "Service")
SERVICE_ACCOUNTS = Resource("", "v1", "serviceaccounts", "ServiceAccount")
SECRETS = Resource("", "v1", "secrets", "Secret")
PVCS = Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim")
NAMESPACES = Resource("", "v1", "namespaces", "Namespace", namespaced=False)
NODES = Resource("", "v1", "nodes", "Node", namespaced=False)
EVENTS = Resource("events.k8s.io", "v1", "events", "Event")
JOBS = Resource("batch", "v1", "jobs", "Job")
ROLES = Resource("rbac.authorization.k8s.io", "v1", "roles", "Role")
ROLE_BINDINGS = Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding")
INGRESSES = Resource("networking.k8s.io", "v1", "ingresses", "Ingress")
ENDPOINT_SLICES = Resource("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice")
LEASES = Resource("coordination.k8s.io", "v1", "leases", "Lease")
RAYCLUSTERS = Resource("ray.io", "v1", "rayclusters", "RayCluster")
RAYJOBS = Resource("ray.io", "v1", "rayjobs", "RayJob")
RAYSERVICES = Resource("ray.io", "v1", "rayservices", "RayService")

# --------------------------------------------------------------------------- errors


class ApiError(Exception):
    """A non-2xx answer from the API server, with the Status object's reason and message."""

    def __init__(self, status: int, reason: str, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status = status
        self.reason = reason
        self.message = message
        self.body = body


class NotFound(ApiError):
    """404."""


class AlreadyExists(ApiError):
    """409 with reason AlreadyExists (a create lost a race or is a retry)."""


class Conflict(ApiError):
    """409 otherwise (stale resourceVersion)."""


class Invalid(ApiError):
    """422: the object failed validation."""


class BadRequest(ApiError):
    """400: e.g. strict field validation found an unknown or duplicate field."""


class Forbidden(ApiError):
    """403: RBAC or a namespace being terminated."""


def _error_for(status: int, payload: Any) -> ApiError:
    reason = ""
    message = ""
    if isinstance(payload, Mapping):
        reason = str(payload.get("reason") or "")
        message = str(payload.get("message") or "")
    elif payload:
        message = str(payload)[:500]
    cls: type[ApiError] = ApiError
    if status == 404:
        cls = NotFound
    elif status == 409:
        cls = AlreadyExists if reason == "AlreadyExists" else Conflict
    elif status == 422:
        cls = Invalid
    elif status == 400:
        cls = BadRequest
    elif status == 403:
        cls = Forbidden
    return cls(status, reason or str(status), message, payload)


# --------------------------------------------------------------------------- rate limiting


class TokenBucket:
    """client-go's flowcontrol token bucket: ``qps`` tokens per second, up to ``burst`` stored."""

    def __init__(self, qps: float, burst: int) -> None:
        self.qps = max(qps, 0.001)
        self.capacity = max(burst, 1)
        self._tokens = float(self.capacity)
        self._stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Take one token, sleeping if none is left; returns the seconds waited."""
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.qps)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            wait = (1 - self._tokens) / self.qps
            self._tokens = 0.0
            self._stamp = now + wait
        await asyncio.sleep(wait)
        return wait


# --------------------------------------------------------------------------- credentials


@dataclass
class Credentials:
    """How to reach and authenticate to the API server, made from one :class:`kopf.ConnectionInfo`."""

    server: str
    ssl_context: ssl.SSLContext | bool
    headers: dict[str, str]
    proxy: str | None = None
    default_namespace: str | None = None
    info: kopf.ConnectionInfo | None = None  # what they were made from (None: fixed by hand)


def credentials_from_connection_info(info: kopf.ConnectionInfo) -> Credentials:
    """The SSL context, headers and proxy kopf makes for its watches from the same info.

    kopf's ``as_ssl_context`` keeps the client certificate with ``insecure-skip-tls-verify``, and
    loads in-memory certificates and keys through temporary files deleted at once.
    """
    return Credentials(
        server=info.server.rstrip("/"),
        ssl_context=info.as_ssl_context() if info.server.startswith("https") else False,
        headers=info.as_http_headers(),
        proxy=info.proxy_url,
        default_namespace=info.default_namespace,
        info=info,
    )


_TRANSPORT_FIELDS = (
    "server",
    "ca_path",
    "ca_data",
    "insecure",
    "certificate_path",
    "certificate_data",
    "private_key_path",
    "private_key_data",
    "proxy_url",
)


def _same_transport(a: kopf.ConnectionInfo | None, b: kopf.ConnectionInfo | None) -> bool:
    """Whether a new login can keep the old connections (only the headers changed).

    Not when the client certificate comes from files: they may have been rotated in place.
    """
    if a is None or b is None or b.certificate_path or b.private_key_path:
        return False
    return all(getattr(a, f) == getattr(b, f) for f in _TRANSPORT_FIELDS)


def discover_connection_info() -> kopf.ConnectionInfo:
    """The process's login, performed now if it was not (blocking; bounded by the login timeout)."""
    return process_login().login_now()


def discover_credentials() -> Credentials:
    """Credentials for our own client, from the process's login."""
    return credentials_from_connection_info(discover_connection_info())


# --------------------------------------------------------------------------- the client


_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_LEASES = "/apis/coordination.k8s.io/"  # every resource of that group is a Lease
_PATCH_TYPES = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}


def _backoff(attempt: int) -> float:
    return min(0.2 * 2.0**attempt, 5.0)


class KubeClient:
    """Async access to the API server; one per process, shared by all reconcilers.

    Credentials come either fixed (``credentials``) or from a :class:`Login` (``login``), which
    kopf's watches share: on a 401 the client logs in again through it (once per request) and
    retries, and it picks up a login that kopf's re-authentication did meanwhile.

    ``write_guard``, if set, is called before every attempt of a mutating request (POST, PUT,
    PATCH, DELETE) except those to ``coordination.k8s.io`` Leases; if it raises, the request is
    not sent and the exception propagates to the caller. Leader election sets it so that a
    replica whose lease may have passed to another one writes nothing.
    """

    field_manager = "ray-operator"
    write_guard: Callable[[], None] | None = None

    def __init__(
        self,
        credentials: Credentials | None = None,
        qps: float = 100.0,
        burst: int = 200,
        max_retries: int = 5,
        request_timeout: float = 30.0,
        *,
        login: Login | None = None,
    ) -> None:
        if credentials is None and login is None:
            raise ValueError("KubeClient needs credentials or a login")
        self.login = login
        self._credentials = credentials
        self._bucket = TokenBucket(qps, burst)
        self._max_retries = max_retries
        self._request_timeout = request_timeout
        self._timeout = aiohttp.ClientTimeout(total=request_timeout, connect=10)
        self._session: aiohttp.ClientSession | None = None
        self._session_ssl: ssl.SSLContext | bool | None = None
        self._retired: set[aiohttp.ClientSession] = set()
        self._closing: set[asyncio.Task[None]] = set()
        self._metrics = ClientMetrics(urllib.parse.urlsplit(credentials.server).netloc if credentials else "")

    @classmethod
    def from_environment(cls, qps: float = 100.0, burst: int = 200, *, login: Login | None = None) -> KubeClient:
        """Credentials as kubectl or a Pod would find them, from the process's one login.

        Logs in now (blocking, bounded by the login timeout), so that a login that cannot work
        stops the process with a :class:`LoginError` before anything starts.
        """
        login = login or process_login()
        return cls(credentials_from_connection_info(login.login_now()), qps=qps, burst=burst, login=login)

    @property
    def credentials(self) -> Credentials:
        """The credentials in use (after the first login)."""
        if self._credentials is None:
            raise RuntimeError("not logged in yet")
        return self._credentials

    async def close(self) -> None:
        sessions = [s for s in (self._session, *self._retired) if s is not None]
        self._session = None
        self._retired.clear()
        for task in self._closing:
            task.cancel()
        for session in sessions:
            await session.close()

    async def _auth(self) -> Credentials:
        """The current credentials, adopting a newer login (ours or kopf's) if there is one."""
        creds = self._credentials
        if self.login is None:
            assert creds is not None
            return creds
        info = self.login.info
        if creds is not None and info is not None and creds.info is info and not expired(info):
            return creds
        return await self._adopt(await self.login.current())

    async def _relogin(self, stale: Credentials) -> Credentials:
        """After a 401: log in again (unless someone already did) and use the result."""
        assert self.login is not None
        try:
            info = await self.login.refresh(stale.info)
        except LoginError as exc:
            raise ApiError(401, "Unauthorized", f"logging in again failed: {exc}") from exc
        return await self._adopt(info)

    async def _adopt(self, info: kopf.ConnectionInfo) -> Credentials:
        old = self._credentials
        if old is not None and old.info is info:
            return old
        if old is not None and _same_transport(old.info, info):
            new = Credentials(
                old.server, old.ssl_context, info.as_http_headers(), old.proxy, info.default_namespace, info
            )
        else:  # reads certificate files: off the event loop
            new = await asyncio.to_thread(credentials_from_connection_info, info)
        self._credentials = new
        self._metrics.set_host(urllib.parse.urlsplit(new.server).netloc)
        return new

    def _get_session(self, creds: Credentials | None = None) -> aiohttp.ClientSession:
        ssl_context = (creds or self.credentials).ssl_context
        if self._session is not None and not self._session.closed and self._session_ssl is not ssl_context:
            self._retire(self._session)
            self._session = None
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=ssl_context, limit=64)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                headers={"User-Agent": f"ray-operator/{__version__}", "Accept": "application/json"},
            )
            self._session_ssl = ssl_context
        return self._session

    def _retire(self, session: aiohttp.ClientSession) -> None:
        """New TLS material: close the old connections once requests in flight on them are done."""
        self._retired.add(session)

        async def close_later() -> None:
            await asyncio.sleep(self._request_timeout + 5)
            self._retired.discard(session)
            await session.close()

        task = asyncio.get_running_loop().create_task(close_later())
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _check_write(self, verb: str, path: str) -> None:
        guard = self.write_guard
        if guard is not None and verb in _MUTATING and not path.startswith(_LEASES):
            guard()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        retry_unsafe: bool = False,
    ) -> Any:
        """One API call with throttling and retries; returns decoded JSON (or None)."""
        data = None if body is None else json.dumps(body, separators=(",", ":"))
        verb = method.upper()
        attempt = 0
        relogged = False
        creds = await self._auth()
        while True:
            waited = await self._bucket.acquire()
            metrics = self._metrics.verb(verb)  # after the wait: a re-login may have changed the host
            metrics.rate_limiter.observe(waited)
            self._check_write(verb, path)
            headers = dict(creds.headers)
            if data is not None:
                headers["Content-Type"] = content_type
            metrics.request_size.observe(len(data) if data else 0)  # ASCII JSON: characters are bytes
            started = time.monotonic()
            status = 0
            retry_after: float | None = None
            try:
                async with self._get_session(creds).request(
                    verb, creds.server + path, params=params, data=data, headers=headers, proxy=creds.proxy
                ) as resp:
                    status = resp.status
                    raw = await resp.read()
                    if status == 429 or status == 503:
                        with contextlib.suppress(ValueError, TypeError):
                            retry_after = min(max(float(resp.headers.get("Retry-After", "")), 0.0), 60.0)
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                metrics.result(CONNECTION_ERROR).inc()
                if attempt < self._max_retries and (verb in _IDEMPOTENT or retry_unsafe):
                    attempt += 1
                    metrics.retry(CONNECTION_ERROR).inc()
                    await asyncio.sleep(_backoff(attempt))
                    continue
                raise ApiError(0, "ConnectionError", f"{verb} {path}: {exc!r}") from exc
            finally:
                metrics.duration.observe(time.monotonic() - started)
            metrics.result(status).inc()
            metrics.response_size.observe(len(raw))
            payload: Any = None
            if raw:
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = raw.decode(errors="replace")
            if 200 <= status < 300:
                return payload
            if status == 401 and not relogged and self.login is not None:
                relogged = True  # a 401 means nothing was done: safe to retry any verb once
                creds = await self._relogin(creds)
                continue
            retryable = status == 429 or (status in _RETRY_STATUSES and (verb in _IDEMPOTENT or retry_unsafe))
            if retryable and attempt < self._max_retries:
                attempt += 1
                metrics.retry(status).inc()
                await asyncio.sleep(retry_after if retry_after is not None else _backoff(attempt))
                continue
            raise _error_for(status, payload)

    # ------------------------------------------------------------------ verbs

    async def get(self, resource: Resource, name: str, namespace: str | None = None) -> Body:
        result: Body = await self.request("GET", resource.path(namespace, name))
        return result

    async def get_or_none(self, resource: Resource, name: str, namespace: str | None = None) -> Body | None:
        """GET, with a missing object as ``None``."""
        try:
            return await self.get(resource, name, namespace)
        except NotFound:
            return None

    async def list(
        self,
        resource: Resource,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> list[Body]:
        """All items, following ``continue`` tokens."""
        items, _ = await self.list_with_version(resource, namespace, label_selector, field_selector, page_size)
        return items

    async def list_with_version(
        self,
        resource: Resource,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> tuple[builtins.list[Body], str]:
        """All items and the list's resourceVersion, following ``continue`` tokens.

        A continue token that expired mid-list (410) restarts the list from scratch once, as
        client-go's pager does.
        """
        items: builtins.list[Body] = []
        params: dict[str, str] = {"limit": str(page_size)}
        if label_selector:
            params["labelSelector"] = label_selector
        if field_selector:
            params["fieldSelector"] = field_selector
        restarted = False
        while True:
            try:
                page = await self.request("GET", resource.path(namespace), params=params)
            except ApiError as exc:
                if exc.status == 410 and "continue" in params and not restarted:
                    restarted = True
                    params.pop("continue")
                    items.clear()
                    continue
                raise
            items.extend(page.get("items") or [])
            meta = page.get("metadata") or {}
            token = meta.get("continue")
            if not token:
                return items, str(meta.get("resourceVersion") or "")
            params["continue"] = token

    async def create(
        self,
        resource: Resource,
        body: Mapping[str, Any],
        namespace: str | None = None,
        strict: bool = True,
    ) -> Body:
        """POST; ``strict`` makes the server reject unknown or duplicate fields (400)."""
        ns = namespace or (body.get("metadata") or {}).get("namespace")
        params = {"fieldManager": self.field_manager}
        if strict:
            params["fieldValidation"] = "Strict"
        # A create with a fixed name is safe to retry (a duplicate answers AlreadyExists);
        # one with generateName is not.
        has_name = bool((body.get("metadata") or {}).get("name"))
        result: Body = await self.request("POST", resource.path(ns), params=params, body=body, retry_unsafe=has_name)
        return result

    async def replace(self, resource: Resource, body: Mapping[str, Any], subresource: str | None = None) -> Body:
        """PUT (optimistic concurrency through metadata.resourceVersion)."""
        meta = body.get("metadata") or {}
        result: Body = await self.request(
            "PUT",
            resource.path(meta.get("namespace"), meta["name"], subresource),
            params={"fieldManager": self.field_manager},
            body=body,
        )
        return result

    async def patch(
        self,
        resource: Resource,
        name: str,
        patch: Any,
        namespace: str | None = None,
        patch_type: str = "merge",
        subresource: str | None = None,
    ) -> Body:
        """PATCH with the given type (merge, json, strategic)."""
        result: Body = await self.request(
            "PATCH",
            resource.path(namespace, name, subresource),
            params={"fieldManager": self.field_manager},
            body=patch,
            content_type=_PATCH_TYPES[patch_type],
        )
        return result

    async def delete(
        self,
        resource: Resource,
        name: str,
        namespace: str | None = None,
        propagation: str | None = None,
        uid: str | None = None,
    ) -> Body | None:
        """DELETE; ``uid`` makes it a no-op (409) if the name now belongs to a newer object."""
        options: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if propagation:
            options["propagationPolicy"] = propagation
        if uid:
            options["preconditions"] = {"uid": uid}
        result: Body | None = await self.request("DELETE", resource.path(namespace, name), body=options)
        return result

    async def delete_collection(
        self, resource: Resource, namespace: str, label_selector: str, propagation: str | None = None
    ) -> None:
        """DELETE on the collection (KubeRay's DeleteAllOf)."""
        params = {"labelSelector": label_selector}
        if propagation:
            params["propagationPolicy"] = propagation
        await self.request("DELETE", resource.path(namespace), params=params)

    async def watch(
        self,
        resource: Resource,
        namespace: str | None = None,
        label_selector: str | None = None,
        resource_version: str | None = None,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[Body]:
        """Raw watch events (used by tools and tests; the operator watches through kopf)."""
        params = {"watch": "true", "allowWatchBookmarks": "true", "timeoutSeconds": str(timeout_seconds)}
        if label_selector:
            params["labelSelector"] = label_selector
        if resource_version:
            params["resourceVersion"] = resource_version
        creds = await self._auth()
        timeout = aiohttp.ClientTimeout(total=None, sock_read=timeout_seconds + 30)
        async with self._get_session(creds).get(
            creds.server + resource.path(namespace),
            params=params,
            headers=creds.headers,
            timeout=timeout,
            proxy=creds.proxy,
        ) as resp:
            if resp.status != 200:
                raise _error_for(resp.status, await resp.text())
            async for line in resp.content:
                if line.strip():
                    yield json.loads(line)
