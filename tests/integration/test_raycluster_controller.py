"""The RayCluster controller against a real control plane: children, status, scaling, repair.

Every test runs the operator process (``ray_operator`` fixture) against its own namespace and
checks what KubeRay users and tools observe: objects, labels, status fields, conditions, events.
"""

from __future__ import annotations

from typing import Any

import pytest

from helpers import (
    SERVICES,
    Watch,
    api_get,
    api_list,
    condition,
    condition_is,
    create,
    events,
    heads,
    live,
    names_of,
    patch,
    patch_raycluster,
    ray_pods,
    raycluster,
    raycluster_manifest,
    set_worker_replicas,
    stays,
    wait_pod_count,
    wait_ready,
    wait_until,
    worker_group,
    workers,
)
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster

KUBERAY_LABELS = {"app.kubernetes.io/name": "kuberay", "app.kubernetes.io/created-by": "kuberay-operator"}


def _controller_owner(obj: dict[str, Any], rc: dict[str, Any]) -> None:
    refs = obj["metadata"].get("ownerReferences") or []
    assert [(r["kind"], r["name"], r["uid"], r.get("controller")) for r in refs] == [
        ("RayCluster", rc["metadata"]["name"], rc["metadata"]["uid"], True)
    ], refs


def test_basic_cluster_becomes_ready_with_kuberay_children_status_and_events(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("basic", replicas=3))
    rc = wait_ready(kube_cluster, namespace, "basic", 3)
    status = rc["status"]

    # Status: counts, resources, head info, endpoints, generation.
    assert status["state"] == "ready"
    assert rc["metadata"]["generation"] == 1  # the operator never writes spec
    assert status["observedGeneration"] == 1
    assert (status["readyWorkerReplicas"], status["availableWorkerReplicas"]) == (3, 3)
    assert (status["desiredWorkerReplicas"], status["minWorkerReplicas"], status["maxWorkerReplicas"]) == (3, 0, 50)
    assert (status["desiredCPU"], status["desiredMemory"]) == ("400m", "512Mi")
    assert (status["desiredGPU"], status["desiredTPU"]) == ("0", "0")
    assert "ready" in status["stateTransitionTimes"]
    head = heads(kube_cluster, namespace, "basic")[0]
    assert status["head"] == {
        "podIP": head["status"]["podIP"],
        "podName": head["metadata"]["name"],
        "serviceIP": head["status"]["podIP"],  # headless service: the head pod's IP
        "serviceName": "basic-head-svc",
    }
    assert status["endpoints"] == {
        "client": "10001",
        "dashboard": "8265",
        "gcs-server": "6379",
        "metrics": "8080",
        "serve": "8000",
    }

    # Conditions with KubeRay's reasons.
    assert condition_is(rc, "HeadPodReady", "True", "HeadPodRunningAndReady")
    provisioned = condition(rc, "RayClusterProvisioned")
    assert provisioned is not None
    assert (provisioned["status"], provisioned["reason"]) == ("True", "AllPodRunningAndReadyFirstTime")
    assert provisioned["message"] == "All Ray Pods are ready for the first time"
    assert condition_is(rc, "RayClusterSuspending", "False", "RayClusterSuspending")
    assert condition_is(rc, "RayClusterSuspended", "False", "RayClusterSuspended")
    assert condition(rc, "ReplicaFailure") is None

    # The head Service: headless, KubeRay's ports (sorted by name) and selector, owned by the cluster.
    svc = api_get(kube_cluster, f"{SERVICES.format(ns=namespace)}/basic-head-svc")
    assert svc is not None
    selector = {
        "ray.io/cluster": "basic",
        "ray.io/node-type": "head",
        "ray.io/identifier": "basic-head",
        **KUBERAY_LABELS,
    }
    assert svc["spec"]["selector"] == selector
    assert svc["metadata"]["labels"] == selector
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["publishNotReadyAddresses"] is True
    assert [(p["name"], p["port"], p.get("appProtocol")) for p in svc["spec"]["ports"]] == [
        ("client", 10001, "tcp"),
        ("dashboard", 8265, "tcp"),
        ("gcs-server", 6379, "tcp"),
        ("metrics", 8080, "tcp"),
        ("serve", 8000, "tcp"),
    ]
    _controller_owner(svc, rc)

    # Pods: KubeRay's labels, owned by the cluster, scheduled and Running.
    pods = workers(kube_cluster, namespace, "basic")
    assert len(pods) == 3
    for pod, node_type, group in [(head, "head", "headgroup")] + [(p, "worker", "small") for p in pods]:
        labels = pod["metadata"]["labels"]
        expected = {
            "ray.io/cluster": "basic",
            "ray.io/node-type": node_type,
            "ray.io/group": group,
            "ray.io/identifier": f"basic-{node_type}",
            "ray.io/is-ray-node": "yes",
            **KUBERAY_LABELS,
        }
        assert {k: labels.get(k) for k in expected} == expected
        _controller_owner(pod, rc)
        assert pod["spec"]["nodeName"].startswith("kwok-node-")
    assert all(p["metadata"]["name"].startswith("basic-small-worker-") for p in pods)

    # Events (events.k8s.io/v1) from raycluster-controller, about the RayCluster.
    def created_events() -> dict[str, list[dict[str, Any]]] | None:
        found = {
            r: events(kube_cluster, namespace, r) for r in ("CreatedService", "CreatedHeadPod", "CreatedWorkerPod")
        }
        return found if len(found["CreatedWorkerPod"]) == 3 and all(found.values()) else None

    found = wait_until(created_events, what="creation events")
    for reason, items in found.items():
        for event in items:
            assert event["type"] == "Normal"
            assert event["reportingController"] == "raycluster-controller"
            assert event["action"] == "Create"
            assert (event["regarding"]["kind"], event["regarding"]["name"]) == ("RayCluster", "basic"), reason
    assert found["CreatedService"][0]["note"] == f"Created service {namespace}/basic-head-svc"
    assert found["CreatedHeadPod"][0]["note"] == f"Created head Pod {namespace}/{head['metadata']['name']}"
    assert {e["note"] for e in found["CreatedWorkerPod"]} == {
        f"Created worker Pod {namespace}/{n}" for n in names_of(pods)
    }


