"""The controller runtime on the real control plane: owned children are watched, the cache cannot lie.

Each test here fails on a runtime that only watches RayClusters and Pods (children deleted by hand
wait for the 300 s resync) or that trusts kopf's replay of a re-list (an object deleted while the
watch was broken stays cached, so nothing is ever recreated).
"""

from __future__ import annotations

import time

from helpers import api_get, create, heads, live, raycluster_manifest, wait_ready, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

#: Far below the 300 s resync: a repair this fast can only come from a watch event.
REPAIR_SECONDS = 10.0


def _uid(cluster: LocalCluster, path: str) -> str | None:
    obj = api_get(cluster, path)
    return None if obj is None else str(obj["metadata"]["uid"])


def test_children_deleted_by_hand_are_recreated_within_seconds(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("owned", replicas=1, autoscaling=True, authOptions={"mode": "token"})
    create(kube_cluster, namespace, manifest)
    wait_ready(kube_cluster, namespace, "owned", 1, timeout=60)
    children = {
        "head Service": f"/api/v1/namespaces/{namespace}/services/owned-head-svc",
        "token Secret": f"/api/v1/namespaces/{namespace}/secrets/owned",
        "autoscaler Role": f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/owned",
        "autoscaler RoleBinding": f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings/owned",
        "autoscaler ServiceAccount": f"/api/v1/namespaces/{namespace}/serviceaccounts/owned",
    }
    for what, path in children.items():
        before = _uid(kube_cluster, path)
        assert before is not None, f"{what} {path} was never created"
        status, _ = kube_cluster.request("DELETE", path)
        assert status == 200, f"deleting {what}: HTTP {status}"
        t0 = time.monotonic()
        wait_until(
            lambda p=path, b=before: _uid(kube_cluster, p) not in (None, b),  # type: ignore[misc]
            timeout=REPAIR_SECONDS,
            what=f"{what} recreated",
        )
        print(f"{what} recreated in {time.monotonic() - t0:.2f}s")


def test_head_pod_deleted_while_the_watch_was_broken_is_recreated_after_the_relist(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("relisted", replicas=1))
    wait_ready(kube_cluster, namespace, "relisted", 1, timeout=60)
    (head,) = heads(kube_cluster, namespace, "relisted")
    head_name = head["metadata"]["name"]

    def delete_behind_the_apiservers_back() -> None:
        # The API server is down: nobody can hear of this deletion, no DELETED event will ever come.
        assert kube_cluster.etcd_delete(f"/registry/pods/{namespace}/{head_name}") == 1

    kube_cluster.restart_apiserver(while_down=delete_behind_the_apiservers_back)
    assert api_get(kube_cluster, f"/api/v1/namespaces/{namespace}/pods/{head_name}") is None

    def new_head() -> bool:
        pods = live(heads(kube_cluster, namespace, "relisted"))
        return len(pods) == 1 and pods[0]["metadata"]["name"] != head_name

    # kopf re-lists after reconnecting; the runtime notices the head is gone and the RayCluster
    # controller makes a new one. Reconnect back-off plus the prune's quiet period: well under 60 s.
    wait_until(new_head, timeout=60, what="a new head Pod after the re-list")
    wait_ready(kube_cluster, namespace, "relisted", 1, timeout=60)
