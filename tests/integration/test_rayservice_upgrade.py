"""RayService zero-downtime upgrades (``NewCluster``) against two real Ray heads.

A spec change prepares a second RayCluster (on the second head); the Services switch to it only
once it serves, while a sampler checks every ~0.1 s, through the API server, that the serve
Service keeps a ready endpoint and that a real request sent where it points is answered. Then an
upgrade that can never serve (NEW): traffic stays, the condition says what is waiting, an
``UpgradeStalled`` event; a further edit replaces the pending cluster at once; reverting cancels it.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from typing import Any

import pytest
import yaml

from helpers import condition, condition_is, create, patch, raycluster, stays, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster
from rayservice_helpers import (
    ClusterHeads,
    TrafficSampler,
    is_ready,
    names,
    rayservice,
    rayservice_manifest,
    rs_events,
    selected_cluster,
    service,
    wait_rs,
)
from serve_heads import APP, ServeHead, serve_config

pytestmark = [pytest.mark.cluster, pytest.mark.ray, pytest.mark.timeout(420)]

RS = "upg"


@pytest.fixture
def pair(serve_head_pool: list[ServeHead]) -> list[ServeHead]:
    """Both heads reset (concurrently): no application, not broken, Serve on their own ports."""
    threads = [threading.Thread(target=h.reset) for h in serve_head_pool]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for h in serve_head_pool:
        assert not h.applications() and h.request("/-/healthz")[0] != 0, f"{h.label} not reset"
    return serve_head_pool


def set_head_env(kube_cluster: LocalCluster, namespace: str, env: dict[str, str]) -> None:
    """Replace the head container's env in ``rayClusterConfig`` (a change that needs a new cluster)."""
    path = "/spec/rayClusterConfig/headGroupSpec/template/spec/containers/0/env"
    value = [{"name": k, "value": v} for k, v in env.items()]
    patch(kube_cluster, namespace, "rayservice", RS, [{"op": "add", "path": path, "value": value}], type_="json")


def pending_name(kube_cluster: LocalCluster, namespace: str, other_than: str = "") -> str:
    def check(body: dict[str, Any]) -> bool:
        pending = names(body.get("status") or {})[1]
        return bool(pending) and pending != other_than

    body = wait_rs(kube_cluster, namespace, RS, check, f"a pending cluster other than {other_than!r}", 30)
    return names(body["status"])[1]


def test_heads_serve_on_their_own_ports(pair: list[ServeHead]) -> None:
    """Self-check: one ``serveConfigV2`` text, two heads, each proxy on its own port; the marker breaks one.

    The marker is read when Serve builds the app, i.e. on a fresh deploy (a ``user_config``-only
    change does not rebuild), which is what a new RayCluster gets.
    """
    broken, fine = pair
    broken.break_app()
    config = yaml.safe_load(serve_config("own-port"))
    for h in pair:
        h.put(config)

    def statuses() -> tuple[str, ...]:
        return tuple(str((h.applications().get(APP) or {}).get("status")) for h in pair)

    wait_until(lambda: statuses() == ("DEPLOY_FAILED", "RUNNING"), 90, "one head broken, one running")
    assert "hello refuses to start on this Ray head" in broken.applications()[APP]["message"]
    assert fine.answer() == {"message": "own-port", "gcs": fine.ray.gcs_address}
    broken.reset()  # also removes the marker
    broken.put(config)
    wait_until(lambda: broken.request()[0] == 200, 90, f"{broken.label} answering")
    assert broken.answer() == {"message": "own-port", "gcs": broken.ray.gcs_address}
    assert len({h.serve_address for h in pair}) == 2


