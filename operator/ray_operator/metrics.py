"""Prometheus metrics with KubeRay's names, labels and help texts (dashboards keep working).

"Info" and "condition" series are computed at scrape time from the objects the operator already
holds in memory, so they cost no API calls and never go stale. The provisioned-duration gauge is
set by the RayCluster reconciler when ``RayClusterProvisioned`` first turns True.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from prometheus_client import REGISTRY, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ray_operator.framework.conditions import is_true

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
