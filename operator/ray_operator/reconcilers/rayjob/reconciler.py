"""RayJob reconciler: KubeRay's ``jobDeploymentStatus`` state machine, woken by events and timers.

One pass is KubeRay's: skip foreign ``managedBy``; on deletion stop the Ray job and drop the
finalizer; validate (``ValidationFailed`` + event with KubeRay's message); then one step of the
state machine on a copy of the status, the retry decision and counters, and one guarded status
write if KubeRay's rule says the change is worth it. Where KubeRay requeues every 3 s whatever
the state, this one waits for the event that matters (the RayCluster becoming ready, the
submitter Job finishing, the head Pod's submitter container ending, a spec edit) and sets timers
for deadlines and clean-ups; only a Running job is polled (``--rayjob-poll-interval``, 3 s).
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pydantic

from ray_operator import metrics
from ray_operator.builders import rayjob as build
from ray_operator.builders import services
from ray_operator.builders.names import head_service_name
from ray_operator.framework import k8s
from ray_operator.framework.clock import rfc3339
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.events import VALIDATE
from ray_operator.models import RayJob
from ray_operator.models import rayjob as rj
from ray_operator.models.common import MANAGED_BY_KUBERAY
from ray_operator.reconcilers.rayjob import status as st
from ray_operator.reconcilers.rayjob.finished import FINALIZER, FinishedSteps
from ray_operator.reconcilers.rayjob.running import RunningSteps
from ray_operator.reconcilers.rayjob.steps import Pass
from ray_operator.validation import REASON_INVALID_RAYJOB_SPEC, ValidationError, validate_rayjob

logger = logging.getLogger(__name__)

#: KubeRay's ``RayJobDefaultRequeueDuration``: used while waiting for deletions to finish.
DEFAULT_REQUEUE = 3.0
#: Safety net for states that wait on events only.
IDLE_RECHECK = 300.0


class RayJobReconciler(RunningSteps, FinishedSteps):
    """Reconciles one RayJob per call."""

    async def reconcile(self, key: tuple[str, str]) -> float | None:
        namespace, name = key
        body = self.ctx.primary.get(key)
        if body is None:
            metrics.forget_rayjob(name, namespace)
            self.forget(namespace, name)
            return None
        spec = body.get("spec") or {}
        managed_by = spec.get("managedBy")
        if managed_by and managed_by != MANAGED_BY_KUBERAY:
            logger.debug("skipping RayJob %s/%s managed by %s", namespace, name, managed_by)
            return None
        run = Pass(body=body, status=copy.deepcopy(body.get("status") or {}), now=self.clock())
        if (body.get("metadata") or {}).get("deletionTimestamp"):
            await self.on_delete(run)
            return None

        problem = self._validate(body)
        if problem is not None:
            reason, message = problem
            await self.recorder.warning(body, reason, VALIDATE, f"{namespace}/{name}: {message}")
            run.status.update(
                jobDeploymentStatus=rj.DEPLOYMENT_VALIDATION_FAILED,
                reason=rj.REASON_VALIDATION_FAILED,
                message=message,
            )
            await self._write(run)
            return None

        original = copy.deepcopy(run.status)
        state = st.deployment(run.status)
        try:
            proceed = await self._step(run, state)
        except build.RayJobBuildError as exc:
            # A cluster or submitter that cannot be built from the spec: say so, wait for an edit.
            await self.recorder.warning(body, REASON_INVALID_RAYJOB_SPEC, VALIDATE, f"{namespace}/{name}: {exc}")
            raise RetryLater(str(exc)) from None
        if proceed is None:
            return run.requeue
        if not proceed:
            return run.requeue if run.requeue is not None else DEFAULT_REQUEUE
        backoff = spec.get("backoffLimit")
        st.count_and_maybe_retry(run.status, None if backoff is None else int(backoff))
        written = await self._write(run)
        if written:
            metrics.observe_rayjob_transition(body, original, run.status, run.now)
        if st.deployment(run.status) != state:
            return 0.0  # a new state: take its first step now (KubeRay's 3 s requeue, without the wait)
        return run.requeue if run.requeue is not None else IDLE_RECHECK

    def _validate(self, body: dict[str, Any]) -> tuple[str, str] | None:
        try:
            job = RayJob.from_body(body)
        except pydantic.ValidationError as exc:
            return REASON_INVALID_RAYJOB_SPEC, "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5]
            )
        try:
            validate_rayjob(job, self.config)
        except ValidationError as exc:
            return exc.reason, exc.message
        return None

    async def _write(self, run: Pass) -> bool:
        """KubeRay's ``updateRayJobStatus``: write only worthwhile changes; stamp endTime when terminal."""
        previous = run.body.get("status") or {}
        if not st.worth_writing(previous, run.status):
            return False
        if st.deployment(run.status) in rj.TERMINAL_DEPLOYMENT_STATUSES:
            run.status["endTime"] = rfc3339(run.now)
        return await self.write_status(run.body, run.status, changed=lambda _o, _n: True, guarded=True) is not None

    # ------------------------------------------------------------------ the switch

    async def _step(self, run: Pass, state: str) -> bool | None:
        """One transition. True: write status; False: requeue, no write; None: stop (no requeue)."""
        if state == rj.DEPLOYMENT_NEW:
            return await self._new(run)
        if state == rj.DEPLOYMENT_INITIALIZING:
            return await self._initializing(run)
        if state == rj.DEPLOYMENT_WAITING:
            return self._waiting(run)
        if state == rj.DEPLOYMENT_RUNNING:
            proceed = await self.running(run)
            run.wake_at(run.now + self.config.rayjob_poll_seconds)
            return proceed
        if state in (rj.DEPLOYMENT_SUSPENDING, rj.DEPLOYMENT_RETRYING):
            return await self._release(run, state)
        if state == rj.DEPLOYMENT_SUSPENDED:
            if run.spec.get("suspend"):
                return None
            run.status["jobStatus"] = rj.JOB_STATUS_NEW
            run.status["jobDeploymentStatus"] = rj.DEPLOYMENT_NEW
            return True
        if state == rj.DEPLOYMENT_VALIDATION_FAILED:
            return None  # as in KubeRay, a RayJob that failed validation stays so (KubeRay polls it every 3 s)
        if state in rj.TERMINAL_DEPLOYMENT_STATUSES:
            run.requeue = await self.finished(run)
            return None
        logger.info("RayJob %s/%s has an unknown jobDeploymentStatus %r", run.namespace, run.name, state)
        return False

    async def _new(self, run: Pass) -> bool:
        """Finalizer, then the job id and cluster name, chosen once (no duplicate submission or cluster)."""
        updated = await self.add_finalizer(run.body, FINALIZER)
        if updated is not None:
            run.body = updated
        status, spec = run.status, run.spec
        if status.get("jobId") and status.get("rayClusterName") and status.get("jobStatus"):
            return True
        if run.mode != rj.INTERACTIVE_MODE and not status.get("jobId"):
            status["jobId"] = spec.get("jobId") or build.new_job_id(run.name)
        if not status.get("rayClusterName"):
            status["rayClusterName"] = run.selector_cluster or build.new_cluster_name(run.name)
        status.setdefault("jobStatus", rj.JOB_STATUS_NEW)
        status["jobDeploymentStatus"] = rj.DEPLOYMENT_INITIALIZING
        status["startTime"] = rfc3339(run.now)
        return True

    async def _initializing(self, run: Pass) -> bool:
        status, spec = run.status, run.spec
        if spec.get("suspend"):
            status["jobDeploymentStatus"] = rj.DEPLOYMENT_SUSPENDING
            return True
        if st.check_active_deadline(spec, status, run.now) or st.check_pre_running_deadline(spec, status, run.now):
            return True
        run.wake_at(st.active_deadline(spec, status))
        run.wake_at(st.pre_running_deadline(spec, status))
        cluster = await self.get_or_create_cluster(run)
        if not status.get("dashboardURL"):
            if (cluster.get("status") or {}).get("state") != "ready":
                status["rayClusterStatus"] = dict(cluster.get("status") or {})
                if run.selector_cluster:  # not ours, so its changes do not wake us
                    run.wake_at(run.now + DEFAULT_REQUEUE)
                return True
            status["dashboardURL"] = self._dashboard_url(cluster)
        if run.mode == rj.INTERACTIVE_MODE:
            status["jobDeploymentStatus"] = rj.DEPLOYMENT_WAITING
            return True
        if run.mode == rj.K8S_JOB_MODE:
            await self.create_submitter_job(run, cluster)
        status["jobDeploymentStatus"] = rj.DEPLOYMENT_RUNNING
        return True

    def _dashboard_url(self, cluster: dict[str, Any]) -> str:
        meta = cluster.get("metadata") or {}
        spec = cluster.get("spec") or {}
        service = self.cached(
            k8s.SERVICES,
            str(meta.get("namespace") or ""),
            head_service_name(str(meta.get("name") or ""), (spec.get("headGroupSpec") or {}).get("headService")),
        )
        try:
            return build.dashboard_url(cluster, service, self.config)
        except (ValueError, services.ServiceBuildError) as exc:
            raise RetryLater(f"Failed to get the dashboard URL after the RayCluster is ready: {exc}") from None

    def _waiting(self, run: Pass) -> bool | None:
        if st.check_pre_running_deadline(run.spec, run.status, run.now):
            return True
        run.wake_at(st.pre_running_deadline(run.spec, run.status))
        if not run.spec.get("jobId"):
            return None  # setting spec.jobId is an edit, which wakes us; so does the deadline timer
        run.status["jobId"] = run.spec["jobId"]
        run.status["jobDeploymentStatus"] = rj.DEPLOYMENT_RUNNING
        return True

    async def _release(self, run: Pass, state: str) -> bool:
        """Suspending/Retrying: delete the cluster and submitter, then reset for a fresh start."""
        cluster_gone = await self.delete_cluster(run)
        job_gone = await self.delete_submitter_job(run)
        if not (cluster_gone and job_gone):
            run.wake_at(run.now + DEFAULT_REQUEUE)  # deletions also wake us; this is the safety net
            return False
        st.reset_for_new_cluster(run.status)
        run.status["jobDeploymentStatus"] = (
            rj.DEPLOYMENT_SUSPENDED if state == rj.DEPLOYMENT_SUSPENDING else rj.DEPLOYMENT_NEW
        )
        return True
