"""State shared by the steps of one RayCluster reconcile pass, and the errors they raise."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ray_operator.builders import names
from ray_operator.config import OperatorConfig
from ray_operator.controllers.caches import BY_CLUSTER
from ray_operator.framework import k8s
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.expectations import ScaleExpectations
from ray_operator.framework.reconciler import BaseReconciler
from ray_operator.models import RayCluster


class PodActionFailed(RetryLater):
    """A pod create/delete failed: becomes ``ReplicaFailure`` with KubeRay's reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class StepError(RetryLater):
    """Any other failed step: no ReplicaFailure condition, retried with backoff."""


@dataclass
class Pass:
    """State of one reconcile pass."""

    cluster: RayCluster
    body: dict[str, Any]
    head_service: dict[str, Any] | None = None
    requeue: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.cluster.namespace

    @property
    def name(self) -> str:
        return self.cluster.name


class RayClusterSteps(BaseReconciler):
    """What every step of the RayCluster reconciler shares (the steps are mixins of this)."""

    def __init__(
        self,
        ctx: ControllerContext,
        config: OperatorConfig,
        expectations: ScaleExpectations | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(ctx)
        self.config = config
        self.expectations = expectations or ScaleExpectations()
        self.clock = clock

    def pods_of(self, namespace: str, cluster: str) -> list[dict[str, Any]]:
        """The cluster's Ray pods from the Pod informer, oldest first."""
        return self.informers[k8s.PODS].by_index(BY_CLUSTER, (namespace, cluster))

    async def _delete_all_pods(self, run: Pass, selector_extra: str = "") -> None:
        """KubeRay's DeleteAllOf: every Pod of the cluster (optionally narrowed by a selector)."""
        selector = f"{names.LABEL_CLUSTER}={run.name}" + (f",{selector_extra}" if selector_extra else "")
        await self.kube.delete_collection(k8s.PODS, run.namespace, selector)
