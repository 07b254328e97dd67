"""The steps every reconciler shares: create once, delete, finalizers, status writes, owner references.

Each write goes to the API server through the facade and its response straight into the informer
of that kind (write-through), so the next reconcile sees what this one did even before the watch
event arrives, and other controllers hear about it as a change. Events follow KubeRay's pattern:
one Normal event per successful create/delete/update, one Warning per failure, with the caller's
reason and note (KubeRay's wording differs per controller, so notes are templates).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ray_operator.framework import k8s
from ray_operator.framework.conditions import merge_patch, status_changed
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.description import ControllerContext
from ray_operator.framework.events import CREATE, DELETE, UPDATE
from ray_operator.framework.informer import Body

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Note:
    """An event to post: ``reason`` and a note template (``{namespace}``, ``{name}``, ``{error}``)."""

    reason: str
    text: str

    def render(self, namespace: str, name: str, error: str = "") -> str:
        return self.text.format(namespace=namespace, name=name, error=error)


class WriteFailed(RetryLater):
    """A create/update/delete of a child failed (the Warning event is posted already)."""

    def __init__(self, message: str, error: k8s.ApiError) -> None:
        super().__init__(message)
        self.error = error


class StatusConflict(RetryLater):
    """Our status write lost a race with another change of the object: reconcile again."""


def controller_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    """ownerReference making ``owner`` the controller of a child (garbage-collected with it)."""
    meta = owner.get("metadata") or {}
    return {
        "apiVersion": owner.get("apiVersion", ""),
        "kind": owner.get("kind", ""),
        "name": meta.get("name", ""),
        "uid": meta.get("uid", ""),
        "controller": True,
        "blockOwnerDeletion": True,
    }


def is_controlled_by(child: Mapping[str, Any] | None, owner: Mapping[str, Any]) -> bool:
    """Whether ``child``'s controlling ownerReference is ``owner`` (same uid)."""
    uid = (owner.get("metadata") or {}).get("uid")
    refs = ((child or {}).get("metadata") or {}).get("ownerReferences") or ()
    return any(ref.get("controller") and ref.get("uid") == uid for ref in refs)


def _error_text(exc: k8s.ApiError) -> str:
    return exc.message or str(exc)


