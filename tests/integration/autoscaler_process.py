"""The real Ray autoscaler (``ray kuberay-autoscaler``) for one RayCluster, next to a real Ray head.

In a real cluster the autoscaler is a sidecar of the head Pod. Here the head Pod runs on KWOK
(nothing in it runs), so a real head is started on 127.0.0.1 in its place, *as* that Pod: Ray
reads ``RAY_CLOUD_INSTANCE_ID`` / ``RAY_NODE_TYPE_NAME`` (set by the operator on every Ray
container) to tell autoscaler v2 which Pod a Ray node is, and ``RAY_enable_autoscaler_v2`` to
pick v2. The autoscaler talks to the local API server with the admin client certificate
(``RAY_KUBERAY_CLIENT_CERT_PATH`` / ``..._KEY_PATH`` / ``RAY_KUBERAY_CA_CERT_PATH``).

Worker Pods on KWOK never start a Ray node either, so a new worker stays a *pending* node of
the autoscaler. ``RAY_AUTOSCALER_PENDING_NODE_IDLE_TIMEOUT_S`` makes v2 treat a pending node that
no demand needs as idle, which is how a scale-down through ``workersToDelete`` happens here once
the demand is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ray_head import RAY_BIN, RayHead, start_ray_head
from ray_operator.localcluster.cluster import LocalCluster

#: A driver that asks for one task of 2 CPUs and waits for it (the head has 0 CPUs).
_DEMAND = "import ray, time\nray.init()\nray.get(ray.remote(num_cpus=2)(lambda: 1).remote())\ntime.sleep(3600)\n"


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started, then SIGKILL it (Ray children may outlive the leader)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    """``os.environ`` with ``values`` set while the block runs (the head launcher copies it)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


class Autoscaled:
    """A real head standing in for a RayCluster's head Pod, its autoscaler, and demand on it."""

    def __init__(self, cluster: LocalCluster, namespace: str, name: str, head_pod: str) -> None:
        self.cluster, self.namespace, self.name, self.head_pod = cluster, namespace, name, head_pod
        self.head: RayHead | None = None
        self.autoscaler: subprocess.Popen[bytes] | None = None
        self.driver: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="kuberay-autoscaler-", suffix=".log")[1])

    def start(self, pending_idle_timeout_s: int = 5) -> Autoscaled:
        """Start the head (0 CPUs, autoscaler v2, as the head Pod) and the autoscaler for it."""
        with _environ(
            RAY_enable_autoscaler_v2="1", RAY_CLOUD_INSTANCE_ID=self.head_pod, RAY_NODE_TYPE_NAME="headgroup"
        ):
            self.head = start_ray_head(num_cpus=0)
        pki = self.cluster.pki
        env = {k: v for k, v in self.head.python_env().items() if not k.lower().endswith("_proxy")}
        env.pop("RAY_ADDRESS", None)
        env.update(
            KUBERNETES_SERVICE_HOST="127.0.0.1",
            KUBERNETES_SERVICE_PORT_HTTPS=str(self.cluster.ports["apiserver"]),
            RAY_KUBERAY_CLIENT_CERT_PATH=str(pki / "admin.crt"),
            RAY_KUBERAY_CLIENT_KEY_PATH=str(pki / "admin.key"),
            RAY_KUBERAY_CA_CERT_PATH=str(pki / "ca.crt"),
            RAY_AUTOSCALER_PENDING_NODE_IDLE_TIMEOUT_S=str(pending_idle_timeout_s),
            # run_kuberay_autoscaler calls ``ray health-check``: the virtualenv's launcher.
            PATH=os.pathsep.join((str(RAY_BIN.parent), env.get("PATH", ""))),
        )
        args = [str(RAY_BIN), "kuberay-autoscaler", f"--cluster-name={self.name}"]
        args += [f"--cluster-namespace={self.namespace}", f"--gcs-address={self.head.gcs_address}"]
        with self.log_path.open("ab") as log:
            self.autoscaler = subprocess.Popen(
                args, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def add_demand(self) -> None:
        """A driver with one pending 2-CPU task: the autoscaler needs a worker for it."""
        assert self.head is not None
        self.driver = subprocess.Popen(
            [sys.executable, "-c", _DEMAND],
            env=self.head.python_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def cancel_demand(self) -> None:
        """Stop the driver: its pending task goes away with it."""
        if self.driver is not None:
            _stop_group(self.driver)
            self.driver = None

    def alive(self) -> bool:
        return self.autoscaler is not None and self.autoscaler.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        """The end of the autoscaler's output, for assertion messages."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        """Stop the driver, the autoscaler and the head; keep the autoscaler log."""
        self.cancel_demand()
        if self.autoscaler is not None:
            _stop_group(self.autoscaler)
        if self.head is not None:
            self.head.stop()
