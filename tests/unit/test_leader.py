"""Leader election on a virtual clock and a fake Lease API: acquire, renew, conflicts, expiry, the guard.

The event loop's clock jumps to the next timer whenever nothing is ready, so a 15 s lease takes
no real time and a hung API call is cut off exactly when the code says it is. The elector reads
the same clock (``clock=loop.time``), as it reads ``time.monotonic`` (asyncio's clock) in production.
"""

from __future__ import annotations

import asyncio
import copy
import selectors
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from ray_operator.framework import k8s
from ray_operator.framework.leader import LEASE_NAME, LeaderElector, NotLeader, Timings

NS = "ray-system"
T = Timings()  # controller-runtime's defaults: 15 s lease, 10 s renew deadline, 2 s retry period


# --------------------------------------------------------------------------- virtual time


class _JumpingSelector(selectors.DefaultSelector):
    """Never waits: when nothing is ready, the loop's clock jumps by the time it would have slept."""

    loop: VirtualTimeLoop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(0)
        if not ready and timeout:
            self.loop.now += timeout
        elif not ready and timeout is None:
            raise RuntimeError("deadlock: nothing is scheduled and nothing is ready")
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    def __init__(self) -> None:
        selector = _JumpingSelector()
        super().__init__(selector)
        selector.loop = self
        self.now = 1000.0

    def time(self) -> float:
        return self.now


def run(main: Callable[[VirtualTimeLoop], Coroutine[Any, Any, None]]) -> None:
    loop = VirtualTimeLoop()
    try:
        loop.run_until_complete(main(loop))
    finally:
        loop.close()


# --------------------------------------------------------------------------- a fake Lease API


class LeaseStore:
    """The API server's copy of the Lease, with resourceVersion checks on replace."""

    def __init__(self) -> None:
        self.lease: dict[str, Any] | None = None
        self.version = 0

    def put(self, lease: dict[str, Any]) -> dict[str, Any]:
        self.version += 1
        stored = copy.deepcopy(lease)
        stored["metadata"] = {**stored.get("metadata", {}), "resourceVersion": str(self.version)}
        self.lease = stored
        return copy.deepcopy(stored)

    @property
    def spec(self) -> dict[str, Any]:
        assert self.lease is not None
        spec: dict[str, Any] = self.lease["spec"]
        return spec


class FakeLeaseApi:
    """One replica's client; ``delay`` slows every call down, ``None`` makes calls hang for good."""

    def __init__(self, store: LeaseStore) -> None:
        self.store = store
        self.delay: float | None = 0.0
        self.calls: list[str] = []
        self.cancelled = 0

    async def _wait(self) -> None:
        try:
            if self.delay is None:
                await asyncio.Event().wait()
            elif self.delay:
                await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise

    async def get_or_none(self, resource: k8s.Resource, name: str, namespace: str | None = None) -> Any:
        assert (resource, name, namespace) == (k8s.LEASES, LEASE_NAME, NS)
        self.calls.append("get")
        await self._wait()
        return copy.deepcopy(self.store.lease)

    async def create(self, resource: k8s.Resource, body: dict[str, Any], namespace: str | None = None) -> Any:
        assert resource == k8s.LEASES and namespace == NS
        self.calls.append("create")
        await self._wait()
        if self.store.lease is not None:
            raise k8s.AlreadyExists(409, "AlreadyExists", "leases exists")
        return self.store.put(body)

    async def replace(self, resource: k8s.Resource, body: dict[str, Any]) -> Any:
        assert resource == k8s.LEASES
        self.calls.append("replace")
        await self._wait()
        assert self.store.lease is not None
        if body["metadata"].get("resourceVersion") != self.store.lease["metadata"]["resourceVersion"]:
            raise k8s.Conflict(409, "Conflict", "the object has been modified")
        return self.store.put(body)


def elector(
    api: FakeLeaseApi, loop: VirtualTimeLoop, name: str, on_lost: Callable[[], None] | None = None
) -> LeaderElector:
    return LeaderElector(api, NS, identity=name, clock=loop.time, on_lost=on_lost)  # type: ignore[arg-type]


