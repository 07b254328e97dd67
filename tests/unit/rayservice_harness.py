"""A RayServiceReconciler wired to :class:`FakeKube`, the RayService controller's informers and stub dashboards.

Modelled on :mod:`rayjob_harness`: the informers hold what the watch delivered, the reconciler's
own writes go through to them, and tests play the other actors explicitly: the RayCluster
controller (head Pod, head Service, ``HeadPodReady``), the EndpointSlice controller (one ready
endpoint per Pod the serve Service selects), Ray Serve (application statuses per cluster) and
the watch reporting deletions. Time is a fake clock shared by the reconciler and the fake API
server, so requeue delays and timestamps are exact.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any, cast

from ray_operator.config import OperatorConfig
from ray_operator.controllers.rayservice import rayservice_controller
from ray_operator.dashboard.client import DashboardClient, DashboardError, Dashboards, ServeProxyClient
from ray_operator.framework import k8s
from ray_operator.framework.controller import Controller
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.events import EventRecorder
from ray_operator.reconcilers.rayservice import RayServiceReconciler
from unit.fake_kube import Body, Call, FakeKube, rfc3339
from unit.harness_parts import START, Clock, informers_for, normal, warning

NS = "team"
NAME = "svc"
KEY = (NS, NAME)
FINALIZER = "ray.io/rayservice-finalizer"
#: Distinct from every other delay the reconciler computes, so a returned 57.0 can only be "poll".
POLL = 57.0
#: A pending cluster whose head is ready is polled 4 times as often.
FAST_POLL = POLL / 4
STALL = 500.0
CONFIG = dataclasses.replace(OperatorConfig(), rayservice_poll_seconds=POLL, rayservice_stalled_upgrade_seconds=STALL)
IMAGE = "rayproject/ray:2.41.0"
SERVE_CONFIG = "applications:\n  - name: app\n    import_path: m:app\n"
SERVE_CONFIG_2 = "applications:\n  - name: app\n    import_path: m:app2\n"


def cluster_config(image: str = IMAGE, groups: int = 1) -> dict[str, Any]:
    """A small valid ``rayClusterConfig``: head with dashboard and serve ports, ``groups`` worker groups."""
    head_ports = [{"name": "dashboard", "containerPort": 8265}, {"name": "serve", "containerPort": 8000}]
    return {
        "rayVersion": "2.41.0",
        "headGroupSpec": {
            "rayStartParams": {},
            "template": {"spec": {"containers": [{"name": "ray-head", "image": image, "ports": head_ports}]}},
        },
        "workerGroupSpecs": [
            {
                "groupName": f"g{i}",
                "replicas": 1,
                "minReplicas": 0,
                "maxReplicas": 5,
                "rayStartParams": {},
                "template": {"spec": {"containers": [{"name": "ray-worker", "image": IMAGE}]}},
            }
            for i in range(groups)
        ],
    }


def rayservice(
    name: str = NAME,
    *,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    finalizers: list[str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A RayService manifest; ``spec`` keys are camelCase spec fields (config and cluster defaulted)."""
    body_spec: dict[str, Any] = {"serveConfigV2": SERVE_CONFIG, "rayClusterConfig": cluster_config()}
    body_spec.update(spec)
    meta: dict[str, Any] = {"name": name, "namespace": NS, "labels": dict(labels or {}), "generation": 1}
    if annotations:
        meta["annotations"] = dict(annotations)
    if finalizers is not None:
        meta["finalizers"] = list(finalizers)
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": meta, "spec": body_spec}


def apps(status: str = "RUNNING", message: str = "", name: str = "app") -> dict[str, Any]:
    """A ``GET /api/serve/applications/`` answer with one application in ``status``."""
    app: dict[str, Any] = {"status": status, "deployments": {"D": {"status": "HEALTHY"}}}
    if message:
        app["message"] = message
    return {"applications": {name: app}}


class RecordingRecorder(EventRecorder):
    """Keeps every event posted, repeats included (the recorder folds repeats into one Event)."""

    def __init__(self, kube: k8s.KubeClient, controller: str) -> None:
        super().__init__(kube, controller)
        self.posted: list[tuple[str, str, str]] = []

    async def emit(self, obj: Mapping[str, Any], type_: str, reason: str, action: str, note: str) -> None:
        self.posted.append((type_, reason, note))
        await super().emit(obj, type_, reason, action, note)


