"""What every benchmark needs: a control plane, CRDs, an operator process and its memory.

The operator is any command (``--operator-cmd``), so KubeRay's own binary or another build can
be measured on the same control plane, side by side with ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import kopf

from ray_operator.framework import k8s
from ray_operator.localcluster.cluster import LocalCluster, NodePool, die_with_parent, free_port

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OPERATOR_CMD = (
    f"{sys.executable} -m ray_operator --kubeconfig={{kubeconfig}} "
    "--metrics-addr=127.0.0.1:{metrics_port} --health-probe-bind-address=127.0.0.1:{health_port} "
    "--log-level=WARNING"
)


def rss_mib(pid: int) -> float:
    """Resident memory of a process, from /proc (what the kernel charges the container for)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


class Operator:
    """The operator under test as a subprocess."""

    def __init__(self, cluster: LocalCluster, command: str) -> None:
        self.cluster = cluster
        self.command = command
        self.proc: subprocess.Popen[bytes] | None = None
        self.metrics_port = 0
        self.log = Path(tempfile.mkstemp(prefix="bench-operator-", suffix=".log")[1])

    def start(self) -> None:
        self.metrics_port = free_port()
        cmd = self.command.format(
            kubeconfig=self.cluster.kubeconfig, metrics_port=self.metrics_port, health_port=free_port()
        )
        with open(self.log, "ab") as log:  # a restart appends
            self.proc = subprocess.Popen(
                shlex.split(cmd),
                env=self.cluster.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,  # never outlive the benchmark
            )

    def api_requests(self) -> dict[str, int]:
        """API requests the operator made so far, by HTTP method, from its own ``rest_client_requests_total``.

        KubeRay (controller-runtime) exports the same metric, so the numbers compare side by side.
        """
        counts: dict[str, int] = {}
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as resp:
                text = resp.read().decode()
        except OSError:
            return counts
        for line in text.splitlines():
            match = re.match(r"rest_client_requests_total\{(.*)\} ([0-9.e+]+)$", line)
            if match:
                method = re.search(r'method="([A-Z]+)"', match.group(1))
                key = method.group(1) if method else "?"
                counts[key] = counts.get(key, 0) + int(float(match.group(2)))
        return counts

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss(self) -> float:
        return rss_mib(self.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def bench_client(cluster: LocalCluster) -> k8s.KubeClient:
    """The benchmark's own API client (cluster-admin certificate), with limits that never throttle it."""
    info = kopf.ConnectionInfo(
        server=cluster.server,
        ca_path=str(cluster.pki / "ca.crt"),
        certificate_path=str(cluster.pki / "admin.crt"),
        private_key_path=str(cluster.pki / "admin.key"),
    )
    return k8s.KubeClient(k8s.credentials_from_connection_info(info), qps=500, burst=1000)


async def stamped_watch(
    kube: k8s.KubeClient,
    resource: k8s.Resource,
    namespace: str,
    on: Callable[[dict[str, Any], float], None],
    listed: asyncio.Event,
) -> None:
    """List, then watch from the list's resourceVersion (never a poll); ``on(object, time.time())``
    as each version arrives; ``listed`` is set after the first list."""
    while True:
        items, version = await kube.list_with_version(resource, namespace)
        now = time.time()
        for item in items:
            on(item, now)
        listed.set()
        try:
            while True:  # a watch ends after timeoutSeconds; go on from the last version seen
                async for event in kube.watch(resource, namespace, resource_version=version, timeout_seconds=60):
                    now = time.time()
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":
                        raise LookupError(str(obj.get("message")))  # 410 Gone: list again
                    version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                    if event.get("type") in ("ADDED", "MODIFIED"):
                        on(obj, now)
        except (LookupError, aiohttp.ClientError, k8s.ApiError, TimeoutError):
            await asyncio.sleep(0.1)


@contextlib.contextmanager
def environment(nodes: int, operator_cmd: str, crds: Path | None = None) -> Iterator[tuple[LocalCluster, Operator]]:
    """A fresh control plane with ``nodes`` fake nodes, CRDs installed and the operator running."""
    cluster = LocalCluster(nodes=NodePool(count=nodes, pods="1000"))
    cluster.start()
    operator = Operator(cluster, operator_cmd)
    try:
        cluster.kubectl("apply", "--server-side", "-f", str(crds or REPO / "crds"))
        cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
        operator.start()
        time.sleep(2.0)  # let it list and settle before the clock starts
        yield cluster, operator
    finally:
        operator.stop()
        cluster.stop()
