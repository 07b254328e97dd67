"""Run a reconcile function over a keyed work queue with a fixed number of workers.

Informer changes are mapped to ``(namespace, name)`` keys (see :mod:`.description`) and queued
here; workers call the reconciler, which reads the latest state and converges. A reconcile
returns when to look again (``None`` means "only on the next event"); an exception backs off per
key. Nothing runs before every informer has synced: a reconcile never acts on a half-filled cache.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Histogram

from ray_operator.framework.description import Watch
from ray_operator.framework.informer import Body, Informers
from ray_operator.framework.k8s import ApiError
from ray_operator.framework.workqueue import WorkQueue

logger = logging.getLogger(__name__)

ObjectKey = tuple[str, str]  # (namespace, name)
ReconcileFn = Callable[[ObjectKey], Awaitable[float | None]]

RECONCILE_TOTAL = Counter(
    "controller_runtime_reconcile", "Total number of reconciliations per controller", ["controller", "result"]
)
RECONCILE_ERRORS = Counter(
    "controller_runtime_reconcile_errors",
    "Total number of reconciliation errors per controller",
    ["controller"],
)
RECONCILE_TIME = Histogram(
    "controller_runtime_reconcile_time_seconds",
    "Length of time per reconciliation per controller",
    ["controller"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)


async def _unbound(key: ObjectKey) -> float | None:
    raise RuntimeError("controller has no reconciler")


class RetryLater(Exception):
    """An expected, transient failure (a pod still terminating, a 409...): back off and retry.

    Logged as one line; any other exception is a bug and is logged with its traceback.
    """


class Controller:
    """One kind's reconcile loop."""

    def __init__(self, name: str, reconcile: ReconcileFn | None = None, workers: int = 4) -> None:
        self.name = name
        self.reconcile: ReconcileFn = reconcile or _unbound
        self.workers = max(1, workers)
        self.queue: WorkQueue[ObjectKey] = WorkQueue(name)
        self._tasks: list[asyncio.Task[None]] = []

    def enqueue(self, key: ObjectKey, delay: float = 0.0) -> None:
        """Ask for a reconcile of ``key`` (now, or after ``delay`` seconds)."""
        self.queue.add_after(key, delay)

    def watch(self, informers: Informers, watches: list[Watch]) -> None:
        """Subscribe to the informers: each change that passes a predicate enqueues the mapped keys."""
        for watch in watches:
            informers[watch.resource].subscribe(self._subscriber(watch, informers))

    def _subscriber(self, watch: Watch, informers: Informers) -> Callable[[Body | None, Body | None], None]:
        predicate, mapper, add = watch.predicate, watch.mapper, self.queue.add

        def on_change(old: Body | None, new: Body | None) -> None:
            if predicate(old, new):
                for key in mapper(old, new, informers):
                    add(key)

        return on_change

    def start(self) -> None:
        for i in range(self.workers):
            self._tasks.append(asyncio.create_task(self._worker(), name=f"{self.name}-worker-{i}"))

    def cancel(self) -> None:
        """Ask the workers to stop (a reconcile in flight is interrupted; it is idempotent)."""
        for task in self._tasks:
            task.cancel()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    def alive(self) -> bool:
        """All workers still running (a crashed worker means a wedged controller)."""
        return bool(self._tasks) and not any(t.done() for t in self._tasks)

    async def _worker(self) -> None:
        while True:
            key = await self.queue.get()
            started = time.monotonic()
            try:
                requeue = await self.reconcile(key)
            except asyncio.CancelledError:
                self.queue.done(key)
                raise
            except (RetryLater, ApiError) as exc:
                RECONCILE_ERRORS.labels(self.name).inc()
                RECONCILE_TOTAL.labels(self.name, "error").inc()
                delay = self.queue.add_rate_limited(key)
                logger.info("%s %s/%s: %s; retrying in %.1fs", self.name, *key, exc, delay)
            except Exception:
                RECONCILE_ERRORS.labels(self.name).inc()
                RECONCILE_TOTAL.labels(self.name, "error").inc()
                delay = self.queue.add_rate_limited(key)
                logger.exception("%s %s/%s: reconcile failed; retrying in %.1fs", self.name, *key, delay)
            else:
                self.queue.forget(key)
                if requeue is not None:
                    RECONCILE_TOTAL.labels(self.name, "requeue_after").inc()
                    self.queue.add_after(key, requeue)
                else:
                    RECONCILE_TOTAL.labels(self.name, "success").inc()
            finally:
                RECONCILE_TIME.labels(self.name).observe(time.monotonic() - started)
            self.queue.done(key)
