"""EventRecorder: events.k8s.io/v1 Events, folding of repeats into a series, never failing."""

from __future__ import annotations

import re
import socket
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any, cast

import pytest

from ray_operator.framework import events, k8s
from ray_operator.framework.events import EventRecorder, object_reference

CLUSTER: dict[str, Any] = {
    "apiVersion": "ray.io/v1",
    "kind": "RayCluster",
    "metadata": {"name": "raycluster", "namespace": "team-a", "uid": "uid-1", "resourceVersion": "42"},
}

MICRO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


class FakeKube:
    """Records ``create`` and ``patch`` calls; can be told to fail."""

    def __init__(self) -> None:
        self.creates: list[tuple[k8s.Resource, dict[str, Any], str | None]] = []
        self.patches: list[tuple[k8s.Resource, str, Any, str | None]] = []
        self.create_error: BaseException | None = None
        self.patch_error: BaseException | None = None

    async def create(self, resource: k8s.Resource, body: Mapping[str, Any], namespace: str | None = None) -> Any:
        if self.create_error is not None:
            raise self.create_error
        self.creates.append((resource, dict(body), namespace))
        return dict(body)

    async def patch(self, resource: k8s.Resource, name: str, patch: Any, namespace: str | None = None) -> Any:
        if self.patch_error is not None:
            raise self.patch_error
        self.patches.append((resource, name, patch, namespace))
        return {}


class FakeTime:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(events, "time", SimpleNamespace(time=fake.time))
    return fake


def recorder(kube: FakeKube, monkeypatch: pytest.MonkeyPatch) -> EventRecorder:
    monkeypatch.setenv("POD_NAME", "ray-operator-abc")
    return EventRecorder(cast(k8s.KubeClient, kube), "raycluster-controller")


async def test_first_event_creates_an_events_k8s_io_v1_event(monkeypatch: pytest.MonkeyPatch, clock: FakeTime) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.normal(CLUSTER, "CreatedWorkerPod", events.CREATE, "Created worker Pod team-a/w-1")
    assert kube.patches == []
    assert len(kube.creates) == 1
    resource, event, namespace = kube.creates[0]
    assert resource == k8s.EVENTS
    assert (resource.group, resource.version, resource.plural) == ("events.k8s.io", "v1", "events")
    assert namespace == "team-a"
    name = event["metadata"].pop("name")
    assert re.fullmatch(r"raycluster\.[0-9a-f]{16}", name)
    assert event == {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"namespace": "team-a"},
        "eventTime": "2023-11-14T22:13:20.000000Z",
        "reportingController": "raycluster-controller",
        "reportingInstance": "raycluster-controller-ray-operator-abc",
        "action": "Create",
        "reason": "CreatedWorkerPod",
        "note": "Created worker Pod team-a/w-1",
        "type": "Normal",
        "regarding": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "name": "raycluster",
            "namespace": "team-a",
            "uid": "uid-1",
            "resourceVersion": "42",
        },
    }


async def test_identical_repeat_within_the_window_patches_the_series(
    monkeypatch: pytest.MonkeyPatch, clock: FakeTime
) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.warning(CLUSTER, "FailedToCreatePod", events.CREATE, "quota exceeded")
    name = kube.creates[0][1]["metadata"]["name"]
    clock.now += 10.0
    await rec.warning(CLUSTER, "FailedToCreatePod", events.CREATE, "quota exceeded")
    clock.now += 10.0
    await rec.warning(CLUSTER, "FailedToCreatePod", events.CREATE, "quota exceeded")
    assert len(kube.creates) == 1
    assert kube.patches == [
        (
            k8s.EVENTS,
            name,
            {"series": {"count": 2, "lastObservedTime": "2023-11-14T22:13:30.000000Z"}},
            "team-a",
        ),
        (
            k8s.EVENTS,
            name,
            {"series": {"count": 3, "lastObservedTime": "2023-11-14T22:13:40.000000Z"}},
            "team-a",
        ),
    ]


