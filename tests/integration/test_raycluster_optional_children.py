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
