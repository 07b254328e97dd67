"""The RayJob reconciler: state machine (:mod:`.reconciler`), Running (:mod:`.running`), finished and
deletion (:mod:`.finished`), children and dashboard (:mod:`.steps`), status rules (:mod:`.status`)."""

from ray_operator.reconcilers.rayjob.finished import FINALIZER
from ray_operator.reconcilers.rayjob.reconciler import RayJobReconciler

__all__ = ["FINALIZER", "RayJobReconciler"]
