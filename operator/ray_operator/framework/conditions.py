"""Status conditions (metav1.Condition semantics) and the write-only-if-changed rule.

``set_condition`` behaves like apimachinery's ``meta.SetStatusCondition``: the transition time
changes only when the status flips, so a stable cluster writes nothing. ``status_changed`` tells
whether anything but the timestamp of the calculation itself changed (KubeRay's rule for skipping
the write), and ``merge_patch`` turns the old and new status into a JSON merge patch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableSequence, Sequence
from typing import Any

from ray_operator.framework.clock import now_rfc3339

Condition = dict[str, Any]

TRUE = "True"
FALSE = "False"
UNKNOWN = "Unknown"


def find_condition(conditions: Sequence[Mapping[str, Any]] | None, type_: str) -> Mapping[str, Any] | None:
    for condition in conditions or ():
        if condition.get("type") == type_:
            return condition
    return None


def is_true(conditions: Sequence[Mapping[str, Any]] | None, type_: str) -> bool:
    condition = find_condition(conditions, type_)
    return condition is not None and condition.get("status") == TRUE


def set_condition(
    conditions: MutableSequence[Condition],
    type_: str,
    status: str,
    reason: str,
    message: str = "",
    observed_generation: int | None = None,
    clock: Callable[[], str] = now_rfc3339,
) -> bool:
    """Add or update a condition in place; returns True if anything changed."""
    for condition in conditions:
        if condition.get("type") != type_:
            continue
        changed = False
        if condition.get("status") != status:
            condition["status"] = status
            condition["lastTransitionTime"] = clock()
            changed = True
        for key, value in (("reason", reason), ("message", message)):
            if condition.get(key, "") != value:
                condition[key] = value
                changed = True
        if observed_generation is not None and condition.get("observedGeneration") != observed_generation:
            condition["observedGeneration"] = observed_generation
            changed = True
        return changed
    new: Condition = {
        "type": type_,
        "status": status,
        "lastTransitionTime": clock(),
        "reason": reason,
        "message": message,
    }
    if observed_generation is not None:
        new["observedGeneration"] = observed_generation
    conditions.append(new)
    return True


def remove_condition(conditions: MutableSequence[Condition], type_: str) -> bool:
    """Drop a condition; returns True if it was there."""
    for i, condition in enumerate(conditions):
        if condition.get("type") == type_:
            del conditions[i]
            return True
    return False


#: Fields recomputed on every reconcile whose change alone is not worth a write.
VOLATILE_FIELDS = frozenset({"lastUpdateTime"})


def _strip(status: Mapping[str, Any] | None, volatile: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in (status or {}).items() if k not in volatile and v not in (None, "", {}, [])}


def status_changed(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], volatile: frozenset[str] = VOLATILE_FIELDS
) -> bool:
    """Whether ``new`` differs from ``old`` in anything but volatile fields."""
    return _strip(old, volatile) != _strip(new, volatile)


def merge_patch(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """RFC 7386 merge patch turning ``old`` into ``new`` (nulls remove keys; lists replace)."""
    old = old or {}
    patch: dict[str, Any] = {}
    for key, value in new.items():
        previous = old.get(key)
        if isinstance(value, Mapping) and isinstance(previous, Mapping):
            sub = merge_patch(previous, value)
            if sub:
                patch[key] = sub
        elif value != previous:
            patch[key] = value
    for key in old:
        if key not in new:
            patch[key] = None
    return patch
