"""RayJob budgets against a real Ray head on loopback: N HTTPMode RayJobs created at once.

The operator talks to the head through :class:`bench.dashboard_relay.DashboardRelay`, so the
submission delay splits into the operator's share and Ray's. Measured per RayJob, on the wall
clock Ray also uses (``time.time()``):

- ready: the moment the bench's own watch (list, then watch from that resourceVersion: no poll)
  delivered the RayCluster with ``status.state: ready``;
- operator's share (issue 9 budget, 1 s): ready -> the first ``POST /api/jobs/`` with the RayJob's
  submission id arriving at the relay; split into ready -> first ``GET /api/jobs/<id>`` (the 404
  that makes HTTPMode submit) and that GET -> the POST;
- Ray's share: that POST's arrival -> the head's answer back at the relay;
- end to end, as reported before: ready -> the Ray job's ``start_time``;
- completion delay: the RayJob first seen ``Complete`` minus the Ray job's ``end_time`` (budget:
  one poll interval, 3 s, plus 1 s);
- repeated POSTs of one submission id: retries (the operator's previous POST never got its answer:
  its dashboard timeout fired) and duplicates (it resubmitted after a 2xx: must be 0); also every
  submission id appears once on the head, and every job SUCCEEDED.

Run with ``python -m bench --rayjobs 20`` (inside ``scripts/loopback-only``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import statistics
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.dashboard_relay import DashboardRelay, Exchange, SubmitTrace, submit_traces
from bench.harness import bench_client, stamped_watch
from ray_operator.framework import k8s
from ray_operator.localcluster.cluster import LocalCluster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from ray_head import RayHead, start_ray_head  # type: ignore[import-not-found]

__all__ = ["rayjob", "run", "start_ray_head"]

NAMESPACE = "default"
SMALL = {"requests": {"cpu": "100m", "memory": "128Mi"}}
#: The operator's dashboard timeout (``addressing.DIRECT_TIMEOUT``): a slower answer is retried.
OPERATOR_TIMEOUT = 2.0


def rayjob(name: str) -> dict[str, Any]:
    head = {"name": "ray-head", "image": "rayproject/ray:2.52.0", "resources": SMALL}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "submissionMode": "HTTPMode",
            "entrypoint": "python -c \"print('bench')\"",
            "rayClusterSpec": {
                "rayVersion": "2.52.0",
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
            },
        },
    }


@dataclass
class Seen:
    """First sightings through the bench's watches, in Unix seconds."""

    ready: dict[str, float] = field(default_factory=dict)  # cluster name -> first seen ready
    running: dict[str, float] = field(default_factory=dict)  # rayjob name -> first seen Running
    complete: dict[str, float] = field(default_factory=dict)  # rayjob name -> first Complete/Failed
    status: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)  # all expected RayJobs finished

    def on_cluster(self, rc: dict[str, Any], now: float) -> None:
        if (rc.get("status") or {}).get("state") == "ready":
            self.ready.setdefault(rc["metadata"]["name"], now)

    def on_job(self, rj: dict[str, Any], now: float) -> None:
        status = rj.get("status") or {}
        name = rj["metadata"]["name"]
        self.status[name] = status
        state = status.get("jobDeploymentStatus")
        if state == "Running":
            self.running.setdefault(name, now)
        if state in ("Complete", "Failed"):
            self.complete.setdefault(name, now)
            if len(self.complete) >= self.expected:
                self.done.set()


async def _measure(cluster: LocalCluster, names: list[str], limit: float) -> tuple[Seen, float]:
    kube = bench_client(cluster)
    seen = Seen(expected=len(names))
    listed = [asyncio.Event(), asyncio.Event()]
    watchers = [
        asyncio.create_task(stamped_watch(kube, k8s.RAYCLUSTERS, NAMESPACE, seen.on_cluster, listed[0])),
        asyncio.create_task(stamped_watch(kube, k8s.RAYJOBS, NAMESPACE, seen.on_job, listed[1])),
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in listed)), timeout=30)
        t0 = time.time()
        for name in names:
            await kube.create(k8s.RAYJOBS, rayjob(name))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                await seen.done.wait()
    finally:
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)
        await kube.close()
    return seen, t0


def _ray_jobs(head: RayHead) -> list[dict[str, Any]]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{head.dashboard_url}/api/jobs/", timeout=10) as response:
        result: list[dict[str, Any]] = json.loads(response.read())
        return result


def _stats(values: list[float]) -> str:
    if not values:
        return "n/a"
    return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s"


@dataclass
class Timeline:
    """One RayJob's instants (Unix seconds), for the table and the ``--dump`` file."""

    rayjob: str
    submission_id: str = ""
    ready: float | None = None
    running_seen: float | None = None
    first_get: float | None = None
    post_arrived: float | None = None
    post_answered: float | None = None
    post_status: int = 0
    posts: int = 0
    retries: int = 0
    duplicates: int = 0
    ray_start: float | None = None
    ray_end: float | None = None
    complete_seen: float | None = None
    ray_status: str = ""
    ray_copies: int = 0

    def delta(self, start: str, end: str) -> float | None:
        a, b = getattr(self, start), getattr(self, end)
        return None if a is None or b is None else float(b - a)


