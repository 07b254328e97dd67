"""RayClusterReconciler end to end against an in-memory API server (:mod:`fake_kube`).

Each test drives ``reconcile((ns, name))`` and asserts what KubeRay users can observe: API
traffic, the objects it leaves behind, events (reason + note) and status. The pod cache is a
plain dict the test controls; pods the reconciler creates only appear in it when a test copies
them over, which is how a watch that lags behind our own writes is simulated.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any, cast

import pytest

from ray_operator.config import OperatorConfig
from ray_operator.controllers.raycluster import raycluster_controller
from ray_operator.framework import k8s
from ray_operator.framework.conditions import find_condition
from ray_operator.framework.controller import Controller, RetryLater
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.events import EventRecorder
from ray_operator.framework.expectations import ScaleExpectations
from ray_operator.framework.reconciler import StatusConflict
from ray_operator.reconcilers.raycluster import GCS_FT_FINALIZER, RayClusterReconciler
from unit.fake_kube import FakeKube, rfc3339
from unit.harness_parts import Clock, informers_for, normal, warning

NS = "team"
NAME = "rc"
KEY = (NS, NAME)
RESYNC = 123.0  # distinct from every other requeue value, so returning it proves "nothing pending"
CONFIG = dataclasses.replace(OperatorConfig(), raycluster_requeue_seconds=RESYNC)
HEAD_SVC = f"{NAME}-head-svc"


def manifest(
    *,
    replicas: int = 2,
    annotations: Mapping[str, str] | None = None,
    status: Mapping[str, Any] | None = None,
    head_env: list[dict[str, str]] | None = None,
    group: Mapping[str, Any] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    head_container: dict[str, Any] = {"name": "ray-head", "image": "rayproject/ray:2.41.0"}
    if head_env:
        head_container["env"] = head_env
    body: dict[str, Any] = {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": NAME, "namespace": NS, "generation": 1, "annotations": dict(annotations or {})},
        "spec": {
            "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [head_container]}}},
            "workerGroupSpecs": [
                {
                    "groupName": "g",
                    "replicas": replicas,
                    "minReplicas": 0,
                    "maxReplicas": 10,
                    "rayStartParams": {},
                    "template": {"spec": {"containers": [{"name": "ray-worker", "image": "rayproject/ray:2.41.0"}]}},
                    **(group or {}),
                }
            ],
            **spec,
        },
    }
    if status is not None:
        body["status"] = dict(status)
    return body


def pod(
    name: str,
    node_type: str = "worker",
    group: str = "g",
    *,
    phase: str = "Running",
    ready: bool = True,
    created: str = "2027-01-15T07:00:00Z",
    restart_policy: str = "Always",
) -> dict[str, Any]:
    head = node_type == "head"
    return {
        "metadata": {
            "name": name,
            "namespace": NS,
            "creationTimestamp": created,
            "labels": {
                "ray.io/cluster": NAME,
                "ray.io/node-type": node_type,
                "ray.io/group": "headgroup" if head else group,
                "ray.io/is-ray-node": "yes",
            },
        },
        "spec": {
            "restartPolicy": restart_policy,
            "containers": [{"name": "ray-head" if head else "ray-worker", "image": "rayproject/ray:2.41.0"}],
        },
        "status": _pod_status(phase, ready),
    }


def _pod_status(phase: str, ready: bool) -> dict[str, Any]:
    status: dict[str, Any] = {"phase": phase, "podIP": "10.0.0.7"}
    if phase == "Running":
        status["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
    return status


class Harness:
    """The reconciler wired to a :class:`FakeKube` and the informers of the RayCluster controller.

    The informers hold what the watch delivered: tests move server state into them explicitly
    (``sync_cluster``, ``cache_server_pods``); the reconciler's own writes go through to them as in
    the operator.
    """

    def __init__(self, body: Mapping[str, Any], config: OperatorConfig = CONFIG) -> None:
        self.clock = Clock()
        self.kube = FakeKube(clock=self.clock)
        client = cast(k8s.KubeClient, self.kube)
        spec = raycluster_controller(config)
        self.informers = informers_for(spec)
        self.store = self.informers[k8s.RAYCLUSTERS]
        self.pod_cache = self.informers[k8s.PODS]
        self.store.apply(self.kube.put(k8s.RAYCLUSTERS, body))
        self.expectations = ScaleExpectations(clock=self.clock)
        context = ControllerContext(
            client,
            self.informers,
            EventRecorder(client, "raycluster-controller"),
            Controller("raycluster"),
            spec.primary,
        )
        self.reconciler = RayClusterReconciler(context, config, self.expectations, clock=self.clock)

    async def reconcile(self) -> float | None:
        return await self.reconciler.reconcile(KEY)

    # --- pods -------------------------------------------------------------------------------

    def add_pods(self, *pods: dict[str, Any]) -> None:
        """Pods that exist on the server and are in the cache."""
        for p in pods:
            self.pod_cache.apply(self.kube.put(k8s.PODS, p))

    def server_pods(self) -> list[dict[str, Any]]:
        return self.kube.all(k8s.PODS, NS)

    def server_pod_names(self) -> set[str]:
        return {p["metadata"]["name"] for p in self.server_pods()}

    def cached_pod_names(self) -> set[str]:
        return {p["metadata"]["name"] for p in self.pod_cache}

    def forget_cached_pods(self, *names: str) -> None:
        """The watch has not delivered these yet (simulates a cache lagging behind our writes)."""
        for name in names:
            cached = self.pod_cache.get((NS, name))
            if cached is not None:
                self.pod_cache.remove(cached)

    def cache_server_pods(self, phase: str = "Running", ready: bool = True) -> None:
        """The watch catches up: the cache holds what the server holds, in the given state."""
        for cached in list(self.pod_cache):
            self.pod_cache.remove(cached)
        for p in self.server_pods():
            p["status"] = _pod_status(phase, ready)
            self.pod_cache.apply(p)

    # --- the cluster ------------------------------------------------------------------------

    def server_cluster(self) -> dict[str, Any] | None:
        return self.kube.peek(k8s.RAYCLUSTERS, NAME, NS)

    def stored_cluster(self) -> dict[str, Any]:
        body = self.store.get(KEY)
        assert body is not None
        return body

    def sync_cluster(self) -> None:
        """Deliver the server's current RayCluster to the store (a watch event)."""
        current = self.server_cluster()
        assert current is not None
        self.store.apply(current)

    def mark_deleted(self) -> None:
        """``kubectl delete``: the API server sets deletionTimestamp (finalizers hold the object)."""
        self.kube.mutate(
            k8s.RAYCLUSTERS,
            NAME,
            NS,
            lambda obj: obj["metadata"].__setitem__("deletionTimestamp", rfc3339(self.clock())),
        )
        self.sync_cluster()

    def condition(self, type_: str) -> Mapping[str, Any] | None:
        cluster = self.server_cluster()
        assert cluster is not None
        return find_condition((cluster.get("status") or {}).get("conditions"), type_)

    def status_patches(self) -> int:
        return sum(1 for c in self.kube.find("patch", "rayclusters") if c.subresource == "status")