# --------------------------------------------------------------------------- scaling


def test_scale_up_and_down_follows_replicas(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("scale", replicas=1))
    wait_ready(kube_cluster, namespace, "scale", 1)
    first = names_of(workers(kube_cluster, namespace, "scale"))
    assert len(first) == 1

    set_worker_replicas(kube_cluster, namespace, "scale", 4)
    rc = wait_ready(kube_cluster, namespace, "scale", 4)
    assert rc["status"]["desiredWorkerReplicas"] == 4
    assert rc["status"]["availableWorkerReplicas"] == 4
    assert rc["status"]["desiredCPU"] == "500m"
    up_pods = workers(kube_cluster, namespace, "scale")
    up = names_of(up_pods)
    assert first <= up  # scaling up never replaces existing pods

    set_worker_replicas(kube_cluster, namespace, "scale", 2)
    wait_pod_count(kube_cluster, namespace, "scale", 2, "ray.io/node-type=worker")
    rc = wait_ready(kube_cluster, namespace, "scale", 2)
    assert (rc["status"]["desiredWorkerReplicas"], rc["status"]["availableWorkerReplicas"]) == (2, 2)
    assert rc["status"]["desiredCPU"] == "300m"
    down = names_of(workers(kube_cluster, namespace, "scale"))
    assert down <= up
    # Without the autoscaler the newest pods go first (creationTimestamp has 1 s resolution: ties are allowed).
    created = {p["metadata"]["name"]: p["metadata"]["creationTimestamp"] for p in up_pods}
    assert max(created[n] for n in down) <= min(created[n] for n in up - down)

    set_worker_replicas(kube_cluster, namespace, "scale", 0)
    wait_pod_count(kube_cluster, namespace, "scale", 0, "ray.io/node-type=worker")
    rc = wait_ready(kube_cluster, namespace, "scale", 0)
    assert rc["status"]["desiredWorkerReplicas"] == 0
    assert len(heads(kube_cluster, namespace, "scale")) == 1


