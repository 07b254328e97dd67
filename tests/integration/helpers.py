"""Small helpers for tests against the local control plane: polling, reading and patching objects.

Reads go through the raw API (``LocalCluster.request``: one HTTPS round trip, no kubectl start-up),
writes through kubectl (it speaks every patch type). Nothing here sleeps blindly: tests wait for a
condition with :func:`wait_until`.
"""

from __future__ import annotations

import copy
import json
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from ray_operator.localcluster.cluster import LocalCluster

IMAGE = "rayproject/ray:2.52.0"
SMALL = {"requests": {"cpu": "100m", "memory": "128Mi"}}

RAYCLUSTERS = "/apis/ray.io/v1/namespaces/{ns}/rayclusters"
PODS = "/api/v1/namespaces/{ns}/pods"
SERVICES = "/api/v1/namespaces/{ns}/services"
EVENTS = "/apis/events.k8s.io/v1/namespaces/{ns}/events"


# --------------------------------------------------------------------------- polling


def wait_until(check: Callable[[], Any], timeout: float = 30.0, what: str = "condition", interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout}s waiting for {what}"
        time.sleep(interval)


def stays(check: Callable[[], Any], seconds: float, what: str = "condition", interval: float = 0.2) -> None:
    """Assert ``check`` keeps returning something truthy for ``seconds`` (a negative test's window)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert check(), f"{what} stopped holding"
        time.sleep(interval)


# --------------------------------------------------------------------------- reading


def get_json(cluster: LocalCluster, *args: str) -> Any:
    """``kubectl get -o json ARGS``."""
    return json.loads(cluster.kubectl("get", "-o", "json", *args).stdout)


def api_get(cluster: LocalCluster, path: str, **query: str) -> Any | None:
    """GET ``path`` as admin: the decoded object, or None on 404."""
    if query:
        path = f"{path}?{urllib.parse.urlencode(query)}"
    status, body = cluster.request("GET", path)
    if status == 404:
        return None
    assert status == 200, f"GET {path}: {status} {body}"
    return body


def api_list(cluster: LocalCluster, path: str, selector: str = "") -> list[dict[str, Any]]:
    body = api_get(cluster, path, **({"labelSelector": selector} if selector else {}))
    return list((body or {}).get("items") or [])


def raycluster(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any] | None:
    result: dict[str, Any] | None = api_get(cluster, f"{RAYCLUSTERS.format(ns=namespace)}/{name}")
    return result


def ray_pods(cluster: LocalCluster, namespace: str, name: str, selector: str = "") -> list[dict[str, Any]]:
    """Pods of RayCluster ``name`` (plus an optional extra label selector), oldest first."""
    full = f"ray.io/cluster={name}" + (f",{selector}" if selector else "")
    items = api_list(cluster, PODS.format(ns=namespace), full)
    return sorted(items, key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))


def workers(cluster: LocalCluster, namespace: str, name: str, group: str | None = None) -> list[dict[str, Any]]:
    selector = "ray.io/node-type=worker" + (f",ray.io/group={group}" if group else "")
    return ray_pods(cluster, namespace, name, selector)


def heads(cluster: LocalCluster, namespace: str, name: str) -> list[dict[str, Any]]:
    return ray_pods(cluster, namespace, name, "ray.io/node-type=head")


def names_of(objects: Iterable[Mapping[str, Any]]) -> set[str]:
    return {o["metadata"]["name"] for o in objects}


def live(pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Pods not being deleted."""
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def pod_ready(pod: Mapping[str, Any]) -> bool:
    status = pod.get("status") or {}
    ready = condition(status, "Ready")
    return status.get("phase") == "Running" and ready is not None and ready.get("status") == "True"


def condition(obj: Mapping[str, Any] | None, type_: str) -> dict[str, Any] | None:
    """Condition ``type_`` of an object (or of a status mapping)."""
    if obj is None:
        return None
    status = obj.get("status") if "status" in obj and isinstance(obj.get("status"), Mapping) else obj
    for cond in (status or {}).get("conditions") or ():
        if cond.get("type") == type_:
            return dict(cond)
    return None


def condition_is(obj: Mapping[str, Any] | None, type_: str, status: str, reason: str | None = None) -> bool:
    cond = condition(obj, type_)
    return cond is not None and cond.get("status") == status and (reason is None or cond.get("reason") == reason)


def events(
    cluster: LocalCluster, namespace: str, reason: str | None = None, type_: str | None = None
) -> list[dict[str, Any]]:
    """events.k8s.io/v1 Events in ``namespace``, optionally of one reason/type."""
    items = api_list(cluster, EVENTS.format(ns=namespace))
    return [e for e in items if (reason is None or e.get("reason") == reason) and (type_ is None or e["type"] == type_)]


