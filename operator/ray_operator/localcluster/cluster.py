"""A real Kubernetes control plane as local processes, with KWOK fake nodes.

etcd, kube-apiserver (RBAC on), kube-controller-manager, kube-scheduler and kwok run on free
loopback ports in a temporary directory. Nodes are fake: KWOK plays the kubelet, so pods are
scheduled for real and then reported Running and Ready without running anything.

One module serves the pytest fixtures, ``make run``, ``make cluster-up`` and the benchmark.
Every child process is started with a parent-death signal, so even a SIGKILL of the Python
process that owns the cluster leaves no orphans behind.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from ray_operator.localcluster.toolchain import Toolchain, ensure_toolchain

STAGES_FILE = Path(__file__).with_name("kwok-stages.yaml")
SERVICE_CIDR = "10.96.0.0/16"
POD_CIDR = "10.244.0.0/16"
FAKE_NODE_IP = "192.0.2.1"  # TEST-NET-1: never routable, which is the point
_PR_SET_PDEATHSIG = 1


class ClusterError(RuntimeError):
    """The control plane did not come up; the message names the component and its log."""


@dataclass(frozen=True)
class NodePool:
    """How many fake nodes, and what each can hold."""

    count: int = 3
    cpu: str = "32"
    memory: str = "256Gi"
    gpus: str = "8"  # nvidia.com/gpu
    pods: str = "110"
    extra: Mapping[str, str] = field(default_factory=dict)  # e.g. {"google.com/tpu": "4"}

    def capacity(self) -> dict[str, str]:
        cap = {"cpu": self.cpu, "memory": self.memory, "pods": self.pods, "nvidia.com/gpu": self.gpus}
        cap.update(self.extra)
        return cap


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def die_with_parent() -> None:
    """Runs in the child before exec: ask the kernel to SIGKILL us when our parent dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class LocalCluster:
    """Start with :meth:`start` (or ``with LocalCluster() as c:``), stop with :meth:`stop`."""

    def __init__(
        self,
        toolchain: Toolchain | None = None,
        nodes: NodePool | None = None,
        workdir: str | Path | None = None,
        keep_workdir: bool = False,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.toolchain = toolchain or ensure_toolchain()
        self.nodes = nodes or NodePool()
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="ray-operator-cp-"))
        self.keep_workdir = keep_workdir
        self._log = log or (lambda _msg: None)
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.pki = self.workdir / "pki"
        self.kubeconfig_path = self.workdir / "kubeconfig"
        self.server = ""
        self._ssl: ssl.SSLContext | None = None
        self.startup_seconds: dict[str, float] = {}

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self, timeout: float = 120.0) -> None:
        """Bring everything up and wait until pods can be scheduled; stop all on failure."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        try:
            (self.workdir / "logs").mkdir(parents=True, exist_ok=True)
            for name in ("etcd", "etcd-peer", "apiserver", "controller-manager", "scheduler"):
                self.ports[name] = free_port()
            self.server = f"https://127.0.0.1:{self.ports['apiserver']}"
            self._write_pki()
            self._write_kubeconfig()
            self._start_etcd()
            self._wait("etcd", deadline, self._etcd_healthy)
            self._mark("etcd", t0)
            self._start_apiserver()
            self._wait("kube-apiserver", deadline, lambda: self._get_text("/readyz") == "ok")
            self._mark("kube-apiserver", t0)
            self._start_controller_manager()
            self._start_scheduler()
            self._start_kwok()
            self._create_nodes()
            self._wait("kube-scheduler", deadline, lambda: self._healthz(self.ports["scheduler"]))
            self._wait("kube-controller-manager", deadline, self._default_sa_exists)
            self._wait("nodes", deadline, self._nodes_ready)
            self._mark("nodes-ready", t0)
        except BaseException:
            self.stop()
            raise
        self._log(f"control plane up in {time.monotonic() - t0:.1f}s at {self.server}")

    def stop(self) -> None:
        """Stop components in reverse start order; SIGKILL what ignores SIGTERM for 5 s."""
        for name in reversed(list(self._procs)):
            proc = self._procs[name]
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        self._procs.clear()
        if self._own_workdir and not self.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def kubeconfig(self) -> str:
        """Path of the admin kubeconfig (cluster-admin via a client certificate)."""
        return str(self.kubeconfig_path)

    def pids(self) -> dict[str, int]:
        """Process ids of the running components."""
        return {name: p.pid for name, p in self._procs.items() if p.poll() is None}

    def _mark(self, what: str, t0: float) -> None:
        self.startup_seconds[what] = round(time.monotonic() - t0, 2)

    # ------------------------------------------------------------------ helpers for callers

    def env(self) -> dict[str, str]:
        """The environment for a kubectl/operator subprocess aimed at this cluster."""
        env = dict(os.environ)
        env["KUBECONFIG"] = self.kubeconfig
        return env

    def kubectl(
        self,
        *args: str,
        input: str | None = None,
        check: bool = True,
        timeout: float = 120.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run the real kubectl against this cluster; raise with its stderr when ``check``."""
        cmd = [self.toolchain.path("kubectl"), f"--kubeconfig={self.kubeconfig}", *args]
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, cmd, proc.stdout, proc.stderr)
        return proc

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30.0) -> tuple[int, Any]:
        """A raw API call as cluster admin; returns (status, decoded JSON or text)."""
        url = urllib.parse.urlsplit(self.server)
        conn = http.client.HTTPSConnection(
            url.hostname or "127.0.0.1", url.port, context=self._ssl_context(), timeout=timeout
        )
        try:
            payload = None if body is None else json.dumps(body).encode()
            headers = {"Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=payload, headers=headers)
            resp = conn.getresponse()
            raw = resp.read().decode()
        finally:
            conn.close()
        try:
            return resp.status, json.loads(raw)
        except ValueError:
            return resp.status, raw

    # ------------------------------------------------------------------ PKI and config

    def _write_pki(self) -> None:
        from ray_operator.localcluster import pki

        self.pki.mkdir(parents=True, exist_ok=True)
        pki.write_cluster_pki(self.pki, service_ip="10.96.0.1")

    def _write_kubeconfig(self) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "local",
                    "cluster": {"server": self.server, "certificate-authority": str(self.pki / "ca.crt")},
                }
            ],
            "users": [
                {
                    "name": "admin",
                    "user": {
                        "client-certificate": str(self.pki / "admin.crt"),
                        "client-key": str(self.pki / "admin.key"),
                    },
                }
            ],
            "contexts": [{"name": "local", "context": {"cluster": "local", "user": "admin"}}],
            "current-context": "local",
        }
        self.kubeconfig_path.write_text(json.dumps(config, indent=2))

    def _ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            ctx = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
            ctx.load_cert_chain(str(self.pki / "admin.crt"), str(self.pki / "admin.key"))
            self._ssl = ctx
        return self._ssl

    def restart_apiserver(self, timeout: float = 60.0, while_down: Callable[[], None] | None = None) -> None:
        """Stop kube-apiserver, run ``while_down``, start it again and wait until it is ready.

        Every watch breaks and clients must re-list: tests use this to show what a controller's
        cache does with objects that vanished while it was not watching.
        """
        proc = self._procs.pop("kube-apiserver")
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        if while_down is not None:
            while_down()
        self._start_apiserver()
        self._wait("kube-apiserver", time.monotonic() + timeout, lambda: self._get_text("/readyz") == "ok")

    def etcd_delete(self, key: str) -> int:
        """Delete ``key`` straight from etcd (v3 JSON gateway); returns how many keys went.

        Bypasses the API server, so no watcher hears of it: the object is simply gone.
        """
        body = json.dumps({"key": base64.b64encode(key.encode()).decode()})
        conn = http.client.HTTPConnection("127.0.0.1", self.ports["etcd"], timeout=5)
        try:
            conn.request("POST", "/v3/kv/deleterange", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = json.loads(response.read() or b"{}")
        finally:
            conn.close()
        if response.status != 200:
            raise ClusterError(f"etcd deleterange {key}: HTTP {response.status}: {data}")
        return int(data.get("deleted", 0))

    # ------------------------------------------------------------------ components

    def _spawn(self, name: str, args: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        log = open(self.workdir / "logs" / f"{name}.log", "wb")  # noqa: SIM115 - owned by the child
        try:
            self._procs[name] = subprocess.Popen(
                list(args),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                env={**os.environ, **(env or {})},
                start_new_session=True,  # Ctrl-C reaches us, and we stop components in order
                preexec_fn=die_with_parent,
            )
        finally:
            log.close()

    def _start_etcd(self) -> None:
        client = f"http://127.0.0.1:{self.ports['etcd']}"
        peer = f"http://127.0.0.1:{self.ports['etcd-peer']}"
        self._spawn(
            "etcd",
            [
                self.toolchain.path("etcd"),
                "--name=local",
                f"--data-dir={self.workdir / 'etcd'}",
                "--log-level=warn",
                "--unsafe-no-fsync=true",
                f"--listen-client-urls={client}",
                f"--advertise-client-urls={client}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=local={peer}",
                "--listen-metrics-urls=",
            ],
        )

    def _start_apiserver(self) -> None:
        p = self.pki
        self._spawn(
            "kube-apiserver",
            [
                self.toolchain.path("kube-apiserver"),
                f"--etcd-servers=http://127.0.0.1:{self.ports['etcd']}",
                "--bind-address=127.0.0.1",
                f"--secure-port={self.ports['apiserver']}",
                "--advertise-address=127.0.0.1",
                "--endpoint-reconciler-type=none",
                f"--cert-dir={self.workdir / 'apiserver'}",
                f"--tls-cert-file={p / 'apiserver.crt'}",
                f"--tls-private-key-file={p / 'apiserver.key'}",
                f"--client-ca-file={p / 'ca.crt'}",
                "--authorization-mode=RBAC",
                "--allow-privileged=true",
                f"--service-cluster-ip-range={SERVICE_CIDR}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                f"--service-account-key-file={p / 'sa.pub'}",
                f"--service-account-signing-key-file={p / 'sa.key'}",
                "--profiling=false",
                "-v=1",
            ],
        )

    def _start_controller_manager(self) -> None:
        p = self.pki
        self._spawn(
            "kube-controller-manager",
            [
                self.toolchain.path("kube-controller-manager"),
                f"--kubeconfig={self.kubeconfig}",
                "--leader-elect=false",
                "--bind-address=127.0.0.1",
                f"--secure-port={self.ports['controller-manager']}",
                "--controllers=*",
                f"--service-account-private-key-file={p / 'sa.key'}",
                f"--root-ca-file={p / 'ca.crt'}",
                f"--cluster-signing-cert-file={p / 'ca.crt'}",
                f"--cluster-signing-key-file={p / 'ca.key'}",
                "--use-service-account-credentials=false",
                "--kube-api-qps=200",
                "--kube-api-burst=400",
                "--concurrent-gc-syncs=40",
                "--profiling=false",
                "-v=1",
            ],
        )

    def _start_scheduler(self) -> None:
        config = self.workdir / "kube-scheduler.yaml"
        config.write_text(
            json.dumps(
                {
                    "apiVersion": "kubescheduler.config.k8s.io/v1",
                    "kind": "KubeSchedulerConfiguration",
                    "clientConnection": {"kubeconfig": str(self.kubeconfig), "qps": 200, "burst": 400},
                    "leaderElection": {"leaderElect": False},
                }
            )
        )
        self._spawn(
            "kube-scheduler",
            [
                self.toolchain.path("kube-scheduler"),
                f"--config={config}",
                "--bind-address=127.0.0.1",
                f"--secure-port={self.ports['scheduler']}",
                "-v=1",
            ],
        )

    def _start_kwok(self) -> None:
        (self.workdir / "kwok").mkdir(exist_ok=True)
        self._spawn(
            "kwok",
            [
                self.toolchain.path("kwok"),
                f"--kubeconfig={self.kubeconfig}",
                f"--config={STAGES_FILE}",
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                f"--cidr={POD_CIDR}",
                f"--node-ip={FAKE_NODE_IP}",
                "--node-lease-duration-seconds=40",
            ],
            env={"KWOK_WORKDIR": str(self.workdir / "kwok")},
        )

    def _create_nodes(self) -> None:
        capacity = self.nodes.capacity()
        for i in range(self.nodes.count):
            name = f"kwok-node-{i}"
            node = {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {
                    "name": name,
                    "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
                    "labels": {
                        "kubernetes.io/arch": "amd64",
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/hostname": name,
                        "type": "kwok",
                    },
                },
                "status": {"capacity": capacity, "allocatable": capacity},
            }
            status, body = self.request("POST", "/api/v1/nodes", node)
            if status not in (201, 409):
                raise ClusterError(f"creating node {name} failed: HTTP {status}: {body}")

    # ------------------------------------------------------------------ readiness

    def _wait(self, what: str, deadline: float, check: Callable[[], bool]) -> None:
        delay = 0.05
        while True:
            self._check_alive()
            with contextlib.suppress(OSError, ssl.SSLError, http.client.HTTPException):
                if check():
                    return
            if time.monotonic() > deadline:
                raise ClusterError(f"timed out waiting for {what}; logs in {self.workdir / 'logs'}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def _check_alive(self) -> None:
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                log = self.workdir / "logs" / f"{name}.log"
                tail = ""
                with contextlib.suppress(OSError):
                    tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
                raise ClusterError(f"{name} exited with code {proc.returncode}; last log lines:\n{tail}")

    def _etcd_healthy(self) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.ports["etcd"], timeout=2)
        try:
            conn.request("GET", "/health")
            return b'"true"' in conn.getresponse().read()
        finally:
            conn.close()

    def _get_text(self, path: str) -> str:
        status, body = self.request("GET", path, timeout=5)
        return str(body).strip() if status == 200 else ""

    def _healthz(self, port: int) -> bool:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=2)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status == 200
        finally:
            conn.close()

    def _default_sa_exists(self) -> bool:
        status, _ = self.request("GET", "/api/v1/namespaces/default/serviceaccounts/default", timeout=5)
        return status == 200

    def _nodes_ready(self) -> bool:
        status, body = self.request("GET", "/api/v1/nodes?labelSelector=type%3Dkwok", timeout=5)
        if status != 200:
            return False
        items = body.get("items", [])
        if len(items) < self.nodes.count:
            return False
        for node in items:
            conditions = {c["type"]: c["status"] for c in node.get("status", {}).get("conditions", [])}
            if conditions.get("Ready") != "True":
                return False
            # The not-ready taint is removed by the node lifecycle controller once Ready is seen.
            if any(t.get("key", "").startswith("node.kubernetes.io/") for t in node["spec"].get("taints", [])):
                return False
        return True
