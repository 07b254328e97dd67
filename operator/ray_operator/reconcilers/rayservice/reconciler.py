"""RayService reconciler: KubeRay's pass (3.3), in KubeRay's order, plus upgrades that never wedge.

Each pass: skip foreign ``managedBy``; forget cached configs of old clusters; clean up dangling
clusters (after ``rayClusterDeletionDelaySeconds``); on deletion wait for the clusters, then drop
the finalizer; add the finalizer; validate (``Ready=False``/``ValidationFailed`` + event); suspend;
the terminal initializing timeout; create or update the clusters; the head Pods' serve labels;
the Serve applications (pending cluster first); switch the Services to a cluster that serves;
compute the status and write it if KubeRay's rule says it changed.

Ours on top (README, "differences"): while both clusters exist, ``UpgradeInProgress`` says what the
pending cluster waits for, and an ``UpgradeStalled`` event fires once it has waited longer than
``--rayservice-stalled-upgrade-seconds``; editing the spec again replaces the pending cluster
(deleted at once), and reverting to the active cluster's spec cancels the upgrade instead of
building a third cluster; a pending cluster about to serve is polled 4 times as often, so the
Services switch within about half a second of its applications reaching RUNNING.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Final

import pydantic

from ray_operator.builders import names
from ray_operator.builders import rayservice as build
from ray_operator.framework.clock import parse_time, rfc3339
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.events import RECONCILE, VALIDATE
from ray_operator.models import RayService
from ray_operator.models import rayservice as rs
from ray_operator.models.common import MANAGED_BY_KUBERAY
from ray_operator.reconcilers.rayservice import status as st
from ray_operator.reconcilers.rayservice.clusters import Pass
from ray_operator.reconcilers.rayservice.serve import ServeSteps
from ray_operator.validation import REASON_INVALID_RAYSERVICE_SPEC, ValidationError, validate_rayservice

logger = logging.getLogger(__name__)

#: KubeRay's ``ServiceDefaultRequeueDuration``.
DEFAULT_REQUEUE: Final = 2.0
REASON_UPGRADE_STALLED: Final = "UpgradeStalled"
INCREMENTAL_UNSUPPORTED: Final = (
    "The RayService spec is invalid: upgradeStrategy.type NewClusterWithIncrementalUpgrade is not supported "
    "by ray-operator yet; use NewCluster or None"
)


class RayServiceReconciler(ServeSteps):
    """Reconciles one RayService per call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stall_reported: set[tuple[str, str]] = set()

    def forget(self, namespace: str, name: str) -> None:
        super().forget(namespace, name)
        for key in [k for k in self._stall_reported if k[0] == namespace and names.named_after(name, k[1])]:
            self._stall_reported.discard(key)

    async def reconcile(self, key: tuple[str, str]) -> float | None:
        namespace, name = key
        body = self.ctx.primary.get(key)
        if body is None:
            self.forget(namespace, name)
            return None
        managed_by = (body.get("spec") or {}).get("managedBy")
        if managed_by and managed_by != MANAGED_BY_KUBERAY:
            logger.info("Skipping RayService %s/%s managed by a custom controller (%s)", namespace, name, managed_by)
            return None
        run = Pass(body=body, status=copy.deepcopy(body.get("status") or {}), now=self.clock())
        self.clean_serve_cache(run, st.active_name(run.status), st.pending_name(run.status))
        remaining = await self.clean_up_clusters(run)
        if run.deleting:
            if remaining:
                return DEFAULT_REQUEUE  # the clusters' deletions wake us too
            await self.remove_finalizer(run.body, build.FINALIZER)
            self.forget(namespace, name)
            return None
        updated = await self.add_finalizer(run.body, build.FINALIZER)
        if updated is not None:
            run.body = updated

        problem = self._validate(run.body)
        if problem is not None:
            reason, message = problem
            await self.recorder.warning(run.body, reason, VALIDATE, f"{namespace}/{name}: {message}")
            st.set_condition(run.status, rs.CONDITION_READY, "False", rs.REASON_VALIDATION_FAILED, message, run.now)
            await self._write(run, force=True)
            return None

        if await self._suspend(run):
            return run.requeue
        if st.timed_out(run.status):
            return DEFAULT_REQUEUE if remaining else None
        await self._reconcile(run)
        await self._write(run)
        return run.requeue

    def _validate(self, body: dict[str, Any]) -> tuple[str, str] | None:
        try:
            service = RayService.from_body(body)
        except pydantic.ValidationError as exc:
            return REASON_INVALID_RAYSERVICE_SPEC, "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5]
            )
        try:
            validate_rayservice(service, self.config)
        except ValidationError as exc:
            return exc.reason, exc.message
        if build.incremental_upgrade_enabled(body, self.config):
            return REASON_INVALID_RAYSERVICE_SPEC, INCREMENTAL_UNSUPPORTED
        return None

    async def _write(self, run: Pass, *, force: bool = False) -> None:
        """KubeRay's final update: only when ``InconsistentRayServiceStatuses``; stamps lastUpdateTime."""
        if not force and not st.worth_writing(run.body.get("status") or {}, run.status):
            return
        run.status["lastUpdateTime"] = rfc3339(run.now)
        written = await self.write_status(run.body, run.status, changed=lambda _o, _n: True, guarded=True)
        if written is not None:  # a later write in this pass must carry the new resourceVersion
            run.body = written

    # ------------------------------------------------------------------ suspend (3.9)

    async def _suspend(self, run: Pass) -> bool:
        """``handleSuspend`` and its status write; True when suspension is operative (stop here)."""
        status, generation = run.status, int(run.meta.get("generation") or 0)
        suspend = bool(run.spec.get("suspend"))
        if st.is_true(status, rs.CONDITION_SUSPENDED):
            if not suspend:
                st.resume(status, generation, run.now)
        elif not st.is_true(status, rs.CONDITION_SUSPENDING):
            if suspend:
                st.stage_suspend(status, generation, run.now)
                run.wake_at(run.now)
        elif await self.delete_owned_resources(run):
            st.suspend_complete(status, run.now)
            run.wake_at(run.now)
        else:
            st.suspend_waiting(status, run.now)
            run.wake_at(run.now + DEFAULT_REQUEUE)
        await self._write(run)
        return st.suspend_is_operative(status)

    # ------------------------------------------------------------------ one pass (3.3.9-3.3.15)

    async def _reconcile(self, run: Pass) -> None:
        try:
            await self.reconcile_clusters(run)
        except build.RayServiceBuildError as exc:
            await self.recorder.warning(
                run.body, REASON_INVALID_RAYSERVICE_SPEC, VALIDATE, f"{run.namespace}/{run.name}: {exc}"
            )
            raise RetryLater(str(exc)) from None
        active, pending = run.active, run.pending
        await self.update_head_pod_serve_label(run, active, pending=False)
        await self.update_head_pod_serve_label(run, pending, pending=True)

        active_ready = pending_ready = False
        active_apps: dict[str, Any] | None = None
        pending_apps: dict[str, Any] | None = None
        if pending is not None:
            pending_ready, pending_apps = await self.reconcile_serve(run, pending, pending=True)
        if active is not None and pending is None and not self._prepare(run, active, None, False):
            active_ready, active_apps = await self.reconcile_serve(run, active, pending=False)
            if active_apps is None and run.dashboard_error:  # unreadable: keep what we knew
                active_apps = (run.status.get("activeServiceStatus") or {}).get("applicationStatuses")

        head_svc = serve_svc = None
        if pending_ready or active_ready:
            target = pending if pending_ready else active
            assert target is not None
            try:
                head_svc, serve_svc = await self.reconcile_services(run, target)
            except build.RayServiceBuildError as exc:
                await self.recorder.warning(
                    run.body, REASON_INVALID_RAYSERVICE_SPEC, VALIDATE, f"{run.namespace}/{run.name}: {exc}"
                )
                raise RetryLater(str(exc)) from None
        await self._calculate_status(run, head_svc, serve_svc, active_apps, pending_apps)
        self._schedule(run, pending_ready)

    def _prepare(self, run: Pass, active: dict[str, Any] | None, pending: dict[str, Any] | None, serving: bool) -> bool:
        zero_downtime = build.zero_downtime_upgrade_enabled(
            run.body, self.config, "" if self.config.enable_zero_downtime else "false"
        )
        return st.should_prepare_new_cluster(
            run.body, active, pending, pending_serving=serving, zero_downtime=zero_downtime
        )

    async def _calculate_status(
        self,
        run: Pass,
        head_svc: dict[str, Any] | None,
        serve_svc: dict[str, Any] | None,
        active_apps: dict[str, Any] | None,
        pending_apps: dict[str, Any] | None,
    ) -> None:
        """``calculateStatus``, then our upgrade additions."""
        status = run.status
        status["observedGeneration"] = int(run.meta.get("generation") or 0)
        active_status = status.setdefault("activeServiceStatus", {})
        pending_status = status.setdefault("pendingServiceStatus", {})
        active_status["rayClusterStatus"] = copy.deepcopy((run.active or {}).get("status") or {})
        pending_status["rayClusterStatus"] = copy.deepcopy((run.pending or {}).get("status") or {})
        for part, apps in ((active_status, active_apps), (pending_status, pending_apps)):
            if apps is None:
                part.pop("applicationStatuses", None)
            else:
                part["applicationStatuses"] = apps

        serving = False
        if head_svc is not None and serve_svc is not None:
            serving = st.promote(status, build.service_cluster_name(serve_svc))
        active, pending = run.active, run.pending
        if serving:  # promoted: the old pending cluster is the active one now
            active, pending = run.pending, None
        self._cancel_reverted_upgrade(run, active, pending, serving)
        if st.pending_name(status) == "":
            pending = None
        if self._prepare(run, active, pending, serving):
            if pending is not None:
                self.abandon(run.namespace, st.pending_name(status))  # replaced before it ever served
                run.pending, run.waiting = None, ""  # what it waited for is not the new cluster's
            status["pendingServiceStatus"] = {"rayClusterName": build.new_cluster_name(run.name)}
            logger.info("RayService %s/%s: preparing RayCluster %s", run.namespace, run.name, st.pending_name(status))

        status["numServeEndpoints"] = self.num_serve_endpoints(run)
        both = bool(st.active_name(status) and st.pending_name(status))
        fired = st.calculate_conditions(
            status,
            run.now,
            timeout=st.initializing_timeout(run.meta.get("annotations") or {}),
            upgrade_note=run.waiting if both else "",
            ready_note=run.dashboard_error,
        )
        if fired:
            await self.recorder.warning(run.body, "RayServiceInitializingTimeout", RECONCILE, fired)
        if both and run.waiting:
            await self._report_stall(run)

    def _cancel_reverted_upgrade(
        self, run: Pass, active: dict[str, Any] | None, pending: dict[str, Any] | None, serving: bool
    ) -> None:
        """Ours: the goal matches the active cluster again while the pending one does not serve yet:
        drop the pending cluster (KubeRay would prepare a third cluster with the active's spec)."""
        if serving or active is None or not st.pending_name(run.status):
            return
        if build.needs_new_cluster(run.body, active) == build.NEW_CLUSTER:
            return
        if pending is not None and build.needs_new_cluster(run.body, pending) == build.NO_CHANGE:
            return  # the goal is the pending cluster's too
        logger.info(
            "RayService %s/%s: spec reverted to the active cluster's, cancelling the upgrade", run.namespace, run.name
        )
        self.abandon(run.namespace, st.pending_name(run.status))
        run.status["pendingServiceStatus"] = {}
        run.waiting = ""

    async def _report_stall(self, run: Pass) -> None:
        """Ours: one Warning per pending cluster that has not served within the configured time."""
        pending = st.pending_name(run.status)
        created = parse_time(((run.pending or {}).get("metadata") or {}).get("creationTimestamp"))
        limit = self.config.rayservice_stalled_upgrade_seconds
        key = (run.namespace, pending)
        if created is None or key in self._stall_reported:
            return
        if run.now - created < limit:
            run.wake_at(created + limit)
            return
        self._stall_reported.add(key)
        await self.recorder.warning(
            run.body,
            REASON_UPGRADE_STALLED,
            RECONCILE,
            f"The pending RayCluster {run.namespace}/{pending} has not been serving for {int(run.now - created)}s "
            f"(limit {int(limit)}s), {run.waiting}. Traffic stays on the active RayCluster "
            f"{st.active_name(run.status)}; edit the spec to replace the pending cluster or revert it to cancel.",
        )

    def _schedule(self, run: Pass, pending_ready: bool) -> None:
        """KubeRay requeues every 2 s; a pending cluster whose head is ready is polled 4 times as often."""
        poll = self.config.rayservice_poll_seconds
        if run.pending is not None and not pending_ready and self.head_ready(run.pending):
            poll = min(poll, poll / 4)
        run.wake_at(run.now + poll)
        timeout = st.initializing_timeout(run.meta.get("annotations") or {})
        run.wake_at(st.initializing_deadline(run.status, timeout))


__all__ = ["DEFAULT_REQUEUE", "RayServiceReconciler"]
