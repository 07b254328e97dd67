"""What the watched namespaces demand of the operator's RBAC, checked before any watch starts.

Named namespaces (``--watch-namespace=a,b``) need nothing cluster-scoped: kopf's cluster scanning
(a watch on CRDs, a list and watch of namespaces) is switched off, so Roles in those namespaces
are enough, as with KubeRay's ``singleNamespaceInstall``. kopf then serves only the ray.io
resources present when it starts, so the operator first waits until the API server serves them
(discovery is open to every authenticated identity).

Patterns (``team-*``) and "all namespaces" LIST cluster-wide, and patterns need namespaces too. An
identity without those rights would otherwise retry forbidden LISTs forever and reconcile
nothing; it gets one clear startup error instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterable, Sequence

from ray_operator.framework import k8s

logger = logging.getLogger(__name__)

#: Characters that make a ``--watch-namespace`` entry a kopf pattern rather than a name.
PATTERN_CHARS = "*?[!"
#: While the CRDs are missing, the "waiting" line repeats this often.
WAITING_LOG_SECONDS = 60.0


class ScopeError(RuntimeError):
    """The identity lacks the cluster-wide rights its ``--watch-namespace`` setting needs."""


def named_namespaces(patterns: Sequence[str]) -> list[str] | None:
    """The exact namespaces to watch, or None when watching all of them or a pattern."""
    names = list(patterns)
    if names and all(not any(ch in n for ch in PATTERN_CHARS) for n in names):
        return names
    return None


async def check_cluster_access(kube: k8s.KubeClient, patterns: Sequence[str], resource: k8s.Resource) -> None:
    """Fail with :class:`ScopeError` if a cluster-wide LIST of ``resource`` (and of namespaces,
    for patterns) is forbidden; any other answer (a missing CRD, a slow server) is left to the
    informers, which retry."""
    needed = [resource] + ([k8s.NAMESPACES] if patterns else [])
    scope = f"--watch-namespace={','.join(patterns)}" if patterns else "watching all namespaces"
    for res in needed:
        try:
            await kube.request("GET", res.path(), params={"limit": "1"})
        except k8s.Forbidden as exc:
            raise ScopeError(
                f"{scope} needs cluster-wide list/watch on {res.plural} ({exc.message}); "
                "name the namespaces exactly (--watch-namespace=a,b; the chart's singleNamespaceInstall=true) "
                "or grant the chart's ClusterRole"
            ) from exc
        except k8s.ApiError:
            return


async def wait_for_resources(
    kube: k8s.KubeClient, resources: Iterable[k8s.Resource], stop: asyncio.Event, max_delay: float = 10.0
) -> bool:
    """Wait until discovery lists every resource (their CRDs are installed); False if stopped first."""
    wanted: dict[str, set[str]] = {}
    for res in resources:
        wanted.setdefault(res.path().rsplit("/", 1)[0], set()).add(res.plural)
    delay, last_log = 0.5, -WAITING_LOG_SECONDS
    while not stop.is_set():
        missing: list[str] = []
        for group_path, plurals in sorted(wanted.items()):
            try:
                served = await kube.request("GET", group_path)
            except k8s.ApiError:
                served = None
            names = {r.get("name") for r in (served or {}).get("resources") or []}
            missing.extend(f"{group_path.removeprefix('/apis/')}/{p}" for p in sorted(plurals - names))
        if not missing:
            return True
        if time.monotonic() - last_log >= WAITING_LOG_SECONDS:
            last_log = time.monotonic()
            logger.warning("waiting for the API server to serve %s (install the CRDs)", ", ".join(missing))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(delay * 2, max_delay)
    return False
