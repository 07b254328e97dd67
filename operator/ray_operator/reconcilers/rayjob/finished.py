"""A finished RayJob (Complete / Failed): what to delete, and when; and the finalizer on deletion.

The clean-up options, in KubeRay's precedence: a selected cluster is never touched; with gate
``RayJobDeletionPolicy`` a ``deletionStrategy`` decides (rules, or the legacy onSuccess/onFailure
pair); otherwise ``shutdownAfterJobFinishes`` deletes the cluster (or the RayJob itself with
``DELETE_RAYJOB_CR_AFTER_JOB_FINISHES=true``) ``ttlSecondsAfterFinished`` after ``endTime``.
KubeRay requeues 2 s after a due time; here the object is woken exactly when an action is due.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from ray_operator.config import GATE_JOB_DELETION_POLICY
from ray_operator.dashboard.client import DashboardError
from ray_operator.framework import k8s
from ray_operator.framework.clock import parse_time
from ray_operator.models import rayjob as rj
from ray_operator.reconcilers.rayjob import status as st
from ray_operator.reconcilers.rayjob.steps import Pass, RayJobSteps

logger = logging.getLogger(__name__)

FINALIZER = "ray.io/rayjob-finalizer"

#: Which policy wins when several rules are due at once.
_IMPACT = {rj.DELETE_SELF: 4, rj.DELETE_CLUSTER: 3, rj.DELETE_WORKERS: 2, rj.DELETE_NONE: 1}


class FinishedSteps(RayJobSteps):
    """Mixin of the RayJob reconciler: terminal states and deletion."""

    async def finished(self, run: Pass) -> float | None:
        """Complete/Failed: run the clean-up that is due; returns when the next one is."""
        if run.selector_cluster:
            return None
        strategy = run.spec.get("deletionStrategy")
        if self.config.gate(GATE_JOB_DELETION_POLICY) and strategy:
            if strategy.get("deletionRules") is not None:
                return await self._deletion_rules(run, strategy["deletionRules"])
            return await self._legacy_policy(run, strategy)
        if run.spec.get("shutdownAfterJobFinishes"):
            due = self._ended(run) + int(run.spec.get("ttlSecondsAfterFinished") or 0)
            if due > run.now:
                return due - run.now
            if self.config.delete_rayjob_after_job_finishes:
                await self._delete_self(run)
            else:
                await self.delete_cluster(run)
        return None

    def _ended(self, run: Pass) -> float:
        return parse_time(run.status.get("endTime")) or run.now

    async def _legacy_policy(self, run: Pass, strategy: Mapping[str, Any]) -> float | None:
        job_status = st.job_status(run.status)
        if job_status == rj.JOB_STATUS_SUCCEEDED:
            policy = (strategy.get("onSuccess") or {}).get("policy")
        elif job_status == rj.JOB_STATUS_FAILED:
            policy = (strategy.get("onFailure") or {}).get("policy")
        else:
            return None
        if not policy or policy == rj.DELETE_NONE:
            return None
        due = self._ended(run) + int(run.spec.get("ttlSecondsAfterFinished") or 0)
        if due > run.now:
            return due - run.now
        await self._execute(run, str(policy))
        return None

    async def _deletion_rules(self, run: Pass, rules: list[Mapping[str, Any]]) -> float | None:
        overdue: list[str] = []
        next_due: float | None = None
        for rule in rules:
            if not _matches(rule, run.status):
                continue
            due = self._ended(run) + int((rule.get("condition") or {}).get("ttlSeconds") or 0)
            if run.now < due:
                next_due = due if next_due is None else min(next_due, due)
                continue
            policy = str(rule.get("policy") or "")
            if not self._done(run, policy):
                overdue.append(policy)
        if overdue:
            await self._execute(run, max(overdue, key=lambda p: _IMPACT.get(p, 0)))
        return None if next_due is None else next_due - run.now

    def _done(self, run: Pass, policy: str) -> bool:
        if policy == rj.DELETE_NONE:
            return True
        if policy == rj.DELETE_SELF:
            return False
        cluster = self.cluster(run)
        if cluster is None or (cluster.get("metadata") or {}).get("deletionTimestamp"):
            return True
        if policy == rj.DELETE_CLUSTER:
            return False
        groups = (cluster.get("spec") or {}).get("workerGroupSpecs") or []
        return all(g.get("suspend") is True for g in groups)

    async def _execute(self, run: Pass, policy: str) -> None:
        if policy == rj.DELETE_CLUSTER:
            await self.delete_cluster(run)
        elif policy == rj.DELETE_WORKERS:
            await self.suspend_worker_groups(run)
        elif policy == rj.DELETE_SELF:
            await self._delete_self(run)

    async def _delete_self(self, run: Pass) -> None:
        with contextlib.suppress(k8s.NotFound, k8s.Conflict):
            await self.kube.delete(k8s.RAYJOBS, run.name, run.namespace, uid=run.meta.get("uid"))

    # ------------------------------------------------------------------ deletion (the finalizer)

    async def on_delete(self, run: Pass) -> float | None:
        """Stop the Ray job if it may still run, then always let the RayJob go (2.5.1)."""
        if FINALIZER not in (run.meta.get("finalizers") or ()):
            return None
        if not st.is_job_terminal(st.job_status(run.status)):
            cluster = self.cluster(run) or {"metadata": {"name": run.cluster_name, "namespace": run.namespace}}
            job_id = str(run.status.get("jobId") or "")
            try:
                client = await self.dashboard(run, cluster)
                await client.stop_job(job_id)
            except (DashboardError, k8s.ApiError) as exc:
                logger.info("%s/%s: failed to stop Ray job %s: %s", run.namespace, run.name, job_id, exc)
            except Exception as exc:  # the finalizer must go whatever the dashboard does
                logger.warning("%s/%s: stopping Ray job %s failed: %s", run.namespace, run.name, job_id, exc)
        await self.remove_finalizer(run.body, FINALIZER)
        return None


def _matches(rule: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    condition = rule.get("condition") or {}
    if condition.get("jobStatus") is not None:
        return bool(condition["jobStatus"] == st.job_status(status))
    return bool(condition.get("jobDeploymentStatus") == st.deployment(status))
