"""A RayJobReconciler wired to :class:`FakeKube`, the RayJob controller's informers and a stub dashboard.

Modelled on the ``Harness`` of ``test_raycluster_reconciler.py``: the informers hold what the watch
delivered, the reconciler's own writes go through to them as in the operator, and tests move
other actors' changes (the RayCluster controller making a cluster ready, a Job finishing, the
watch reporting a deletion) into them explicitly. Time is a fake clock shared by the reconciler
and the fake API server, so requeue delays and timestamps are exact.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, cast

from ray_operator.config import OperatorConfig
from ray_operator.controllers.rayjob import rayjob_controller
from ray_operator.dashboard.client import DashboardClient, DashboardError, Dashboards, JobInfo
from ray_operator.framework import k8s
from ray_operator.framework.controller import Controller
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.events import EventRecorder
from ray_operator.reconcilers.rayjob import RayJobReconciler
from unit.fake_kube import Body, Call, FakeKube, rfc3339
from unit.harness_parts import START, Clock, informers_for, normal, warning

NS = "team"
NAME = "job"
KEY = (NS, NAME)
START_TEXT = "2027-01-15T08:00:00Z"
FINALIZER = "ray.io/rayjob-finalizer"
#: Distinct from every delay the reconciler computes, so a returned 57.0 can only be "poll".
POLL = 57.0
CONFIG = dataclasses.replace(OperatorConfig(), rayjob_poll_seconds=POLL)
IMAGE = "rayproject/ray:2.41.0"


def cluster_spec(**extra: Any) -> dict[str, Any]:
    """A small valid ``rayClusterSpec`` (head plus one worker group ``g``)."""
    return {
        "rayVersion": "2.41.0",
        "headGroupSpec": {
            "rayStartParams": {},
            "template": {"spec": {"containers": [{"name": "ray-head", "image": IMAGE}]}},
        },
        "workerGroupSpecs": [
            {
                "groupName": "g",
                "replicas": 1,
                "minReplicas": 0,
                "maxReplicas": 5,
                "rayStartParams": {},
                "template": {"spec": {"containers": [{"name": "ray-worker", "image": IMAGE}]}},
            }
        ],
        **extra,
    }


def rayjob(
    name: str = NAME,
    *,
    mode: str | None = None,
    status: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    finalizers: list[str] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A RayJob manifest; ``spec`` keys are camelCase RayJob spec fields (``rayClusterSpec`` defaulted)."""
    body_spec: dict[str, Any] = {"entrypoint": "python -c 'print(1)'"}
    if "clusterSelector" not in spec:
        body_spec["rayClusterSpec"] = cluster_spec()
    if mode is not None:
        body_spec["submissionMode"] = mode
    body_spec.update(spec)
    body: dict[str, Any] = {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name, "namespace": NS, "labels": dict(labels or {}), "generation": 1},
        "spec": body_spec,
    }
    if finalizers is not None:
        body["metadata"]["finalizers"] = list(finalizers)
    if status is not None:
        body["status"] = dict(status)
    return body


class RecordingKube(FakeKube):
    """FakeKube that also remembers the propagation policy of each delete (KubeRay: Background for Jobs)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__(clock=clock)
        self.propagation: dict[tuple[str, str], str | None] = {}

    async def delete(
        self,
        resource: k8s.Resource,
        name: str,
        namespace: str | None = None,
        propagation: str | None = None,
        uid: str | None = None,
    ) -> Body | None:
        self.propagation[(resource.plural, name)] = propagation
        return await super().delete(resource, name, namespace, propagation=propagation, uid=uid)


class StubDashboard:
    """In-memory stand-in for :class:`DashboardClient`: jobs by submission id, errors on demand."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobInfo] = {}
        self.errors: dict[str, DashboardError] = {}
        self.calls: list[tuple[str, Any]] = []

    def set_job(self, job_id: str, status: str, message: str = "", start_ms: int = 0, end_ms: int = 0) -> None:
        self.jobs[job_id] = JobInfo(
            job_id=job_id, submission_id=job_id, status=status, message=message, start_time=start_ms, end_time=end_ms
        )

    def fail(self, method: str, error: DashboardError | None) -> None:
        """Make every later call of ``method`` raise ``error`` (None: succeed again)."""
        if error is None:
            self.errors.pop(method, None)
        else:
            self.errors[method] = error

    def _enter(self, method: str, argument: Any) -> None:
        self.calls.append((method, argument))
        if method in self.errors:
            raise self.errors[method]

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]

    async def get_job_info(self, job_id: str) -> JobInfo | None:
        self._enter("get_job_info", job_id)
        return self.jobs.get(job_id)

    async def submit_job(self, request: Mapping[str, Any]) -> str:
        self._enter("submit_job", dict(request))
        job_id = str(request.get("submission_id") or "")
        self.set_job(job_id, "PENDING")
        return job_id

    async def stop_job(self, job_id: str) -> None:
        self._enter("stop_job", job_id)