def test_workers_to_delete_with_autoscaling_and_no_random_scale_down(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("auto", replicas=3, autoscaling=True))
    wait_ready(kube_cluster, namespace, "auto", 3)

    # Autoscaler RBAC named after the cluster, and the autoscaler sidecar in the head pod.
    for path in (
        f"/api/v1/namespaces/{namespace}/serviceaccounts/auto",
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/auto",
        f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/rolebindings/auto",
    ):
        obj = api_get(kube_cluster, path)
        assert obj is not None, path
        assert obj["metadata"]["labels"]["ray.io/cluster"] == "auto"
    head = heads(kube_cluster, namespace, "auto")[0]
    assert [c["name"] for c in head["spec"]["containers"]] == ["ray-head", "autoscaler"]
    assert head["spec"]["serviceAccountName"] == "auto"

    # Lowering replicas alone: the autoscaler decides which pods go, so the operator deletes none. The new
    # desiredWorkerReplicas proves a reconcile of the new spec (pods first, then status) has already run.
    before = workers(kube_cluster, namespace, "auto")
    set_worker_replicas(kube_cluster, namespace, "auto", 2)
    wait_until(
        lambda: (raycluster(kube_cluster, namespace, "auto") or {}).get("status", {}).get("desiredWorkerReplicas") == 2,
        what="desiredWorkerReplicas 2",
    )
    stays(
        lambda: names_of(live(workers(kube_cluster, namespace, "auto"))) == names_of(before),
        1.0,
        "all 3 workers kept",
    )

    # workersToDelete (as the autoscaler writes it, together with the lower replica count).
    victim = before[1]["metadata"]["name"]
    patch_raycluster(
        kube_cluster,
        namespace,
        "auto",
        [
            {"op": "replace", "path": "/spec/workerGroupSpecs/0/replicas", "value": 2},
            {"op": "add", "path": "/spec/workerGroupSpecs/0/scaleStrategy", "value": {"workersToDelete": [victim]}},
        ],
        type_="json",
    )
    remaining = wait_pod_count(kube_cluster, namespace, "auto", 2, "ray.io/node-type=worker")
    assert names_of(remaining) == names_of(before) - {victim}
    assert {p["metadata"]["uid"] for p in remaining} == {
        p["metadata"]["uid"] for p in before if p["metadata"]["name"] != victim
    }
    wait_ready(kube_cluster, namespace, "auto", 2)
    stays(lambda: len(workers(kube_cluster, namespace, "auto")) == 2, 1.0, "no replacement for the deleted worker")
    deleted = events(kube_cluster, namespace, "DeletedWorkerPod")
    assert [e["note"] for e in deleted] == [f"Deleted pod {namespace}/{victim}"]
    assert heads(kube_cluster, namespace, "auto")[0]["metadata"]["uid"] == head["metadata"]["uid"]


# --------------------------------------------------------------------------- suspend


