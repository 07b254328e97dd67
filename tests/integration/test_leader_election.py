"""Two operator replicas with leader election: one leads, the other waits and takes over.

The frozen-leader case is the one that matters: a leader stopped with SIGSTOP (a stalled node, a
long GC pause, an API server that stops answering it) must have stopped writing before the
standby can take the lease, and must write nothing when it thaws; at every moment there is one
set of pods.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import (
    EVENTS,
    api_list,
    live,
    ray_pods,
    raycluster_manifest,
    set_worker_replicas,
    stays,
    wait_ready,
    wait_until,
)
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def _holder(cluster: LocalCluster, namespace: str) -> str:
    out = cluster.kubectl("-n", namespace, "get", "lease", "ray-operator-leader", "-o", "json", check=False)
    if out.returncode != 0:
        return ""
    return str(json.loads(out.stdout)["spec"].get("holderIdentity") or "")


@pytest.fixture
def private_namespace(crds_installed: LocalCluster) -> Iterator[str]:
    """Outside the shared operator's ``t-*`` namespaces, so only the operators under test act here."""
    name = f"leader-{uuid.uuid4().hex[:5]}"
    crds_installed.kubectl("create", "namespace", name)
    try:
        yield name
    finally:
        crds_installed.kubectl("delete", "namespace", name, "--wait=false", check=False)


def test_standby_takes_over_when_the_leader_stops(crds_installed: LocalCluster, private_namespace: str) -> None:
    namespace = private_namespace
    args = [
        "--enable-leader-election=true",
        f"--leader-election-namespace={namespace}",
        f"--watch-namespace={namespace}",
    ]
    first = OperatorProcess(crds_installed, extra_args=args).start()
    second: OperatorProcess | None = None
    try:
        wait_until(lambda: _holder(crds_installed, namespace), 30, "a lease holder")
        leader = _holder(crds_installed, namespace)
        second = OperatorProcess(crds_installed, extra_args=args).start()
        # The follower answers its probes but does not lead.
        assert second.get(f"{second.health_url}/readyz") == (200, "standby")
        # Only the leader reconciles: one set of pods, not two.
        manifest = raycluster_manifest("led", replicas=2)
        manifest["metadata"]["namespace"] = namespace
        crds_installed.kubectl("create", "-f", "-", input=json.dumps(manifest))
        wait_ready(crds_installed, namespace, "led", 2)
        stays(lambda: len(ray_pods(crds_installed, namespace, "led")) == 3, 2.0, "exactly one head and two workers")
        assert _holder(crds_installed, namespace) == leader
        assert "became leader" not in second.logs()

        assert first.stop() == 0, first.logs()[-2000:]
        # A clean shutdown releases the lease, so the follower takes over within a retry period or two.
        wait_until(lambda: _holder(crds_installed, namespace) not in ("", leader), 20, "the follower to take over")
        wait_until(lambda: second.get(f"{second.health_url}/readyz") == (200, "ok"), 30, "the new leader to be ready")
        assert "became leader" in second.logs()
        # The new leader adopts the cluster as it is: no duplicate pods after the hand-over.
        set_worker_replicas(crds_installed, namespace, "led", 3)
        wait_ready(crds_installed, namespace, "led", 3)
        stays(lambda: len(ray_pods(crds_installed, namespace, "led")) == 4, 2.0, "exactly one head and three workers")
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.logs()[-2000:]


# --------------------------------------------------------------------------- a frozen leader