class StubServe:
    """One cluster's dashboard: the serve details it answers (or an error) and the PUT bodies it got."""

    def __init__(self) -> None:
        self.details: dict[str, Any] = {"applications": {}}
        self.get_error: DashboardError | None = None
        self.put_error: DashboardError | None = None
        self.puts: list[Any] = []
        self.gets = 0

    async def get_serve_details(self) -> dict[str, Any]:
        self.gets += 1
        if self.get_error is not None:
            raise self.get_error
        return copy.deepcopy(self.details)

    async def update_deployments(self, config_json: bytes) -> None:
        if self.put_error is not None:
            raise self.put_error
        self.puts.append(json.loads(config_json))


class StubProxy:
    """One head Pod's Serve proxy: healthy unless its cluster is in ``unhealthy``."""

    def __init__(self, owner: StubDashboards, cluster: str) -> None:
        self.owner, self.cluster = owner, cluster

    async def check_health(self) -> None:
        self.owner.health_checks.append(self.cluster)
        if self.cluster in self.owner.unhealthy:
            raise DashboardError("CheckProxyActorHealth fails. status code: 503")


class StubDashboards:
    """``Dashboards``: one :class:`StubServe` per cluster name, proxies healthy unless told otherwise."""

    def __init__(self) -> None:
        self.serve: dict[str, StubServe] = {}
        self.requests: list[dict[str, Any]] = []
        self.unhealthy: set[str] = set()
        self.health_checks: list[str] = []
        self.proxy_requests: list[dict[str, Any]] = []

    def of(self, cluster: str) -> StubServe:
        return self.serve.setdefault(cluster, StubServe())

    def for_cluster(
        self, *, namespace: str, cluster: str, dashboard_url: str, head_service: str, auth_token: str | None = None
    ) -> DashboardClient:
        self.requests.append(
            {"namespace": namespace, "cluster": cluster, "dashboard_url": dashboard_url, "head_service": head_service}
        )
        return cast(DashboardClient, self.of(cluster))

    def serve_proxy_for_pod(
        self, *, namespace: str, pod: str, pod_ip: str, port: int, cluster: str = ""
    ) -> ServeProxyClient:
        self.proxy_requests.append({"namespace": namespace, "pod": pod, "port": port, "cluster": cluster})
        return cast(ServeProxyClient, StubProxy(self, cluster))

    def puts(self, cluster: str) -> list[Any]:
        return self.of(cluster).puts


