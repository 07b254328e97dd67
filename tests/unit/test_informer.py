"""Informers: the cache never goes backwards, announces every change once, and prunes what a re-list lost."""

from __future__ import annotations

from typing import Any, cast

from ray_operator.framework import k8s
from ray_operator.framework.informer import (
    Body,
    Informer,
    Informers,
    InformerSpec,
    controller_owner_index,
    label_index,
)
from unit.fake_kube import FakeKube


def body(name: str, rv: str | None, uid: str = "u1", namespace: str = "ns", **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace, "uid": uid}
    if rv is not None:
        meta["resourceVersion"] = rv
    meta.update(extra.pop("meta", {}))
    return {"apiVersion": "ray.io/v1", "kind": "RayCluster", "metadata": meta, **extra}


class Recorder:
    def __init__(self, informer: Informer) -> None:
        self.changes: list[tuple[Body | None, Body | None]] = []
        informer.subscribe(lambda old, new: self.changes.append((old, new)))


def informer(**spec: Any) -> Informer:
    return Informer(InformerSpec(k8s.RAYCLUSTERS, **spec))


def test_stores_the_latest_and_announces_old_and_new() -> None:
    inf = informer()
    seen = Recorder(inf)
    assert inf.apply(body("a", "10", status={"s": 1}))
    assert inf.apply(body("a", "11", status={"s": 2}))
    current = inf.get(("ns", "a"))
    assert current is not None and current["status"] == {"s": 2}
    assert [(o and o["status"], n and n["status"]) for o, n in seen.changes] == [(None, {"s": 1}), ({"s": 1}, {"s": 2})]


def test_an_older_or_equal_version_of_the_same_object_is_neither_stored_nor_announced() -> None:
    inf = informer()
    inf.apply(body("a", "11", status={"s": "new"}))
    seen = Recorder(inf)
    assert not inf.apply(body("a", "10", status={"s": "old"}))  # in flight while we wrote
    assert not inf.apply(body("a", "11", status={"s": "new"}))  # our write, then its watch event
    assert seen.changes == []
    assert (inf.get(("ns", "a")) or {})["status"] == {"s": "new"}


def test_resource_versions_compare_as_numbers() -> None:
    inf = informer()
    inf.apply(body("a", "9"))
    assert inf.apply(body("a", "10"))


def test_a_recreated_object_replaces_the_old_one_whatever_its_version() -> None:
    inf = informer()
    inf.apply(body("a", "50", uid="old"))
    assert inf.apply(body("a", "7", uid="new"))
    assert (inf.get(("ns", "a")) or {})["metadata"]["uid"] == "new"


def test_a_write_response_carrying_someone_elses_spec_change_is_announced_as_that_change() -> None:
    """The race of issue 8 (4a): our status PATCH returns a body that already has the user's new spec.

    Its watch event (older than the PATCH response) is dropped, so the change must be announced
    when the PATCH response is applied, or nobody ever reconciles the new spec.
    """
    inf = informer()
    inf.apply(body("a", "10", meta={"generation": 1}, spec={"replicas": 2}))
    seen = Recorder(inf)
    patch_response = body("a", "12", meta={"generation": 2}, spec={"replicas": 3}, status={"s": 1})
    user_event = body("a", "11", meta={"generation": 2}, spec={"replicas": 3})
    informers = Informers()
    informers.add(inf)
    informers.apply(patch_response)  # what BaseReconciler.write_status does with the response
    inf.on_watch_event("MODIFIED", user_event)  # arrives late, older: dropped
    assert len(seen.changes) == 1
    old, new = seen.changes[0]
    assert old is not None and new is not None
    assert (old["metadata"]["generation"], new["metadata"]["generation"]) == (1, 2)


def test_remove_honours_the_uid_and_announces_deletion() -> None:
    inf = informer()
    inf.apply(body("a", "1", uid="u2"))
    seen = Recorder(inf)
    assert not inf.remove(body("a", "1", uid="u1"))  # a DELETED event of an older namesake
    assert inf.get(("ns", "a")) is not None
    inf.on_watch_event("DELETED", body("a", "2", uid="u2"))
    assert inf.get(("ns", "a")) is None
    assert seen.changes[-1][1] is None


def test_slimming_and_default_drops_managed_fields() -> None:
    inf = informer()
    inf.apply(body("a", "1", meta={"managedFields": [{"manager": "x"}]}))
    assert "managedFields" not in (inf.get(("ns", "a")) or {})["metadata"]
    slim = informer(slim=lambda b: {"metadata": dict(b["metadata"]), "slim": True})
    slim.apply(body("a", "1"))
    assert (slim.get(("ns", "a")) or {})["slim"] is True


