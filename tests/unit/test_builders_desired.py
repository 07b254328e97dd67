"""Replica arithmetic, status totals, Pod health and the Redis cleanup helpers
(expectations from KubeRay's ``util.go``/``raycluster_controller.go`` and their unit tests)."""

from __future__ import annotations

from typing import Any

import pytest

from ray_operator.builders import desired, gcs_ft
from ray_operator.builders.pods import delete_reason, should_delete_pod
from ray_operator.config import OperatorConfig
from ray_operator.models import RayCluster, WorkerGroupSpec

TEMPLATE = {"spec": {"containers": [{"name": "ray-worker", "image": "ray"}]}}


def _group(**fields: Any) -> WorkerGroupSpec:
    return WorkerGroupSpec.model_validate({"groupName": "g", "rayStartParams": {}, "template": TEMPLATE, **fields})


@pytest.mark.parametrize(
    ("fields", "replicas", "pods"),
    [
        ({"replicas": 3, "minReplicas": 1, "maxReplicas": 5}, 3, 3),
        ({"replicas": 0, "minReplicas": 2, "maxReplicas": 5}, 2, 2),
        ({"replicas": 9, "minReplicas": 1, "maxReplicas": 5}, 5, 5),
        ({"minReplicas": 1}, 1, 1),  # replicas unset
        ({"replicas": 2, "minReplicas": 0, "maxReplicas": 4, "numOfHosts": 4}, 2, 8),
        ({"replicas": 2, "minReplicas": 2, "maxReplicas": 2, "suspend": True}, 0, 0),
        ({"replicas": 2, "numOfHosts": 0}, 2, 0),  # the status counts numOfHosts as given
    ],
)
def test_group_desired(fields: dict[str, Any], replicas: int, pods: int) -> None:
    group = _group(**fields)
    assert desired.group_desired_replicas(group) == replicas
    assert desired.group_desired_pods(group) == pods


def _cluster(groups: list[dict[str, Any]], head_resources: dict[str, Any] | None = None) -> RayCluster:
    head = {"name": "ray-head", "image": "ray", "resources": head_resources or {}}
    return RayCluster.from_body(
        {
            "metadata": {"name": "rc", "namespace": "ns"},
            "spec": {
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head]}}},
                "workerGroupSpecs": [
                    {"rayStartParams": {}, **g, "template": g.get("template", TEMPLATE)} for g in groups
                ],
            },
        }
    )


def test_totals_without_resources() -> None:
    totals = desired.cluster_totals(_cluster([]))
    assert totals == desired.ClusterTotals(0, 0, 0, "0", "0", "0", "0")


def test_max_workers_saturate_at_int32() -> None:
    cluster = _cluster(
        [{"groupName": "a", "replicas": 1, "minReplicas": 1}, {"groupName": "b", "replicas": 1, "numOfHosts": 2}]
    )
    totals = desired.cluster_totals(cluster)
    assert (totals.desired_workers, totals.min_workers, totals.max_workers) == (3, 1, 2**31 - 1)


def test_desired_resources_use_unclamped_replicas() -> None:
    worker = {"spec": {"containers": [{"name": "w", "image": "ray", "resources": {"requests": {"cpu": "1"}}}]}}
    cluster = _cluster(
        [{"groupName": "a", "replicas": 10, "minReplicas": 0, "maxReplicas": 2, "template": worker}],
        head_resources={"limits": {"cpu": "500m", "google.com/tpu": "4"}},
    )
    totals = desired.cluster_totals(cluster)
    assert totals.desired_workers == 2
    assert (totals.desired_cpu, totals.desired_tpu) == ("10500m", "4")


def _pod(phase: str, restart: str, terminated: bool) -> dict[str, Any]:
    state: dict[str, Any] = {"terminated": {"exitCode": 1, "reason": "Error"}} if terminated else {"running": {}}
    return {
        "metadata": {"name": "p", "labels": {"ray.io/node-type": "worker"}},
        "spec": {"restartPolicy": restart, "containers": [{"name": "ray-worker"}, {"name": "sidecar"}]},
        "status": {
            "phase": phase,
            "containerStatuses": [
                {"name": "sidecar", "state": {"running": {}}},
                {"name": "ray-worker", "state": state},
            ],
        },
    }