def held_by_other(store: LeaseStore, renew_time: str = "2000-01-01T00:00:00.000000Z") -> None:
    store.put(
        {
            "metadata": {"name": LEASE_NAME, "namespace": NS},
            "spec": {
                "holderIdentity": "other",
                "leaseDurationSeconds": 15,
                "acquireTime": renew_time,
                "renewTime": renew_time,
                "leaseTransitions": 4,
            },
        }
    )


# --------------------------------------------------------------------------- tests


def test_timings_must_leave_a_margin() -> None:
    with pytest.raises(ValueError, match="leaseDuration must be greater than renewDeadline"):
        Timings(lease_duration=10, renew_deadline=10)
    with pytest.raises(ValueError, match="renewDeadline must be greater than retryPeriod"):
        Timings(lease_duration=15, renew_deadline=4, retry_period=4)


def test_acquire_creates_the_lease_and_the_guard_lets_writes_through() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        a = elector(FakeLeaseApi(store), loop, "a")
        with pytest.raises(NotLeader):
            a.guard()  # a candidate writes nothing
        await a.acquire()
        assert store.spec["holderIdentity"] == "a"
        assert store.spec["leaseDurationSeconds"] == 15
        assert store.spec["leaseTransitions"] == 0
        assert a.is_leader() and a.valid_for() == pytest.approx(T.renew_deadline)
        a.guard()
        assert not a.lost.is_set()

    run(main)


def test_renew_writes_on_the_last_resource_version_without_a_get() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        api = FakeLeaseApi(store)
        a = elector(api, loop, "a")
        await a.acquire()
        acquired = dict(store.spec)
        version = store.version
        api.calls.clear()
        await asyncio.sleep(2)
        assert await a.try_acquire_or_renew()
        assert api.calls == ["replace"]  # the fast path: no GET while we lead
        assert store.version == version + 1
        assert store.spec["acquireTime"] == acquired["acquireTime"]
        assert store.spec["renewTime"] != acquired["renewTime"]
        assert store.spec["leaseTransitions"] == 0
        assert a.valid_for() == pytest.approx(T.renew_deadline)  # counted from this renew

    run(main)


def test_a_conflicting_write_means_someone_else_leads() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        lost: list[float] = []
        a = elector(FakeLeaseApi(store), loop, "a", on_lost=lambda: lost.append(loop.time()))
        await a.acquire()
        # Another replica wrote the Lease behind our back: our renew gets 409, we read it again,
        # see a live holder, and stop leading at once instead of at the deadline.
        store.put({**store.lease, "spec": {**store.spec, "holderIdentity": "b"}})  # type: ignore[dict-item]
        assert not await a.try_acquire_or_renew()
        assert store.spec["holderIdentity"] == "b"
        assert a.lost.is_set() and lost == [loop.time()]
        with pytest.raises(NotLeader):
            a.guard()

    run(main)


def test_two_candidates_racing_for_a_free_lease_one_wins() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        a, b = elector(FakeLeaseApi(store), loop, "a"), elector(FakeLeaseApi(store), loop, "b")
        results = await asyncio.gather(a.try_acquire_or_renew(), b.try_acquire_or_renew())
        assert sorted(results) == [False, True]
        assert [e.is_leader() for e in (a, b)] == list(results)
        # And on an expired lease: both read the same version, only one replace can land.
        held_by_other(store)
        await a.try_acquire_or_renew(), await b.try_acquire_or_renew()  # first observation
        await asyncio.sleep(T.lease_duration + 1)
        winner_a, winner_b = await asyncio.gather(a.try_acquire_or_renew(), b.try_acquire_or_renew())
        assert [winner_a, winner_b].count(True) == 1
        assert store.spec["holderIdentity"] == ("a" if winner_a else "b")
        assert store.spec["leaseTransitions"] == 5

    run(main)


