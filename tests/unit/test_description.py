"""Controller descriptions: predicates and mappers decide which changes wake which keys."""

from __future__ import annotations

from typing import Any

import pytest

from ray_operator.framework.description import spec_changed


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
