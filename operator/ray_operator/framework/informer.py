"""Informers: one in-memory cache per watched kind, which reconcilers read instead of the API server.

An informer keeps the latest (slim) body of every object of its kind, with secondary indexes
(for example "pods by ``ray.io/cluster``"), and tells its subscribers about every change as an
``(old, new)`` pair (``new`` is None for a deletion). It is fed from three sources, all through
:meth:`Informer.apply`:

- watch events (kopf delivers them; see :mod:`.kopf_bridge`);
- the bodies our own writes return (create, patch, replace): the cache never lags behind what
  we did ourselves, and the change is announced like any other, so a RayJob still learns that
  its RayCluster "became ready" from our own status write;
- full LISTs (:meth:`Informer.sync`): the initial one that sets :attr:`synced`, and the ones that
  prune objects a re-list made vanish without a DELETED event (kopf replays a re-list as
  type-``None`` events only, so an object deleted while the watch was broken would otherwise stay
  cached forever).

A body never replaces a newer one of the same object (resource versions are compared), so an
event that was in flight while we wrote cannot roll the cache back, and a write response that
already carries somebody else's newer change is not lost: it is announced as that change.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ray_operator.framework import k8s

logger = logging.getLogger(__name__)

ObjectKey = tuple[str, str]  # (namespace, name)
Body = dict[str, Any]
#: ``(old, new)`` -> nothing; ``old`` is None for a new object, ``new`` is None for a deleted one.
Subscriber = Callable[[Body | None, Body | None], None]
#: A secondary index: the values a body is filed under (e.g. its ``ray.io/cluster`` label).
IndexFn = Callable[[Mapping[str, Any]], Iterable[Hashable]]
#: Reduces a body to what decisions read, in the body's own shape.
SlimFn = Callable[[Mapping[str, Any]], Body]


def resource_version(body: Mapping[str, Any] | None) -> int | None:
    """The resourceVersion as an integer (etcd revisions are), or None if absent or opaque."""
    value = ((body or {}).get("metadata") or {}).get("resourceVersion")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def object_key(body: Mapping[str, Any]) -> ObjectKey:
    meta = body.get("metadata") or {}
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def _uid(body: Mapping[str, Any] | None) -> str:
    return str(((body or {}).get("metadata") or {}).get("uid") or "")


def without_managed_fields(body: Mapping[str, Any]) -> Body:
    """The default slimming: the whole object but ``metadata.managedFields`` (large, never read)."""
    meta = body.get("metadata") or {}
    if "managedFields" not in meta:
        return dict(body)
    return {**body, "metadata": {k: v for k, v in meta.items() if k != "managedFields"}}


def label_index(label: str) -> IndexFn:
    """Index by ``(namespace, value of label)``; objects without the label are not indexed."""

    def index(body: Mapping[str, Any]) -> Iterable[Hashable]:
        meta = body.get("metadata") or {}
        value = (meta.get("labels") or {}).get(label)
        return ((str(meta.get("namespace") or ""), value),) if value else ()

    return index


def controller_owner_index(body: Mapping[str, Any]) -> Iterable[Hashable]:
    """Index by ``(namespace, owner kind, owner name)`` of the controlling ownerReference."""
    meta = body.get("metadata") or {}
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            return ((str(meta.get("namespace") or ""), str(ref.get("kind") or ""), str(ref.get("name") or "")),)
    return ()


OWNER_INDEX = "owner"


@dataclass(frozen=True)
class InformerSpec:
    """How one kind is watched and cached: server-side selector, slimming, indexes."""

    resource: k8s.Resource
    label_selector: str | None = None
    slim: SlimFn = without_managed_fields
    indexes: Mapping[str, IndexFn] = field(default_factory=lambda: {OWNER_INDEX: controller_owner_index})


class Informer:
    """The cache of one kind; see the module docstring."""

    def __init__(self, spec: InformerSpec, clock: Callable[[], float] = time.monotonic) -> None:
        self.spec = spec
        self.resource = spec.resource
        self.synced = asyncio.Event()
        self._items: dict[ObjectKey, Body] = {}
        self._index_values: dict[str, dict[ObjectKey, tuple[Hashable, ...]]] = {n: {} for n in spec.indexes}
        self._indexes: dict[str, dict[Hashable, dict[ObjectKey, Body]]] = {n: {} for n in spec.indexes}
        self._subscribers: list[Subscriber] = []
        self._clock = clock
        self._relist_seen: float | None = None

    # ------------------------------------------------------------------ reading

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Body]:
        return iter(list(self._items.values()))

    def get(self, key: ObjectKey) -> Body | None:
        return self._items.get(key)

    def keys(self) -> list[ObjectKey]:
        return list(self._items)

    def by_index(self, index: str, value: Hashable) -> list[Body]:
        """Objects filed under ``value`` in ``index``, oldest first (creation time, then name)."""
        found = self._indexes[index].get(value)
        if not found:
            return []
        return sorted(found.values(), key=_age_key)

    def owned_by(self, namespace: str, kind: str, name: str) -> list[Body]:
        """Objects whose controlling owner is ``kind``/``name`` in ``namespace``."""
        return self.by_index(OWNER_INDEX, (namespace, kind, name))

    # ------------------------------------------------------------------ subscribing

    def subscribe(self, subscriber: Subscriber) -> None:
        """Call ``subscriber(old, new)`` after every change (must be quick and never raise)."""
        self._subscribers.append(subscriber)

    def _announce(self, old: Body | None, new: Body | None) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(old, new)
            except Exception:  # a mapper bug must not stop the cache
                logger.exception("informer %s: subscriber failed", self.resource.plural)

    # ------------------------------------------------------------------ writing

    def apply(self, body: Mapping[str, Any]) -> bool:
        """Store a body seen on a watch, returned by a write, or listed; True if it changed the cache."""
        key = object_key(body)
        old = self._items.get(key)
        if old is not None and _uid(old) == _uid(body):
            old_rv, new_rv = resource_version(old), resource_version(body)
            if old_rv is not None and new_rv is not None and new_rv <= old_rv:
                return False  # the same version again, or an older one in flight while we wrote
        new = self.spec.slim(body)
        self._store(key, new)
        self._announce(old, new)
        return True

    def remove(self, body: Mapping[str, Any]) -> bool:
        """A DELETED event (or a prune): forget the object if the cache holds that same object."""
        key = object_key(body)
        old = self._items.get(key)
        if old is None:
            return False
        uid = _uid(body)
        if uid and _uid(old) and uid != _uid(old):
            return False  # the name belongs to a newer object already
        self._unstore(key)
        self._announce(old, None)
        return True

    def _store(self, key: ObjectKey, body: Body) -> None:
        if key in self._items:
            self._unindex(key)
        self._items[key] = body
        for name, fn in self.spec.indexes.items():
            values = tuple(fn(body))
            if values:
                self._index_values[name][key] = values
                for value in values:
                    self._indexes[name].setdefault(value, {})[key] = body

    def _unstore(self, key: ObjectKey) -> None:
        self._unindex(key)
        del self._items[key]

    def _unindex(self, key: ObjectKey) -> None:
        for name in self.spec.indexes:
            for value in self._index_values[name].pop(key, ()):
                bucket = self._indexes[name].get(value)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self._indexes[name][value]

    # ------------------------------------------------------------------ watch events

    def on_watch_event(self, event_type: str | None, body: Mapping[str, Any]) -> None:
        """One event from the watch; ``None`` is kopf's type for objects replayed by a (re-)list."""
        if event_type == "DELETED":
            self.remove(body)
            return
        if event_type is None:
            self._relist_seen = self._clock()
        self.apply(body)

    def relist_settled(self, quiet: float) -> bool:
        """A re-list was replayed and no listed object arrived for ``quiet`` seconds: time to prune."""
        return self._relist_seen is not None and self._clock() - self._relist_seen >= quiet

    # ------------------------------------------------------------------ listing

    async def sync(
        self,
        kube: k8s.KubeClient,
        namespaces: Iterable[str] | None = None,
        namespace_ok: Callable[[str], bool] | None = None,
    ) -> int:
        """LIST the kind; store what is listed and drop what vanished. Returns how many were dropped.

        ``namespaces`` are listed one by one (None: one cluster-wide LIST); ``namespace_ok`` keeps
        only the watched namespaces of a cluster-wide LIST. An object missing from the list is
        dropped only if our copy is older than the list (one created after the list was taken is
        kept). The first successful sync sets :attr:`synced`.
        """
        self._relist_seen = None
        scopes = list(namespaces) if namespaces else None

        def watched(namespace: str) -> bool:
            if scopes is not None and namespace not in scopes:
                return False
            return namespace_ok is None or namespace_ok(namespace)

        listed: dict[ObjectKey, Body] = {}
        list_rv = 0
        targets: list[str | None] = list(scopes) if scopes else [None]
        for namespace in targets:
            items, version = await kube.list_with_version(
                self.resource, namespace, label_selector=self.spec.label_selector
            )
            list_rv = max(list_rv, int(version) if version.isdigit() else 0)
            for item in items:
                key = object_key(item)
                if watched(key[0]):
                    listed[key] = item
        for item in listed.values():
            self.apply(item)
        dropped = 0
        for key in [k for k in self._items if k not in listed and watched(k[0])]:
            cached_rv = resource_version(self._items[key])
            if cached_rv is not None and list_rv and cached_rv > list_rv:
                continue  # created after the list was taken
            self.remove(self._items[key])
            dropped += 1
        if dropped:
            logger.info("informer %s: dropped %d objects deleted while unwatched", self.resource.plural, dropped)
        self.synced.set()
        return dropped


def _age_key(body: Mapping[str, Any]) -> tuple[str, str]:
    meta = body.get("metadata") or {}
    return (str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""))


class Informers:
    """All informers of one process, by resource; what mappers and reconcilers look things up in."""

    def __init__(self) -> None:
        self._by_resource: dict[k8s.Resource, Informer] = {}
        self._by_kind: dict[tuple[str, str], Informer] = {}

    def add(self, informer: Informer) -> Informer:
        self._by_resource[informer.resource] = informer
        self._by_kind[(informer.resource.api_version, informer.resource.kind)] = informer
        return informer

    def __getitem__(self, resource: k8s.Resource) -> Informer:
        return self._by_resource[resource]

    def __contains__(self, resource: object) -> bool:
        return resource in self._by_resource

    def __iter__(self) -> Iterator[Informer]:
        return iter(list(self._by_resource.values()))

    def apply(self, body: Mapping[str, Any] | None) -> None:
        """Write-through of a body our own request returned (ignored for kinds we do not cache)."""
        if not body or not isinstance(body, Mapping):
            return
        informer = self._by_kind.get((str(body.get("apiVersion") or ""), str(body.get("kind") or "")))
        if informer is not None:
            informer.apply(body)
