"""Scale expectations: pending creates/deletes until the cache agrees, with timeouts."""

from __future__ import annotations

from ray_operator.framework.expectations import CREATE_TIMEOUT, DELETE_TIMEOUT, HEAD_GROUP, ScaleExpectations


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[ScaleExpectations, FakeClock]:
    clock = FakeClock()
    return ScaleExpectations(clock=clock), clock


def test_timeouts_match_the_documented_values() -> None:
    assert CREATE_TIMEOUT == 30.0
    assert DELETE_TIMEOUT == 300.0
    assert HEAD_GROUP == ""


def test_no_expectations_means_satisfied() -> None:
    exp, _ = make()
    assert exp.satisfied("ns", "c", "workers", [])
    assert exp.satisfied("ns", "c", "workers", ["p1"])
    assert exp.pending("ns", "c") == 0


def test_create_is_pending_until_the_cache_shows_the_pod() -> None:
    exp, _ = make()
    exp.expect_create("ns", "c", "workers", "p1")
    exp.expect_create("ns", "c", "workers", "p2")
    assert exp.pending("ns", "c") == 2
    assert not exp.satisfied("ns", "c", "workers", [])
    assert not exp.satisfied("ns", "c", "workers", ["p1"])
    assert exp.pending("ns", "c") == 1  # p1 confirmed
    assert exp.satisfied("ns", "c", "workers", ["p1", "p2", "other"])
    assert exp.pending("ns", "c") == 0


def test_confirmed_create_stays_confirmed_even_if_the_pod_later_disappears() -> None:
    exp, _ = make()
    exp.expect_create("ns", "c", "workers", "p1")
    assert exp.satisfied("ns", "c", "workers", ["p1"])
    assert exp.satisfied("ns", "c", "workers", [])


def test_delete_is_pending_until_the_pod_is_gone_from_the_cache() -> None:
    exp, _ = make()
    exp.expect_delete("ns", "c", "workers", "p1")
    assert not exp.satisfied("ns", "c", "workers", ["p1", "p2"])
    assert exp.pending("ns", "c") == 1
    assert exp.satisfied("ns", "c", "workers", ["p2"])
    assert exp.pending("ns", "c") == 0


def test_create_expectation_expires_after_30_seconds() -> None:
    exp, clock = make()
    exp.expect_create("ns", "c", "workers", "p1")
    clock.now += 30.0
    assert not exp.satisfied("ns", "c", "workers", [])  # exactly at the timeout: still pending
    clock.now += 0.5
    assert exp.satisfied("ns", "c", "workers", [])
    assert exp.pending("ns", "c") == 0


def test_delete_expectation_expires_after_5_minutes() -> None:
    exp, clock = make()
    exp.expect_delete("ns", "c", "workers", "stuck")
    clock.now += 60.0
    assert not exp.satisfied("ns", "c", "workers", ["stuck"])  # past the create timeout: still waiting
    clock.now += 240.0
    assert not exp.satisfied("ns", "c", "workers", ["stuck"])
    clock.now += 0.5
    assert exp.satisfied("ns", "c", "workers", ["stuck"])


def test_each_expectation_times_out_from_its_own_start() -> None:
    exp, clock = make()
    exp.expect_create("ns", "c", "workers", "p1")
    clock.now += 20.0
    exp.expect_create("ns", "c", "workers", "p2")
    clock.now += 15.0  # p1 35 s old (expired), p2 15 s old
    assert not exp.satisfied("ns", "c", "workers", [])
    assert exp.pending("ns", "c") == 1
    clock.now += 16.0
    assert exp.satisfied("ns", "c", "workers", [])


def test_groups_and_clusters_are_independent() -> None:
    exp, _ = make()
    exp.expect_create("ns", "c", HEAD_GROUP, "head")
    exp.expect_create("ns", "c", "small", "s1")
    exp.expect_delete("ns", "c", "big", "b1")
    exp.expect_create("ns", "other", "small", "o1")
    exp.expect_create("ns2", "c", "small", "x1")
    assert exp.pending("ns", "c") == 3
    assert exp.pending("ns", "other") == 1
    assert exp.pending("ns2", "c") == 1
    assert exp.satisfied("ns", "c", HEAD_GROUP, ["head"])
    assert not exp.satisfied("ns", "c", "small", ["head"])
    assert exp.satisfied("ns", "c", "big", [])
    assert exp.pending("ns", "c") == 1
    assert exp.pending("ns", "other") == 1


def test_forget_cluster_drops_only_that_cluster() -> None:
    exp, _ = make()
    exp.expect_create("ns", "c", "small", "s1")
    exp.expect_delete("ns", "c", "big", "b1")
    exp.expect_create("ns", "other", "small", "o1")
    exp.expect_create("ns2", "c", "small", "x1")
    exp.forget_cluster("ns", "c")
    assert exp.pending("ns", "c") == 0
    assert exp.satisfied("ns", "c", "small", [])
    assert exp.satisfied("ns", "c", "big", ["b1"])
    assert exp.pending("ns", "other") == 1
    assert exp.pending("ns2", "c") == 1


def test_re_expecting_the_same_pod_restarts_its_timer() -> None:
    exp, clock = make()
    exp.expect_create("ns", "c", "w", "p1")
    clock.now += 25.0
    exp.expect_create("ns", "c", "w", "p1")
    clock.now += 10.0
    assert not exp.satisfied("ns", "c", "w", [])
    assert exp.pending("ns", "c") == 1


def test_satisfied_accepts_any_iterable() -> None:
    exp, _ = make()
    exp.expect_create("ns", "c", "w", "p1")
    assert exp.satisfied("ns", "c", "w", (name for name in ["p0", "p1"]))
