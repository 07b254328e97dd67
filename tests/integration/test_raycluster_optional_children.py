"""Children created only on request: the head Ingress and the serve Service."""

from __future__ import annotations

import pytest

from helpers import container, create, events, get_json, raycluster_manifest, wait_ready, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


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
    assert events(kube_cluster, namespace, "CreatedIngress")

    # Unlike Services, the Ingress is kept in line with the cluster (KubeRay updates it too).
    kube_cluster.kubectl("-n", namespace, "annotate", "raycluster", "ing", "team=b", "--overwrite")

    def updated() -> bool:
        current = get_json(kube_cluster, "-n", namespace, "ingress", "ing-head-ingress")
        return bool(current["metadata"].get("annotations", {}).get("team") == "b")

    wait_until(updated, timeout=30, what="the Ingress to follow the new annotation")
    assert events(kube_cluster, namespace, "UpdatedIngress")


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
    before = {p["metadata"]["name"] for p in get_json(kube_cluster, "-n", namespace, "pods")["items"]}
    head = next(p for p in get_json(kube_cluster, "-n", namespace, "pods")["items"] if "head" in p["metadata"]["name"])
    old_hash = head["metadata"]["annotations"]["ray.io/upgrade-strategy-recreate-hash"]

    # Replicas are not part of the hash: scaling keeps every existing pod.
    kube_cluster.kubectl(
        "-n",
        namespace,
        "patch",
        "raycluster",
        "upg",
        "--type=json",
        "-p",
        '[{"op": "replace", "path": "/spec/workerGroupSpecs/0/replicas", "value": 2}]',
    )
    wait_ready(kube_cluster, namespace, "upg", 2)
    after_scale = {p["metadata"]["name"] for p in get_json(kube_cluster, "-n", namespace, "pods")["items"]}
    assert before < after_scale

    # A template change recreates all pods, with the new hash on the head.
    kube_cluster.kubectl(
        "-n",
        namespace,
        "patch",
        "raycluster",
        "upg",
        "--type=json",
        "-p",
        '[{"op": "add", "path": "/spec/headGroupSpec/template/spec/containers/0/env", '
        '"value": [{"name": "CHANGED", "value": "1"}]}]',
    )

    def recreated() -> bool:
        pods = get_json(kube_cluster, "-n", namespace, "pods")["items"]
        names = {p["metadata"]["name"] for p in pods}
        return len(pods) == 3 and not names & after_scale

    wait_until(recreated, timeout=30, what="all pods recreated")
    wait_ready(kube_cluster, namespace, "upg", 2)
    head = next(p for p in get_json(kube_cluster, "-n", namespace, "pods")["items"] if "head" in p["metadata"]["name"])
    assert head["metadata"]["annotations"]["ray.io/upgrade-strategy-recreate-hash"] != old_hash
    assert {"name": "CHANGED", "value": "1"} in head["spec"]["containers"][0]["env"]
    assert events(kube_cluster, namespace, "DeletedPod")
