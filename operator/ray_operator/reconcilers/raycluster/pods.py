"""The Pod step of the RayCluster reconciler: head, worker groups, suspend, Recreate upgrades.

Pods come from the Pod informer (slim, indexed by ``ray.io/cluster``) guarded by scale
expectations: a group whose own recent creates or deletes the cache does not show yet is skipped,
so a lagging cache never causes a double create or delete. (Pod writes are deliberately not written
through to the cache: the status of the pass that created a Pod reports what the watch has shown,
as KubeRay's does, and the expectations cover the gap.) KubeRay's rules: unhealthy Pods are
replaced, ``workersToDelete`` honoured, ``clamp(replicas, min, max) x numOfHosts`` Pods per group,
no random scale-down under the autoscaler, multi-host replicas created and deleted whole.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ray_operator.builders import desired, features, hashing, names, pods
from ray_operator.config import GATE_MULTI_HOST_INDEXING, GATE_STATUS_CONDITIONS
from ray_operator.framework import k8s
from ray_operator.framework.clock import parse_time
from ray_operator.framework.conditions import is_true
from ray_operator.framework.events import CREATE, DELETE
from ray_operator.framework.expectations import HEAD_GROUP
from ray_operator.models import WorkerGroupSpec
from ray_operator.models.raycluster import CONDITION_PROVISIONED, CONDITION_SUSPENDED, CONDITION_SUSPENDING
from ray_operator.reconcilers.raycluster.status import head_pods, pod_ready, suspend_status
from ray_operator.reconcilers.raycluster.steps import Pass, PodActionFailed, RayClusterSteps, StepError

logger = logging.getLogger(__name__)

#: Warning event reason -> ReplicaFailure condition reason (KubeRay's error markers).
FAILURE_REASONS = {
    "FailedToDeletePodCollection": "FailedDeleteAllPods",
    "FailedToDeleteWorkerPodCollection": "FailedDeleteWorkerPod",
    "FailedToDeleteHeadPod": "FailedDeleteHeadPod",
    "FailedToDeleteWorkerPod": "FailedDeleteWorkerPod",
    "FailedToCreateHeadPod": "FailedCreateHeadPod",
    "FailedToCreateWorkerPod": "FailedCreateWorkerPod",
}


def pod_name(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("name", ""))


def _labels(pod: Mapping[str, Any]) -> Mapping[str, str]:
    return (pod.get("metadata") or {}).get("labels") or {}


def node_type(pod: Mapping[str, Any]) -> str:
    return _labels(pod).get(names.LABEL_NODE_TYPE, "")


def _is_deleting(pod: Mapping[str, Any]) -> bool:
    return bool((pod.get("metadata") or {}).get("deletionTimestamp"))


def _any_live(pods_: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any pod is not yet being deleted."""
    return not all(_is_deleting(p) for p in pods_)


