"""The operator's own HTTP endpoints: Prometheus ``/metrics`` and ``/healthz`` + ``/readyz``.

KubeRay serves metrics on ``:8080`` and health on ``:8082``; we keep the defaults so existing
Prometheus scrape configs and probes work unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

logger = logging.getLogger(__name__)


def parse_address(address: str) -> tuple[str, int] | None:
    """``:8080`` -> ("0.0.0.0", 8080); ``127.0.0.1:0`` -> random port; ``0`` or "" -> disabled."""
    address = address.strip()
    if address in ("", "0"):
        return None
    host, _, port = address.rpartition(":")
    if host.startswith("[") and host.endswith("]"):  # Go's "[::]:8080"
        host = host[1:-1]
    return (host or "0.0.0.0", int(port))


class Endpoints:
    """Starts one aiohttp site per distinct address; records the ports actually bound."""

    def __init__(
        self,
        metrics_addr: str,
        health_addr: str,
        healthy: Callable[[], tuple[bool, str]],
        ready: Callable[[], tuple[bool, str]],
    ) -> None:
        self._metrics = parse_address(metrics_addr)
        self._health = parse_address(health_addr)
        self._healthy = healthy
        self._ready = ready
        self._runners: list[web.AppRunner] = []
        self.bound: dict[str, tuple[str, int]] = {}

    async def _metrics_handler(self, _: web.Request) -> web.Response:
        return web.Response(body=generate_latest(REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _health_handler(self, _: web.Request) -> web.Response:
        ok, detail = self._healthy()
        return web.Response(status=200 if ok else 503, text=detail or ("ok" if ok else "unhealthy"))

    async def _ready_handler(self, _: web.Request) -> web.Response:
        ok, detail = self._ready()
        return web.Response(status=200 if ok else 503, text=detail or ("ok" if ok else "not ready"))

    async def start(self) -> None:
        sites: dict[tuple[str, int], list[tuple[str, Callable[[web.Request], object]]]] = {}
        if self._metrics:
            sites.setdefault(self._metrics, []).append(("/metrics", self._metrics_handler))
        if self._health:
            sites.setdefault(self._health, []).extend(
                [("/healthz", self._health_handler), ("/readyz", self._ready_handler)]
            )
        for (host, port), routes in sites.items():
            app = web.Application()
            for path, handler in routes:
                app.router.add_get(path, handler)  # type: ignore[arg-type]
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, host, port)
            await site.start()
            server = site._server
            sockets = getattr(server, "sockets", None) or []
            bound = sockets[0].getsockname()[:2] if sockets else (host, port)
            for path, _ in routes:
                self.bound[path] = (str(bound[0]), int(bound[1]))
            self._runners.append(runner)
            logger.info("serving %s on %s:%s", ", ".join(p for p, _ in routes), bound[0], bound[1])

    async def stop(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()
