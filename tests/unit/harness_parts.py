"""What every reconciler harness shares: fake time, the controller's informers, event tuples.

The RayCluster, RayJob and RayService harnesses each drive their reconciler over a
:class:`unit.fake_kube.FakeKube`; only these pieces are the same for all three.
"""

from __future__ import annotations

from ray_operator.controllers.caches import informer_spec
from ray_operator.framework.description import ControllerSpec
from ray_operator.framework.informer import Informer, Informers

START = 1_800_000_000.0  # 2027-01-15T08:00:00Z


class Clock:
    """Fake time for the reconciler and the fake API server's timestamps."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def informers_for(spec: ControllerSpec) -> Informers:
    """Empty informers for every kind the controller watches, with the operator's cache settings."""
    informers = Informers()
    for resource in spec.resources():
        informers.add(Informer(informer_spec(resource)))
    return informers


def normal(reason: str, note: str) -> tuple[str, str, str]:
    return ("Normal", reason, note)


def warning(reason: str, note: str) -> tuple[str, str, str]:
    return ("Warning", reason, note)
