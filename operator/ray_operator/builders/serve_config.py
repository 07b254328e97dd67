"""RayService's Ray Serve side: the config PUT to the dashboard, the submission-cache rule, the
application statuses read back, and the head Pod's ``ray.io/serve`` label.

Pure functions, byte-compatible with KubeRay's ``rayservice_controller.go``: the config KubeRay
sends is ``serveConfigV2`` decoded by apimachinery's ``yaml.Unmarshal`` into a
``map[string]interface{}`` (``YAMLToJSON``, then JSON numbers made ``int64`` when they fit, else
``float64``) and re-encoded by Go's ``json.Marshal`` (sorted keys, HTML-safe escaping).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ray_operator.builders import goyaml
from ray_operator.builders.gojson import go_float, go_string
from ray_operator.models import rayservice as rs

#: Name under which the Serve application called ``""`` is reported.
DEFAULT_SERVE_APP_NAME: Final = "default"
SERVE_LABEL_TRUE: Final = "true"
SERVE_LABEL_FALSE: Final = "false"

#: Prefix KubeRay puts before a failed ``UpdateDeployments`` (the error follows it).
SUBMIT_ERROR_PREFIX: Final = (
    "fail to create / update Serve applications. If you observe this error consistently, please check "
    '"Issue 5: Fail to create / update Serve applications." in '
    "https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting/rayservice-troubleshooting.html"
    "#kuberay-raysvc-troubleshoot for more details. err: "
)
#: Prefix KubeRay puts before a failed ``GetServeDetails`` (the error follows it).
STATUS_ERROR_PREFIX: Final = (
    "failed to get Serve application statuses from the dashboard. If you observe this error consistently, "
    "please check https://docs.ray.io/en/latest/cluster/kubernetes/troubleshooting/rayservice-troubleshooting.html "
    "for more details. err: "
)

REASON_NOTHING_CACHED: Final = "Nothing has been cached for the cluster."
REASON_NO_APPLICATIONS: Final = (
    "No Serve application found in the RayCluster. "
    "A possible reason is that the head Pod crashed and GCS FT was not enabled."
)
REASON_CONFIG_CHANGED: Final = "Current V2 Serve config doesn't match cached Serve config."
REASON_CONFIG_UNCHANGED: Final = "Current V2 Serve config matches cached Serve config."

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_GO_MAP_TYPE: Final = "map[string]interface {}"


class RayServiceBuildError(ValueError):
    """The RayService does not allow building the object (the message is KubeRay's)."""


def serve_config_v2(rayservice: Mapping[str, Any]) -> str:
    """``spec.serveConfigV2`` (``""`` when unset)."""
    return str((rayservice.get("spec") or {}).get("serveConfigV2") or "")


def _json_number(text: str) -> int | float:
    """``convertNumber``: ``int64`` when ``ParseInt`` accepts the literal, else ``float64``."""
    value = int(text)
    return value if _INT64_MIN <= value <= _INT64_MAX else float(text)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "array" if isinstance(value, list) else "string"


def _marshal(value: Any) -> str:
    """Go's ``json.Marshal`` of a decoded ``interface{}`` value (maps with sorted keys)."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return go_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_marshal(item) for item in value) + "]"
    return "{" + ",".join(f"{go_string(key)}:{_marshal(value[key])}" for key in sorted(value)) + "}"


def serve_config_map(text: str) -> dict[str, Any]:
    """``yaml.Unmarshal(text, &map[string]any{})`` as KubeRay decodes ``serveConfigV2``.

    An empty (or ``null``) document leaves the map empty. Raises :class:`RayServiceBuildError` with
    Go's error text when the YAML is invalid or not a mapping.
    """
    try:
        converted = goyaml.yaml_to_json(text)
    except goyaml.GoYAMLError as exc:
        raise RayServiceBuildError(f"error converting YAML to JSON: {exc}") from exc
    value = json.loads(converted, parse_int=_json_number, parse_float=float)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RayServiceBuildError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_json_kind(value)} into Go value of type {_GO_MAP_TYPE}"
        )
    return value


def serve_config_json(
    rayservice: Mapping[str, Any], *, target_capacity: int | None = None, text: str | None = None
) -> bytes:
    """The body KubeRay PUTs to ``/api/serve/applications/`` (``updateServeDeployment``).

    ``target_capacity`` is added as ``"target_capacity"`` (incremental upgrades); ``text`` replaces
    ``spec.serveConfigV2`` (KubeRay re-sends the cached config when only the capacity changes).
    """
    config = serve_config_map(serve_config_v2(rayservice) if text is None else text)
    if target_capacity is not None:
        config["target_capacity"] = int(target_capacity)
    return _marshal(config).encode()


def serve_submit_decision(
    cached: str | None, serve_config: str, applications: Mapping[str, Any] | None
) -> tuple[bool, str]:
    """``checkIfNeedSubmitServeApplications``: (submit?, KubeRay's log reason).

    ``applications`` is what the cluster reported (``None``: not read, the zero-apps rule is skipped).
    """
    if not cached:
        return True, REASON_NOTHING_CACHED
    if applications is not None and len(applications) == 0:
        return True, REASON_NO_APPLICATIONS
    if cached != serve_config:
        return True, REASON_CONFIG_CHANGED
    return False, REASON_CONFIG_UNCHANGED


def serve_config_changed(
    cached: str | None, rayservice: Mapping[str, Any], applications: Mapping[str, Any] | None = None
) -> bool:
    """Whether KubeRay would (re-)send the config: nothing cached for the cluster (``None`` or
    ``""``), the cluster reports no application (head restarted without GCS FT), or the cached
    ``serveConfigV2`` string differs from the spec's (compared as text, not as YAML)."""
    return serve_submit_decision(cached, serve_config_v2(rayservice), applications)[0]


def cacheable_serve_config(rayservice: Mapping[str, Any]) -> str | None:
    """What KubeRay caches after a successful PUT: the spec's string; an empty config is never
    cached (so it is re-sent every pass)."""
    return serve_config_v2(rayservice) or None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def applications_status(serve_details: Mapping[str, Any]) -> dict[str, Any]:
    """``GET /api/serve/applications/?api_type=declarative`` -> ``applicationStatuses``.

    Each application becomes ``{status, message, serveDeploymentStatuses: {<dep>: {status,
    message}}}`` with empty fields left out (Go ``omitempty``); the application named ``""`` is
    stored as ``default``.
    """
    result: dict[str, Any] = {}
    for name, app in (serve_details.get("applications") or {}).items():
        app = app if isinstance(app, Mapping) else {}
        status: dict[str, Any] = {}
        deployments: dict[str, Any] = {}
        for dep_name, dep in (app.get("deployments") or {}).items():
            dep = dep if isinstance(dep, Mapping) else {}
            deployments[dep_name] = {key: _text(dep.get(key)) for key in ("status", "message") if _text(dep.get(key))}
        if deployments:
            status["serveDeploymentStatuses"] = deployments
        for key in ("status", "message"):
            if _text(app.get(key)):
                status[key] = _text(app.get(key))
        result[name or DEFAULT_SERVE_APP_NAME] = status
    return result


def is_serve_ready(app_statuses: Mapping[str, Any]) -> bool:
    """``getAndCheckServeStatus``'s ``isReady``: at least one application and all ``RUNNING``."""
    return bool(app_statuses) and all(
        isinstance(app, Mapping) and app.get("status") == rs.APP_RUNNING for app in app_statuses.values()
    )


def excludes_head_pod(rayservice: Mapping[str, Any]) -> bool:
    """``spec.excludeHeadPodFromServeSvc``: no proxy health check, head Pod labelled ``false``."""
    return (rayservice.get("spec") or {}).get("excludeHeadPodFromServeSvc") is True


def serve_label_value(*, proxy_healthy: bool, exclude_head_pod: bool = False) -> str:
    """The head Pod's ``ray.io/serve`` label (``updateHeadPodServeLabel``).

    ``"true"`` iff the head is not excluded and its Serve proxy answered ``/-/healthz`` with 200;
    Pod readiness plays no part (a Pod that cannot answer is simply unhealthy).
    """
    return SERVE_LABEL_TRUE if proxy_healthy and not exclude_head_pod else SERVE_LABEL_FALSE


def num_serve_endpoints(endpoint_slices: Iterable[Mapping[str, Any]]) -> int:
    """``calculateNumServeEndpointsFromSlices``: distinct ready Pods (by ``targetRef.uid``) across
    the serve Service's EndpointSlices (dual-stack lists a Pod once per address family)."""
    uids: set[str] = set()
    for endpoint_slice in endpoint_slices:
        for endpoint in endpoint_slice.get("endpoints") or ():
            ready = (endpoint.get("conditions") or {}).get("ready") is True
            uid = (endpoint.get("targetRef") or {}).get("uid")
            if ready and uid:
                uids.add(str(uid))
    return len(uids)
