"""Where the operator sends dashboard and Serve-proxy traffic (KubeRay 5.1, 5.10, flag 6.1.13).

KubeRay talks to ``http://<status.dashboardURL>`` (or, with ``--use-kubernetes-proxy``, to the API
server's ``services/proxy`` subresource). Both addresses are cluster-internal, so an operator run
outside the cluster — our tests, a laptop against a port-forward — needs a way to point a cluster's
dashboard somewhere reachable. That is ``--ray-address-override`` (ours, not KubeRay's):

``ns/cluster=HOST:PORT``
    the dashboard of RayCluster ``cluster`` in namespace ``ns``;
``ns/*=HOST:PORT``
    every cluster in ``ns``;
``*=HOST:PORT``
    every cluster. The most specific key wins: ``ns/cluster`` over ``ns/*`` over ``*``.
``ns/cluster:serve=HOST:PORT`` (also ``ns/*:serve``, ``*:serve``)
    the Serve HTTP proxy of every Pod of that cluster (health checks, ``/-/healthz``). Without such
    a key, a cluster whose dashboard is overridden has its proxies at the dashboard override's HOST
    with the Pod's own serve port — what one Ray head on loopback gives.

Entries are comma-separated; ``@/path/file`` reads them from a file instead (one or more per line,
blank lines and ``#`` comments ignored), re-read whenever the file changes.

This module is pure (no I/O but the override file) so it is cheap to test.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from typing import Final

logger = logging.getLogger(__name__)

#: KubeRay's ``RayHTTPClientDirectTimeoutSeconds`` / ``RayHTTPClientProxyTimeoutSeconds``.
DIRECT_TIMEOUT: Final = 2.0
PROXY_TIMEOUT: Final = 10.0

#: Port name of the head Service's dashboard port (KubeRay ``DashboardPortName``).
DASHBOARD_PORT_NAME: Final = "dashboard"

SERVE_SUFFIX: Final = ":serve"
WILDCARD: Final = "*"

_NAME = r"[^\s/=,:*]+"
_KEY = re.compile(rf"^(?:\*|{_NAME}/(?:\*|{_NAME}))(?:{re.escape(SERVE_SUFFIX)})?$")
_VALUE = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[^\s/\[\]:@,=]+):(\d{1,5})$")


def parse_overrides(text: str, source: str = "--ray-address-override") -> dict[str, str]:
    """Parse ``key=host:port`` entries separated by commas or newlines; ValueError names the bad one."""
    result: dict[str, str] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for item in filter(None, (part.strip() for part in line.split(","))):
            key, sep, value = (s.strip() for s in item.partition("="))
            if not sep or not key or not value:
                raise ValueError(f"{source}: {item!r} is not KEY=HOST:PORT")
            if not _KEY.match(key):
                raise ValueError(
                    f"{source}: bad key {key!r}: expected 'namespace/cluster', 'namespace/*' or '*', "
                    f"optionally followed by '{SERVE_SUFFIX}'"
                )
            match = _VALUE.match(value)
            if not match or not 0 < int(match.group(1)) < 65536:
                raise ValueError(
                    f"{source}: bad address {value!r} for {key!r}: expected HOST:PORT, e.g. 127.0.0.1:8265"
                )
            if key in result:
                raise ValueError(f"{source}: {key!r} given twice")
            result[key] = value
    return result


class OverrideFile(Mapping[str, str]):
    """Overrides read from a file and re-read when its size or mtime changes.

    A change that does not parse (or a file that disappears) keeps the last good entries and logs a
    warning: a typo while editing must not send traffic somewhere else.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._entries: dict[str, str] = {}
        self._bad_stamp: tuple[int, int] | None = None
        self._entries = self._read(os.stat(path))  # errors at start-up are the caller's to report

    def _read(self, st: os.stat_result) -> dict[str, str]:
        with open(self.path, encoding="utf-8") as fh:
            entries = parse_overrides(fh.read(), source=f"@{self.path}")
        self._stamp = (st.st_mtime_ns, st.st_size)
        return entries

    def _current(self) -> dict[str, str]:
        try:
            st = os.stat(self.path)
        except OSError as exc:
            self._warn_once(None, f"cannot stat {self.path}: {exc}; keeping the previous overrides")
            return self._entries
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp and stamp != self._bad_stamp:
            try:
                self._entries = self._read(st)
                self._bad_stamp = None
                logger.info("ray address overrides re-read from %s: %s", self.path, self._entries)
            except (OSError, ValueError) as exc:
                self._warn_once(stamp, f"{exc}; keeping the previous overrides")
        return self._entries

    def _warn_once(self, stamp: tuple[int, int] | None, message: str) -> None:
        if stamp is None or stamp != self._bad_stamp:
            logger.warning("%s", message)
        self._bad_stamp = stamp

    def __getitem__(self, key: str) -> str:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict(self._current()))

    def __len__(self) -> int:
        return len(self._current())

    def __repr__(self) -> str:
        return f"OverrideFile({self.path!r})"


def load_overrides(value: str) -> Mapping[str, str]:
    """The flag's value: ``@file`` (an :class:`OverrideFile`) or inline entries (a dict)."""
    value = value.strip()
    if value.startswith("@"):
        path = value[1:].strip()
        if not path:
            raise ValueError("--ray-address-override: '@' needs a file path")
        try:
            return OverrideFile(path)
        except OSError as exc:
            raise ValueError(f"--ray-address-override: cannot read {path}: {exc}") from exc
    return parse_overrides(value)


def _lookup(overrides: Mapping[str, str], namespace: str, cluster: str, suffix: str) -> str | None:
    if not overrides:
        return None
    keys = [f"{namespace}/{cluster}"] if cluster else []
    keys += [f"{namespace}/{WILDCARD}", WILDCARD]
    for key in keys:
        found = overrides.get(key + suffix)
        if found:
            return found
    return None


def dashboard_override(overrides: Mapping[str, str], namespace: str, cluster: str) -> str | None:
    """``host:port`` replacing this cluster's dashboard address, if any (most specific key wins)."""
    return _lookup(overrides, namespace, cluster, "")


def serve_override(overrides: Mapping[str, str], namespace: str, cluster: str, port: int) -> str | None:
    """``host:port`` replacing a Pod's serve proxy: a ``:serve`` key, else the dashboard override's host."""
    explicit = _lookup(overrides, namespace, cluster, SERVE_SUFFIX)
    if explicit:
        return explicit
    dashboard = dashboard_override(overrides, namespace, cluster)
    if dashboard:
        return f"{dashboard.rpartition(':')[0]}:{port}"
    return None


def direct_dashboard_url(dashboard_url: str) -> str:
    """KubeRay's ``fmt.Sprintf("http://%s", url)``."""
    return f"http://{dashboard_url}"


def proxy_dashboard_url(api_server: str, namespace: str, head_service: str) -> str:
    """The API server's ``services/proxy`` path to the head Service's ``dashboard`` port."""
    return f"{api_server.rstrip('/')}/api/v1/namespaces/{namespace}/services/{head_service}:{DASHBOARD_PORT_NAME}/proxy"


def direct_serve_proxy_url(host: str, port: int) -> str:
    """KubeRay's ``http://<podIP>:<port>/`` (health path appended without a leading slash)."""
    return f"http://{host}:{port}/"


def proxy_serve_proxy_url(api_server: str, namespace: str, pod: str, port: int) -> str:
    """The API server's ``pods/proxy`` path to a Pod's serve port."""
    return f"{api_server.rstrip('/')}/api/v1/namespaces/{namespace}/pods/{pod}:{port}/proxy/"