@pytest.mark.parametrize(
    ("phase", "restart", "terminated", "delete"),
    [
        ("Failed", "Always", False, True),
        ("Succeeded", "Never", False, True),
        ("Running", "Never", True, True),
        ("Running", "Always", True, False),
        ("Running", "OnFailure", True, False),
        ("Running", "Never", False, False),
        ("Pending", "Never", True, False),
    ],
)
def test_should_delete_pod(phase: str, restart: str, terminated: bool, delete: bool) -> None:
    pod = _pod(phase, restart, terminated)
    assert should_delete_pod(pod) is delete
    reason = delete_reason(pod)
    if delete:
        assert "will delete" in reason
    else:
        assert "will delete" not in reason


def test_should_delete_pod_reason_for_terminal_phase() -> None:
    assert delete_reason(_pod("Failed", "Always", False)) == (
        "The worker Pod p status is Failed which is a terminal state. "
        "KubeRay will delete the Pod and create new Pods in the next reconciliation if necessary."
    )


def test_redis_cleanup_helpers() -> None:
    body = _cluster([]).to_body()
    config = OperatorConfig()
    assert not gcs_ft.needs_redis_cleanup(RayCluster.from_body(body), config)
    body["spec"]["gcsFaultToleranceOptions"] = {"redisAddress": "redis:6379"}
    cluster = RayCluster.from_body(body)
    assert gcs_ft.needs_redis_cleanup(cluster, config)
    assert not gcs_ft.needs_redis_cleanup(cluster, OperatorConfig(enable_gcs_ft_redis_cleanup=False))
    body["spec"]["gcsFaultToleranceOptions"] = {"backend": "rocksdb"}
    assert not gcs_ft.needs_redis_cleanup(RayCluster.from_body(body), config)
    assert gcs_ft.deletion_timeout_seconds(cluster) == 300
    body["metadata"]["annotations"] = {"ray.io/gcs-ft-deletion-timeout": "42"}
    assert gcs_ft.deletion_timeout_seconds(RayCluster.from_body(body)) == 42
    body["metadata"]["annotations"] = {"ray.io/gcs-ft-deletion-timeout": "-1"}
    assert gcs_ft.deletion_timeout_seconds(RayCluster.from_body(body)) == 300


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("42", 42),
        ("+42", 42),
        ("0", 300),
        ("-1", 300),
        ("5_0", 300),  # Python's int() accepts digit separators, Go's strconv.Atoi does not
        (" 7", 300),  # nor surrounding whitespace
        ("7\n", 300),
        ("\u0663", 300),  # nor non-ASCII digits (ARABIC-INDIC DIGIT THREE)
        ("1.5", 300),
        ("", 300),
        ("9223372036854775808", 300),  # out of int64 range
    ],
)
def test_deletion_timeout_is_parsed_like_go_atoi(raw: str, seconds: int) -> None:
    body = _cluster([]).to_body()
    body["metadata"]["annotations"] = {"ray.io/gcs-ft-deletion-timeout": raw}
    assert gcs_ft.deletion_timeout_seconds(RayCluster.from_body(body)) == seconds


@pytest.mark.parametrize(
    ("conditions", "finished"),
    [
        ([], None),
        ([{"type": "Complete", "status": "True"}], "Complete"),
        ([{"type": "Failed", "status": "True"}], "Failed"),
        ([{"type": "FailureTarget", "status": "True"}], "Failed"),
        ([{"type": "Complete", "status": "False"}], None),
    ],
)
def test_job_finished(conditions: list[dict[str, str]], finished: str | None) -> None:
    assert gcs_ft.job_finished({"status": {"conditions": conditions}}) == finished


def test_terminated_state_is_described_like_go() -> None:
    pod = _pod("Running", "Never", True)
    pod["status"]["containerStatuses"][1]["state"]["terminated"].update(
        startedAt="2024-05-01T10:00:00Z", finishedAt="2024-05-01T10:05:30Z", containerID="containerd://abc"
    )
    assert delete_reason(pod) == (
        "The Pod status of the worker Pod p is Running, and the Ray container terminated status is "
        "&ContainerStateTerminated{ExitCode:1,Signal:0,Reason:Error,Message:,StartedAt:2024-05-01 10:00:00 +0000 UTC,"
        "FinishedAt:2024-05-01 10:05:30 +0000 UTC,ContainerID:containerd://abc,}. "
        "The container is unable to restart due to its restart policy Never, so KubeRay will delete it."
    )
    assert delete_reason(_pod("Running", "Never", False)).endswith(
        "The Pod status is Running, and the Ray container terminated status is nil."
    )
