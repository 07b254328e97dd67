"""The Argo CD health checks (``argocd/``), run with a real Lua on the live objects in every state.

Each test drives real objects through their states with the real operator (and a real Ray head
for RayJob and RayService) and evaluates the kind's ``health.lua`` on every version of the object
that a watch saw in that state (a predicate on the raw status says which versions those are).
With ``RECORD_ARGOCD_TESTDATA=1`` the first such version of each state is written to the kind's
``testdata/`` with its expected health in ``health_test.yaml``: the unit test
(``tests/unit/test_argocd_health.py``) replays exactly those recorded objects.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from argocd_health import health, record
from helpers import (
    Watch,
    condition,
    condition_is,
    create,
    heads,
    patch,
    patch_raycluster,
    raycluster_manifest,
    wait_ready,
    wait_until,
    worker_group,
)
from operator_process import OperatorProcess
from ray_head import RayHead
from ray_operator.localcluster.cluster import LocalCluster
from rayjob_helpers import rayjob_manifest, stop_ray_job
from rayservice_helpers import ClusterHeads, is_ready, rayservice_manifest
from serve_heads import ServeHead

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(300)]

RECORD = os.environ.get("RECORD_ARGOCD_TESTDATA") == "1"
#: More CPU than a fake node has: a Pod that stays Pending.
UNSCHEDULABLE = {"requests": {"cpu": "1000", "memory": "128Mi"}}

Obj = dict[str, Any]
Predicate = Callable[[Obj], bool]


def status_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    return dict(obj.get("status") or {})


def edited(obj: Obj) -> bool:
    """The spec changed and the operator has not written a status for it yet."""
    observed = status_of(obj).get("observedGeneration")
    return observed is not None and observed < obj["metadata"]["generation"]


def deployment_is(*states: str) -> Predicate:
    return lambda obj: status_of(obj).get("jobDeploymentStatus") in states


def both(*predicates: Predicate) -> Predicate:
    return lambda obj: all(p(obj) for p in predicates)


class Expect:
    """Checks one kind's health.lua on live objects; records each state once when asked to."""

    def __init__(self, kind: str, operator: OperatorProcess) -> None:
        self.kind = kind
        self.operator = operator
        self.checked: list[str] = []

    def obj(self, case: str, obj: Obj, status: str, contains: str = "") -> None:
        """``obj`` (one state of the object) is ``status`` with ``contains`` in the message."""
        self.versions(case, [obj], status, contains)

    def versions(self, case: str, found: list[Obj], status: str, contains: str = "") -> None:
        assert found, f"{self.kind} {case}: no version of the object in this state"
        for obj in found:
            got = health(self.kind, obj)
            assert got["status"] == status, (case, got, obj.get("metadata", {}).get("generation"), obj.get("status"))
            assert contains in got["message"], (case, got)
        self.checked.append(case)
        if RECORD:
            record(self.kind, case, found[0], health(self.kind, found[0]))

    def seen(
        self, case: str, watch: Watch, predicate: Predicate, status: str, contains: str = "", timeout: float = 60
    ) -> list[Obj]:
        """Wait until ``watch`` saw a version matching ``predicate``; check every such version."""
        try:
            found: list[Obj] = wait_until(
                lambda: [v for v in watch.seen if predicate(v)], timeout, f"{self.kind} {case} in the watch"
            )
        except AssertionError as exc:  # say what was seen instead, and what the operator did meanwhile
            last = [status_of(v) for v in watch.seen[-3:]]
            log = self.operator.logs()[-6000:]
            raise AssertionError(f"{exc}\nlast statuses seen: {last}\noperator log:\n{log}") from None
        self.versions(case, found, status, contains)
        return found


@contextlib.contextmanager
def nodes_cordoned(kube_cluster: LocalCluster) -> Iterator[None]:
    """Every node unschedulable for the block: new Pods stay Pending (the Pods that run are kept)."""
    nodes = kube_cluster.kubectl("get", "nodes", "-o", "name").stdout.split()
    kube_cluster.kubectl("cordon", *nodes)
    try:
        yield
    finally:
        kube_cluster.kubectl("uncordon", *nodes)


