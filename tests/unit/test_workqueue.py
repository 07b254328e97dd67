"""WorkQueue: dedup, one-at-a-time processing, earliest-due delayed adds, per-key backoff."""

from __future__ import annotations

import asyncio
import time

import pytest

from ray_operator.framework.workqueue import WorkQueue


async def get_within(queue: WorkQueue[str], within: float = 1.0) -> str:
    return await asyncio.wait_for(queue.get(), within)


async def assert_nothing_within(queue: WorkQueue[str], within: float) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.get(), within)


async def test_add_dedups_queued_keys_and_keeps_fifo_order() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    for key in ("a", "b", "a", "c", "b", "a"):
        q.add(key)
    assert len(q) == 3
    assert [await get_within(q) for _ in range(3)] == ["a", "b", "c"]
    assert len(q) == 0
    await assert_nothing_within(q, 0.02)


async def test_key_added_while_processing_is_requeued_once_after_done() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add("a")
    assert await get_within(q) == "a"
    q.add("a")
    q.add("a")
    assert len(q) == 0  # not handed to a second worker while "a" is being processed
    await assert_nothing_within(q, 0.02)
    q.done("a")
    assert len(q) == 1
    assert await get_within(q) == "a"
    q.done("a")
    assert len(q) == 0
    await assert_nothing_within(q, 0.02)


async def test_done_without_new_add_does_not_requeue() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add("a")
    assert await get_within(q) == "a"
    q.done("a")
    assert (len(q), q.delayed) == (0, 0)


async def test_add_after_non_positive_delay_is_immediate() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add_after("a", 0)
    q.add_after("b", -1.0)
    assert (len(q), q.delayed) == (2, 0)


async def test_add_after_keeps_the_earliest_due_time() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add_after("a", 30.0)
    q.add_after("a", 0.05)
    q.add_after("a", 20.0)  # later than the pending 0.05 s: ignored
    assert (len(q), q.delayed) == (0, 1)
    started = time.monotonic()
    assert await get_within(q) == "a"
    assert 0.04 <= time.monotonic() - started < 0.5
    q.done("a")
    assert q.delayed == 0  # the superseded 30 s / 20 s entries do not fire later
    await assert_nothing_within(q, 0.05)


async def test_later_add_after_does_not_postpone_an_earlier_one() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add_after("a", 0.05)
    q.add_after("a", 10.0)
    started = time.monotonic()
    assert await get_within(q) == "a"
    assert time.monotonic() - started < 0.5


async def test_plain_add_supersedes_a_pending_delayed_add() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add_after("a", 0.05)
    q.add("a")
    assert (len(q), q.delayed) == (1, 0)
    assert await get_within(q) == "a"
    q.done("a")
    await assert_nothing_within(q, 0.1)  # the delayed add was dropped, not delivered again


async def test_get_waits_for_a_delayed_key() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    waiter = asyncio.create_task(q.get())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    started = time.monotonic()
    q.add_after("a", 0.05)  # must wake the waiter, which was waiting without a timeout
    assert await asyncio.wait_for(waiter, 1.0) == "a"
    assert 0.04 <= time.monotonic() - started < 0.5


async def test_get_blocks_until_add() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    waiter = asyncio.create_task(q.get())
    await asyncio.sleep(0.01)
    assert not waiter.done()
    q.add("x")
    assert await asyncio.wait_for(waiter, 1.0) == "x"


async def test_concurrent_getters_receive_distinct_keys() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    waiters = [asyncio.create_task(q.get()) for _ in range(3)]
    await asyncio.sleep(0)
    q.add("a")
    q.add("b")
    got = await asyncio.wait_for(asyncio.gather(waiters[0], waiters[1]), 1.0)
    await asyncio.sleep(0.01)
    assert sorted(got) == ["a", "b"]
    assert not waiters[2].done()
    waiters[2].cancel()


async def test_delayed_key_coming_due_while_processing_waits_for_done() -> None:
    q: WorkQueue[str] = WorkQueue("t")
    q.add("a")
    assert await get_within(q) == "a"
    q.add_after("a", 0.02)
    waiter = asyncio.create_task(q.get())
    await asyncio.sleep(0.08)
    assert not waiter.done()  # due, but "a" is still being processed
    q.done("a")
    assert await asyncio.wait_for(waiter, 1.0) == "a"


async def test_add_rate_limited_backs_off_exponentially_up_to_the_cap() -> None:
    q: WorkQueue[str] = WorkQueue("t", base_backoff=0.5, max_backoff=5.0)
    assert [q.add_rate_limited("a") for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert q.add_rate_limited("b") == 0.5  # per key
    assert (len(q), q.delayed) == (0, 2)


async def test_add_rate_limited_delivers_after_the_backoff() -> None:
    q: WorkQueue[str] = WorkQueue("t", base_backoff=0.05)
    started = time.monotonic()
    assert q.add_rate_limited("a") == 0.05
    assert await get_within(q) == "a"
    assert 0.04 <= time.monotonic() - started < 0.5


async def test_add_rate_limited_survives_a_key_failing_forever() -> None:
    q: WorkQueue[str] = WorkQueue("t", base_backoff=0.5, max_backoff=300.0)
    delays = [q.add_rate_limited("a") for _ in range(2000)]  # 2**1100 would overflow a float
    assert delays[-1] == 300.0
    assert max(delays) == 300.0


async def test_forget_resets_the_backoff() -> None:
    q: WorkQueue[str] = WorkQueue("t", base_backoff=0.5, max_backoff=5.0)
    for _ in range(4):
        q.add_rate_limited("a")
    q.add_rate_limited("b")
    q.forget("a")
    assert q.add_rate_limited("a") == 0.5
    assert q.add_rate_limited("b") == 1.0  # other keys keep theirs
