"""What the RayJob controller creates besides the submitter: its RayCluster, the ``<rayjob>-head-svc``
Service, the HTTPMode submit request, and the names and dashboard URL kept in its status.

Pure functions of the raw bodies (dicts as the API server returns them), byte-compatible with
KubeRay's ``rayjob_controller.go`` and ``common/job.go``; the submitter is in :mod:`.submitter`.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders import goyaml, names, services
from ray_operator.builders.submitter import (
    DEFAULT_SUBMITTER_BACKOFF_LIMIT,
    SUBMITTER_CONTAINER_NAME,
    RayJobBuildError,
    originated_labels,
    owner_reference,
    submission_mode,
    submit_command,
    submitter_container,
    submitter_job,
    to_float32,
)
from ray_operator.config import OperatorConfig
from ray_operator.models import RayCluster
from ray_operator.models import rayjob as rj

LABEL_JOB_SUBMISSION_MODE: Final = "ray.io/job-submission-mode"


def new_cluster_name(rayjob_name: str) -> str:
    """``status.rayClusterName`` of a new run: ``<rayjob>-<5 random chars>`` (no truncation: the
    47-character name limit keeps it a valid name)."""
    return f"{rayjob_name}-{names.random_suffix()}"


def new_job_id(rayjob_name: str) -> str:
    """``status.jobId`` when ``spec.jobId`` is unset: ``<rayjob>-<5 random chars>``."""
    return f"{rayjob_name}-{names.random_suffix()}"


def rayjob_cluster(rayjob: Mapping[str, Any], cluster_name: str, config: OperatorConfig) -> dict[str, Any]:
    """The RayCluster for ``spec.rayClusterSpec`` (created once; later spec edits are ignored).

    Labels and annotations are the RayJob's plus KubeRay's. SidecarMode appends the submitter
    container to the head Pod, with ``status.jobId``/``status.dashboardURL`` of ``rayjob`` (the URL
    is still empty then; the script talks to 127.0.0.1), and the head must not restart.
    """
    meta = rayjob.get("metadata") or {}
    if _spec(rayjob).get("rayClusterSpec") is None:
        raise RayJobBuildError("spec.rayClusterSpec is not set")
    spec: dict[str, Any] = copy.deepcopy(dict(_spec(rayjob)["rayClusterSpec"]))
    mode = submission_mode(rayjob)
    labels = {**(meta.get("labels") or {}), **originated_labels(str(meta.get("name") or ""))}
    labels[LABEL_JOB_SUBMISSION_MODE] = mode
    annotations = dict(meta.get("annotations") or {})
    if mode == rj.SIDECAR_MODE:
        annotations[names.ANNOTATION_DISABLE_PROVISIONED_HEAD_RESTART] = "true"
        status = rayjob.get("status") or {}
        auth_options = spec.get("authOptions") or {}
        sidecar = submitter_container(
            rayjob,
            spec,
            dashboard_url=str(status.get("dashboardURL") or ""),
            job_id=str(status.get("jobId") or ""),
            config=config,
            auth_token_secret=names.auth_secret_name(cluster_name, auth_options.get("secretName")),
        )
        pod_spec = spec.setdefault("headGroupSpec", {}).setdefault("template", {}).setdefault("spec", {})
        pod_spec["containers"] = [*(pod_spec.get("containers") or []), sidecar]
        pod_spec["restartPolicy"] = "Never"
    metadata: dict[str, Any] = {"name": cluster_name, "namespace": meta.get("namespace") or "", "labels": labels}
    if annotations:
        metadata["annotations"] = annotations
    metadata["ownerReferences"] = [owner_reference(rayjob)]
    return {"apiVersion": names.API_VERSION, "kind": names.CRD_RAYCLUSTER, "metadata": metadata, "spec": spec}


def rayjob_head_service(
    rayjob: Mapping[str, Any], cluster: Mapping[str, Any], config: OperatorConfig
) -> dict[str, Any]:
    """``<rayjob>-head-svc``: the cluster's head Service under a stable name that follows retries.

    Built like the cluster's own head Service, but as KubeRay's ``BuildHeadServiceForRayJob`` does:
    selector with the default ``app.kubernetes.io/name``, no ``headServiceAnnotations`` (a custom
    ``headService`` keeps its own annotations), four RayJob labels, owned by the RayJob.
    """
    return services.build_owner_head_service(rayjob, names.CRD_RAYJOB, RayCluster.from_body(cluster), config)


def dashboard_url(cluster: Mapping[str, Any], head_service: Mapping[str, Any] | None, config: OperatorConfig) -> str:
    """``status.dashboardURL``: ``<svc>.<ns>.svc.<domain>:<port>`` from the cluster's head Service.

    ``head_service`` is that Service as stored (``None`` if it does not exist yet: KubeRay's
    ``Get`` error). Raises :class:`ValueError` with KubeRay's text when it has no ``dashboard`` port.
    """
    cluster_meta = cluster.get("metadata") or {}
    if head_service is None:
        custom = ((cluster.get("spec") or {}).get("headGroupSpec") or {}).get("headService")
        raise ValueError(f'services "{names.head_service_name(str(cluster_meta.get("name") or ""), custom)}" not found')
    service_meta = head_service.get("metadata") or {}
    for port in (head_service.get("spec") or {}).get("ports") or ():
        if port.get("name") == names.PORT_NAME_DASHBOARD:
            namespace = str(service_meta.get("namespace") or cluster_meta.get("namespace") or "")
            fqdn = names.head_service_fqdn(str(service_meta.get("name") or ""), namespace, config.cluster_domain)
            return f"{fqdn}:{port.get('port')}"
    raise ValueError(f"{names.PORT_NAME_DASHBOARD} port is not found")


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "array" if isinstance(value, list) else "string"


def _shortest_float32(value: float) -> float:
    """The number Go's JSON encoder writes for a float32: its shortest round-trip digits, and an
    ``int`` where Go writes no fraction (``2``, not ``2.0``), so ``json.dumps`` gives Go's text."""
    single = to_float32(value)
    for digits in range(1, 10):
        candidate = float(f"{single:.{digits}g}")
        if to_float32(candidate) == single:
            single = candidate
            break
    return int(single) if single.is_integer() and abs(single) < 1e21 else single


