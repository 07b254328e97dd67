"""Kubernetes events (``events.k8s.io/v1``), as KubeRay's recorder emits them.

Same reasons, notes, actions and reporting controller names as KubeRay, so ``kubectl describe`` and
event-based alerting keep working. Repeats of an identical event within a few minutes update one
Event's ``series`` count instead of creating new objects (the client-go recorder does the same),
so a failing reconcile loop cannot flood etcd. Posting an event never fails a reconcile.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ray_operator.framework import k8s
from ray_operator.framework.clock import micro_time

logger = logging.getLogger(__name__)

NORMAL = "Normal"
WARNING = "Warning"

# Actions used by KubeRay's recorder.
CREATE = "Create"
DELETE = "Delete"
UPDATE = "Update"
VALIDATE = "Validate"
RECONCILE = "Reconcile"
CLEANUP = "Cleanup"
SUSPEND = "Suspend"

_SERIES_WINDOW = 6 * 60.0  # client-go folds isomorphic events seen within 6 minutes
_MAX_REMEMBERED = 4096


def object_reference(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The ``regarding`` reference of an event about ``obj``."""
    meta = obj.get("metadata") or {}
    ref = {
        "apiVersion": obj.get("apiVersion", ""),
        "kind": obj.get("kind", ""),
        "name": meta.get("name", ""),
        "namespace": meta.get("namespace", ""),
        "uid": meta.get("uid", ""),
    }
    if meta.get("resourceVersion"):
        ref["resourceVersion"] = meta["resourceVersion"]
    return ref


class EventRecorder:
    """Posts events for one controller (``raycluster-controller``, ``rayjob-controller``...)."""

    def __init__(self, kube: k8s.KubeClient, controller: str) -> None:
        self.kube = kube
        self.controller = controller
        self.instance = f"{controller}-{os.environ.get('POD_NAME') or socket.gethostname()}"
        self._recent: OrderedDict[tuple[str, str, str, str], tuple[str, str, int, float]] = OrderedDict()

    async def emit(self, obj: Mapping[str, Any], type_: str, reason: str, action: str, note: str) -> None:
        """Record one event about ``obj``; errors are logged, never raised."""
        meta = obj.get("metadata") or {}
        namespace = meta.get("namespace") or "default"
        log = logger.warning if type_ == WARNING else logger.info
        log("%s %s/%s: %s: %s", obj.get("kind"), namespace, meta.get("name"), reason, note)
        key = (str(meta.get("uid", "")), type_, reason, note)
        now = time.time()
        try:
            previous = self._recent.get(key)
            if previous is not None and now - previous[3] < _SERIES_WINDOW:
                name, ev_ns, count, _ = previous
                count += 1
                await self.kube.patch(
                    k8s.EVENTS,
                    name,
                    {"series": {"count": count, "lastObservedTime": micro_time(now)}},
                    namespace=ev_ns,
                )
                self._remember(key, (name, ev_ns, count, now))
                return
            name = f"{meta.get('name', 'unknown')}.{uuid.uuid4().hex[:16]}"
            event = {
                "apiVersion": "events.k8s.io/v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": namespace},
                "eventTime": micro_time(now),
                "reportingController": self.controller,
                "reportingInstance": self.instance[:128],
                "action": action,
                "reason": reason,
                "note": note[:1024],
                "type": type_,
                "regarding": object_reference(obj),
            }
            await self.kube.create(k8s.EVENTS, event, namespace=namespace)
            self._remember(key, (name, namespace, 1, now))
        except k8s.NotFound:
            self._recent.pop(key, None)  # the folded event expired; next repeat creates a new one
        except Exception as exc:
            logger.debug("could not post event %s for %s/%s: %s", reason, namespace, meta.get("name"), exc)

    def _remember(self, key: tuple[str, str, str, str], value: tuple[str, str, int, float]) -> None:
        self._recent[key] = value
        self._recent.move_to_end(key)
        while len(self._recent) > _MAX_REMEMBERED:
            self._recent.popitem(last=False)

    async def normal(self, obj: Mapping[str, Any], reason: str, action: str, note: str) -> None:
        await self.emit(obj, NORMAL, reason, action, note)

    async def warning(self, obj: Mapping[str, Any], reason: str, action: str, note: str) -> None:
        await self.emit(obj, WARNING, reason, action, note)
