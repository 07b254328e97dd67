"""RayService against real Ray: ready, Serve config and worker-group changes in place, a broken app, deletion.

Each test's RayService has one head-only cluster backed by a real Ray head of the session pool (reset before
every test). KubeRay's behaviour (reference section 3), checked through the API server and through
real requests to the head's Serve proxy on loopback.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

import pytest

from helpers import condition, condition_is, create, heads, patch, raycluster, stays, wait_until, worker_group
from operator_process import OperatorProcess
from ray_operator.dashboard.addressing import OverrideFile, dashboard_override, serve_override
from ray_operator.localcluster.cluster import LocalCluster
from rayservice_helpers import (
    READY_MESSAGE,
    ClusterHeads,
    is_ready,
    names,
    owned_clusters,
    rayservice,
    rayservice_manifest,
    rs_events,
    selected_cluster,
    serve_endpoints,
    service,
    wait_rs,
)
from serve_heads import APP, DEAD, Overrides, ServeHead, Target, serve_config

pytestmark = [pytest.mark.cluster, pytest.mark.ray, pytest.mark.timeout(300)]

RS = "hello"


def _ready(kube_cluster: LocalCluster, namespace: str) -> tuple[dict[str, Any], str]:
    """Create the RayService; wait until it is Ready; return it and its active cluster's name."""
    create(kube_cluster, namespace, rayservice_manifest(RS))
    body = wait_rs(kube_cluster, namespace, RS, is_ready, "RayService Ready")
    return body, names(body["status"])[0]


def test_cluster_heads_maps_names_in_order(tmp_path: Path) -> None:
    """Self-check (no cluster): names map to the planned targets as the operator's own lookup reads them."""
    path = tmp_path / "overrides"
    original = "# someone else's\n*=127.0.0.1:1111\nother/x=127.0.0.1:2222\n"
    path.write_text(original)
    overrides = Overrides(path)
    first = Target("127.0.0.1:3001", "127.0.0.1:4001")
    seen: list[str] = []
    operator_view = OverrideFile(str(path))
    with ClusterHeads(None, "ns", RS, first, None, overrides=overrides, names_source=lambda: list(seen)) as ch:
        assert dashboard_override(operator_view, "ns", "not-yet-named") == first.dashboard
        seen[:] = ["hello-aaaaa"]
        ch.poll()
        assert dashboard_override(operator_view, "ns", "not-yet-named") == DEAD.address
        seen[:] = ["hello-bbbbb", "hello-aaaaa"]
        ch.poll()
        seen[:] = ["hello-ccccc"]
        ch.poll()
        assert ch.names == ["hello-aaaaa", "hello-bbbbb", "hello-ccccc"]
        assert dashboard_override(operator_view, "ns", "hello-aaaaa") == first.dashboard
        assert serve_override(operator_view, "ns", "hello-aaaaa", 8000) == first.serve
        for dead in ("hello-bbbbb", "hello-ccccc", "unknown"):  # planned dead, beyond the plan, unplanned
            assert dashboard_override(operator_view, "ns", dead) == DEAD.address
            assert serve_override(operator_view, "ns", dead, 8000) == DEAD.address
        assert dashboard_override(operator_view, "elsewhere", "c") == "127.0.0.1:1111"
        assert dashboard_override(operator_view, "other", "x") == "127.0.0.1:2222"
        ch.reroute("hello-aaaaa", dashboard=DEAD.address)
        assert dashboard_override(operator_view, "ns", "hello-aaaaa") == DEAD.address
        assert serve_override(operator_view, "ns", "hello-aaaaa", 8000) == first.serve
        ch.reroute("hello-aaaaa")
        assert dashboard_override(operator_view, "ns", "hello-aaaaa") == first.dashboard
    assert "hello-aaaaa" not in path.read_text()
    overrides.clear()
    assert path.read_text() == original
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", int(DEAD.address.rpartition(":")[2])), timeout=2).close()


