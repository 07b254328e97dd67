"""kopf, reduced to what we use it for: watching, and logging in.

Every informer gets one ``@kopf.on.event`` handler (with its server-side label selector) that hands
the raw event to :meth:`Informer.on_watch_event`. kopf's own state keeping is switched off: no
peering, no posting of handler errors as events, and no "diff base" — we register no
create/update handlers, so computing and diffing a copy of every object on every event (kopf's
default) would be pure CPU cost, and its annotations would leak onto user objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import kopf

from ray_operator.framework.informer import Informer

#: kopf's own markers, should it ever need one, use our prefix (never KubeRay's or kopf's default).
KOPF_PREFIX = "ray-operator.ray.io"


class NoDiffBase(kopf.DiffBaseStorage):
    """A diff base that is never stored nor computed (we have no change-detecting kopf handlers)."""

    def build(
        self, *, body: kopf.Body, extra_fields: Iterable[str | tuple[str, ...] | list[str] | None] | None = None
    ) -> kopf.BodyEssence:
        return kopf.BodyEssence()

    def fetch(self, *, body: kopf.Body) -> kopf.BodyEssence | None:
        return None

    def store(self, *, body: kopf.Body, patch: kopf.Patch, essence: kopf.BodyEssence) -> None:
        return None


def make_settings(scanning: bool = True) -> kopf.OperatorSettings:
    """kopf settings for a level-based operator that leaves no traces on the objects.

    ``scanning=False`` (named namespaces) stops kopf from watching CRDs and listing namespaces,
    the only cluster-scoped reads it makes; the watched namespaces are then taken as given.
    """
    settings = kopf.OperatorSettings()
    settings.scanning.disabled = not scanning
    settings.peering.standalone = True
    settings.posting.enabled = False
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.watching.connect_timeout = 30
    settings.watching.reconnect_backoff = 1.0
    settings.persistence.finalizer = f"{KOPF_PREFIX}/kopf-finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=KOPF_PREFIX)
    settings.persistence.diffbase_storage = NoDiffBase()
    settings.networking.request_timeout = 60
    # kopf keeps one worker task per watched object for this long after its last event; our
    # handlers are instant, so a short idle time keeps memory flat with thousands of pods.
    settings.queueing.idle_timeout = 1.0
    settings.queueing.exit_timeout = 1.0
    # kopf waits this long for more events of the same object before handling the latest one;
    # our handlers only store the body, so batching buys nothing and only adds latency.
    settings.batching.batch_window = 0.01
    return settings


def register_informer(registry: kopf.OperatorRegistry, settings: kopf.OperatorSettings, informer: Informer) -> None:
    """Feed ``informer`` from kopf's watch of its kind (server-side label selector included)."""
    resource = informer.resource
    if informer.spec.label_selector:
        key = (resource.group, resource.version, resource.plural)
        settings.watching.label_selectors[key] = informer.spec.label_selector
    on_watch_event = informer.on_watch_event

    async def informer_event(event: kopf.RawEvent, **_: Any) -> None:
        on_watch_event(event.get("type"), event["object"])

    informer_event.__name__ = f"informer_{resource.plural}"
    kopf.on.event(group=resource.group, version=resource.version, plural=resource.plural, registry=registry)(
        informer_event
    )