def with_head_service(h: Harness) -> Harness:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": HEAD_SVC, "namespace": NS}}
    h.informers[k8s.SERVICES].apply(h.kube.put(k8s.SERVICES, {**service, "spec": {"clusterIP": "None"}}))
    return h


def ready_cluster(**kwargs: Any) -> Harness:
    """A cluster whose head Service, head and two workers exist and are Running+Ready."""
    h = with_head_service(Harness(manifest(**kwargs)))
    h.add_pods(
        pod(f"{NAME}-head-aaaaa", "head", created="2027-01-15T07:00:00Z"),
        pod(f"{NAME}-g-worker-bbbbb", created="2027-01-15T07:00:01Z"),
        pod(f"{NAME}-g-worker-ccccc", created="2027-01-15T07:00:02Z"),
    )
    return h


# ---------------------------------------------------------------------------------- 1, 2: create


async def test_first_pass_creates_service_head_and_workers_and_writes_status_once() -> None:
    h = Harness(manifest(replicas=2))

    assert await h.reconcile() == RESYNC

    names = sorted(h.server_pod_names())
    head = f"{NAME}-head-00001"
    workers = [f"{NAME}-g-worker-00002", f"{NAME}-g-worker-00003"]
    assert names == sorted([head, *workers])
    assert h.kube.keys("create", "services") == [("create", "services", HEAD_SVC)]
    assert len(h.kube.find("create", "pods")) == 3
    assert h.kube.events() == [
        normal("CreatedService", f"Created service {NS}/{HEAD_SVC}"),
        normal("CreatedHeadPod", f"Created head Pod {NS}/{head}"),
        normal("CreatedWorkerPod", f"Created worker Pod {NS}/{workers[0]}"),
        normal("CreatedWorkerPod", f"Created worker Pod {NS}/{workers[1]}"),
    ]
    assert h.status_patches() == 1
    status = (h.server_cluster() or {})["status"]
    assert status["desiredWorkerReplicas"] == 2
    assert status["readyWorkerReplicas"] == 0
    assert "state" not in status  # nothing is running yet
    head_ready = dict(h.condition("HeadPodReady") or {})
    assert head_ready.pop("lastTransitionTime")
    assert head_ready == {
        "type": "HeadPodReady",
        "status": "False",
        "reason": "HeadPodNotFound",
        "message": "Head Pod not found",
    }
    # The reconciler keeps its store current from its own write (no watch event needed).
    assert h.stored_cluster()["status"] == status


