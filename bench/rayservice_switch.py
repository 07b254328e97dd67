"""RayService upgrade budget: the Services switch within 1 s of the pending cluster's apps RUNNING.

One RayService, backed by two real Ray heads with Serve on loopback, is upgraded N times in a row
(each upgrade changes the head container's env, so a new cluster is needed); the pending cluster
of upgrade i goes to head ``i % 2`` (reset before the spec edit), so the two heads alternate.
Every cluster (not every head) gets its own :class:`bench.dashboard_relay.DashboardRelay`, so what
the relay records belongs to exactly one cluster. Measured per upgrade, on the wall clock:

- RUNNING: the relay returned the pending cluster's first ``GET /api/serve/applications/`` answer
  with every application ``RUNNING`` (the moment the operator could know);
- switch latency: the bench's own watch (list, then watch) sees the selector ``ray.io/cluster`` of
  ``<rs>-serve-svc`` (and of ``<rs>-head-svc``) name the new cluster, minus RUNNING (budget 1 s);
- promotion latency: ``status.activeServiceStatus.rayClusterName`` is the new cluster, minus RUNNING;
- Serve PUTs (``PUT /api/serve/applications/``) the cluster received (expected 1);
- total: spec edit -> promotion;
- then the operator is restarted: Serve PUTs the unchanged active cluster gets from the new process
  over its first 5 applications reads (KubeRay re-submits at most once per cluster).

Run with ``python -m bench --rayservice-upgrades 5`` (inside ``scripts/loopback-only``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.dashboard_relay import DashboardRelay
from bench.harness import Operator, bench_client, stamped_watch
from ray_operator.framework import k8s
from ray_operator.localcluster.cluster import LocalCluster

_TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path[:0] = [str(_TESTS), str(_TESTS / "integration")]
from helpers import patch, raycluster, wait_until  # type: ignore[import-not-found]  # noqa: E402
from rayservice_helpers import ClusterHeads, is_ready, names, rayservice_manifest, wait_rs  # type: ignore[import-not-found]  # noqa: E402
from serve_heads import Overrides, ServeHead, Target, start_serve_heads  # type: ignore[import-not-found]  # noqa: E402

__all__ = ["run", "start_serve_heads"]

NAMESPACE = "default"
RS = "bench-rs"
APPS_PATH = "/api/serve/applications/"
BUDGET = 1.0


class ServeRelay(DashboardRelay):
    """A :class:`DashboardRelay` that also notes when it returned an all-RUNNING applications answer."""

    def __init__(self, upstream: str) -> None:
        super().__init__(upstream)
        self.all_running: float | None = None  # first such answer handed back to the operator

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        response = await super()._handle(request)
        if (
            self.all_running is None
            and request.method == "GET"
            and request.path == APPS_PATH
            and isinstance(response, web.Response)
            and response.status == 200
            and _all_running(response)
        ):
            self.all_running = time.time()
        return response

    def count(self, method: str, path: str = APPS_PATH) -> int:
        return sum(1 for e in self.exchanges if e.method == method and e.path.partition("?")[0] == path)


def _all_running(response: web.Response) -> bool:
    body = response.body
    if not isinstance(body, bytes):
        return False
    try:
        if response.headers.get("Content-Encoding", "") == "gzip":
            body = gzip.decompress(body)
        apps = (json.loads(body) or {}).get("applications") or {}
    except (ValueError, OSError, AttributeError):
        return False
    return bool(apps) and all((a or {}).get("status") == "RUNNING" for a in apps.values())


@dataclass
class Seen:
    """What the bench's watches delivered, stamped with ``time.time()`` on arrival."""

    selects: dict[str, dict[str, float]] = field(default_factory=dict)  # service -> cluster -> first seen
    active: dict[str, float] = field(default_factory=dict)  # cluster -> first seen active
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on_service(self, svc: dict[str, Any], now: float) -> None:
        selected = ((svc.get("spec") or {}).get("selector") or {}).get("ray.io/cluster")
        if selected:
            with self.lock:
                self.selects.setdefault(svc["metadata"]["name"], {}).setdefault(selected, now)

    def on_rayservice(self, rs: dict[str, Any], now: float) -> None:
        active = names(rs.get("status") or {})[0]
        if rs["metadata"]["name"] == RS and active:
            with self.lock:
                self.active.setdefault(active, now)


