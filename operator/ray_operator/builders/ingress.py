"""Ingress exposing the Ray dashboard of the head (OpenShift Routes are not supported).

Only built when ``headGroupSpec.enableIngress`` is true. Unlike most children, KubeRay keeps the
Ingress in sync (labels, annotations, spec); :func:`ingress_update` computes the replacement.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ray_operator.builders import names
from ray_operator.builders.services import dashboard_port
from ray_operator.models import RayCluster

_MANAGER_ANNOTATION_PREFIXES = ("kubectl.kubernetes.io/", "argocd.argoproj.io/")


def ingress_enabled(cluster: RayCluster) -> bool:
    return cluster.spec.head_group_spec.enable_ingress is True


def _labels(cluster: RayCluster) -> dict[str, str]:
    return {
        names.LABEL_CLUSTER: cluster.name,
        names.LABEL_IDENTIFIER: names.identifier(cluster.name, names.NODE_TYPE_HEAD),
        names.LABEL_APP_NAME: names.APP_NAME,
        names.LABEL_CREATED_BY: names.CREATED_BY,
    }


def build_ingress(cluster: RayCluster) -> dict[str, Any]:
    """``<cluster>-head-ingress`` routing ``ingressOptions.path`` (default ``/``) to the dashboard port.

    RayCluster annotations are copied except ``kubernetes.io/ingress.class``, whose value becomes
    ``spec.ingressClassName`` instead. Unlike KubeRay we also leave out the bookkeeping of tools
    that manage the RayCluster itself (``kubectl.kubernetes.io/last-applied-configuration``,
    ``argocd.argoproj.io/*``): on the Ingress they describe the wrong object.
    """
    head = cluster.spec.head_group_spec
    options = head.ingress_options
    annotations = {
        k: v
        for k, v in cluster.annotations.items()
        if k != names.ANNOTATION_INGRESS_CLASS and not k.startswith(_MANAGER_ANNOTATION_PREFIXES)
    }
    path: dict[str, Any] = {
        "path": options.path if options is not None and options.path is not None else "/",
        "pathType": options.path_type if options is not None and options.path_type is not None else "Prefix",
        "backend": {
            "service": {
                "name": names.head_service_name(cluster.name, head.head_service),
                "port": {"number": dashboard_port(cluster)},
            }
        },
    }
    rule: dict[str, Any] = {"http": {"paths": [path]}}
    if options is not None and options.host:
        rule["host"] = options.host
    spec: dict[str, Any] = {"rules": [rule]}
    if options is not None and options.tls:
        spec["tls"] = copy.deepcopy(options.tls)
    ingress_class = cluster.annotations.get(names.ANNOTATION_INGRESS_CLASS)
    if ingress_class is not None:
        spec["ingressClassName"] = ingress_class
    metadata = names.child_metadata(cluster, names.ingress_name(cluster.name), _labels(cluster))
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec}


def ingress_update(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any] | None:
    """The updated Ingress when labels, annotations or spec drifted, else ``None``.

    When the RayCluster requests no ingress class, the one on the live object (e.g. set by the
    DefaultIngressClass admission plugin) is adopted instead of being cleared on every reconcile.
    """
    updated = copy.deepcopy(dict(existing))
    metadata = updated.setdefault("metadata", {})
    desired_meta = desired.get("metadata") or {}
    changed = False
    for key in ("labels", "annotations"):
        if (metadata.get(key) or {}) != (desired_meta.get(key) or {}):
            metadata[key] = dict(desired_meta.get(key) or {})
            changed = True
    desired_spec = copy.deepcopy(dict(desired.get("spec") or {}))
    existing_spec = updated.get("spec") or {}
    if "ingressClassName" not in desired_spec and "ingressClassName" in existing_spec:
        desired_spec["ingressClassName"] = existing_spec["ingressClassName"]
    if existing_spec != desired_spec:
        updated["spec"] = desired_spec
        changed = True
    return updated if changed else None