@pytest.fixture
def watches(kube_cluster: LocalCluster, namespace: str) -> Iterator[Callable[[str, str], Watch]]:
    """``watch(resource, name)``: a started :class:`Watch`, stopped after the test."""
    started: list[Watch] = []

    def start(resource: str, name: str) -> Watch:
        watch = Watch(kube_cluster, namespace, resource, name)
        started.append(watch)
        return watch

    yield start
    for watch in started:
        watch.__exit__(None, None, None)


# --------------------------------------------------------------------------- RayCluster


def test_raycluster_health_in_every_state(
    kube_cluster: LocalCluster,
    namespace: str,
    ray_operator: OperatorProcess,
    watches: Callable[[str, str], Watch],
) -> None:
    expect = Expect("RayCluster", ray_operator)
    pending = worker_group("pending", replicas=1, max_replicas=1)
    pending["template"]["spec"]["containers"][0]["resources"] = UNSCHEDULABLE
    manifest = raycluster_manifest("rc", groups=[worker_group(replicas=1, max_replicas=1), pending])
    typo = raycluster_manifest("typo", replicas=0)
    typo["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["imagePullPolize"] = "Always"
    invalid = raycluster_manifest("invalid", replicas=0)
    invalid["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "RAY_enable_autoscaler_v2", "value": "true"}
    ]
    expect.obj("no-status", create(kube_cluster, namespace, manifest), "Progressing", "Waiting for the Ray operator")
    watch = watches("raycluster", "rc")
    create(kube_cluster, namespace, typo)
    create(kube_cluster, namespace, invalid)

    # One worker can never be scheduled: provisioning does not finish.
    def provisioning(obj: Obj) -> bool:
        return (
            condition_is(obj, "RayClusterProvisioned", "False", "RayClusterPodsProvisioning")
            and condition_is(obj, "HeadPodReady", "True")
            and status_of(obj).get("readyWorkerReplicas") == 1
            and not edited(obj)
        )

    expect.seen("provisioning", watch, provisioning, "Progressing", "1/2 workers ready")

    # Degraded: a Pod that cannot be created; a spec the operator refuses.
    typo_watch = watches("raycluster", "typo")
    failed: Predicate = lambda o: condition_is(o, "ReplicaFailure", "True")  # noqa: E731
    expect.seen("replica-failure", typo_watch, failed, "Degraded", "imagePullPolize")
    invalid_watch = watches("raycluster", "invalid")
    expect.seen(
        "validation-failed",
        invalid_watch,
        lambda o: condition_is(o, "ValidationFailed", "True"),
        "Degraded",
        "RAY_enable_autoscaler_v2",
    )

    # An edit (the pending group scaled to 0): Progressing until observed, then Healthy.
    scale_down = [{"op": "replace", "path": "/spec/workerGroupSpecs/1/replicas", "value": 0}]
    patch_raycluster(kube_cluster, namespace, "rc", scale_down, "json")
    expect.seen("edited", watch, edited, "Progressing", "observe generation 2 (observed: 1)")
    ready = wait_ready(kube_cluster, namespace, "rc", 1)
    expect.obj("ready", ready, "Healthy", "1/1 workers ready")

    # The head Pod lost after provisioning: Degraded until its replacement is Ready.
    # The nodes are cordoned meanwhile: on KWOK a replacement is Ready at once, and the operator
    # (rightly) need not write the short-lived state in between.
    (head,) = heads(kube_cluster, namespace, "rc")
    with nodes_cordoned(kube_cluster):
        kube_cluster.kubectl("-n", namespace, "delete", "pod", head["metadata"]["name"], "--wait=false")
        expect.seen(
            "head-pod-lost",
            watch,
            lambda o: condition_is(o, "RayClusterProvisioned", "True") and condition_is(o, "HeadPodReady", "False"),
            "Degraded",
            "Head Pod is not ready",
        )
    wait_ready(kube_cluster, namespace, "rc", 1)

    patch_raycluster(kube_cluster, namespace, "rc", {"spec": {"suspend": True}})
    expect.seen(
        "suspending",
        watch,
        lambda o: condition_is(o, "RayClusterSuspending", "True") and not edited(o),
        "Progressing",
        "suspending",
    )
    expect.seen("suspended", watch, lambda o: condition_is(o, "RayClusterSuspended", "True"), "Suspended", "suspended")
    assert len(expect.checked) == 9


# --------------------------------------------------------------------------- RayJob


def test_rayjob_health_in_every_state(
    kube_cluster: LocalCluster,
    namespace: str,
    ray_operator: OperatorProcess,
    ray_head: RayHead,
    watches: Callable[[str, str], Watch],
) -> None:
    expect = Expect("RayJob", ray_operator)
    ok = rayjob_manifest("ok", 'python -c "import time; time.sleep(5)"', submissionMode="HTTPMode")
    # Fails on the real head; backoffLimit 1: Retrying once, then Failed for good.
    fails = rayjob_manifest(
        "fails", "python -c \"import sys; print('giving up'); sys.exit(3)\"", submissionMode="HTTPMode", backoffLimit=1
    )
    # A head that can never be scheduled: stays Initializing until suspended.
    stuck = rayjob_manifest("stuck", "true", submissionMode="HTTPMode", shutdownAfterJobFinishes=True)
    stuck["spec"]["rayClusterSpec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["resources"] = UNSCHEDULABLE
    waiting = rayjob_manifest("waiting", "", submissionMode="InteractiveMode")
    del waiting["spec"]["entrypoint"]
    invalid = rayjob_manifest("invalid", "true", submissionMode="HTTPMode", runtimeEnvYAML="pip: [unclosed")

    expect.obj("no-status", create(kube_cluster, namespace, ok), "Progressing", "Waiting for the Ray operator")
    ok_watch = watches("rayjob", "ok")
    for manifest in (fails, stuck, waiting, invalid):
        create(kube_cluster, namespace, manifest)
    fails_watch, stuck_watch = watches("rayjob", "fails"), watches("rayjob", "stuck")
    waiting_watch, invalid_watch = watches("rayjob", "waiting"), watches("rayjob", "invalid")

    expect.seen(
        "validation-failed",
        invalid_watch,
        deployment_is("ValidationFailed"),
        "Degraded",
        "failed to unmarshal RuntimeEnvYAML",
    )
    expect.seen("initializing", stuck_watch, deployment_is("Initializing"), "Progressing", "to be ready")
    expect.seen("waiting", waiting_watch, deployment_is("Waiting"), "Progressing", "spec.jobId")

    running = expect.seen(
        "running",
        ok_watch,
        lambda o: deployment_is("Running")(o) and status_of(o).get("jobStatus") == "RUNNING",
        "Progressing",
        "is RUNNING",
        timeout=90,
    )
    try:
        expect.seen("complete", ok_watch, deployment_is("Complete"), "Healthy", "SUCCEEDED", timeout=90)
    finally:
        stop_ray_job(ray_head.dashboard_address, str(running[0]["status"]["jobId"]))

    expect.seen("retrying", fails_watch, deployment_is("Retrying"), "Progressing", "AppFailed", timeout=90)
    expect.seen("failed", fails_watch, deployment_is("Failed"), "Degraded", "Failed: AppFailed", timeout=120)

    patch(kube_cluster, namespace, "rayjob", "stuck", {"spec": {"suspend": True}})
    expect.seen("suspending", stuck_watch, deployment_is("Suspending"), "Progressing", "suspending")
    expect.seen(
        "suspended",
        stuck_watch,
        lambda o: deployment_is("Suspended")(o) and o["spec"].get("suspend") is True,
        "Suspended",
        "suspended",
    )
    patch(kube_cluster, namespace, "rayjob", "stuck", {"spec": {"suspend": False}})
    expect.seen(
        "resuming",
        stuck_watch,
        lambda o: deployment_is("Suspended")(o) and o["spec"].get("suspend") is False,
        "Progressing",
        "resuming",
    )
    assert len(expect.checked) == 11


# --------------------------------------------------------------------------- RayService


def test_rayservice_health_from_initializing_to_ready_and_upgrading(
    kube_cluster: LocalCluster,
    namespace: str,
    ray_operator: OperatorProcess,
    serve_head: ServeHead,
    watches: Callable[[str, str], Watch],
) -> None:
    expect = Expect("RayService", ray_operator)
    # The first cluster is backed by the real Serve head; the upgrade's pending cluster by a dead port.
    with ClusterHeads(kube_cluster, namespace, "svc", serve_head, None, operator=ray_operator):
        created = create(kube_cluster, namespace, rayservice_manifest("svc"))
        expect.obj("no-status", created, "Progressing", "Waiting for the Ray operator")
        watch = watches("rayservice", "svc")
        expect.seen(
            "initializing",
            watch,
            lambda o: condition_is(o, "Ready", "False", "Initializing"),
            "Progressing",
            "Initializing",
        )
        expect.seen("ready", watch, is_ready, "Healthy", "NonZeroServeEndpoints", timeout=90)

        path = "/spec/rayClusterConfig/headGroupSpec/template/spec/containers/0/env"
        value = [{"name": "VARIANT", "value": "2"}]
        patch(kube_cluster, namespace, "rayservice", "svc", [{"op": "add", "path": path, "value": value}], type_="json")
        expect.seen("edited", watch, edited, "Progressing", "observe generation 2 (observed: 1)")
        expect.seen(
            "upgrade-in-progress",
            watch,
            lambda o: condition_is(o, "UpgradeInProgress", "True") and not edited(o),
            "Progressing",
            "BothActivePendingClustersExist",
        )

    assert len(expect.checked) == 5


def test_rayservice_health_when_invalid_timed_out_or_suspended(
    kube_cluster: LocalCluster,
    namespace: str,
    ray_operator: OperatorProcess,
    watches: Callable[[str, str], Watch],
) -> None:
    expect = Expect("RayService", ray_operator)
    invalid = rayservice_manifest("invalid")
    invalid["metadata"]["annotations"] = {"ray.io/initializing-timeout": "soon"}
    late = rayservice_manifest("late")
    late["metadata"]["annotations"] = {"ray.io/initializing-timeout": "1s"}
    # Every cluster of the namespace behind a dead port: "late" and "paused" can never become ready.
    with ClusterHeads(kube_cluster, namespace, "late", None, None, operator=ray_operator):
        for manifest in (invalid, late, rayservice_manifest("paused")):
            create(kube_cluster, namespace, manifest)
        invalid_watch, late_watch = watches("rayservice", "invalid"), watches("rayservice", "late")
        paused_watch = watches("rayservice", "paused")
        expect.seen(
            "validation-failed",
            invalid_watch,
            lambda o: condition_is(o, "Ready", "False", "ValidationFailed"),
            "Degraded",
            "has invalid format: soon",
        )
        found = expect.seen(
            "initializing-timeout",
            late_watch,
            lambda o: condition_is(o, "Ready", "False", "InitializingTimeout"),
            "Degraded",
            "failed to become ready within the configured timeout of 1s",
        )
        assert (condition(found[0], "Ready") or {}).get("reason") == "InitializingTimeout"

        wait_until(lambda: any(condition_is(o, "Ready", "False", "Initializing") for o in paused_watch.seen), 30)
        patch(kube_cluster, namespace, "rayservice", "paused", {"spec": {"suspend": True}})
        expect.seen(
            "suspending",
            paused_watch,
            lambda o: condition_is(o, "Suspending", "True") and not edited(o),
            "Progressing",
            "Suspend",
        )
        expect.seen("suspended", paused_watch, lambda o: condition_is(o, "Suspended", "True"), "Suspended", "suspended")
    assert len(expect.checked) == 4