def test_spec_change_upgrades_to_a_new_cluster_without_a_gap(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, pair: list[ServeHead]
) -> None:
    first, second = pair
    with ClusterHeads(kube_cluster, namespace, RS, first, second, operator=ray_operator) as ch:
        create(kube_cluster, namespace, rayservice_manifest(RS))
        body = wait_rs(kube_cluster, namespace, RS, is_ready, "RayService Ready")
        old = names(body["status"])[0]
        old_uid = (raycluster(kube_cluster, namespace, old) or {})["metadata"]["uid"]
        cluster_ip = (service(kube_cluster, namespace, f"{RS}-serve-svc") or {})["spec"]["clusterIP"]
        with TrafficSampler(kube_cluster, namespace, RS, ch) as sampler:
            set_head_env(kube_cluster, namespace, {"VARIANT": "2"})
            new = pending_name(kube_cluster, namespace)
            assert ch.wait_names(2) == [old, new]
            wait_rs(
                kube_cluster,
                namespace,
                RS,
                lambda b: condition_is(b, "UpgradeInProgress", "True", "BothActivePendingClustersExist"),
                "UpgradeInProgress=True/BothActivePendingClustersExist",
                30,
            )
            wait_until(lambda: raycluster(kube_cluster, namespace, new), 30, f"RayCluster {new}")
            assert selected_cluster(service(kube_cluster, namespace, f"{RS}-serve-svc")) == old
            wait_rs(kube_cluster, namespace, RS, lambda b: names(b["status"]) == (new, ""), "promotion", 90)
            promoted = time.monotonic()
            old_rc = raycluster(kube_cluster, namespace, old)
            assert old_rc is not None and old_rc["metadata"]["uid"] == old_uid, "old cluster gone at promotion"
            time.sleep(1.0)  # a few samples after the switch
        print(f"[upgrade] {sampler.summary()}")
        assert sampler.bad() == [], sampler.summary()
        selected = [s.selected for s in sampler.samples]
        switches = [name for i, name in enumerate(selected) if i == 0 or name != selected[i - 1]]
        assert switches == [old, new], f"serve Service selected {switches}"
        assert {s.cluster_ip for s in sampler.samples} == {cluster_ip}
        answers = {s.body for s in sampler.samples if s.selected == new}
        assert answers == {json.dumps({"message": "hello", "gcs": second.ray.gcs_address})}, answers

        body = wait_rs(
            kube_cluster,
            namespace,
            RS,
            lambda b: is_ready(b) and condition_is(b, "UpgradeInProgress", "False", "NoPendingCluster"),
            "Ready, UpgradeInProgress=False/NoPendingCluster",
            30,
        )
        assert not (body["status"].get("pendingServiceStatus") or {}).get("rayClusterName")
        assert selected_cluster(service(kube_cluster, namespace, f"{RS}-head-svc")) == new
        stays(lambda: raycluster(kube_cluster, namespace, old) is not None, promoted + 4 - time.monotonic(), "old kept")
        wait_until(lambda: raycluster(kube_cluster, namespace, old) is None, 30, f"old RayCluster {old} deleted")
        print(f"[upgrade] old cluster deleted {time.monotonic() - promoted:.1f}s after promotion (delay 5s)")
        notes = {(e["reason"], e["note"]) for e in rs_events(kube_cluster, namespace, RS)}
        for svc in (f"{RS}-head-svc", f"{RS}-serve-svc"):
            assert ("UpdatedService", f"Updated the service {namespace}/{svc}") in notes, notes
        assert ("DeletedRayCluster", f"Deleted the RayCluster {namespace}/{old}") in notes, notes
        assert ("CreatedRayCluster", f"Created the RayCluster {namespace}/{new}") in notes, notes


DELAY = 15  # long enough to tell "deleted at once" from "deleted after the delay"


