"""The running operator's ``/metrics``: controller-runtime, client-go and KubeRay families with sane values.

One RayCluster, one RayJob and one RayService go through the shared operator; the test scrapes
``/metrics`` before and after and checks what dashboards and alerts read: every controller
reconciled (``controller_runtime_reconcile_total`` grew, with controller-runtime's four results),
its queue saw adds, API requests are counted by 2xx code and method for the API server's host,
process metrics are there, and the ``kuberay_*`` series describe exactly the objects created
(their removal with the object is tested in test_raycluster_controller.py). No Ray head is
needed: each RayJob/RayService state is reported as it is.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from helpers import api_get, create, raycluster_manifest, wait_ready, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster
from rayjob_helpers import rayjob, rayjob_manifest, rj_status, wait_deployment
from rayservice_helpers import rayservice_manifest

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(180)]

CONTROLLERS = ("raycluster", "rayjob", "rayservice")
RESULTS = {"success", "error", "requeue", "requeue_after"}

Samples = list[tuple[str, dict[str, str], float]]


def scrape(operator: OperatorProcess) -> Samples:
    status, text = operator.get(operator.metrics_url)
    assert status == 200, text[:500]
    return [(s.name, s.labels, s.value) for family in text_string_to_metric_families(text) for s in family.samples]


def total(samples: Samples, metric: str, **labels: str) -> float:
    return sum(v for n, lbl, v in samples if n == metric and labels.items() <= lbl.items())


def series(samples: Samples, metric: str, **labels: str) -> list[dict[str, str]]:
    return [lbl for n, lbl, _ in samples if n == metric and labels.items() <= lbl.items()]


def scrape_until(operator: OperatorProcess, check: Callable[[Samples], bool], what: str) -> Samples:
    def attempt() -> Samples | None:
        samples = scrape(operator)
        return samples if check(samples) else None

    result: Samples = wait_until(attempt, 60, what, interval=0.5)
    return result


def uid(body: dict[str, Any] | None) -> str:
    assert body is not None
    return str(body["metadata"]["uid"])


def test_metrics_describe_the_controllers_the_api_traffic_and_the_ray_objects(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    before = scrape(ray_operator)
    create(kube_cluster, namespace, raycluster_manifest("plain", replicas=1))
    create(kube_cluster, namespace, rayjob_manifest("job", "python -c pass"))
    create(kube_cluster, namespace, rayservice_manifest("svc"))
    rc_uid = uid(wait_ready(kube_cluster, namespace, "plain", 1))
    wait_deployment(kube_cluster, namespace, "job", "Initializing", "Running", "Complete", "Failed")
    job_uid = uid(rayjob(kube_cluster, namespace, "job"))
    svc_path = f"/apis/ray.io/v1/namespaces/{namespace}/rayservices/svc"
    svc = wait_until(lambda: (b := api_get(kube_cluster, svc_path)) and b.get("status") and b, 60, "RayService status")
    svc_uid = uid(svc)
    ns = {"namespace": namespace}

    def ray_objects_reported(samples: Samples) -> bool:
        owners = {lbl["owner_kind"] for lbl in series(samples, "kuberay_cluster_info", **ns)}
        return (
            owners == {"None", "RayJob", "RayService"}
            and bool(series(samples, "kuberay_cluster_provisioned_duration_seconds", uid=rc_uid))
            and bool(series(samples, "kuberay_job_info", uid=job_uid))
            and bool(series(samples, "kuberay_service_info", uid=svc_uid))
        )

    after = scrape_until(ray_operator, ray_objects_reported, "kuberay_* series for the three objects")

    # controller-runtime: each controller reconciled, with the four result labels, through its queue.
    for controller in CONTROLLERS:
        c = {"controller": controller}
        results = {lbl["result"] for lbl in series(after, "controller_runtime_reconcile_total", **c)}
        assert results == RESULTS, (controller, results)
        grew = total(after, "controller_runtime_reconcile_total", **c) - total(
            before, "controller_runtime_reconcile_total", **c
        )
        assert grew >= 1, controller
        timed = total(after, "controller_runtime_reconcile_time_seconds_count", **c)
        assert timed >= total(after, "controller_runtime_reconcile_total", **c) - 4, controller  # <= workers in flight
        assert total(after, "controller_runtime_max_concurrent_reconciles", **c) >= 1
        q = {"name": controller, "controller": controller}
        assert total(after, "workqueue_adds_total", **q) > total(before, "workqueue_adds_total", **q), controller
        assert series(after, "workqueue_depth", priority="0", **q), controller
        assert total(after, "workqueue_queue_duration_seconds_count", **q) > 0, controller
        assert total(after, "workqueue_work_duration_seconds_count", **q) > 0, controller
        for gauge in ("workqueue_unfinished_work_seconds", "workqueue_longest_running_processor_seconds"):
            assert series(after, gauge, **q), (gauge, controller)

    # client-go: requests by code and method, for the API server's host.
    host = urllib.parse.urlsplit(kube_cluster.server).netloc
    requests = series(after, "rest_client_requests_total", host=host)
    ok_methods = {lbl["method"] for lbl in requests if lbl["code"].startswith("2")}
    assert {"GET", "POST", "PATCH"} <= ok_methods or {"GET", "POST", "PUT"} <= ok_methods, ok_methods
    grew = total(after, "rest_client_requests_total", host=host, method="POST") - total(
        before, "rest_client_requests_total", host=host, method="POST"
    )
    assert grew >= 3  # at least the head pods of the three clusters
    assert total(after, "rest_client_request_duration_seconds_count", host=host, verb="POST") >= grew

    # Process metrics (prometheus_client's collectors, the names Go's process collector uses).
    assert 10e6 < total(after, "process_resident_memory_bytes") < 2e9
    assert total(after, "process_cpu_seconds_total") > 0
    assert total(after, "process_open_fds") > 0

    # kuberay_*: exactly the objects created, with KubeRay's labels.
    assert series(after, "kuberay_cluster_info", uid=rc_uid) == [
        {"name": "plain", "namespace": namespace, "uid": rc_uid, "owner_kind": "None"}
    ]
    assert series(after, "kuberay_cluster_condition_provisioned", uid=rc_uid) == [
        {"name": "plain", "namespace": namespace, "uid": rc_uid, "condition": "true"}
    ]
    assert 0 < total(after, "kuberay_cluster_provisioned_duration_seconds", uid=rc_uid) < 120
    assert series(after, "kuberay_job_info", **ns) == [{"name": "job", "namespace": namespace, "uid": job_uid}]
    assert len(series(after, "kuberay_job_deployment_status", uid=job_uid)) == 1
    scrape_until(  # the label follows status.jobDeploymentStatus (it may move on while we look)
        ray_operator,
        lambda s: (
            [lbl["deployment_status"] for lbl in series(s, "kuberay_job_deployment_status", uid=job_uid)]
            == [rj_status(kube_cluster, namespace, "job").get("jobDeploymentStatus")]
        ),
        "kuberay_job_deployment_status matching the RayJob's status",
    )
    assert series(after, "kuberay_service_info", **ns) == [{"name": "svc", "namespace": namespace, "uid": svc_uid}]
    for family in ("kuberay_service_condition_ready", "kuberay_service_condition_upgrade_in_progress"):
        assert series(after, family, uid=svc_uid) == [
            {"name": "svc", "namespace": namespace, "uid": svc_uid, "condition": "false"}  # no Serve app: not ready
        ], family
