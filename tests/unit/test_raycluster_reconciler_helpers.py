"""Pure decisions inside the RayCluster reconciler: unsupported features, scale-down order."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from ray_operator.config import OperatorConfig
from ray_operator.models import RayCluster
from ray_operator.reconcilers.raycluster import unsupported_feature
from ray_operator.reconcilers.raycluster.pods import replica_rank as _replica_rank
from ray_operator.reconcilers.raycluster.pods import scale_down_order as _scale_down_order


def cluster(**spec: Any) -> RayCluster:
    return RayCluster.from_body(
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {"name": "rc", "namespace": "ns"},
            "spec": {
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "h"}]}}},
                **spec,
            },
        }
    )


def gates(**on: bool) -> OperatorConfig:
    config = OperatorConfig()
    return dataclasses.replace(config, feature_gates={**config.feature_gates, **on})


@pytest.mark.parametrize(
    ("spec", "config", "expected"),
    [
        ({}, gates(), None),
        ({"tlsOptions": {"enabled": True}}, gates(), None),  # gate off: KubeRay's validation speaks
        ({"tlsOptions": {"enabled": True}}, gates(RayClusterMTLS=True), "tlsOptions (mTLS) is not supported"),
        ({"tlsOptions": {"enabled": False}}, gates(RayClusterMTLS=True), None),
        ({"gcsFaultToleranceOptions": {"backend": "rocksdb"}}, gates(GCSFaultToleranceEmbeddedStorage=True), None),
        ({"gcsFaultToleranceOptions": {"redisAddress": "r:6379"}}, gates(GCSFaultToleranceEmbeddedStorage=True), None),
        ({"networkPolicy": {}}, gates(RayClusterNetworkPolicy=True), "spec.networkPolicy is not supported"),
    ],
)
def test_unsupported_gated_features_are_refused_clearly(
    spec: dict[str, Any], config: OperatorConfig, expected: str | None
) -> None:
    message = unsupported_feature(cluster(**spec), config)
    if expected is None:
        assert message is None
    else:
        assert message is not None and expected in message


def pod(name: str, created: str, ready: bool = True, deleting: bool = False) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "creationTimestamp": created}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:09Z"
    return {
        "metadata": meta,
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]},
    }


def test_scale_down_takes_terminating_then_unready_then_newest_pods() -> None:
    pods = [
        pod("old-ready", "2026-01-01T00:00:01Z"),
        pod("new-ready", "2026-01-01T00:00:05Z"),
        pod("mid-unready", "2026-01-01T00:00:03Z", ready=False),
        pod("old-terminating", "2026-01-01T00:00:00Z", deleting=True),
    ]
    order = [p["metadata"]["name"] for p in _scale_down_order(pods)]
    assert order == ["old-terminating", "mid-unready", "new-ready", "old-ready"]


def test_multi_host_replicas_with_an_unready_member_go_first() -> None:
    healthy_new = [pod("a0", "2026-01-01T00:00:05Z"), pod("a1", "2026-01-01T00:00:05Z")]
    healthy_old = [pod("b0", "2026-01-01T00:00:01Z"), pod("b1", "2026-01-01T00:00:01Z")]
    broken_old = [pod("c0", "2026-01-01T00:00:00Z"), pod("c1", "2026-01-01T00:00:00Z", ready=False)]
    ranked = sorted({"a": healthy_new, "b": healthy_old, "c": broken_old}.items(), key=lambda kv: _replica_rank(kv[1]))
    assert [name for name, _ in ranked] == ["c", "a", "b"]
