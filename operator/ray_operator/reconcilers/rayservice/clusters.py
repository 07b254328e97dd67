"""The RayService reconciler's RayClusters: create the pending one, update in place, clean up.

KubeRay's ``reconcileRayCluster``, ``cleanUpRayClusterInstance`` and the suspend deletions, with
KubeRay's events. One addition: a pending cluster that is abandoned before it ever served (the
spec was edited again, or reverted to the active cluster's) is deleted at once. KubeRay keeps it
for ``rayClusterDeletionDelaySeconds`` although no traffic can reach it, which is how a user
who edits twice during an upgrade ends up with three clusters.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ray_operator.builders import names
from ray_operator.builders import rayservice as build
from ray_operator.config import OperatorConfig
from ray_operator.controllers.caches import BY_ORIGIN
from ray_operator.dashboard.client import Dashboards
from ray_operator.framework import k8s
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.reconciler import BaseReconciler, Note
from ray_operator.reconcilers.rayservice import status as st

logger = logging.getLogger(__name__)

CREATED_CLUSTER = Note("CreatedRayCluster", "Created the RayCluster {namespace}/{name}")
FAILED_CLUSTER = Note("FailedToCreateRayCluster", "Failed to create the RayCluster {namespace}/{name}: {error}")
DELETED_CLUSTER = Note("DeletedRayCluster", "Deleted the RayCluster {namespace}/{name}")
FAILED_DELETE_CLUSTER = Note("FailedToDeleteRayCluster", "Failed to delete the RayCluster {namespace}/{name}: {error}")
SUSPEND_DELETED_CLUSTER = Note("DeletedRayCluster", "Deleted the RayCluster {namespace}/{name} during suspend")
SUSPEND_FAILED_CLUSTER = Note(
    "FailedToDeleteRayCluster", "Failed to delete the RayCluster {namespace}/{name} during suspend: {error}"
)
SUSPEND_DELETED_SERVICE = Note("DeletedService", "Deleted the Service {namespace}/{name} during suspend")
SUSPEND_FAILED_SERVICE = Note(
    "FailedToDeleteService", "Failed to delete the Service {namespace}/{name} during suspend: {error}"
)


def _updated(which: str) -> Note:
    return Note("UpdatedRayCluster", f"Updated the {which} RayCluster {{namespace}}/{{name}}")


def _failed_update(which: str) -> Note:
    return Note(
        "FailedToUpdateRayCluster", f"Failed to update the {which} RayCluster {{namespace}}/{{name}}: {{error}}"
    )


@dataclass
class Pass:
    """One reconcile of one RayService: the stored body, the status being worked on, and findings."""

    body: dict[str, Any]
    status: st.Status
    now: float
    requeue: float | None = None
    active: dict[str, Any] | None = None
    pending: dict[str, Any] | None = None
    #: Ours: what the pending cluster is still waiting for (UpgradeInProgress message).
    waiting: str = ""
    #: Ours: why the active cluster's Serve status could not be read (Ready message).
    dashboard_error: str = ""
    notes: list[str] = field(default_factory=list)

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
    def deleting(self) -> bool:
        return bool(self.meta.get("deletionTimestamp"))

    def wake_at(self, when: float | None) -> None:
        """Look again no later than ``when`` (epoch seconds)."""
        if when is None:
            return
        delay = max(0.0, when - self.now)
        self.requeue = delay if self.requeue is None else min(self.requeue, delay)


class ClusterSteps(BaseReconciler):
    """Mixin base of the RayService reconciler: its clusters, and what it remembers in memory."""

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
        #: KubeRay's ``RayClusterDeletionTimestamps``: (namespace, cluster) -> when to delete it.
        self._deletion_at: dict[tuple[str, str], float] = {}
        #: Pending clusters replaced before they ever served: deleted without the delay.
        self._abandoned: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ reading

    def cluster(self, namespace: str, name: str) -> dict[str, Any] | None:
        if not name:
            return None
        return self.cached(k8s.RAYCLUSTERS, namespace, name)

    def owned_clusters(self, run: Pass) -> list[dict[str, Any]]:
        """RayClusters labelled as originating from this RayService (KubeRay's association)."""
        return self.informers[k8s.RAYCLUSTERS].by_index(BY_ORIGIN, (run.namespace, names.CRD_RAYSERVICE, run.name))

    def abandon(self, namespace: str, cluster: str) -> None:
        """Remember that ``cluster`` was a pending cluster given up before it served."""
        if cluster:
            self._abandoned.add((namespace, cluster))

    # ------------------------------------------------------------------ clean-up (3.8.3)

    async def clean_up_clusters(self, run: Pass) -> bool:
        """Delete clusters that are neither active nor pending once their delay has passed (all of
        them, at once, when the RayService is being deleted). Returns whether any remain."""
        active, pending = st.active_name(run.body.get("status") or {}), st.pending_name(run.body.get("status") or {})
        delay = run.spec.get("rayClusterDeletionDelaySeconds")
        delay_seconds = float(build.DEFAULT_CLUSTER_DELETION_DELAY_SECONDS if delay is None else delay)
        remaining = False
        for cluster in self.owned_clusters(run):
            meta = cluster.get("metadata") or {}
            name = str(meta.get("name") or "")
            if not run.deleting and name in (active, pending):
                continue
            remaining = True
            key = (run.namespace, name)
            if meta.get("deletionTimestamp"):
                continue  # going; its deletion wakes us
            due = self._deletion_at.get(key)
            immediate = run.deleting or key in self._abandoned
            if due is None and not immediate:
                self._deletion_at[key] = run.now + delay_seconds
                logger.info(
                    "RayService %s/%s: dangling RayCluster %s scheduled for deletion in %ss",
                    run.namespace,
                    run.name,
                    name,
                    delay_seconds,
                )
                run.wake_at(run.now + delay_seconds)
                continue
            if not immediate and due is not None and run.now < due:
                run.wake_at(due)
                continue
            await self.delete(
                run.body,
                k8s.RAYCLUSTERS,
                run.namespace,
                name,
                uid=meta.get("uid"),
                propagation="Background",
                deleted=DELETED_CLUSTER,
                failed=FAILED_DELETE_CLUSTER,
            )
        self._forget_gone(run)
        return remaining

    def _forget_gone(self, run: Pass) -> None:
        present = {str((c.get("metadata") or {}).get("name") or "") for c in self.owned_clusters(run)}
        for memory in (self._deletion_at, self._abandoned):
            mine = [k for k in memory if k[0] == run.namespace and names.named_after(run.name, k[1])]
            for key in [k for k in mine if k[1] not in present]:
                if isinstance(memory, dict):
                    memory.pop(key, None)
                else:
                    memory.discard(key)

    # ------------------------------------------------------------------ active and pending (3.4)

    async def reconcile_clusters(self, run: Pass) -> None:
        """``reconcileRayCluster``: create the named pending cluster, or update clusters in place."""
        status = run.body.get("status") or {}
        run.active = self.cluster(run.namespace, st.active_name(status))
        run.pending = self.cluster(run.namespace, st.pending_name(status))
        pending_name = st.pending_name(run.status)
        if pending_name and run.pending is None:
            manifest = build.rayservice_cluster(run.body, pending_name, self.config)
            run.pending = await self.create(
                run.body, k8s.RAYCLUSTERS, manifest, created=CREATED_CLUSTER, failed=FAILED_CLUSTER
            )
            return
        if build.should_update_cluster(run.body, run.active, active=True, config=self.config):
            assert run.active is not None
            run.active = await self._update_in_place(run, run.active, "active")
        if build.should_update_cluster(run.body, run.pending, active=False, config=self.config):
            assert run.pending is not None
            run.pending = await self._update_in_place(run, run.pending, "pending")

    async def _update_in_place(self, run: Pass, cluster: Mapping[str, Any], which: str) -> dict[str, Any]:
        name = str((cluster.get("metadata") or {}).get("name") or "")
        goal = build.rayservice_cluster(run.body, name, self.config)
        current = await self.kube.get(k8s.RAYCLUSTERS, name, run.namespace)  # fresh resourceVersion
        body = build.updated_cluster(current, goal)
        return await self.replace(
            run.body, k8s.RAYCLUSTERS, body, updated=_updated(which), failed=_failed_update(which)
        )

    # ------------------------------------------------------------------ suspend (3.9.2)

    async def delete_owned_resources(self, run: Pass) -> bool:
        """Delete every owned RayCluster and Service; True when nothing is left."""
        all_gone = True
        for resource, deleted, failed in (
            (k8s.RAYCLUSTERS, SUSPEND_DELETED_CLUSTER, SUSPEND_FAILED_CLUSTER),
            (k8s.SERVICES, SUSPEND_DELETED_SERVICE, SUSPEND_FAILED_SERVICE),
        ):
            for child in self.informers[resource].by_index(BY_ORIGIN, (run.namespace, names.CRD_RAYSERVICE, run.name)):
                all_gone = False
                meta = child.get("metadata") or {}
                if meta.get("deletionTimestamp"):
                    continue
                await self.delete(
                    run.body,
                    resource,
                    run.namespace,
                    str(meta.get("name") or ""),
                    uid=meta.get("uid"),
                    propagation="Background",
                    deleted=deleted,
                    failed=failed,
                )
        return all_gone
