"""Helpers for RayService tests: manifests, status waits, traffic sampling, and RayClusters mapped to
real Ray heads.

KWOK Pods run nothing, so each RayCluster of a RayService is backed by a real Ray head on
127.0.0.1 (:mod:`serve_heads`) through the operator's ``--ray-address-override`` file:
``ns/cluster=<dashboard>`` and ``ns/cluster:serve=<Serve proxy>``. A RayService names its clusters
``<rs>-<5 random chars>``, so :class:`ClusterHeads` points the namespace's wildcard at the next
planned head (or a dead port), watches the status and owned RayClusters, and pins each new name,
in order of appearance, to that head; the wildcard then moves on to the next one.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import json
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from conftest import RAY_OVERRIDE_FILE
from helpers import EVENTS, RAYCLUSTERS, SERVICES, api_get, api_list, condition, container, events, wait_until
from ray_operator.localcluster.cluster import LocalCluster
from serve_heads import APP, DEAD_TARGET, OVERRIDES, Overrides, ServeHead, Target, serve_config

RAYSERVICES = "/apis/ray.io/v1/namespaces/{ns}/rayservices"
ENDPOINTSLICES = "/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices"
READY_MESSAGE = "Number of serve endpoints is greater than 0"
STATUS_ERROR_PREFIX = "failed to get Serve application statuses from the dashboard."


class ClusterHeads:
    """Maps each RayCluster name of RayService ``rs`` (in order of appearance) to the next planned target.

    ``plan`` items: a :class:`ServeHead`, a :class:`Target`, or ``None`` (dead port). Names beyond
    the plan are mapped dead; the namespace's other clusters (key ``ns/*``) reach the next planned
    target, which only the RayService's next cluster can be. ``names_source`` replaces the API
    watch (for self-checks). Leaving the block with an exception prints :func:`describe` and the
    ``operator``'s log tail; leaving it deletes the RayService (so the operator stops talking to
    the heads) and removes the mappings.
    """

    def __init__(
        self,
        cluster: LocalCluster | None,
        namespace: str,
        rs: str,
        *plan: ServeHead | Target | None,
        operator: Any = None,
        overrides: Overrides = OVERRIDES,
        names_source: Callable[[], list[str]] | None = None,
    ) -> None:
        self.cluster, self.namespace, self.rs, self.operator = cluster, namespace, rs, operator
        self.overrides = overrides
        self.names: list[str] = []
        self.seen_at: dict[str, float] = {}
        self._targets: dict[str, Target] = {}
        self._plan: collections.deque[Target] = collections.deque()
        self._source = names_source or self._names_from_api
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"cluster-heads-{rs}")
        self.errors: list[str] = []
        self._polls = 0
        self.plan(*plan)

    def plan(self, *targets: ServeHead | Target | None) -> None:
        """Append targets for the next cluster names to appear."""
        with self._lock:
            for t in targets:
                self._plan.append(t.target() if isinstance(t, ServeHead) else t or DEAD_TARGET)

    def _names_from_api(self) -> list[str]:
        """Names in the status (pending first), and every 5th poll also the owned RayClusters."""
        assert self.cluster is not None
        self._polls += 1
        status = (rayservice(self.cluster, self.namespace, self.rs) or {}).get("status") or {}
        active, pending = names(status)
        found = [pending, active]
        if self._polls % 5 == 0:
            found += sorted(c["metadata"]["name"] for c in owned_clusters(self.cluster, self.namespace, self.rs))
        return [n for n in found if n]

    def _key(self, name: str) -> str:
        return f"{self.namespace}/{name}"

    def poll(self) -> None:
        """Map names that appeared since the last poll."""
        for name in self._source():
            with self._lock:
                if name in self._targets:
                    continue
                target = self._plan.popleft() if self._plan else DEAD_TARGET
                self._targets[name] = target
                self.names.append(name)
                self.seen_at[name] = time.monotonic()
                self.overrides.update(
                    {self._key(name): target.dashboard, f"{self._key(name)}:serve": target.serve, **self._wildcard()}
                )

    def _wildcard(self) -> dict[str, str]:
        """``ns/*`` points at the next planned target: the operator may reach a new cluster's head
        (KWOK makes it Ready within ~50 ms) before its name shows in the RayService status."""
        nxt = self._plan[0] if self._plan else DEAD_TARGET
        return {f"{self.namespace}/*": nxt.dashboard, f"{self.namespace}/*:serve": nxt.serve}

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            try:
                self.poll()
            except Exception as exc:
                self.errors.append(repr(exc))

    def target(self, name: str) -> Target | None:
        with self._lock:
            return self._targets.get(name)

    def head(self, name: str) -> ServeHead | None:
        target = self.target(name)
        return target.head if target else None

    def reroute(self, name: str, *, dashboard: str | None = None, serve: str | None = None) -> None:
        """Point one cluster's dashboard and/or proxy elsewhere (``None``: its planned target)."""
        target = self._targets[name]
        self.overrides.update(
            {self._key(name): dashboard or target.dashboard, f"{self._key(name)}:serve": serve or target.serve}
        )

    def wait_names(self, count: int, timeout: float = 60.0) -> list[str]:
        wait_until(lambda: len(self.names) >= count, timeout, f"{count} cluster names of {self.rs}")
        return list(self.names[:count])

    def __enter__(self) -> ClusterHeads:
        with self._lock:
            self.overrides.update(self._wildcard())
        if self.cluster is not None:
            self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if exc_type is not None and self.cluster is not None:
            print(describe(self.cluster, self.namespace, self.rs))
            print(f"cluster names seen: {self.names}; watch errors: {self.errors[-5:]}")
            if self.operator is not None:
                print("--- operator log tail:\n" + "\n".join(self.operator.logs().splitlines()[-120:]))
        if self.cluster is not None:  # stop the operator's traffic to the heads before they are reset
            self.cluster.request("DELETE", f"{RAYSERVICES.format(ns=self.namespace)}/{self.rs}")
        self.overrides.update({k: None for n in self.names for k in (self._key(n), f"{self._key(n)}:serve")})


# --------------------------------------------------------------------------- manifests and reads


def rayservice_manifest(
    name: str,
    *,
    message: str = "hello",
    import_path: str = "hello:app_builder",
    env: Mapping[str, str] | None = None,
    groups: list[dict[str, Any]] | None = None,
    deletion_delay: int = 5,
) -> dict[str, Any]:
    """A head-only RayService (head ports ``dashboard: 8265``, ``serve: 8000``)."""
    head = container(
        "ray-head",
        ports=[{"name": "dashboard", "containerPort": 8265}, {"name": "serve", "containerPort": 8000}],
        env=[{"name": k, "value": v} for k, v in (env or {}).items()],
    )
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": name},
        "spec": {
            "rayClusterDeletionDelaySeconds": deletion_delay,
            "serveConfigV2": serve_config(message, import_path),
            "rayClusterConfig": {
                "rayVersion": "2.52.0",
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
                "workerGroupSpecs": groups or [],
            },
        },
    }


def rayservice(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any] | None:
    result: dict[str, Any] | None = api_get(cluster, f"{RAYSERVICES.format(ns=namespace)}/{name}")
    return result


def names(status: Mapping[str, Any]) -> tuple[str, str]:
    """(active, pending) cluster names of a RayService status."""
    return tuple(  # type: ignore[return-value]
        str((status.get(key) or {}).get("rayClusterName") or "")
        for key in ("activeServiceStatus", "pendingServiceStatus")
    )


def owned_clusters(cluster: LocalCluster, namespace: str, rs: str) -> list[dict[str, Any]]:
    selector = f"ray.io/originated-from-cr-name={rs},ray.io/originated-from-crd=RayService"
    return api_list(cluster, RAYCLUSTERS.format(ns=namespace), selector)


def service(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any] | None:
    result: dict[str, Any] | None = api_get(cluster, f"{SERVICES.format(ns=namespace)}/{name}")
    return result


def selected_cluster(svc: Mapping[str, Any] | None) -> str:
    return str(((svc or {}).get("spec") or {}).get("selector", {}).get("ray.io/cluster", ""))


def serve_endpoints(cluster: LocalCluster, namespace: str, service_name: str) -> int:
    """Distinct ready Pods behind a Service, read from its EndpointSlices (as KubeRay counts)."""
    slices = api_list(cluster, ENDPOINTSLICES.format(ns=namespace), f"kubernetes.io/service-name={service_name}")
    return len(
        {
            (e.get("targetRef") or {}).get("uid")
            for s in slices
            for e in s.get("endpoints") or ()
            if (e.get("conditions") or {}).get("ready") is True and (e.get("targetRef") or {}).get("uid")
        }
    )


def rs_events(cluster: LocalCluster, namespace: str, rs: str, reason: str | None = None) -> list[dict[str, Any]]:
    """events.k8s.io Events about RayService ``rs``, oldest first."""
    about = {"kind": "RayService", "name": rs}
    found = [e for e in events(cluster, namespace, reason) if about.items() <= (e.get("regarding") or {}).items()]
    return sorted(found, key=lambda e: str(e.get("eventTime") or e["metadata"]["creationTimestamp"]))


def describe(cluster: LocalCluster, namespace: str, rs: str) -> str:
    """The RayService status, its clusters, Services and events: what a failure message needs."""
    body = rayservice(cluster, namespace, rs) or {}
    lines = [f"--- RayService {namespace}/{rs}: {json.dumps(body.get('status'), indent=1)[:6000]}"]
    lines += [
        f"RayCluster {c['metadata']['name']} uid={c['metadata']['uid']}" for c in owned_clusters(cluster, namespace, rs)
    ]
    for svc_name in (f"{rs}-head-svc", f"{rs}-serve-svc"):
        selected = selected_cluster(service(cluster, namespace, svc_name)) or "-"
        lines.append(
            f"Service {svc_name}: selects {selected}, {serve_endpoints(cluster, namespace, svc_name)} endpoints"
        )
    for e in api_list(cluster, EVENTS.format(ns=namespace)):
        lines.append(
            f"event {e.get('type')} {e.get('reason')} {(e.get('regarding') or {}).get('name')}: {e.get('note')}"
        )
    with contextlib.suppress(OSError):
        lines.append(f"override file:\n{RAY_OVERRIDE_FILE.read_text()}")
    return "\n".join(lines)


def wait_rs(
    cluster: LocalCluster,
    namespace: str,
    rs: str,
    check: Callable[[dict[str, Any]], Any],
    what: str,
    timeout: float = 90.0,
) -> dict[str, Any]:
    """Wait until ``check(rayservice)`` is truthy; return the RayService (timeout: describe all)."""
    deadline = time.monotonic() + timeout
    while True:
        body = rayservice(cluster, namespace, rs)
        if body is not None and check(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{describe(cluster, namespace, rs)}")
        time.sleep(0.2)


def is_ready(body: Mapping[str, Any]) -> bool:
    """Ready=True/NonZeroServeEndpoints with one endpoint and the app RUNNING on the active cluster."""
    status = body.get("status") or {}
    ready = condition(status, "Ready") or {}
    app = ((status.get("activeServiceStatus") or {}).get("applicationStatuses") or {}).get(APP) or {}
    return (
        ready.get("status") == "True"
        and ready.get("reason") == "NonZeroServeEndpoints"
        and status.get("numServeEndpoints") == 1
        and app.get("status") == "RUNNING"
    )


# --------------------------------------------------------------------------- traffic sampling


@dataclasses.dataclass
class Sample:
    t: float
    selected: str  # cluster the serve Service selects ("" if none)
    cluster_ip: str
    endpoints: int  # ready endpoints of the serve Service
    status: int  # real request through the selected cluster's head (0: nothing answered)
    body: str
    clusters: list[str]  # RayClusters the RayService owns


class TrafficSampler:
    """Every ~``interval`` s: the serve Service, its EndpointSlices, the owned RayClusters, and one real
    request sent where the Service points (the selected cluster's head proxy on loopback)."""

    def __init__(self, cluster: LocalCluster, namespace: str, rs: str, heads: ClusterHeads, interval: float = 0.1):
        self.cluster, self.namespace, self.rs, self.heads, self.interval = cluster, namespace, rs, heads, interval
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"sampler-{rs}")

    def sample(self) -> Sample:
        svc = service(self.cluster, self.namespace, f"{self.rs}-serve-svc")
        selected = selected_cluster(svc)
        endpoints = serve_endpoints(self.cluster, self.namespace, f"{self.rs}-serve-svc")
        head = self.heads.head(selected) if selected else None
        status, body = head.request(timeout=5) if head else (0, "")
        clusters = sorted(c["metadata"]["name"] for c in owned_clusters(self.cluster, self.namespace, self.rs))
        ip = str(((svc or {}).get("spec") or {}).get("clusterIP") or "")
        return Sample(time.monotonic(), selected, ip, endpoints, status, body, clusters)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(Exception):
                self.samples.append(self.sample())

    def bad(self) -> list[Sample]:
        """Samples without a ready endpoint or without an answer."""
        return [s for s in self.samples if s.endpoints < 1 or s.status != 200]

    def summary(self) -> str:
        bad = self.bad()
        return f"{len(self.samples)} samples, {len(bad)} bad" + (f"; first bad: {bad[:3]}" if bad else "")

    def __enter__(self) -> TrafficSampler:
        self.samples.append(self.sample())
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
