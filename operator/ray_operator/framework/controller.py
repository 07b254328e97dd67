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

from prometheus_client import Counter, Gauge, Histogram

from ray_operator.framework.description import Watch
from ray_operator.framework.informer import Body, Informers
from ray_operator.framework.k8s import ApiError
from ray_operator.framework.workqueue import WorkQueue

logger = logging.getLogger(__name__)

ObjectKey = tuple[str, str]  # (namespace, name)
ReconcileFn = Callable[[ObjectKey], Awaitable[float | None]]

# controller-runtime's reconcile metrics (pkg/internal/controller/metrics): same names, help texts,
# labels and buckets; ``controller`` is the controller's name (KubeRay's are the lowercase kinds).
RECONCILE_TOTAL = Counter(
    "controller_runtime_reconcile", "Total number of reconciliations per controller", ["controller", "result"]
)
RECONCILE_ERRORS = Counter(
    "controller_runtime_reconcile_errors",
    "Total number of reconciliation errors per controller",
    ["controller"],
)
TERMINAL_RECONCILE_ERRORS = Counter(
    "controller_runtime_terminal_reconcile_errors",
    "Total number of terminal reconciliation errors per controller",
    ["controller"],
)
RECONCILE_PANICS = Counter(
    "controller_runtime_reconcile_panics",
    "Total number of reconciliation panics per controller",
    ["controller"],
)
RECONCILE_TIMEOUTS = Counter(
    "controller_runtime_reconcile_timeouts",
    "Total number of reconciliation timeouts per controller",
    ["controller"],
)
RECONCILE_TIME = Histogram(
    "controller_runtime_reconcile_time_seconds",
    "Length of time per reconciliation per controller",
    ["controller"],
    buckets=(
        *(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
        *(1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60),
    ),
)
MAX_CONCURRENT_RECONCILES = Gauge(
    "controller_runtime_max_concurrent_reconciles",
    "Maximum number of concurrent reconciles per controller",
    ["controller"],
)
ACTIVE_WORKERS = Gauge(
    "controller_runtime_active_workers", "Number of currently used workers per controller", ["controller"]
)
RESULTS = ("error", "requeue_after", "requeue", "success")


class _ReconcileMetrics:
    """One controller's children, bound once and created at zero (as controller-runtime's
    ``initMetrics`` does, so ``rate()`` and alerts see every series from the start)."""

    def __init__(self, name: str, workers: int) -> None:
        self.total = {result: RECONCILE_TOTAL.labels(name, result) for result in RESULTS}
        self.errors = RECONCILE_ERRORS.labels(name)
        self.panics = RECONCILE_PANICS.labels(name)
        self.time = RECONCILE_TIME.labels(name)
        self.active = ACTIVE_WORKERS.labels(name)
        TERMINAL_RECONCILE_ERRORS.labels(name)  # no terminal errors here: the series stays at 0
        RECONCILE_TIMEOUTS.labels(name)  # no reconcile timeout option: stays at 0
        MAX_CONCURRENT_RECONCILES.labels(name).set(workers)
        self.active.set(0)


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
        self._metrics = _ReconcileMetrics(name, self.workers)
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
        m = self._metrics
        while True:
            key = await self.queue.get()
            started = time.monotonic()
            m.active.inc()
            try:
                requeue = await self.reconcile(key)
            except asyncio.CancelledError:
                self.queue.done(key)
                raise
            except (RetryLater, ApiError) as exc:
                m.errors.inc()
                m.total["error"].inc()
                delay = self.queue.add_rate_limited(key)
                logger.info("%s %s/%s: %s; retrying in %.1fs", self.name, *key, exc, delay)
            except Exception:
                # An unexpected exception is a bug: the counterpart of a recovered Go panic.
                m.panics.inc()
                m.errors.inc()
                m.total["error"].inc()
                delay = self.queue.add_rate_limited(key)
                logger.exception("%s %s/%s: reconcile failed; retrying in %.1fs", self.name, *key, delay)
            else:
                self.queue.forget(key)
                if requeue is None:
                    m.total["success"].inc()
                else:
                    m.total["requeue_after" if requeue > 0 else "requeue"].inc()
                    self.queue.add_after(key, requeue)
            finally:
                m.active.dec()
                m.time.observe(time.monotonic() - started)
            self.queue.done(key)
