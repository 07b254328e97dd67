"""The one module that talks to the Kubernetes API server.

Why our own thin client on aiohttp instead of ``kubernetes_asyncio``: kopf imports any installed
Kubernetes client eagerly, and ``kubernetes_asyncio`` adds ~36 MB of resident memory for generated
models we would never use (builders produce plain dicts). aiohttp is already loaded by kopf, so
this facade costs next to nothing. Measured numbers are in the README.

What the facade adds over raw HTTP: credentials from a kubeconfig or the Pod's service account
(parsed by kopf's public login helpers), a client-side token bucket (KubeRay's ``--qps``/``--burst``),
retries with backoff for throttling and transient server errors, typed exceptions for the status
codes reconcilers branch on, strict field validation on create (a mistyped field in a pod template
becomes a clear error instead of being silently dropped), and KubeRay's ``rest_client_*`` metrics.
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import contextlib
import json
import logging
import os
import ssl
import tempfile
import time
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import kopf
from prometheus_client import Counter, Histogram

from ray_operator import __version__

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


# --------------------------------------------------------------------------- metrics (KubeRay's names)

_LATENCY_BUCKETS = (0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60)
REQUEST_DURATION = Histogram(
    "rest_client_request_duration_seconds",
    "Request latency in seconds. Broken down by verb, and host.",
    ["verb", "host"],
    buckets=_LATENCY_BUCKETS,
)
RATE_LIMITER_DURATION = Histogram(
    "rest_client_rate_limiter_duration_seconds",
    "Client side rate limiter latency in seconds. Broken down by verb, and host.",
    ["verb", "host"],
    buckets=_LATENCY_BUCKETS,
)
REQUESTS_TOTAL = Counter(
    "rest_client_requests",
    "Number of HTTP requests, partitioned by status code, method, and host.",
    ["code", "method", "host"],
)
REQUEST_RETRIES = Counter(
    "rest_client_request_retries",
    "Number of request retries, partitioned by status code, verb, and host.",
    ["code", "verb", "host"],
)


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
    """How to reach and authenticate to the API server."""

    server: str
    ssl_context: ssl.SSLContext | bool
    headers: dict[str, str]
    token_file: str | None = None  # re-read on 401: projected tokens rotate
    default_namespace: str | None = None


def _material(path: Any, data: Any, tmpdir: str, name: str) -> str | None:
    """kubeconfig values come as a path or as base64 data; ssl wants a path."""
    if path:
        return os.fsdecode(path)
    if data:
        raw = data.encode() if isinstance(data, str) else data
        with contextlib.suppress(ValueError):
            raw = base64.b64decode(raw, validate=True)
        target = os.path.join(tmpdir, name)
        with open(target, "wb") as fh:
            fh.write(raw)
        os.chmod(target, 0o600)
        return target
    return None


def credentials_from_connection_info(info: kopf.ConnectionInfo) -> Credentials:
    """Turn kopf's parsed kubeconfig/service-account info into an SSL context and headers."""
    tmpdir = tempfile.mkdtemp(prefix="ray-operator-creds-")
    ctx: ssl.SSLContext | bool
    if info.insecure:
        ctx = False
    else:
        ctx = ssl.create_default_context()
        ca = _material(info.ca_path, info.ca_data, tmpdir, "ca.crt")
        if ca:
            ctx.load_verify_locations(cafile=ca)
        cert = _material(info.certificate_path, info.certificate_data, tmpdir, "client.crt")
        key = _material(info.private_key_path, info.private_key_data, tmpdir, "client.key")
        if cert:
            ctx.load_cert_chain(cert, key)
    headers: dict[str, str] = {}
    if info.token:
        headers["Authorization"] = f"{info.scheme or 'Bearer'} {info.token}"
    elif info.username and info.password:
        basic = base64.b64encode(f"{info.username}:{info.password}".encode()).decode()
        headers["Authorization"] = f"Basic {basic}"
    token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token" if info.token else None
    return Credentials(
        server=info.server.rstrip("/"),
        ssl_context=ctx,
        headers=headers,
        token_file=token_file if token_file and os.path.exists(token_file) else None,
        default_namespace=info.default_namespace,
    )


def discover_connection_info() -> kopf.ConnectionInfo:
    """In a Pod: its service account; otherwise ``$KUBECONFIG`` or ``~/.kube/config``."""
    settings = kopf.OperatorSettings()
    info = None
    if not os.environ.get("KUBECONFIG"):
        info = kopf.login_with_service_account(settings=settings)
    if info is None:
        info = kopf.login_with_kubeconfig(settings=settings)
    if info is None:
        raise RuntimeError(
            "no Kubernetes credentials: not in a Pod with a service account, and neither $KUBECONFIG "
            "nor ~/.kube/config exists (pass --kubeconfig)"
        )
    return info