class StubDashboards:
    """``Dashboards`` whose ``for_cluster`` hands out the one stub and records its keyword arguments."""

    def __init__(self, client: StubDashboard) -> None:
        self.client = client
        self.requests: list[dict[str, Any]] = []

    def for_cluster(
        self, *, namespace: str, cluster: str, dashboard_url: str, head_service: str, auth_token: str | None = None
    ) -> DashboardClient:
        self.requests.append(
            {
                "namespace": namespace,
                "cluster": cluster,
                "dashboard_url": dashboard_url,
                "head_service": head_service,
                "auth_token": auth_token,
            }
        )
        return cast(DashboardClient, self.client)


class Harness:
    """The RayJob reconciler with the informers of ``rayjob_controller`` over a :class:`FakeKube`."""

    def __init__(self, body: Mapping[str, Any], config: OperatorConfig = CONFIG) -> None:
        self.clock = Clock()
        self.kube = RecordingKube(clock=self.clock)
        self.dashboard = StubDashboard()
        self.dashboards = StubDashboards(self.dashboard)
        client = cast(k8s.KubeClient, self.kube)
        dashboards = cast(Dashboards, self.dashboards)
        spec = rayjob_controller(config, dashboards)
        self.informers = informers_for(spec)
        self.name = str(body["metadata"]["name"])
        self.store = self.informers[k8s.RAYJOBS]
        self.store.apply(self.kube.put(k8s.RAYJOBS, body))
        context = ControllerContext(
            client, self.informers, EventRecorder(client, spec.recorder), Controller(spec.name), spec.primary
        )
        self.reconciler = RayJobReconciler(context, config, dashboards, clock=self.clock)

    async def reconcile(self) -> float | None:
        return await self.reconciler.reconcile((NS, self.name))

    async def start(self) -> float | None:
        """New -> Initializing -> cluster created -> cluster ready -> the state after Initializing.

        Returns the delay the last pass asked for.
        """
        await self.reconcile()
        await self.reconcile()
        self.make_cluster_ready()
        return await self.reconcile()

    async def run_until(self, deployment: str, passes: int = 10) -> None:
        """Reconcile until ``status.jobDeploymentStatus`` is ``deployment`` (each pass sees the last write)."""
        for _ in range(passes):
            if self.status().get("jobDeploymentStatus") == deployment:
                return
            await self.reconcile()
        assert self.status().get("jobDeploymentStatus") == deployment, self.status()

    # --- the RayJob -------------------------------------------------------------------------

    def rayjob(self) -> Body:
        body = self.kube.peek(k8s.RAYJOBS, self.name, NS)
        assert body is not None, "the RayJob is gone"
        return body

    def status(self) -> dict[str, Any]:
        return dict(self.rayjob().get("status") or {})

    def edit(self, change: Callable[[Body], None]) -> None:
        """Another actor changes the RayJob (a user's edit, or a status set up by a test); the watch delivers it."""
        self.store.apply(self.kube.mutate(k8s.RAYJOBS, self.name, NS, change))

    def edit_spec(self, **fields: Any) -> None:
        self.edit(lambda body: body["spec"].update(fields))

    def edit_status(self, **fields: Any) -> None:
        self.edit(lambda body: body.setdefault("status", {}).update(fields))

    @property
    def job_id(self) -> str:
        return str(self.status().get("jobId") or "")

    def status_patches(self) -> list[Call]:
        return [c for c in self.kube.find("patch", "rayjobs") if c.subresource == "status"]

    # --- the RayCluster ---------------------------------------------------------------------

    @property
    def cluster_name(self) -> str:
        return str(self.status().get("rayClusterName") or "")

    def cluster(self, name: str | None = None) -> Body | None:
        return self.kube.peek(k8s.RAYCLUSTERS, name or self.cluster_name, NS)

    def put_cluster(self, name: str, state: str | None = "ready") -> None:
        """A RayCluster made by someone else (clusterSelector), in the cache."""
        body: dict[str, Any] = {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {"name": name, "namespace": NS},
            "spec": cluster_spec(),
        }
        if state is not None:
            body["status"] = {"state": state}
        self.informers[k8s.RAYCLUSTERS].apply(self.kube.put(k8s.RAYCLUSTERS, body))
        self.put_head_service(name)

    def set_cluster_status(self, status: Mapping[str, Any], name: str | None = None) -> None:
        """The RayCluster controller writes the cluster's status; the watch delivers it."""
        cluster = name or self.cluster_name
        updated = self.kube.mutate(k8s.RAYCLUSTERS, cluster, NS, lambda b: b.__setitem__("status", dict(status)))
        self.informers[k8s.RAYCLUSTERS].apply(updated)

    def put_head_service(self, cluster: str, port: int = 8265) -> None:
        """The cluster's head Service ``<cluster>-head-svc`` with a ``dashboard`` port, in the cache."""
        service = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": f"{cluster}-head-svc", "namespace": NS, "labels": {"ray.io/cluster": cluster}},
            "spec": {"clusterIP": "None", "ports": [{"name": "dashboard", "port": port}]},
        }
        self.informers[k8s.SERVICES].apply(self.kube.put(k8s.SERVICES, service))

    def make_cluster_ready(self) -> None:
        """The RayCluster controller created the head Service and reports ``state: ready``."""
        self.put_head_service(self.cluster_name)
        self.set_cluster_status({"state": "ready", "readyWorkerReplicas": 1})

    def dashboard_url(self, cluster: str | None = None) -> str:
        return f"{cluster or self.cluster_name}-head-svc.{NS}.svc.cluster.local:8265"

    # --- the submitter Job and the head Pod -------------------------------------------------

    def submitter(self) -> Body | None:
        return self.kube.peek(k8s.JOBS, self.name, NS)

    def finish_submitter(self, type_: str, at: float, reason: str = "", message: str = "") -> None:
        """The Job controller sets the submitter Job's Complete/Failed condition at ``at``."""
        condition = {
            "type": type_,
            "status": "True",
            "reason": reason,
            "message": message,
            "lastTransitionTime": rfc3339(at),
        }
        updated = self.kube.mutate(
            k8s.JOBS, self.name, NS, lambda b: b.__setitem__("status", {"conditions": [condition]})
        )
        self.informers[k8s.JOBS].apply(updated)

    def put_head_pod(self, submitter: Mapping[str, Any] | None = None) -> None:
        """The cluster's head Pod; ``submitter`` is the ``ray-job-submitter`` container status (SidecarMode)."""
        statuses = [{"name": "ray-head", "ready": True, "state": {"running": {}}}]
        if submitter is not None:
            statuses.append({"name": "ray-job-submitter", **submitter})
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "name": f"{self.cluster_name}-head-x1y2z",
                "namespace": NS,
                "labels": {"ray.io/cluster": self.cluster_name, "ray.io/node-type": "head"},
            },
            "spec": {"containers": [{"name": "ray-head"}, {"name": "ray-job-submitter"}]},
            "status": {"phase": "Running", "containerStatuses": statuses},
        }
        self.informers[k8s.PODS].apply(self.kube.put(k8s.PODS, pod))

    # --- the watch --------------------------------------------------------------------------

    def watch_catches_up(self, *resources: k8s.Resource) -> None:
        """The informers of ``resources`` (default: the owned kinds) now hold exactly what the server holds."""
        for resource in resources or (k8s.RAYCLUSTERS, k8s.JOBS, k8s.SERVICES):
            informer = self.informers[resource]
            present = {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in self.kube.all(resource)}
            for cached in list(informer):
                if (cached["metadata"]["namespace"], cached["metadata"]["name"]) not in present:
                    informer.remove(cached)
            for obj in self.kube.all(resource):
                informer.apply(obj)


__all__ = [
    "CONFIG",
    "FINALIZER",
    "IMAGE",
    "KEY",
    "NAME",
    "NS",
    "POLL",
    "START",
    "START_TEXT",
    "Clock",
    "Harness",
    "RecordingKube",
    "StubDashboard",
    "StubDashboards",
    "cluster_spec",
    "normal",
    "rayjob",
    "warning",
]
