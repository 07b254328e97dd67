"""An in-memory stand-in for :class:`ray_operator.framework.k8s.KubeClient`, for reconciler unit tests.

It implements the verbs reconcilers use with the API server's observable semantics that matter
to them: ``generateName``, ``AlreadyExists``/``NotFound``, resource versions, JSON merge patches
(``status`` only through the status subresource), optimistic concurrency on RayCluster patches
that carry ``metadata.resourceVersion``, finalizers holding a deleted object, uid preconditions
on delete, and ``k=v`` / ``k in (a,b)`` label selectors. Every call is recorded, and an error can
be injected for any (verb, resource plural) pair.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ray_operator.framework import k8s

Body = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One API call: ``verb`` is get, list, create, patch, replace, delete or deletecollection."""

    verb: str
    plural: str
    name: str | None = None
    namespace: str | None = None
    subresource: str | None = None
    body: Any = None  # created object, patch, or label selector (list/deletecollection)

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.verb, self.plural, self.name)


READ_VERBS = frozenset({"get", "list"})


def rfc3339(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` removes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result: Body = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


_REQUIREMENT = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(==|=|!=)\s*([\w./-]*)|\s(in|notin)\s*\(([^)]*)\))?\s*$")


def _split_selector(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in selector:
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def selector_matches(selector: str | None, labels: Mapping[str, str]) -> bool:
    """Equality-based and set-based label selectors (``k=v``, ``k!=v``, ``k in (a,b)``, ``k``, ``!k``)."""
    for requirement in _split_selector(selector or ""):
        match = _REQUIREMENT.match(requirement)
        if match is None:
            raise k8s.BadRequest(400, "BadRequest", f"unable to parse requirement: {requirement!r}")
        negate, key, op, value, set_op, values = match.groups()
        if negate:
            ok = key not in labels
        elif op in ("=", "=="):
            ok = labels.get(key) == value
        elif op == "!=":
            ok = labels.get(key) != value
        elif set_op:
            members = {v.strip() for v in values.split(",") if v.strip()}
            ok = labels.get(key) in members if set_op == "in" else labels.get(key) not in members
        else:
            ok = key in labels
        if not ok:
            return False
    return True


class FakeKube:
    """Objects by resource plural and (namespace, name); see the module docstring."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.objects: dict[str, dict[tuple[str, str], Body]] = {}
        self.calls: list[Call] = []
        self._errors: dict[tuple[str, str], tuple[k8s.ApiError, int | None]] = {}
        self._rv = 100
        self._uid = 0
        self._generated = 0

    # ------------------------------------------------------------------ test helpers

    def fail(self, verb: str, plural: str, error: k8s.ApiError, times: int | None = None) -> None:
        """Make the next ``times`` (default: every) ``verb`` on ``plural`` raise ``error``."""
        self._errors[(verb, plural)] = (error, times)

    def put(self, resource: k8s.Resource, body: Mapping[str, Any]) -> Body:
        """Store an object as if it existed already (no call recorded); returns the stored copy."""
        obj = self._admit(resource, body, str((body.get("metadata") or {}).get("namespace") or ""))
        self._bucket(resource)[self._key(obj)] = obj
        return copy.deepcopy(obj)

    def peek(self, resource: k8s.Resource, name: str, namespace: str) -> Body | None:
        """The stored object (a copy), without recording a call."""
        obj = self._bucket(resource).get((namespace, name))
        return copy.deepcopy(obj) if obj is not None else None

    def all(self, resource: k8s.Resource, namespace: str | None = None) -> list[Body]:
        return [copy.deepcopy(o) for (ns, _), o in self._bucket(resource).items() if namespace in (None, ns)]

    def mutate(self, resource: k8s.Resource, name: str, namespace: str, change: Callable[[Body], None]) -> Body:
        """Change a stored object in place (as another actor would), bumping its resourceVersion."""
        obj = self._bucket(resource)[(namespace, name)]
        change(obj)
        obj["metadata"]["resourceVersion"] = self._next_rv()
        return copy.deepcopy(obj)

    def events(self) -> list[tuple[str, str, str]]:
        """(type, reason, note) of every stored Event, in creation order."""
        return [(e["type"], e["reason"], e["note"]) for e in self._bucket(k8s.EVENTS).values()]

    def reasons(self) -> list[str]:
        return [reason for _, reason, _ in self.events()]

    def keys(self, verb: str | None = None, plural: str | None = None) -> list[tuple[str, str, str | None]]:
        """(verb, plural, name) of the recorded calls, optionally filtered."""
        return [c.key for c in self.calls if verb in (None, c.verb) and plural in (None, c.plural)]

    def find(self, verb: str, plural: str) -> list[Call]:
        return [c for c in self.calls if c.verb == verb and c.plural == plural]

    def writes(self, include_events: bool = False) -> list[Call]:
        return [c for c in self.calls if c.verb not in READ_VERBS and (include_events or c.plural != k8s.EVENTS.plural)]

    def reset(self) -> None:
        """Forget recorded calls and stored Events (objects stay)."""
        self.calls.clear()
        self.objects.pop(k8s.EVENTS.plural, None)

    # ------------------------------------------------------------------ internals

    def _bucket(self, resource: k8s.Resource) -> dict[tuple[str, str], Body]:
        return self.objects.setdefault(resource.plural, {})

    @staticmethod
    def _key(obj: Mapping[str, Any]) -> tuple[str, str]:
        meta = obj["metadata"]
        return (str(meta.get("namespace") or ""), str(meta["name"]))

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        injected = self._errors.get((call.verb, call.plural))
        if injected is None:
            return
        error, times = injected
        if times is not None:
            if times <= 1:
                del self._errors[(call.verb, call.plural)]
            else:
                self._errors[(call.verb, call.plural)] = (error, times - 1)
        raise error

    def _admit(self, resource: k8s.Resource, body: Mapping[str, Any], namespace: str) -> Body:
        obj: Body = copy.deepcopy(dict(body))
        meta = obj.setdefault("metadata", {})
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise k8s.Invalid(422, "Invalid", "metadata.name or metadata.generateName is required")
            self._generated += 1
            meta["name"] = f"{meta['generateName']}{self._generated:05d}"
        if resource.namespaced:
            meta["namespace"] = namespace
        self._uid += 1
        meta.setdefault("uid", f"uid-{resource.plural}-{self._uid}")
        meta["resourceVersion"] = self._next_rv()
        meta.setdefault("creationTimestamp", rfc3339(self.clock()))
        meta.setdefault("generation", 1)
        obj.setdefault("apiVersion", resource.api_version)
        obj.setdefault("kind", resource.kind)
        return obj

    def _not_found(self, resource: k8s.Resource, name: str) -> k8s.NotFound:
        return k8s.NotFound(404, "NotFound", f'{resource.plural} "{name}" not found')

    def _remove_or_mark(self, resource: k8s.Resource, key: tuple[str, str]) -> Body:
        """Delete, or only set deletionTimestamp while finalizers hold the object (as the API server)."""
        bucket = self._bucket(resource)
        obj = bucket[key]
        meta = obj["metadata"]
        if meta.get("finalizers"):
            if not meta.get("deletionTimestamp"):
                meta["deletionTimestamp"] = rfc3339(self.clock())
                meta["resourceVersion"] = self._next_rv()
            return copy.deepcopy(obj)
        del bucket[key]
        return copy.deepcopy(obj)

    # ------------------------------------------------------------------ KubeClient verbs

    async def get(self, resource: k8s.Resource, name: str, namespace: str | None = None) -> Body:
        self._record(Call("get", resource.plural, name, namespace))
        obj = self._bucket(resource).get((namespace or "", name))
        if obj is None:
            raise self._not_found(resource, name)
        return copy.deepcopy(obj)

    async def get_or_none(self, resource: k8s.Resource, name: str, namespace: str | None = None) -> Body | None:
        try:
            return await self.get(resource, name, namespace)
        except k8s.NotFound:
            return None

    async def list(
        self,
        resource: k8s.Resource,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> list[Body]:
        self._record(Call("list", resource.plural, None, namespace, body=label_selector))
        if field_selector:
            raise NotImplementedError("field selectors are not supported by FakeKube")
        return [
            copy.deepcopy(obj)
            for (ns, _), obj in sorted(self._bucket(resource).items())
            if namespace in (None, ns) and selector_matches(label_selector, obj["metadata"].get("labels") or {})
        ]

    async def list_with_version(
        self,
        resource: k8s.Resource,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> tuple[list[Body], str]:
        """Like :meth:`list`, plus the current resourceVersion (what the server stamps on a LIST)."""
        items = await self.list(resource, namespace, label_selector, field_selector, page_size)
        return items, str(self._rv)

    async def create(
        self, resource: k8s.Resource, body: Mapping[str, Any], namespace: str | None = None, strict: bool = True
    ) -> Body:
        meta = body.get("metadata") or {}
        ns = str(namespace or meta.get("namespace") or "")
        obj = self._admit(resource, body, ns)
        name = obj["metadata"]["name"]
        self._record(Call("create", resource.plural, name, ns, body=copy.deepcopy(obj)))
        bucket = self._bucket(resource)
        if self._key(obj) in bucket:
            raise k8s.AlreadyExists(409, "AlreadyExists", f'{resource.plural} "{name}" already exists')
        bucket[self._key(obj)] = obj
        return copy.deepcopy(obj)

    async def patch(
        self,
        resource: k8s.Resource,
        name: str,
        patch: Any,
        namespace: str | None = None,
        patch_type: str = "merge",
        subresource: str | None = None,
    ) -> Body:
        self._record(Call("patch", resource.plural, name, namespace, subresource, copy.deepcopy(patch)))
        if patch_type != "merge":
            raise NotImplementedError(f"FakeKube supports merge patches only, not {patch_type}")
        key = (namespace or "", name)
        bucket = self._bucket(resource)
        obj = bucket.get(key)
        if obj is None:
            raise self._not_found(resource, name)
        patch = copy.deepcopy(dict(patch))
        wanted_rv = (patch.get("metadata") or {}).pop("resourceVersion", None)
        if wanted_rv is not None and wanted_rv != obj["metadata"]["resourceVersion"]:
            raise k8s.Conflict(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {resource.plural} "{name}": the object has been modified; '
                "please apply your changes to the latest version and try again",
            )
        if subresource == "status":
            updated = dict(obj)
            updated["status"] = merge_patch(obj.get("status"), patch.get("status") or {})
        elif subresource is None:
            patch.pop("status", None)  # the main resource ignores status (status subresource enabled)
            updated = merge_patch(obj, patch)
            if "spec" in patch:
                updated["metadata"]["generation"] = int(obj["metadata"].get("generation") or 1) + 1
        else:
            raise NotImplementedError(f"subresource {subresource}")
        updated["metadata"]["resourceVersion"] = self._next_rv()
        bucket[key] = updated
        if updated["metadata"].get("deletionTimestamp") and not updated["metadata"].get("finalizers"):
            del bucket[key]  # the last finalizer is gone: the API server completes the deletion
        return copy.deepcopy(updated)

    async def replace(self, resource: k8s.Resource, body: Mapping[str, Any], subresource: str | None = None) -> Body:
        meta = body.get("metadata") or {}
        name, ns = str(meta["name"]), str(meta.get("namespace") or "")
        self._record(Call("replace", resource.plural, name, ns, subresource, copy.deepcopy(dict(body))))
        bucket = self._bucket(resource)
        current = bucket.get((ns, name))
        if current is None:
            raise self._not_found(resource, name)
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != current["metadata"]["resourceVersion"]:
            raise k8s.Conflict(409, "Conflict", f'Operation cannot be fulfilled on {resource.plural} "{name}"')
        obj: Body = copy.deepcopy(dict(body))
        for field in ("uid", "creationTimestamp", "generation"):
            if field in current["metadata"]:
                obj["metadata"][field] = current["metadata"][field]
        obj["metadata"]["resourceVersion"] = self._next_rv()
        bucket[(ns, name)] = obj
        return copy.deepcopy(obj)

    async def delete(
        self,
        resource: k8s.Resource,
        name: str,
        namespace: str | None = None,
        propagation: str | None = None,
        uid: str | None = None,
    ) -> Body | None:
        self._record(Call("delete", resource.plural, name, namespace, body={"uid": uid} if uid else None))
        key = (namespace or "", name)
        obj = self._bucket(resource).get(key)
        if obj is None:
            raise self._not_found(resource, name)
        if uid and obj["metadata"].get("uid") != uid:
            raise k8s.Conflict(
                409,
                "Conflict",
                f"Precondition failed: UID in precondition: {uid}, UID in object meta: {obj['metadata'].get('uid')}",
            )
        return self._remove_or_mark(resource, key)

    async def delete_collection(
        self, resource: k8s.Resource, namespace: str, label_selector: str, propagation: str | None = None
    ) -> None:
        self._record(Call("deletecollection", resource.plural, None, namespace, body=label_selector))
        for key, obj in list(self._bucket(resource).items()):
            if key[0] == namespace and selector_matches(label_selector, obj["metadata"].get("labels") or {}):
                self._remove_or_mark(resource, key)
