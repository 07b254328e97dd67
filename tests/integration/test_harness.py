"""The local control plane is real: scheduling, garbage collection and Jobs work as in a cluster."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import get_json, wait_until
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def test_pod_is_scheduled_onto_a_kwok_node_and_becomes_ready(kube_cluster: LocalCluster, namespace: str) -> None:
    kube_cluster.kubectl(
        "-n",
        namespace,
        "run",
        "probe",
        "--image=registry.invalid/none:0",
        "--restart=Never",
    )

    def ready() -> Any:
        pod = get_json(kube_cluster, "-n", namespace, "pod", "probe")
        conditions = {c["type"]: c["status"] for c in pod["status"].get("conditions", [])}
        return pod if pod["status"].get("phase") == "Running" and conditions.get("Ready") == "True" else None

    pod = wait_until(ready, what="pod Running and Ready")
    assert pod["spec"]["nodeName"].startswith("kwok-node-")
    assert pod["status"]["podIP"].startswith("10.244.")
    nodes = get_json(kube_cluster, "nodes", "-l", "type=kwok")["items"]
    assert len(nodes) == 3
    assert nodes[0]["status"]["capacity"]["nvidia.com/gpu"] == "8"


def test_deleting_an_owner_garbage_collects_its_dependents(kube_cluster: LocalCluster, namespace: str) -> None:
    owner = json.loads(kube_cluster.kubectl("-n", namespace, "create", "configmap", "owner", "-o", "json").stdout)
    dependent = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "dependent",
            "namespace": namespace,
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
            ],
        },
    }
    kube_cluster.kubectl("create", "-f", "-", input=json.dumps(dependent))
    kube_cluster.kubectl("-n", namespace, "delete", "configmap", "owner", "--wait=false")

    def gone() -> bool:
        out = kube_cluster.kubectl("-n", namespace, "get", "configmap", "dependent", check=False)
        return out.returncode != 0 and "NotFound" in out.stderr

    wait_until(gone, what="garbage collection of the dependent")


def test_a_job_gets_its_pod_from_the_job_controller_and_completes(kube_cluster: LocalCluster, namespace: str) -> None:
    kube_cluster.kubectl("-n", namespace, "create", "job", "once", "--image=registry.invalid/none:0", "--", "true")

    def complete() -> Any:
        job = get_json(kube_cluster, "-n", namespace, "job", "once")
        done = {c["type"]: c["status"] for c in job.get("status", {}).get("conditions", [])}
        return job if done.get("Complete") == "True" else None

    job = wait_until(complete, timeout=60, what="Job Complete")
    assert job["status"]["succeeded"] == 1
    pods = get_json(kube_cluster, "-n", namespace, "pods", "-l", "job-name=once")["items"]
    assert [p["status"]["phase"] for p in pods] == ["Succeeded"]
