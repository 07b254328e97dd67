"""Prometheus metrics with KubeRay's names, labels and help texts (dashboards keep working).

"Info" and "condition" series are computed at scrape time from the objects the operator already
holds in memory, so they cost no API calls and never go stale. The provisioned-duration gauge is
set by the RayCluster reconciler when ``RayClusterProvisioned`` first turns True.

The controller-runtime and client-go families live next to what they measure
(:mod:`~ray_operator.framework.controller`, :mod:`~ray_operator.framework.workqueue`,
:mod:`~ray_operator.framework.client_metrics`); process metrics are prometheus_client's default
collectors. All of them are in the default registry that ``/metrics`` serves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from prometheus_client import REGISTRY, Gauge, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ray_operator.framework.clock import parse_time
from ray_operator.framework.conditions import is_true

# Go's client_golang has no ``*_created`` series; prometheus_client adds one per counter and histogram
# child by default. Off: same series as KubeRay, and about a third fewer lines per scrape.
disable_created_metrics()  # type: ignore[no-untyped-call]

CLUSTER_PROVISIONED_DURATION = Gauge(
    "kuberay_cluster_provisioned_duration_seconds",
    "The time, in seconds, when a RayCluster's `RayClusterProvisioned` status transitions from false "
    "(or unset) to true",
    ["name", "namespace", "uid"],
)


class _BodySource(Protocol):
    def __iter__(self) -> Iterator[dict[str, Any]]: ...


def observe_cluster_provisioned(name: str, namespace: str, uid: str, seconds: float) -> None:
    CLUSTER_PROVISIONED_DURATION.labels(name, namespace, uid).set(seconds)


def forget_cluster(name: str, namespace: str) -> None:
    """Remove a deleted cluster's series (by name and namespace, as KubeRay does)."""
    for labels in list(CLUSTER_PROVISIONED_DURATION._metrics):
        if labels[0] == name and labels[1] == namespace:
            CLUSTER_PROVISIONED_DURATION.remove(*labels)


class RayClusterCollector(Collector):
    """``kuberay_cluster_info`` and ``kuberay_cluster_condition_provisioned``."""

    def __init__(self, clusters: _BodySource) -> None:
        self._clusters = clusters

    def collect(self) -> Iterable[GaugeMetricFamily]:
        info = GaugeMetricFamily(
            "kuberay_cluster_info",
            "Metadata information about RayCluster custom resources",
            labels=["name", "namespace", "uid", "owner_kind"],
        )
        provisioned = GaugeMetricFamily(
            "kuberay_cluster_condition_provisioned",
            "Indicates whether the RayCluster is provisioned",
            labels=["name", "namespace", "uid", "condition"],
        )
        for body in self._clusters:
            meta = body.get("metadata") or {}
            labels = meta.get("labels") or {}
            ident = [meta.get("name", ""), meta.get("namespace", ""), meta.get("uid", "")]
            info.add_metric([*ident, labels.get("ray.io/originated-from-crd", "None")], 1)
            conditions = (body.get("status") or {}).get("conditions")
            provisioned.add_metric([*ident, "true" if is_true(conditions, "RayClusterProvisioned") else "false"], 1)
        yield info
        yield provisioned


_registered: set[str] = set()


def register_cluster_collector(clusters: _BodySource) -> None:
    """Register once per process (tests may build several runtimes)."""
    if "raycluster" in _registered:
        return
    REGISTRY.register(RayClusterCollector(clusters))
    _registered.add("raycluster")


# ---------------------------------------------------------------------- RayJob

JOB_EXECUTION_DURATION = Gauge(
    "kuberay_job_execution_duration_seconds",
    "Duration from when the RayJob CR\u2019s JobDeploymentStatus transitions from Initializing to either the "
    "Retrying state or a terminal state, such as Complete or Failed. The Retrying state indicates that the CR "
    "previously failed and that spec.backoffLimit is enabled.",
    ["name", "namespace", "uid", "job_deployment_status", "retry_count"],
)

_JOB_DONE = frozenset({"Complete", "Failed"})


