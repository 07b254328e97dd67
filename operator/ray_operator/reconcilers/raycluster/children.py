"""Steps of the RayCluster reconciler for its non-Pod children, in KubeRay's order.

Autoscaler ServiceAccount/Role/RoleBinding, Ingress, token Secret, head/headless/serve Services and
the GCS storage PVC. All are watched (an event on one wakes its cluster) and read from the
informers, so a child deleted by hand is recreated within a moment, and a steady cluster costs no
API calls. As in KubeRay they are created once and never updated, except the Ingress (kept in sync)
and the PVC's owner reference (follows ``deletionPolicy``).
"""

from __future__ import annotations

from typing import Any

from ray_operator.builders import auth, autoscaler, features, gcs_ft, ingress, names, services
from ray_operator.framework import k8s
from ray_operator.framework.events import CREATE, UPDATE, VALIDATE
from ray_operator.framework.reconciler import Note, is_controlled_by
from ray_operator.reconcilers.raycluster.steps import Pass, RayClusterSteps, StepError


def created(reason: str, noun: str) -> Note:
    """KubeRay's RayCluster wording: ``Created <noun> <ns>/<name>``."""
    return Note(reason, f"Created {noun} {{namespace}}/{{name}}")


def failed(reason: str, noun: str) -> Note:
    """KubeRay's RayCluster wording: ``Failed creating <noun> <ns>/<name>, <error>``."""
    return Note(reason, f"Failed creating {noun} {{namespace}}/{{name}}, {{error}}")


SERVICE_NOTES = {"created": created("CreatedService", "service"), "failed": failed("FailedToCreateService", "service")}