def test_ready_serves_real_traffic(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, serve_head: ServeHead
) -> None:
    with ClusterHeads(kube_cluster, namespace, RS, serve_head, operator=ray_operator) as ch:
        body, active = _ready(kube_cluster, namespace)
        status = body["status"]
        assert ch.names == [active] and names(status) == (active, "")
        assert status["serviceStatus"] == "Running" and status["numServeEndpoints"] == 1
        assert (condition(status, "Ready") or {}).get("message") == READY_MESSAGE
        assert condition_is(status, "UpgradeInProgress", "False", "NoPendingCluster")
        app = status["activeServiceStatus"]["applicationStatuses"][APP]
        assert app["serveDeploymentStatuses"]["Hello"]["status"] == "HEALTHY", app
        assert "ray.io/rayservice-finalizer" in body["metadata"].get("finalizers", [])

        rc = raycluster(kube_cluster, namespace, active)
        assert rc is not None and rc["metadata"]["labels"]["ray.io/originated-from-cr-name"] == RS
        assert rc["metadata"]["labels"]["ray.io/originated-from-crd"] == "RayService"
        assert rc["metadata"]["annotations"]["ray.io/num-worker-groups"] == "0"
        owner = rc["metadata"]["ownerReferences"][0]
        assert (owner["kind"], owner["name"], owner.get("controller")) == ("RayService", RS, True)

        (head_pod,) = heads(kube_cluster, namespace, active)
        assert head_pod["metadata"]["labels"].get("ray.io/serve") == "true"
        for svc_name in (f"{RS}-head-svc", f"{RS}-serve-svc"):
            assert selected_cluster(service(kube_cluster, namespace, svc_name)) == active, svc_name
        serve_svc = service(kube_cluster, namespace, f"{RS}-serve-svc") or {}
        assert serve_svc["spec"]["selector"] == {"ray.io/cluster": active, "ray.io/serve": "true"}
        assert [(p["name"], p["port"]) for p in serve_svc["spec"]["ports"]] == [("serve", 8000)]
        assert serve_endpoints(kube_cluster, namespace, f"{RS}-serve-svc") == 1
        assert serve_head.answer() == {"message": "hello", "gcs": serve_head.ray.gcs_address}

        pod = head_pod["metadata"]["name"]
        expected = {
            ("CreatedRayCluster", f"Created the RayCluster {namespace}/{active}"),
            ("UpdatedServeApplications", f"Updated serve applications to the RayCluster {namespace}/{active}"),
            ("UpdatedHeadPodServeLabel", f'Updated the serve label to "true" for the Head Pod {namespace}/{pod}'),
            ("CreatedService", f"Created the service {namespace}/{RS}-head-svc"),
            ("CreatedService", f"Created the service {namespace}/{RS}-serve-svc"),
        }

        def missing_events() -> set[tuple[str, str]]:
            return expected - {(e["reason"], e["note"]) for e in rs_events(kube_cluster, namespace, RS)}

        wait_until(lambda: not missing_events(), 20, "the RayService events")
        warnings = [(e["reason"], e["note"]) for e in rs_events(kube_cluster, namespace, RS) if e["type"] == "Warning"]
        assert not warnings


def test_serve_config_change_is_applied_in_place(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, serve_head: ServeHead
) -> None:
    with ClusterHeads(kube_cluster, namespace, RS, serve_head, operator=ray_operator) as ch:
        _, active = _ready(kube_cluster, namespace)
        assert serve_head.answer()["message"] == "hello"
        patch(kube_cluster, namespace, "rayservice", RS, {"spec": {"serveConfigV2": serve_config("changed")}})
        wait_until(lambda: serve_head.request()[1].find('"changed"') >= 0, 60, "the new message in real answers")
        body = wait_rs(kube_cluster, namespace, RS, is_ready, "Ready after the config change")
        assert names(body["status"]) == (active, "")
        stays(lambda: serve_head.answer()["message"] == "changed", 4, "the new message")
        assert ch.names == [active], f"a second cluster was prepared for a Serve-only change: {ch.names}"
        assert [c["metadata"]["name"] for c in owned_clusters(kube_cluster, namespace, RS)] == [active]


