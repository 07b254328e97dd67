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
import weakref
from collections import deque
from collections.abc import Hashable, Iterable
from typing import Any, Generic, TypeVar

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

K = TypeVar("K", bound=Hashable)


def _exponential_buckets(start: float, factor: float, count: int) -> tuple[float, ...]:
    """client_golang's ``prometheus.ExponentialBuckets`` (same float steps, so same ``le`` labels)."""
    buckets = [start]
    for _ in range(count - 1):
        buckets.append(buckets[-1] * factor)
    return tuple(buckets)


# controller-runtime's workqueue metrics (pkg/internal/metrics/workqueue.go): same names, help
# texts, labels (``name`` and ``controller`` are both the controller's name) and buckets.
_QUEUE_BUCKETS = _exponential_buckets(10e-9, 10, 12)
_LABELS = ["name", "controller"]
QUEUE_ADDS = Counter("workqueue_adds", "Total number of adds handled by workqueue", _LABELS)
QUEUE_RETRIES = Counter(
    "workqueue_retries",
    "Total number of items added to the workqueue with a non-zero delay (rate-limited requeues, explicit "
    "RequeueAfter or AddAfter calls)",
    _LABELS,
)
QUEUE_LATENCY = Histogram(
    "workqueue_queue_duration_seconds",
    "How long in seconds an item stays in workqueue before being requested",
    _LABELS,
    buckets=_QUEUE_BUCKETS,
)
WORK_DURATION = Histogram(
    "workqueue_work_duration_seconds",
    "How long in seconds processing an item from workqueue takes.",
    _LABELS,
    buckets=_QUEUE_BUCKETS,
)


class WorkQueue(Generic[K]):
    """See the module docstring. Single event loop; not thread-safe (nor needs to be)."""

    def __init__(self, name: str, base_backoff: float = 0.5, max_backoff: float = 300.0) -> None:
        self.name = name
        self._ready: deque[K] = deque()
        self._queued: dict[K, float] = {}  # key -> time it became ready
        self._processing: dict[K, float] = {}  # key -> time a worker took it
        self._dirty: set[K] = set()
        self._delayed: list[tuple[float, int, K]] = []
        self._due: dict[K, float] = {}
        self._seq = itertools.count()
        self._failures: dict[K, int] = {}
        self._wakeup = asyncio.Event()
        self._base_backoff = base_backoff
        self._max_backoff = max_backoff
        # Children bound once: an add or a get then costs an increment or an observation only.
        self._adds = QUEUE_ADDS.labels(name, name)
        self._retries = QUEUE_RETRIES.labels(name, name)
        self._latency = QUEUE_LATENCY.labels(name, name)
        self._work = WORK_DURATION.labels(name, name)
        _QUEUES.add(self)

    def __len__(self) -> int:
        return len(self._ready)

    @property
    def delayed(self) -> int:
        return len(self._due)

    def add(self, key: K) -> None:
        """Queue ``key`` now (no-op if already queued; deferred if being processed)."""
        self._due.pop(key, None)
        if key in self._processing:
            self._dirty.add(key)
            return
        if key in self._queued:
            return
        self._adds.inc()  # counted when the key becomes ready, as controller-runtime's queue does
        self._queued[key] = time.monotonic()
        self._ready.append(key)
        self._wakeup.set()

    def add_after(self, key: K, delay: float) -> None:
        """Queue ``key`` after ``delay`` seconds, unless it is due sooner already."""
        if delay <= 0:
            self.add(key)
            return
        self._retries.inc()  # controller-runtime counts every add with a delay as a retry
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
                now = time.monotonic()
                self._latency.observe(now - self._queued.pop(key))
                self._processing[key] = now
                return key
            self._wakeup.clear()
            # asyncio.timeout, not wait_for: no helper task per wait (kopf counts every task spawned
            # after its start as its own and waits for it at shutdown).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wakeup.wait()

    def done(self, key: K) -> None:
        """Mark ``key`` processed; re-queue it if it was added meanwhile."""
        started = self._processing.pop(key, None)
        if started is not None:
            self._work.observe(time.monotonic() - started)
        if key in self._dirty:
            self._dirty.discard(key)
            self.add(key)

    def in_flight(self, now: float) -> tuple[float, float]:
        """Seconds of work in progress: (total over all keys, longest single key)."""
        ages = [now - started for started in self._processing.values()]
        return (sum(ages), max(ages)) if ages else (0.0, 0.0)


_QUEUES: weakref.WeakSet[WorkQueue[Any]] = weakref.WeakSet()


class WorkQueueCollector(Collector):
    """The workqueue gauges, computed at scrape time from the live queues (nothing to update per add).

    controller-runtime refreshes the two "in flight" gauges every 500 ms from a goroutine; reading
    them at scrape time gives the same values without one. ``priority`` is always ``"0"``: the queue
    has no priorities, and ``"0"`` is the priority controller-runtime's queue gives normal adds.
    Queues with the same name (tests build several runtimes) are summed, longest taken as the max.
    """

    def collect(self) -> Iterable[GaugeMetricFamily]:
        depth = GaugeMetricFamily(
            "workqueue_depth",
            "Current depth of workqueue by workqueue and priority",
            labels=["name", "controller", "priority"],
        )
        unfinished = GaugeMetricFamily(
            "workqueue_unfinished_work_seconds",
            "How many seconds of work has been done that is in progress and hasn't been observed by "
            "work_duration. Large values indicate stuck threads. One can deduce the number of stuck "
            "threads by observing the rate at which this increases.",
            labels=_LABELS,
        )
        longest = GaugeMetricFamily(
            "workqueue_longest_running_processor_seconds",
            "How many seconds has the longest running processor for workqueue been running.",
            labels=_LABELS,
        )
        now = time.monotonic()
        totals: dict[str, list[float]] = {}
        for queue in list(_QUEUES):
            total, oldest = queue.in_flight(now)
            entry = totals.setdefault(queue.name, [0.0, 0.0, 0.0])
            entry[0] += len(queue)
            entry[1] += total
            entry[2] = max(entry[2], oldest)
        for name, (ready, total, oldest) in sorted(totals.items()):
            depth.add_metric([name, name, "0"], ready)
            unfinished.add_metric([name, name], total)
            longest.add_metric([name, name], oldest)
        yield depth
        yield unfinished
        yield longest


REGISTRY.register(WorkQueueCollector())