class BaseReconciler:
    """Shared write helpers; subclasses implement ``reconcile(key)``."""

    def __init__(self, ctx: ControllerContext) -> None:
        self.ctx = ctx
        self.kube = ctx.kube
        self.informers = ctx.informers
        self.recorder = ctx.recorder

    # ------------------------------------------------------------------ reading

    def cached(self, resource: k8s.Resource, namespace: str, name: str) -> Body | None:
        """The object from its informer (``None`` if absent); the kind must be watched."""
        return self.informers[resource].get((namespace, name))

    async def fetch(self, resource: k8s.Resource, namespace: str, name: str) -> Body | None:
        """From the informer when the kind is watched, else one GET (``None`` if absent)."""
        if resource in self.informers:
            return self.cached(resource, namespace, name)
        return await self.kube.get_or_none(resource, name, namespace)

    def _through(self, body: Any) -> None:
        self.informers.apply(body)

    # ------------------------------------------------------------------ children

    async def create(
        self,
        owner: Mapping[str, Any],
        resource: k8s.Resource,
        manifest: Mapping[str, Any],
        *,
        created: Note | None = None,
        failed: Note | None = None,
    ) -> Body:
        """Create a child and post ``created``; on failure post ``failed`` and raise :class:`WriteFailed`.

        AlreadyExists (a retry, or a race with our own earlier pass) returns the existing object.
        """
        meta = manifest.get("metadata") or {}
        namespace = str(meta.get("namespace") or (owner.get("metadata") or {}).get("namespace") or "")
        name = str(meta.get("name") or meta.get("generateName") or "")
        try:
            result = await self.kube.create(resource, manifest, namespace=namespace)
        except k8s.AlreadyExists:
            existing = await self.kube.get(resource, name, namespace)
            self._through(existing)
            return existing
        except k8s.ApiError as exc:
            if failed is not None:
                await self.recorder.warning(
                    owner, failed.reason, CREATE, failed.render(namespace, name, _error_text(exc))
                )
            raise WriteFailed(f"failed to create {resource.kind} {namespace}/{name}: {_error_text(exc)}", exc) from exc
        self._through(result)
        if created is not None:
            actual = str((result.get("metadata") or {}).get("name") or name)
            await self.recorder.normal(owner, created.reason, CREATE, created.render(namespace, actual))
        return result

    async def create_once(
        self,
        owner: Mapping[str, Any],
        resource: k8s.Resource,
        manifest: Mapping[str, Any],
        *,
        created: Note | None = None,
        failed: Note | None = None,
    ) -> Body:
        """Create ``manifest`` unless an object of that name exists; an existing one is never updated."""
        meta = manifest.get("metadata") or {}
        namespace = str(meta.get("namespace") or (owner.get("metadata") or {}).get("namespace") or "")
        existing = await self.fetch(resource, namespace, str(meta.get("name") or ""))
        if existing is not None:
            return existing
        return await self.create(owner, resource, manifest, created=created, failed=failed)

    async def replace(
        self,
        owner: Mapping[str, Any],
        resource: k8s.Resource,
        body: Mapping[str, Any],
        *,
        updated: Note | None = None,
        failed: Note | None = None,
    ) -> Body:
        """PUT ``body`` (optimistic concurrency on its resourceVersion), with events."""
        meta = body.get("metadata") or {}
        namespace, name = str(meta.get("namespace") or ""), str(meta.get("name") or "")
        try:
            result = await self.kube.replace(resource, body)
        except k8s.ApiError as exc:
            if failed is not None:
                await self.recorder.warning(
                    owner, failed.reason, UPDATE, failed.render(namespace, name, _error_text(exc))
                )
            raise WriteFailed(f"failed to update {resource.kind} {namespace}/{name}: {_error_text(exc)}", exc) from exc
        self._through(result)
        if updated is not None:
            await self.recorder.normal(owner, updated.reason, UPDATE, updated.render(namespace, name))
        return result

    async def delete(
        self,
        owner: Mapping[str, Any],
        resource: k8s.Resource,
        namespace: str,
        name: str,
        *,
        uid: str | None = None,
        propagation: str | None = None,
        deleted: Note | None = None,
        failed: Note | None = None,
    ) -> bool:
        """Delete a child (``uid`` guards against deleting a newer namesake); False if it was gone."""
        try:
            result = await self.kube.delete(resource, name, namespace, propagation=propagation, uid=uid)
        except (k8s.NotFound, k8s.Conflict):
            return False
        except k8s.ApiError as exc:
            if failed is not None:
                await self.recorder.warning(
                    owner, failed.reason, DELETE, failed.render(namespace, name, _error_text(exc))
                )
            raise WriteFailed(f"failed to delete {resource.kind} {namespace}/{name}: {_error_text(exc)}", exc) from exc
        if isinstance(result, Mapping) and result.get("kind") == resource.kind:
            self._through(result)  # still there, terminating (finalizers or grace period)
        if deleted is not None:
            await self.recorder.normal(owner, deleted.reason, DELETE, deleted.render(namespace, name))
        return True

    async def patch(
        self,
        resource: k8s.Resource,
        namespace: str,
        name: str,
        patch: Any,
        *,
        patch_type: str = "merge",
        subresource: str | None = None,
    ) -> Body:
        """PATCH with write-through (no events: callers decide what is worth telling)."""
        result = await self.kube.patch(
            resource, name, patch, namespace=namespace, patch_type=patch_type, subresource=subresource
        )
        self._through(result)
        return result

    # ------------------------------------------------------------------ finalizers

    async def set_finalizers(self, body: Mapping[str, Any], finalizers: list[str]) -> Body:
        """Merge patch guarded by resourceVersion: a concurrent change makes it fail (409) and retry."""
        meta = body.get("metadata") or {}
        resource = self.ctx.primary_resource
        patch = {"metadata": {"finalizers": finalizers, "resourceVersion": meta.get("resourceVersion")}}
        try:
            return await self.patch(resource, str(meta.get("namespace") or ""), str(meta.get("name") or ""), patch)
        except k8s.Conflict as exc:
            raise StatusConflict(f"{resource.kind} changed while updating its finalizers") from exc

    async def add_finalizer(self, body: Mapping[str, Any], finalizer: str) -> Body | None:
        """Add ``finalizer`` if missing; returns the updated body, or None if nothing was written."""
        current = list((body.get("metadata") or {}).get("finalizers") or [])
        if finalizer in current:
            return None
        return await self.set_finalizers(body, [*current, finalizer])

    async def remove_finalizer(self, body: Mapping[str, Any], finalizer: str) -> Body | None:
        """Remove ``finalizer`` if present; a gone object counts as done."""
        current = list((body.get("metadata") or {}).get("finalizers") or [])
        if finalizer not in current:
            return None
        try:
            return await self.set_finalizers(body, [f for f in current if f != finalizer])
        except k8s.NotFound:
            return None

    # ------------------------------------------------------------------ status

    async def write_status(
        self,
        body: Mapping[str, Any],
        new_status: Mapping[str, Any],
        *,
        changed: Callable[[Mapping[str, Any] | None, Mapping[str, Any]], bool] = status_changed,
        guarded: bool = False,
    ) -> Body | None:
        """Write ``new_status`` if ``changed(old, new)`` says so; returns the written object or None.

        ``guarded`` adds the body's resourceVersion to the patch: a controller whose decisions depend
        on its own status (RayJob, RayService) must not act on a stale copy, so a write based on one
        fails with :class:`StatusConflict` and the reconcile runs again on fresh state.
        """
        previous = body.get("status") or {}
        if not changed(previous, new_status):
            return None
        meta = body.get("metadata") or {}
        patch: dict[str, Any] = {"status": merge_patch(previous, dict(new_status))}
        if guarded:
            patch["metadata"] = {"resourceVersion": meta.get("resourceVersion")}
        try:
            return await self.patch(
                self.ctx.primary_resource,
                str(meta.get("namespace") or ""),
                str(meta.get("name") or ""),
                patch,
                subresource="status",
            )
        except k8s.NotFound:
            return None
        except k8s.Conflict as exc:
            raise StatusConflict("the object changed while its status was written; reconciling again") from exc