async def test_expectations_prevent_creating_pods_twice_while_the_cache_lags() -> None:
    h = Harness(manifest(replicas=2))
    await h.reconcile()
    assert len(h.server_pods()) == 3
    h.kube.reset()

    # The watch has not delivered the 3 new pods: the cache still says there are none.
    assert await h.reconcile() == 1.0
    assert h.kube.find("create", "pods") == []
    assert len(h.server_pods()) == 3
    assert h.expectations.pending(NS, NAME) == 3

    h.cache_server_pods(phase="Pending")
    h.kube.reset()
    assert await h.reconcile() == RESYNC
    assert h.kube.find("create", "pods") == []
    assert h.kube.find("delete", "pods") == []
    assert h.expectations.pending(NS, NAME) == 0


async def test_expired_create_expectations_let_the_reconciler_recreate_lost_pods() -> None:
    """KubeRay's 30 s create timeout: a pod that never shows up (deleted at once) is replaced."""
    h = Harness(manifest(replicas=1))
    await h.reconcile()
    h.clock.now += 31
    h.kube.reset()
    assert await h.reconcile() == RESYNC
    assert len(h.kube.find("create", "pods")) == 2  # head and worker again: the cache never saw them


# ---------------------------------------------------------------------------------- 3, 13: steady state


async def test_status_is_written_only_when_it_changed() -> None:
    h = ready_cluster()

    assert await h.reconcile() == RESYNC
    assert h.status_patches() == 1
    cluster = h.server_cluster() or {}
    assert cluster["status"]["state"] == "ready"
    assert cluster["status"]["readyWorkerReplicas"] == 2
    assert (h.condition("RayClusterProvisioned") or {}).get("status") == "True"
    assert (h.condition("HeadPodReady") or {}).get("reason") == "HeadPodRunningAndReady"

    h.kube.reset()
    assert await h.reconcile() == RESYNC
    assert h.status_patches() == 0


async def test_steady_state_pass_makes_no_api_calls() -> None:
    """Everything a steady pass reads (head Service included) comes from the informers."""
    h = ready_cluster()
    await h.reconcile()
    h.kube.reset()

    assert await h.reconcile() == RESYNC
    assert h.kube.keys() == []
    assert h.kube.events() == []


# ---------------------------------------------------------------------------------- 4, 5: scale down


def _four_workers() -> list[dict[str, Any]]:
    return [
        pod("w-old", created="2027-01-15T07:00:01Z"),
        pod("w-unready", created="2027-01-15T07:00:02Z", ready=False),
        pod("w-new", created="2027-01-15T07:00:03Z"),
        pod("w-mid", created="2027-01-15T07:00:02Z"),
    ]


