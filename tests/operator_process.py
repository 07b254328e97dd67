"""Run the real operator (``python -m ray_operator``) as a subprocess against the local cluster.

A subprocess, not a thread: tests can SIGKILL it mid-reconcile and start a fresh one, which is
the only honest way to prove that restarts converge.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from ray_operator.localcluster.cluster import LocalCluster, die_with_parent, free_port


class OperatorProcess:
    """One operator process; ``start``, ``kill``, ``stop``; logs kept in a file for failures."""

    def __init__(
        self,
        cluster: LocalCluster,
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        kubeconfig: str | None = None,
    ) -> None:
        self.cluster = cluster
        self.kubeconfig = kubeconfig or cluster.kubeconfig
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="ray-operator-", suffix=".log")[1])
        self.metrics_port = 0
        self.health_port = 0

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.health_port}"

    def start(self, wait_ready: bool = True, timeout: float = 60.0) -> OperatorProcess:
        self.metrics_port, self.health_port = free_port(), free_port()
        env = {**self.cluster.env(), "LOG_LEVEL": "DEBUG", **self.env}
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ray_operator",
                f"--kubeconfig={self.kubeconfig}",
                f"--metrics-addr=127.0.0.1:{self.metrics_port}",
                f"--health-probe-bind-address=127.0.0.1:{self.health_port}",
                *self.extra_args,
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        log.close()
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"operator exited with {self.proc.returncode}:\n{self.logs()[-4000:]}")
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(f"{self.health_url}/readyz", timeout=1) as resp,
            ):
                if resp.status == 200:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"operator not ready after {timeout}s:\n{self.logs()[-4000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, exactly like an OOM kill or node loss."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.returncode

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, url: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