async def test_repeat_after_the_window_creates_a_new_event(monkeypatch: pytest.MonkeyPatch, clock: FakeTime) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    clock.now += 5 * 60.0
    await rec.warning(CLUSTER, "R", events.CREATE, "n")  # still inside the 6 minute window
    clock.now += 6 * 60.0 + 1  # 6 min since the last repeat
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    assert len(kube.patches) == 1
    assert len(kube.creates) == 2
    assert kube.creates[0][1]["metadata"]["name"] != kube.creates[1][1]["metadata"]["name"]


@pytest.mark.parametrize(
    ("type_", "reason", "note", "obj_uid"),
    [
        ("Warning", "R", "a different note", "uid-1"),
        ("Warning", "OtherReason", "n", "uid-1"),
        ("Normal", "R", "n", "uid-1"),
        ("Warning", "R", "n", "uid-2"),
    ],
)
async def test_anything_different_creates_a_new_event(
    monkeypatch: pytest.MonkeyPatch, clock: FakeTime, type_: str, reason: str, note: str, obj_uid: str
) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.emit(CLUSTER, "Warning", "R", events.CREATE, "n")
    other = {**CLUSTER, "metadata": {**CLUSTER["metadata"], "uid": obj_uid}}
    await rec.emit(other, type_, reason, events.CREATE, note)
    assert kube.patches == []
    assert [(e["type"], e["reason"], e["note"]) for _, e, _ in kube.creates] == [
        ("Warning", "R", "n"),
        (type_, reason, note),
    ]


async def test_failing_create_never_raises_and_is_not_folded(monkeypatch: pytest.MonkeyPatch, clock: FakeTime) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    kube.create_error = RuntimeError("connection refused")
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    kube.create_error = k8s.Forbidden(403, "Forbidden", "no RBAC for events")
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    kube.create_error = k8s.NotFound(404, "NotFound", "namespace gone")
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    assert kube.creates == []
    kube.create_error = None
    await rec.warning(CLUSTER, "R", events.CREATE, "n")  # nothing remembered: a create, not a patch
    assert len(kube.creates) == 1
    assert kube.patches == []


async def test_failing_patch_never_raises(monkeypatch: pytest.MonkeyPatch, clock: FakeTime) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    kube.patch_error = RuntimeError("timeout")
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    kube.patch_error = None
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    assert len(kube.creates) == 1
    assert [p[2]["series"]["count"] for p in kube.patches] == [2]


async def test_expired_folded_event_is_recreated_on_the_next_repeat(
    monkeypatch: pytest.MonkeyPatch, clock: FakeTime
) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    kube.patch_error = k8s.NotFound(404, "NotFound", "event expired")
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    kube.patch_error = None
    await rec.warning(CLUSTER, "R", events.CREATE, "n")
    assert len(kube.creates) == 2
    assert kube.patches == []


async def test_long_notes_are_truncated_and_default_namespace(monkeypatch: pytest.MonkeyPatch, clock: FakeTime) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    obj = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "u"}}
    await rec.normal(obj, "R", events.UPDATE, "x" * 5000)
    _, event, namespace = kube.creates[0]
    assert len(event["note"]) == 1024
    assert namespace == "default"
    assert event["metadata"]["namespace"] == "default"
    assert event["regarding"] == {"apiVersion": "v1", "kind": "Node", "name": "n1", "namespace": "", "uid": "u"}


async def test_real_clock_event_time_format(monkeypatch: pytest.MonkeyPatch) -> None:
    kube = FakeKube()
    rec = recorder(kube, monkeypatch)
    await rec.normal(CLUSTER, "R", events.CREATE, "n")
    assert MICRO_TIME.fullmatch(kube.creates[0][1]["eventTime"])


def test_reporting_instance_falls_back_to_hostname(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POD_NAME", raising=False)
    monkeypatch.setattr(socket, "gethostname", lambda: "my-host")
    assert EventRecorder(None, "rayjob-controller").instance == "rayjob-controller-my-host"


def test_object_reference_without_resource_version() -> None:
    obj = {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": "j", "namespace": "n", "uid": "u"}}
    expected = {"apiVersion": "ray.io/v1", "kind": "RayJob", "name": "j", "namespace": "n", "uid": "u"}
    assert object_reference(obj) == expected
