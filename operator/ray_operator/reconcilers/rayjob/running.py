"""The Running state of a RayJob: follow the submitter and the Ray job until one of them ends it.

KubeRay's order (2.3.8-2.3.15): suspend, active deadline, grace period after Ray said the job
ended, status-check timeout; then the cluster and the RayJob head Service; then the submitter
(K8sJobMode: the Job's conditions; SidecarMode: the head Pod's submitter container); then
``GET /api/jobs/<id>`` — a 404 makes HTTPMode submit, and an unreachable dashboard starts the
status-check failure clock instead of failing at once.
"""

from __future__ import annotations

import logging

from ray_operator.builders import rayjob as build
from ray_operator.config import GATE_SIDECAR_SUBMITTER_RESTART
from ray_operator.dashboard.client import DashboardClient, DashboardError, SubmissionIdInUse
from ray_operator.framework.clock import parse_time, rfc3339
from ray_operator.framework.controller import RetryLater
from ray_operator.models import rayjob as rj
from ray_operator.reconcilers.rayjob import status as st
from ray_operator.reconcilers.rayjob.steps import (
    Pass,
    RayJobSteps,
    submitter_container_status,
    submitter_failed_condition,
    submitter_finished_at,
)

logger = logging.getLogger(__name__)

#: Submitter container restarts allowed with gate SidecarSubmitterRestart (KubeRay's default).
DEFAULT_SUBMITTER_BACKOFF_LIMIT = 2


