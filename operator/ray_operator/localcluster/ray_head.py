"""A real Ray head on loopback, for the tests and for ``localcluster run --ray-head``.

Why a real head: the dashboard's job and serve APIs change between Ray releases, and a fake only
proves we agree with ourselves. Every port Ray opens is chosen free on 127.0.0.1 and the head runs
in a new session (process group) with its own short ``--temp-dir``, so stopping it kills exactly
the processes we started. Never ``ray stop``: it kills every Ray process of the user, including
other people's heads on the same machine.

Works inside a loopback-only network namespace (``unshare -rn``): nothing here needs another
interface, and the node IP is pinned to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO, Final

from ray_operator.localcluster.cluster import free_port

__all__ = [
    "RAY_BIN",
    "RayHead",
    "RayHeadError",
    "free_port",
    "http_request",
    "launch_ray_head",
    "serve_available",
    "start_ray_head",
]

#: The ``ray`` launcher of the running interpreter's virtualenv (the project's ``.venv``).
RAY_BIN: Final = Path(sys.executable).with_name("ray")

Log = Callable[[str], object]


class RayHeadError(RuntimeError):
    """The head could not be started: no launcher, it exited, or it never became ready."""


def http_request(method: str, url: str, body: object = None, timeout: float = 2.0) -> tuple[int, bytes]:
    """One request (``body`` sent as JSON) without proxies from the environment; (0, b"") when
    nothing answers. Blocking: for the launcher and the tests, never for the operator."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(req, timeout=timeout) as resp:
            return int(resp.status), bytes(resp.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), bytes(exc.read())
    except (OSError, ValueError):
        return 0, b""


_RAY_ENV: Final = {
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_DISABLE_DOCKER_CPU_WARNING": "1",
    # Keep the head small on a shared 2-core machine.
    "RAY_BACKEND_LOG_LEVEL": "warning",
}


@dataclasses.dataclass
class RayHead:
    """A running ``ray start --head --block`` and the loopback addresses it listens on."""

    dashboard_address: str  # host:port, what DashboardClient / ray-address-override take
    gcs_address: str  # host:port, what ``ray.init(address=...)`` takes
    agent_address: str  # host:port of the head's dashboard agent (raylet health)
    client_server_port: int
    serve_port: int  # reserved for a Serve HTTP proxy a test may start (not started here)
    temp_dir: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    _log: IO[bytes] | None = dataclasses.field(default=None, repr=False)

    @property
    def dashboard_url(self) -> str:
        """``http://host:port`` of the dashboard, for people and ``ray job --address``."""
        return f"http://{self.dashboard_address}"

    def alive(self) -> bool:
        """Whether ``ray start`` itself is still running (it exits when the head dies)."""
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        """The end of ``ray start``'s own output, for error and assertion messages."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def ready(self) -> bool:
        """Dashboard, GCS and the head's agent all answer (job submission needs the agent)."""
        version = http_request("GET", f"{self.dashboard_url}/api/version")
        gcs = http_request("GET", f"{self.dashboard_url}/api/gcs_healthz")
        raylet = http_request("GET", f"http://{self.agent_address}/api/local_raylet_healthz")
        if version[0] != 200 or gcs[0] != 200 or raylet[0] != 200:
            return False
        with contextlib.suppress(ValueError, AttributeError):
            return bool(json.loads(version[1]).get("ray_version")) and b"success" in gcs[1] + raylet[1]
        return False

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Block until :meth:`ready`; RayHeadError (with the log tail) if the head dies or is slow."""
        deadline = time.monotonic() + timeout
        while not self.ready():
            if not self.alive():
                raise RayHeadError(f"ray head exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RayHeadError(f"ray head not ready after {timeout:.0f}s:\n{self.log_tail()}")
            time.sleep(0.25)

    def python_env(self) -> dict[str, str]:
        """Environment for a driver script (``ray.init(address=gcs_address)``) against this head."""
        env = dict(os.environ)
        env.update(_RAY_ENV, RAY_ADDRESS=self.gcs_address)
        return env

    def stop(self, grace: float = 3.0) -> None:
        """SIGTERM the head's process group, SIGKILL what is left, remove the temp dir."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        # Raylet, GCS, dashboard and workers share the group; workers may outlive ``ray start``.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
        _wait_group_gone(self.process.pid, timeout=5.0)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def _wait_group_gone(pgid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.1)


