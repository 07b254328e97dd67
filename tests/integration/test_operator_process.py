"""The operator process starts against the real control plane and serves health and metrics."""

from __future__ import annotations

import re

import pytest

from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def test_operator_answers_health_and_metrics(crds_installed: LocalCluster) -> None:
    operator = OperatorProcess(
        crds_installed, extra_args=["--log-format=json", "--watch-namespace=operator-process-test"]
    ).start()
    try:
        status, body = operator.get(f"{operator.health_url}/healthz")
        assert (status, body) == (200, "ok")
        status, body = operator.get(f"{operator.health_url}/readyz")
        assert (status, body) == (200, "ok")
        status, metrics = operator.get(operator.metrics_url)
        assert status == 200
        # KubeRay's metric families are exposed under KubeRay's names.
        for family in (
            "kuberay_cluster_info",
            "rest_client_request_duration_seconds",
            "controller_runtime_reconcile_total",
            "workqueue_depth",
        ):
            assert re.search(rf"^# TYPE {family}", metrics, re.MULTILINE), family
        # JSON logs: every line the operator printed parses as one object.
        lines = [line for line in operator.logs().splitlines() if line.strip()]
        assert lines and all(line.startswith("{") for line in lines), lines[:5]
    finally:
        assert operator.stop() == 0, operator.logs()[-3000:]


def test_operator_exits_nonzero_with_a_clear_message_on_bad_flags(kube_cluster: LocalCluster) -> None:
    operator = OperatorProcess(kube_cluster, extra_args=["--feature-gates=NoSuchGate=true"])
    operator.start(wait_ready=False)
    assert operator.proc is not None
    assert operator.proc.wait(timeout=30) != 0
    assert "unknown feature gate 'NoSuchGate'" in operator.logs()
