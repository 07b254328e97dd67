"""Status conditions, the write-only-if-changed rule and JSON merge patches."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from ray_operator.framework.clock import now_rfc3339
from ray_operator.framework.conditions import (
    FALSE,
    TRUE,
    UNKNOWN,
    Condition,
    find_condition,
    is_true,
    merge_patch,
    remove_condition,
    set_condition,
    status_changed,
)


def ticking_clock() -> Callable[[], str]:
    times = iter(f"2024-01-01T00:00:{s:02d}Z" for s in range(60))
    return lambda: next(times)


# --------------------------------------------------------------------------- conditions


def test_now_rfc3339_is_seconds_precision_utc() -> None:
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", now_rfc3339())


def test_set_condition_adds_a_new_condition() -> None:
    conditions: list[Condition] = []
    clock = ticking_clock()
    assert set_condition(conditions, "Ready", TRUE, "AllGood", "fine", observed_generation=3, clock=clock)
    assert conditions == [
        {
            "type": "Ready",
            "status": "True",
            "lastTransitionTime": "2024-01-01T00:00:00Z",
            "reason": "AllGood",
            "message": "fine",
            "observedGeneration": 3,
        }
    ]
    set_condition(conditions, "Other", FALSE, "Nope", clock=clock)
    assert [c["type"] for c in conditions] == ["Ready", "Other"]
    assert "observedGeneration" not in conditions[1]
    assert conditions[1]["message"] == ""


def test_set_condition_identical_is_a_no_op() -> None:
    conditions: list[Condition] = []
    clock = ticking_clock()
    set_condition(conditions, "Ready", TRUE, "AllGood", "fine", observed_generation=1, clock=clock)
    before = copy.deepcopy(conditions)
    assert not set_condition(conditions, "Ready", TRUE, "AllGood", "fine", observed_generation=1, clock=clock)
    assert not set_condition(conditions, "Ready", TRUE, "AllGood", "fine", clock=clock)  # None: generation kept
    assert conditions == before


def test_transition_time_changes_only_when_status_flips() -> None:
    conditions: list[Condition] = []
    clock = ticking_clock()
    set_condition(conditions, "Ready", FALSE, "Starting", clock=clock)
    assert conditions[0]["lastTransitionTime"] == "2024-01-01T00:00:00Z"

    assert set_condition(conditions, "Ready", FALSE, "StillStarting", "waiting for head", clock=clock)
    assert conditions[0]["lastTransitionTime"] == "2024-01-01T00:00:00Z"  # reason/message only
    assert (conditions[0]["reason"], conditions[0]["message"]) == ("StillStarting", "waiting for head")

    assert set_condition(conditions, "Ready", TRUE, "StillStarting", "waiting for head", clock=clock)
    assert conditions[0]["status"] == TRUE
    assert conditions[0]["lastTransitionTime"] == "2024-01-01T00:00:01Z"

    assert set_condition(conditions, "Ready", UNKNOWN, "Lost", "", clock=clock)
    assert conditions[0]["lastTransitionTime"] == "2024-01-01T00:00:02Z"
    assert conditions[0]["message"] == ""


def test_set_condition_updates_observed_generation() -> None:
    conditions: list[Condition] = []
    set_condition(conditions, "Ready", TRUE, "R", observed_generation=1, clock=ticking_clock())
    assert set_condition(conditions, "Ready", TRUE, "R", observed_generation=2)
    assert conditions[0]["observedGeneration"] == 2
    assert conditions[0]["lastTransitionTime"] == "2024-01-01T00:00:00Z"


def test_set_condition_only_touches_its_type() -> None:
    conditions: list[Condition] = [
        {"type": "A", "status": TRUE, "reason": "x", "message": "", "lastTransitionTime": "t0"},
        {"type": "B", "status": TRUE, "reason": "y", "message": "", "lastTransitionTime": "t0"},
    ]
    assert set_condition(conditions, "B", FALSE, "z", clock=lambda: "t1")
    assert conditions[0] == {"type": "A", "status": TRUE, "reason": "x", "message": "", "lastTransitionTime": "t0"}
    assert conditions[1] == {"type": "B", "status": FALSE, "reason": "z", "message": "", "lastTransitionTime": "t1"}


def test_remove_condition() -> None:
    conditions: list[Condition] = [{"type": "A", "status": TRUE}, {"type": "B", "status": FALSE}]
    assert remove_condition(conditions, "A")
    assert conditions == [{"type": "B", "status": FALSE}]
    assert not remove_condition(conditions, "A")
    assert conditions == [{"type": "B", "status": FALSE}]


def test_find_condition_and_is_true() -> None:
    conditions = [{"type": "A", "status": TRUE}, {"type": "B", "status": FALSE}]
    assert find_condition(conditions, "B") == {"type": "B", "status": FALSE}
    assert find_condition(conditions, "C") is None
    assert find_condition(None, "A") is None
    assert is_true(conditions, "A")
    assert not is_true(conditions, "B")
    assert not is_true(conditions, "C")
    assert not is_true(None, "A")


# --------------------------------------------------------------------------- status_changed


def test_status_changed_ignores_last_update_time() -> None:
    old = {"state": "ready", "lastUpdateTime": "2024-01-01T00:00:00Z"}
    new = {"state": "ready", "lastUpdateTime": "2024-01-01T00:05:00Z"}
    assert not status_changed(old, new)
    assert not status_changed({"state": "ready"}, new)


def test_status_changed_ignores_empty_values() -> None:
    old = {"state": "ready"}
    new: dict[str, Any] = {"state": "ready", "reason": "", "conditions": [], "endpoints": {}, "head": None}
    assert not status_changed(old, new)
    assert not status_changed(new, old)
    assert not status_changed(None, {"reason": "", "lastUpdateTime": "x"})


def test_status_changed_detects_real_changes() -> None:
    assert status_changed({"state": "ready"}, {"state": "suspended"})
    assert status_changed({"state": "ready"}, {"state": "ready", "readyWorkerReplicas": 0})  # 0 is not empty
    assert status_changed({"state": "ready", "reason": "x"}, {"state": "ready"})
    assert status_changed(None, {"state": "ready"})
    assert status_changed({"head": {"podIP": "1"}}, {"head": {"podIP": "2"}})


def test_status_changed_custom_volatile_fields() -> None:
    old = {"state": "ready", "observedGeneration": 1}
    new = {"state": "ready", "observedGeneration": 2}
    assert status_changed(old, new)
    assert not status_changed(old, new, volatile=frozenset({"observedGeneration"}))


# --------------------------------------------------------------------------- merge_patch


def test_merge_patch_examples() -> None:
    old = {
        "state": "ready",
        "head": {"podIP": "10.0.0.1", "serviceIP": "10.1.0.1"},
        "endpoints": {"dashboard": "8265", "gcs": "6379"},
        "conditions": [{"type": "A"}, {"type": "B"}],
        "reason": "gone soon",
    }
    new = {
        "state": "ready",
        "head": {"podIP": "10.0.0.2", "serviceIP": "10.1.0.1"},
        "endpoints": {"dashboard": "8265"},
        "conditions": [{"type": "A"}],
        "desiredWorkerReplicas": 3,
    }
    assert merge_patch(old, new) == {
        "head": {"podIP": "10.0.0.2"},
        "endpoints": {"gcs": None},
        "conditions": [{"type": "A"}],
        "reason": None,
        "desiredWorkerReplicas": 3,
    }


def test_merge_patch_of_equal_documents_is_empty() -> None:
    doc = {"a": 1, "b": {"c": [1, 2], "d": {"e": "f"}}}
    assert merge_patch(doc, copy.deepcopy(doc)) == {}


def test_merge_patch_from_nothing_is_the_new_document() -> None:
    new = {"a": 1, "b": {"c": 2}}
    assert merge_patch(None, new) == new
    assert merge_patch({}, new) == new


def test_merge_patch_replaces_lists_whole_and_type_changes() -> None:
    assert merge_patch({"l": [1, 2, 3]}, {"l": [1, 2]}) == {"l": [1, 2]}
    assert merge_patch({"x": {"a": 1}}, {"x": "scalar"}) == {"x": "scalar"}
    assert merge_patch({"x": "scalar"}, {"x": {"a": 1}}) == {"x": {"a": 1}}
    assert merge_patch({"x": {"a": 1}}, {"x": {}}) == {"x": {"a": None}}


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 section 2, verbatim."""
    if isinstance(patch, Mapping):
        result = dict(target) if isinstance(target, Mapping) else {}
        for name, value in patch.items():
            if value is None:
                result.pop(name, None)
            else:
                result[name] = apply_merge_patch(result.get(name), value)
        return result
    return patch


