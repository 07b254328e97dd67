"""Controller: workers run the reconcile function over the work queue."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from ray_operator.framework.controller import Controller, ObjectKey
from ray_operator.framework.workqueue import WorkQueue

A: ObjectKey = ("ns", "a")
B: ObjectKey = ("ns", "b")
C: ObjectKey = ("ns", "c")

ControllerFactory = Callable[..., Controller]


@pytest.fixture
async def make_controller() -> AsyncIterator[ControllerFactory]:
    """Builds started controllers with a fast backoff, and stops them after the test."""
    made: list[Controller] = []

    def make(reconcile: Callable[[ObjectKey], Awaitable[float | None]], workers: int = 4) -> Controller:
        controller = Controller("test-controller", reconcile, workers=workers)
        controller.queue = WorkQueue("test-controller", base_backoff=0.02, max_backoff=0.5)
        controller.start()
        made.append(controller)
        return controller

    yield make
    for controller in made:
        await controller.stop()


async def wait_until(predicate: Callable[[], bool], within: float = 1.0) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.002)


async def test_workers_call_reconcile_with_the_key(make_controller: ControllerFactory) -> None:
    seen: list[ObjectKey] = []

    async def reconcile(key: ObjectKey) -> float | None:
        seen.append(key)
        return None

    controller = make_controller(reconcile)
    controller.enqueue(A)
    controller.enqueue(B)
    await wait_until(lambda: len(seen) == 2)
    await asyncio.sleep(0.05)
    assert sorted(seen) == [A, B]  # None: no further reconcile without a new event
    assert controller.queue.delayed == 0


async def test_enqueue_with_delay_waits(make_controller: ControllerFactory) -> None:
    times: list[float] = []

    async def reconcile(key: ObjectKey) -> float | None:
        times.append(time.monotonic())
        return None

    controller = make_controller(reconcile)
    started = time.monotonic()
    controller.enqueue(A, delay=0.05)
    await wait_until(lambda: len(times) == 1)
    assert times[0] - started >= 0.04


async def test_returned_delay_requeues_the_key(make_controller: ControllerFactory) -> None:
    times: list[float] = []

    async def reconcile(key: ObjectKey) -> float | None:
        times.append(time.monotonic())
        return 0.03 if len(times) < 3 else None

    controller = make_controller(reconcile)
    controller.enqueue(A)
    await wait_until(lambda: len(times) == 3)
    await asyncio.sleep(0.08)
    assert len(times) == 3  # the third run returned None: no more requeues
    assert times[1] - times[0] >= 0.025
    assert times[2] - times[1] >= 0.025


async def test_exceptions_back_off_and_are_retried(make_controller: ControllerFactory) -> None:
    times: list[float] = []

    async def reconcile(key: ObjectKey) -> float | None:
        times.append(time.monotonic())
        if len(times) <= 3:
            raise RuntimeError("boom")
        return None

    controller = make_controller(reconcile)
    controller.enqueue(A)
    await wait_until(lambda: len(times) == 4)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # base 0.02 s doubling: 0.02, 0.04, 0.08 (allow scheduling slack below)
    assert gaps[0] >= 0.018
    assert gaps[1] >= 0.038
    assert gaps[2] >= 0.078
    assert controller.alive()  # a failing reconcile does not kill the worker
    # The success forgot the failures: the next backoff starts from the base again.
    assert controller.queue.add_rate_limited(B) == 0.02
    controller.queue.forget(B)
    assert controller.queue.add_rate_limited(A) == 0.02


async def test_one_key_never_runs_concurrently_but_distinct_keys_run_in_parallel(
    make_controller: ControllerFactory,
) -> None:
    active: set[ObjectKey] = set()
    max_parallel = 0
    overlap: list[ObjectKey] = []
    runs: dict[ObjectKey, int] = {A: 0, B: 0, C: 0}
    release = asyncio.Event()

    async def reconcile(key: ObjectKey) -> float | None:
        nonlocal max_parallel
        if key in active:
            overlap.append(key)
        active.add(key)
        runs[key] += 1
        max_parallel = max(max_parallel, len(active))
        try:
            if runs[key] == 1:
                await release.wait()
            else:
                await asyncio.sleep(0.005)
        finally:
            active.discard(key)
        return None

    controller = make_controller(reconcile, workers=4)
    for key in (A, B, C):
        controller.enqueue(key)
    await wait_until(lambda: active == {A, B, C})  # three keys at once on three workers
    for _ in range(5):  # events for A while A is being reconciled
        controller.enqueue(A)
        await asyncio.sleep(0.005)
    assert runs[A] == 1  # the idle fourth worker did not pick A up
    release.set()
    await wait_until(lambda: runs[A] == 2 and not active)
    await asyncio.sleep(0.03)
    assert overlap == []
    assert max_parallel == 3
    assert runs == {A: 2, B: 1, C: 1}  # the burst of five adds became exactly one more reconcile


async def test_alive_reflects_worker_state() -> None:
    class WorkerCrash(BaseException):
        pass

    async def reconcile(key: ObjectKey) -> float | None:
        if key == B:
            raise WorkerCrash()
        return None

    controller = Controller("test-controller", reconcile, workers=2)
    assert not controller.alive()  # not started
    controller.start()
    try:
        assert controller.alive()
        controller.enqueue(A)
        await asyncio.sleep(0.01)
        assert controller.alive()
        controller.enqueue(B)  # escapes the worker's `except Exception`: the worker dies
        await wait_until(lambda: not controller.alive())
    finally:
        await controller.stop()
    assert not controller.alive()


async def test_stop_cancels_workers_and_releases_the_key() -> None:
    started = asyncio.Event()

    async def reconcile(key: ObjectKey) -> float | None:
        started.set()
        await asyncio.sleep(10)
        return None

    controller = Controller("test-controller", reconcile, workers=1)
    controller.start()
    controller.enqueue(A)
    await asyncio.wait_for(started.wait(), 1.0)
    await asyncio.wait_for(controller.stop(), 1.0)
    assert not controller.alive()
    controller.queue.add(A)  # A is no longer "processing": a new add is ready at once
    assert len(controller.queue) == 1


def test_workers_is_at_least_one() -> None:
    async def reconcile(key: ObjectKey) -> float | None:
        return None

    assert Controller("x", reconcile, workers=0).workers == 1
    assert Controller("x", reconcile, workers=3).workers == 3