async def test_scale_down_deletes_unready_then_newest_workers_first() -> None:
    h = with_head_service(Harness(manifest(replicas=2)))
    h.add_pods(pod(f"{NAME}-head-aaaaa", "head"), *_four_workers())

    assert await h.reconcile() == RESYNC

    assert h.kube.keys("delete", "pods") == [("delete", "pods", "w-unready"), ("delete", "pods", "w-new")]
    assert h.server_pod_names() == {f"{NAME}-head-aaaaa", "w-old", "w-mid"}
    assert h.kube.events() == [
        normal("DeletedWorkerPod", f"Deleted Pod {NS}/w-unready"),
        normal("DeletedWorkerPod", f"Deleted Pod {NS}/w-new"),
    ]
    assert h.kube.find("create", "pods") == []

    # The cache still lists the deleted pods: the group waits instead of deleting two more.
    h.kube.reset()
    assert await h.reconcile() == 1.0
    assert h.kube.find("delete", "pods") == []


async def test_scale_down_with_autoscaler_deletes_nothing() -> None:
    h = ready_cluster(replicas=1, enableInTreeAutoscaling=True)

    assert await h.reconcile() == RESYNC

    assert h.kube.find("delete", "pods") == []
    assert h.kube.find("deletecollection", "pods") == []
    assert len(h.server_pods()) == 3
    assert "DeletedWorkerPod" not in h.kube.reasons()


async def test_scale_down_with_autoscaler_deletes_when_random_pod_delete_is_enabled() -> None:
    h = ready_cluster(replicas=1, enableInTreeAutoscaling=True)
    h.reconciler.config = dataclasses.replace(CONFIG, enable_random_pod_delete=True)

    assert await h.reconcile() == RESYNC

    # Both workers are Ready: the newer one goes.
    assert h.kube.keys("delete", "pods") == [("delete", "pods", f"{NAME}-g-worker-ccccc")]
    assert normal("DeletedWorkerPod", f"Deleted Pod {NS}/{NAME}-g-worker-ccccc") in h.kube.events()


async def test_workers_to_delete_deletes_exactly_the_named_pod_of_the_group() -> None:
    older, newer = f"{NAME}-g-worker-bbbbb", f"{NAME}-g-worker-ccccc"
    other_group_pod = f"{NAME}-other-worker-zzzzz"
    h = ready_cluster(
        replicas=1,
        enableInTreeAutoscaling=True,
        group={"scaleStrategy": {"workersToDelete": [older, other_group_pod, "no-such-pod"]}},
    )
    h.add_pods(pod(other_group_pod, group="other"))

    assert await h.reconcile() == RESYNC

    assert h.kube.keys("delete", "pods") == [("delete", "pods", older)]
    assert h.server_pod_names() == {f"{NAME}-head-aaaaa", newer, other_group_pod}
    assert [e for e in h.kube.events() if e[1] == "DeletedWorkerPod"] == [
        normal("DeletedWorkerPod", f"Deleted pod {NS}/{older}")
    ]
    assert h.kube.find("create", "pods") == []


async def test_suspended_worker_group_loses_its_pods_and_nothing_else() -> None:
    h = ready_cluster(group={"suspend": True})

    assert await h.reconcile() == RESYNC

    assert [c.body for c in h.kube.find("deletecollection", "pods")] == [f"ray.io/cluster={NAME},ray.io/group=g"]
    assert h.server_pod_names() == {f"{NAME}-head-aaaaa"}
    assert h.kube.events() == [
        normal("DeletedWorkerPod", f"Deleted all pods for suspended worker group g in RayCluster {NS}/{NAME}")
    ]


async def test_multi_host_replicas_are_created_whole() -> None:
    h = with_head_service(Harness(manifest(replicas=2, group={"numOfHosts": 2})))
    h.add_pods(pod(f"{NAME}-head-aaaaa", "head"))

    assert await h.reconcile() == RESYNC

    workers = [p for p in h.server_pods() if p["metadata"]["labels"]["ray.io/node-type"] == "worker"]
    replicas: dict[str, set[tuple[str, str]]] = {}
    for p in workers:
        labels = p["metadata"]["labels"]
        replicas.setdefault(labels["ray.io/worker-group-replica-name"], set()).add(
            (labels["ray.io/worker-group-replica-index"], labels["ray.io/replica-host-index"])
        )
    assert sorted(map(sorted, replicas.values())) == [[("0", "0"), ("0", "1")], [("1", "0"), ("1", "1")]]
    assert h.kube.keys("create", "services") == [("create", "services", f"{NAME}-headless")]


