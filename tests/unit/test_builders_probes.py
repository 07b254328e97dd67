"""Probe injection; expectations follow KubeRay's TestInitLivenessAndReadinessProbe and ``util/version``."""

from __future__ import annotations

from typing import Any

import pytest

from ray_operator.builders import probes

RAYLET = "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success"
GCS = "wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success"


@pytest.mark.parametrize(
    ("version", "unified"),
    [
        ("2.53.0", True),
        ("2.53", True),
        ("2.54.1", True),
        ("3.0", True),
        ("2.52.9", False),
        ("nightly", False),
        ("\v2.53.0", False),  # Go's RE2 "\\s" does not match a vertical tab
        (" 2.53.0", True),
        (None, False),
    ],
)
def test_unified_health_check(version: str | None, unified: bool) -> None:
    assert probes.supports_unified_health_check(version) is unified


def _inject(container: dict[str, Any], node_type: str, crd: str = "RayCluster", **params: str) -> dict[str, Any]:
    probes.inject_probes(container, node_type=node_type, creator_crd=crd, ray_start_params=params, ray_version="2.46.0")
    return container


def test_head_exec_probes() -> None:
    container = _inject({}, "head")
    assert container["livenessProbe"] == {
        "exec": {"command": ["bash", "-c", f"{RAYLET} && {GCS}"]},
        "initialDelaySeconds": 30,
        "timeoutSeconds": 5,
        "periodSeconds": 5,
        "successThreshold": 1,
        "failureThreshold": 120,
    }
    assert container["readinessProbe"] == {
        "exec": {"command": ["bash", "-c", f"{RAYLET} && {GCS}"]},
        "initialDelaySeconds": 10,
        "timeoutSeconds": 5,
        "periodSeconds": 5,
        "successThreshold": 1,
        "failureThreshold": 10,
    }


def test_custom_and_invalid_ports() -> None:
    container = _inject({}, "head", **{"dashboard-agent-listen-port": "8266", "dashboard-port": "8365"})
    command = container["livenessProbe"]["exec"]["command"][2]
    assert "http://localhost:8266/api/local_raylet_healthz" in command
    assert "http://localhost:8365/api/gcs_healthz" in command
    container = _inject({}, "head", **{"dashboard-agent-listen-port": "invalid", "dashboard-port": " 1"})
    assert container["readinessProbe"]["exec"]["command"][2] == f"{RAYLET} && {GCS}"


@pytest.mark.parametrize(
    ("raw", "port"),
    [
        ("8266", 8266),
        ("+8266", 8266),  # strconv.ParseInt accepts a sign
        ("2147483647", 2147483647),
        ("2147483648", 52365),  # not an int32
        ("8_266", 52365),  # Python's int() would accept these three
        (" 8266", 52365),
        ("\u0668\u0662\u0666\u0666", 52365),
    ],
)
def test_ports_are_parsed_like_go_parse_int32(raw: str, port: int) -> None:
    container = _inject({}, "worker", **{"dashboard-agent-listen-port": raw})
    assert f"http://localhost:{port}/api/local_raylet_healthz" in container["livenessProbe"]["exec"]["command"][2]


def test_rayservice_worker_readiness_checks_the_serve_proxy() -> None:
    container = _inject({"ports": [{"name": "serve", "containerPort": 9000}]}, "worker", "RayService")
    serve = "wget --tries 1 -T 10 -q -O- http://localhost:9000/-/healthz | grep success"
    assert container["readinessProbe"]["exec"]["command"] == ["bash", "-c", f"{RAYLET} && {serve}"]
    assert container["readinessProbe"]["failureThreshold"] == 1
    assert container["readinessProbe"]["timeoutSeconds"] == 2
    assert container["livenessProbe"]["exec"]["command"] == ["bash", "-c", RAYLET]


def test_user_probes_are_kept() -> None:
    user = {"httpGet": {"path": "/", "port": 8265}}
    container = _inject({"livenessProbe": dict(user), "readinessProbe": dict(user)}, "head")
    assert container["livenessProbe"] == user
    assert container["readinessProbe"] == user


def test_http_probes_from_2_53() -> None:
    container: dict[str, Any] = {}
    probes.inject_probes(
        container,
        node_type="worker",
        creator_crd="RayService",
        ray_start_params={"dashboard-agent-listen-port": "52366"},
        ray_version="2.53.0",
    )
    assert container["livenessProbe"]["httpGet"] == {"path": "/api/healthz", "port": 52366}
    assert "exec" not in container["livenessProbe"]
    # Serving workers keep an exec readiness probe so that the Serve proxy is checked too.
    assert "httpGet" not in container["readinessProbe"]
    assert container["readinessProbe"]["exec"]["command"][2].endswith("http://localhost:8000/-/healthz | grep success")