def _timeline(name: str, seen: Seen, trace: SubmitTrace | None, jobs: list[dict[str, Any]]) -> Timeline:
    status = seen.status.get(name, {})
    tl = Timeline(name, submission_id=str(status.get("jobId") or ""))
    tl.ready = seen.ready.get(str(status.get("rayClusterName")))
    tl.running_seen, tl.complete_seen = seen.running.get(name), seen.complete.get(name)
    if trace is not None:
        tl.first_get, tl.posts = trace.first_get, len(trace.posts)
        tl.retries, tl.duplicates = trace.retries, trace.duplicates
        post: Exchange | None = trace.first_post
        if post is not None:
            tl.post_arrived, tl.post_answered, tl.post_status = post.arrived, post.responded, post.status
    tl.ray_copies = len(jobs)
    if jobs:
        tl.ray_status = str(jobs[0].get("status") or "")
        tl.ray_start = jobs[0]["start_time"] / 1000 if jobs[0].get("start_time") else None
        tl.ray_end = jobs[0]["end_time"] / 1000 if jobs[0].get("end_time") else None
    if status.get("jobDeploymentStatus") != "Complete":
        tl.complete_seen = None
    return tl


def run(
    cluster: LocalCluster,
    head: RayHead,
    count: int,
    relay: DashboardRelay | None = None,
    timeout: float = 300.0,
    dump: Path | None = None,
) -> list[tuple[str, str]]:
    """Create ``count`` RayJobs at once, wait for them to finish, return the table's rows."""
    names = [f"bench-{i:03d}" for i in range(count)]
    seen, t0 = asyncio.run(_measure(cluster, names, timeout))
    by_id: dict[str, list[dict[str, Any]]] = {}
    for job in _ray_jobs(head):
        by_id.setdefault(str(job.get("submission_id")), []).append(job)
    traces = submit_traces(relay.exchanges) if relay is not None else {}
    timelines = []
    for name in names:
        job_id = str(seen.status.get(name, {}).get("jobId"))
        timelines.append(_timeline(name, seen, traces.get(job_id), by_id.get(job_id, [])))
    if dump is not None:
        exchanges = [asdict(e) for e in relay.exchanges] if relay is not None else []
        dump.write_text(json.dumps({"rayjobs": [asdict(t) for t in timelines], "exchanges": exchanges}, indent=1))

    def col(start: str, end: str) -> list[float]:
        return [d for t in timelines if (d := t.delta(start, end)) is not None]

    failed = sum(1 for t in timelines if t.complete_seen is None or t.ray_status != "SUCCEEDED")
    rows = [
        ("RayJobs created at once", str(count)),
        ("all Complete after", f"{max(seen.complete.values(), default=t0) - t0:.1f} s"),
        ("not Complete / not SUCCEEDED", str(failed)),
        ("Ray jobs per submission id > 1 (head)", str(sum(max(0, t.ray_copies - 1) for t in timelines))),
    ]
    if relay is not None:
        slow = [
            e
            for t in traces.values()
            for e in t.posts
            if e.responded is None or e.responded - e.arrived > OPERATOR_TIMEOUT
        ]
        rows += [
            ("(a) operator: cluster ready -> POST /api/jobs/", _stats(col("ready", "post_arrived"))),
            ("    ready -> first GET /api/jobs/<id>", _stats(col("ready", "first_get"))),
            ("    first GET -> POST", _stats(col("first_get", "post_arrived"))),
            ("    ready -> RayJob seen Running", _stats(col("ready", "running_seen"))),
            ("(b) Ray: POST arrival -> head's answer", _stats(col("post_arrived", "post_answered"))),
            ("(c) before: cluster ready -> Ray job started", _stats(col("ready", "ray_start"))),
            ("    POST arrival -> Ray job start_time", _stats(col("post_arrived", "ray_start"))),
            ("duplicate POSTs (after a 2xx; must be 0)", str(sum(t.duplicates for t in timelines))),
            ("retried POSTs (answer never reached operator)", str(sum(t.retries for t in timelines))),
            (f"POST answers slower than {OPERATOR_TIMEOUT:g} s", str(len(slow))),
            ("dashboard requests through relay", str(len(relay.exchanges))),
        ]
    else:
        rows.append(("cluster ready -> Ray job started", _stats(col("ready", "ray_start"))))
    rows.append(("Ray job ended -> RayJob Complete", _stats(col("ray_end", "complete_seen"))))
    return rows


def _histogram(text: str, name: str, controller: str) -> tuple[float, float, dict[float, float]]:
    """(count, sum, cumulative buckets) of one controller's histogram in Prometheus text."""
    count = total = 0.0
    buckets: dict[float, float] = {}
    for line in text.splitlines():
        if not line.startswith(name) or f'controller="{controller}"' not in line:
            continue
        metric, value = line.rsplit(" ", 1)
        if metric.startswith(name + "_count"):
            count = float(value)
        elif metric.startswith(name + "_sum"):
            total = float(value)
        elif (le := re.search(r'le="([^"]+)"', metric)) is not None:
            buckets[float(le.group(1))] = float(value)
    return count, total, buckets


def operator_rows(metrics_port: int, controller: str = "rayjob") -> list[tuple[str, str]]:
    """The RayJob controller's own view: time keys waited for a worker, and time per reconcile.

    Dashboard calls run inside a reconcile, so a slow head holds a worker (``--reconcile-concurrency``,
    4 by default) for up to the dashboard timeout; a long queue wait is the other keys paying for it.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as resp:
            text = resp.read().decode()
    except OSError as exc:
        return [("operator metrics", f"n/a ({exc})")]
    rows = []
    for title, name, edge in (
        ("operator: wait for a worker", "workqueue_queue_duration_seconds", 1.0),
        ("operator: one reconcile", "controller_runtime_reconcile_time_seconds", 1.0),
    ):
        count, total, buckets = _histogram(text, name, controller)
        if not count:
            rows.append((title, "n/a"))
            continue
        over = count - buckets.get(edge, count)
        rows.append((title, f"{count:.0f} times, mean {total / count:.2f} s, {over:.0f} over {edge:g} s"))
    return rows
