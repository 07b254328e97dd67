"""The RayJob reconciler's steps on children: its RayCluster, submitter Job, head Service, dashboard.

Each step reads the informers and writes through the framework helpers (events with KubeRay's
reasons and notes). Nothing here decides a transition: the steps return what they found.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ray_operator.builders import names
from ray_operator.builders import rayjob as build
from ray_operator.config import OperatorConfig
from ray_operator.dashboard.client import DashboardClient, Dashboards
from ray_operator.framework import k8s
from ray_operator.framework.clock import parse_time
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.events import VALIDATE
from ray_operator.framework.reconciler import BaseReconciler, Note, WriteFailed
from ray_operator.models import rayjob as rj
from ray_operator.reconcilers.auth_token import AuthTokens
from ray_operator.reconcilers.rayjob.status import Status

logger = logging.getLogger(__name__)

CREATED_CLUSTER = Note("CreatedRayCluster", "Created RayCluster {namespace}/{name}")
FAILED_CLUSTER = Note("FailedToCreateRayCluster", "Failed to create RayCluster {namespace}/{name}: {error}")
DELETED_CLUSTER = Note("DeletedRayCluster", "Deleted cluster {namespace}/{name}")
FAILED_DELETE_CLUSTER = Note("FailedToDeleteRayCluster", "Failed to delete cluster {namespace}/{name}: {error}")
CREATED_SUBMITTER = Note("CreatedRayJobSubmitter", "Created Kubernetes Job {namespace}/{name}")
FAILED_SUBMITTER = Note(
    "FailedToCreateRayJobSubmitter", "Failed to create new Kubernetes Job {namespace}/{name}: {error}"
)
DELETED_SUBMITTER = Note("DeletedRayJobSubmitter", "Deleted submitter K8s Job {namespace}/{name}")
FAILED_DELETE_SUBMITTER = Note(
    "FailedToDeleteRayJobSubmitter", "Failed to delete submitter K8s Job {namespace}/{name}: {error}"
)
CREATED_SERVICE = Note("CreatedService", "Created the service {namespace}/{name}")
FAILED_SERVICE = Note("FailedToCreateService", "Failed to create the service {namespace}/{name}, {error}")
UPDATED_SERVICE = Note("UpdatedService", "Updated the service {namespace}/{name}")
FAILED_UPDATE_SERVICE = Note("FailedToUpdateService", "Failed to update the service {namespace}/{name}, {error}")
UPDATED_CLUSTER = Note(
    "UpdatedRayCluster", "Set the `suspend` field to true for all worker groups in cluster {namespace}/{name}"
)
FAILED_UPDATE_CLUSTER = Note(
    "FailedToUpdateRayCluster", "Failed to suspend worker groups in cluster {namespace}/{name}: {error}"
)

SUBMITTER_CONTAINER = "ray-job-submitter"


@dataclass
class Pass:
    """One reconcile of one RayJob: the stored body and the status being worked on."""

    body: dict[str, Any]
    status: Status
    now: float
    requeue: float | None = None

    @property
    def meta(self) -> Mapping[str, Any]:
        return self.body.get("metadata") or {}

    @property
    def spec(self) -> Mapping[str, Any]:
        return self.body.get("spec") or {}

    @property
    def namespace(self) -> str:
        return str(self.meta.get("namespace") or "")

    @property
    def name(self) -> str:
        return str(self.meta.get("name") or "")

    @property
    def mode(self) -> str:
        return str(self.spec.get("submissionMode") or rj.K8S_JOB_MODE)

    @property
    def selector_cluster(self) -> str:
        return str((self.spec.get("clusterSelector") or {}).get(rj.CLUSTER_SELECTOR_KEY) or "")

    @property
    def cluster_name(self) -> str:
        return str(self.status.get("rayClusterName") or "")

    def wake_at(self, when: float | None) -> None:
        """Ask to be reconciled again at ``when`` (the earliest request wins)."""
        if when is None:
            return
        delay = max(0.0, when - self.now)
        self.requeue = delay if self.requeue is None else min(self.requeue, delay)


class RayJobSteps(BaseReconciler):
    """Mixin base of the RayJob reconciler: children and the dashboard."""

    def __init__(
        self,
        ctx: ControllerContext,
        config: OperatorConfig,
        dashboards: Dashboards,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ctx)
        self.config = config
        self.dashboards = dashboards
        self.clock = clock
        self.tokens = AuthTokens(ctx.kube)

    # ------------------------------------------------------------------ the RayCluster

    def cluster(self, run: Pass) -> dict[str, Any] | None:
        return self.cached(k8s.RAYCLUSTERS, run.namespace, run.cluster_name)

    async def get_or_create_cluster(self, run: Pass) -> dict[str, Any]:
        """KubeRay's ``getOrCreateRayClusterInstance``; later edits of rayClusterSpec are ignored."""
        existing = self.cluster(run)
        if existing is not None:
            return existing
        if run.selector_cluster:
            await self.recorder.warning(
                run.body,
                "RayClusterNotFound",
                VALIDATE,
                f"RayCluster {run.namespace}/{run.cluster_name} set in the clusterSelector is not found. "
                "It must be created manually",
            )
            raise RetryLater(
                f"clusterSelector mode is enabled, but RayCluster {run.namespace}/{run.cluster_name} is not found"
            )
        manifest = build.rayjob_cluster(run.body, run.cluster_name, self.config)
        return await self.create(run.body, k8s.RAYCLUSTERS, manifest, created=CREATED_CLUSTER, failed=FAILED_CLUSTER)

    async def delete_cluster(self, run: Pass) -> bool:
        """Delete the job's cluster (never a selected one); True once it is gone."""
        if run.selector_cluster:
            return True
        cluster = self.cluster(run)
        if cluster is None:
            return True
        if not (cluster.get("metadata") or {}).get("deletionTimestamp"):
            await self.delete(
                run.body,
                k8s.RAYCLUSTERS,
                run.namespace,
                run.cluster_name,
                uid=(cluster.get("metadata") or {}).get("uid"),
                deleted=DELETED_CLUSTER,
                failed=FAILED_DELETE_CLUSTER,
            )
        return False

    async def suspend_worker_groups(self, run: Pass) -> None:
        """DeleteWorkers: ``suspend: true`` on every worker group of the job's cluster."""
        cluster = self.cluster(run)
        if cluster is None:
            raise RetryLater(f"RayCluster {run.namespace}/{run.cluster_name} not found")
        groups = [{**g, "suspend": True} for g in (cluster.get("spec") or {}).get("workerGroupSpecs") or []]
        body = {**cluster, "spec": {**(cluster.get("spec") or {}), "workerGroupSpecs": groups}}
        await self.replace(run.body, k8s.RAYCLUSTERS, body, updated=UPDATED_CLUSTER, failed=FAILED_UPDATE_CLUSTER)

    # ------------------------------------------------------------------ the submitter Job

    def submitter_job(self, run: Pass) -> dict[str, Any] | None:
        return self.cached(k8s.JOBS, run.namespace, run.name)

    async def create_submitter_job(self, run: Pass, cluster: Mapping[str, Any]) -> None:
        """K8sJobMode: the submitter Job ``<rayjob>``, created once and never updated."""
        if self.submitter_job(run) is not None:
            return
        manifest = build.submitter_job(
            run.body,
            cluster,
            dashboard_url=str(run.status.get("dashboardURL") or ""),
            job_id=str(run.status.get("jobId") or ""),
            config=self.config,
        )
        await self.create_once(run.body, k8s.JOBS, manifest, created=CREATED_SUBMITTER, failed=FAILED_SUBMITTER)

    async def delete_submitter_job(self, run: Pass) -> bool:
        """K8sJobMode: delete the submitter Job (background propagation); True once it is gone."""
        if run.mode != rj.K8S_JOB_MODE:
            return True
        job = self.submitter_job(run)
        if job is None:
            return True
        if not (job.get("metadata") or {}).get("deletionTimestamp"):
            await self.delete(
                run.body,
                k8s.JOBS,
                run.namespace,
                run.name,
                uid=(job.get("metadata") or {}).get("uid"),
                propagation="Background",
                deleted=DELETED_SUBMITTER,
                failed=FAILED_DELETE_SUBMITTER,
            )
        return False

    # ------------------------------------------------------------------ the RayJob head Service

    async def reconcile_head_service(self, run: Pass, cluster: Mapping[str, Any]) -> None:
        """``<rayjob>-head-svc`` follows the job's current cluster (2.4.4); not with clusterSelector."""
        if run.selector_cluster:
            return
        wanted = build.rayjob_head_service(run.body, cluster, self.config)
        name = str(wanted["metadata"]["name"])
        existing = self.cached(k8s.SERVICES, run.namespace, name)
        if existing is None:
            await self.create_once(run.body, k8s.SERVICES, wanted, created=CREATED_SERVICE, failed=FAILED_SERVICE)
            return
        old_selector = ((existing.get("spec") or {}).get("selector") or {}).get(names.LABEL_CLUSTER)
        if old_selector == (wanted.get("spec") or {}).get("selector", {}).get(names.LABEL_CLUSTER):
            return
        current = await self.kube.get(k8s.SERVICES, name, run.namespace)  # the cache holds a slim copy
        spec = dict(wanted.get("spec") or {})
        spec["clusterIP"] = (current.get("spec") or {}).get("clusterIP")
        await self.replace(
            run.body, k8s.SERVICES, {**current, "spec": spec}, updated=UPDATED_SERVICE, failed=FAILED_UPDATE_SERVICE
        )

    # ------------------------------------------------------------------ the head Pod (SidecarMode)

    def head_pod(self, run: Pass) -> dict[str, Any] | None:
        for pod in self.informers[k8s.PODS].by_index("cluster", (run.namespace, run.cluster_name)):
            labels = (pod.get("metadata") or {}).get("labels") or {}
            if labels.get(names.LABEL_NODE_TYPE) == names.NODE_TYPE_HEAD:
                return pod
        return None

    # ------------------------------------------------------------------ the dashboard

    async def dashboard(self, run: Pass, cluster: Mapping[str, Any]) -> DashboardClient:
        """A client for the cluster's dashboard at ``status.dashboardURL`` (with its auth token)."""
        meta = cluster.get("metadata") or {}
        head = ((cluster.get("status") or {}).get("head") or {}).get("serviceName") or names.head_service_name(
            str(meta.get("name") or ""), ((cluster.get("spec") or {}).get("headGroupSpec") or {}).get("headService")
        )
        return self.dashboards.for_cluster(
            namespace=run.namespace,
            cluster=str(meta.get("name") or ""),
            dashboard_url=str(run.status.get("dashboardURL") or ""),
            head_service=str(head),
            auth_token=await self.tokens.for_cluster(cluster),
        )

    def forget(self, namespace: str, name: str) -> None:
        """Drop what is remembered about a deleted RayJob's clusters."""
        self.tokens.forget(namespace, name)


def submitter_finished_at(job: Mapping[str, Any] | None) -> float | None:
    """``lastTransitionTime`` of the submitter Job's Complete/Failed condition, if it finished."""
    for condition in ((job or {}).get("status") or {}).get("conditions") or ():
        if condition.get("type") in ("Complete", "Failed") and condition.get("status") == "True":
            return parse_time(condition.get("lastTransitionTime"))
    return None


def submitter_failed_condition(job: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    for condition in ((job or {}).get("status") or {}).get("conditions") or ():
        if condition.get("type") == "Failed" and condition.get("status") == "True":
            return condition  # type: ignore[no-any-return]
    return None


def submitter_container_status(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        if status.get("name") == SUBMITTER_CONTAINER:
            return status  # type: ignore[no-any-return]
    return None


__all__ = ["Pass", "RayJobSteps", "WriteFailed"]
