"""The RayCluster controller's reconciler: Pods, Services, RBAC, Ingress, Secret, PVC, cleanup, status."""

from ray_operator.reconcilers.raycluster.cleanup import GCS_FT_FINALIZER
from ray_operator.reconcilers.raycluster.reconciler import RayClusterReconciler, unsupported_feature

__all__ = ["GCS_FT_FINALIZER", "RayClusterReconciler", "unsupported_feature"]