def _runtime_env(runtime_env_yaml: str) -> dict[str, Any] | None:
    """``UnmarshalRuntimeEnvYAML``: the YAML as a JSON object (``None`` for an empty document)."""
    prefix = f"failed to unmarshal RuntimeEnvYAML: {runtime_env_yaml}: "
    try:
        value = json.loads(goyaml.yaml_to_json(runtime_env_yaml))
    except goyaml.GoYAMLError as exc:
        raise RayJobBuildError(f"{prefix}error converting YAML to JSON: {exc}") from exc
    if value is not None and not isinstance(value, dict):
        raise RayJobBuildError(
            f"{prefix}error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {_json_kind(value)} "
            "into Go value of type types.RuntimeEnvType"
        )
    return value


def _entrypoint_resources(text: str) -> dict[str, float]:
    """``entrypointResources`` decoded into Go's ``map[string]float32``."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise RayJobBuildError(f"invalid entrypointResources {text}: {exc}") from exc
    if value is None:
        return {}
    ok = isinstance(value, dict) and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(to_float32(v)) for v in value.values()
    )
    if not ok:
        raise RayJobBuildError(f"invalid entrypointResources {text}: expected a JSON object of float32 numbers")
    return {key: _shortest_float32(amount) for key, amount in value.items()}


def submit_request(rayjob: Mapping[str, Any], job_id: str) -> dict[str, Any]:
    """HTTPMode's ``POST /api/jobs/`` body (KubeRay's ``ConvertRayJobToReq``), empty fields left out.

    Unlike the CLI script, the entrypoint is sent untrimmed.
    """
    spec = _spec(rayjob)
    request: dict[str, Any] = {"entrypoint": str(spec.get("entrypoint") or "")}
    if spec.get("runtimeEnvYAML"):
        runtime_env = _runtime_env(str(spec["runtimeEnvYAML"]))
        if runtime_env:
            request["runtime_env"] = runtime_env
    if spec.get("metadata"):
        request["metadata"] = {key: str(value) for key, value in spec["metadata"].items()}
    if spec.get("entrypointResources"):
        resources = _entrypoint_resources(str(spec["entrypointResources"]))
        if resources:
            request["entrypoint_resources"] = resources
    if job_id:
        request["submission_id"] = job_id
    for field, key in (("entrypointNumCpus", "entrypoint_num_cpus"), ("entrypointNumGpus", "entrypoint_num_gpus")):
        amount = _shortest_float32(spec.get(field) or 0)
        if amount != 0:
            request[key] = amount
    return request


def _spec(rayjob: Mapping[str, Any]) -> Mapping[str, Any]:
    return rayjob.get("spec") or {}


__all__ = [
    "DEFAULT_SUBMITTER_BACKOFF_LIMIT",
    "LABEL_JOB_SUBMISSION_MODE",
    "SUBMITTER_CONTAINER_NAME",
    "RayJobBuildError",
    "dashboard_url",
    "new_cluster_name",
    "new_job_id",
    "rayjob_cluster",
    "rayjob_head_service",
    "submit_command",
    "submit_request",
    "submitter_container",
    "submitter_job",
]
