"""Lease-based leader election (``coordination.k8s.io/v1`` Lease ``ray-operator-leader``).

KubeRay runs controller-runtime's leader election with this lease name, so a rolling update of
the operator Deployment never has two replicas reconciling at once. kopf only offers "peering",
which needs its own CRDs; a Lease needs nothing but RBAC on leases. Timings are
controller-runtime's defaults: 15 s lease, renew every 2 s, give up after 10 s without renewal.
Losing the lease ends the process (as controller-runtime does), so the Deployment restarts it
as a follower instead of letting a stale leader keep writing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from typing import Any

from ray_operator.framework import k8s
from ray_operator.framework.clock import micro_time, parse_time

logger = logging.getLogger(__name__)

LEASE_NAME = "ray-operator-leader"
LEASE_DURATION = 15.0
RENEW_DEADLINE = 10.0
RETRY_PERIOD = 2.0
_SA_NAMESPACE_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"


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


class LeaderElector:
    """Acquire, then keep renewing, the lease; :attr:`lost` is set if renewal fails."""

    def __init__(self, kube: k8s.KubeClient, namespace: str, identity: str | None = None) -> None:
        self.kube = kube
        self.namespace = namespace
        self.identity = identity or f"{socket.gethostname()}_{uuid.uuid4()}"
        self.lost = asyncio.Event()
        self._lease: dict[str, Any] | None = None

    def _spec(self, acquire: bool, transitions: int) -> dict[str, Any]:
        now = micro_time()
        spec: dict[str, Any] = {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": int(LEASE_DURATION),
            "renewTime": now,
            "leaseTransitions": transitions,
        }
        if acquire:
            spec["acquireTime"] = now
        elif self._lease is not None:
            spec["acquireTime"] = (self._lease.get("spec") or {}).get("acquireTime", now)
        return spec

    async def try_acquire_or_renew(self) -> bool:
        """One attempt; True if we hold the lease afterwards."""
        lease = await self.kube.get_or_none(k8s.LEASES, LEASE_NAME, self.namespace)
        if lease is None:
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": LEASE_NAME, "namespace": self.namespace},
                "spec": self._spec(acquire=True, transitions=0),
            }
            try:
                self._lease = await self.kube.create(k8s.LEASES, body, namespace=self.namespace)
            except (k8s.AlreadyExists, k8s.Conflict):
                return False
            return True
        spec = lease.get("spec") or {}
        holder = spec.get("holderIdentity") or ""
        ours = holder == self.identity
        duration = float(spec.get("leaseDurationSeconds") or LEASE_DURATION)
        expired = (parse_time(spec.get("renewTime")) or 0.0) + duration < time.time()
        if not ours and holder and not expired:
            return False
        transitions = int(spec.get("leaseTransitions") or 0) + (0 if ours else 1)
        self._lease = lease
        lease = {**lease, "spec": self._spec(acquire=not ours, transitions=transitions)}
        try:
            self._lease = await self.kube.replace(k8s.LEASES, lease)
        except k8s.Conflict:
            return False
        return True

    async def acquire(self) -> None:
        """Block until we are the leader."""
        logger.info("waiting for leadership (Lease %s/%s) as %s", self.namespace, LEASE_NAME, self.identity)
        while True:
            try:
                if await self.try_acquire_or_renew():
                    logger.info("became leader (Lease %s/%s)", self.namespace, LEASE_NAME)
                    return
            except k8s.ApiError as exc:
                logger.warning("leader election: %s", exc)
            await asyncio.sleep(RETRY_PERIOD)

    async def keep_renewing(self) -> None:
        """Renew every retry period; set :attr:`lost` once renewal failed for the renew deadline."""
        last_ok = time.monotonic()
        while True:
            await asyncio.sleep(RETRY_PERIOD)
            try:
                if await self.try_acquire_or_renew():
                    last_ok = time.monotonic()
                    continue
            except k8s.ApiError as exc:
                logger.warning("leader election: renewing failed: %s", exc)
            if time.monotonic() - last_ok > RENEW_DEADLINE:
                logger.error("leader election lost (Lease %s/%s)", self.namespace, LEASE_NAME)
                self.lost.set()
                return

    async def release(self) -> None:
        """Give the lease up on a clean shutdown so a successor takes over at once."""
        if self._lease is None:
            return
        spec = {**(self._lease.get("spec") or {}), "holderIdentity": "", "leaseDurationSeconds": 1}
        lease = {**self._lease, "spec": spec}
        try:
            await self.kube.replace(k8s.LEASES, lease)
        except k8s.ApiError as exc:
            logger.debug("releasing the lease failed: %s", exc)