class Watch:
    """Every version of one object as ``kubectl get -w`` reports it: transient states are not missed.

    Use as a context manager; :attr:`seen` grows while the block runs.
    """

    def __init__(self, cluster: LocalCluster, namespace: str, resource: str, name: str) -> None:
        kubectl = cluster.toolchain.path("kubectl")
        args = [
            kubectl,
            f"--kubeconfig={cluster.kubeconfig}",
            "-n",
            namespace,
            "get",
            resource,
            name,
            "-w",
            "-o",
            "json",
        ]
        self.seen: list[dict[str, Any]] = []
        self._proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        wait_until(lambda: self.seen, 10, f"the watch on {resource} {namespace}/{name} to start")

    def _read(self) -> None:
        assert self._proc.stdout is not None
        decoder = json.JSONDecoder()
        buffer = ""
        for line in self._proc.stdout:
            buffer += line
            try:
                obj, end = decoder.raw_decode(buffer.lstrip())
            except ValueError:
                continue
            self.seen.append(obj)
            buffer = buffer.lstrip()[end:]

    def __enter__(self) -> Watch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._proc.terminate()
        self._proc.wait(timeout=10)
        self._thread.join(timeout=10)


# --------------------------------------------------------------------------- writing


def create(cluster: LocalCluster, namespace: str, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """``kubectl create`` one object in ``namespace``; returns it as created."""
    out = cluster.kubectl("-n", namespace, "create", "-o", "json", "-f", "-", input=json.dumps(manifest))
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def patch(
    cluster: LocalCluster,
    namespace: str,
    resource: str,
    name: str,
    body: Any,
    *,
    type_: str = "merge",
    subresource: str | None = None,
) -> dict[str, Any]:
    """``kubectl patch`` (merge by default; ``type_="json"`` for JSON patch)."""
    args = ["-n", namespace, "patch", resource, name, f"--type={type_}", "-p", json.dumps(body), "-o", "json"]
    if subresource:
        args.append(f"--subresource={subresource}")
    result: dict[str, Any] = json.loads(cluster.kubectl(*args).stdout)
    return result


def patch_raycluster(cluster: LocalCluster, namespace: str, name: str, body: Any, type_: str = "merge") -> None:
    patch(cluster, namespace, "raycluster", name, body, type_=type_)


def set_worker_replicas(cluster: LocalCluster, namespace: str, name: str, replicas: int, group: int = 0) -> None:
    patch_raycluster(
        cluster,
        namespace,
        name,
        [{"op": "replace", "path": f"/spec/workerGroupSpecs/{group}/replicas", "value": replicas}],
        type_="json",
    )


# --------------------------------------------------------------------------- manifests


def container(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": IMAGE, "resources": copy.deepcopy(SMALL), **extra}


def worker_group(
    group: str = "small", replicas: int = 2, min_replicas: int = 0, max_replicas: int = 50, **extra: Any
) -> dict[str, Any]:
    return {
        "groupName": group,
        "replicas": replicas,
        "minReplicas": min_replicas,
        "maxReplicas": max_replicas,
        "rayStartParams": {},
        "template": {"spec": {"containers": [container("ray-worker")]}},
        **extra,
    }


def raycluster_manifest(
    name: str,
    *,
    replicas: int = 2,
    groups: list[dict[str, Any]] | None = None,
    autoscaling: bool = False,
    **spec: Any,
) -> dict[str, Any]:
    """A small RayCluster: one head, one worker group ``small`` with ``replicas`` workers."""
    body: dict[str, Any] = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name},
        "spec": {
            "rayVersion": "2.52.0",
            "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [container("ray-head")]}}},
            "workerGroupSpecs": groups if groups is not None else [worker_group(replicas=replicas)],
            **spec,
        },
    }
    if autoscaling:
        body["spec"]["enableInTreeAutoscaling"] = True
    return body


# --------------------------------------------------------------------------- composite waits


def wait_ready(
    cluster: LocalCluster, namespace: str, name: str, workers_: int, timeout: float = 30.0
) -> dict[str, Any]:
    """Wait for ``state: ready`` with exactly ``workers_`` Ready workers and one head; return the cluster."""

    def check() -> dict[str, Any] | None:
        rc = raycluster(cluster, namespace, name)
        if rc is None:
            return None
        status = rc.get("status") or {}
        if status.get("state") != "ready" or status.get("readyWorkerReplicas") != workers_:
            return None
        if status.get("observedGeneration") != rc["metadata"]["generation"]:
            return None
        pods = ray_pods(cluster, namespace, name)
        if len(pods) != workers_ + 1 or not all(pod_ready(p) for p in pods):
            return None
        # "ready" is sticky (as in KubeRay): also require the status to describe the current head.
        head = [p for p in pods if p["metadata"]["labels"].get("ray.io/node-type") == "head"]
        if not head or status.get("head", {}).get("podName") != head[0]["metadata"]["name"]:
            return None
        if not condition_is(rc, "HeadPodReady", "True"):
            return None
        return rc

    result: dict[str, Any] = wait_until(check, timeout, f"RayCluster {namespace}/{name} ready with {workers_} workers")
    return result


def wait_pod_count(
    cluster: LocalCluster, namespace: str, name: str, count: int, selector: str = "", timeout: float = 30.0
) -> list[dict[str, Any]]:
    """Wait until exactly ``count`` live pods (matching ``selector``) exist and none is being deleted."""

    def check() -> list[dict[str, Any]] | None:
        pods = ray_pods(cluster, namespace, name, selector)
        return pods if len(pods) == count and len(live(pods)) == count else None

    if count == 0:
        wait_until(lambda: not ray_pods(cluster, namespace, name, selector), timeout, f"no pods of {name} {selector}")
        return []
    result: list[dict[str, Any]] = wait_until(check, timeout, f"{count} pods of {namespace}/{name} {selector}")
    return result