class Watches:
    """Services and RayServices, list + watch on an event loop of their own (a daemon thread)."""

    def __init__(self, cluster: LocalCluster, seen: Seen) -> None:
        self._loop = asyncio.new_event_loop()
        self._listed = threading.Event()

        async def main() -> None:
            kube = bench_client(cluster)
            events = [asyncio.Event(), asyncio.Event()]
            tasks = [
                asyncio.create_task(stamped_watch(kube, k8s.SERVICES, NAMESPACE, seen.on_service, events[0])),
                asyncio.create_task(stamped_watch(kube, k8s.RAYSERVICES, NAMESPACE, seen.on_rayservice, events[1])),
            ]
            await asyncio.gather(*(e.wait() for e in events))
            self._listed.set()
            try:
                await asyncio.gather(*tasks)
            finally:
                await kube.close()

        def target() -> None:
            with contextlib.suppress(asyncio.CancelledError):
                self._loop.run_until_complete(main())

        self._thread = threading.Thread(target=target, daemon=True, name="rayservice-watches")

    def __enter__(self) -> Watches:
        self._thread.start()
        if not self._listed.wait(30):
            raise RuntimeError("watches did not list within 30 s")
        return self

    def __exit__(self, *exc: object) -> None:
        for task in asyncio.all_tasks(self._loop):
            self._loop.call_soon_threadsafe(task.cancel)
        self._thread.join(timeout=10)


@dataclass
class Upgrade:
    cluster: str
    edit: float
    running: float | None = None
    serve_svc: float | None = None
    head_svc: float | None = None
    promoted: float | None = None
    puts: int = 0
    gets: int = 0

    def after_running(self, instant: float | None) -> float | None:
        return None if instant is None or self.running is None else instant - self.running


def _stats(values: list[float | None], unit: str = " s") -> str:
    found = [v for v in values if v is not None]
    if not found:
        return "n/a"
    missing = f", {len(values) - len(found)} n/a" if len(found) < len(values) else ""
    low, mid, high = min(found), statistics.median(found), max(found)
    return f"min {low:.2f}{unit}, median {mid:.2f}{unit}, max {high:.2f}{unit}{missing}"


def override_file() -> Path:
    """A fresh, empty override file for ``--ray-address-override=@...``."""
    path = Path(tempfile.mkstemp(prefix="bench-rayservice-overrides-")[1])
    path.write_text("")
    return path


def _upgrade(
    cluster: LocalCluster, ch: ClusterHeads, seen: Seen, head: ServeHead, relay: ServeRelay, i: int
) -> Upgrade:
    """Upgrade ``i``: reset the head of the next pending cluster, edit the spec, wait for the switch."""
    old = names((wait_rs(cluster, NAMESPACE, RS, is_ready, "Ready", 60))["status"])[0]
    head.reset()
    path = "/spec/rayClusterConfig/headGroupSpec/template/spec/containers/0/env"
    edit = time.time()
    body = [{"op": "add", "path": path, "value": [{"name": "VARIANT", "value": str(i)}]}]
    patch(cluster, NAMESPACE, "rayservice", RS, body, type_="json")
    new = ch.wait_names(i + 1, 60)[i]
    up = Upgrade(new, edit)
    wait_rs(cluster, NAMESPACE, RS, lambda b: names(b["status"]) == (new, ""), f"promotion of {new}", 120)
    wait_until(lambda: all(new in seen.selects.get(f"{RS}-{s}-svc", {}) for s in ("serve", "head")), 30)
    wait_until(lambda: raycluster(cluster, NAMESPACE, old) is None, 60, f"old cluster {old} deleted")
    up.running, up.puts, up.gets = relay.all_running, relay.count("PUT"), relay.count("GET")
    up.serve_svc = seen.selects[f"{RS}-serve-svc"][new]
    up.head_svc = seen.selects[f"{RS}-head-svc"][new]
    up.promoted = seen.active.get(new)
    return up


