"""RayCluster reconciler: observe children, converge them to the spec, report status.

The order of steps is KubeRay's (``rayClusterReconcile``): validation, the GCS fault-tolerance
finalizer, autoscaler RBAC, Ingress, Services, then Pods, then status. Each step is idempotent
and reads current state, so an operator restart at any point converges to the same result.

Pods come from the watch-fed cache (:class:`~ray_operator.stores.PodSource`) guarded by scale
expectations; everything else is read from the API server when needed. Children are created
with strict field validation, so a typo in a pod template is reported (condition + event)
instead of being silently dropped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydantic

from ray_operator import metrics
from ray_operator.builders import auth, autoscaler, desired, features, gcs_ft, hashing, ingress, names, pods, services
from ray_operator.config import GATE_MULTI_HOST_INDEXING, GATE_NETWORK_POLICY, GATE_STATUS_CONDITIONS, OperatorConfig
from ray_operator.framework import k8s
from ray_operator.framework.clock import parse_time
from ray_operator.framework.conditions import is_true, merge_patch, status_changed
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.events import CLEANUP, CREATE, DELETE, UPDATE, VALIDATE, EventRecorder
from ray_operator.framework.expectations import HEAD_GROUP, ScaleExpectations
from ray_operator.models import RayCluster, WorkerGroupSpec
from ray_operator.models.common import MANAGED_BY_KUBERAY
from ray_operator.models.raycluster import CONDITION_PROVISIONED, CONDITION_SUSPENDED, CONDITION_SUSPENDING
from ray_operator.reconcilers.raycluster_status import (
    Observed,
    compute_status,
    head_pods,
    pod_ready,
    suspend_status,
    validation_failed_status,
)
from ray_operator.stores import IndexPodSource, ObjectStore
from ray_operator.validation import (
    ValidationError,
    raycluster_warning_note,
    raycluster_warnings,
    validate_raycluster,
)

logger = logging.getLogger(__name__)

GCS_FT_FINALIZER = names.FINALIZER_GCS_FT_REDIS_CLEANUP
DEFAULT_REQUEUE = 2.0


class PodActionFailed(RetryLater):
    """A pod create/delete failed: becomes ``ReplicaFailure`` with KubeRay's reason."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class StepError(RetryLater):
    """Any other failed step: no ReplicaFailure condition, retried with backoff."""


@dataclass
class _Pass:
    """State of one reconcile pass."""

    cluster: RayCluster
    body: dict[str, Any]
    head_service: dict[str, Any] | None = None
    requeue: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return self.cluster.namespace

    @property
    def name(self) -> str:
        return self.cluster.name


def _pod_name(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("name", ""))


def _labels(pod: Mapping[str, Any]) -> Mapping[str, str]:
    return (pod.get("metadata") or {}).get("labels") or {}


def _node_type(pod: Mapping[str, Any]) -> str:
    return _labels(pod).get(names.LABEL_NODE_TYPE, "")


