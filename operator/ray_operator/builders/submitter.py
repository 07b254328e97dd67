"""The RayJob submitter: the ``ray job submit`` shell script, its container and its Kubernetes Job.

K8sJobMode runs the script in a Job ``<rayjob>`` next to the cluster; SidecarMode appends the same
container to the head Pod (see :func:`ray_operator.builders.rayjob.rayjob_cluster`). Users compare
these objects with KubeRay's and the script runs under ``bash -e``, so tokens, quoting (Go's
``strconv.Quote``), number formatting (Go's ``%f`` of a float32) and env order follow KubeRay.
"""

from __future__ import annotations

import copy
import re
import struct
from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders import containers, goyaml, names
from ray_operator.builders.gojson import go_string
from ray_operator.builders.goquote import go_quote
from ray_operator.builders.pods import RAY_TOKEN_PATH, RAY_TOKEN_VOLUME
from ray_operator.config import GATE_SIDECAR_SUBMITTER_RESTART, OperatorConfig
from ray_operator.models import rayjob as rj

SUBMITTER_CONTAINER_NAME: Final = "ray-job-submitter"
DEFAULT_SUBMITTER_BACKOFF_LIMIT: Final = 2
GCS_HEALTH_PATH: Final = "api/gcs_healthz"
_HEALTH_COMMAND: Final = (
    "python -c \"import urllib.request; r=urllib.request.urlopen('{url}', timeout=10); "
    "exit(0 if b'success' in r.read() else 1)\""
)
_RESOURCES: Final = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m", "memory": "200Mi"}}
#: Go's ``unicode.IsSpace`` (``strings.TrimSpace``); Python's ``str.strip`` also strips ``\\x1c``-``\\x1f``.
_GO_SPACE: Final = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" + (
    "\u2028\u2029\u202f\u205f\u3000"
)
#: Masterminds ``semver.NewVersion`` in its default (coercing) mode.
_SEMVER: Final = re.compile(
    r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?",
    re.ASCII,
)
_UINT64_MAX: Final = (1 << 64) - 1


class RayJobBuildError(ValueError):
    """The RayJob cannot be turned into its children (the message is KubeRay's)."""


def to_float32(value: float) -> float:
    """The float32 KubeRay holds for ``entrypointNumCpus``/``entrypointNumGpus``/resources."""
    return float(struct.unpack("f", struct.pack("f", float(value)))[0])


def _spec(rayjob: Mapping[str, Any]) -> Mapping[str, Any]:
    return rayjob.get("spec") or {}


def submission_mode(rayjob: Mapping[str, Any]) -> str:
    """``spec.submissionMode`` (the CRD default ``K8sJobMode`` when missing)."""
    return str(_spec(rayjob).get("submissionMode") or rj.K8S_JOB_MODE)


def head_container(cluster_spec: Mapping[str, Any]) -> Mapping[str, Any]:
    """The head Ray container (index 0) of a RayCluster spec."""
    template = (cluster_spec.get("headGroupSpec") or {}).get("template") or {}
    pod_containers = (template.get("spec") or {}).get("containers") or [{}]
    return pod_containers[names.RAY_CONTAINER_INDEX]  # type: ignore[no-any-return]


def _check_metadata_ray_version(rayjob: Mapping[str, Any]) -> None:
    """``--metadata-json`` exists since Ray 2.6.0; only an explicit older (or pre-release) version fails.

    KubeRay checks ``spec.rayClusterSpec.rayVersion`` of the RayJob (not of a selected cluster).
    """
    version = str((_spec(rayjob).get("rayClusterSpec") or {}).get("rayVersion") or "")
    if not version:
        return
    prefix = f"failed to parse Ray version: {version}: "
    match = _SEMVER.fullmatch(version)
    if match is None:
        raise RayJobBuildError(prefix + "invalid semantic version")
    numbers = []
    for segment in (s.lstrip(".") for s in match.group(1, 2, 3) if s):
        if int(segment) > _UINT64_MAX:
            raise RayJobBuildError(
                f'{prefix}error parsing version segment: strconv.ParseUint: parsing "{segment}": value out of range'
            )
        numbers.append(int(segment))
    prerelease = match.group(5) or ""
    if any(part.isdigit() and len(part) > 1 and part[0] == "0" for part in prerelease.split(".")):
        raise RayJobBuildError(prefix + "version segment starts with 0")
    if prerelease or tuple(numbers + [0] * (3 - len(numbers))) < (2, 6, 0):
        raise RayJobBuildError("the Ray version must be at least 2.6.0 to use the metadata field")