def test_suspend_and_resume_the_whole_cluster(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("susp", replicas=2))
    wait_ready(kube_cluster, namespace, "susp", 2)

    with Watch(kube_cluster, namespace, "raycluster", "susp") as watch:
        patch_raycluster(kube_cluster, namespace, "susp", {"spec": {"suspend": True}})

        def suspended() -> dict[str, Any] | None:
            rc = raycluster(kube_cluster, namespace, "susp")
            return rc if condition_is(rc, "RayClusterSuspended", "True", "RayClusterSuspended") else None

        rc = wait_until(suspended, what="RayClusterSuspended=True")
        wait_until(lambda: condition_is(watch.seen[-1], "RayClusterSuspended", "True"), what="the watch to catch up")
    # Every status version the watch saw: Suspending=True first, then Suspended=True, never both.
    phases = [
        (condition(v, "RayClusterSuspending") or {}).get("status", "-")
        + (condition(v, "RayClusterSuspended") or {}).get("status", "-")
        for v in watch.seen
    ]
    compact = [p for i, p in enumerate(phases) if i == 0 or p != phases[i - 1]]
    assert compact == ["FalseFalse", "TrueFalse", "FalseTrue"], compact
    assert rc["status"]["state"] == "suspended"
    assert condition_is(rc, "RayClusterSuspending", "False")
    assert condition_is(rc, "RayClusterProvisioned", "False", "RayClusterPodsProvisioning")
    assert condition(rc, "RayClusterProvisioned")["message"] == "RayCluster has been suspended"  # type: ignore[index]
    assert ray_pods(kube_cluster, namespace, "susp") == []
    notes = [e["note"] for e in events(kube_cluster, namespace, "DeletedPod")]
    assert notes == [f"Deleted Pods for RayCluster {namespace}/susp due to suspension"]
    # Services are kept while suspended.
    assert api_get(kube_cluster, f"{SERVICES.format(ns=namespace)}/susp-head-svc") is not None
    stays(lambda: not ray_pods(kube_cluster, namespace, "susp"), 1.0, "no pods while suspended")

    patch_raycluster(kube_cluster, namespace, "susp", {"spec": {"suspend": False}})
    rc = wait_ready(kube_cluster, namespace, "susp", 2)
    assert condition_is(rc, "RayClusterSuspended", "False")
    assert condition_is(rc, "RayClusterSuspending", "False")
    assert condition_is(rc, "RayClusterProvisioned", "True", "AllPodRunningAndReadyFirstTime")


