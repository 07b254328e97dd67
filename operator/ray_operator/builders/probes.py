"""Liveness and readiness probes injected into the Ray container.

Without probes a crashed raylet or GCS goes unnoticed by Kubernetes. Ray >= 2.53 exposes one HTTP
health endpoint on the dashboard agent; older (or unparseable, e.g. ``nightly``) versions get
``wget`` exec probes against the raylet and GCS health endpoints, as KubeRay does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders import names
from ray_operator.goparse import parse_generic_version, parse_go_int, version_less_than

LIVENESS_INITIAL_DELAY: Final = 30
LIVENESS_FAILURE_THRESHOLD: Final = 120
READINESS_INITIAL_DELAY: Final = 10
READINESS_FAILURE_THRESHOLD: Final = 10
SERVE_READINESS_FAILURE_THRESHOLD: Final = 1
PERIOD_SECONDS: Final = 5
SUCCESS_THRESHOLD: Final = 1
HEAD_TIMEOUT_SECONDS: Final = 5
WORKER_TIMEOUT_SECONDS: Final = 2

HEALTH_PATH: Final = "/api/healthz"
RAYLET_HEALTH_PATH: Final = "api/local_raylet_healthz"
GCS_HEALTH_PATH: Final = "api/gcs_healthz"
SERVE_PROXY_HEALTH_PATH: Final = "-/healthz"
UNIFIED_HEALTH_CHECK_MIN_VERSION: Final = (2, 53, 0)


def supports_unified_health_check(ray_version: str | None) -> bool:
    """Whether ``spec.rayVersion`` is a parseable version (``version.ParseGeneric``) >= 2.53.0."""
    try:
        parsed = parse_generic_version(ray_version or "")
    except ValueError:
        return False
    return not version_less_than(parsed, UNIFIED_HEALTH_CHECK_MIN_VERSION)


def _port_param(params: Mapping[str, str], key: str, default: int) -> int:
    """A port from rayStartParams when it parses as an int32 (Go ``strconv.ParseInt(s, 10, 32)``), else the default."""
    raw = params.get(key)
    value = parse_go_int(raw, 32) if raw is not None else None
    return default if value is None else value


def _wget(timeout: int, port: int, path: str) -> str:
    return f"wget --tries 1 -T {timeout} -q -O- http://localhost:{port}/{path} | grep success"


def inject_probes(
    container: dict[str, Any],
    *,
    node_type: str,
    creator_crd: str,
    ray_start_params: Mapping[str, str],
    ray_version: str | None,
) -> None:
    """Add the missing liveness/readiness probes to the Ray container (user probes are kept)."""
    agent_port = _port_param(ray_start_params, "dashboard-agent-listen-port", names.PORT_DASHBOARD_AGENT)
    dashboard_port = _port_param(ray_start_params, "dashboard-port", names.PORT_DASHBOARD)
    http_action = {"path": HEALTH_PATH, "port": agent_port}
    # The -T values mirror KubeRay's constants (raylet: readiness timeout 2; GCS: the failure threshold 10).
    commands = [_wget(WORKER_TIMEOUT_SECONDS, agent_port, RAYLET_HEALTH_PATH)]
    if node_type == names.NODE_TYPE_HEAD:
        commands.append(_wget(READINESS_FAILURE_THRESHOLD, dashboard_port, GCS_HEALTH_PATH))
    use_http = supports_unified_health_check(ray_version)
    timeout = HEAD_TIMEOUT_SECONDS if node_type == names.NODE_TYPE_HEAD else WORKER_TIMEOUT_SECONDS

    def action() -> dict[str, Any]:
        if use_http:
            return {"httpGet": dict(http_action)}
        return {"exec": {"command": ["bash", "-c", " && ".join(commands)]}}

    if container.get("livenessProbe") is None:
        container["livenessProbe"] = {
            **action(),
            "initialDelaySeconds": LIVENESS_INITIAL_DELAY,
            "timeoutSeconds": timeout,
            "periodSeconds": PERIOD_SECONDS,
            "successThreshold": SUCCESS_THRESHOLD,
            "failureThreshold": LIVENESS_FAILURE_THRESHOLD,
        }
    if container.get("readinessProbe") is None:
        readiness: dict[str, Any] = {
            **action(),
            "initialDelaySeconds": READINESS_INITIAL_DELAY,
            "timeoutSeconds": timeout,
            "periodSeconds": PERIOD_SECONDS,
            "successThreshold": SUCCESS_THRESHOLD,
            "failureThreshold": READINESS_FAILURE_THRESHOLD,
        }
        if creator_crd == names.CRD_RAYSERVICE and node_type == names.NODE_TYPE_WORKER:
            # Serving workers must also have a healthy Serve proxy before receiving traffic.
            serve_port = names.container_port(container, names.PORT_NAME_SERVE, names.PORT_SERVE)
            serve_check = _wget(READINESS_INITIAL_DELAY, serve_port, SERVE_PROXY_HEALTH_PATH)
            readiness.pop("httpGet", None)
            readiness["exec"] = {"command": ["bash", "-c", " && ".join([*commands, serve_check])]}
            readiness["failureThreshold"] = SERVE_READINESS_FAILURE_THRESHOLD
        container["readinessProbe"] = readiness