def _any_live(pods_: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any pod is not yet being deleted."""
    return not all(_is_deleting(p) for p in pods_)


def _created(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("creationTimestamp", ""))


def _scale_down_order(candidates: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Which pods go first when scaling down without the autoscaler.

    KubeRay deletes the first pods of an unordered list. We prefer, like a ReplicaSet, pods that
    are being deleted already, then not Ready ones, then the newest: the least work is lost and
    the most stable pods stay. (Two stable sorts: newest first, then by deleting/ready.)
    """
    newest_first = sorted(candidates, key=_created, reverse=True)
    return sorted(newest_first, key=lambda p: (not _is_deleting(p), pod_ready(p)))


def _replica_rank(members: Sequence[Mapping[str, Any]]) -> tuple[bool, float]:
    """Multi-host replicas to remove first: any member not Ready, then the newest."""
    newest = max((parse_time(_created(p)) or 0.0) for p in members)
    return (all(pod_ready(p) for p in members), -newest)


def _is_deleting(pod: Mapping[str, Any]) -> bool:
    return bool((pod.get("metadata") or {}).get("deletionTimestamp"))


class RayClusterReconciler:
    """Reconciles one RayCluster per call; shared state is only the caches and expectations."""

    def __init__(
        self,
        kube: k8s.KubeClient,
        config: OperatorConfig,
        recorder: EventRecorder,
        clusters: ObjectStore,
        pods: IndexPodSource,
        expectations: ScaleExpectations | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kube = kube
        self.config = config
        self.recorder = recorder
        self.clusters = clusters
        self.pods = pods
        self.expectations = expectations or ScaleExpectations()
        self.clock = clock
        self._warned: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}

    # ------------------------------------------------------------------ entry point

    async def reconcile(self, key: tuple[str, str]) -> float | None:
        """Converge one RayCluster; return seconds until it should be looked at again."""
        namespace, name = key
        body = self.clusters.get(key)
        if body is None:
            self.expectations.forget_cluster(namespace, name)
            metrics.forget_cluster(name, namespace)
            self._warned.pop(key, None)
            return None
        try:
            cluster = RayCluster.from_body(body)
        except pydantic.ValidationError as exc:
            message = _pydantic_message(exc)
            note = f"The RayCluster spec is invalid {namespace}/{name}: {message}"
            await self._invalid(body, "InvalidRayClusterSpec", note, message)
            return None

        managed_by = cluster.spec.managed_by
        if managed_by and managed_by != MANAGED_BY_KUBERAY:
            logger.debug("skipping %s/%s managed by %s", namespace, name, managed_by)
            return None

        try:
            validate_raycluster(cluster, self.config)
        except ValidationError as exc:
            await self._invalid(body, exc.reason, exc.event_note(namespace, name), exc.message)
            return DEFAULT_REQUEUE if exc.requeue else None
        unsupported = unsupported_feature(cluster, self.config)
        if unsupported:
            note = f"The RayCluster spec is invalid {namespace}/{name}: {unsupported}"
            await self._invalid(body, "InvalidRayClusterSpec", note, unsupported)
            return None
        await self._emit_warnings(cluster, body)

        run = _Pass(cluster=cluster, body=body)
        finalizer_result = await self._gcs_ft_finalizer(run)
        if finalizer_result is not None:
            return finalizer_result
        if (body.get("metadata") or {}).get("deletionTimestamp"):
            return None

        failure: PodActionFailed | None = None
        error: Exception | None = None
        try:
            await self._autoscaler_rbac(run)
            await self._ingress(run)
            await self._auth_secret(run)
            await self._head_service(run)
            await self._headless_service(run)
            await self._serve_service(run)
            await self._gcs_storage_pvc(run)
            await self._pods(run)
        except PodActionFailed as exc:
            failure, error = exc, exc
        except (StepError, k8s.ApiError) as exc:
            error = exc
            logger.info("%s/%s: %s", namespace, name, exc)

        if run.head_service is None:
            run.head_service = await self._get_head_service(run)
        observed = Observed(
            pods=self.pods.pods_of(namespace, name),
            head_service=run.head_service,
            replica_failure=(failure.reason, failure.message) if failure else None,
            error=error is not None,
            conditions_enabled=self.config.gate(GATE_STATUS_CONDITIONS),
        )
        previous = body.get("status") or {}
        new_status = compute_status(cluster, previous, observed)
        changed = await self._write_status(run, previous, new_status)
        if error is not None:
            raise StepError(str(error)) from None
        if changed and suspend_status(new_status.get("conditions")) != suspend_status(previous.get("conditions")):
            # The suspend conditions gate the pod step (delete all when Suspending, create again once
            # no longer Suspended): act on what was just written now. Other changes are followed by
            # watch events, so KubeRay's blanket 2 s requeue after every status write is not needed.
            return 0.0
        if run.requeue is not None:
            return run.requeue
        return self.config.raycluster_requeue_seconds

    # ------------------------------------------------------------------ validation

    async def _invalid(self, body: dict[str, Any], reason: str, note: str, message: str) -> None:
        meta = body.get("metadata") or {}
        await self.recorder.warning(body, reason, VALIDATE, note)
        previous = body.get("status") or {}
        new_status = validation_failed_status(previous, int(meta.get("generation") or 0), reason, message)
        cluster_key = (str(meta.get("namespace", "")), str(meta.get("name", "")))
        if status_changed(previous, new_status):
            await self._patch_status(cluster_key, previous, new_status)

    async def _emit_warnings(self, cluster: RayCluster, body: dict[str, Any]) -> None:
        warnings = tuple(raycluster_warnings(cluster, self.config))
        key = (cluster.namespace, cluster.name)
        if not warnings:
            self._warned.pop(key, None)
            return
        if self._warned.get(key) == (cluster.generation, warnings):
            return  # once per generation, not on every resync
        self._warned[key] = (cluster.generation, warnings)
        for warning in warnings:
            note = raycluster_warning_note(cluster.namespace, cluster.name, warning)
            await self.recorder.warning(body, "InvalidRayClusterSpec", VALIDATE, note)

    # ------------------------------------------------------------------ GCS FT finalizer

    async def _gcs_ft_finalizer(self, run: _Pass) -> float | None:
        """Add the Redis cleanup finalizer, or run the cleanup on deletion; None to continue."""
        cluster, meta = run.cluster, run.body.get("metadata") or {}
        finalizers = list(meta.get("finalizers") or [])
        deleting = bool(meta.get("deletionTimestamp"))
        if deleting and GCS_FT_FINALIZER in finalizers and features.gcs_ft_embedded(cluster.spec):
            await self._set_finalizers(run, [f for f in finalizers if f != GCS_FT_FINALIZER])
            return None
        if not gcs_ft.needs_redis_cleanup(cluster, self.config):
            return None
        if not deleting:
            if GCS_FT_FINALIZER not in finalizers:
                await self._set_finalizers(run, [*finalizers, GCS_FT_FINALIZER])
                return DEFAULT_REQUEUE
            return None
        if GCS_FT_FINALIZER not in finalizers:
            return None

        current = self.pods.pods_of(cluster.namespace, cluster.name)
        head_left = head_pods(current)
        if any(_node_type(p) in (names.NODE_TYPE_HEAD, names.NODE_TYPE_WORKER) for p in current):
            await self._delete_all_pods(run, f"{names.LABEL_NODE_TYPE} in (head,worker)")
        if head_left:
            return 10.0  # the GCS must stop writing before its Redis namespace is removed

        age = self.clock() - (parse_time(meta.get("deletionTimestamp")) or self.clock())
        if age >= gcs_ft.deletion_timeout_seconds(cluster):
            await self._set_finalizers(run, [f for f in finalizers if f != GCS_FT_FINALIZER])
            storage_ns = cluster.annotations.get(names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE, "")
            await self.recorder.warning(
                run.body,
                "ForceDeletedStuckCluster",
                CLEANUP,
                f"Force-removed GCS FT finalizer after {_go_duration(age)} due to Redis cleanup timeout; "
                f'Redis storage namespace "{storage_ns}" may need manual cleanup',
            )
            return None

        job_selector = ",".join(f"{k}={v}" for k, v in gcs_ft.cleanup_job_lookup_labels(cluster).items())
        jobs = await self.kube.list(k8s.JOBS, cluster.namespace, label_selector=job_selector)
        if jobs:
            if gcs_ft.job_finished(jobs[0]):
                await self._set_finalizers(run, [f for f in finalizers if f != GCS_FT_FINALIZER])
                return None
            return DEFAULT_REQUEUE
        job = gcs_ft.build_redis_cleanup_job(cluster, self.config)
        job_name = (job.get("metadata") or {}).get("name", "")
        try:
            await self.kube.create(k8s.JOBS, job)
        except k8s.AlreadyExists:
            return DEFAULT_REQUEUE
        except k8s.ApiError as exc:
            await self.recorder.warning(
                run.body,
                "FailedToCreateRedisCleanupJob",
                CREATE,
                f"Failed to create Redis cleanup Job {cluster.namespace}/{job_name}, {exc.message or exc}",
            )
            return DEFAULT_REQUEUE
        await self.recorder.normal(
            run.body,
            "CreatedRedisCleanupJob",
            CREATE,
            f"Created Redis cleanup Job {cluster.namespace}/{job_name}",
        )
        return DEFAULT_REQUEUE

    async def _set_finalizers(self, run: _Pass, finalizers: list[str]) -> None:
        """Merge patch with resourceVersion: a concurrent change makes it fail and retry."""
        meta = run.body.get("metadata") or {}
        patch = {"metadata": {"finalizers": finalizers, "resourceVersion": meta.get("resourceVersion")}}
        updated = await self.kube.patch(k8s.RAYCLUSTERS, run.name, patch, namespace=run.namespace)
        self.clusters.update(updated)
        run.body = updated

    # ------------------------------------------------------------------ simple children

    async def _create_once(
        self,
        run: _Pass,
        resource: k8s.Resource,
        manifest: dict[str, Any],
        noun: str,
        created_reason: str | None,
        failed_reason: str | None,
    ) -> dict[str, Any]:
        """Create ``manifest`` unless an object of that name exists; never update it (as KubeRay)."""
        existing = await self.kube.get_or_none(resource, manifest["metadata"]["name"], run.namespace)
        if existing is not None:
            return existing
        return await self._create(run, resource, manifest, noun, created_reason, failed_reason)

    async def _create(
        self,
        run: _Pass,
        resource: k8s.Resource,
        manifest: dict[str, Any],
        noun: str,
        created_reason: str | None,
        failed_reason: str | None,
    ) -> dict[str, Any]:
        """Create a child; events with the given reasons (KubeRay posts none for some kinds)."""
        name = manifest["metadata"]["name"]
        try:
            created = await self.kube.create(resource, manifest, namespace=run.namespace)
        except k8s.AlreadyExists:
            return await self.kube.get(resource, name, run.namespace)
        except k8s.ApiError as exc:
            message = exc.message or str(exc)
            if failed_reason:
                note = f"Failed creating {noun} {run.namespace}/{name}, {message}"
                await self.recorder.warning(run.body, failed_reason, CREATE, note)
            raise StepError(f"failed creating {noun} {run.namespace}/{name}: {message}") from exc
        if created_reason:
            await self.recorder.normal(run.body, created_reason, CREATE, f"Created {noun} {run.namespace}/{name}")
        return created

    async def _autoscaler_rbac(self, run: _Pass) -> None:
        cluster = run.cluster
        if not features.autoscaling_enabled(cluster.spec):
            return
        sa_name = autoscaler.service_account_lookup_name(cluster)
        if ((cluster.spec.head_group_spec.template or {}).get("spec") or {}).get("serviceAccountName"):
            # The user names the account: they must create it; we only check that it exists.
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
            await self._create_once(
                run,
                k8s.SERVICE_ACCOUNTS,
                autoscaler.build_service_account(cluster),
                "service account",
                "CreatedServiceAccount",
                "FailedToCreateServiceAccount",
            )
        await self._create_once(
            run, k8s.ROLES, autoscaler.build_role(cluster), "role", "CreatedRole", "FailedToCreateRole"
        )
        await self._create_once(
            run,
            k8s.ROLE_BINDINGS,
            autoscaler.build_role_binding(cluster),
            "role binding",
            "CreatedRoleBinding",
            "FailedToCreateRoleBinding",
        )

    async def _ingress(self, run: _Pass) -> None:
        cluster = run.cluster
        if not ingress.ingress_enabled(cluster):
            return
        desired_ingress = ingress.build_ingress(cluster)
        name = desired_ingress["metadata"]["name"]
        existing = await self.kube.get_or_none(k8s.INGRESSES, name, run.namespace)
        if existing is None:
            await self._create(
                run, k8s.INGRESSES, desired_ingress, "ingress", "CreatedIngress", "FailedToCreateIngress"
            )
            return
        owners = (existing.get("metadata") or {}).get("ownerReferences") or []
        if not any(o.get("controller") and o.get("uid") == cluster.uid for o in owners):
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
        try:
            await self.kube.replace(k8s.INGRESSES, replacement)
        except k8s.ApiError as exc:
            await self.recorder.warning(
                run.body,
                "FailedToUpdateIngress",
                UPDATE,
                f"Failed updating ingress {run.namespace}/{name}, {exc.message or exc}",
            )
            raise StepError(str(exc)) from exc
        await self.recorder.normal(run.body, "UpdatedIngress", UPDATE, f"Updated ingress {run.namespace}/{name}")

    async def _auth_secret(self, run: _Pass) -> None:
        """Token auth: a Secret with a random token, made once and never rotated (no events, as KubeRay)."""
        if not auth.auth_secret_wanted(run.cluster):
            return
        name = auth.auth_secret_name(run.cluster)
        if await self.kube.get_or_none(k8s.SECRETS, name, run.namespace) is None:
            manifest = auth.build_auth_secret(run.cluster, auth.generate_auth_token())
            await self._create(run, k8s.SECRETS, manifest, "auth secret", None, None)

    async def _get_head_service(self, run: _Pass) -> dict[str, Any] | None:
        name = names.head_service_name(run.name, run.cluster.spec.head_group_spec.head_service)
        return await self.kube.get_or_none(k8s.SERVICES, name, run.namespace)

    async def _head_service(self, run: _Pass) -> None:
        manifest = services.build_head_service(run.cluster, self.config)  # always has ports (metrics at least)
        run.head_service = await self._create_once(
            run, k8s.SERVICES, manifest, "service", "CreatedService", "FailedToCreateService"
        )

    async def _headless_service(self, run: _Pass) -> None:
        if not services.needs_headless_worker_service(run.cluster):
            return
        await self._create_once(
            run,
            k8s.SERVICES,
            services.build_headless_worker_service(run.cluster),
            "service",
            "CreatedService",
            "FailedToCreateService",
        )

    async def _serve_service(self, run: _Pass) -> None:
        if not services.serve_service_wanted(run.cluster):
            return
        try:
            manifest = services.build_serve_service(run.cluster)
        except services.ServiceBuildError as exc:
            raise StepError(str(exc)) from exc
        await self._create_once(run, k8s.SERVICES, manifest, "service", "CreatedService", "FailedToCreateService")

    async def _gcs_storage_pvc(self, run: _Pass) -> None:
        """The volume of the embedded (RocksDB) GCS store: created by us unless the user names a claim.

        Never resized or reconfigured in place (a Warning says what differs); its owner reference
        follows ``storage.deletionPolicy`` (Retain keeps the data after the cluster is deleted).
        """
        cluster, ns = run.cluster, run.namespace
        if not features.gcs_ft_embedded(cluster.spec):
            return
        desired_pvc = gcs_ft.build_gcs_storage_pvc(cluster)
        name = desired_pvc["metadata"]["name"]
        existing = await self.kube.get_or_none(k8s.PVCS, name, ns)
        if not gcs_ft.gcs_storage_pvc_wanted(cluster):  # the user's own claim
            if existing is None:
                await self.recorder.warning(
                    run.body,
                    "FailedToCreatePVC",
                    VALIDATE,
                    f'GcsFaultToleranceOptions.Storage.ClaimName "{name}" not found in namespace {ns}; '
                    "the head Pod will not start until it exists",
                )
            return
        if existing is None:
            try:
                await self.kube.create(k8s.PVCS, desired_pvc, namespace=ns)
            except k8s.AlreadyExists:
                existing = await self.kube.get(k8s.PVCS, name, ns)
            except k8s.ApiError as exc:
                message = exc.message or str(exc)
                note = f"Failed to create GCS storage PVC {ns}/{name}, {message}"
                await self.recorder.warning(run.body, "FailedToCreatePVC", CREATE, note)
                raise StepError(note) from exc
            else:
                await self.recorder.normal(run.body, "CreatedPVC", CREATE, f"Created GCS storage PVC {ns}/{name}")
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
        owned = any(o.get("controller") and o.get("uid") == cluster.uid for o in owners)
        retain = gcs_ft.gcs_storage_retained(cluster)
        if owned == (not retain):
            return
        if retain:
            owners = [o for o in owners if o.get("uid") != cluster.uid]
        else:
            owners.append(names.controller_reference(cluster.name, cluster.uid))
        await self.kube.replace(k8s.PVCS, {**existing, "metadata": {**meta, "ownerReferences": owners}})

    # ------------------------------------------------------------------ pods

    async def _delete_all_pods(self, run: _Pass, selector_extra: str = "") -> None:
        selector = f"{names.LABEL_CLUSTER}={run.name}" + (f",{selector_extra}" if selector_extra else "")
        await self.kube.delete_collection(k8s.PODS, run.namespace, selector)

    async def _pods(self, run: _Pass) -> None:
        cluster = run.cluster
        ns, name = run.namespace, run.name
        current = self.pods.pods_of(ns, name)
        conditions = (run.body.get("status") or {}).get("conditions")
        gate = self.config.gate(GATE_STATUS_CONDITIONS)
        suspend = suspend_status(conditions)
        if suspend == CONDITION_SUSPENDING or (not gate and cluster.spec.suspend is True):
            if _any_live(current):
                try:
                    await self._delete_all_pods(run)
                except k8s.ApiError as exc:
                    note = f"Failed deleting Pods due to suspension for RayCluster {ns}/{name}"
                    raise await self._failed(run, "FailedToDeletePodCollection", DELETE, note, exc) from exc
                await self.recorder.normal(
                    run.body,
                    "DeletedPod",
                    DELETE,
                    f"Deleted Pods for RayCluster {ns}/{name} due to suspension",
                )
            return
        if gate and (suspend == CONDITION_SUSPENDED or cluster.spec.suspend is True):
            return

        if await self._recreate_for_upgrade(run, current):
            return

        await self._head_pod(run, head_pods(current))
        workers_by_group: dict[str, list[dict[str, Any]]] = {}
        for pod in current:
            if _node_type(pod) == names.NODE_TYPE_WORKER:
                workers_by_group.setdefault(_labels(pod).get(names.LABEL_GROUP, ""), []).append(pod)
        for group in cluster.spec.worker_group_specs or ():
            group_pods = workers_by_group.get(group.group_name, [])
            if not self.expectations.satisfied(ns, name, group.group_name, (_pod_name(p) for p in group_pods)):
                self._wait_for_cache(run, group.group_name)
                continue
            if group.suspend:
                if _any_live(group_pods):  # not again while the deleted pods terminate
                    try:
                        await self._delete_all_pods(run, f"{names.LABEL_GROUP}={group.group_name}")
                    except k8s.ApiError as exc:
                        note = (
                            f"Failed deleting worker Pods for suspended group {group.group_name} "
                            f"in RayCluster {ns}/{name}"
                        )
                        raise await self._failed(run, "FailedToDeleteWorkerPodCollection", DELETE, note, exc) from exc
                    await self.recorder.normal(
                        run.body,
                        "DeletedWorkerPod",
                        DELETE,
                        f"Deleted all pods for suspended worker group {group.group_name} in RayCluster {ns}/{name}",
                    )
                continue
            if group.num_of_hosts > 1 and self.config.gate(GATE_MULTI_HOST_INDEXING):
                await self._multi_host_group(run, group, group_pods)
            else:
                await self._single_host_group(run, group, group_pods)

    def _wait_for_cache(self, run: _Pass, group: str) -> None:
        """Skip a group whose own recent creates/deletes the watch has not delivered yet.

        The pod events will trigger the next pass; the short requeue only covers events that never
        come (expectations expire after their timeout).
        """
        logger.debug(
            "%s/%s: group %s waits for %d pod changes to reach the cache",
            run.namespace,
            run.name,
            group,
            self.expectations.pending(run.namespace, run.name),
        )
        run.requeue = 1.0

    async def _recreate_for_upgrade(self, run: _Pass, current: Sequence[Mapping[str, Any]]) -> bool:
        """``upgradeStrategy: Recreate``: a spec change deletes every pod (recreated next pass)."""
        strategy = run.cluster.spec.upgrade_strategy
        if strategy is None or strategy.type != "Recreate":
            return False
        heads = head_pods(current)
        if not heads:
            return False
        head = heads[0]
        annotations = (head.get("metadata") or {}).get("annotations") or {}
        expected = hashing.recreate_hash(run.cluster)
        version = annotations.get(names.ANNOTATION_KUBERAY_VERSION, "")
        if version and version != self.config.operator_version:
            # A different operator version built this pod: adopt it instead of recreating everything.
            patch = {
                "metadata": {
                    "annotations": {
                        names.ANNOTATION_RECREATE_HASH: expected,
                        names.ANNOTATION_KUBERAY_VERSION: self.config.operator_version,
                    }
                }
            }
            try:
                await self.kube.patch(k8s.PODS, _pod_name(head), patch, namespace=run.namespace)
            except k8s.ApiError as exc:
                logger.info("could not adopt head pod %s/%s: %s", run.namespace, _pod_name(head), exc)
            return False
        actual = annotations.get(names.ANNOTATION_RECREATE_HASH, "")
        if not actual or actual == expected:
            return False
        try:
            await self._delete_all_pods(run)
        except k8s.ApiError as exc:
            note = (
                "Failed deleting Pods due to spec change with Recreate upgradeStrategy for RayCluster "
                f"{run.namespace}/{run.name}"
            )
            raise await self._failed(run, "FailedToDeletePodCollection", DELETE, note, exc) from exc
        self.expectations.forget_cluster(run.namespace, run.name)
        await self.recorder.normal(
            run.body,
            "DeletedPod",
            DELETE,
            f"Deleted all Pods for RayCluster {run.namespace}/{run.name} due to spec change with Recreate "
            "upgradeStrategy",
        )
        return True

    async def _head_pod(self, run: _Pass, heads: Sequence[Mapping[str, Any]]) -> None:
        ns, name = run.namespace, run.name
        if not self.expectations.satisfied(ns, name, HEAD_GROUP, (_pod_name(p) for p in heads)):
            self._wait_for_cache(run, "head")
            return
        if len(heads) == 1:
            head = heads[0]
            if not pods.should_delete_pod(head):
                return
            detail = _pod_detail(head)
            try:
                await self.kube.delete(k8s.PODS, _pod_name(head), ns, uid=(head.get("metadata") or {}).get("uid"))
            except k8s.NotFound:
                pass
            except k8s.ApiError as exc:
                note = f"Failed deleting head Pod {ns}/{_pod_name(head)}; {detail}"
                raise await self._failed(run, "FailedToDeleteHeadPod", DELETE, note, exc) from exc
            self.expectations.expect_delete(ns, name, HEAD_GROUP, _pod_name(head))
            await self.recorder.normal(
                run.body, "DeletedHeadPod", DELETE, f"Deleted head Pod {ns}/{_pod_name(head)}; {detail}"
            )
            raise StepError(pods.delete_reason(head))
        if len(heads) > 1:
            found = [_pod_name(p) for p in heads]
            raise StepError(f"{len(heads)} head pods found {found}. Please delete extra head pods")
        conditions = (run.body.get("status") or {}).get("conditions")
        if (
            is_true(conditions, CONDITION_PROVISIONED)
            and run.cluster.annotations.get(names.ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART) == "true"
        ):
            logger.info("%s/%s: head pod gone; not recreated (ray.io/disable-provisioned-head-restart)", ns, name)
            return
        manifest = pods.build_head_pod(run.cluster, self.config)
        created = await self._create_pod(run, manifest, "head")
        self.expectations.expect_create(ns, name, HEAD_GROUP, _pod_name(created))

    #: Warning event reason -> ReplicaFailure condition reason (KubeRay's error markers).
    _FAILURE_REASONS = {
        "FailedToDeletePodCollection": "FailedDeleteAllPods",
        "FailedToDeleteWorkerPodCollection": "FailedDeleteWorkerPod",
        "FailedToDeleteHeadPod": "FailedDeleteHeadPod",
        "FailedToDeleteWorkerPod": "FailedDeleteWorkerPod",
        "FailedToCreateHeadPod": "FailedCreateHeadPod",
        "FailedToCreateWorkerPod": "FailedCreateWorkerPod",
    }

    async def _failed(
        self, run: _Pass, event_reason: str, action: str, note: str, exc: k8s.ApiError
    ) -> PodActionFailed:
        """Report a failed pod action (Warning event ``<note>, <error>``); return it to raise."""
        message = exc.message or str(exc)
        await self.recorder.warning(run.body, event_reason, action, f"{note}, {message}")
        return PodActionFailed(self._FAILURE_REASONS[event_reason], message)

    async def _create_pod(self, run: _Pass, manifest: dict[str, Any], kind: str) -> dict[str, Any]:
        ns = run.namespace
        meta = manifest.get("metadata") or {}
        display = meta.get("name") or meta.get("generateName", "")
        try:
            created = await self.kube.create(k8s.PODS, manifest, namespace=ns)
        except k8s.ApiError as exc:
            if kind == "head":
                note = f"Failed to create head Pod {ns}/{display}"
                raise await self._failed(run, "FailedToCreateHeadPod", CREATE, note, exc) from exc
            note = f"Failed to create worker Pod for the cluster {ns}/{run.name}"
            raise await self._failed(run, "FailedToCreateWorkerPod", CREATE, note, exc) from exc
        reason = "CreatedHeadPod" if kind == "head" else "CreatedWorkerPod"
        await self.recorder.normal(run.body, reason, CREATE, f"Created {kind} Pod {ns}/{_pod_name(created)}")
        return created

    async def _delete_worker(
        self, run: _Pass, group: str, pod: Mapping[str, Any], note: str, failure_note: str
    ) -> bool:
        """Delete one worker pod; False if it was gone already."""
        ns = run.namespace
        try:
            await self.kube.delete(k8s.PODS, _pod_name(pod), ns, uid=(pod.get("metadata") or {}).get("uid") or None)
        except (k8s.NotFound, k8s.Conflict):
            return False
        except k8s.ApiError as exc:
            raise await self._failed(run, "FailedToDeleteWorkerPod", DELETE, failure_note, exc) from exc
        self.expectations.expect_delete(ns, run.name, group, _pod_name(pod))
        await self.recorder.normal(run.body, "DeletedWorkerPod", DELETE, note)
        return True

    def _random_delete_allowed(self, cluster: RayCluster) -> bool:
        return not features.autoscaling_enabled(cluster.spec) or self.config.enable_random_pod_delete

    async def _single_host_group(self, run: _Pass, group: WorkerGroupSpec, group_pods: list[dict[str, Any]]) -> None:
        ns, cluster = run.namespace, run.cluster
        gname = group.group_name
        deleted: set[str] = set()
        for pod in group_pods:
            if pods.should_delete_pod(pod):
                detail = _pod_detail(pod)
                await self._delete_worker(
                    run,
                    gname,
                    pod,
                    f"Deleted worker Pod {ns}/{_pod_name(pod)}; {detail}",
                    f"Failed deleting worker Pod {ns}/{_pod_name(pod)}; {detail}",
                )
                deleted.add(_pod_name(pod))
        if deleted:
            raise StepError(f"delete {len(deleted)} unhealthy worker Pods")

        by_name = {_pod_name(p): p for p in group_pods}
        for victim in group.scale_strategy.workers_to_delete or ():
            target = by_name.get(victim)
            if target is None:
                continue  # not (or no longer) a pod of this group: nothing to delete
            if await self._delete_worker(
                run, gname, target, f"Deleted pod {ns}/{victim}", f"Failed deleting pod {ns}/{victim}"
            ):
                deleted.add(victim)

        remaining = [p for p in group_pods if _pod_name(p) not in deleted]
        want = desired.group_desired_pods(group)
        diff = want - len(remaining)
        if diff > 0:
            used = {int(v) for p in remaining if (v := _labels(p).get(names.LABEL_REPLICA_INDEX, "")).isdigit()}
            indexing = self.config.gate(GATE_MULTI_HOST_INDEXING)
            index = 0
            for _ in range(diff):
                kwargs: dict[str, Any] = {}
                if indexing:
                    while index in used:
                        index += 1
                    used.add(index)
                    kwargs["replica_index"] = index
                manifest = pods.build_worker_pod(cluster, group, self.config, **kwargs)
                created = await self._create_pod(run, manifest, "worker")
                self.expectations.expect_create(ns, run.name, gname, _pod_name(created))
        elif diff < 0 and self._random_delete_allowed(cluster):
            for extra in _scale_down_order(remaining)[:-diff]:
                await self._delete_worker(
                    run,
                    gname,
                    extra,
                    f"Deleted Pod {ns}/{_pod_name(extra)}",
                    f"Failed deleting Pod {ns}/{_pod_name(extra)}",
                )

    async def _multi_host_group(self, run: _Pass, group: WorkerGroupSpec, group_pods: list[dict[str, Any]]) -> None:
        """Multi-host replicas are created and deleted whole (all ``numOfHosts`` pods together)."""
        ns, cluster = run.namespace, run.cluster
        gname, hosts = group.group_name, group.num_of_hosts
        replicas: dict[str, list[dict[str, Any]]] = {}
        for pod in group_pods:
            replica = _labels(pod).get(names.LABEL_REPLICA_NAME)
            if replica:
                replicas.setdefault(replica, []).append(pod)

        async def delete_replica(members: Sequence[Mapping[str, Any]], reason: str) -> None:
            for pod in members:
                await self._delete_worker(
                    run,
                    gname,
                    pod,
                    f"Deleted worker Pod {ns}/{_pod_name(pod)} for group {gname}: {reason}",
                    f"Failed deleting worker Pod {ns}/{_pod_name(pod)} for group {gname}; {_pod_detail(pod)}",
                )

        for replica, members in sorted(replicas.items()):
            if len(members) < hosts:
                await delete_replica(members, "cleanup of incomplete multi-host group")
                raise StepError(f"cleaned up incomplete replica group {replica}, requeueing")

        deleted: set[str] = set()
        for pod in group_pods:
            if _pod_name(pod) in deleted:
                continue
            replica = _labels(pod).get(names.LABEL_REPLICA_NAME, "")
            if replica in replicas and pods.should_delete_pod(pod):
                await delete_replica(replicas[replica], pods.delete_reason(pod))
                deleted.update(_pod_name(p) for p in replicas[replica])

        victims: dict[str, Mapping[str, Any]] = {}
        by_name = {_pod_name(p): p for p in group_pods}
        for victim in group.scale_strategy.workers_to_delete or ():
            target = by_name.get(victim)
            if target is not None:
                for member in replicas.get(_labels(target).get(names.LABEL_REPLICA_NAME, ""), []):
                    victims[_pod_name(member)] = member
        victims = {k: v for k, v in victims.items() if k not in deleted}
        if victims:
            await delete_replica(list(victims.values()), "autoscaler scale-down request")
            raise StepError(f"deleted {len(victims)} worker Pods based on ScaleStrategy, requeueing")

        healthy = {r: m for r, m in replicas.items() if not any(_pod_name(p) in deleted for p in m)}
        want_pods = desired.group_desired_pods(group)
        if want_pods % hosts:
            raise StepError(
                f"desired worker pods ({want_pods}) is not a multiple of NumOfHosts ({hosts}) for group {gname}"
            )
        to_create = want_pods // hosts - len(healthy)
        used = {
            int(v)
            for members in healthy.values()
            if (v := _labels(members[0]).get(names.LABEL_REPLICA_INDEX, "")).isdigit()
        }
        if to_create > 0:
            index = 0
            for _ in range(to_create):
                while index in used:
                    index += 1
                used.add(index)
                replica_name = names.worker_replica_name(gname)
                for host in range(hosts):
                    manifest = pods.build_worker_pod(
                        cluster,
                        group,
                        self.config,
                        replica_index=index,
                        replica_name=replica_name,
                        host_index=host,
                    )
                    created = await self._create_pod(run, manifest, "worker")
                    self.expectations.expect_create(ns, run.name, gname, _pod_name(created))
        elif to_create < 0 and self._random_delete_allowed(cluster):
            for _replica, members in sorted(healthy.items(), key=lambda kv: _replica_rank(kv[1]))[:-to_create]:
                await delete_replica(members, "scaling down")

    # ------------------------------------------------------------------ status

    async def _write_status(self, run: _Pass, previous: Mapping[str, Any], new: dict[str, Any]) -> bool:
        if not status_changed(previous, new):
            return False
        await self._patch_status((run.namespace, run.name), previous, new)
        was, now = (is_true(s.get("conditions"), CONDITION_PROVISIONED) for s in (previous, new))
        if now and not was:
            created = parse_time((run.body.get("metadata") or {}).get("creationTimestamp")) or self.clock()
            metrics.observe_cluster_provisioned(
                run.name, run.namespace, run.cluster.uid, max(0.0, self.clock() - created)
            )
        return True

    async def _patch_status(self, key: tuple[str, str], previous: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        patch = {"status": merge_patch(previous, new)}
        try:
            updated = await self.kube.patch(k8s.RAYCLUSTERS, key[1], patch, namespace=key[0], subresource="status")
        except k8s.NotFound:
            return
        self.clusters.update(updated)


# ---------------------------------------------------------------------- helpers


def unsupported_feature(cluster: RayCluster, config: OperatorConfig) -> str | None:
    """Alpha features KubeRay offers behind feature gates that this operator does not implement yet.

    Acting on them halfway (e.g. mounting TLS secrets nobody creates) would leave Pods that never
    start; refusing with a clear message is better. With the gates off (the default) KubeRay's own
    validation already rejects these fields. (The embedded RocksDB GCS backend is supported.)
    """
    spec = cluster.spec
    if features.tls_enabled(spec, config):
        return "tlsOptions (mTLS) is not supported by ray-operator yet; remove spec.tlsOptions"
    if spec.network_policy is not None and config.gate(GATE_NETWORK_POLICY):
        return "spec.networkPolicy is not supported by ray-operator yet; remove it or manage NetworkPolicies yourself"
    return None


def _pod_detail(pod: Mapping[str, Any]) -> str:
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    return (
        f"Pod status: {status.get('phase', '')}; Pod restart policy: {spec.get('restartPolicy', '')}; "
        f"Ray container terminated status: {pods.describe_terminated(pods.ray_container_terminated(pod))}"
    )


def _go_duration(seconds: float) -> str:
    """Go's time.Duration String() for whole seconds and above, e.g. ``5m0.5s``."""
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    out = f"{hours}h" if hours else ""
    if hours or minutes:
        out += f"{minutes}m"
    out += f"{secs:.6g}s" if secs != int(secs) else f"{int(secs)}s"
    return out


def _pydantic_message(exc: pydantic.ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{loc}: {err.get('msg')}")
    return "; ".join(parts)
