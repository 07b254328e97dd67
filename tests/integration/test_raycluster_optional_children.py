"""Children created only on request: the head Ingress and the serve Service."""

from __future__ import annotations

import pytest

from helpers import (
    container,
    create,
    events,
    get_json,
    heads,
    names_of,
    patch_raycluster,
    ray_pods,
    raycluster_manifest,
    set_worker_replicas,
    wait_ready,
    wait_until,
)
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

RECREATE_HASH = "ray.io/upgrade-strategy-recreate-hash"


def test_ingress_is_created_and_follows_cluster_annotations(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("ing", replicas=0)
    manifest["metadata"]["annotations"] = {
        "kubernetes.io/ingress.class": "nginx",
        "team": "a",
        "argocd.argoproj.io/tracking-id": "app:ray.io/RayCluster:ns/ing",
    }
    manifest["spec"]["headGroupSpec"]["enableIngress"] = True
    manifest["spec"]["headGroupSpec"]["ingressOptions"] = {"path": "/ray", "pathType": "Exact"}
    cluster = create(kube_cluster, namespace, manifest)
    wait_ready(kube_cluster, namespace, "ing", 0)

    ingress = get_json(kube_cluster, "-n", namespace, "ingress", "ing-head-ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    # Neither the class annotation nor Argo CD's tracking of the RayCluster is copied.
    assert ingress["metadata"]["annotations"] == {"team": "a"}
    rule = ingress["spec"]["rules"][0]["http"]["paths"][0]
    assert (rule["path"], rule["pathType"]) == ("/ray", "Exact")
    assert rule["backend"]["service"] == {"name": "ing-head-svc", "port": {"number": 8265}}
    assert ingress["metadata"]["ownerReferences"][0]["uid"] == cluster["metadata"]["uid"]
    assert [e["note"] for e in events(kube_cluster, namespace, "CreatedIngress")] == [
        f"Created ingress {namespace}/ing-head-ingress"
    ]

    # Unlike Services, the Ingress is kept in line with the cluster (KubeRay updates it too).
    kube_cluster.kubectl("-n", namespace, "annotate", "raycluster", "ing", "team=b", "--overwrite")

    def updated() -> bool:
        current = get_json(kube_cluster, "-n", namespace, "ingress", "ing-head-ingress")
        return bool(current["metadata"].get("annotations", {}).get("team") == "b")

    wait_until(updated, timeout=30, what="the Ingress to follow the new annotation")
    assert [e["note"] for e in events(kube_cluster, namespace, "UpdatedIngress")] == [
        f"Updated ingress {namespace}/ing-head-ingress"
    ]


def test_serve_service_on_annotation(kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess) -> None:
    manifest = raycluster_manifest("srv", replicas=0)
    manifest["metadata"]["annotations"] = {"ray.io/enable-serve-service": "true"}
    manifest["spec"]["headGroupSpec"]["template"]["spec"]["containers"] = [
        container(
            "ray-head", ports=[{"name": "serve", "containerPort": 8000}, {"name": "dashboard", "containerPort": 8265}]
        )
    ]
    create(kube_cluster, namespace, manifest)
    wait_ready(kube_cluster, namespace, "srv", 0)
    svc = get_json(kube_cluster, "-n", namespace, "service", "srv-serve-svc")
    assert svc["metadata"]["labels"] == {
        "ray.io/originated-from-cr-name": "srv",
        "ray.io/originated-from-crd": "RayCluster",
        "ray.io/serve": "srv-serve",
    }
    assert svc["spec"]["selector"] == {"ray.io/cluster": "srv"}
    assert [(p["name"], p["port"]) for p in svc["spec"]["ports"]] == [("serve", 8000)]


def test_recreate_upgrade_strategy_replaces_pods_on_spec_change_only(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("upg", replicas=1, upgradeStrategy={"type": "Recreate"})
    create(kube_cluster, namespace, manifest)
    wait_ready(kube_cluster, namespace, "upg", 1)
    before = names_of(ray_pods(kube_cluster, namespace, "upg"))
    old_hash = heads(kube_cluster, namespace, "upg")[0]["metadata"]["annotations"][RECREATE_HASH]

    # Replicas are not part of the hash: scaling keeps every existing pod.
    set_worker_replicas(kube_cluster, namespace, "upg", 2)
    wait_ready(kube_cluster, namespace, "upg", 2)
    after_scale = names_of(ray_pods(kube_cluster, namespace, "upg"))
    assert before < after_scale

    # A template change recreates all pods, with the new hash on the head.
    path = "/spec/headGroupSpec/template/spec/containers/0/env"
    env = [{"op": "add", "path": path, "value": [{"name": "CHANGED", "value": "1"}]}]
    patch_raycluster(kube_cluster, namespace, "upg", env, type_="json")

    def recreated() -> bool:
        pods = ray_pods(kube_cluster, namespace, "upg")
        return len(pods) == 3 and not names_of(pods) & after_scale

    wait_until(recreated, timeout=30, what="all pods recreated")
    wait_ready(kube_cluster, namespace, "upg", 2)
    head = heads(kube_cluster, namespace, "upg")[0]
    assert head["metadata"]["annotations"][RECREATE_HASH] != old_hash
    assert {"name": "CHANGED", "value": "1"} in head["spec"]["containers"][0]["env"]
    assert [e["note"] for e in events(kube_cluster, namespace, "DeletedPod")] == [
        f"Deleted all Pods for RayCluster {namespace}/upg due to spec change with Recreate upgradeStrategy"
    ]
