"""How watched kinds are cached: the slim shapes keep what decisions read and nothing else."""

from __future__ import annotations

import copy
from typing import Any

from ray_operator.controllers.caches import slim_endpoint_slice, slim_job, slim_metadata_only, slim_pod

FULL_POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "raycluster-head-abcde",
        "namespace": "team-a",
        "uid": "uid-1",
        "resourceVersion": "12345",
        "generation": 1,
        "creationTimestamp": "2024-05-01T10:00:00Z",
        "deletionTimestamp": "2024-05-01T11:00:00Z",
        "deletionGracePeriodSeconds": 30,
        "labels": {"ray.io/cluster": "raycluster", "ray.io/node-type": "head", "app": "x"},
        "annotations": {
            "ray.io/ft-enabled": "false",
            "ray.io/overwrite-container-cmd": "true",
            "kubectl.kubernetes.io/last-applied-configuration": "{...}",
            "prometheus.io/scrape": "true",
        },
        "ownerReferences": [{"kind": "RayCluster", "name": "raycluster", "uid": "owner"}],
        "finalizers": ["x/y"],
        "managedFields": [{"manager": "kube-controller-manager", "fieldsV1": {"f:spec": {}}}],
    },
    "spec": {
        "restartPolicy": "Never",
        "nodeName": "node-1",
        "serviceAccountName": "default",
        "volumes": [{"name": "shm", "emptyDir": {"medium": "Memory"}}],
        "containers": [
            {
                "name": "ray-head",
                "image": "rayproject/ray:2.41.0",
                "env": [{"name": "RAY_ADDRESS", "value": "x"}],
                "resources": {"limits": {"cpu": "1"}},
                "volumeMounts": [{"name": "shm", "mountPath": "/dev/shm"}],
            },
            {"name": "sidecar", "image": "busybox"},
        ],
        "initContainers": [{"name": "init", "image": "busybox"}],
    },
    "status": {
        "phase": "Running",
        "reason": "Evicted",
        "message": "The node was low on resource",
        "podIP": "10.0.0.5",
        "podIPs": [{"ip": "10.0.0.5"}],
        "hostIP": "192.168.0.1",
        "qosClass": "Burstable",
        "startTime": "2024-05-01T10:00:01Z",
        "conditions": [
            {"type": "PodScheduled", "status": "True", "lastTransitionTime": "t"},
            {
                "type": "Ready",
                "status": "False",
                "reason": "ContainersNotReady",
                "message": "containers with unready status: [ray-head]",
                "lastTransitionTime": "t",
                "lastProbeTime": None,
            },
            {"type": "ContainersReady", "status": "False", "lastTransitionTime": "t"},
        ],
        "containerStatuses": [
            {
                "name": "ray-head",
                "ready": False,
                "restartCount": 3,
                "image": "rayproject/ray:2.41.0",
                "imageID": "sha256:abc",
                "containerID": "containerd://abc",
                "started": False,
                "state": {
                    "terminated": {
                        "exitCode": 137,
                        "reason": "OOMKilled",
                        "message": "killed",
                        "startedAt": "t",
                        "finishedAt": "t",
                        "containerID": "containerd://abc",
                    }
                },
                "lastState": {"terminated": {"exitCode": 1}},
            },
            {
                "name": "sidecar",
                "ready": True,
                "state": {"running": {"startedAt": "t"}},
            },
            {
                "name": "waiting",
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
            },
        ],
        "initContainerStatuses": [{"name": "init", "ready": True}],
    },
}

SLIM_POD: dict[str, Any] = {
    "metadata": {
        "name": "raycluster-head-abcde",
        "namespace": "team-a",
        "uid": "uid-1",
        "resourceVersion": "12345",
        "creationTimestamp": "2024-05-01T10:00:00Z",
        "labels": {"ray.io/cluster": "raycluster", "ray.io/node-type": "head", "app": "x"},
        "annotations": {"ray.io/ft-enabled": "false", "ray.io/overwrite-container-cmd": "true"},
        "deletionTimestamp": "2024-05-01T11:00:00Z",
    },
    "spec": {"restartPolicy": "Never", "containers": [{"name": "ray-head"}, {"name": "sidecar"}]},
    "status": {
        "phase": "Running",
        "reason": "Evicted",
        "message": "The node was low on resource",
        "podIP": "10.0.0.5",
        "conditions": [
            {
                "type": "Ready",
                "status": "False",
                "reason": "ContainersNotReady",
                "message": "containers with unready status: [ray-head]",
            }
        ],
        "containerStatuses": [
            {
                "name": "ray-head",
                "ready": False,
                "state": {
                    "terminated": {
                        "exitCode": 137,
                        "reason": "OOMKilled",
                        "message": "killed",
                        "startedAt": "t",
                        "finishedAt": "t",
                        "containerID": "containerd://abc",
                    }
                },
                "restartCount": 3,
                "lastState": {"terminated": {"exitCode": 1}},
            },
            {"name": "sidecar", "ready": True, "state": {"running": {}}},
            {
                "name": "waiting",
                "ready": False,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}},
            },
        ],
    },
}


