"""In-memory stores: slim pods, the no-going-backwards object store, the event predicate."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ray_operator.stores import IndexPodSource, ObjectStore, slim_pod, spec_changed

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
        "creationTimestamp": "2024-05-01T10:00:00Z",
        "labels": {"ray.io/cluster": "raycluster", "ray.io/node-type": "head", "app": "x"},
        "annotations": {"ray.io/ft-enabled": "false", "ray.io/overwrite-container-cmd": "true"},
        "deletionTimestamp": "2024-05-01T11:00:00Z",
    },
    "spec": {"restartPolicy": "Never", "containers": [{"name": "ray-head"}]},
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
    for dropped in ("managedFields", "volumes", "env", "image", "ownerReferences", "nodeName", "restartCount"):
        assert dropped not in text
    assert "kubectl.kubernetes.io/last-applied-configuration" not in slim["metadata"]["annotations"]


def test_slim_pod_of_a_minimal_pod() -> None:
    pod = {"metadata": {"name": "p", "namespace": "ns"}}
    assert slim_pod(pod) == {
        "metadata": {
            "name": "p",
            "namespace": "ns",
            "uid": "",
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


# --------------------------------------------------------------------------- ObjectStore


def body(name: str, rv: str | None, uid: str = "u1", namespace: str = "ns", **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": uid}
    if rv is not None:
        meta["resourceVersion"] = rv
    return {"metadata": meta, **extra}


def test_object_store_stores_and_returns_latest() -> None:
    store = ObjectStore()
    assert store.update(body("a", "10", status={"s": 1})) == (True, None)
    stored, previous = store.update(body("a", "11", status={"s": 2}))
    assert stored
    assert previous is not None and previous["status"] == {"s": 1}
    current = store.get(("ns", "a"))
    assert current is not None and current["status"] == {"s": 2}
    assert len(store) == 1
    assert store.keys() == [("ns", "a")]


def test_object_store_refuses_an_older_resource_version_of_the_same_object() -> None:
    store = ObjectStore()
    store.update(body("a", "100", status={"v": "new"}))
    stored, previous = store.update(body("a", "99", status={"v": "stale"}))
    assert not stored
    assert previous is not None and previous["status"] == {"v": "new"}
    current = store.get(("ns", "a"))
    assert current is not None and current["status"] == {"v": "new"}


def test_object_store_compares_resource_versions_numerically() -> None:
    store = ObjectStore()
    store.update(body("a", "9", status={"v": 9}))
    assert store.update(body("a", "10", status={"v": 10}))[0]  # "10" < "9" as strings
    assert not store.update(body("a", "9", status={"v": 9}))[0]


def test_object_store_accepts_the_same_resource_version() -> None:
    store = ObjectStore()
    store.update(body("a", "5", status={"v": 1}))
    assert store.update(body("a", "5", status={"v": 2}))[0]


def test_object_store_accepts_a_recreated_object_with_a_lower_resource_version() -> None:
    store = ObjectStore()
    store.update(body("a", "100", uid="old"))
    stored, previous = store.update(body("a", "50", uid="new"))
    assert stored
    assert previous is not None and previous["metadata"]["uid"] == "old"
    current = store.get(("ns", "a"))
    assert current is not None and current["metadata"]["uid"] == "new"


def test_object_store_accepts_non_numeric_resource_versions() -> None:
    store = ObjectStore()
    store.update(body("a", "100", status={"v": 1}))
    assert store.update(body("a", None, status={"v": 2}))[0]
    assert store.update(body("a", "opaque", status={"v": 3}))[0]


def test_object_store_keys_by_namespace_and_name() -> None:
    store = ObjectStore()
    store.update(body("a", "1", namespace="ns1"))
    store.update(body("a", "1", namespace="ns2", uid="u2"))
    assert sorted(store.keys()) == [("ns1", "a"), ("ns2", "a")]
    assert sorted(b["metadata"]["uid"] for b in store) == ["u1", "u2"]


def test_object_store_remove_honours_uid() -> None:
    store = ObjectStore()
    store.update(body("a", "1", uid="current"))
    store.remove(("ns", "a"), uid="someone-else")  # a delete event of an older incarnation
    assert store.get(("ns", "a")) is not None
    store.remove(("ns", "a"), uid="current")
    assert store.get(("ns", "a")) is None
    store.update(body("b", "1"))
    store.remove(("ns", "b"))
    store.remove(("ns", "missing"))
    assert len(store) == 0


def test_object_store_iteration_is_a_snapshot() -> None:
    store = ObjectStore()
    store.update(body("a", "1"))
    store.update(body("b", "1"))
    names = []
    for item in store:
        names.append(item["metadata"]["name"])
        store.remove(("ns", item["metadata"]["name"]))  # must not break the iteration
    assert names == ["a", "b"]


# --------------------------------------------------------------------------- spec_changed


def cluster(**meta: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "c", "uid": "u", "generation": 1, "labels": {"a": "1"}, "annotations": {}}
    base.update(meta)
    return {"metadata": base, "spec": {}, "status": {}}


def test_spec_changed_for_a_new_object() -> None:
    assert spec_changed(None, cluster())


def test_spec_changed_ignores_status_and_resource_version() -> None:
    old = cluster(resourceVersion="1")
    new = cluster(resourceVersion="2")
    new["status"] = {"state": "ready"}
    assert not spec_changed(old, new)


@pytest.mark.parametrize(
    "change",
    [
        {"generation": 2},
        {"labels": {"a": "2"}},
        {"annotations": {"ray.io/x": "y"}},
        {"deletionTimestamp": "2024-01-01T00:00:00Z"},
        {"finalizers": ["ray.io/gcs-ft-redis-cleanup-finalizer"]},
        {"uid": "other"},
    ],
)
def test_spec_changed_on_metadata_changes(change: dict[str, Any]) -> None:
    assert spec_changed(cluster(), cluster(**change))


# --------------------------------------------------------------------------- pod sources


def pod(name: str, created: str, cluster_name: str = "c", namespace: str = "ns") -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "namespace": namespace,
            "creationTimestamp": created,
            "labels": {"ray.io/cluster": cluster_name},
            "managedFields": [{"manager": "x"}],
        },
        "spec": {"containers": [{"name": "ray-worker", "image": "i"}]},
    }


def test_index_pod_source() -> None:
    source = IndexPodSource()
    with pytest.raises(RuntimeError):
        source.pods_of("ns", "c")
    late, early = slim_pod(pod("late", "t2")), slim_pod(pod("early", "t1"))
    same_time_b, same_time_a = slim_pod(pod("b", "t1")), slim_pod(pod("a", "t1"))
    source.index = {("ns", "c"): [late, early, same_time_b, same_time_a]}
    # Oldest first, ties by name: a stable order for scale decisions.
    assert [p["metadata"]["name"] for p in source.pods_of("ns", "c")] == ["a", "b", "early", "late"]
    assert source.pods_of("ns", "other") == []