def test_upgrade_that_cannot_serve_is_reported_replaced_and_cancelled(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, pair: list[ServeHead]
) -> None:
    first, broken = pair
    broken.break_app()
    # first -> the active cluster; broken -> the first pending cluster; the next one -> a dead port.
    with ClusterHeads(kube_cluster, namespace, RS, first, broken, None, operator=ray_operator) as ch:
        create(kube_cluster, namespace, rayservice_manifest(RS, deletion_delay=DELAY))
        body = wait_rs(kube_cluster, namespace, RS, is_ready, "RayService Ready")
        active = names(body["status"])[0]
        active_uid = (raycluster(kube_cluster, namespace, active) or {})["metadata"]["uid"]
        with TrafficSampler(kube_cluster, namespace, RS, ch) as sampler:
            set_head_env(kube_cluster, namespace, {"VARIANT": "2"})
            started = time.monotonic()
            p1 = pending_name(kube_cluster, namespace)

            def waiting_for_p1(b: dict[str, Any]) -> bool:
                cond = condition(b, "UpgradeInProgress") or {}
                return cond.get("status") == "True" and p1 in str(cond.get("message"))

            wait_rs(kube_cluster, namespace, RS, waiting_for_p1, f"UpgradeInProgress naming {p1}", 30)

            def stalled() -> list[dict[str, Any]]:
                found = rs_events(kube_cluster, namespace, RS, "UpgradeStalled")
                return [e for e in found if e["type"] == "Warning" and p1 in str(e.get("note"))]

            wait_until(stalled, max(1.0, started + 30 - time.monotonic()), f"Warning UpgradeStalled naming {p1}")
            now = (rayservice(kube_cluster, namespace, RS) or {}).get("status") or {}
            pending_apps = (now.get("pendingServiceStatus") or {}).get("applicationStatuses") or {}
            print(f"[stalled] pending {p1} apps: {pending_apps}; Ready: {condition(now, 'Ready')}")

            set_head_env(kube_cluster, namespace, {"VARIANT": "3"})
            edited = time.monotonic()
            p2 = pending_name(kube_cluster, namespace, other_than=p1)
            p2_appeared = time.time()
            assert ch.wait_names(3) == [active, p1, p2]
            wait_until(lambda: raycluster(kube_cluster, namespace, p1) is None, 10, f"{p1} deleted at once")
            replaced_in = time.monotonic() - edited
            wait_until(lambda: raycluster(kube_cluster, namespace, p2), 30, f"RayCluster {p2}")
            stays(lambda: len(ch.names) == 3, 4, "exactly one replacement pending cluster")

            def waiting_for_p2(b: dict[str, Any]) -> bool:
                message = str((condition(b, "UpgradeInProgress") or {}).get("message"))
                return p2 in message and p1 not in message

            wait_rs(kube_cluster, namespace, RS, waiting_for_p2, f"UpgradeInProgress naming {p2}, not {p1}", 10)
            # The replacement's stall clock starts with it: not reported before the 10 s limit.
            for event in rs_events(kube_cluster, namespace, RS, "UpgradeStalled"):
                stamp = str(event.get("eventTime") or event["metadata"]["creationTimestamp"])
                age = datetime.datetime.fromisoformat(stamp).timestamp() - p2_appeared
                assert p2 not in str(event["note"]) or age >= 9, f"{p2} reported stalled after {age:.1f}s: {event}"

            set_head_env(kube_cluster, namespace, {})
            reverted = time.monotonic()
            wait_rs(
                kube_cluster,
                namespace,
                RS,
                lambda b: names(b["status"]) == (active, "") and condition_is(b, "UpgradeInProgress", "False"),
                "the upgrade cancelled",
                60,
            )
            wait_until(lambda: raycluster(kube_cluster, namespace, p2) is None, DELAY + 30, f"{p2} deleted")
            cancelled_in = time.monotonic() - reverted
            stays(lambda: len(ch.names) == 3, 4, "no cluster made for the revert")
        print(f"[stalled] {sampler.summary()}; {p1} replaced in {replaced_in:.1f}s, {p2} gone {cancelled_in:.1f}s")
        assert sampler.bad() == [], sampler.summary()
        assert {s.selected for s in sampler.samples} == {active}, "traffic left the active cluster"
        crowded = [s.clusters for s in sampler.samples if len(s.clusters) > 2]
        assert not crowded, f"3 RayClusters at once: {crowded[:3]}"
        rc = raycluster(kube_cluster, namespace, active)
        assert rc is not None and rc["metadata"]["uid"] == active_uid, "the active cluster was replaced"
        # (KubeRay reads the active cluster's apps again only once no upgrade is pending.)
        wait_rs(kube_cluster, namespace, RS, is_ready, "Ready with the active cluster's apps RUNNING", 30)
        assert first.answer() == {"message": "hello", "gcs": first.ray.gcs_address}