# ---------------------------------------------------------------------------------- 6, 7: unhealthy and missing pods


def _terminal_note(verb: str, kind: str, name: str, phase: str) -> str:
    return (
        f"{verb} {kind} Pod {NS}/{name}; Pod status: {phase}; Pod restart policy: Never; "
        "Ray container terminated status: nil"
    )


async def test_terminal_workers_are_deleted_and_nothing_is_created_in_that_pass() -> None:
    h = with_head_service(Harness(manifest(replicas=3)))
    h.add_pods(
        pod(f"{NAME}-head-aaaaa", "head"),
        pod("w-ok"),
        pod("w-done", phase="Succeeded", restart_policy="Never"),
        pod("w-failed", phase="Failed", restart_policy="Never"),
    )

    with pytest.raises(RetryLater, match="delete 2 unhealthy worker Pods"):
        await h.reconcile()

    assert sorted(h.kube.keys("delete", "pods")) == [("delete", "pods", "w-done"), ("delete", "pods", "w-failed")]
    assert h.kube.find("create", "pods") == []
    assert h.kube.events() == [
        normal("DeletedWorkerPod", _terminal_note("Deleted", "worker", "w-done", "Succeeded")),
        normal("DeletedWorkerPod", _terminal_note("Deleted", "worker", "w-failed", "Failed")),
    ]
    assert h.status_patches() == 1  # the status is still reported when the pass fails


async def test_failed_head_is_deleted() -> None:
    head = f"{NAME}-head-aaaaa"
    h = Harness(manifest(replicas=1))
    h.add_pods(pod(head, "head", phase="Failed", restart_policy="Never"), pod("w-1"))

    with pytest.raises(RetryLater):
        await h.reconcile()

    assert h.kube.keys("delete", "pods") == [("delete", "pods", head)]
    assert h.kube.find("create", "pods") == []
    assert normal("DeletedHeadPod", _terminal_note("Deleted", "head", head, "Failed")) in h.kube.events()

    # The cache still shows the failed head: no replacement yet, and no second delete.
    h.kube.reset()
    assert await h.reconcile() == 1.0
    assert h.kube.writes() == []

    # The deletion reached the cache: a new head is created.
    h.forget_cached_pods(head)
    assert await h.reconcile() == RESYNC
    assert h.kube.keys("create", "pods") == [("create", "pods", f"{NAME}-head-00001")]


PROVISIONED_STATUS = {
    "conditions": [
        {
            "type": "RayClusterProvisioned",
            "status": "True",
            "reason": "AllPodRunningAndReadyFirstTime",
            "message": "All Ray Pods are ready for the first time",
            "lastTransitionTime": "2027-01-15T07:00:00Z",
        }
    ]
}


async def test_missing_head_of_provisioned_cluster_is_not_recreated_with_disable_annotation() -> None:
    h = Harness(
        manifest(
            replicas=1,
            annotations={"ray.io/disable-provisioned-head-restart": "true"},
            status=PROVISIONED_STATUS,
        )
    )
    h.add_pods(pod("w-1"))

    assert await h.reconcile() == RESYNC

    assert h.kube.find("create", "pods") == []
    assert h.server_pod_names() == {"w-1"}


async def test_missing_head_of_provisioned_cluster_is_recreated_without_the_annotation() -> None:
    h = Harness(manifest(replicas=1, status=PROVISIONED_STATUS))
    h.add_pods(pod("w-1"))

    assert await h.reconcile() == RESYNC

    assert h.kube.keys("create", "pods") == [("create", "pods", f"{NAME}-head-00001")]
    assert normal("CreatedHeadPod", f"Created head Pod {NS}/{NAME}-head-00001") in h.kube.events()


# ---------------------------------------------------------------------------------- 8, 9, 12: refusing and failing


async def test_cluster_managed_by_multikueue_is_left_alone() -> None:
    h = Harness(manifest(managedBy="kueue.x-k8s.io/multikueue"))

    assert await h.reconcile() is None

    assert h.kube.calls == []
    assert h.server_pods() == []


