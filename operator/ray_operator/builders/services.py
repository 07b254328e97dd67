"""Services in front of a RayCluster: head, Ray Serve, and headless peers of multi-host workers.

Workers, drivers, RayJob submitters and the RayService controller all reach the head through
``<cluster>-head-svc`` (headless by default, since there is only one head Pod), so its name,
selector and ports follow KubeRay exactly.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders import names
from ray_operator.config import OperatorConfig
from ray_operator.models import RayCluster

DEFAULT_HEAD_PORTS: Final = {
    names.PORT_NAME_CLIENT: names.PORT_CLIENT,
    names.PORT_NAME_GCS: names.PORT_GCS,
    names.PORT_NAME_DASHBOARD: names.PORT_DASHBOARD,
    names.PORT_NAME_METRICS: names.PORT_METRICS,
    names.PORT_NAME_SERVE: names.PORT_SERVE,
}
SERVE_PORT_ERROR: Final = (
    "Please specify a port named 'serve' (or with the prefix 'serve-', e.g. 'serve-grpc') in the Ray head "
    "container; otherwise, the Kubernetes service for Ray Serve will not be created."
)


class ServiceBuildError(ValueError):
    """The cluster's spec does not allow building the Service (the message is KubeRay's)."""


def head_service_labels(cluster: RayCluster) -> dict[str, str]:
    """Labels (and selector) of the head Service; also how the reconciler finds an existing one."""
    return {
        names.LABEL_CLUSTER: cluster.name,
        names.LABEL_NODE_TYPE: names.NODE_TYPE_HEAD,
        names.LABEL_IDENTIFIER: names.identifier(cluster.name, names.NODE_TYPE_HEAD),
        names.LABEL_APP_NAME: names.APP_NAME,
        names.LABEL_CREATED_BY: names.CREATED_BY,
    }


def head_container_ports(cluster: RayCluster) -> dict[str, int]:
    """Ports the head Service exposes: the Ray container's ports (``<port>-port`` when unnamed; a
    later duplicate name wins), KubeRay's five defaults when it declares none, plus ``metrics``."""
    containers = (cluster.spec.head_group_spec.template.get("spec") or {}).get("containers") or []
    ports: dict[str, int] = {}
    if containers:
        for port in containers[names.RAY_CONTAINER_INDEX].get("ports") or ():
            number = int(port.get("containerPort") or 0)
            ports[port.get("name") or f"{number}-port"] = number
    if not ports:
        ports = dict(DEFAULT_HEAD_PORTS)
    ports.setdefault(names.PORT_NAME_METRICS, names.PORT_METRICS)
    return ports


def dashboard_port(cluster: RayCluster) -> int:
    """Head port named ``dashboard`` (default 8265); the Ingress points at it."""
    return head_container_ports(cluster).get(names.PORT_NAME_DASHBOARD, names.PORT_DASHBOARD)