def _created(pod: Mapping[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("creationTimestamp", ""))


def _uid(pod: Mapping[str, Any]) -> str | None:
    return (pod.get("metadata") or {}).get("uid") or None


def scale_down_order(candidates: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Which pods go first when scaling down without the autoscaler.

    KubeRay deletes the first pods of an unordered list. We prefer, like a ReplicaSet, pods that
    are being deleted already, then not Ready ones, then the newest: the least work is lost and
    the most stable pods stay. (Two stable sorts: newest first, then by deleting/ready.)
    """
    newest_first = sorted(candidates, key=_created, reverse=True)
    return sorted(newest_first, key=lambda p: (not _is_deleting(p), pod_ready(p)))


def replica_rank(members: Sequence[Mapping[str, Any]]) -> tuple[bool, float]:
    """Multi-host replicas to remove first: any member not Ready, then the newest."""
    newest = max((parse_time(_created(p)) or 0.0) for p in members)
    return (all(pod_ready(p) for p in members), -newest)


def pod_detail(pod: Mapping[str, Any]) -> str:
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    return (
        f"Pod status: {status.get('phase', '')}; Pod restart policy: {spec.get('restartPolicy', '')}; "
        f"Ray container terminated status: {pods.describe_terminated(pods.ray_container_terminated(pod))}"
    )


class PodSteps(RayClusterSteps):
    """Mixin of :class:`RayClusterReconciler`: everything about Pods."""

    async def _failed(self, run: Pass, event_reason: str, action: str, note: str, exc: k8s.ApiError) -> PodActionFailed:
        """Report a failed pod action (Warning event ``<note>, <error>``); return it to raise."""
        message = exc.message or str(exc)
        await self.recorder.warning(run.body, event_reason, action, f"{note}, {message}")
        return PodActionFailed(FAILURE_REASONS[event_reason], message)

    async def _pods(self, run: Pass) -> None:
        cluster = run.cluster
        ns, name = run.namespace, run.name
        current = self.pods_of(ns, name)
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
                    run.body, "DeletedPod", DELETE, f"Deleted Pods for RayCluster {ns}/{name} due to suspension"
                )
            return
        if gate and (suspend == CONDITION_SUSPENDED or cluster.spec.suspend is True):
            return

        if await self._recreate_for_upgrade(run, current):
            return

        await self._head_pod(run, head_pods(current))
        workers_by_group: dict[str, list[dict[str, Any]]] = {}
        for pod in current:
            if node_type(pod) == names.NODE_TYPE_WORKER:
                workers_by_group.setdefault(_labels(pod).get(names.LABEL_GROUP, ""), []).append(pod)
        for group in cluster.spec.worker_group_specs or ():
            group_pods = workers_by_group.get(group.group_name, [])
            if not self.expectations.satisfied(ns, name, group.group_name, (pod_name(p) for p in group_pods)):
                self._wait_for_cache(run, group.group_name)
                continue
            if group.suspend:
                await self._suspend_group(run, group, group_pods)
                continue
            if group.num_of_hosts > 1 and self.config.gate(GATE_MULTI_HOST_INDEXING):
                await self._multi_host_group(run, group, group_pods)
            else:
                await self._single_host_group(run, group, group_pods)

    async def _suspend_group(self, run: Pass, group: WorkerGroupSpec, group_pods: list[dict[str, Any]]) -> None:
        if not _any_live(group_pods):  # not again while the deleted pods terminate
            return
        ns, name, gname = run.namespace, run.name, group.group_name
        try:
            await self._delete_all_pods(run, f"{names.LABEL_GROUP}={gname}")
        except k8s.ApiError as exc:
            note = f"Failed deleting worker Pods for suspended group {gname} in RayCluster {ns}/{name}"
            raise await self._failed(run, "FailedToDeleteWorkerPodCollection", DELETE, note, exc) from exc
        await self.recorder.normal(
            run.body,
            "DeletedWorkerPod",
            DELETE,
            f"Deleted all pods for suspended worker group {gname} in RayCluster {ns}/{name}",
        )

    def _wait_for_cache(self, run: Pass, group: str) -> None:
        """Skip a group whose own recent creates/deletes the cache has not seen yet.

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

    async def _recreate_for_upgrade(self, run: Pass, current: Sequence[Mapping[str, Any]]) -> bool:
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
                await self.patch(k8s.PODS, run.namespace, pod_name(head), patch)
            except k8s.ApiError as exc:
                logger.info("could not adopt head pod %s/%s: %s", run.namespace, pod_name(head), exc)
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

    async def _head_pod(self, run: Pass, heads: Sequence[Mapping[str, Any]]) -> None:
        ns, name = run.namespace, run.name
        if not self.expectations.satisfied(ns, name, HEAD_GROUP, (pod_name(p) for p in heads)):
            self._wait_for_cache(run, "head")
            return
        if len(heads) == 1:
            head = heads[0]
            if not pods.should_delete_pod(head):
                return
            detail = pod_detail(head)
            try:
                await self.kube.delete(k8s.PODS, pod_name(head), ns, uid=_uid(head))
            except k8s.NotFound:
                pass
            except k8s.ApiError as exc:
                note = f"Failed deleting head Pod {ns}/{pod_name(head)}; {detail}"
                raise await self._failed(run, "FailedToDeleteHeadPod", DELETE, note, exc) from exc
            self.expectations.expect_delete(ns, name, HEAD_GROUP, pod_name(head))
            await self.recorder.normal(
                run.body, "DeletedHeadPod", DELETE, f"Deleted head Pod {ns}/{pod_name(head)}; {detail}"
            )
            raise StepError(pods.delete_reason(head))
        if len(heads) > 1:
            found = [pod_name(p) for p in heads]
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
        self.expectations.expect_create(ns, name, HEAD_GROUP, pod_name(created))

    async def _create_pod(self, run: Pass, manifest: dict[str, Any], kind: str) -> dict[str, Any]:
        ns = run.namespace
        meta = manifest.get("metadata") or {}
        display = meta.get("name") or meta.get("generateName", "")
        try:
            created: dict[str, Any] = await self.kube.create(k8s.PODS, manifest, namespace=ns)
        except k8s.ApiError as exc:
            if kind == "head":
                note = f"Failed to create head Pod {ns}/{display}"
                raise await self._failed(run, "FailedToCreateHeadPod", CREATE, note, exc) from exc
            note = f"Failed to create worker Pod for the cluster {ns}/{run.name}"
            raise await self._failed(run, "FailedToCreateWorkerPod", CREATE, note, exc) from exc
        reason = "CreatedHeadPod" if kind == "head" else "CreatedWorkerPod"
        await self.recorder.normal(run.body, reason, CREATE, f"Created {kind} Pod {ns}/{pod_name(created)}")
        return created

    async def _delete_worker(self, run: Pass, group: str, pod: Mapping[str, Any], note: str, failure_note: str) -> bool:
        """Delete one worker pod; False if it was gone already."""
        ns = run.namespace
        try:
            await self.kube.delete(k8s.PODS, pod_name(pod), ns, uid=_uid(pod))
        except (k8s.NotFound, k8s.Conflict):
            return False
        except k8s.ApiError as exc:
            raise await self._failed(run, "FailedToDeleteWorkerPod", DELETE, failure_note, exc) from exc
        self.expectations.expect_delete(ns, run.name, group, pod_name(pod))
        await self.recorder.normal(run.body, "DeletedWorkerPod", DELETE, note)
        return True

    def _random_delete_allowed(self, run: Pass) -> bool:
        return not features.autoscaling_enabled(run.cluster.spec) or self.config.enable_random_pod_delete

    async def _single_host_group(self, run: Pass, group: WorkerGroupSpec, group_pods: list[dict[str, Any]]) -> None:
        ns, cluster = run.namespace, run.cluster
        gname = group.group_name
        deleted: set[str] = set()
        for pod in group_pods:
            if pods.should_delete_pod(pod):
                detail = pod_detail(pod)
                await self._delete_worker(
                    run,
                    gname,
                    pod,
                    f"Deleted worker Pod {ns}/{pod_name(pod)}; {detail}",
                    f"Failed deleting worker Pod {ns}/{pod_name(pod)}; {detail}",
                )
                deleted.add(pod_name(pod))
        if deleted:
            raise StepError(f"delete {len(deleted)} unhealthy worker Pods")

        by_name = {pod_name(p): p for p in group_pods}
        for victim in group.scale_strategy.workers_to_delete or ():
            target = by_name.get(victim)
            if target is None:
                continue  # not (or no longer) a pod of this group: nothing to delete
            if await self._delete_worker(
                run, gname, target, f"Deleted pod {ns}/{victim}", f"Failed deleting pod {ns}/{victim}"
            ):
                deleted.add(victim)

        remaining = [p for p in group_pods if pod_name(p) not in deleted]
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
                self.expectations.expect_create(ns, run.name, gname, pod_name(created))
        elif diff < 0 and self._random_delete_allowed(run):
            for extra in scale_down_order(remaining)[:-diff]:
                await self._delete_worker(
                    run,
                    gname,
                    extra,
                    f"Deleted Pod {ns}/{pod_name(extra)}",
                    f"Failed deleting Pod {ns}/{pod_name(extra)}",
                )

    async def _multi_host_group(self, run: Pass, group: WorkerGroupSpec, group_pods: list[dict[str, Any]]) -> None:
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
                    f"Deleted worker Pod {ns}/{pod_name(pod)} for group {gname}: {reason}",
                    f"Failed deleting worker Pod {ns}/{pod_name(pod)} for group {gname}; {pod_detail(pod)}",
                )

        for replica, members in sorted(replicas.items()):
            if len(members) < hosts:
                await delete_replica(members, "cleanup of incomplete multi-host group")
                raise StepError(f"cleaned up incomplete replica group {replica}, requeueing")

        deleted: set[str] = set()
        for pod in group_pods:
            if pod_name(pod) in deleted:
                continue
            replica = _labels(pod).get(names.LABEL_REPLICA_NAME, "")
            if replica in replicas and pods.should_delete_pod(pod):
                await delete_replica(replicas[replica], pods.delete_reason(pod))
                deleted.update(pod_name(p) for p in replicas[replica])

        victims: dict[str, Mapping[str, Any]] = {}
        by_name = {pod_name(p): p for p in group_pods}
        for victim in group.scale_strategy.workers_to_delete or ():
            target = by_name.get(victim)
            if target is not None:
                for member in replicas.get(_labels(target).get(names.LABEL_REPLICA_NAME, ""), []):
                    victims[pod_name(member)] = member
        victims = {k: v for k, v in victims.items() if k not in deleted}
        if victims:
            await delete_replica(list(victims.values()), "autoscaler scale-down request")
            raise StepError(f"deleted {len(victims)} worker Pods based on ScaleStrategy, requeueing")

        healthy = {r: m for r, m in replicas.items() if not any(pod_name(p) in deleted for p in m)}
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
                        cluster, group, self.config, replica_index=index, replica_name=replica_name, host_index=host
                    )
                    created = await self._create_pod(run, manifest, "worker")
                    self.expectations.expect_create(ns, run.name, gname, pod_name(created))
        elif to_create < 0 and self._random_delete_allowed(run):
            for _replica, members in sorted(healthy.items(), key=lambda kv: replica_rank(kv[1]))[:-to_create]:
                await delete_replica(members, "scaling down")
