"""RayCluster reconciler: observe children, converge them to the spec, report status.

The order of steps is KubeRay's (``rayClusterReconcile``): validation, the GCS fault-tolerance
finalizer, autoscaler RBAC, Ingress, Services, then Pods, then status. Each step is idempotent
and reads current state from the informers, so an operator restart at any point converges to the
same result. The steps live in mixins by subject (:mod:`.children`, :mod:`.pods`, :mod:`.cleanup`);
status is a pure function (:mod:`.status`). Children are created with strict field validation, so
a typo in a pod template is reported (condition + event) instead of being silently dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import pydantic

from ray_operator import metrics
from ray_operator.builders import features
from ray_operator.config import GATE_NETWORK_POLICY, GATE_STATUS_CONDITIONS, OperatorConfig
from ray_operator.framework import k8s
from ray_operator.framework.clock import parse_time
from ray_operator.framework.conditions import is_true
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.events import VALIDATE
from ray_operator.framework.expectations import ScaleExpectations
from ray_operator.models import RayCluster
from ray_operator.models.common import MANAGED_BY_KUBERAY
from ray_operator.models.raycluster import CONDITION_PROVISIONED
from ray_operator.reconcilers.raycluster.children import ChildSteps
from ray_operator.reconcilers.raycluster.cleanup import DEFAULT_REQUEUE, CleanupSteps
from ray_operator.reconcilers.raycluster.pods import PodSteps
from ray_operator.reconcilers.raycluster.status import (
    Observed,
    compute_status,
    suspend_status,
    validation_failed_status,
)
from ray_operator.reconcilers.raycluster.steps import Pass, PodActionFailed
from ray_operator.validation import (
    ValidationError,
    raycluster_warning_note,
    raycluster_warnings,
    validate_raycluster,
)

logger = logging.getLogger(__name__)


class RayClusterReconciler(ChildSteps, PodSteps, CleanupSteps):
    """Reconciles one RayCluster per call; shared state is only the caches and expectations."""

    def __init__(
        self,
        ctx: ControllerContext,
        config: OperatorConfig,
        expectations: ScaleExpectations | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ctx, config, expectations, clock)
        self._warned: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}
        self._parsed: dict[tuple[str, str], tuple[str, RayCluster]] = {}

    def _parse(self, key: tuple[str, str], body: Mapping[str, Any]) -> RayCluster:
        """The model of ``body``, parsed once per resourceVersion (resyncs and pod events re-use it)."""
        version = str((body.get("metadata") or {}).get("resourceVersion") or "")
        cached = self._parsed.get(key)
        if version and cached is not None and cached[0] == version:
            return cached[1]
        cluster = RayCluster.from_body(body)
        if version:
            self._parsed[key] = (version, cluster)
        return cluster

    # ------------------------------------------------------------------ entry point

    async def reconcile(self, key: tuple[str, str]) -> float | None:
        """Converge one RayCluster; return seconds until it should be looked at again."""
        namespace, name = key
        body = self.ctx.primary.get(key)
        if body is None:
            self.expectations.forget_cluster(namespace, name)
            metrics.forget_cluster(name, namespace)
            self._warned.pop(key, None)
            self._parsed.pop(key, None)
            return None
        try:
            cluster = self._parse(key, body)
        except pydantic.ValidationError as exc:
            message = _pydantic_message(exc)
            note = f"The RayCluster spec is invalid {namespace}/{name}: {message}"
            await self._invalid(body, "InvalidRayClusterSpec", note, message)
            return None

        managed_by = cluster.spec.managed_by
        if managed_by and managed_by != MANAGED_BY_KUBERAY:
            logger.debug("skipping %s/%s managed by %s", namespace, name, managed_by)
            return None

        try:
            validate_raycluster(cluster, self.config)
        except ValidationError as exc:
            await self._invalid(body, exc.reason, exc.event_note(namespace, name), exc.message)
            return DEFAULT_REQUEUE if exc.requeue else None
        unsupported = unsupported_feature(cluster, self.config)
        if unsupported:
            note = f"The RayCluster spec is invalid {namespace}/{name}: {unsupported}"
            await self._invalid(body, "InvalidRayClusterSpec", note, unsupported)
            return None
        await self._emit_warnings(cluster, body)

        run = Pass(cluster=cluster, body=body)
        finalizer_result = await self._gcs_ft_finalizer(run)
        if finalizer_result is not None:
            return finalizer_result
        if (body.get("metadata") or {}).get("deletionTimestamp"):
            return None

        failure: PodActionFailed | None = None
        error: Exception | None = None
        try:
            await self._autoscaler_rbac(run)
            await self._ingress(run)
            await self._auth_secret(run)
            await self._head_service(run)
            await self._headless_service(run)
            await self._serve_service(run)
            await self._gcs_storage_pvc(run)
            await self._pods(run)
        except PodActionFailed as exc:
            failure, error = exc, exc
        except (RetryLater, k8s.ApiError) as exc:
            error = exc
            logger.info("%s/%s: %s", namespace, name, exc)

        if run.head_service is None:
            run.head_service = self.cached(k8s.SERVICES, namespace, self._head_service_name(run))
        observed = Observed(
            pods=self.pods_of(namespace, name),
            head_service=run.head_service,
            replica_failure=(failure.reason, failure.message) if failure else None,
            error=error is not None,
            conditions_enabled=self.config.gate(GATE_STATUS_CONDITIONS),
        )
        previous = body.get("status") or {}
        new_status = compute_status(cluster, previous, observed)
        changed = await self._write_status(run, previous, new_status)
        if error is not None:
            raise RetryLater(str(error)) from None
        if changed and suspend_status(new_status.get("conditions")) != suspend_status(previous.get("conditions")):
            # The suspend conditions gate the pod step (delete all when Suspending, create again once
            # no longer Suspended): act on what was just written now. Other changes are followed by
            # watch events, so KubeRay's blanket 2 s requeue after every status write is not needed.
            return 0.0
        if run.requeue is not None:
            return run.requeue
        return self.config.raycluster_requeue_seconds

    # ------------------------------------------------------------------ validation

    async def _invalid(self, body: dict[str, Any], reason: str, note: str, message: str) -> None:
        meta = body.get("metadata") or {}
        await self.recorder.warning(body, reason, VALIDATE, note)
        previous = body.get("status") or {}
        new_status = validation_failed_status(previous, int(meta.get("generation") or 0), reason, message)
        await self.write_status(body, new_status)

    async def _emit_warnings(self, cluster: RayCluster, body: dict[str, Any]) -> None:
        warnings = tuple(raycluster_warnings(cluster, self.config))
        key = (cluster.namespace, cluster.name)
        if not warnings:
            self._warned.pop(key, None)
            return
        if self._warned.get(key) == (cluster.generation, warnings):
            return  # once per generation, not on every resync
        self._warned[key] = (cluster.generation, warnings)
        for warning in warnings:
            note = raycluster_warning_note(cluster.namespace, cluster.name, warning)
            await self.recorder.warning(body, "InvalidRayClusterSpec", VALIDATE, note)

    # ------------------------------------------------------------------ status

    async def _write_status(self, run: Pass, previous: Mapping[str, Any], new: dict[str, Any]) -> bool:
        if await self.write_status(run.body, new) is None:
            return False
        was, now = (is_true(s.get("conditions"), CONDITION_PROVISIONED) for s in (previous, new))
        if now and not was:
            created = parse_time((run.body.get("metadata") or {}).get("creationTimestamp")) or self.clock()
            metrics.observe_cluster_provisioned(
                run.name, run.namespace, run.cluster.uid, max(0.0, self.clock() - created)
            )
        return True


# ---------------------------------------------------------------------- helpers


def unsupported_feature(cluster: RayCluster, config: OperatorConfig) -> str | None:
    """Alpha features KubeRay offers behind feature gates that this operator does not implement yet.

    Acting on them halfway (e.g. mounting TLS secrets nobody creates) would leave Pods that never
    start; refusing with a clear message is better. With the gates off (the default) KubeRay's own
    validation already rejects these fields. (The embedded RocksDB GCS backend is supported.)
    """
    spec = cluster.spec
    if features.tls_enabled(spec, config):
        return "tlsOptions (mTLS) is not supported by ray-operator yet; remove spec.tlsOptions"
    if spec.network_policy is not None and config.gate(GATE_NETWORK_POLICY):
        return "spec.networkPolicy is not supported by ray-operator yet; remove it or manage NetworkPolicies yourself"
    return None


def _pydantic_message(exc: pydantic.ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts)