async def test_failed_pod_create_reports_replica_failure_and_retries() -> None:
    h = Harness(manifest(replicas=1))
    h.add_pods(pod(f"{NAME}-head-aaaaa", "head"))
    message = 'Pod "rc-g-worker-" is invalid: strict decoding error: unknown field "spec.containers[0].imagePullPolcy"'
    h.kube.fail("create", "pods", k8s.BadRequest(400, "BadRequest", message))

    with pytest.raises(RetryLater):
        await h.reconcile()

    assert (
        warning("FailedToCreateWorkerPod", f"Failed to create worker Pod for the cluster {NS}/{NAME}, {message}")
        in h.kube.events()
    )
    failure = h.condition("ReplicaFailure")
    assert failure is not None
    assert (failure["status"], failure["reason"], failure["message"]) == ("True", "FailedCreateWorkerPod", message)
    assert h.server_pod_names() == {f"{NAME}-head-aaaaa"}


async def test_replica_failure_is_cleared_by_the_next_successful_pass() -> None:
    h = Harness(manifest(replicas=1))
    h.add_pods(pod(f"{NAME}-head-aaaaa", "head"))
    h.kube.fail("create", "pods", k8s.BadRequest(400, "BadRequest", "quota exceeded"), times=1)
    with pytest.raises(RetryLater):
        await h.reconcile()
    assert h.condition("ReplicaFailure") is not None

    assert await h.reconcile() == RESYNC

    assert len(h.kube.find("create", "pods")) == 2  # the failed attempt and the retry
    assert h.condition("ReplicaFailure") is None


async def test_invalid_spec_is_reported_and_nothing_is_created() -> None:
    h = Harness(manifest(head_env=[{"name": "RAY_enable_autoscaler_v2", "value": "true"}]))

    assert await h.reconcile() is None

    message = (
        "environment variable RAY_enable_autoscaler_v2 cannot be set to 'true' when enableInTreeAutoscaling is "
        "false. Please set enableInTreeAutoscaling: true to use autoscaler v2"
    )
    assert h.kube.events() == [
        warning("InvalidRayClusterSpec", f"The RayCluster spec is invalid {NS}/{NAME}: {message}"),
    ]
    condition = h.condition("ValidationFailed")
    assert condition is not None
    assert (condition["status"], condition["reason"], condition["message"]) == (
        "True",
        "InvalidRayClusterSpec",
        message,
    )
    assert [c.key for c in h.kube.writes()] == [("patch", "rayclusters", NAME)]
    assert h.server_pods() == []
    assert h.kube.all(k8s.SERVICES) == []


# ---------------------------------------------------------------------------------- 10: GCS FT finalizer


def gcs_ft_cluster(**annotations: str) -> Harness:
    return Harness(
        manifest(
            replicas=1,
            annotations=annotations,
            gcsFaultToleranceOptions={"redisAddress": "redis:6379"},
        )
    )


def _finalizers(h: Harness) -> list[str]:
    cluster = h.server_cluster()
    return list(((cluster or {}).get("metadata") or {}).get("finalizers") or [])


async def test_gcs_ft_finalizer_is_added_with_optimistic_concurrency_before_any_pod() -> None:
    h = gcs_ft_cluster()
    rv = h.stored_cluster()["metadata"]["resourceVersion"]

    assert await h.reconcile() == 2.0

    patches = h.kube.find("patch", "rayclusters")
    assert len(patches) == 1
    assert patches[0].subresource is None
    assert patches[0].body == {"metadata": {"finalizers": [GCS_FT_FINALIZER], "resourceVersion": rv}}
    assert _finalizers(h) == [GCS_FT_FINALIZER]
    assert h.stored_cluster()["metadata"]["finalizers"] == [GCS_FT_FINALIZER]
    assert h.kube.find("create", "pods") == []
    assert h.kube.find("create", "services") == []


async def test_gcs_ft_finalizer_patch_from_a_stale_store_conflicts() -> None:
    h = gcs_ft_cluster()
    h.kube.mutate(k8s.RAYCLUSTERS, NAME, NS, lambda obj: obj["metadata"].setdefault("labels", {}).update(a="b"))

    with pytest.raises(StatusConflict):
        await h.reconcile()

    assert _finalizers(h) == []