def submit_command(
    rayjob: Mapping[str, Any],
    cluster_spec: Mapping[str, Any],
    *,
    dashboard_url: str,
    job_id: str,
    sidecar: bool,
    config: OperatorConfig,
) -> list[str]:
    """KubeRay's ``BuildJobSubmitCommand`` tokens (joined with single spaces into the script).

    Waits for the GCS via the dashboard, then (K8sJobMode, or SidecarMode with the
    ``SidecarSubmitterRestart`` gate) submits with ``--no-wait`` only if ``ray job status`` does
    not know the id yet and follows the logs, so a retried submitter never submits twice.
    """
    spec = _spec(rayjob)
    if sidecar:  # same network namespace as the dashboard
        port = names.container_port(head_container(cluster_spec), names.PORT_NAME_DASHBOARD, names.PORT_DASHBOARD)
        address, health_url = f"http://127.0.0.1:{port}", f"http://localhost:{port}/{GCS_HEALTH_PATH}"
    else:
        address = dashboard_url if dashboard_url.startswith("http://") else "http://" + dashboard_url
        health_url = f"{address}/{GCS_HEALTH_PATH}"
    waiting = go_quote(f"Waiting for Ray Dashboard GCS to become healthy at {address} ...")
    cmd = ["until", _HEALTH_COMMAND.format(url=health_url), ">/dev/null", "2>&1", ";"]
    cmd += ["do", "echo", waiting, ";", "sleep", "2", ";", "done", ";"]
    check_first = not sidecar or config.gate(GATE_SIDECAR_SUBMITTER_RESTART)
    if check_first:
        cmd += ["if", "!", "ray", "job", "status", "--address", address, job_id, ">/dev/null", "2>&1", ";", "then"]
    cmd += ["ray", "job", "submit", "--address", address]
    if check_first:
        cmd.append("--no-wait")
    runtime_env_yaml = str(spec.get("runtimeEnvYAML") or "")
    if runtime_env_yaml:
        try:
            cmd += ["--runtime-env-json", go_quote(goyaml.yaml_to_json(runtime_env_yaml))]
        except goyaml.GoYAMLError as exc:
            raise RayJobBuildError(str(exc)) from exc
    metadata: Mapping[str, Any] = spec.get("metadata") or {}
    if metadata:
        _check_metadata_ray_version(rayjob)
        encoded = ",".join(f"{go_string(k)}:{go_string(str(metadata[k]))}" for k in sorted(metadata))
        cmd += ["--metadata-json", go_quote("{" + encoded + "}")]
    if job_id:
        cmd += ["--submission-id", job_id]
    for field, flag in (("entrypointNumCpus", "--entrypoint-num-cpus"), ("entrypointNumGpus", "--entrypoint-num-gpus")):
        amount = to_float32(spec.get(field) or 0)
        if amount > 0:
            cmd += [flag, f"{amount:.6f}"]
    if spec.get("entrypointResources"):
        cmd += ["--entrypoint-resources", go_quote(str(spec["entrypointResources"]))]
    cmd += ["--", str(spec.get("entrypoint") or "").strip(_GO_SPACE), ";"]
    if check_first:
        cmd += ["fi", ";", "ray", "job", "logs", "--address", address, "--follow", job_id]
    return cmd


def _set_auth_env(container: dict[str, Any], auth_options: Mapping[str, Any], secret: str | None) -> None:
    """KubeRay's ``SetContainerTokenAuthEnvVars`` for a cluster with ``authOptions.mode: token``."""
    containers.append_env_if_absent(container, "RAY_AUTH_MODE", "token")
    if auth_options.get("enableK8sTokenAuth") is True:
        containers.append_env_if_absent(container, "RAY_ENABLE_K8S_TOKEN_AUTH", "true")
        if not containers.has_mount_named(container, RAY_TOKEN_VOLUME):
            mount = {"name": RAY_TOKEN_VOLUME, "mountPath": RAY_TOKEN_PATH, "readOnly": True}
            containers.append(container, "volumeMounts", mount)
        return
    if secret is None:
        raise ValueError("token auth needs the name of the Secret holding auth_token")
    if not containers.has_env(container, "RAY_AUTH_TOKEN"):
        ref = {"secretKeyRef": {"name": secret, "key": "auth_token"}}
        containers.append_env(container, containers.env_var("RAY_AUTH_TOKEN", value_from=ref))


def _configure(
    container: dict[str, Any],
    rayjob: Mapping[str, Any],
    cluster_spec: Mapping[str, Any],
    *,
    dashboard_url: str,
    job_id: str,
    sidecar: bool,
    config: OperatorConfig,
    auth_token_secret: str | None,
) -> None:
    """KubeRay's ``configureSubmitterContainer``: script (unless a K8sJobMode template has its own
    command), then ``PYTHONUNBUFFERED``, ``RAY_DASHBOARD_ADDRESS``, ``RAY_JOB_SUBMISSION_ID`` and auth."""
    cmd = submit_command(
        rayjob, cluster_spec, dashboard_url=dashboard_url, job_id=job_id, sidecar=sidecar, config=config
    )
    if sidecar or not container.get("command"):
        container["command"] = ["/bin/bash", "-cel" if config.enable_login_shell else "-ce", "--"]
        container["args"] = [" ".join(cmd)]
    containers.append_env(
        container,
        containers.env_var("PYTHONUNBUFFERED", "1"),
        containers.env_var("RAY_DASHBOARD_ADDRESS", dashboard_url),
        containers.env_var("RAY_JOB_SUBMISSION_ID", job_id),
    )
    auth_options = cluster_spec.get("authOptions") or {}
    if auth_options.get("mode") == "token":
        _set_auth_env(container, auth_options, auth_token_secret)


