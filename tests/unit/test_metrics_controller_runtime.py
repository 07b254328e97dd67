"""controller-runtime's metrics as the work queue and the controller export them.

Names, labels and buckets are those of controller-runtime v0.24 (what KubeRay builds with), and the
values follow its rules: an add counts when a key becomes ready, every delayed add is a retry, all
four ``result`` series exist from the start. Each test uses its own controller name, so counters
left by other tests cannot make it pass.
"""

from __future__ import annotations

import asyncio
import uuid

from prometheus_client import REGISTRY, generate_latest

from ray_operator import metrics  # noqa: F401  (the operator's registry policy: no *_created series)
from ray_operator.framework.controller import RESULTS, Controller, ObjectKey
from ray_operator.framework.workqueue import WorkQueue
from unit.test_controller import wait_until

A: ObjectKey = ("ns", "a")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def value(sample: str, **labels: str) -> float:
    """A sample's current value; 0 for a series that does not exist (yet)."""
    return REGISTRY.get_sample_value(sample, labels) or 0.0


def queue_value(sample: str, queue: str) -> float:
    return value(sample, name=queue, controller=queue)


# --------------------------------------------------------------------------- work queue


async def test_adds_count_keys_that_become_ready_not_duplicate_adds() -> None:
    name = unique("wq")
    q: WorkQueue[str] = WorkQueue(name)
    for key in ("a", "b", "a", "a"):
        q.add(key)
    assert queue_value("workqueue_adds_total", name) == 2
    assert value("workqueue_depth", name=name, controller=name, priority="0") == 2
    assert await q.get() == "a"
    q.add("a")  # while processing: deferred, counted when it is re-queued
    q.add("a")
    assert queue_value("workqueue_adds_total", name) == 2
    q.done("a")
    assert queue_value("workqueue_adds_total", name) == 3
    assert value("workqueue_depth", name=name, controller=name, priority="0") == 2


async def test_every_delayed_add_is_a_retry_and_counts_as_an_add_when_due() -> None:
    name = unique("wq")
    q: WorkQueue[str] = WorkQueue(name, base_backoff=0.01)
    q.add_after("a", 0.01)
    q.add_after("a", 5.0)  # superseded by the earlier due time, still a delayed add
    q.add_rate_limited("b")
    q.add_after("c", 0)  # no delay: a plain add
    assert queue_value("workqueue_retries_total", name) == 3
    assert queue_value("workqueue_adds_total", name) == 1
    got = {await asyncio.wait_for(q.get(), 1.0) for _ in range(3)}
    assert got == {"a", "b", "c"}
    assert queue_value("workqueue_adds_total", name) == 3


async def test_queue_and_work_durations_are_observed_on_get_and_done() -> None:
    name = unique("wq")
    q: WorkQueue[str] = WorkQueue(name)
    q.add("a")
    await asyncio.sleep(0.02)
    assert await q.get() == "a"
    assert queue_value("workqueue_queue_duration_seconds_count", name) == 1
    assert queue_value("workqueue_queue_duration_seconds_sum", name) >= 0.02
    assert queue_value("workqueue_work_duration_seconds_count", name) == 0
    await asyncio.sleep(0.03)
    q.done("a")
    assert queue_value("workqueue_work_duration_seconds_count", name) == 1
    assert queue_value("workqueue_work_duration_seconds_sum", name) >= 0.03


async def test_in_flight_work_is_read_at_scrape_time() -> None:
    name = unique("wq")
    q: WorkQueue[str] = WorkQueue(name)
    q.add("a")
    q.add("b")
    assert await q.get() == "a"
    await asyncio.sleep(0.03)
    assert await q.get() == "b"
    await asyncio.sleep(0.02)
    longest = queue_value("workqueue_longest_running_processor_seconds", name)
    unfinished = queue_value("workqueue_unfinished_work_seconds", name)
    assert 0.05 <= longest < 1.0
    assert unfinished >= longest + 0.02  # "a" for ~50 ms plus "b" for ~20 ms
    q.done("a")
    q.done("b")
    assert queue_value("workqueue_longest_running_processor_seconds", name) == 0
    assert queue_value("workqueue_unfinished_work_seconds", name) == 0