def launch_ray_head(num_cpus: int = 4, ray_bin: Path | None = None) -> RayHead:
    """Spawn the head and return at once, so a caller can do other start-up work meanwhile.

    Call :meth:`RayHead.wait_ready` before using it and :meth:`RayHead.stop` in any case.
    """
    ray_bin = RAY_BIN if ray_bin is None else ray_bin
    if not ray_bin.exists():
        raise RayHeadError(f"no ray launcher at {ray_bin}; install ray[default,serve] into the virtualenv")
    # Short: Ray's Unix socket paths (<temp>/session_<date>_<pid>/sockets/...) must fit in 107 bytes.
    temp_dir = Path(tempfile.mkdtemp(prefix="rh-", dir="/tmp"))
    ports = {
        "port": free_port(),
        "dashboard-port": free_port(),
        "dashboard-agent-listen-port": free_port(),
        "dashboard-agent-grpc-port": free_port(),
        "ray-client-server-port": free_port(),
        "node-manager-port": free_port(),
        "object-manager-port": free_port(),
        "metrics-export-port": free_port(),
        "runtime-env-agent-port": free_port(),
    }
    args = [
        str(ray_bin),
        "start",
        "--head",
        "--block",
        "--node-ip-address=127.0.0.1",
        "--dashboard-host=127.0.0.1",
        f"--num-cpus={num_cpus}",
        "--disable-usage-stats",
        "--include-dashboard=true",
        f"--temp-dir={temp_dir}",
        "--object-store-memory=100000000",
        *(f"--{name}={value}" for name, value in ports.items()),
    ]
    log_path = temp_dir / "ray-start.log"
    log_file = log_path.open("wb")
    env = dict(os.environ)
    env.update(_RAY_ENV)
    env.pop("RAY_ADDRESS", None)
    # Job entrypoints say ``python ...`` and run in the head's environment: make that the
    # virtualenv's interpreter (the one with ray), not whichever ``python`` comes first on PATH.
    env["PATH"] = os.pathsep.join(filter(None, (str(ray_bin.parent), env.get("PATH"))))
    process = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=temp_dir,
        start_new_session=True,  # its own process group: stop() kills exactly this head
    )
    return RayHead(
        dashboard_address=f"127.0.0.1:{ports['dashboard-port']}",
        gcs_address=f"127.0.0.1:{ports['port']}",
        agent_address=f"127.0.0.1:{ports['dashboard-agent-listen-port']}",
        client_server_port=ports["ray-client-server-port"],
        serve_port=free_port(),
        temp_dir=temp_dir,
        log_path=log_path,
        process=process,
        _log=log_file,
    )


def start_ray_head(
    num_cpus: int = 4, timeout: float = 120.0, log: Log | None = None, ray_bin: Path | None = None
) -> RayHead:
    """Start a head on 127.0.0.1 with free ports and wait until its dashboard and agent answer."""
    head = launch_ray_head(num_cpus=num_cpus, ray_bin=ray_bin)
    started = time.monotonic()
    try:
        head.wait_ready(timeout)
    except BaseException:
        head.stop()
        raise
    if log is not None:
        log(f"ray head ready in {time.monotonic() - started:.1f}s: dashboard {head.dashboard_url}")
    return head


@functools.cache
def serve_available() -> bool:
    """Whether ``ray[serve]`` is importable in this interpreter (checked once, in a subprocess)."""
    code = "import ray.serve, fastapi, uvicorn"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120).returncode == 0


def _main() -> int:
    """Manual check: start a head, print its version answer, stop it."""
    head = start_ray_head(log=print)
    try:
        print(http_request("GET", f"{head.dashboard_url}/api/version"))
    finally:
        head.stop()
    return 0


if __name__ == "__main__":  # python -m ray_operator.localcluster.ray_head
    sys.exit(_main())
