"""The operator process starts against the real control plane and serves health and metrics."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from helpers import get_json, ray_pods, raycluster_manifest, stays
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
        # JSON logs: every line the operator printed is one object with the documented keys.
        entries = [json.loads(line) for line in operator.logs().splitlines() if line.strip()]
        assert entries and all({"ts", "level", "logger", "msg"} <= entry.keys() for entry in entries)
        assert any("watching operator-process-test" in entry["msg"] for entry in entries)
    finally:
        assert operator.stop() == 0, operator.logs()[-3000:]


def test_operator_exits_nonzero_with_a_clear_message_on_bad_flags(kube_cluster: LocalCluster) -> None:
    operator = OperatorProcess(kube_cluster, extra_args=["--feature-gates=NoSuchGate=true"])
    operator.start(wait_ready=False)
    assert operator.proc is not None
    assert operator.proc.wait(timeout=30) != 0
    assert "unknown feature gate 'NoSuchGate'" in operator.logs()


def test_watch_namespace_leaves_other_namespaces_alone(
    crds_installed: LocalCluster, ray_operator: OperatorProcess
) -> None:
    """The shared operator watches ``t-*``: a RayCluster elsewhere gets no children at all."""
    other = f"outside-{uuid.uuid4().hex[:5]}"
    crds_installed.kubectl("create", "namespace", other)
    try:
        manifest = raycluster_manifest("ignored", replicas=1)
        manifest["metadata"]["namespace"] = other
        crds_installed.kubectl("apply", "-f", "-", input=json.dumps(manifest))
        stays(
            lambda: (
                not ray_pods(crds_installed, other, "ignored")
                and not get_json(crds_installed, "-n", other, "services")["items"]
            ),
            seconds=3,
            what="no pods or services outside the watched namespaces",
        )
        assert "status" not in get_json(crds_installed, "-n", other, "raycluster", "ignored")
    finally:
        crds_installed.kubectl("delete", "namespace", other, "--wait=false", check=False)