class RunningSteps(RayJobSteps):
    """Mixin of the RayJob reconciler: the Running state."""

    async def running(self, run: Pass) -> bool:
        """Advance a Running job; False means "requeue without writing status" (KubeRay's early return)."""
        status, spec = run.status, run.spec
        if spec.get("suspend"):
            status["jobDeploymentStatus"] = rj.DEPLOYMENT_SUSPENDING
            return True
        if st.check_active_deadline(spec, status, run.now):
            return True
        if st.check_grace_period(status, run.now, self.config.rayjob_grace_period_seconds):
            return True
        if st.check_status_check_timeout(status, run.now, self.config.rayjob_status_check_timeout_seconds):
            return True
        run.wake_at(st.active_deadline(spec, status))

        cluster = await self.get_or_create_cluster(run)
        await self.reconcile_head_service(run, cluster)

        finished_at: float | None = None
        if run.mode in (rj.K8S_JOB_MODE, rj.SIDECAR_MODE):
            ended, finished_at = self._check_submitter(run)
            if st.check_submitter_finished_timeout(status, finished_at, run.now):
                return True
            if ended:
                return True
            if finished_at is not None:
                run.wake_at(finished_at + st.SUBMITTER_FINISHED_TIMEOUT)

        client = await self.dashboard(run, cluster)
        job_id = str(status.get("jobId") or "")
        try:
            info = await client.get_job_info(job_id)
        except DashboardError as exc:
            logger.info("%s/%s: failed to get job info of %s: %s", run.namespace, run.name, job_id, exc)
            return self._record_check_failure(run)
        if info is None:  # Ray does not know the job
            if run.mode == rj.HTTP_MODE:
                return await self._submit(run, client)
            if finished_at is not None:
                st.fail(status, rj.REASON_APP_FAILED, "Submitter completed but Ray job not found in RayCluster.")
                return True
            return False
        status.pop("jobStatusCheckFailureStartTime", None)

        terminal = st.is_job_terminal(info.status)
        if run.mode in (rj.K8S_JOB_MODE, rj.SIDECAR_MODE):
            terminal = terminal and finished_at is not None
        deployment, reason = rj.DEPLOYMENT_RUNNING, ""
        if terminal:
            deployment = rj.DEPLOYMENT_COMPLETE
            if info.status == rj.JOB_STATUS_FAILED:
                deployment, reason = rj.DEPLOYMENT_FAILED, rj.REASON_APP_FAILED
        status["rayClusterStatus"] = dict(cluster.get("status") or {})
        status["jobStatus"] = info.status
        status["jobDeploymentStatus"] = deployment
        status["reason"] = reason
        status["message"] = info.message
        job_info = dict(status.get("rayJobInfo") or {})
        if info.start_time:
            job_info["startTime"] = rfc3339(info.start_time / 1000)
        if info.end_time:
            job_info["endTime"] = rfc3339(info.end_time / 1000)
        status["rayJobInfo"] = job_info
        if st.is_job_terminal(info.status) and deployment == rj.DEPLOYMENT_RUNNING and info.end_time:
            # Waiting for the submitter: the grace period is the latest we look again.
            run.wake_at(info.end_time / 1000 + self.config.rayjob_grace_period_seconds)
        return True

    async def _submit(self, run: Pass, client: DashboardClient) -> bool:
        """HTTPMode: Ray does not know the job yet, so submit it (the submission id makes it once only)."""
        try:
            request = build.submit_request(run.body, str(run.status.get("jobId") or ""))
            await client.submit_job(request)
        except SubmissionIdInUse:
            pass  # submitted by an earlier pass whose GET raced the submission: it is there
        except DashboardError as exc:
            logger.info("%s/%s: submitting the job failed: %s", run.namespace, run.name, exc)
            return self._record_check_failure(run)
        run.requeue = 0.0 if run.requeue is None else min(run.requeue, 0.0)  # read back its status at once
        return run.status.pop("jobStatusCheckFailureStartTime", None) is not None

    def _record_check_failure(self, run: Pass) -> bool:
        """Start the status-check failure clock (written once); fail when it runs out."""
        if run.status.get("jobStatusCheckFailureStartTime"):
            since = parse_time(run.status["jobStatusCheckFailureStartTime"]) or run.now
            run.wake_at(since + self.config.rayjob_status_check_timeout_seconds)
            return False
        run.status["jobStatusCheckFailureStartTime"] = rfc3339(run.now)
        run.wake_at(run.now + self.config.rayjob_status_check_timeout_seconds)
        return True

    def _check_submitter(self, run: Pass) -> tuple[bool, float | None]:
        """KubeRay's ``checkSubmitterAndUpdateStatusIfNeeded``: (failed the job?, submitter finished at)."""
        status = run.status
        if run.mode == rj.K8S_JOB_MODE:
            job = self.submitter_job(run)
            if job is None:
                raise RetryLater(f"submitter Job {run.namespace}/{run.name} not found")
            condition = submitter_failed_condition(job)
            if condition is not None:
                message = (
                    f"Job submission has failed. Reason: {condition.get('reason', '')}. "
                    f"Message: {condition.get('message', '')}"
                )
                self._submitter_failed(status, message)
            return condition is not None, submitter_finished_at(job)

        pod = self.head_pod(run)
        if pod is None:
            st.fail(status, rj.REASON_APP_FAILED, "Ray head pod not found.")
            return True, None
        container = submitter_container_status(pod) or {}
        terminated = (container.get("state") or {}).get("terminated")
        ended = False
        if not self.config.gate(GATE_SIDECAR_SUBMITTER_RESTART):
            if terminated and int(terminated.get("exitCode") or 0) != 0:
                message = (
                    f"Ray head pod container {container.get('name')} terminated with exit code "
                    f"{terminated.get('exitCode')}: {terminated.get('reason', '')}"
                )
                self._submitter_failed(status, message)
                ended = True
        elif (container.get("lastState") or {}).get("terminated") and not (
            terminated and int(terminated.get("exitCode") or 0) == 0
        ):
            limit = (run.spec.get("submitterConfig") or {}).get("backoffLimit")
            limit = DEFAULT_SUBMITTER_BACKOFF_LIMIT if limit is None else int(limit)
            if int(container.get("restartCount") or 0) >= limit:
                message = (
                    f"Ray head pod submitter container {container.get('name')} terminated after exceeding the "
                    "maximum restart count"
                )
                self._submitter_failed(status, message)
                ended = True
        finished = parse_time(terminated.get("finishedAt")) if terminated else None
        return ended, finished

    @staticmethod
    def _submitter_failed(status: st.Status, message: str) -> None:
        status["jobDeploymentStatus"] = rj.DEPLOYMENT_FAILED
        if st.job_status(status) == rj.JOB_STATUS_FAILED:
            status["reason"] = rj.REASON_APP_FAILED
        else:
            status["reason"] = rj.REASON_SUBMISSION_FAILED
            status["message"] = message