def test_queue_duration_buckets_are_client_golangs_exponential_buckets() -> None:
    """ExponentialBuckets(10e-9, 10, 12): the ``le`` labels a Go operator prints, float quirks included."""
    name = unique("wq")
    WorkQueue(name)
    text = generate_latest(REGISTRY).decode()
    les = [
        line.split('le="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("workqueue_queue_duration_seconds_bucket{") and f'name="{name}"' in line
    ]
    assert les == [
        "1e-08", "1e-07", "1e-06", "9.999999999999999e-06", "9.999999999999999e-05", "0.001",
        "0.01", "0.1", "1.0", "10.0", "100.0", "1000.0", "+Inf",
    ]  # fmt: skip


# --------------------------------------------------------------------------- controller


def test_a_new_controller_exports_every_series_at_zero() -> None:
    name = unique("ctrl")
    Controller(name, workers=3)
    for result in RESULTS:
        assert (
            REGISTRY.get_sample_value("controller_runtime_reconcile_total", {"controller": name, "result": result}) == 0
        )
    for family in (
        "controller_runtime_reconcile_errors_total",
        "controller_runtime_terminal_reconcile_errors_total",
        "controller_runtime_reconcile_panics_total",
        "controller_runtime_reconcile_timeouts_total",
        "controller_runtime_active_workers",
    ):
        assert REGISTRY.get_sample_value(family, {"controller": name}) == 0, family
    assert value("controller_runtime_max_concurrent_reconciles", controller=name) == 3


async def test_results_errors_panics_and_active_workers() -> None:
    name = unique("ctrl")
    answers: list[float | Exception | None] = [None, 30.0, 0.0, RuntimeError("bug"), None]
    running = asyncio.Event()
    release = asyncio.Event()

    async def reconcile(key: ObjectKey) -> float | None:
        answer = answers.pop(0)
        if not answers:  # the last call waits, so active_workers can be seen at 1
            running.set()
            await release.wait()
        if isinstance(answer, Exception):
            raise answer
        return answer

    controller = Controller(name, reconcile, workers=2)
    controller.queue = WorkQueue(name, base_backoff=0.01)
    controller.start()
    try:
        for _ in range(3):  # success, requeue_after (stays delayed), requeue (0 s: at once) -> bug
            controller.enqueue(A)
            await wait_until(lambda: not controller.queue._processing and len(controller.queue) == 0)
        await asyncio.wait_for(running.wait(), 2.0)  # the bug's backoff retry is the last call
        assert value("controller_runtime_active_workers", controller=name) == 1
        release.set()
        await wait_until(lambda: value("controller_runtime_reconcile_total", controller=name, result="success") == 2)
    finally:
        await controller.stop()
    counts = {r: value("controller_runtime_reconcile_total", controller=name, result=r) for r in RESULTS}
    assert counts == {"success": 2, "requeue_after": 1, "requeue": 1, "error": 1}
    assert value("controller_runtime_reconcile_errors_total", controller=name) == 1
    assert value("controller_runtime_reconcile_panics_total", controller=name) == 1  # an unexpected exception
    assert value("controller_runtime_active_workers", controller=name) == 0
    assert value("controller_runtime_reconcile_time_seconds_count", controller=name) == 5


def test_reconcile_time_buckets_are_controller_runtimes() -> None:
    name = unique("ctrl")
    Controller(name)
    buckets = [
        s.labels["le"]
        for family in REGISTRY.collect()
        if family.name == "controller_runtime_reconcile_time_seconds"
        for s in family.samples
        if s.name.endswith("_bucket") and s.labels["controller"] == name
    ]
    assert len(buckets) == 41 and buckets[0] == "0.005" and buckets[-2] == "60.0" and buckets[-1] == "+Inf"
    assert {"0.15", "0.45", "1.25", "4.5", "40.0"} <= set(buckets)


def test_no_created_series_and_the_process_metrics_are_there() -> None:
    """client_golang has no ``*_created`` series; process metrics come from prometheus_client's collectors."""
    text = generate_latest(REGISTRY).decode()
    assert "_created" not in text
    for family in ("process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds"):
        assert REGISTRY.get_sample_value(family) is not None, family
