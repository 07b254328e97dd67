"""Services, Ingress and Route: the cases KubeRay's ``service_test.go``/``ingress_test.go`` cover that
the parity scenarios do not (errors, switches, update decisions)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ray_operator.builders import ingress, services
from ray_operator.config import OperatorConfig
from ray_operator.models import RayCluster


def _cluster(ports: list[dict[str, Any]] | None = None, **head: Any) -> RayCluster:
    container: dict[str, Any] = {"name": "ray-head", "image": "rayproject/ray:2.46.0"}
    if ports is not None:
        container["ports"] = ports
    return RayCluster.from_body(
        {
            "metadata": {"name": "rc", "namespace": "ns", "uid": "u"},
            "spec": {
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [container]}}, **head}
            },
        }
    )


def test_head_service_default_ports_are_sorted_and_headless() -> None:
    service = services.build_head_service(_cluster(), OperatorConfig())
    assert service["spec"]["ports"] == [
        {"name": "client", "port": 10001, "appProtocol": "tcp"},
        {"name": "dashboard", "port": 8265, "appProtocol": "tcp"},
        {"name": "gcs-server", "port": 6379, "appProtocol": "tcp"},
        {"name": "metrics", "port": 8080, "appProtocol": "tcp"},
        {"name": "serve", "port": 8000, "appProtocol": "tcp"},
    ]
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert "type" not in service["spec"]


@pytest.mark.parametrize(
    ("service_type", "cluster_ip_switch", "headless"),
    [("", False, True), ("ClusterIP", False, True), ("ClusterIP", True, False), ("NodePort", False, False)],
)
def test_head_service_headless_rule(service_type: str, cluster_ip_switch: bool, headless: bool) -> None:
    cluster = _cluster(serviceType=service_type) if service_type else _cluster()
    service = services.build_head_service(cluster, OperatorConfig(enable_ray_head_cluster_ip_service=cluster_ip_switch))
    assert ("clusterIP" in service["spec"]) is headless


def test_head_service_ports_from_container() -> None:
    cluster = _cluster(
        [{"containerPort": 6380, "name": "gcs"}, {"containerPort": 9999}, {"containerPort": 6381, "name": "gcs"}]
    )
    assert services.head_container_ports(cluster) == {"gcs": 6381, "9999-port": 9999, "metrics": 8080}
    assert services.dashboard_port(cluster) == 8265


def test_serve_service_requires_a_serve_port() -> None:
    with pytest.raises(services.ServiceBuildError, match="Please specify a port named 'serve'"):
        services.build_serve_service(_cluster([{"containerPort": 6379, "name": "gcs-server"}]))


def test_serve_service_ports_and_type() -> None:
    cluster = _cluster(
        [
            {"containerPort": 9000, "name": "serve-grpc"},
            {"containerPort": 8000, "name": "serve"},
            {"containerPort": 1, "name": "serving"},
        ],
        serviceType="LoadBalancer",
    )
    service = services.build_serve_service(cluster)
    assert service["spec"] == {
        "selector": {"ray.io/cluster": "rc"},
        "ports": [{"name": "serve", "port": 8000}, {"name": "serve-grpc", "port": 9000}],
        "type": "LoadBalancer",
    }


def test_serve_and_headless_switches() -> None:
    cluster = _cluster()
    assert not services.serve_service_wanted(cluster)
    assert not services.needs_headless_worker_service(cluster)
    body = cluster.to_body()
    body["metadata"]["annotations"] = {"ray.io/enable-serve-service": "true"}
    body["spec"]["workerGroupSpecs"] = [
        {"groupName": "g", "numOfHosts": 2, "rayStartParams": {}, "template": {"spec": {"containers": [{"name": "w"}]}}}
    ]
    other = RayCluster.from_body(body)
    assert services.serve_service_wanted(other)
    assert services.needs_headless_worker_service(other)


def _ingress_cluster(**annotations: str) -> RayCluster:
    body = _cluster(enableIngress=True).to_body()
    body["metadata"]["annotations"] = annotations
    return RayCluster.from_body(body)


def test_ingress_defaults() -> None:
    built = ingress.build_ingress(_ingress_cluster())
    assert built["spec"] == {
        "rules": [
            {
                "http": {
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "rc-head-svc", "port": {"number": 8265}}},
                        }
                    ]
                }
            }
        ]
    }
    assert "annotations" not in built["metadata"]
    assert ingress.ingress_enabled(_ingress_cluster())


def test_ingress_update_decisions() -> None:
    desired = ingress.build_ingress(_ingress_cluster(foo="bar"))
    existing = copy.deepcopy(desired)
    existing["metadata"]["resourceVersion"] = "7"
    assert ingress.ingress_update(existing, desired) is None
    # A class set by the DefaultIngressClass admission plugin is adopted, not cleared.
    existing["spec"]["ingressClassName"] = "default-class"
    assert ingress.ingress_update(existing, desired) is None
    changed = copy.deepcopy(existing)
    changed["metadata"]["annotations"] = {"foo": "old"}
    changed["spec"]["rules"][0]["host"] = "stale"
    updated = ingress.ingress_update(changed, desired)
    assert updated is not None
    assert updated["metadata"]["annotations"] == {"foo": "bar"}
    assert updated["metadata"]["resourceVersion"] == "7"
    assert updated["spec"] == {**desired["spec"], "ingressClassName": "default-class"}
    # An explicit class on the RayCluster wins.
    explicit = ingress.build_ingress(_ingress_cluster(**{"kubernetes.io/ingress.class": "nginx"}))
    updated = ingress.ingress_update(existing, explicit)
    assert updated is not None and updated["spec"]["ingressClassName"] == "nginx"