@pytest.mark.parametrize("renew_time", ["2000-01-01T00:00:00.000000Z", "2100-01-01T00:00:00.000000Z"])
def test_expiry_is_judged_by_local_observation_not_renew_time(renew_time: str) -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        held_by_other(store, renew_time)  # long expired, or far in the future, by the holder's clock
        b = elector(FakeLeaseApi(store), loop, "b")
        assert not await b.try_acquire_or_renew()  # first seen now: valid for 15 s from now
        await asyncio.sleep(T.lease_duration - 1)
        assert not await b.try_acquire_or_renew()
        # The holder renews: a new observation, the 15 s start again.
        store.put({**store.lease, "spec": {**store.spec, "renewTime": renew_time.replace("00.0", "01.0")}})  # type: ignore[dict-item]
        await asyncio.sleep(2)
        assert not await b.try_acquire_or_renew()
        await asyncio.sleep(T.lease_duration - 1)
        assert not await b.try_acquire_or_renew()
        assert store.spec["holderIdentity"] == "other"
        await asyncio.sleep(1.5)
        assert await b.try_acquire_or_renew()
        assert store.spec["holderIdentity"] == "b"
        assert store.spec["leaseTransitions"] == 5

    run(main)


@pytest.mark.parametrize("delay", [None, 30.0], ids=["hung", "slower-than-the-deadline"])
def test_renew_is_cut_off_at_the_deadline_when_the_api_hangs(delay: float | None) -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        api = FakeLeaseApi(store)
        lost: list[float] = []
        a = elector(api, loop, "a", on_lost=lambda: lost.append(loop.time()))
        await a.acquire()
        acquired = loop.time()
        api.delay = delay
        renewing = asyncio.create_task(a.keep_renewing())
        await asyncio.wait_for(renewing, 60)
        # Given up exactly at the renew deadline, before the lease could expire for anyone else,
        # and not after the facade's 30 s timeout (let alone five retries of it).
        assert lost == [pytest.approx(acquired + T.renew_deadline)]
        assert lost[0] < acquired + T.lease_duration
        assert api.cancelled == 1  # the one renew in flight was cut off, not left running
        with pytest.raises(NotLeader):
            a.guard()

    run(main)


def test_the_claim_counts_from_sending_the_renew_not_from_its_answer() -> None:
    """The write may have landed the moment it was sent: others' 15 s count from about then."""

    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        api = FakeLeaseApi(store)
        a = elector(api, loop, "a")
        api.delay = 4.0
        await a.acquire()  # one GET and one create, 4 s each
        assert a.valid_for() == pytest.approx(T.renew_deadline - 4.0)
        assert await a.try_acquire_or_renew()
        assert a.valid_for() == pytest.approx(T.renew_deadline - 4.0)

    run(main)


def test_a_slow_api_within_the_deadline_keeps_leadership() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        api = FakeLeaseApi(store)
        a = elector(api, loop, "a")
        await a.acquire()
        api.delay = 3.0
        renewing = asyncio.create_task(a.keep_renewing())
        for _ in range(20):
            await asyncio.sleep(1)
            a.guard()
        assert not renewing.done() and not a.lost.is_set()
        renewing.cancel()

    run(main)


def test_guard_refuses_writes_once_the_claim_ran_out_even_before_the_renew_loop_runs() -> None:
    """A frozen process (SIGSTOP) thaws with its workers mid-reconcile: their next write is refused."""

    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        lost: list[float] = []
        a = elector(FakeLeaseApi(store), loop, "a", on_lost=lambda: lost.append(loop.time()))
        await a.acquire()
        acquired = loop.time()
        await asyncio.sleep(T.renew_deadline - 0.01)
        a.guard()
        await asyncio.sleep(0.02)
        with pytest.raises(NotLeader):
            a.guard()
        assert lost == [pytest.approx(acquired + T.renew_deadline + 0.01)]
        with pytest.raises(NotLeader):
            a.guard()
        assert len(lost) == 1  # losing is reported once
        await a.keep_renewing()  # returns at once: nothing more to renew
        assert store.spec["holderIdentity"] == "a"  # the record stays; others wait for it to expire

    run(main)


