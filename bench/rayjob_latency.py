"""RayJob budgets against a real Ray head on loopback: N HTTPMode RayJobs created at once.

Measured per RayJob, on the wall clock Ray also uses:
- submission delay: the Ray job's ``start_time`` minus the moment its RayCluster was first seen
  ``ready`` (budget: 1 s);
- completion delay: the RayJob first seen ``Complete`` minus the Ray job's ``end_time`` (budget:
  one poll interval, 3 s, plus 1 s);
- duplicates: every RayJob's submission id appears once on the head, and every job SUCCEEDED.
Run with ``python -m bench --rayjobs 20`` (inside ``scripts/loopback-only``).
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ray_operator.localcluster.cluster import LocalCluster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from ray_head import RayHead, start_ray_head  # type: ignore[import-not-found]

__all__ = ["rayjob", "run", "start_ray_head"]

SMALL = {"requests": {"cpu": "100m", "memory": "128Mi"}}


def rayjob(name: str) -> dict[str, Any]:
    head = {"name": "ray-head", "image": "rayproject/ray:2.52.0", "resources": SMALL}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name, "namespace": "default"},
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
    ready: dict[str, float] = field(default_factory=dict)  # cluster name -> wall time first ready
    complete: dict[str, float] = field(default_factory=dict)  # rayjob name -> wall time first Complete
    status: dict[str, dict[str, Any]] = field(default_factory=dict)


def _poll(cluster: LocalCluster, seen: Seen, stop: threading.Event) -> None:
    while not stop.is_set():
        now = time.time()
        _, clusters = cluster.request("GET", "/apis/ray.io/v1/namespaces/default/rayclusters")
        for rc in (clusters or {}).get("items", []):
            if (rc.get("status") or {}).get("state") == "ready":
                seen.ready.setdefault(rc["metadata"]["name"], now)
        _, jobs = cluster.request("GET", "/apis/ray.io/v1/namespaces/default/rayjobs")
        for rj in (jobs or {}).get("items", []):
            status = rj.get("status") or {}
            seen.status[rj["metadata"]["name"]] = status
            if status.get("jobDeploymentStatus") in ("Complete", "Failed"):
                seen.complete.setdefault(rj["metadata"]["name"], now)
        time.sleep(0.05)


def _ray_jobs(head: RayHead) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{head.dashboard_url}/api/jobs/", timeout=10) as response:
        result: list[dict[str, Any]] = json.loads(response.read())
        return result


def run(cluster: LocalCluster, head: RayHead, count: int, timeout: float = 300.0) -> list[tuple[str, str]]:
    seen, stop = Seen(), threading.Event()
    poller = threading.Thread(target=_poll, args=(cluster, seen, stop), daemon=True)
    poller.start()
    t0 = time.time()
    names = [f"bench-{i:03d}" for i in range(count)]
    for name in names:
        cluster.kubectl("create", "-f", "-", input=json.dumps(rayjob(name)))
    while len(seen.complete) < count and time.time() - t0 < timeout:
        time.sleep(0.2)
    stop.set()
    poller.join()
    by_id: dict[str, list[dict[str, Any]]] = {}
    for job in _ray_jobs(head):
        by_id.setdefault(str(job.get("submission_id")), []).append(job)
    submit, finish, duplicates, failed = [], [], 0, 0
    for name in names:
        status = seen.status.get(name, {})
        jobs = by_id.get(str(status.get("jobId")), [])
        duplicates += max(0, len(jobs) - 1)
        if status.get("jobDeploymentStatus") != "Complete" or not jobs or jobs[0].get("status") != "SUCCEEDED":
            failed += 1
            continue
        ready = seen.ready.get(str(status.get("rayClusterName")))
        if ready is not None and jobs[0].get("start_time"):
            submit.append(jobs[0]["start_time"] / 1000 - ready)
        if jobs[0].get("end_time"):
            finish.append(seen.complete[name] - jobs[0]["end_time"] / 1000)

    def stats(values: list[float]) -> str:
        if not values:
            return "n/a"
        return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s"

    return [
        ("RayJobs created at once", str(count)),
        ("all Complete after", f"{max(seen.complete.values(), default=t0) - t0:.1f} s"),
        ("not Complete / not SUCCEEDED", str(failed)),
        ("duplicate submissions", str(duplicates)),
        ("cluster ready -> Ray job started", stats(submit)),
        ("Ray job ended -> RayJob Complete", stats(finish)),
    ]
