"""How many worker Pods each group should have, and the cluster-wide totals shown in the status.

These numbers drive scaling and the ``kubectl get raycluster`` columns (desired workers, CPUs,
memory, GPUs, TPUs), so the arithmetic follows KubeRay including its int32 behaviour.
"""

from __future__ import annotations

import dataclasses

from ray_operator.goparse import wrap_int32
from ray_operator.models import RayCluster, WorkerGroupSpec
from ray_operator.models.raycluster import INT32_MAX
from ray_operator.quantity import TPU_RESOURCE, Quantity, pod_resources, sum_gpus, sum_resources


def _suspended(group: WorkerGroupSpec) -> bool:
    return group.suspend is True


def group_desired_replicas(group: WorkerGroupSpec) -> int:
    """``replicas`` clamped to [minReplicas, maxReplicas] (replica groups, not Pods); 0 when suspended."""
    if _suspended(group):
        return 0
    if group.replicas < group.min_replicas:
        return group.min_replicas
    if group.replicas > group.max_replicas:
        return group.max_replicas
    return group.replicas


def group_desired_pods(group: WorkerGroupSpec) -> int:
    """Worker Pods the group should run: :func:`group_desired_replicas` x ``numOfHosts``."""
    return wrap_int32(group_desired_replicas(group) * group.num_of_hosts)


@dataclasses.dataclass(frozen=True)
class ClusterTotals:
    """Status totals: desired/min/max worker Pods and desired CPU/memory/GPU/TPU quantities."""

    desired_workers: int
    min_workers: int
    max_workers: int
    desired_cpu: str
    desired_memory: str
    desired_gpu: str
    desired_tpu: str


def desired_resources(cluster: RayCluster) -> dict[str, Quantity]:
    """Head template resources plus each non-suspended group's template x ``replicas`` x ``numOfHosts``.

    Requests win over limits per resource; ``replicas`` is NOT clamped here (KubeRay's quirk), and
    only the templates count (the autoscaler and other injected containers do not).
    """
    parts = [pod_resources(cluster.spec.head_group_spec.template.get("spec") or {})]
    for group in cluster.spec.worker_group_specs or ():
        if _suspended(group):
            continue
        factor = group.num_of_hosts * group.replicas
        per_pod = pod_resources(group.template.get("spec") or {})
        parts.append({name: q.mul(factor) for name, q in per_pod.items()})
    return sum_resources(parts)


def cluster_totals(cluster: RayCluster) -> ClusterTotals:
    """Everything the status needs that derives from the spec alone."""
    groups = cluster.spec.worker_group_specs or []
    desired = 0
    minimum = 0
    maximum = 0
    for group in groups:
        desired = wrap_int32(desired + group_desired_pods(group))
        if _suspended(group):
            continue
        minimum = wrap_int32(minimum + wrap_int32(group.min_replicas * group.num_of_hosts))
        maximum += group.max_replicas * group.num_of_hosts
    resources = desired_resources(cluster)
    zero = Quantity.zero()
    return ClusterTotals(
        desired_workers=desired,
        min_workers=minimum,
        max_workers=max(min(maximum, INT32_MAX), -(2**31)),
        desired_cpu=str(resources.get("cpu", zero)),
        desired_memory=str(resources.get("memory", zero)),
        desired_gpu=str(sum_gpus(resources)),
        desired_tpu=str(resources.get(TPU_RESOURCE, zero)),
    )