def test_suspend_and_resume_one_worker_group(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    groups = [worker_group("a", replicas=2), worker_group("b", replicas=1)]
    create(kube_cluster, namespace, raycluster_manifest("grp", groups=groups))
    wait_ready(kube_cluster, namespace, "grp", 3)
    head_uid = heads(kube_cluster, namespace, "grp")[0]["metadata"]["uid"]
    group_b = names_of(workers(kube_cluster, namespace, "grp", "b"))

    patch_raycluster(
        kube_cluster,
        namespace,
        "grp",
        [{"op": "add", "path": "/spec/workerGroupSpecs/0/suspend", "value": True}],
        "json",
    )
    wait_pod_count(kube_cluster, namespace, "grp", 0, "ray.io/group=a")
    rc = wait_ready(kube_cluster, namespace, "grp", 1)
    assert rc["status"]["desiredWorkerReplicas"] == 1
    assert names_of(workers(kube_cluster, namespace, "grp", "b")) == group_b
    notes = [e["note"] for e in events(kube_cluster, namespace, "DeletedWorkerPod")]
    assert notes == [f"Deleted all pods for suspended worker group a in RayCluster {namespace}/grp"]
    assert condition_is(rc, "RayClusterSuspended", "False")
    stays(lambda: not workers(kube_cluster, namespace, "grp", "a"), 1.0, "suspended group stays empty")

    patch_raycluster(
        kube_cluster,
        namespace,
        "grp",
        [{"op": "replace", "path": "/spec/workerGroupSpecs/0/suspend", "value": False}],
        "json",
    )
    rc = wait_ready(kube_cluster, namespace, "grp", 3)
    assert len(workers(kube_cluster, namespace, "grp", "a")) == 2
    assert names_of(workers(kube_cluster, namespace, "grp", "b")) == group_b
    assert heads(kube_cluster, namespace, "grp")[0]["metadata"]["uid"] == head_uid


# --------------------------------------------------------------------------- repair


def test_failed_worker_is_replaced(kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess) -> None:
    create(kube_cluster, namespace, raycluster_manifest("fail", replicas=2))
    wait_ready(kube_cluster, namespace, "fail", 2)
    before = workers(kube_cluster, namespace, "fail")
    victim = before[0]["metadata"]["name"]

    patch(kube_cluster, namespace, "pod", victim, {"status": {"phase": "Failed"}}, subresource="status")

    def replaced() -> list[dict[str, Any]] | None:
        pods = workers(kube_cluster, namespace, "fail")
        return pods if victim not in names_of(pods) and len(pods) == 2 else None

    after = wait_until(replaced, what="failed worker replaced")
    assert before[1]["metadata"]["name"] in names_of(after)
    wait_ready(kube_cluster, namespace, "fail", 2)
    notes = [e["note"] for e in events(kube_cluster, namespace, "DeletedWorkerPod")]
    assert notes == [
        f"Deleted worker Pod {namespace}/{victim}; Pod status: Failed; Pod restart policy: Always; "
        "Ray container terminated status: nil"
    ]


def _terminate_ray_container(cluster: LocalCluster, namespace: str, pod: dict[str, Any]) -> None:
    """Report the Ray container as exited (the pod stays Running, as a kubelet would report it)."""
    ray = pod["spec"]["containers"][0]["name"]
    statuses = pod["status"]["containerStatuses"]
    for cs in statuses:
        if cs["name"] == ray:
            cs.update(ready=False, started=False, containerID="containerd://0123")
            cs["state"] = {
                "terminated": {
                    "exitCode": 1,
                    "reason": "Error",
                    "message": "ray exited",
                    "startedAt": "2024-01-02T03:04:05Z",
                    "finishedAt": "2024-01-02T03:14:05Z",
                    "containerID": "containerd://0123",
                }
            }
    name = pod["metadata"]["name"]
    patched = patch(cluster, namespace, "pod", name, {"status": {"containerStatuses": statuses}}, subresource="status")
    assert patched["status"]["phase"] == "Running"


def test_running_worker_with_terminated_ray_container_is_replaced_only_with_restart_policy_never(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    groups = [worker_group("never", replicas=1), worker_group("always", replicas=1)]
    groups[0]["template"]["spec"]["restartPolicy"] = "Never"
    create(kube_cluster, namespace, raycluster_manifest("exit", groups=groups))
    wait_ready(kube_cluster, namespace, "exit", 2)
    (never,) = workers(kube_cluster, namespace, "exit", "never")
    (always,) = workers(kube_cluster, namespace, "exit", "always")

    _terminate_ray_container(kube_cluster, namespace, always)
    _terminate_ray_container(kube_cluster, namespace, never)

    name = never["metadata"]["name"]
    wait_until(lambda: name not in names_of(workers(kube_cluster, namespace, "exit")), what="worker deleted")
    wait_until(lambda: len(workers(kube_cluster, namespace, "exit", "never")) == 1, what="worker replaced")
    # restartPolicy Always: the kubelet restarts the container, the operator leaves the pod alone.
    stays(
        lambda: names_of(workers(kube_cluster, namespace, "exit", "always")) == {always["metadata"]["name"]},
        1.0,
        "the restartPolicy Always worker is kept",
    )
    notes = [e["note"] for e in events(kube_cluster, namespace, "DeletedWorkerPod")]
    assert notes == [
        f"Deleted worker Pod {namespace}/{name}; Pod status: Running; Pod restart policy: Never; "
        "Ray container terminated status: &ContainerStateTerminated{ExitCode:1,Signal:0,Reason:Error,"
        "Message:ray exited,StartedAt:2024-01-02 03:04:05 +0000 UTC,FinishedAt:2024-01-02 03:14:05 +0000 UTC,"
        "ContainerID:containerd://0123,}"
    ]


def test_head_pod_deleted_by_a_user_is_recreated(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("headless", replicas=1))
    wait_ready(kube_cluster, namespace, "headless", 1)
    head = heads(kube_cluster, namespace, "headless")[0]
    worker_names = names_of(workers(kube_cluster, namespace, "headless"))

    kube_cluster.kubectl("-n", namespace, "delete", "pod", head["metadata"]["name"], "--wait=false")

    def new_head() -> dict[str, Any] | None:
        found = heads(kube_cluster, namespace, "headless")
        return found[0] if len(found) == 1 and found[0]["metadata"]["uid"] != head["metadata"]["uid"] else None

    wait_until(new_head, what="a new head pod")
    rc = wait_ready(kube_cluster, namespace, "headless", 1)
    replacement = new_head()
    assert replacement is not None
    assert rc["status"]["head"]["podName"] == replacement["metadata"]["name"]
    assert rc["status"]["head"]["podIP"] == rc["status"]["head"]["serviceIP"] == replacement["status"]["podIP"]
    assert names_of(workers(kube_cluster, namespace, "headless")) == worker_names
    assert len(events(kube_cluster, namespace, "CreatedHeadPod")) == 2


# --------------------------------------------------------------------------- multi-host groups


def _replicas(pods: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for pod in pods:
        out.setdefault(pod["metadata"]["labels"]["ray.io/worker-group-replica-name"], []).append(pod)
    return out


def test_multi_host_group_is_created_and_repaired_one_whole_replica_at_a_time(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    groups = [worker_group("slice", replicas=2, min_replicas=1, max_replicas=3, numOfHosts=2)]
    create(kube_cluster, namespace, raycluster_manifest("mh", groups=groups))
    rc = wait_ready(kube_cluster, namespace, "mh", 4)
    assert (rc["status"]["desiredWorkerReplicas"], rc["status"]["minWorkerReplicas"]) == (4, 2)
    assert rc["status"]["maxWorkerReplicas"] == 6

    headless = api_get(kube_cluster, f"{SERVICES.format(ns=namespace)}/mh-headless")
    assert headless is not None
    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert headless["spec"]["selector"] == {"ray.io/cluster": "mh", "ray.io/node-type": "worker"}
    assert headless["metadata"]["labels"] == {"ray.io/headless-worker-svc": "mh"}
    _controller_owner(headless, rc)

    replicas = _replicas(workers(kube_cluster, namespace, "mh"))
    assert len(replicas) == 2 and all(len(m) == 2 for m in replicas.values())
    layout = {}
    for replica, members in replicas.items():
        assert replica.startswith("slice-")
        indices = {m["metadata"]["labels"]["ray.io/worker-group-replica-index"] for m in members}
        assert len(indices) == 1
        hosts = sorted(m["metadata"]["labels"]["ray.io/replica-host-index"] for m in members)
        assert hosts == ["0", "1"]
        layout[replica] = indices.pop()
    assert sorted(layout.values()) == ["0", "1"]

    # Losing one host of a replica: the operator removes the rest of it and recreates a whole replica.
    broken, kept = sorted(replicas)
    kept_uids = {p["metadata"]["uid"] for p in replicas[kept]}
    kube_cluster.kubectl("-n", namespace, "delete", "pod", replicas[broken][0]["metadata"]["name"], "--wait=false")

    def repaired() -> dict[str, list[dict[str, Any]]] | None:
        pods = workers(kube_cluster, namespace, "mh")
        found = _replicas(pods)
        if len(pods) != 4 or broken in found or len(found) != 2 or not all(len(m) == 2 for m in found.values()):
            return None
        return found

    after = wait_until(repaired, what="a whole new replica")
    assert {p["metadata"]["uid"] for p in after[kept]} == kept_uids
    (new,) = set(after) - {kept}
    assert {p["metadata"]["labels"]["ray.io/worker-group-replica-index"] for p in after[new]} == {layout[broken]}
    assert sorted(p["metadata"]["labels"]["ray.io/replica-host-index"] for p in after[new]) == ["0", "1"]
    wait_ready(kube_cluster, namespace, "mh", 4)
    notes = [e["note"] for e in events(kube_cluster, namespace, "DeletedWorkerPod")]
    survivor = replicas[broken][1]["metadata"]["name"]
    assert notes == [
        f"Deleted worker Pod {namespace}/{survivor} for group slice: cleanup of incomplete multi-host group"
    ]


# --------------------------------------------------------------------------- GCS fault tolerance


def test_gcs_ft_redis_cleanup_finalizer_runs_a_cleanup_job_on_deletion(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("ft", replicas=1, gcsFaultToleranceOptions={"redisAddress": "redis:6379"})
    create(kube_cluster, namespace, manifest)
    rc = wait_ready(kube_cluster, namespace, "ft", 1)
    assert rc["metadata"]["finalizers"] == ["ray.io/gcs-ft-redis-cleanup-finalizer"]

    kube_cluster.kubectl("-n", namespace, "delete", "raycluster", "ft", "--wait=false")

    job_path = f"/apis/batch/v1/namespaces/{namespace}/jobs/ft-redis-cleanup"
    job = wait_until(lambda: api_get(kube_cluster, job_path), what="the redis cleanup Job")
    assert job["metadata"]["labels"]["ray.io/node-type"] == "redis-cleanup"
    assert job["metadata"]["labels"]["ray.io/cluster"] == "ft"
    assert not ray_pods(kube_cluster, namespace, "ft", "ray.io/node-type in (head,worker)")
    (owner,) = job["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("RayCluster", "ft", True)

    # KWOK completes the Job's pod; only then may the finalizer go. Once the RayCluster is gone, the
    # Job (until garbage-collected with its owner) must be Complete.
    samples: list[tuple[bool, bool | None]] = []

    def removed() -> bool:
        rc = raycluster(kube_cluster, namespace, "ft")
        current = api_get(kube_cluster, job_path)
        samples.append((rc is not None, None if current is None else condition_is(current, "Complete", "True")))
        return rc is None

    wait_until(removed, timeout=60, what="RayCluster removed")
    assert all(complete is not False for exists, complete in samples if not exists), samples
    notes = [e["note"] for e in events(kube_cluster, namespace, "CreatedRedisCleanupJob")]
    assert notes == [f"Created Redis cleanup Job {namespace}/ft-redis-cleanup"]


def test_gcs_ft_finalizer_waits_for_an_unfinished_cleanup_job_then_is_forced_after_the_timeout(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("stuck", replicas=0, gcsFaultToleranceOptions={"redisAddress": "redis:6379"})
    manifest["metadata"]["annotations"] = {"ray.io/gcs-ft-deletion-timeout": "8"}
    create(kube_cluster, namespace, manifest)
    wait_ready(kube_cluster, namespace, "stuck", 0)
    # A cleanup Job that never finishes (suspended): the operator must find it and wait for it.
    stuck_job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "stuck-redis-cleanup",
            "labels": {"ray.io/cluster": "stuck", "ray.io/node-type": "redis-cleanup"},
        },
        "spec": {
            "suspend": True,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "none"}]}},
        },
    }
    create(kube_cluster, namespace, stuck_job)
    kube_cluster.kubectl("-n", namespace, "delete", "raycluster", "stuck", "--wait=false")

    def waiting() -> bool:
        rc = raycluster(kube_cluster, namespace, "stuck")
        return rc is not None and rc["metadata"].get("finalizers") == ["ray.io/gcs-ft-redis-cleanup-finalizer"]

    stays(waiting, seconds=4, what="the finalizer held while the cleanup Job runs")
    assert not events(kube_cluster, namespace, "CreatedRedisCleanupJob")  # the existing Job was used
    wait_until(lambda: raycluster(kube_cluster, namespace, "stuck") is None, timeout=30, what="forced removal")
    (forced,) = events(kube_cluster, namespace, "ForceDeletedStuckCluster", "Warning")
    assert forced["note"].startswith("Force-removed GCS FT finalizer after ")
    assert forced["note"].endswith('due to Redis cleanup timeout; Redis storage namespace "" may need manual cleanup')


# --------------------------------------------------------------------------- metrics


def _metric_lines(text: str, family: str, **labels: str) -> list[str]:
    wanted = [f'{k}="{v}"' for k, v in labels.items()]
    return [line for line in text.splitlines() if line.startswith(family + "{") and all(w in line for w in wanted)]


def _reconciles(operator: OperatorProcess) -> float:
    status, text = operator.get(operator.metrics_url)
    assert status == 200
    return sum(float(line.rsplit(" ", 1)[1]) for line in _metric_lines(text, "controller_runtime_reconcile_total"))


def test_status_is_not_rewritten_when_nothing_changed(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("quiet", replicas=1))
    wait_ready(kube_cluster, namespace, "quiet", 1)
    stays(lambda: True, 1.0, "settling")
    version = raycluster(kube_cluster, namespace, "quiet")["metadata"]["resourceVersion"]  # type: ignore[index]
    before = _reconciles(ray_operator)
    # A pod event makes the operator reconcile; nothing about the cluster changes.
    worker = workers(kube_cluster, namespace, "quiet")[0]["metadata"]["name"]
    kube_cluster.kubectl("-n", namespace, "label", "pod", worker, "poke=1")
    wait_until(lambda: _reconciles(ray_operator) > before, what="a reconcile after the pod event")
    stays(
        lambda: raycluster(kube_cluster, namespace, "quiet")["metadata"]["resourceVersion"] == version,  # type: ignore[index]
        2.0,
        "no status write",
    )


def test_provisioned_duration_and_cluster_info_metrics(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("metered", replicas=1))
    rc = wait_ready(kube_cluster, namespace, "metered", 1)
    uid = rc["metadata"]["uid"]

    def scraped() -> tuple[list[str], list[str]] | None:
        status, text = ray_operator.get(ray_operator.metrics_url)
        assert status == 200
        duration = _metric_lines(
            text, "kuberay_cluster_provisioned_duration_seconds", name="metered", namespace=namespace
        )
        info = _metric_lines(text, "kuberay_cluster_info", name="metered", namespace=namespace)
        return (duration, info) if duration and info else None

    duration, info = wait_until(scraped, what="provisioned duration and info metrics")
    assert len(duration) == 1 and f'uid="{uid}"' in duration[0]
    assert 0 <= float(duration[0].rsplit(" ", 1)[1]) < 120
    assert len(info) == 1 and f'uid="{uid}"' in info[0] and 'owner_kind="None"' in info[0]
    assert info[0].rsplit(" ", 1)[1] == "1.0"

    # Deleting the cluster removes its series.
    kube_cluster.kubectl("-n", namespace, "delete", "raycluster", "metered", "--wait=false")

    def forgotten() -> bool:
        _, text = ray_operator.get(ray_operator.metrics_url)
        return not _metric_lines(
            text, "kuberay_cluster_provisioned_duration_seconds", name="metered", namespace=namespace
        ) and not _metric_lines(text, "kuberay_cluster_info", name="metered", namespace=namespace)

    wait_until(forgotten, what="series of the deleted cluster removed")


# --------------------------------------------------------------------------- deletion


def test_deleting_the_raycluster_garbage_collects_pods_and_services(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    create(kube_cluster, namespace, raycluster_manifest("gone", replicas=2, autoscaling=True))
    wait_ready(kube_cluster, namespace, "gone", 2)
    assert api_get(kube_cluster, f"{SERVICES.format(ns=namespace)}/gone-head-svc") is not None

    kube_cluster.kubectl("-n", namespace, "delete", "raycluster", "gone", "--wait=false")

    def collected() -> bool:
        return (
            raycluster(kube_cluster, namespace, "gone") is None
            and not ray_pods(kube_cluster, namespace, "gone")
            and not api_list(kube_cluster, SERVICES.format(ns=namespace))
            and api_get(kube_cluster, f"/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/gone") is None
        )

    # kube-controller-manager's garbage collector only watches a custom resource kind after its discovery
    # resync (every 30 s, not configurable), so right after the CRDs are installed this takes up to ~45 s;
    # this test is last in the file so that it usually runs after that window.
    wait_until(collected, timeout=90, what="RayCluster, pods, services and RBAC gone")
    stays(lambda: not ray_pods(kube_cluster, namespace, "gone"), 1.0, "no pod recreated after deletion")
