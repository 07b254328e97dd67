"""RayServiceReconciler upgrades: a pending cluster next to the active one (3.4, 3.7.3, 3.8).

A changed head template prepares a pending cluster; the Services switch to it once all its
applications are RUNNING (keeping the clusterIP); the old cluster goes after
``rayClusterDeletionDelaySeconds``. Ours on top (README, "differences"): UpgradeInProgress says
what the pending cluster waits for, UpgradeStalled fires once, a second edit replaces the pending
cluster at once and a revert cancels the upgrade.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest

from ray_operator.framework import k8s
from unit.rayservice_harness import (
    CONFIG,
    FAST_POLL,
    NAME,
    NS,
    POLL,
    SERVE_CONFIG_2,
    STALL,
    Harness,
    apps,
    cluster_config,
    normal,
    rayservice,
    require,
)

DELAY = 30
GENERATED = re.compile(rf"{NAME}-[a-z0-9]{{5}}")
BOTH = "Both active and pending Ray clusters exist"


def head_image(tag: str) -> Callable[[dict[str, Any]], None]:
    def change(config: dict[str, Any]) -> None:
        config["headGroupSpec"]["template"]["spec"]["containers"][0]["image"] = f"rayproject/ray:{tag}"

    return change


def upgrade(h: Harness) -> str:
    return str(h.condition("UpgradeInProgress")["message"])


def selected(h: Harness) -> tuple[str, str]:
    head, serve = h.head_service(), h.serve_service()
    assert head is not None and serve is not None
    return head["spec"]["selector"]["ray.io/cluster"], serve["spec"]["selector"]["ray.io/cluster"]


async def serving(**spec: Any) -> tuple[Harness, str]:
    h = Harness(rayservice(rayClusterDeletionDelaySeconds=DELAY, **spec))
    return h, await h.serving()


async def pending_ready(h: Harness, tag: str = "2.42.0") -> str:
    """Edit the head image, let the pending cluster be created and its head become ready; its name."""
    h.edit_cluster_config(head_image(tag))
    await h.reconcile()
    await h.reconcile()
    pending: str = h.pending
    h.make_cluster_ready(pending)
    await h.reconcile()
    return pending


# ---------------------------------------------------------------------------------- the happy path


async def test_a_changed_head_template_names_a_pending_cluster_and_says_what_it_waits_for() -> None:
    h, active = await serving()
    h.kube.reset()

    h.edit_cluster_config(head_image("2.42.0"))
    assert await h.reconcile() == POLL

    pending = h.pending
    assert GENERATED.fullmatch(pending) and pending != active
    assert h.active == active
    assert h.condition("UpgradeInProgress")["status"] == "True"
    assert h.condition("UpgradeInProgress")["reason"] == "BothActivePendingClustersExist"
    assert h.kube.find("replace", "rayclusters") == []  # no in-place update of the active cluster
    assert h.kube.find("create", "rayclusters") == []  # named before it exists

    assert await h.reconcile() == POLL
    created = h.cluster(pending)
    assert created is not None
    assert created["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["image"] == "rayproject/ray:2.42.0"
    assert upgrade(h) == f"{BOTH}; waiting for the head Pod of RayCluster {NS}/{pending} to be created"

    h.make_cluster_ready(pending)
    assert await h.reconcile() == FAST_POLL
    assert upgrade(h) == (
        f"{BOTH}; waiting for the Serve applications of RayCluster {NS}/{pending} to be RUNNING (no application yet)"
    )
    h.serve(pending, apps("DEPLOYING", "starting"))
    await h.reconcile()
    assert upgrade(h) == (
        f"{BOTH}; waiting for the Serve applications of RayCluster {NS}/{pending} to be RUNNING "
        "(app: DEPLOYING: starting)"
    )
    assert selected(h) == (active, active)
    assert h.condition("Ready")["status"] == "True"  # the active cluster keeps serving


async def test_services_switch_only_once_every_pending_application_is_running() -> None:
    h, active = await serving()
    pending = await pending_ready(h)
    details = apps()
    details["applications"]["second"] = {"status": "DEPLOYING"}
    h.serve(pending, details)
    await h.reconcile()
    assert selected(h) == (active, active)

    h.kube.mutate(k8s.SERVICES, f"{NAME}-serve-svc", NS, lambda b: b["spec"].__setitem__("clusterIP", "10.96.0.9"))
    h.informers[k8s.SERVICES].apply(require(h.serve_service()))
    h.serve(pending)
    h.kube.reset()
    h.recorder.posted.clear()

    assert await h.reconcile() == POLL

    assert selected(h) == (pending, pending)
    assert require(h.serve_service())["spec"]["clusterIP"] == "10.96.0.9"
    assert require(h.serve_service())["spec"]["selector"]["ray.io/serve"] == "true"
    assert [e for e in h.events() if e[1] == "UpdatedService"] == [
        normal("UpdatedService", f"Updated the service {NS}/{NAME}-head-svc"),
        normal("UpdatedService", f"Updated the service {NS}/{NAME}-serve-svc"),
    ]
    assert (h.active, h.pending) == (pending, "")
    assert h.condition("UpgradeInProgress")["status"] == "False"
    assert h.cluster(active) is not None  # not deleted yet
    assert h.kube.find("delete", "rayclusters") == []


async def test_the_old_cluster_is_deleted_after_the_deletion_delay() -> None:
    h, old = await serving()
    pending = await pending_ready(h)
    h.serve(pending)
    await h.reconcile()  # switched and promoted
    h.update_endpoints()

    assert await h.reconcile() == DELAY  # first seen dangling: scheduled
    h.advance(DELAY - 1)
    assert await h.reconcile() == 1.0
    assert h.cluster(old) is not None and h.kube.find("delete", "rayclusters") == []

    h.advance(1)
    assert await h.reconcile() == POLL

    (delete,) = h.kube.find("delete", "rayclusters")
    assert delete.name == old
    assert normal("DeletedRayCluster", f"Deleted the RayCluster {NS}/{old}") in h.events()
    assert h.cluster_names() == [pending]
    h.watch_catches_up()
    assert await h.reconcile() == POLL
    assert h.status()["numServeEndpoints"] == 1 and h.condition("Ready")["status"] == "True"


# ---------------------------------------------------------------------------------- in-place update and no upgrade


async def test_an_appended_worker_group_updates_the_active_cluster_in_place() -> None:
    h = Harness(rayservice())
    cluster = await h.serving()
    h.kube.reset()

    h.edit_cluster_config(lambda c: c["workerGroupSpecs"].append(cluster_config(groups=2)["workerGroupSpecs"][1]))
    await h.reconcile()

    (update,) = h.kube.find("replace", "rayclusters")
    assert update.name == cluster
    stored = h.cluster(cluster)
    assert stored is not None
    assert [g["groupName"] for g in stored["spec"]["workerGroupSpecs"]] == ["g0", "g1"]
    assert stored["metadata"]["annotations"]["ray.io/num-worker-groups"] == "2"
    assert normal("UpdatedRayCluster", f"Updated the active RayCluster {NS}/{cluster}") in h.events()
    assert h.pending == "" and h.kube.find("create", "rayclusters") == []
    assert h.condition("UpgradeInProgress")["status"] == "False"

    await h.reconcile()
    assert len(h.kube.find("replace", "rayclusters")) == 1


@pytest.mark.parametrize(
    ("strategy", "upgrades"),
    [(None, False), ({"type": "NewCluster"}, True), ({"type": "None"}, False)],
    ids=["env-false", "NewCluster-wins", "None"],
)
async def test_zero_downtime_off_leaves_the_cluster_alone_on_a_spec_change(
    strategy: dict[str, Any] | None, upgrades: bool
) -> None:
    body = rayservice() if strategy is None else rayservice(upgradeStrategy=strategy)
    h = Harness(body, config=dataclasses.replace(CONFIG, enable_zero_downtime=False))
    cluster = await h.serving()

    h.edit_cluster_config(head_image("2.42.0"))
    await h.reconcile()
    await h.reconcile()

    assert bool(h.pending) is upgrades
    if not upgrades:
        assert h.cluster_names() == [cluster]
        assert h.kube.find("replace", "rayclusters") == []
        assert h.condition("UpgradeInProgress")["status"] == "False"
        h.edit_spec(serveConfigV2=SERVE_CONFIG_2)
        await h.reconcile()
        assert len(h.dashboards.puts(cluster)) == 2  # the Serve config still follows the spec


# ---------------------------------------------------------------------------------- editing during an upgrade


async def test_editing_again_replaces_the_pending_cluster_without_delay() -> None:
    h, active = await serving()
    first = await pending_ready(h)
    h.serve(first, apps("DEPLOYING"))
    await h.reconcile()

    h.edit_cluster_config(head_image("2.43.0"))
    await h.reconcile()
    second = h.pending
    assert GENERATED.fullmatch(second) and second not in (first, active)
    assert h.active == active

    await h.reconcile()

    assert [c.name for c in h.kube.find("delete", "rayclusters")] == [first]  # at once, no delay
    h.watch_catches_up()
    await h.reconcile()
    await h.reconcile()
    assert h.cluster_names() == sorted([active, second])
    assert h.pending == second
    image = require(h.cluster(second))["spec"]["headGroupSpec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "rayproject/ray:2.43.0"
    assert selected(h) == (active, active)


async def test_reverting_to_the_active_spec_cancels_the_upgrade() -> None:
    h, active = await serving()
    pending = await pending_ready(h)

    h.edit_cluster_config(head_image("2.41.0"))
    await h.reconcile()

    assert (h.active, h.pending) == (active, "")
    assert h.condition("UpgradeInProgress")["status"] == "False"
    assert h.condition("UpgradeInProgress")["reason"] == "NoPendingCluster"

    assert await h.reconcile() == POLL
    assert [c.name for c in h.kube.find("delete", "rayclusters")] == [pending]  # at once, no delay
    h.watch_catches_up()
    await h.reconcile()
    assert h.cluster_names() == [active] and h.pending == ""
    assert selected(h) == (active, active)


async def test_a_stalled_upgrade_is_reported_once() -> None:
    h, active = await serving()
    pending = await pending_ready(h)
    h.serve(pending, apps("DEPLOY_FAILED", "boom"))
    created_at = h.clock.now

    h.advance(STALL - 1)
    assert await h.reconcile() == 1.0  # woken exactly when the limit is reached
    assert "UpgradeStalled" not in h.reasons()

    h.advance(1)
    await h.reconcile()
    h.advance(100)
    await h.reconcile()

    stalls = [e for e in h.events() if e[1] == "UpgradeStalled"]
    assert stalls == [
        (
            "Warning",
            "UpgradeStalled",
            f"The pending RayCluster {NS}/{pending} has not been serving for {int(h.clock.now - 100 - created_at)}s "
            f"(limit {int(STALL)}s), waiting for the Serve applications of RayCluster {NS}/{pending} to be "
            f"RUNNING (app: DEPLOY_FAILED: boom). Traffic stays on the active RayCluster {active}; edit the spec "
            "to replace the pending cluster or revert it to cancel.",
        )
    ]


async def test_replacing_a_stalled_pending_cluster_does_not_report_the_new_one() -> None:
    h, _ = await serving()
    first = await pending_ready(h)
    h.serve(first, apps("DEPLOY_FAILED", "boom"))
    h.advance(STALL + 10)
    await h.reconcile()
    assert next(n for _, r, n in h.events() if r == "UpgradeStalled").startswith(f"The pending RayCluster {NS}/{first}")

    h.edit_cluster_config(head_image("2.43.0"))
    await h.reconcile()

    second = h.pending
    stalls = [n for _, r, n in h.events() if r == "UpgradeStalled"]
    assert len(stalls) == 1, stalls
    assert first not in upgrade(h), upgrade(h)
    assert second


# ---------------------------------------------------------------------------------- two RayServices


def dangling_cluster(owner: str, name: str) -> dict[str, Any]:
    """A RayCluster of RayService ``owner`` that neither its active nor its pending name refers to."""
    labels = {"ray.io/originated-from-cr-name": owner, "ray.io/originated-from-crd": "RayService"}
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name, "namespace": NS, "labels": labels},
        "spec": cluster_config(),
    }


async def test_another_rayservice_with_a_longer_name_keeps_its_deletion_deadline() -> None:
    h = Harness(rayservice(rayClusterDeletionDelaySeconds=DELAY))
    other = rayservice("svc2", rayClusterDeletionDelaySeconds=DELAY)
    h.store.apply(h.kube.put(k8s.RAYSERVICES, other))
    h.informers[k8s.RAYCLUSTERS].apply(h.kube.put(k8s.RAYCLUSTERS, dangling_cluster("svc2", "svc2-abcde")))
    assert await h.reconcile("svc2") == DELAY

    h.advance(10)
    await h.reconcile("svc")
    h.advance(DELAY - 10)
    await h.reconcile("svc2")

    assert [c.name for c in h.kube.find("delete", "rayclusters")] == ["svc2-abcde"]


async def test_a_dangling_cluster_is_deleted_on_time_when_only_its_own_rayservice_runs() -> None:
    """The control for the test above: the same timeline without the other RayService's pass."""
    h = Harness(rayservice("svc2", rayClusterDeletionDelaySeconds=DELAY))
    h.informers[k8s.RAYCLUSTERS].apply(h.kube.put(k8s.RAYCLUSTERS, dangling_cluster("svc2", "svc2-abcde")))
    assert await h.reconcile() == DELAY
    h.advance(DELAY)
    await h.reconcile()

    assert [c.name for c in h.kube.find("delete", "rayclusters")] == ["svc2-abcde"]