class PodHistory:
    """The cluster's pods, sampled in the background; a watch also catches pods that lived briefly."""

    def __init__(self, cluster: LocalCluster, namespace: str, name: str) -> None:
        self.cluster, self.namespace, self.name = cluster, namespace, name
        #: (monotonic time, live heads, live workers) of every sample
        self.samples: list[tuple[float, int, int]] = []
        #: every pod of the cluster that existed at any moment of the window
        self.names: set[str] = set()
        self._stop = threading.Event()
        self._watch = subprocess.Popen(
            [
                cluster.toolchain.path("kubectl"),
                f"--kubeconfig={cluster.kubeconfig}",
                *("-n", namespace, "get", "pods", "-l", f"ray.io/cluster={name}", "-w", "-o", "name"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self._threads = [threading.Thread(target=f, daemon=True) for f in (self._read_watch, self._sample)]
        for thread in self._threads:
            thread.start()
        wait_until(lambda: self.names and self.samples, 10, "the pod watch and sampler to start")

    def _read_watch(self) -> None:
        assert self._watch.stdout is not None
        for line in self._watch.stdout:
            if line.strip():
                self.names.add(line.strip().removeprefix("pod/"))

    def _sample(self) -> None:
        while not self._stop.is_set():
            pods: list[Any] = live(ray_pods(self.cluster, self.namespace, self.name))
            types = [p["metadata"]["labels"].get("ray.io/node-type") for p in pods]
            self.samples.append((time.monotonic(), types.count("head"), types.count("worker")))
            self._stop.wait(0.2)

    def __enter__(self) -> PodHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._watch.terminate()
        self._watch.wait(timeout=10)
        for thread in self._threads:
            thread.join(timeout=10)


def _events_by(cluster: LocalCluster, namespace: str, pod_name: str) -> dict[str, str]:
    """Events one operator process posted (its recorder names itself after POD_NAME), by version."""
    return {
        e["metadata"]["name"]: e["metadata"]["resourceVersion"]
        for e in api_list(cluster, EVENTS.format(ns=namespace))
        if str(e.get("reportingInstance") or "").endswith(f"-{pod_name}")
    }


def test_frozen_leader_stops_before_the_standby_takes_over_and_writes_nothing_after(
    crds_installed: LocalCluster, private_namespace: str
) -> None:
    cluster, namespace = crds_installed, private_namespace
    args = [
        "--enable-leader-election=true",
        f"--leader-election-namespace={namespace}",
        f"--watch-namespace={namespace}",
    ]
    first = OperatorProcess(cluster, extra_args=args, env={"POD_NAME": "first"}).start()
    second: OperatorProcess | None = None
    frozen = False
    try:
        wait_until(lambda: _holder(cluster, namespace), 30, "a lease holder")
        old_holder = _holder(cluster, namespace)
        second = OperatorProcess(cluster, extra_args=args, env={"POD_NAME": "second"}).start()
        manifest = raycluster_manifest("led", replicas=2)
        manifest["metadata"]["namespace"] = namespace
        cluster.kubectl("create", "-f", "-", input=json.dumps(manifest))
        wait_ready(cluster, namespace, "led", 2)
        assert first.proc is not None
        with PodHistory(cluster, namespace, "led") as history:
            written_before = _events_by(cluster, namespace, "first")
            assert written_before, "the leader's events identify it"  # or the check below proves nothing
            os.kill(first.proc.pid, signal.SIGSTOP)
            frozen, frozen_at = True, time.monotonic()
            # A change only a live leader acts on; the frozen one finds it in its sockets on thawing.
            set_worker_replicas(cluster, namespace, "led", 3)
            wait_until(lambda: _holder(cluster, namespace) not in ("", old_holder), 40, "the standby to take over")
            took_over_after = time.monotonic() - frozen_at
            wait_ready(cluster, namespace, "led", 3)
            new_holder = _holder(cluster, namespace)
            os.kill(first.proc.pid, signal.SIGCONT)
            frozen, thawed_at = False, time.monotonic()
            # It lost the lease while frozen: it stands down and exits non-zero to restart clean.
            code = first.proc.wait(timeout=30)
            stays(lambda: len(live(ray_pods(cluster, namespace, "led"))) == 4, 3.0, "one head and three workers")

        # The standby waited a full lease duration from its last sight of a renewal (the leader
        # renewed at most a retry period before it froze, and gave up 10 s after that renewal).
        assert took_over_after >= 15.0 - 2.0 - 1.0, took_over_after
        assert code == 1, first.logs()[-3000:]
        assert "leader election lost" in first.logs()
        assert _holder(cluster, namespace) == new_holder
        # Nothing written by the old leader after it froze: no event created or updated...
        assert _events_by(cluster, namespace, "first") == written_before
        # ...and exactly one set of pods throughout: never a second head, never a fourth worker.
        assert {(heads, workers) for _, heads, workers in history.samples} <= {(1, 2), (1, 3)}, history.samples
        assert {(h, w) for t, h, w in history.samples if t > thawed_at} == {(1, 3)}
        assert len(history.names) == 4, sorted(history.names)  # 1 head + 3 workers, none created twice
        assert "became leader" in second.logs()
    finally:
        if frozen and first.proc is not None:
            os.kill(first.proc.pid, signal.SIGCONT)
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.logs()[-2000:]


# --------------------------------------------------------------------------- a slow leader


class DelayingRelay:
    """A TCP relay to the API server that holds every byte for :attr:`delay` seconds each way.

    TLS passes through untouched, so the operator behind it sees a slow API server: every
    request and every watch event arrives late, as over a saturated link.
    """

    def __init__(self, server: str) -> None:
        url = urllib.parse.urlsplit(server)
        self.target = (url.hostname or "127.0.0.1", int(url.port or 443))
        self.delay = 0.0
        self.loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _start(self) -> asyncio.Server:
        return await asyncio.start_server(self._relay, "127.0.0.1", 0)

    async def _relay(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream_r, upstream_w = await asyncio.open_connection(*self.target)
        await asyncio.gather(self._pipe(client_r, upstream_w), self._pipe(upstream_r, client_w))

    async def _pipe(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        """Forward in order, each chunk ``delay`` seconds after it came in (bytes in flight still land)."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def write() -> None:
            while True:
                due, chunk = await queue.get()
                await asyncio.sleep(max(0.0, due - self.loop.time()))
                if not chunk:
                    break
                dst.write(chunk)
                await dst.drain()

        writer = asyncio.ensure_future(write())
        try:
            while chunk := await src.read(65536):
                queue.put_nowait((self.loop.time() + self.delay, chunk))
        except ConnectionError:
            pass
        queue.put_nowait((self.loop.time() + self.delay, b""))
        try:
            await writer
        except ConnectionError:
            pass
        finally:
            dst.close()

    def kubeconfig(self, cluster: LocalCluster, path: Path) -> str:
        """The cluster's kubeconfig, aimed at this relay."""
        config = json.loads(Path(cluster.kubeconfig).read_text())
        for entry in config["clusters"]:
            entry["cluster"]["server"] = f"https://127.0.0.1:{self.port}"
        path.write_text(json.dumps(config))
        return str(path)

    def close(self) -> None:
        if self._server is not None:
            self.loop.call_soon_threadsafe(self._server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


def test_slow_leader_gives_up_at_the_renew_deadline_and_never_doubles_the_pods(
    crds_installed: LocalCluster, private_namespace: str, tmp_path: Path
) -> None:
    """Every API call of the leader takes 14 s: a renew cannot finish within the 10 s deadline.

    Bounded by the time left, the leader gives up 10 s after its last renewal, before the lease
    can expire for the standby (15 s). A leader that waits for its slow renew instead keeps
    reconciling after the standby took over: both see the scale-up, both create the worker.
    """
    cluster, namespace = crds_installed, private_namespace
    relay = DelayingRelay(cluster.server)
    args = [
        "--enable-leader-election=true",
        f"--leader-election-namespace={namespace}",
        f"--watch-namespace={namespace}",
    ]
    first = OperatorProcess(
        cluster, extra_args=args, env={"POD_NAME": "first"}, kubeconfig=relay.kubeconfig(cluster, tmp_path / "kc")
    ).start()
    second: OperatorProcess | None = None
    try:
        wait_until(lambda: _holder(cluster, namespace), 30, "a lease holder")
        old_holder = _holder(cluster, namespace)
        second = OperatorProcess(cluster, extra_args=args, env={"POD_NAME": "second"}).start()
        manifest = raycluster_manifest("led", replicas=2)
        manifest["metadata"]["namespace"] = namespace
        cluster.kubectl("create", "-f", "-", input=json.dumps(manifest))
        wait_ready(cluster, namespace, "led", 2)
        assert first.proc is not None
        with PodHistory(cluster, namespace, "led") as history:
            written_before = _events_by(cluster, namespace, "first")
            assert written_before, "the leader's events identify it"
            relay.delay, slowed_at = 7.0, time.monotonic()
            wait_until(lambda: _holder(cluster, namespace) not in ("", old_holder), 40, "the standby to take over")
            took_over_after = time.monotonic() - slowed_at
            # Right after the hand-over: a leader still reconciling sees this 7 s late, before
            # it sees the worker the new leader made for it.
            set_worker_replicas(cluster, namespace, "led", 3)
            wait_ready(cluster, namespace, "led", 3)
            code = first.proc.wait(timeout=60)
            # Whatever the old leader had sent is through the relay by now, or never will be.
            stays(lambda: len(live(ray_pods(cluster, namespace, "led"))) == 4, 2 * relay.delay, "one set of pods")

        assert took_over_after >= 15.0 - 2.0 - 1.0, took_over_after
        assert code == 1, first.logs()[-3000:]
        assert "leader election lost" in first.logs()
        assert _events_by(cluster, namespace, "first") == written_before
        assert {(heads, workers) for _, heads, workers in history.samples} <= {(1, 2), (1, 3)}, history.samples
        assert len(history.names) == 4, sorted(history.names)
    finally:
        first.stop()
        if second is not None:
            assert second.stop() == 0, second.logs()[-2000:]
        relay.close()