async def test_gcs_ft_deletion_runs_the_redis_cleanup_job_then_removes_the_finalizer() -> None:
    h = gcs_ft_cluster()
    await h.reconcile()  # adds the finalizer
    await h.reconcile()  # creates the pods
    assert len(h.server_pods()) == 2
    h.mark_deleted()
    h.kube.reset()

    # Pods still cached: they are deleted, and the cleanup waits for the head to go away.
    h.cache_server_pods()
    assert await h.reconcile() == 10.0
    [collection] = h.kube.find("deletecollection", "pods")
    assert collection.body == f"ray.io/cluster={NAME},ray.io/node-type in (head,worker)"
    assert h.server_pods() == []
    assert h.kube.find("create", "jobs") == []

    h.forget_cached_pods(*h.cached_pod_names())
    h.kube.reset()
    assert await h.reconcile() == 2.0
    job_name = f"{NAME}-redis-cleanup"
    assert h.kube.keys("create", "jobs") == [("create", "jobs", job_name)]
    assert normal("CreatedRedisCleanupJob", f"Created Redis cleanup Job {NS}/{job_name}") in h.kube.events()
    assert _finalizers(h) == [GCS_FT_FINALIZER]

    # The Job runs: the finalizer stays, no second Job.
    h.kube.reset()
    assert await h.reconcile() == 2.0
    assert h.kube.find("create", "jobs") == []
    assert h.kube.find("patch", "rayclusters") == []
    assert _finalizers(h) == [GCS_FT_FINALIZER]

    def complete(job: dict[str, Any]) -> None:
        job["status"] = {"conditions": [{"type": "Complete", "status": "True"}], "succeeded": 1}

    h.informers[k8s.JOBS].apply(h.kube.mutate(k8s.JOBS, job_name, NS, complete))  # the watch delivers it
    h.kube.reset()
    assert await h.reconcile() is None
    assert h.kube.keys("patch", "rayclusters") == [("patch", "rayclusters", NAME)]
    assert h.server_cluster() is None  # the last finalizer is gone: the API server deleted it


async def test_gcs_ft_finalizer_is_force_removed_after_the_deletion_timeout() -> None:
    h = gcs_ft_cluster(**{"ray.io/gcs-ft-deletion-timeout": "5"})
    await h.reconcile()
    h.mark_deleted()
    assert await h.reconcile() == 2.0  # creates the cleanup Job, which never finishes
    assert h.kube.all(k8s.JOBS, NS) != []

    h.clock.now += 6
    h.kube.reset()
    assert await h.reconcile() is None

    assert h.server_cluster() is None
    assert h.kube.events() == [
        warning(
            "ForceDeletedStuckCluster",
            # KubeRay prints the (here unset) ray.io/external-storage-namespace annotation.
            'Force-removed GCS FT finalizer after 6s due to Redis cleanup timeout; Redis storage namespace "" '
            "may need manual cleanup",
        )
    ]


async def test_gcs_ft_finalizer_stays_before_the_deletion_timeout() -> None:
    h = gcs_ft_cluster(**{"ray.io/gcs-ft-deletion-timeout": "5"})
    await h.reconcile()
    h.mark_deleted()
    await h.reconcile()
    h.clock.now += 4
    h.kube.reset()

    assert await h.reconcile() == 2.0

    assert _finalizers(h) == [GCS_FT_FINALIZER]
    assert h.kube.events() == []


# ---------------------------------------------------------------------------------- 11: suspend