# --------------------------------------------------------------------------- slim_pod


def test_slim_pod_keeps_exactly_the_documented_fields() -> None:
    assert slim_pod(FULL_POD) == SLIM_POD


def test_slim_pod_does_not_alias_or_mutate_the_input() -> None:
    original = copy.deepcopy(FULL_POD)
    slim = slim_pod(FULL_POD)
    slim["metadata"]["labels"]["new"] = "x"
    slim["metadata"]["annotations"]["ray.io/new"] = "x"
    assert original == FULL_POD


def test_slim_pod_drops_heavy_fields() -> None:
    slim = slim_pod(FULL_POD)
    text = repr(slim)
    for dropped in ("managedFields", "volumes", "env", "image", "ownerReferences", "nodeName", "qosClass"):
        assert dropped not in text
    assert "kubectl.kubernetes.io/last-applied-configuration" not in slim["metadata"]["annotations"]


def test_slim_pod_of_a_minimal_pod() -> None:
    pod = {"metadata": {"name": "p", "namespace": "ns"}}
    assert slim_pod(pod) == {
        "metadata": {
            "name": "p",
            "namespace": "ns",
            "uid": "",
            "resourceVersion": "",
            "creationTimestamp": "",
            "labels": {},
            "annotations": {},
        },
        "spec": {"restartPolicy": "", "containers": [{"name": ""}]},
        "status": {"phase": ""},
    }


def test_slim_pod_omits_empty_optional_status_fields() -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "ns", "deletionTimestamp": None},
        "spec": {"containers": [{"name": "c"}]},
        "status": {
            "phase": "Pending",
            "podIP": "",
            "reason": None,
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}],
        },
    }
    slim = slim_pod(pod)
    assert slim["status"] == {"phase": "Pending"}
    assert "deletionTimestamp" not in slim["metadata"]


# --------------------------------------------------------------------------- other kinds


def test_secrets_and_rbac_objects_are_cached_without_data() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "s",
            "namespace": "ns",
            "uid": "u",
            "resourceVersion": "3",
            "labels": {"ray.io/cluster": "c"},
        },
        "data": {"auth_token": "c2VjcmV0"},
        "stringData": {"auth_token": "secret"},
    }
    slim = slim_metadata_only(secret)
    assert "secret" not in repr(slim) and "c2VjcmV0" not in repr(slim)
    assert slim["metadata"]["resourceVersion"] == "3"
    assert slim["metadata"]["labels"] == {"ray.io/cluster": "c"}


def test_jobs_keep_status_and_drop_the_pod_template() -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j", "namespace": "ns", "resourceVersion": "9"},
        "spec": {"backoffLimit": 2, "template": {"spec": {"containers": [{"name": "x", "image": "big"}]}}},
        "status": {"conditions": [{"type": "Complete", "status": "True"}]},
    }
    slim = slim_job(job)
    assert slim["spec"] == {"backoffLimit": 2}
    assert slim["status"] == job["status"]


def test_endpoint_slices_keep_readiness_and_target_uid() -> None:
    eps = {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {"name": "e", "namespace": "ns", "labels": {"kubernetes.io/service-name": "svc"}},
        "addressType": "IPv4",
        "endpoints": [
            {
                "addresses": ["10.0.0.1"],
                "conditions": {"ready": True, "serving": True},
                "targetRef": {"kind": "Pod", "uid": "p1", "name": "x"},
            },
            {"addresses": ["10.0.0.2"], "conditions": {}, "targetRef": {"kind": "Pod", "uid": "p2"}},
        ],
        "ports": [{"port": 8000}],
    }
    slim = slim_endpoint_slice(eps)
    assert slim["endpoints"] == [
        {"conditions": {"ready": True}, "targetRef": {"uid": "p1", "kind": "Pod"}},
        {"conditions": {"ready": None}, "targetRef": {"uid": "p2", "kind": "Pod"}},
    ]
    assert slim["metadata"]["labels"] == {"kubernetes.io/service-name": "svc"}
