"""Lease-based leader election (``coordination.k8s.io/v1`` Lease ``ray-operator-leader``).

KubeRay runs controller-runtime's leader election with this lease name, so a rolling update of
the operator Deployment never has two replicas reconciling at once. kopf only offers "peering",
which needs its own CRDs; a Lease needs nothing but RBAC on leases (get, create, update).

The rules are client-go's ``leaderelection`` package, with controller-runtime's default timings
(KubeRay sets none): 15 s lease, 10 s renew deadline, 2 s retry period.

* Acquire and renew are optimistic: every write carries the Lease's resourceVersion, so of two
  candidates racing for an expired lease exactly one wins (the other gets 409 Conflict).
* A candidate judges another holder's lease expired by *its own* monotonic clock: the lease is
  valid for ``leaseDurationSeconds`` after the moment this process last saw the record change,
  never by ``renewTime`` (another node's wall clock, possibly skewed).
* The leader's own claim is valid until ``renew deadline`` after the moment it *sent* its last
  successful renew: that is earlier than any candidate can see the lease expire (the renew landed
  after it was sent; the candidate waits the longer lease duration from then), so leadership ends
  here before it can start elsewhere. Every renew call is bounded by the time left until then.
* :meth:`LeaderElector.guard` is the API facade's ``write_guard``: every mutating request outside
  Leases is refused with :class:`NotLeader` unless that claim is still valid. A process frozen
  (SIGSTOP, a stalled node) and thawed after a successor took over can therefore send nothing,
  whatever its workers were doing when it froze.
* Losing the lease ends the process (as controller-runtime does): the runtime stops its
  controllers through ``on_lost`` at once, then exits non-zero, and the Deployment restarts it as
  a clean follower.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ray_operator.framework import k8s
from ray_operator.framework.clock import micro_time
from ray_operator.framework.controller import RetryLater

logger = logging.getLogger(__name__)

LEASE_NAME = "ray-operator-leader"
LEASE_DURATION = 15.0
RENEW_DEADLINE = 10.0
RETRY_PERIOD = 2.0
#: client-go's JitterFactor: candidates retry every retry period plus up to 1.2 times it.
JITTER_FACTOR = 1.2
#: A clean release bounds its one write by this (the process is shutting down).
RELEASE_TIMEOUT = 2.0
_SA_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
_RECORD_FIELDS = ("holderIdentity", "leaseDurationSeconds", "acquireTime", "renewTime", "leaseTransitions")


class NotLeader(RetryLater):
    """A write was attempted while this process holds no valid lease; nothing was sent.

    A RetryLater, so a reconcile refused while stepping down logs one line, not a traceback."""


def default_namespace(configured: str) -> str:
    """The flag, else the Pod's namespace (POD_NAMESPACE or the service account), else "default"."""
    if configured:
        return configured
    if os.environ.get("POD_NAMESPACE"):
        return os.environ["POD_NAMESPACE"]
    try:
        with open(_SA_NAMESPACE_FILE, encoding="utf-8") as fh:
            return fh.read().strip() or "default"
    except OSError:
        return "default"


@dataclass(frozen=True)
class Timings:
    """Lease duration > renew deadline > retry period x jitter, as client-go insists."""

    lease_duration: float = LEASE_DURATION
    renew_deadline: float = RENEW_DEADLINE
    retry_period: float = RETRY_PERIOD

    def __post_init__(self) -> None:
        if self.lease_duration <= self.renew_deadline:
            raise ValueError("leaseDuration must be greater than renewDeadline")
        if self.renew_deadline <= JITTER_FACTOR * self.retry_period:
            raise ValueError("renewDeadline must be greater than retryPeriod*JitterFactor")


def _record(lease: dict[str, Any]) -> tuple[Any, ...]:
    """The election record of a Lease: what a change of is "an observation" (client-go compares it)."""
    spec = lease.get("spec") or {}
    return tuple(spec.get(f) for f in _RECORD_FIELDS)