def discover_credentials() -> Credentials:
    """Credentials for our own client, found like :func:`discover_connection_info`."""
    return credentials_from_connection_info(discover_connection_info())


# --------------------------------------------------------------------------- the client


_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_IDEMPOTENT = frozenset({"GET", "PUT", "PATCH", "DELETE"})
_PATCH_TYPES = {
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
    "strategic": "application/strategic-merge-patch+json",
    "apply": "application/apply-patch+yaml",
}


class KubeClient:
    """Async access to the API server; one per process, shared by all reconcilers."""

    field_manager = "ray-operator"

    def __init__(
        self,
        credentials: Credentials,
        qps: float = 100.0,
        burst: int = 200,
        max_retries: int = 5,
        request_timeout: float = 30.0,
    ) -> None:
        self.credentials = credentials
        self._bucket = TokenBucket(qps, burst)
        self._max_retries = max_retries
        self._timeout = aiohttp.ClientTimeout(total=request_timeout, connect=10)
        self._session: aiohttp.ClientSession | None = None
        self._host = urllib.parse.urlsplit(credentials.server).netloc

    @classmethod
    def from_environment(cls, qps: float = 100.0, burst: int = 200) -> KubeClient:
        """Credentials as kubectl or a Pod would find them."""
        return cls(discover_credentials(), qps=qps, burst=burst)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(ssl=self.credentials.ssl_context, limit=64)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                headers={"User-Agent": f"ray-operator/{__version__}", "Accept": "application/json"},
            )
        return self._session

    def _refresh_token(self) -> bool:
        """Projected service-account tokens rotate; re-read the file after a 401."""
        path = self.credentials.token_file
        if not path:
            return False
        with contextlib.suppress(OSError):
            with open(path, encoding="utf-8") as fh:
                token = fh.read().strip()
            new = f"Bearer {token}"
            if self.credentials.headers.get("Authorization") != new:
                self.credentials.headers["Authorization"] = new
                return True
        return False

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
        url = self.credentials.server + path
        data = None if body is None else json.dumps(body, separators=(",", ":"))
        verb = method.upper()
        attempt = 0
        refreshed = False
        while True:
            waited = await self._bucket.acquire()
            RATE_LIMITER_DURATION.labels(verb, self._host).observe(waited)
            headers = dict(self.credentials.headers)
            if data is not None:
                headers["Content-Type"] = content_type
            started = time.monotonic()
            status = 0
            retry_after: float | None = None
            try:
                async with self._get_session().request(verb, url, params=params, data=data, headers=headers) as resp:
                    status = resp.status
                    raw = await resp.read()
                    if status == 429 or status == 503:
                        with contextlib.suppress(ValueError, TypeError):
                            retry_after = float(resp.headers.get("Retry-After", ""))
            except (TimeoutError, aiohttp.ClientConnectionError) as exc:
                REQUESTS_TOTAL.labels("<error>", verb, self._host).inc()
                if attempt < self._max_retries and (verb in _IDEMPOTENT or retry_unsafe):
                    attempt += 1
                    REQUEST_RETRIES.labels("<error>", verb, self._host).inc()
                    await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
                    continue
                raise ApiError(0, "ConnectionError", f"{verb} {path}: {exc!r}") from exc
            finally:
                REQUEST_DURATION.labels(verb, self._host).observe(time.monotonic() - started)
            REQUESTS_TOTAL.labels(str(status), verb, self._host).inc()
            payload: Any = None
            if raw:
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = raw.decode(errors="replace")
            if 200 <= status < 300:
                return payload
            if status == 401 and not refreshed and self._refresh_token():
                refreshed = True
                continue
            retryable = status == 429 or (status in _RETRY_STATUSES and (verb in _IDEMPOTENT or retry_unsafe))
            if retryable and attempt < self._max_retries:
                attempt += 1
                REQUEST_RETRIES.labels(str(status), verb, self._host).inc()
                await asyncio.sleep(retry_after if retry_after is not None else min(0.2 * 2**attempt, 5.0))
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
        url = self.credentials.server + resource.path(namespace)
        timeout = aiohttp.ClientTimeout(total=None, sock_read=timeout_seconds + 30)
        async with self._get_session().get(
            url, params=params, headers=self.credentials.headers, timeout=timeout
        ) as resp:
            if resp.status != 200:
                raise _error_for(resp.status, await resp.text())
            async for line in resp.content:
                if line.strip():
                    yield json.loads(line)
