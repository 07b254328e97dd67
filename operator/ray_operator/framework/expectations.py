"""Scale expectations: remember our own creates and deletes until the watch has seen them.

Between creating a pod and seeing it in the watch-fed cache, a reconcile would count one pod
too few and create another; between deleting one and seeing it gone, it would delete again.
KubeRay avoids both by recording each create/delete per (cluster, group) and skipping the group
until the cache agrees. We do the same, checking the cache instead of issuing API calls.

Create expectations expire after 30 s (KubeRay's timeout: a pod deleted right after creation
never shows up). Delete expectations expire after 5 minutes; KubeRay waits forever, which can
wedge a group behind a pod stuck on a finalizer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

HEAD_GROUP = ""  # KubeRay's key for the head "group"
CREATE_TIMEOUT = 30.0
DELETE_TIMEOUT = 300.0


@dataclass
class _GroupExpectations:
    creates: dict[str, float] = field(default_factory=dict)  # pod name -> when
    deletes: dict[str, float] = field(default_factory=dict)


class ScaleExpectations:
    """Per (namespace, cluster, group) pending creates and deletes."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._groups: dict[tuple[str, str, str], _GroupExpectations] = {}

    def expect_create(self, namespace: str, cluster: str, group: str, pod: str) -> None:
        self._groups.setdefault((namespace, cluster, group), _GroupExpectations()).creates[pod] = self._clock()

    def expect_delete(self, namespace: str, cluster: str, group: str, pod: str) -> None:
        self._groups.setdefault((namespace, cluster, group), _GroupExpectations()).deletes[pod] = self._clock()

    def satisfied(self, namespace: str, cluster: str, group: str, present: Iterable[str]) -> bool:
        """Whether the cache (``present`` = names of the group's pods) reflects our actions."""
        key = (namespace, cluster, group)
        exp = self._groups.get(key)
        if exp is None:
            return True
        names = set(present)
        now = self._clock()
        for pod, when in list(exp.creates.items()):
            if pod in names or now - when > CREATE_TIMEOUT:
                del exp.creates[pod]
        for pod, when in list(exp.deletes.items()):
            if pod not in names or now - when > DELETE_TIMEOUT:
                del exp.deletes[pod]
        if exp.creates or exp.deletes:
            return False
        del self._groups[key]
        return True

    def pending(self, namespace: str, cluster: str) -> int:
        """Unconfirmed actions for a cluster (for logs and tests)."""
        return sum(
            len(e.creates) + len(e.deletes)
            for (ns, c, _), e in self._groups.items()
            if ns == namespace and c == cluster
        )

    def forget_cluster(self, namespace: str, cluster: str) -> None:
        """Drop everything about a cluster (deleted, or all its pods deleted on purpose)."""
        for key in [k for k in self._groups if k[0] == namespace and k[1] == cluster]:
            del self._groups[key]