def build_head_service(cluster: RayCluster, config: OperatorConfig) -> dict[str, Any]:
    """The head Service (created once, never updated by KubeRay).

    Default path: ``<cluster>-head-svc``, ports sorted by name with ``appProtocol: tcp``, headless
    (``clusterIP: None``, ``publishNotReadyAddresses``) for ClusterIP unless
    ``ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE``. Custom ``headGroupSpec.headService`` path: the user's
    Service with our selector, labels and annotations merged over it, our ports appended, not made
    headless and not sorted (KubeRay appends them in Go map order; we use name order).
    """
    head = cluster.spec.head_group_spec
    template_labels = head.template.get("metadata", {}).get("labels") or {}
    selector = head_service_labels(cluster)
    if names.LABEL_APP_NAME in template_labels:
        selector[names.LABEL_APP_NAME] = template_labels[names.LABEL_APP_NAME]
    annotations = dict(cluster.spec.head_service_annotations or {})
    service_type = head.service_type or ""
    ports = [
        {"name": name, "port": number, "appProtocol": "tcp"}
        for name, number in sorted(head_container_ports(cluster).items())
    ]
    default_name = names.head_service_name(cluster.name, head.head_service)

    if head.head_service is not None:
        service = copy.deepcopy(head.head_service)
        service.setdefault("apiVersion", "v1")
        service.setdefault("kind", "Service")
        metadata = service.setdefault("metadata", {})
        spec = service.setdefault("spec", {})
        spec["selector"] = dict(selector)
        metadata["annotations"] = {**(metadata.get("annotations") or {}), **annotations}
        spec["ports"] = [*(spec.get("ports") or []), *ports]
        metadata["labels"] = {**(metadata.get("labels") or {}), **selector}
        metadata["name"] = metadata.get("name") or default_name
        metadata["namespace"] = cluster.namespace
        if not spec.get("type"):
            spec["type"] = service_type
        _drop_empty(metadata, "annotations")
        _drop_empty(spec, "type")
        metadata["ownerReferences"] = names.owner_references(cluster)
        return service

    spec_out: dict[str, Any] = {"selector": dict(selector), "ports": ports}
    if service_type:
        spec_out["type"] = service_type
    if not config.enable_ray_head_cluster_ip_service and service_type in ("", "ClusterIP"):
        spec_out["clusterIP"] = "None"
        spec_out["publishNotReadyAddresses"] = True
    metadata_out = names.child_metadata(cluster, default_name, selector)
    if annotations:
        metadata_out["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata_out, "spec": spec_out}


def _drop_empty(mapping: dict[str, Any], key: str) -> None:
    if not mapping.get(key):
        mapping.pop(key, None)


def is_serving_port(name: str) -> bool:
    """``serve`` or ``serve-*`` (e.g. ``serve-grpc``)."""
    return name == names.PORT_NAME_SERVE or name.startswith(names.PORT_NAME_SERVE + "-")


def build_serve_service(cluster: RayCluster) -> dict[str, Any]:
    """``<cluster>-serve-svc`` for a plain RayCluster annotated ``ray.io/enable-serve-service: "true"``.

    Selects every Pod of the cluster on the head's serve ports. Raises :class:`ServiceBuildError`
    (KubeRay's message) when the head container has no serve port.
    """
    ports = [
        {"name": name, "port": number}
        for name, number in sorted(head_container_ports(cluster).items())
        if is_serving_port(name)
    ]
    if not ports:
        raise ServiceBuildError(SERVE_PORT_ERROR)
    spec: dict[str, Any] = {"selector": {names.LABEL_CLUSTER: cluster.name}, "ports": ports}
    if cluster.spec.head_group_spec.service_type:
        spec["type"] = cluster.spec.head_group_spec.service_type
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": names.child_metadata(
            cluster,
            names.serve_service_name(cluster.name),
            {
                names.LABEL_ORIGINATED_FROM_CR_NAME: cluster.name,
                names.LABEL_ORIGINATED_FROM_CRD: names.CRD_RAYCLUSTER,
                names.LABEL_SERVE: names.serve_service_label(cluster.name),
            },
        ),
        "spec": spec,
    }


def serve_service_wanted(cluster: RayCluster) -> bool:
    """Whether a plain RayCluster asks for a serve Service (annotation value exactly ``true``)."""
    return cluster.annotations.get(names.ANNOTATION_ENABLE_SERVE_SERVICE) == "true"


def needs_headless_worker_service(cluster: RayCluster) -> bool:
    """Any worker group with more than one host per replica."""
    return any(group.num_of_hosts > 1 for group in cluster.spec.worker_group_specs or ())


def build_headless_worker_service(cluster: RayCluster) -> dict[str, Any]:
    """``<cluster>-headless``: DNS for peers of multi-host replicas, including not-ready Pods."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": names.child_metadata(
            cluster, names.headless_worker_service_name(cluster.name), {names.LABEL_HEADLESS_WORKER_SVC: cluster.name}
        ),
        "spec": {
            "clusterIP": "None",
            "selector": {names.LABEL_CLUSTER: cluster.name, names.LABEL_NODE_TYPE: names.NODE_TYPE_WORKER},
            "type": "ClusterIP",
            "publishNotReadyAddresses": True,
        },
    }


def build_owner_head_service(
    owner: Mapping[str, Any], kind: str, cluster: RayCluster, config: OperatorConfig
) -> dict[str, Any]:
    """``<owner>-head-svc`` of a RayJob or RayService: the cluster's head Service, renamed.

    Headless by default with the ports by name, but the default selector (``app.kubernetes.io/name:
    kuberay`` whatever the Pod template says), no ``headServiceAnnotations`` (a custom
    ``headService`` keeps its own), the owner's four labels, owned by the owner.
    """
    meta = owner.get("metadata") or {}
    owner_name = str(meta.get("name") or "")
    service = build_head_service(cluster, config)
    service["spec"]["selector"][names.LABEL_APP_NAME] = names.APP_NAME
    custom = cluster.spec.head_group_spec.head_service
    annotations = dict(((custom or {}).get("metadata") or {}).get("annotations") or {})
    metadata: dict[str, Any] = {
        **service["metadata"],
        "name": f"{owner_name}-head-svc",
        "namespace": meta.get("namespace") or "",
        "labels": {
            **names.originated_from(owner_name, kind),
            names.LABEL_NODE_TYPE: names.NODE_TYPE_HEAD,
            names.LABEL_IDENTIFIER: names.identifier(owner_name, names.NODE_TYPE_HEAD),
        },
        "ownerReferences": [names.owner_controller_reference(owner, kind)],
    }
    metadata.pop("annotations", None)
    if annotations:
        metadata["annotations"] = annotations
    service["metadata"] = metadata
    return service