def test_indexes_follow_changes_and_list_oldest_first() -> None:
    inf = informer(indexes={"cluster": label_index("ray.io/cluster"), "owner": controller_owner_index})

    def pod(name: str, rv: str, cluster: str | None, created: str) -> dict[str, Any]:
        labels = {"ray.io/cluster": cluster} if cluster else {}
        owners = [{"kind": "RayCluster", "name": cluster, "controller": True}] if cluster else []
        return body(
            name, rv, uid=name, meta={"labels": labels, "ownerReferences": owners, "creationTimestamp": created}
        )

    inf.apply(pod("late", "1", "c", "t2"))
    inf.apply(pod("early", "2", "c", "t1"))
    inf.apply(pod("b", "3", "c", "t1"))
    inf.apply(pod("other", "4", "d", "t1"))
    assert [p["metadata"]["name"] for p in inf.by_index("cluster", ("ns", "c"))] == ["b", "early", "late"]
    assert [p["metadata"]["name"] for p in inf.owned_by("ns", "RayCluster", "d")] == ["other"]
    inf.apply(pod("b", "5", "d", "t1"))  # relabelled: moves between buckets
    assert [p["metadata"]["name"] for p in inf.by_index("cluster", ("ns", "c"))] == ["early", "late"]
    inf.remove(pod("late", "6", "c", "t2"))
    inf.apply(pod("early", "7", None, "t1"))  # label removed: leaves the index
    assert inf.by_index("cluster", ("ns", "c")) == []
    assert inf.by_index("cluster", ("ns", "x")) == []


def test_a_failing_subscriber_does_not_stop_the_cache() -> None:
    inf = informer()

    def broken(old: Body | None, new: Body | None) -> None:
        raise RuntimeError("mapper bug")

    inf.subscribe(broken)
    after = Recorder(inf)
    inf.apply(body("a", "1"))
    assert inf.get(("ns", "a")) is not None
    assert len(after.changes) == 1


async def test_sync_lists_stores_and_prunes_objects_a_relist_lost() -> None:
    kube = FakeKube()
    inf = informer()
    seen = Recorder(inf)
    kube.put(k8s.RAYCLUSTERS, body("kept", None))
    # In the cache but deleted on the server while the watch was down (no DELETED event):
    inf.apply(body("vanished", "5", uid="v"))
    assert not inf.synced.is_set()
    dropped = await inf.sync(cast(k8s.KubeClient, kube))
    assert dropped == 1
    assert inf.synced.is_set()
    assert inf.get(("ns", "vanished")) is None
    assert inf.get(("ns", "kept")) is not None
    assert (seen.changes[-1][0] or {})["metadata"]["name"] == "vanished" and seen.changes[-1][1] is None


async def test_sync_keeps_objects_newer_than_the_list_and_other_namespaces() -> None:
    kube = FakeKube()  # its LIST is stamped with resourceVersion 100
    inf = informer()
    inf.apply(body("created-after-the-list", "500", uid="n"))
    inf.apply(body("elsewhere", "5", uid="e", namespace="other"))
    assert await inf.sync(cast(k8s.KubeClient, kube), ["ns"]) == 0
    assert inf.get(("ns", "created-after-the-list")) is not None
    assert inf.get(("other", "elsewhere")) is not None


async def test_sync_with_a_namespace_filter_ignores_unwatched_namespaces() -> None:
    kube = FakeKube()
    kube.put(k8s.RAYCLUSTERS, body("mine", None, namespace="team-a"))
    kube.put(k8s.RAYCLUSTERS, body("theirs", None, namespace="kube-system"))
    inf = informer()
    await inf.sync(cast(k8s.KubeClient, kube), None, lambda ns: ns.startswith("team-"))
    assert inf.keys() == [("team-a", "mine")]


def test_relist_detection_waits_for_the_replay_to_settle() -> None:
    now = [100.0]
    inf = Informer(InformerSpec(k8s.RAYCLUSTERS), clock=lambda: now[0])
    inf.on_watch_event("ADDED", body("a", "1"))
    assert not inf.relist_settled(2.0)  # ordinary events never trigger a prune
    inf.on_watch_event(None, body("a", "1"))  # kopf replays a (re-)list as type None
    now[0] += 1.0
    assert not inf.relist_settled(2.0)
    now[0] += 1.5
    assert inf.relist_settled(2.0)


def test_informers_write_through_by_api_version_and_kind() -> None:
    informers = Informers()
    clusters = informers.add(informer())
    informers.apply(body("a", "1"))
    informers.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}})  # not cached
    informers.apply({"kind": "Status", "status": "Success"})
    informers.apply(None)
    assert clusters.keys() == [("ns", "a")]