def test_appended_worker_group_updates_the_cluster_in_place(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, serve_head: ServeHead
) -> None:
    with ClusterHeads(kube_cluster, namespace, RS, serve_head, operator=ray_operator) as ch:
        _, active = _ready(kube_cluster, namespace)
        before = raycluster(kube_cluster, namespace, active) or {}
        group = worker_group("extra", replicas=0, min_replicas=0, max_replicas=2)
        patch(kube_cluster, namespace, "rayservice", RS, {"spec": {"rayClusterConfig": {"workerGroupSpecs": [group]}}})

        def updated() -> dict[str, Any] | None:
            rc = raycluster(kube_cluster, namespace, active) or {}
            groups = [g["groupName"] for g in (rc.get("spec") or {}).get("workerGroupSpecs") or []]
            annotations = rc.get("metadata", {}).get("annotations", {})
            return rc if groups == ["extra"] and annotations.get("ray.io/num-worker-groups") == "1" else None

        rc = wait_until(updated, 60, "the active RayCluster updated with the appended group")
        assert rc["metadata"]["uid"] == before["metadata"]["uid"]
        hash_key = "ray.io/hash-without-replicas-and-workers-to-delete"
        assert rc["metadata"]["annotations"][hash_key] != before["metadata"]["annotations"][hash_key]
        note = f"Updated the active RayCluster {namespace}/{active}"
        wait_until(
            lambda: note in [e["note"] for e in rs_events(kube_cluster, namespace, RS, "UpdatedRayCluster")],
            20,
            "event UpdatedRayCluster",
        )
        body = wait_rs(kube_cluster, namespace, RS, is_ready, "Ready after the update")
        assert names(body["status"]) == (active, "")
        stays(lambda: len(ch.names) == 1, 4, "a single cluster")
        assert serve_head.answer()["message"] == "hello"


def test_broken_app_never_becomes_ready(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, serve_head: ServeHead
) -> None:
    with ClusterHeads(kube_cluster, namespace, RS, serve_head, operator=ray_operator) as ch:
        create(kube_cluster, namespace, rayservice_manifest(RS, import_path="hello_missing:app"))

        def failed(body: dict[str, Any]) -> bool:
            apps = (body.get("status") or {}).get("pendingServiceStatus", {}).get("applicationStatuses") or {}
            return (apps.get(APP) or {}).get("status") == "DEPLOY_FAILED"

        body = wait_rs(kube_cluster, namespace, RS, failed, "DEPLOY_FAILED in pendingServiceStatus")
        (pending,) = ch.names
        assert names(body["status"]) == ("", pending)
        app = body["status"]["pendingServiceStatus"]["applicationStatuses"][APP]
        ray_says = serve_head.applications()[APP]
        assert ray_says["status"] == "DEPLOY_FAILED"
        assert app["message"] == ray_says["message"]
        assert "No module named 'hello_missing'" in app["message"]

        def not_ready() -> bool:
            status = (rayservice(kube_cluster, namespace, RS) or {}).get("status") or {}
            return (
                condition_is(status, "Ready", "False", "Initializing")
                and not status.get("serviceStatus")
                and not status.get("numServeEndpoints")
                and names(status) == ("", pending)
            )

        stays(not_ready, 6, "Ready=False/Initializing with the app failed")
        assert service(kube_cluster, namespace, f"{RS}-serve-svc") is None, (
            "Services made for a cluster that never served"
        )
        assert ch.names == [pending]


def test_deletion_removes_clusters_then_the_rayservice(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, serve_head: ServeHead
) -> None:
    with ClusterHeads(kube_cluster, namespace, RS, serve_head, operator=ray_operator):
        _, active = _ready(kube_cluster, namespace)
        path = f"/apis/ray.io/v1/namespaces/{namespace}/rayservices/{RS}"
        assert kube_cluster.request("DELETE", path)[0] == 200
        samples: list[tuple[bool, list[str]]] = []
        deadline = time.monotonic() + 60
        while not samples or samples[-1][0]:
            assert time.monotonic() < deadline, f"RayService still there after 60s: {samples[-3:]}"
            exists = rayservice(kube_cluster, namespace, RS) is not None  # the RayService first, then its clusters
            samples.append((exists, [c["metadata"]["name"] for c in owned_clusters(kube_cluster, namespace, RS)]))
            time.sleep(0.05)
        assert samples[-1] == (False, []), f"the RayService went away before its RayClusters: {samples[-5:]}"
        notes = [e["note"] for e in rs_events(kube_cluster, namespace, RS, "DeletedRayCluster")]
        assert f"Deleted the RayCluster {namespace}/{active}" in notes, notes
