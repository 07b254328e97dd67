"""How fast does a RayCluster report ``ready`` once its pods are Ready?

For each of N RayClusters (1 head + W workers) the benchmark watches pods and RayClusters with
its own watch connections and notes, on one clock:

- ``pods_ready``: when the last of the cluster's pods was seen Running and Ready;
- ``ready``: when the RayCluster was seen with ``status.state: ready``.

``ready - pods_ready`` is the operator's reaction time (issue budget: under 2 s). Also reported:
time from create to ready, and the operator's resident memory before and after.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from bench.harness import Operator, bench_client
from ray_operator.framework import k8s
from ray_operator.localcluster.cluster import LocalCluster

NAMESPACE = "bench"


def raycluster(name: str, workers: int) -> dict[str, Any]:
    def template(container: str) -> dict[str, Any]:
        return {
            "spec": {
                "containers": [
                    {
                        "name": container,
                        "image": "rayproject/ray:2.52.0",
                        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                    }
                ]
            }
        }

    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": {
            "rayVersion": "2.52.0",
            "headGroupSpec": {"rayStartParams": {}, "template": template("ray-head")},
            "workerGroupSpecs": [
                {
                    "groupName": "w",
                    "replicas": workers,
                    "minReplicas": 0,
                    "maxReplicas": workers,
                    "rayStartParams": {},
                    "template": template("ray-worker"),
                }
            ],
        },
    }


def _pod_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Running" and any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or ()
    )


@dataclass
class Timeline:
    created: float = 0.0
    ready_pods: dict[str, bool] = field(default_factory=dict)
    pods_ready: float | None = None
    ready: float | None = None


@dataclass
class Result:
    clusters: int
    workers: int
    reaction: list[float]
    create_to_ready: list[float]
    rss_before: float
    rss_after: float
    api_requests: dict[str, int]

    def rows(self) -> list[tuple[str, str]]:
        def pct(values: list[float], q: float) -> float:
            ordered = sorted(values)
            return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

        return [
            ("clusters x pods", f"{self.clusters} x {self.workers + 1}"),
            ("pods Ready -> state ready, median", f"{statistics.median(self.reaction) * 1000:.0f} ms"),
            ("pods Ready -> state ready, p95", f"{pct(self.reaction, 0.95) * 1000:.0f} ms"),
            ("pods Ready -> state ready, max", f"{max(self.reaction) * 1000:.0f} ms"),
            ("create -> state ready, median", f"{statistics.median(self.create_to_ready):.2f} s"),
            ("create -> state ready, max", f"{max(self.create_to_ready):.2f} s"),
            (
                "operator API requests (by method)",
                ", ".join(f"{m} {n}" for m, n in sorted(self.api_requests.items())) or "n/a",
            ),
            ("operator RSS idle", f"{self.rss_before:.1f} MiB"),
            ("operator RSS after", f"{self.rss_after:.1f} MiB"),
        ]


async def _measure(cluster: LocalCluster, operator: Operator, clusters: int, workers: int) -> Result:
    kube = bench_client(cluster)
    await kube.create(k8s.NAMESPACES, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    for _ in range(600):  # pods are refused until the namespace's default ServiceAccount exists
        if await kube.get_or_none(k8s.SERVICE_ACCOUNTS, "default", NAMESPACE) is not None:
            break
        await asyncio.sleep(0.05)
    timelines: dict[str, Timeline] = {f"rc-{i}": Timeline() for i in range(clusters)}
    done = asyncio.Event()

    async def watch_pods() -> None:
        async for event in kube.watch(k8s.PODS, NAMESPACE, label_selector="ray.io/is-ray-node=yes"):
            pod = event.get("object") or {}
            meta = pod.get("metadata") or {}
            tl = timelines.get((meta.get("labels") or {}).get("ray.io/cluster", ""))
            if tl is None:
                continue
            tl.ready_pods[meta.get("name", "")] = _pod_ready(pod) and event.get("type") != "DELETED"
            if tl.pods_ready is None and sum(tl.ready_pods.values()) == workers + 1:
                tl.pods_ready = time.monotonic()

    async def watch_clusters() -> None:
        async for event in kube.watch(k8s.RAYCLUSTERS, NAMESPACE):
            obj = event.get("object") or {}
            tl = timelines.get((obj.get("metadata") or {}).get("name", ""))
            if tl is not None and tl.ready is None and (obj.get("status") or {}).get("state") == "ready":
                tl.ready = time.monotonic()
                if all(t.ready is not None for t in timelines.values()):
                    done.set()

    rss_before = operator.rss()
    watchers = [asyncio.create_task(watch_pods()), asyncio.create_task(watch_clusters())]
    await asyncio.sleep(0.5)  # watches established
    for name, tl in timelines.items():
        tl.created = time.monotonic()
        await kube.create(k8s.RAYCLUSTERS, raycluster(name, workers))
    try:
        await asyncio.wait_for(done.wait(), timeout=300)
    finally:
        for task in watchers:
            task.cancel()
        await kube.close()
    rss_after = operator.rss()
    await asyncio.sleep(3)  # let the last status writes and requeues settle before counting
    api_requests = operator.api_requests()
    reaction = [max(0.0, (t.ready or 0) - (t.pods_ready or t.ready or 0)) for t in timelines.values()]
    create_to_ready = [(t.ready or 0) - t.created for t in timelines.values()]
    return Result(clusters, workers, reaction, create_to_ready, rss_before, rss_after, api_requests)


def run(cluster: LocalCluster, operator: Operator, clusters: int, workers: int) -> Result:
    return asyncio.run(_measure(cluster, operator, clusters, workers))