def test_frozen_leader_gives_up_before_the_standby_takes_over() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        api_a = FakeLeaseApi(store)
        lost: list[float] = []
        a = elector(api_a, loop, "a", on_lost=lambda: lost.append(loop.time()))
        b = elector(FakeLeaseApi(store), loop, "b")
        await a.acquire()
        renewing = asyncio.create_task(a.keep_renewing())
        standby = asyncio.create_task(b.acquire())
        await asyncio.sleep(30)
        assert not standby.done() and a.is_leader()  # a healthy leader keeps it
        api_a.delay = None  # a's API calls freeze from now on
        frozen_at = loop.time()
        await asyncio.wait_for(standby, 60)
        took_over = loop.time()
        assert renewing.done() and len(lost) == 1
        assert lost[0] < took_over - (T.lease_duration - T.renew_deadline) + 0.01  # a 5 s margin at least
        assert took_over - frozen_at >= T.lease_duration - T.retry_period
        assert store.spec["holderIdentity"] == "b" and b.is_leader()
        with pytest.raises(NotLeader):
            a.guard()

    run(main)


def test_release_frees_the_lease_but_never_clobbers_a_successor() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        a, b = elector(FakeLeaseApi(store), loop, "a"), elector(FakeLeaseApi(store), loop, "b")
        await a.acquire()
        assert not await b.try_acquire_or_renew()
        await a.release()
        assert store.spec["holderIdentity"] == "" and store.spec["leaseDurationSeconds"] == 1
        with pytest.raises(NotLeader):
            a.guard()
        assert not a.lost.is_set()  # a clean hand-over is not a loss
        assert await b.try_acquire_or_renew()  # at once, no 15 s wait
        # a release after the claim ran out writes nothing: b's lease stays
        c = elector(FakeLeaseApi(store), loop, "c")
        await asyncio.sleep(T.lease_duration + T.retry_period)  # b stopped renewing (in this test)
        assert not await c.try_acquire_or_renew()
        await asyncio.sleep(T.lease_duration + 1)
        assert await c.try_acquire_or_renew()
        version = store.version
        await b.release()
        assert store.version == version and store.spec["holderIdentity"] == "c"

    run(main)


def test_a_stale_release_gets_a_conflict_instead_of_freeing_the_successors_lease() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        store = LeaseStore()
        a = elector(FakeLeaseApi(store), loop, "a")
        await a.acquire()
        store.put({**store.lease, "spec": {**store.spec, "holderIdentity": "b"}})  # type: ignore[dict-item]
        await a.release()  # still within its claim by its clock, but the Lease moved on
        assert store.spec["holderIdentity"] == "b"

    run(main)


# --------------------------------------------------------------------------- the runtime's wiring


def _runtime(leader_election: bool) -> Any:
    from ray_operator.config import OperatorConfig
    from ray_operator.runtime import OperatorRuntime

    config = OperatorConfig(
        enable_leader_election=leader_election,
        leader_election_namespace=NS,
        metrics_addr="127.0.0.1:0",
        health_addr="127.0.0.1:0",
    )
    # Port 1: a request that got past the guard would fail with a connection error, not NotLeader.
    kube = k8s.KubeClient(k8s.Credentials(server="https://127.0.0.1:1", ssl_context=False, headers={}))
    return OperatorRuntime(config, kube=kube)


def test_the_runtime_guards_every_write_and_stops_reconciling_when_the_lease_is_lost() -> None:
    async def main(loop: VirtualTimeLoop) -> None:
        runtime = _runtime(leader_election=True)
        elector_ = runtime.elector
        assert runtime.kube.write_guard == elector_.guard
        pod = {"metadata": {"name": "p", "namespace": NS}}
        with pytest.raises(NotLeader):  # a standby sends nothing
            await runtime.kube.create(k8s.PODS, pod, namespace=NS)
        elector_.kube, elector_.clock = FakeLeaseApi(LeaseStore()), loop.time
        await elector_.acquire()
        for controller in runtime.controllers:
            controller.start()
        await asyncio.sleep(T.renew_deadline + 0.5)  # frozen: no renew ran
        with pytest.raises(NotLeader):
            await runtime.kube.patch(k8s.PODS, "p", {"metadata": {}}, namespace=NS)
        # The refused write itself ended leadership: workers cancelled, kopf told to stop.
        assert runtime.stop_flag.is_set()
        await asyncio.sleep(0)
        assert not any(c.alive() for c in runtime.controllers)
        for controller in runtime.controllers:
            await controller.stop()
        await runtime.kube.close()

    run(main)


def test_without_leader_election_nothing_is_guarded() -> None:
    runtime = _runtime(leader_election=False)
    assert runtime.elector is None and runtime.kube.write_guard is None