class LeaderElector:
    """Acquire, then keep renewing, the lease; :attr:`lost` is set once leadership ended."""

    def __init__(
        self,
        kube: k8s.KubeClient,
        namespace: str,
        identity: str | None = None,
        timings: Timings | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self.kube = kube
        self.namespace = namespace
        self.identity = identity or f"{socket.gethostname()}_{uuid.uuid4()}"
        self.timings = timings or Timings()
        self.clock = clock
        self.on_lost = on_lost
        self.lost = asyncio.Event()
        self._lease: dict[str, Any] | None = None  # the Lease as the server last returned it
        self._renewed_at: float | None = None  # when the last successful acquire/renew was sent
        self._observed: tuple[Any, ...] | None = None
        self._observed_at = 0.0

    # ------------------------------------------------------------------ our claim

    def valid_for(self) -> float:
        """Seconds our claim stays valid by the local clock (<= 0: we are not the leader)."""
        if self._renewed_at is None or self.lost.is_set():
            return 0.0
        return self._renewed_at + self.timings.renew_deadline - self.clock()

    def is_leader(self) -> bool:
        return self.valid_for() > 0

    def guard(self) -> None:
        """The facade's ``write_guard``: raise :class:`NotLeader` unless our claim is valid now.

        Seeing the claim run out here ends leadership at once (a thawed process must not wait for
        its renew loop to notice).
        """
        if self.is_leader():
            return
        if self._renewed_at is not None:
            self._give_up("the lease was not renewed within the renew deadline")
        raise NotLeader(f"not the leader (Lease {self.namespace}/{LEASE_NAME}); write refused")

    def _give_up(self, why: str) -> None:
        if self.lost.is_set():
            return
        logger.error("leader election lost (Lease %s/%s): %s", self.namespace, LEASE_NAME, why)
        self.lost.set()
        if self.on_lost is not None:
            self.on_lost()

    # ------------------------------------------------------------------ one attempt

    def _spec(self, acquire: bool, transitions: int) -> dict[str, Any]:
        now = micro_time()
        previous = (self._lease or {}).get("spec") or {}
        return {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": round(self.timings.lease_duration),
            "acquireTime": now if acquire else previous.get("acquireTime", now),
            "renewTime": now,
            "leaseTransitions": transitions,
        }

    def _observe(self, lease: dict[str, Any]) -> None:
        record = _record(lease)
        if record != self._observed:
            self._observed = record
            self._observed_at = self.clock()

    async def _write(self, lease: dict[str, Any] | None, body: dict[str, Any]) -> bool:
        """Create or replace the Lease; on success our claim starts at the moment of sending."""
        sent = self.clock()
        try:
            if lease is None:
                result = await self.kube.create(k8s.LEASES, body, namespace=self.namespace)
            else:
                result = await self.kube.replace(k8s.LEASES, body)
        except (k8s.AlreadyExists, k8s.Conflict):
            return False  # someone else wrote first: look again next time
        self._lease = result
        self._observe(result)
        self._renewed_at = sent
        return True

    async def try_acquire_or_renew(self) -> bool:
        """One attempt (unbounded: callers bound it by the time left); True if we hold the lease."""
        if self.is_leader() and self._lease is not None:
            # Fast path (client-go's too): renew on top of the Lease we wrote last; a 409 means
            # it changed under us, so read it as a candidate would.
            spec = self._lease.get("spec") or {}
            body = {**self._lease, "spec": self._spec(False, int(spec.get("leaseTransitions") or 0))}
            if await self._write(self._lease, body):
                return True
        lease = await self.kube.get_or_none(k8s.LEASES, LEASE_NAME, self.namespace)
        if lease is None:
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": LEASE_NAME, "namespace": self.namespace},
                "spec": self._spec(acquire=True, transitions=0),
            }
            return await self._write(None, body)
        self._observe(lease)
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        ours = holder == self.identity
        duration = float(spec.get("leaseDurationSeconds") or self.timings.lease_duration)
        if holder and not ours and self._observed_at + duration > self.clock():
            if self._renewed_at is not None:
                self._give_up(f"{holder} holds the lease now")
            return False
        self._lease = lease
        transitions = int(spec.get("leaseTransitions") or 0) + (0 if ours else 1)
        return await self._write(lease, {**lease, "spec": self._spec(acquire=not ours, transitions=transitions)})

    async def _attempt(self, within: float) -> bool:
        """:meth:`try_acquire_or_renew` cut off after ``within`` seconds; errors count as failure."""
        try:
            async with asyncio.timeout(within):
                return await self.try_acquire_or_renew()
        except TimeoutError:
            logger.warning("leader election: no answer within %.1fs", within)
        except Exception as exc:  # any failure is a failed attempt; the deadline decides the rest
            logger.warning("leader election: %s", exc)
        return False

    # ------------------------------------------------------------------ loops

    async def acquire(self) -> None:
        """Block until we are the leader (retrying every retry period, jittered)."""
        logger.info("waiting for leadership (Lease %s/%s) as %s", self.namespace, LEASE_NAME, self.identity)
        period = self.timings.retry_period
        while True:
            # Bounded like a renew: a claim that took longer than the renew deadline to win
            # would already have run out.
            if await self._attempt(self.timings.renew_deadline) and self.is_leader():
                logger.info("became leader (Lease %s/%s)", self.namespace, LEASE_NAME)
                return
            await asyncio.sleep(period + random.uniform(0, JITTER_FACTOR * period))

    async def keep_renewing(self) -> None:
        """Renew every retry period; give up once the claim ran out or someone else holds the lease.

        Each attempt is cut off at the end of our claim, so a hung API server cannot keep us
        believing we lead: we give up within the renew deadline, before the lease expires for others.
        """
        while not self.lost.is_set():
            await asyncio.sleep(min(self.timings.retry_period, max(self.valid_for(), 0.0)))
            left = self.valid_for()
            if left <= 0:
                self._give_up(f"not renewed within the renew deadline ({self.timings.renew_deadline:g}s)")
                return
            await self._attempt(left)  # a live holder other than us ends leadership in there

    async def release(self) -> None:
        """Give the lease up on a clean shutdown so a successor takes over at once.

        Only while our claim is valid, and on top of the Lease we wrote last (a newer holder's
        Lease has another resourceVersion, so this write cannot clobber it).
        """
        left = self.valid_for()
        if self._lease is None or left <= 0:
            return
        self._renewed_at = None  # from here on the guard refuses every write
        now = micro_time()
        spec = {
            **(self._lease.get("spec") or {}),
            "holderIdentity": "",
            "leaseDurationSeconds": 1,
            "acquireTime": now,
            "renewTime": now,
        }
        try:
            async with asyncio.timeout(min(left, RELEASE_TIMEOUT)):
                await self.kube.replace(k8s.LEASES, {**self._lease, "spec": spec})
        except (TimeoutError, k8s.ApiError) as exc:
            logger.debug("releasing the lease failed: %s", exc)