def random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.randrange(5 if depth < 3 else 3)
    if kind == 0:
        return rng.randrange(4)
    if kind == 1:
        return rng.choice(["x", "y", "", "z"])
    if kind == 2:
        return [rng.randrange(3) for _ in range(rng.randrange(3))]
    if kind == 3:
        return rng.choice([True, False])
    return random_doc(rng, depth + 1)


def random_doc(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    return {key: random_value(rng, depth) for key in rng.sample("abcdef", rng.randrange(5))}


def mutate(rng: random.Random, doc: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for key in list(out):
        roll = rng.random()
        if roll < 0.2:
            del out[key]
        elif roll < 0.4:
            out[key] = random_value(rng, depth)
        elif isinstance(out[key], dict) and roll < 0.8:
            out[key] = mutate(rng, out[key], depth + 1)
    if rng.random() < 0.4:
        out[rng.choice("ghij")] = random_value(rng, depth)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_applying_the_patch_turns_old_into_new(seed: int) -> None:
    rng = random.Random(seed)
    old = random_doc(rng)
    new = mutate(rng, old)
    patch = merge_patch(old, new)
    assert apply_merge_patch(copy.deepcopy(old), patch) == new
    assert (patch == {}) == (old == new)


def test_random_cases_exercise_nested_changes() -> None:
    """Guard for the generator above: the random cases must include nested and removal patches."""
    nested = removal = 0
    for seed in range(40):
        rng = random.Random(seed)
        old = random_doc(rng)
        patch = merge_patch(old, mutate(rng, old))
        nested += any(isinstance(v, dict) and k in old and isinstance(old[k], dict) for k, v in patch.items())
        removal += any(v is None for v in patch.values())
    assert nested >= 3
    assert removal >= 3