def _restart(operator: Operator, relay: ServeRelay, reads: int = 5) -> int:
    """Restart the operator (SIGTERM, start again); the Serve PUTs the active cluster got from the new
    process by the time it read the applications ``reads`` times (KubeRay: at most 1 per cluster)."""
    operator.stop()
    puts, gets = relay.count("PUT"), relay.count("GET")
    operator.start()
    wait_until(lambda: relay.count("GET") >= gets + reads, 60, f"{reads} applications reads after the restart")
    return relay.count("PUT") - puts


def run(
    cluster: LocalCluster, operator: Operator, heads: list[ServeHead], overrides_path: Path, count: int
) -> list[tuple[str, str]]:
    """Create the RayService, upgrade it ``count`` times, restart the operator, return the table's rows."""
    relays = [ServeRelay(heads[i % 2].dashboard_address) for i in range(count + 1)]
    for relay in relays:
        relay.start()
    plan = [Target(r.address, heads[i % 2].serve_address, heads[i % 2]) for i, r in enumerate(relays)]
    seen = Seen()
    upgrades: list[Upgrade] = []
    overrides = Overrides(overrides_path)
    try:
        with Watches(cluster, seen), ClusterHeads(cluster, NAMESPACE, RS, *plan, overrides=overrides) as ch:
            created = time.time()
            cluster.kubectl(
                "-n", NAMESPACE, "create", "-f", "-", input=json.dumps(rayservice_manifest(RS, deletion_delay=1))
            )
            wait_rs(cluster, NAMESPACE, RS, is_ready, "RayService Ready", 120)
            first_ready = time.time() - created
            for i in range(1, count + 1):
                up = _upgrade(cluster, ch, seen, heads[i % 2], relays[i], i)
                upgrades.append(up)
                print(f"[rayservice] upgrade {i}: {up}", flush=True)
            resubmitted = _restart(operator, relays[count])
        first_puts = relays[0].count("PUT")
    finally:
        for relay in relays:
            relay.stop()

    serve = [u.after_running(u.serve_svc) for u in upgrades]
    head = [u.after_running(u.head_svc) for u in upgrades]
    late = sum(1 for v in serve + head if v is None or v > BUDGET)
    puts = [u.puts for u in upgrades]
    return [
        ("RayService upgrades (alternating 2 heads)", str(count)),
        ("create -> Ready (first cluster)", f"{first_ready:.1f} s"),
        ("(1) apps RUNNING -> serve Service switched", _stats(serve)),
        ("    apps RUNNING -> head Service switched", _stats(head)),
        (f"    switches later than {BUDGET:g} s (budget)", str(late)),
        ("(2) apps RUNNING -> promoted (activeServiceStatus)", _stats([u.after_running(u.promoted) for u in upgrades])),
        (
            "(3) Serve PUTs per pending cluster (must be 1)",
            f"{min(puts, default=0)}..{max(puts, default=0)}, per upgrade {puts}",
        ),
        ("    Serve PUTs to the first cluster", str(first_puts)),
        ("    Serve PUTs after an operator restart (KubeRay: <= 1)", str(resubmitted)),
        ("    GET applications per pending cluster", _stats([float(u.gets) for u in upgrades], unit="")),
        ("(4) spec edit -> promotion", _stats([None if u.promoted is None else u.promoted - u.edit for u in upgrades])),
        (
            "    spec edit -> apps RUNNING",
            _stats([None if u.running is None else u.running - u.edit for u in upgrades]),
        ),
    ]
