"""Real Ray heads with Serve on loopback for the RayService tests, and the override file that points
the operator at them.

Every cluster of a RayService gets the same ``serveConfigV2`` text, so nothing in it may differ per
head: each head's Serve is (re)started by :meth:`ServeHead.reset` with ``http_options`` on its own
port (Serve ignores ``http_options`` once it runs, with a warning), and the test app is "broken on
this head only" through a marker file named after the head's GCS port (``tests/serve_apps/hello.py``).
:class:`Relay` sits between the operator and a dashboard to count what the operator sends.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import http.client
import http.server
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from conftest import RAY_OVERRIDE_FILE
from helpers import wait_until
from ray_head import RayHead, http_request, start_ray_head

SERVE_APPS = Path(__file__).resolve().parent.parent / "serve_apps"
#: ``HELLO_BROKEN_DIR`` of the test app: a file named after a head's GCS port breaks it there.
BROKEN_DIR = Path(tempfile.gettempdir()) / f"rayservice-tests-broken-{os.getpid()}"
APP = "hello"


# --------------------------------------------------------------------------- the override file


class Overrides:
    """Our entries in an ``--ray-address-override`` file, merged with the lines others wrote.

    Read-modify-write, replaced atomically (the operator may read at any moment); a rewrite that
    would leave (mtime, size) unchanged is repeated, since that stamp is how the operator notices.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.mine: dict[str, str] = {}
        self._written: set[str] = set()
        self._lock = threading.RLock()

    def update(self, entries: Mapping[str, str | None]) -> None:
        """Set (or, for ``None``, remove) keys and rewrite the file once."""
        with self._lock:
            for key, value in entries.items():
                if value is None:
                    self.mine.pop(key, None)
                else:
                    self.mine[key] = value
            self._write()

    def clear(self) -> None:
        self.update(dict.fromkeys(self.mine))

    def _write(self) -> None:
        try:
            text = self.path.read_text()
            before = os.stat(self.path)
            stamp: tuple[int, int] | None = (before.st_mtime_ns, before.st_size)
        except FileNotFoundError:
            text, stamp = "", None
        keys = self._written | set(self.mine)
        kept = [line for line in text.splitlines() if line.partition("=")[0].strip() not in keys]
        new = "\n".join([*kept, *(f"{k}={v}" for k, v in self.mine.items())]) + "\n"
        self._written = set(self.mine)
        for _ in range(50):
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
            with os.fdopen(fd, "w") as fh:
                fh.write(new)
            os.replace(tmp, self.path)
            after = os.stat(self.path)
            if (after.st_mtime_ns, after.st_size) != stamp:
                return
            time.sleep(0.01)


OVERRIDES = Overrides(RAY_OVERRIDE_FILE)


class DeadPort:
    """A loopback port that refuses connections and that nobody else can take (bound, not listening)."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._sock.getsockname()[1]}"


DEAD = DeadPort()


# --------------------------------------------------------------------------- Ray heads with Serve


class ServeHead:
    """A real Ray head whose Serve HTTP proxy listens on 127.0.0.1:``serve_port``."""

    def __init__(self, head: RayHead, label: str) -> None:
        self.ray = head
        self.label = label

    @property
    def dashboard_address(self) -> str:
        return self.ray.dashboard_address

    @property
    def serve_address(self) -> str:
        return f"127.0.0.1:{self.ray.serve_port}"

    @property
    def marker(self) -> Path:
        return BROKEN_DIR / self.ray.gcs_address.rpartition(":")[2]

    def target(self) -> Target:
        return Target(self.dashboard_address, self.serve_address, self)

    def details(self) -> dict[str, Any]:
        status, body = http_request(
            "GET", f"{self.ray.dashboard_url}/api/serve/applications/?api_type=declarative", timeout=60
        )
        assert status == 200, f"{self.label}: serve details {status} {body[:500]!r}"
        result: dict[str, Any] = json.loads(body)
        return result

    def applications(self) -> dict[str, Any]:
        return dict(self.details().get("applications") or {})

    def put(self, config: Mapping[str, Any]) -> None:
        status, body = http_request("PUT", f"{self.ray.dashboard_url}/api/serve/applications/", config, 60)
        assert status == 200, f"{self.label}: PUT serve config {status} {body[:500]!r}"

    def request(self, path: str = "/", timeout: float = 5.0) -> tuple[int, str]:
        status, body = http_request("GET", f"http://{self.serve_address}{path}", timeout=timeout)
        return status, body.decode(errors="replace")

    def answer(self) -> dict[str, Any]:
        """The app's JSON answer (asserts it answers)."""
        status, body = self.request()
        assert status == 200, f"{self.label} proxy {self.serve_address}: {status} {body[:300]}"
        result: dict[str, Any] = json.loads(body)
        return result

    def break_app(self, broken: bool = True) -> None:
        """Make ``hello:app_builder`` fail (DEPLOY_FAILED) on this head only, from its next build."""
        BROKEN_DIR.mkdir(exist_ok=True)
        if broken:
            self.marker.touch()
        else:
            self.marker.unlink(missing_ok=True)

    def reset(self, timeout: float = 90.0) -> None:
        """No applications, app not broken, and Serve (re)started on our own port.

        ``DELETE`` shuts Serve down (its proxy would otherwise stay healthy with no route), then a
        ``PUT`` with no application restarts it with our ``http_options``.
        """
        self.break_app(False)
        deadline = time.monotonic() + timeout
        while True:
            status, body = http_request("DELETE", f"{self.ray.dashboard_url}/api/serve/applications/", timeout=60)
            assert status == 200, f"{self.label}: DELETE serve {status} {body[:300]!r}"
            self.put({"http_options": {"host": "127.0.0.1", "port": self.ray.serve_port}, "applications": []})
            details = self.details()
            if (details.get("http_options") or {}).get("port") == self.ray.serve_port and not details.get(
                "applications"
            ):
                break  # (someone else's PUT may have restarted Serve on its defaults in between)
            assert time.monotonic() < deadline, f"{self.label}: Serve not on our port: {details}"
        wait_until(lambda: self.request("/-/healthz")[0] != 0, deadline - time.monotonic(), f"{self.label} proxy up")

    def stop(self) -> None:
        self.marker.unlink(missing_ok=True)
        self.ray.stop()


