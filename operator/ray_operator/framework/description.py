"""What a controller is, declaratively: in the spirit of controller-runtime's For / Owns / Watches.

A :class:`ControllerSpec` names the primary kind (``For``), the kinds whose objects it controls
(``Owns``: an event on such an object wakes its controlling owner) and extra watches (``Watches``)
with a mapper from an event to the keys to reconcile. Mappers and predicates are small named
functions of ``(old, new)`` bodies, so a reader sees at a glance what wakes a controller:

    ControllerSpec(
        name="rayjob",
        primary=k8s.RAYJOBS,
        owns=(k8s.RAYCLUSTERS, k8s.SERVICES, k8s.JOBS),
        watches=(Watch(k8s.PODS, via_label(CLUSTER_LABEL, k8s.RAYCLUSTERS, owner_kind="RayJob")),),
        make_reconciler=...,
    )

The runtime (:mod:`ray_operator.runtime`) builds one informer per kind and one queue per controller
from the list of specs; nothing here knows about Ray.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ray_operator.framework import k8s
from ray_operator.framework.informer import Body, Informers, ObjectKey, object_key

if TYPE_CHECKING:
    from ray_operator.framework.controller import Controller
    from ray_operator.framework.events import EventRecorder
    from ray_operator.framework.informer import Informer

#: Whether a change is worth a reconcile.
Predicate = Callable[[Body | None, Body | None], bool]
#: Keys to reconcile for a change; gets every informer, to follow chains (pod -> cluster -> owner).
Mapper = Callable[[Body | None, Body | None, Informers], Iterable[ObjectKey]]


# ---------------------------------------------------------------------- predicates


def any_change(old: Body | None, new: Body | None) -> bool:
    """Every change, status included (KubeRay's RayJob controller has no predicate)."""
    return True


_SPEC_KEYS = ("generation", "labels", "annotations", "deletionTimestamp", "finalizers", "uid")


def spec_changed(old: Body | None, new: Body | None) -> bool:
    """Generation, labels, annotations (and deletion/finalizers) changed: KubeRay's RayCluster and
    RayService predicates. Status-only updates, our own status writes included, are skipped."""
    if old is None or new is None:
        return True
    om, nm = old.get("metadata") or {}, new.get("metadata") or {}
    return any(om.get(k) != nm.get(k) for k in _SPEC_KEYS)


# ---------------------------------------------------------------------- mappers


def _meta(old: Body | None, new: Body | None) -> Mapping[str, Any]:
    return ((new if new is not None else old) or {}).get("metadata") or {}


def to_self(old: Body | None, new: Body | None, informers: Informers) -> Iterable[ObjectKey]:
    """The object itself (``For``)."""
    return (object_key(new if new is not None else old or {}),)


def controller_owner_name(body: Mapping[str, Any] | None, kind: str) -> str | None:
    """Name of the controlling ownerReference of ``kind``, if any."""
    for ref in ((body or {}).get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("controller") and ref.get("kind") == kind:
            return str(ref.get("name") or "") or None
    return None


def to_controller_owner(kind: str) -> Mapper:
    """The controlling owner of ``kind`` (``Owns``): both before and after, if it changed."""

    def mapper(old: Body | None, new: Body | None, informers: Informers) -> Iterable[ObjectKey]:
        namespace = str(_meta(old, new).get("namespace") or "")
        names = {controller_owner_name(body, kind) for body in (old, new) if body is not None}
        return [(namespace, name) for name in names if name]

    mapper.__name__ = f"to_controller_owner_{kind}"
    return mapper


def to_label(label: str) -> Mapper:
    """The object named by a label in the same namespace (pods -> their ``ray.io/cluster``)."""

    def mapper(old: Body | None, new: Body | None, informers: Informers) -> Iterable[ObjectKey]:
        namespace = str(_meta(old, new).get("namespace") or "")
        values = {((b.get("metadata") or {}).get("labels") or {}).get(label) for b in (old, new) if b is not None}
        return [(namespace, str(v)) for v in values if v]

    mapper.__name__ = f"to_label_{label}"
    return mapper


def via_label(label: str, through: k8s.Resource, owner_kind: str) -> Mapper:
    """Follow a label to an object of ``through``, then to its controlling owner of ``owner_kind``.

    E.g. a head Pod's ``ray.io/cluster`` names a RayCluster, whose controlling owner is the RayService
    to wake when the head Pod becomes Ready.
    """
    first = to_label(label)

    def mapper(old: Body | None, new: Body | None, informers: Informers) -> Iterable[ObjectKey]:
        keys = []
        for key in first(old, new, informers):
            owner = controller_owner_name(informers[through].get(key), owner_kind)
            if owner:
                keys.append((key[0], owner))
        return keys

    mapper.__name__ = f"via_label_{label}_{owner_kind}"
    return mapper


def via_owner(through: k8s.Resource, through_kind: str, owner_kind: str) -> Mapper:
    """Follow the controlling owner twice (child of a child): e.g. Pod -> RayCluster -> RayJob."""

    def mapper(old: Body | None, new: Body | None, informers: Informers) -> Iterable[ObjectKey]:
        keys = []
        for key in to_controller_owner(through_kind)(old, new, informers):
            owner = controller_owner_name(informers[through].get(key), owner_kind)
            if owner:
                keys.append((key[0], owner))
        return keys

    return mapper


# ---------------------------------------------------------------------- the description


@dataclass(frozen=True)
class Watch:
    """``Watches``: events of ``resource`` (filtered by ``predicate``) wake the keys ``mapper`` returns."""

    resource: k8s.Resource
    mapper: Mapper
    predicate: Predicate = any_change


class Reconciler(Protocol):
    """What a controller runs for each key; returns seconds until it should look again (or None)."""

    async def reconcile(self, key: ObjectKey) -> float | None: ...


@dataclass
class ControllerContext:
    """What the runtime hands a reconciler factory: shared clients and caches."""

    kube: k8s.KubeClient
    informers: Informers
    recorder: EventRecorder
    controller: Controller
    primary_resource: k8s.Resource

    @property
    def primary(self) -> Informer:
        return self.informers[self.primary_resource]


@dataclass(frozen=True)
class ControllerSpec:
    """One controller: ``For`` + ``Owns`` + ``Watches`` and how to build its reconciler."""

    name: str
    primary: k8s.Resource
    make_reconciler: Callable[[ControllerContext], Reconciler]
    primary_predicate: Predicate = any_change
    owns: tuple[k8s.Resource, ...] = ()
    watches: tuple[Watch, ...] = ()
    #: Reporting controller of its events (``raycluster-controller``...).
    recorder: str = ""

    def all_watches(self) -> list[Watch]:
        """For, Owns and Watches as one list of (resource, mapper, predicate)."""
        found = [Watch(self.primary, to_self, self.primary_predicate)]
        found += [Watch(resource, to_controller_owner(self.primary.kind)) for resource in self.owns]
        found += list(self.watches)
        return found

    def resources(self) -> list[k8s.Resource]:
        """Every kind this controller needs an informer for."""
        seen: list[k8s.Resource] = []
        for watch in self.all_watches():
            if watch.resource not in seen:
                seen.append(watch.resource)
        return seen