def observe_rayjob_transition(
    body: dict[str, Any], old_status: dict[str, Any], new_status: dict[str, Any], now: float
) -> None:
    """Set the execution duration when a job leaves the running states (KubeRay's rule, 7.4)."""
    old, new = old_status.get("jobDeploymentStatus") or "", new_status.get("jobDeploymentStatus") or ""
    if old in _JOB_DONE or not (new in _JOB_DONE or new == "Retrying"):
        return
    started = parse_time(new_status.get("startTime"))
    if started is None:
        return
    meta = body.get("metadata") or {}
    JOB_EXECUTION_DURATION.labels(
        meta.get("name", ""),
        meta.get("namespace", ""),
        meta.get("uid", ""),
        new,
        str(int(old_status.get("failed") or 0)),
    ).set(max(0.0, now - started))


def forget_rayjob(name: str, namespace: str) -> None:
    for labels in list(JOB_EXECUTION_DURATION._metrics):
        if labels[0] == name and labels[1] == namespace:
            JOB_EXECUTION_DURATION.remove(*labels)


class RayJobCollector(Collector):
    """``kuberay_job_info`` and ``kuberay_job_deployment_status``, from the RayJob cache."""

    def __init__(self, jobs: _BodySource) -> None:
        self._jobs = jobs

    def collect(self) -> Iterable[GaugeMetricFamily]:
        info = GaugeMetricFamily(
            "kuberay_job_info",
            "Metadata information about RayJob custom resources",
            labels=["name", "namespace", "uid"],
        )
        deployment = GaugeMetricFamily(
            "kuberay_job_deployment_status",
            "The RayJob's current deployment status",
            labels=["name", "namespace", "uid", "deployment_status"],
        )
        for body in self._jobs:
            meta = body.get("metadata") or {}
            ident = [meta.get("name", ""), meta.get("namespace", ""), meta.get("uid", "")]
            info.add_metric(ident, 1)
            deployment.add_metric([*ident, (body.get("status") or {}).get("jobDeploymentStatus") or ""], 1)
        yield info
        yield deployment


def register_job_collector(jobs: _BodySource) -> None:
    if "rayjob" in _registered:
        return
    REGISTRY.register(RayJobCollector(jobs))
    _registered.add("rayjob")


class RayServiceCollector(Collector):
    """``kuberay_service_info`` and the Ready / UpgradeInProgress condition gauges (KubeRay 7.7-7.9)."""

    def __init__(self, services: _BodySource) -> None:
        self._services = services

    def collect(self) -> Iterable[GaugeMetricFamily]:
        info = GaugeMetricFamily(
            "kuberay_service_info",
            "Metadata information about RayService custom resources",
            labels=["name", "namespace", "uid"],
        )
        ready = GaugeMetricFamily(
            "kuberay_service_condition_ready",
            "Describes whether the RayService is ready. Ready means users can send requests to the underlying "
            "cluster and the number of serve endpoints is greater than 0.",
            labels=["name", "namespace", "uid", "condition"],
        )
        upgrading = GaugeMetricFamily(
            "kuberay_service_condition_upgrade_in_progress",
            "Describes whether the RayService is performing a zero-downtime upgrade.",
            labels=["name", "namespace", "uid", "condition"],
        )
        for body in self._services:
            meta = body.get("metadata") or {}
            ident = [meta.get("name", ""), meta.get("namespace", ""), meta.get("uid", "")]
            info.add_metric(ident, 1)
            conditions = {c.get("type"): c for c in (body.get("status") or {}).get("conditions") or ()}
            for family, type_ in ((ready, "Ready"), (upgrading, "UpgradeInProgress")):
                value = "true" if (conditions.get(type_) or {}).get("status") == "True" else "false"
                family.add_metric([*ident, value], 1)
        yield info
        yield ready
        yield upgrading


def register_service_collector(services: _BodySource) -> None:
    if "rayservice" in _registered:
        return
    REGISTRY.register(RayServiceCollector(services))
    _registered.add("rayservice")