def start_serve_heads(count: int, log: Callable[[str], None] | None = None) -> list[ServeHead]:
    """Start ``count`` heads, each with Serve on its own loopback port.

    One after the other: ``start_ray_head`` picks its ports bind-to-0 style, and two heads
    starting at once can pick the same one (a collision is retried once).
    """
    heads: list[ServeHead] = []
    try:
        for i in range(count):
            try:
                ray = start_ray_head(log=log)
            except RuntimeError as exc:
                if "is used by other components" not in str(exc):
                    raise
                ray = start_ray_head(log=log)
            heads.append(ServeHead(ray, f"head-{chr(ord('A') + i)}"))
        for head in heads:
            head.reset()
    except BaseException:
        for head in heads:
            head.stop()
        raise
    return heads


@contextlib.contextmanager
def serve_heads(count: int) -> Iterator[list[ServeHead]]:
    """Fixture body: the heads, stopped after; our override lines removed after."""
    heads = start_serve_heads(count, log=lambda msg: print(f"[serve_heads] {msg}"))
    try:
        yield heads
    finally:
        OVERRIDES.clear()
        for head in heads:
            head.stop()
        shutil.rmtree(BROKEN_DIR, ignore_errors=True)


# --------------------------------------------------------------------------- clusters -> heads


@dataclasses.dataclass(frozen=True)
class Target:
    """Where one RayCluster's dashboard and Serve proxy really are."""

    dashboard: str
    serve: str
    head: ServeHead | None = None  # None: nothing real behind it


DEAD_TARGET = Target(DEAD.address, DEAD.address)
# --------------------------------------------------------------------------- a counting relay


class Relay:
    """A loopback HTTP relay to ``upstream`` that counts requests by ``METHOD /path`` (query dropped)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.counts: collections.Counter[str] = collections.Counter()
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                relay.counts[f"{self.command} {self.path.partition('?')[0]}"] += 1
                host, _, port = relay.upstream.rpartition(":")
                conn = http.client.HTTPConnection(host, int(port), timeout=60)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
                    conn.request(self.command, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    status, data, ctype = resp.status, resp.read(), resp.getheader("Content-Type")
                except OSError as exc:
                    status, data, ctype = 502, f"relay: {exc}".encode(), "text/plain"
                finally:
                    conn.close()
                self.send_response(status)
                self.send_header("Content-Type", ctype or "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = _relay

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def puts(self) -> int:
        return self.counts["PUT /api/serve/applications/"]

    @property
    def status_reads(self) -> int:
        return self.counts["GET /api/serve/applications/"]

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- manifests and reads


def serve_config(message: str = "hello", import_path: str = "hello:app_builder") -> str:
    """``serveConfigV2``: one app ``hello`` on ``/`` from ``tests/serve_apps``; no ``http_options``."""
    return f"""applications:
  - name: {APP}
    route_prefix: /
    import_path: {import_path}
    runtime_env:
      env_vars:
        PYTHONPATH: "{SERVE_APPS}"
        HELLO_BROKEN_DIR: "{BROKEN_DIR}"
    deployments:
      - name: Hello
        user_config:
          message: "{message}"
"""