def _default_container(cluster_spec: Mapping[str, Any]) -> dict[str, Any]:
    """``GetDefaultSubmitterContainer``: the head Ray image with small fixed resources."""
    container: dict[str, Any] = {"name": SUBMITTER_CONTAINER_NAME, "resources": copy.deepcopy(_RESOURCES)}
    image = head_container(cluster_spec).get("image")
    if image:
        container["image"] = image
    return container


def submitter_container(
    rayjob: Mapping[str, Any],
    cluster_spec: Mapping[str, Any],
    *,
    dashboard_url: str,
    job_id: str,
    config: OperatorConfig,
    auth_token_secret: str | None,
) -> dict[str, Any]:
    """The default ``ray-job-submitter`` container, configured for the RayJob's submission mode.

    ``auth_token_secret`` names the Secret with ``auth_token`` when ``cluster_spec`` uses token
    auth (not needed for K8s token auth). In SidecarMode with gate ``SidecarSubmitterRestart`` the
    container restarts on its own (``restartPolicy: OnFailure``) while the Pod's stays ``Never``.
    """
    sidecar = submission_mode(rayjob) == rj.SIDECAR_MODE
    container = _default_container(cluster_spec)
    _configure(
        container,
        rayjob,
        cluster_spec,
        dashboard_url=dashboard_url,
        job_id=job_id,
        sidecar=sidecar,
        config=config,
        auth_token_secret=auth_token_secret,
    )
    if sidecar and config.gate(GATE_SIDECAR_SUBMITTER_RESTART):
        container["restartPolicy"] = "OnFailure"
    return container


def owner_reference(rayjob: Mapping[str, Any]) -> dict[str, Any]:
    """Controller ownerReference to the RayJob (children are garbage-collected with it)."""
    return names.owner_controller_reference(rayjob, names.CRD_RAYJOB)


def originated_labels(owner_name: str) -> dict[str, str]:
    """``ray.io/originated-from-cr-name`` and ``ray.io/originated-from-crd: RayJob``."""
    return names.originated_from(owner_name, names.CRD_RAYJOB)


def submitter_job(
    rayjob: Mapping[str, Any],
    cluster: Mapping[str, Any],
    *,
    dashboard_url: str,
    job_id: str,
    config: OperatorConfig,
) -> dict[str, Any]:
    """K8sJobMode's submitter Job ``<rayjob>`` (created once, never updated).

    The Pod template is a copy of ``submitterPodTemplate`` (its first container configured) or a
    default one; ``cluster`` is the RayCluster the job runs on (image, auth, selected clusters).
    """
    spec = _spec(rayjob)
    meta = rayjob.get("metadata") or {}
    cluster_spec: Mapping[str, Any] = cluster.get("spec") or {}
    cluster_name = str((cluster.get("metadata") or {}).get("name") or "")
    if spec.get("submitterPodTemplate") is not None:
        template: dict[str, Any] = copy.deepcopy(dict(spec["submitterPodTemplate"]))
    else:
        template = {"spec": {"containers": [_default_container(cluster_spec)], "restartPolicy": "Never"}}
    pod_spec = template.setdefault("spec", {})
    if not pod_spec.get("containers"):
        raise RayJobBuildError("spec.submitterPodTemplate.spec.containers must not be empty")
    auth_options: Mapping[str, Any] = cluster_spec.get("authOptions") or {}
    _configure(
        pod_spec["containers"][names.RAY_CONTAINER_INDEX],
        rayjob,
        cluster_spec,
        dashboard_url=dashboard_url,
        job_id=job_id,
        sidecar=False,
        config=config,
        auth_token_secret=names.auth_secret_name(cluster_name, auth_options.get("secretName")),
    )
    if auth_options.get("enableK8sTokenAuth") is True and not containers.has_volume(pod_spec, RAY_TOKEN_VOLUME):
        token = {"name": RAY_TOKEN_VOLUME, "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
        containers.append(pod_spec, "volumes", token)
    labels = {**originated_labels(str(meta.get("name") or "")), names.LABEL_CREATED_BY: names.CREATED_BY}
    template_meta = template.setdefault("metadata", {})
    template_meta["labels"] = {**(template_meta.get("labels") or {}), **labels}
    backoff_limit = (spec.get("submitterConfig") or {}).get("backoffLimit")
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": meta.get("name") or "",
            "namespace": meta.get("namespace") or "",
            "labels": labels,
            "ownerReferences": [owner_reference(rayjob)],
        },
        "spec": {
            "backoffLimit": DEFAULT_SUBMITTER_BACKOFF_LIMIT if backoff_limit is None else backoff_limit,
            "template": template,
        },
    }
