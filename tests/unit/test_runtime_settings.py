"""kopf settings: watch only Ray pods (server-side), keep no kopf state on objects, post no kopf events."""

from __future__ import annotations

from ray_operator.config import OperatorConfig
from ray_operator.runtime import RAY_POD_SELECTOR, make_settings


def test_pods_are_watched_with_kuberays_server_side_selector() -> None:
    settings = make_settings(OperatorConfig())
    selectors = {selector.any_name: value for selector, value in settings.watching.label_selectors.items()}
    assert selectors == {"pods": "ray.io/node-type in (head,worker,redis-cleanup)"}
    assert selectors["pods"] == RAY_POD_SELECTOR


def test_kopf_leaves_no_traces() -> None:
    settings = make_settings(OperatorConfig())
    assert settings.peering.standalone is True  # no KopfPeering objects
    assert settings.posting.enabled is False  # no kopf-worded events next to KubeRay's
    assert settings.persistence.finalizer.startswith("ray-operator.ray.io/")
