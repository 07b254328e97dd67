"""Cluster feature switches; expectations follow KubeRay's ``utils/util.go`` (``IsAutoscalingEnabled``,
``IsGCSFaultToleranceEnabled``, ``GetGcsFaultToleranceBackend``, ``IsAuthEnabled``, ``IsK8sAuthEnabled``,
``IsTLSEnabled``) and the history-server gate of ``common/pod.go``."""

from __future__ import annotations

from typing import Any

import pytest

from ray_operator.builders import features
from ray_operator.config import DEFAULT_FEATURE_GATES, GATE_HISTORY_SERVER, GATE_MTLS, OperatorConfig
from ray_operator.models import RayClusterSpec

HEAD = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": "ray"}]}}}


def _spec(**fields: Any) -> RayClusterSpec:
    return RayClusterSpec.model_validate({"headGroupSpec": HEAD, **fields})


def _config(**gates: bool) -> OperatorConfig:
    return OperatorConfig(feature_gates={**DEFAULT_FEATURE_GATES, **gates})


def test_autoscaling() -> None:
    assert not features.autoscaling_enabled(None)
    assert not features.autoscaling_enabled(_spec())
    assert not features.autoscaling_enabled(_spec(enableInTreeAutoscaling=False))
    assert features.autoscaling_enabled(_spec(enableInTreeAutoscaling=True))


@pytest.mark.parametrize(
    ("options", "version"),
    [(None, None), ({}, None), ({"version": "v1"}, "v1"), ({"version": "v2"}, "v2"), ({"version": "v3"}, None)],
)
def test_autoscaler_version(options: dict[str, Any] | None, version: str | None) -> None:
    spec = _spec(autoscalerOptions=options) if options is not None else _spec()
    assert features.autoscaler_version(spec) == version


@pytest.mark.parametrize(
    ("fields", "annotations", "enabled", "backend"),
    [
        ({}, {}, False, "redis"),
        ({}, {"ray.io/ft-enabled": "TRUE"}, True, "redis"),
        ({}, {"ray.io/ft-enabled": "false"}, False, "redis"),
        ({"gcsFaultToleranceOptions": {"redisAddress": "redis:6379"}}, {}, True, "redis"),
        ({"gcsFaultToleranceOptions": {"backend": ""}}, {}, True, "redis"),
        ({"gcsFaultToleranceOptions": {"backend": "rocksdb"}}, {}, True, "rocksdb"),
    ],
)
def test_gcs_fault_tolerance(fields: dict[str, Any], annotations: dict[str, str], enabled: bool, backend: str) -> None:
    spec = _spec(**fields)
    assert features.gcs_ft_enabled(spec, annotations) is enabled
    assert features.gcs_ft_backend(spec) == backend
    assert features.gcs_ft_embedded(spec) is (backend == "rocksdb")


@pytest.mark.parametrize(
    ("options", "token", "k8s"),
    [
        (None, False, False),
        ({}, False, False),  # an empty mode does not enable auth
        ({"mode": "disabled"}, False, False),
        ({"mode": "token"}, True, False),
        ({"mode": "token", "enableK8sTokenAuth": True}, True, True),
        ({"mode": "token", "enableK8sTokenAuth": False}, True, False),
    ],
)
def test_auth(options: dict[str, Any] | None, token: bool, k8s: bool) -> None:
    spec = _spec(authOptions=options) if options is not None else _spec()
    assert features.auth_enabled(spec) is token
    assert features.k8s_token_auth_enabled(spec) is k8s
    assert not features.k8s_token_auth_enabled(None)


def test_tls_needs_the_gate_and_enabled_true() -> None:
    on = _config(**{GATE_MTLS: True})
    assert not features.tls_enabled(_spec(), on)
    assert not features.tls_enabled(_spec(tlsOptions={}), on)
    assert not features.tls_enabled(_spec(tlsOptions={"enabled": False}), on)
    assert features.tls_enabled(_spec(tlsOptions={"enabled": True}), on)
    assert not features.tls_enabled(_spec(tlsOptions={"enabled": True}), _config())


def test_collector_needs_the_gate_and_collector_options() -> None:
    on = _config(**{GATE_HISTORY_SERVER: True})
    collector = {"collectorOptions": {"image": "collector"}}
    assert features.collector_enabled(_spec(historyServerOptions=collector), on)
    assert not features.collector_enabled(_spec(historyServerOptions=collector), _config())
    assert not features.collector_enabled(_spec(historyServerOptions={}), on)
    assert not features.collector_enabled(_spec(), on)
