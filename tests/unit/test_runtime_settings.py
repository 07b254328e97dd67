"""kopf settings and wiring: watch only Ray's objects (server-side), keep no kopf state on objects."""

from __future__ import annotations

import kopf

from ray_operator.controllers.caches import RAY_POD_SELECTOR, informer_spec
from ray_operator.framework import k8s
from ray_operator.framework.informer import Informer
from ray_operator.framework.kopf_bridge import NoDiffBase, make_settings, register_informer


def test_informers_register_their_server_side_selectors_with_kopf() -> None:
    settings = make_settings()
    registry = kopf.OperatorRegistry()
    for resource in (k8s.PODS, k8s.JOBS, k8s.SECRETS, k8s.RAYCLUSTERS):
        register_informer(registry, settings, Informer(informer_spec(resource)))
    selectors = {(s.group, s.any_name): value for s, value in settings.watching.label_selectors.items()}
    assert selectors == {
        ("", "pods"): RAY_POD_SELECTOR,
        ("batch", "jobs"): "app.kubernetes.io/created-by=kuberay-operator",
        ("", "secrets"): "ray.io/cluster",
    }
    assert RAY_POD_SELECTOR == "ray.io/node-type in (head,worker,redis-cleanup)"  # KubeRay's cache filter


def test_kopf_leaves_no_traces() -> None:
    settings = make_settings()
    assert settings.peering.standalone is True  # no KopfPeering objects
    assert settings.posting.enabled is False  # no kopf-worded events next to KubeRay's
    assert settings.persistence.finalizer.startswith("ray-operator.ray.io/")
    # No diff base: kopf neither computes a copy of every object per event nor annotates objects.
    assert isinstance(settings.persistence.diffbase_storage, NoDiffBase)
    body = kopf.Body({"metadata": {"name": "x"}, "spec": {"a": 1}})
    assert settings.persistence.diffbase_storage.fetch(body=body) is None
    assert dict(settings.persistence.diffbase_storage.build(body=body)) == {}
