"""GCS fault tolerance on Redis: the cleanup finalizer and the Redis cleanup Job on deletion.

KubeRay's ``ray.io/gcs-ft-redis-cleanup-finalizer``: added while the cluster lives; on deletion
all Ray Pods are deleted first (the GCS must stop writing), then a Job removes the cluster's
Redis namespace, and the finalizer goes once the Job finished — or, if it never does, after
``ray.io/gcs-ft-deletion-timeout`` (300 s) with a Warning that Redis may need manual cleanup.
"""

from __future__ import annotations

from ray_operator.builders import features, gcs_ft, names
from ray_operator.framework import k8s
from ray_operator.framework.clock import go_duration, parse_time
from ray_operator.framework.events import CLEANUP, CREATE
from ray_operator.reconcilers.raycluster.pods import node_type
from ray_operator.reconcilers.raycluster.status import head_pods
from ray_operator.reconcilers.raycluster.steps import Pass, RayClusterSteps

GCS_FT_FINALIZER = names.FINALIZER_GCS_FT_REDIS_CLEANUP
DEFAULT_REQUEUE = 2.0


class CleanupSteps(RayClusterSteps):
    """Mixin of :class:`RayClusterReconciler`: the Redis cleanup finalizer."""

    async def _gcs_ft_finalizer(self, run: Pass) -> float | None:
        """Add the Redis cleanup finalizer, or run the cleanup on deletion; None to continue."""
        cluster, meta = run.cluster, run.body.get("metadata") or {}
        finalizers = list(meta.get("finalizers") or [])
        deleting = bool(meta.get("deletionTimestamp"))
        if deleting and GCS_FT_FINALIZER in finalizers and features.gcs_ft_embedded(cluster.spec):
            await self._drop_finalizer(run)
            return None
        if not gcs_ft.needs_redis_cleanup(cluster, self.config):
            return None
        if not deleting:
            if GCS_FT_FINALIZER not in finalizers:
                updated = await self.add_finalizer(run.body, GCS_FT_FINALIZER)
                if updated is not None:
                    run.body = updated
                return DEFAULT_REQUEUE
            return None
        if GCS_FT_FINALIZER not in finalizers:
            return None

        current = self.pods_of(cluster.namespace, cluster.name)
        head_left = head_pods(current)
        if any(node_type(p) in (names.NODE_TYPE_HEAD, names.NODE_TYPE_WORKER) for p in current):
            await self._delete_all_pods(run, f"{names.LABEL_NODE_TYPE} in (head,worker)")
        if head_left:
            return 10.0  # the GCS must stop writing before its Redis namespace is removed

        age = self.clock() - (parse_time(meta.get("deletionTimestamp")) or self.clock())
        if age >= gcs_ft.deletion_timeout_seconds(cluster):
            # The Warning goes first: once the finalizer is gone the object may vanish at once,
            # and a reader waiting for the deletion must find the reason already recorded.
            storage_ns = cluster.annotations.get(names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE, "")
            await self.recorder.warning(
                run.body,
                "ForceDeletedStuckCluster",
                CLEANUP,
                f"Force-removed GCS FT finalizer after {go_duration(age)} due to Redis cleanup timeout; "
                f'Redis storage namespace "{storage_ns}" may need manual cleanup',
            )
            await self._drop_finalizer(run)
            return None

        wanted = gcs_ft.cleanup_job_lookup_labels(cluster)
        jobs = [
            job
            for job in self.informers[k8s.JOBS].owned_by(cluster.namespace, "RayCluster", cluster.name)
            if all(((job.get("metadata") or {}).get("labels") or {}).get(k) == v for k, v in wanted.items())
        ]
        if jobs:
            if gcs_ft.job_finished(jobs[0]):
                await self._drop_finalizer(run)
                return None
            return DEFAULT_REQUEUE
        job = gcs_ft.build_redis_cleanup_job(cluster, self.config)
        job_name = (job.get("metadata") or {}).get("name", "")
        try:
            created = await self.kube.create(k8s.JOBS, job)
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
        self.informers.apply(created)
        await self.recorder.normal(
            run.body, "CreatedRedisCleanupJob", CREATE, f"Created Redis cleanup Job {cluster.namespace}/{job_name}"
        )
        return DEFAULT_REQUEUE

    async def _drop_finalizer(self, run: Pass) -> None:
        updated = await self.remove_finalizer(run.body, GCS_FT_FINALIZER)
        if updated is not None:
            run.body = updated
