"""The RayService reconciler (``reconciler.py``) and its steps: clusters, Serve, status rules."""

from ray_operator.reconcilers.rayservice.reconciler import RayServiceReconciler

__all__ = ["RayServiceReconciler"]