async def test_suspend_sets_suspending_then_deletes_all_pods() -> None:
    h = ready_cluster(suspend=True)

    assert await h.reconcile() == 0.0
    suspending = h.condition("RayClusterSuspending")
    assert suspending is not None and suspending["status"] == "True"
    assert h.kube.find("deletecollection", "pods") == []
    # The reconciler's own store has the condition: no watch event is needed for the next step.
    conditions = h.stored_cluster()["status"]["conditions"]
    assert find_condition(conditions, "RayClusterSuspending") == suspending

    h.kube.reset()
    await h.reconcile()
    assert [c.body for c in h.kube.find("deletecollection", "pods")] == [f"ray.io/cluster={NAME}"]
    assert h.kube.events() == [normal("DeletedPod", f"Deleted Pods for RayCluster {NS}/{NAME} due to suspension")]
    assert h.server_pods() == []

    # The pods are gone from the cache too: the cluster is suspended.
    h.forget_cached_pods(*h.cached_pod_names())
    h.kube.reset()
    await h.reconcile()
    assert (h.condition("RayClusterSuspended") or {}).get("status") == "True"
    assert (h.condition("RayClusterSuspending") or {}).get("status") == "False"
    assert (h.server_cluster() or {})["status"]["state"] == "suspended"
    assert h.kube.find("deletecollection", "pods") == []


async def test_resuming_a_suspended_cluster_creates_pods_without_waiting_for_the_resync() -> None:
    h = ready_cluster(suspend=True)
    await h.reconcile()  # Suspending
    await h.reconcile()  # pods deleted
    h.forget_cached_pods(*h.cached_pod_names())
    await h.reconcile()  # Suspended
    assert (h.condition("RayClusterSuspended") or {}).get("status") == "True"

    def resume(obj: dict[str, Any]) -> None:
        obj["spec"]["suspend"] = False
        obj["metadata"]["generation"] += 1

    h.kube.mutate(k8s.RAYCLUSTERS, NAME, NS, resume)
    h.sync_cluster()
    h.kube.reset()

    requeue = await h.reconcile()

    if not h.kube.find("create", "pods"):
        # Acceptable too: nothing created yet, but the next pass comes promptly (KubeRay: 2 s).
        assert requeue is not None and requeue <= 2.0
        await h.reconcile()
    assert len(h.kube.find("create", "pods")) == 3


# ---------------------------------------------------------------------------------- the fake itself


def test_fake_kube_label_selectors() -> None:
    from unit.fake_kube import selector_matches

    labels = {"ray.io/cluster": "rc", "ray.io/node-type": "head"}
    assert selector_matches("ray.io/cluster=rc,ray.io/node-type in (head,worker)", labels)
    assert not selector_matches("ray.io/cluster=rc,ray.io/node-type in (worker)", labels)
    assert selector_matches("ray.io/node-type notin (worker), ray.io/cluster", labels)
    assert not selector_matches("!ray.io/cluster", labels)
    assert not selector_matches("ray.io/cluster!=rc", labels)
    assert selector_matches("", labels)


async def test_fake_kube_merge_patch_status_subresource_and_injected_errors() -> None:
    kube = FakeKube(clock=Clock())
    created = await kube.create(k8s.RAYCLUSTERS, copy.deepcopy(manifest()))
    rv = created["metadata"]["resourceVersion"]
    patched = await kube.patch(
        k8s.RAYCLUSTERS, NAME, {"status": {"state": "ready"}, "metadata": {"labels": {"a": "b"}}}, NS
    )
    assert "status" not in patched and patched["metadata"]["labels"] == {"a": "b"}
    patched = await kube.patch(
        k8s.RAYCLUSTERS, NAME, {"status": {"state": "ready"}, "spec": {"suspend": True}}, NS, subresource="status"
    )
    assert patched["status"] == {"state": "ready"} and "suspend" not in patched["spec"]
    with pytest.raises(k8s.Conflict):
        await kube.patch(k8s.RAYCLUSTERS, NAME, {"metadata": {"finalizers": ["x"], "resourceVersion": rv}}, NS)
    with pytest.raises(k8s.AlreadyExists):
        await kube.create(k8s.RAYCLUSTERS, manifest())
    kube.fail("get", "services", k8s.ApiError(500, "InternalError", "boom"), times=1)
    with pytest.raises(k8s.ApiError):
        await kube.get(k8s.SERVICES, "x", NS)
    assert await kube.get_or_none(k8s.SERVICES, "x", NS) is None
    with pytest.raises(k8s.NotFound):
        await kube.delete(k8s.PODS, "x", NS)
    assert kube.keys("get") == [("get", "services", "x"), ("get", "services", "x")]
