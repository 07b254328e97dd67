"""A keyed work queue with the guarantees controller-runtime gives reconcilers.

- A key is queued at most once: a burst of pod events for one RayCluster becomes one reconcile.
- A key is processed by at most one worker at a time; an add during processing re-queues it
  once the worker is done, so the latest state is always reconciled.
- Delayed adds keep the earliest due time (a 2 s retry beats a 300 s resync).
- Failures back off per key exponentially, and a success resets the backoff.

Watch events only ever enqueue keys; reconcilers always read the latest state. That is what
makes the operator level-based: missing or duplicated events cannot change the outcome.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

from prometheus_client import Counter, Gauge, Histogram

K = TypeVar("K", bound=Hashable)

QUEUE_DEPTH = Gauge("workqueue_depth", "Current depth of workqueue", ["name", "controller"])
QUEUE_ADDS = Counter("workqueue_adds", "Total number of adds handled by workqueue", ["name", "controller"])
QUEUE_RETRIES = Counter("workqueue_retries", "Total number of retries handled by workqueue", ["name", "controller"])
QUEUE_LATENCY = Histogram(
    "workqueue_queue_duration_seconds",
    "How long in seconds an item stays in workqueue before being requested",
    ["name", "controller"],
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60),
)


class WorkQueue(Generic[K]):
    """See the module docstring. Single event loop; not thread-safe (nor needs to be)."""

    def __init__(self, name: str, base_backoff: float = 0.5, max_backoff: float = 300.0) -> None:
        self.name = name
        self._ready: deque[K] = deque()
        self._queued: dict[K, float] = {}  # key -> time it became ready
        self._processing: set[K] = set()
        self._dirty: set[K] = set()
        self._delayed: list[tuple[float, int, K]] = []
        self._due: dict[K, float] = {}
        self._seq = itertools.count()
        self._failures: dict[K, int] = {}
        self._wakeup = asyncio.Event()
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        self._labels = (name, name)

    def __len__(self) -> int:
        return len(self._ready)

    @property
    def delayed(self) -> int:
        return len(self._due)

    def add(self, key: K) -> None:
        """Queue ``key`` now (no-op if already queued; deferred if being processed)."""
        QUEUE_ADDS.labels(*self._labels).inc()
        self._due.pop(key, None)
        if key in self._processing:
            self._dirty.add(key)
            return
        if key in self._queued:
            return
        self._queued[key] = time.monotonic()
        self._ready.append(key)
        QUEUE_DEPTH.labels(*self._labels).set(len(self._ready))
        self._wakeup.set()

    def add_after(self, key: K, delay: float) -> None:
        """Queue ``key`` after ``delay`` seconds, unless it is due sooner already."""
        if delay <= 0:
            self.add(key)
            return
        due = time.monotonic() + delay
        current = self._due.get(key)
        if current is not None and current <= due:
            return
        self._due[key] = due
        heapq.heappush(self._delayed, (due, next(self._seq), key))
        self._wakeup.set()

    def add_rate_limited(self, key: K) -> float:
        """Queue ``key`` after its exponential backoff; returns the delay used."""
        failures = self._failures.get(key, 0)
        self._failures[key] = failures + 1
        # Cap the exponent: 2**1024 overflows a float, which would crash the worker of a key
        # that keeps failing (about 3.5 days at a 300 s cap).
        delay = min(self._base_backoff * 2.0 ** min(failures, 64), self._max_backoff)
        QUEUE_RETRIES.labels(*self._labels).inc()
        self.add_after(key, delay)
        return delay

    def forget(self, key: K) -> None:
        """Reset ``key``'s backoff after a success."""
        self._failures.pop(key, None)

    def _promote_due(self) -> float | None:
        """Move due delayed keys to ready; return seconds until the next one (or None)."""
        now = time.monotonic()
        while self._delayed:
            due, _, key = self._delayed[0]
            if self._due.get(key) != due:  # superseded by an earlier add or a plain add
                heapq.heappop(self._delayed)
                continue
            if due > now:
                return due - now
            heapq.heappop(self._delayed)
            del self._due[key]
            self.add(key)
        return None

    async def get(self) -> K:
        """Wait for the next key and mark it as being processed."""
        while True:
            wait = self._promote_due()
            if self._ready:
                key = self._ready.popleft()
                queued_at = self._queued.pop(key)
                QUEUE_LATENCY.labels(*self._labels).observe(time.monotonic() - queued_at)
                QUEUE_DEPTH.labels(*self._labels).set(len(self._ready))
                self._processing.add(key)
                return key
            self._wakeup.clear()
            # asyncio.timeout, not wait_for: no helper task per wait (kopf counts every task spawned
            # after its start as its own and waits for it at shutdown).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wakeup.wait()

    def done(self, key: K) -> None:
        """Mark ``key`` processed; re-queue it if it was added meanwhile."""
        self._processing.discard(key)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)