class ChildSteps(RayClusterSteps):
    """Mixin of :class:`RayClusterReconciler`: everything but Pods."""

    async def _autoscaler_rbac(self, run: Pass) -> None:
        cluster = run.cluster
        if not features.autoscaling_enabled(cluster.spec):
            return
        sa_name = autoscaler.service_account_lookup_name(cluster)
        if ((cluster.spec.head_group_spec.template or {}).get("spec") or {}).get("serviceAccountName"):
            # The user names the account: they must create it; we only check that it exists. It is
            # not ours and carries none of our labels, so it is not in our cache: ask the server.
            if await self.kube.get_or_none(k8s.SERVICE_ACCOUNTS, sa_name, run.namespace) is None:
                message = (
                    "If users specify ServiceAccountName for the head Pod, they need to create a ServiceAccount "
                    f"themselves. However, ServiceAccount {sa_name} is not found. Please create one. See the PR "
                    "description of https://github.com/ray-project/kuberay/pull/1128 for more details."
                )
                await self.recorder.warning(
                    run.body,
                    "AutoscalerServiceAccountNotFound",
                    VALIDATE,
                    f"Failed to reconcile RayCluster {run.namespace}/{run.name}. {message}",
                )
                raise StepError(message)
        else:
            await self.create_once(
                run.body,
                k8s.SERVICE_ACCOUNTS,
                autoscaler.build_service_account(cluster),
                created=created("CreatedServiceAccount", "service account"),
                failed=failed("FailedToCreateServiceAccount", "service account"),
            )
        await self.create_once(
            run.body,
            k8s.ROLES,
            autoscaler.build_role(cluster),
            created=created("CreatedRole", "role"),
            failed=failed("FailedToCreateRole", "role"),
        )
        await self.create_once(
            run.body,
            k8s.ROLE_BINDINGS,
            autoscaler.build_role_binding(cluster),
            created=created("CreatedRoleBinding", "role binding"),
            failed=failed("FailedToCreateRoleBinding", "role binding"),
        )

    async def _ingress(self, run: Pass) -> None:
        cluster = run.cluster
        if not ingress.ingress_enabled(cluster):
            return
        desired_ingress = ingress.build_ingress(cluster)
        name = desired_ingress["metadata"]["name"]
        existing = self.cached(k8s.INGRESSES, run.namespace, name)
        if existing is None:
            await self.create(
                run.body,
                k8s.INGRESSES,
                desired_ingress,
                created=created("CreatedIngress", "ingress"),
                failed=failed("FailedToCreateIngress", "ingress"),
            )
            return
        if not is_controlled_by(existing, run.body):
            await self.recorder.warning(
                run.body,
                "FailedToCreateIngress",
                CREATE,
                f"Ingress {run.namespace}/{name} already exists and is not owned by this RayCluster; not modifying it",
            )
            return
        replacement = ingress.ingress_update(existing, desired_ingress)
        if replacement is None:
            return
        await self.replace(
            run.body,
            k8s.INGRESSES,
            replacement,
            updated=Note("UpdatedIngress", "Updated ingress {namespace}/{name}"),
            failed=Note("FailedToUpdateIngress", "Failed updating ingress {namespace}/{name}, {error}"),
        )

    async def _auth_secret(self, run: Pass) -> None:
        """Token auth: a Secret with a random token, made once and never rotated (no events, as KubeRay)."""
        if not auth.auth_secret_wanted(run.cluster):
            return
        name = auth.auth_secret_name(run.cluster)
        if self.cached(k8s.SECRETS, run.namespace, name) is None:
            manifest = auth.build_auth_secret(run.cluster, auth.generate_auth_token())
            await self.create(run.body, k8s.SECRETS, manifest)

    def _head_service_name(self, run: Pass) -> str:
        return names.head_service_name(run.name, run.cluster.spec.head_group_spec.head_service)

    async def _head_service(self, run: Pass) -> None:
        manifest = services.build_head_service(run.cluster, self.config)  # always has ports (metrics at least)
        run.head_service = await self.create_once(run.body, k8s.SERVICES, manifest, **SERVICE_NOTES)

    async def _headless_service(self, run: Pass) -> None:
        if not services.needs_headless_worker_service(run.cluster):
            return
        manifest = services.build_headless_worker_service(run.cluster)
        await self.create_once(run.body, k8s.SERVICES, manifest, **SERVICE_NOTES)

    async def _serve_service(self, run: Pass) -> None:
        if not services.serve_service_wanted(run.cluster):
            return
        try:
            manifest = services.build_serve_service(run.cluster)
        except services.ServiceBuildError as exc:
            raise StepError(str(exc)) from exc
        await self.create_once(run.body, k8s.SERVICES, manifest, **SERVICE_NOTES)

    async def _gcs_storage_pvc(self, run: Pass) -> None:
        """The volume of the embedded (RocksDB) GCS store: created by us unless the user names a claim.

        Never resized or reconfigured in place (a Warning says what differs); its owner reference
        follows ``storage.deletionPolicy`` (Retain keeps the data after the cluster is deleted).
        """
        cluster, ns = run.cluster, run.namespace
        if not features.gcs_ft_embedded(cluster.spec):
            return
        desired_pvc = gcs_ft.build_gcs_storage_pvc(cluster)
        name = desired_pvc["metadata"]["name"]
        if not gcs_ft.gcs_storage_pvc_wanted(cluster):  # the user's own claim: not labelled, not cached
            if await self.kube.get_or_none(k8s.PVCS, name, ns) is None:
                await self.recorder.warning(
                    run.body,
                    "FailedToCreatePVC",
                    VALIDATE,
                    f'GcsFaultToleranceOptions.Storage.ClaimName "{name}" not found in namespace {ns}; '
                    "the head Pod will not start until it exists",
                )
            return
        existing = self.cached(k8s.PVCS, ns, name)
        if existing is None:
            existing = await self._create_or_adopt_pvc(run, desired_pvc)
            if existing is None:
                return
        drift = gcs_ft.gcs_storage_pvc_drift(desired_pvc, existing)
        if drift:
            await self.recorder.warning(
                run.body,
                "FailedToCreatePVC",
                UPDATE,
                f"GCS storage PVC {ns}/{name} already exists and cannot be reconfigured in place ({drift}); "
                "delete the PVC to recreate it with the new settings",
            )
        meta = existing.get("metadata") or {}
        owners = list(meta.get("ownerReferences") or [])
        owned = is_controlled_by(existing, run.body)
        retain = gcs_ft.gcs_storage_retained(cluster)
        if owned == (not retain):
            return
        if retain:
            owners = [o for o in owners if o.get("uid") != cluster.uid]
        else:
            owners.append(names.controller_reference(cluster.name, cluster.uid))
        await self.replace(run.body, k8s.PVCS, {**existing, "metadata": {**meta, "ownerReferences": owners}})

    async def _create_or_adopt_pvc(self, run: Pass, desired_pvc: dict[str, Any]) -> dict[str, Any] | None:
        """Create the PVC (None: created now, nothing to compare); an existing one is returned to adopt."""
        ns, name = run.namespace, desired_pvc["metadata"]["name"]
        try:
            created_pvc: dict[str, Any] = await self.kube.create(k8s.PVCS, desired_pvc, namespace=ns)
        except k8s.AlreadyExists:
            existing: dict[str, Any] = await self.kube.get(k8s.PVCS, name, ns)
            return existing
        except k8s.ApiError as exc:
            note = f"Failed to create GCS storage PVC {ns}/{name}, {exc.message or exc}"
            await self.recorder.warning(run.body, "FailedToCreatePVC", CREATE, note)
            raise StepError(note) from exc
        self.informers.apply(created_pvc)
        await self.recorder.normal(run.body, "CreatedPVC", CREATE, f"Created GCS storage PVC {ns}/{name}")
        return None