class Harness:
    """The RayService reconciler with the informers of ``rayservice_controller`` over a :class:`FakeKube`."""

    def __init__(self, body: Mapping[str, Any], config: OperatorConfig = CONFIG) -> None:
        self.clock = Clock()
        self.kube = FakeKube(clock=self.clock)
        self.dashboards = StubDashboards()
        client = cast(k8s.KubeClient, self.kube)
        dashboards = cast(Dashboards, self.dashboards)
        spec = rayservice_controller(config, dashboards)
        self.informers = informers_for(spec)
        self.name = str(body["metadata"]["name"])
        self.store = self.informers[k8s.RAYSERVICES]
        self.store.apply(self.kube.put(k8s.RAYSERVICES, body))
        self.recorder = RecordingRecorder(client, spec.recorder)
        context = ControllerContext(client, self.informers, self.recorder, Controller(spec.name), spec.primary)
        self.reconciler = RayServiceReconciler(context, config, dashboards, clock=self.clock)

    async def reconcile(self, name: str | None = None) -> float | None:
        return await self.reconciler.reconcile((NS, name or self.name))

    def advance(self, seconds: float) -> None:
        self.clock.now += seconds

    # --- the RayService ---------------------------------------------------------------------

    def rayservice(self) -> Body:
        body = self.kube.peek(k8s.RAYSERVICES, self.name, NS)
        assert body is not None, "the RayService is gone"
        return body

    def status(self) -> dict[str, Any]:
        return dict(self.rayservice().get("status") or {})

    def condition(self, type_: str) -> dict[str, Any]:
        for condition in self.status().get("conditions") or ():
            if condition.get("type") == type_:
                return dict(condition)
        raise AssertionError(f"no {type_} condition in {self.status().get('conditions')}")

    def edit(self, change: Callable[[Body], None]) -> None:
        """Another actor (a user) changes the RayService; the watch delivers it."""
        self.store.apply(self.kube.mutate(k8s.RAYSERVICES, self.name, NS, change))

    def edit_spec(self, **fields: Any) -> None:
        def change(body: Body) -> None:
            body["spec"].update(fields)
            body["metadata"]["generation"] = int(body["metadata"].get("generation") or 1) + 1

        self.edit(change)

    def edit_cluster_config(self, change: Callable[[dict[str, Any]], None]) -> None:
        def apply(body: Body) -> None:
            change(body["spec"]["rayClusterConfig"])
            body["metadata"]["generation"] = int(body["metadata"].get("generation") or 1) + 1

        self.edit(apply)

    @property
    def active(self) -> str:
        return str((self.status().get("activeServiceStatus") or {}).get("rayClusterName") or "")

    @property
    def pending(self) -> str:
        return str((self.status().get("pendingServiceStatus") or {}).get("rayClusterName") or "")

    def status_patches(self) -> list[Call]:
        return [c for c in self.kube.find("patch", "rayservices") if c.subresource == "status"]

    def events(self) -> list[tuple[str, str, str]]:
        """Every event posted, repeats included: (type, reason, note)."""
        return list(self.recorder.posted)

    def reasons(self) -> list[str]:
        return [reason for _, reason, _ in self.recorder.posted]

    # --- the RayCluster controller ----------------------------------------------------------

    def cluster(self, name: str) -> Body | None:
        return self.kube.peek(k8s.RAYCLUSTERS, name, NS)

    def cluster_names(self) -> list[str]:
        return sorted(c["metadata"]["name"] for c in self.kube.all(k8s.RAYCLUSTERS, NS))

    def head_pod_name(self, cluster: str) -> str:
        return f"{cluster}-head-x1y2z"

    def head_pod(self, cluster: str) -> Body | None:
        return self.kube.peek(k8s.PODS, self.head_pod_name(cluster), NS)

    def make_cluster_ready(self, cluster: str) -> None:
        """The RayCluster controller creates the head Pod and head Service and sets ``HeadPodReady=True``."""
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": self.head_pod_name(cluster),
                "namespace": NS,
                "labels": {"ray.io/cluster": cluster, "ray.io/node-type": "head"},
            },
            "spec": {"containers": [{"name": "ray-head"}]},
            "status": {
                "phase": "Running",
                "podIP": "10.1.2.3",
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
        self.informers[k8s.PODS].apply(self.kube.put(k8s.PODS, pod))
        service = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"{cluster}-head-svc", "namespace": NS, "labels": {"ray.io/cluster": cluster}},
            "spec": {"clusterIP": "None", "ports": [{"name": "dashboard", "port": 8265}]},
        }
        self.informers[k8s.SERVICES].apply(self.kube.put(k8s.SERVICES, service))
        condition = {
            "type": "HeadPodReady",
            "status": "True",
            "reason": "HeadPodRunningAndReady",
            "lastTransitionTime": rfc3339(self.clock()),
        }
        self.set_cluster_status(cluster, {"state": "ready", "conditions": [condition]})

    def set_cluster_status(self, cluster: str, status: Mapping[str, Any]) -> None:
        """The RayCluster controller writes the cluster's status; the watch delivers it."""
        updated = self.kube.mutate(k8s.RAYCLUSTERS, cluster, NS, lambda b: b.__setitem__("status", dict(status)))
        self.informers[k8s.RAYCLUSTERS].apply(updated)

    # --- Ray Serve --------------------------------------------------------------------------

    def serve(self, cluster: str, details: Mapping[str, Any] | None = None) -> None:
        """What the cluster's dashboard reports from now on (default: one RUNNING application)."""
        self.dashboards.of(cluster).details = dict(details if details is not None else apps())

    # --- the EndpointSlice controller -------------------------------------------------------

    def serve_service(self, name: str | None = None) -> Body | None:
        return self.kube.peek(k8s.SERVICES, name or f"{self.name}-serve-svc", NS)

    def head_service(self) -> Body | None:
        return self.kube.peek(k8s.SERVICES, f"{self.name}-head-svc", NS)

    def update_endpoints(self, service_name: str | None = None) -> int:
        """The EndpointSlice of the serve Service: one ready endpoint per selected Pod; returns how many."""
        name = service_name or f"{self.name}-serve-svc"
        service = self.kube.peek(k8s.SERVICES, name, NS)
        cluster = ((service or {}).get("spec") or {}).get("selector", {}).get("ray.io/cluster")
        endpoints = [
            {"conditions": {"ready": True}, "targetRef": {"kind": "Pod", "uid": pod["metadata"]["uid"]}}
            for pod in self.kube.all(k8s.PODS, NS)
            if cluster
            and (pod["metadata"].get("labels") or {}).get("ray.io/serve") == "true"
            and (pod["metadata"].get("labels") or {}).get("ray.io/cluster") == cluster
        ]
        body = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {"name": f"{name}-abcde", "namespace": NS, "labels": {"kubernetes.io/service-name": name}},
            "endpoints": endpoints,
        }
        if self.kube.peek(k8s.ENDPOINT_SLICES, f"{name}-abcde", NS) is None:
            stored = self.kube.put(k8s.ENDPOINT_SLICES, body)
        else:
            stored = self.kube.mutate(
                k8s.ENDPOINT_SLICES, f"{name}-abcde", NS, lambda b: b.__setitem__("endpoints", endpoints)
            )
        self.informers[k8s.ENDPOINT_SLICES].apply(stored)
        return len(endpoints)

    # --- deletions and the watch ------------------------------------------------------------

    def delete_rayservice(self) -> None:
        """A user deletes the RayService (the finalizer holds it); the watch delivers the deletionTimestamp."""
        meta = self.rayservice()["metadata"]

        def mark(body: Body) -> None:
            body["metadata"]["deletionTimestamp"] = rfc3339(self.clock())

        assert meta.get("finalizers"), "nothing holds the RayService"
        self.edit(mark)

    def watch_catches_up(self) -> None:
        """The garbage collector removes what deleted clusters and Services owned (Pods, Services,
        EndpointSlices), and every informer then holds what the server holds."""
        clusters = {c["metadata"]["name"] for c in self.kube.all(k8s.RAYCLUSTERS, NS)}
        for resource in (k8s.PODS, k8s.SERVICES):
            for obj in self.kube.all(resource, NS):
                owner = (obj["metadata"].get("labels") or {}).get("ray.io/cluster")
                if owner and owner not in clusters:
                    del self.kube.objects[resource.plural][(NS, obj["metadata"]["name"])]
        services = {s["metadata"]["name"] for s in self.kube.all(k8s.SERVICES, NS)}
        for endpoint_slice in self.kube.all(k8s.ENDPOINT_SLICES, NS):
            if (endpoint_slice["metadata"].get("labels") or {}).get("kubernetes.io/service-name") not in services:
                del self.kube.objects[k8s.ENDPOINT_SLICES.plural][(NS, endpoint_slice["metadata"]["name"])]
        for informer in self.informers:
            present = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in self.kube.all(informer.resource)}
            for cached in list(informer):
                if (cached["metadata"]["namespace"], cached["metadata"]["name"]) not in present:
                    informer.remove(cached)
            for obj in self.kube.all(informer.resource):
                informer.apply(obj)

    # --- whole scenarios --------------------------------------------------------------------

    async def pending_head_ready(self) -> str:
        """New RayService -> its first (pending) cluster created with the head Ready; its name."""
        await self.reconcile()  # finalizer, pending name
        await self.reconcile()  # the pending cluster
        cluster = self.pending
        self.make_cluster_ready(cluster)
        return cluster

    async def serving(self) -> str:
        """New RayService -> one active cluster behind the Services with one ready endpoint; its name."""
        cluster = await self.pending_head_ready()
        await self.reconcile()  # head labelled, config PUT
        self.serve(cluster)
        await self.reconcile()  # RUNNING: Services, promotion
        self.update_endpoints()
        await self.reconcile()  # Ready
        assert self.active == cluster and not self.pending, self.status()
        assert self.condition("Ready")["status"] == "True", self.status()
        return cluster


def require(body: Body | None) -> Body:
    """``body``, which the test expects to exist."""
    assert body is not None, "expected the object to exist"
    return body


__all__ = [
    "CONFIG",
    "FAST_POLL",
    "FINALIZER",
    "IMAGE",
    "KEY",
    "NAME",
    "NS",
    "POLL",
    "SERVE_CONFIG",
    "SERVE_CONFIG_2",
    "STALL",
    "START",
    "Clock",
    "Harness",
    "RecordingRecorder",
    "StubDashboards",
    "StubProxy",
    "StubServe",
    "apps",
    "cluster_config",
    "normal",
    "rayservice",
    "require",
    "warning",
]
