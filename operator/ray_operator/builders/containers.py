"""Small helpers on core/v1 container and pod-spec dicts (env vars, mounts, volumes, resources).

The builders assemble Pods as plain dicts; these helpers keep the API server's conventions (empty
fields left out) and never mutate a list in place, so template lists shared with the caller stay
untouched.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def env_var(name: str, value: str = "", value_from: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A core/v1 EnvVar, leaving out empty fields as the API server would."""
    env: dict[str, Any] = {"name": name}
    if value:
        env["value"] = value
    if value_from:
        env["valueFrom"] = copy.deepcopy(dict(value_from))
    return env


def field_ref_env(name: str, field_path: str) -> dict[str, Any]:
    """An env var read from the Pod's own fields through the downward API."""
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": field_path}}}


def has_env(container: Mapping[str, Any], name: str) -> bool:
    return any(e.get("name") == name for e in container.get("env") or ())


def append(mapping: dict[str, Any], key: str, *items: Any) -> None:
    """Append to the list ``mapping[key]`` (created if missing) by replacing it, never in place."""
    mapping[key] = [*(mapping.get(key) or []), *items]


def append_env(container: dict[str, Any], *envs: dict[str, Any]) -> None:
    append(container, "env", *envs)


def append_env_if_absent(container: dict[str, Any], name: str, value: str) -> None:
    if not has_env(container, name):
        append_env(container, env_var(name, value))


def has_mount_path(container: Mapping[str, Any], path: str) -> bool:
    return any(m.get("mountPath") == path for m in container.get("volumeMounts") or ())


def has_mount_named(container: Mapping[str, Any], name: str) -> bool:
    return any(m.get("name") == name for m in container.get("volumeMounts") or ())


def has_volume(pod_spec: Mapping[str, Any], name: str) -> bool:
    return any(v.get("name") == name for v in pod_spec.get("volumes") or ())


def container_index(pod_spec: Mapping[str, Any], name: str) -> int:
    """Index of the container called ``name`` in ``pod_spec``, or -1."""
    for index, container in enumerate(pod_spec.get("containers") or ()):
        if container.get("name") == name:
            return index
    return -1


def fixed_resources(cpu: str, memory: str) -> dict[str, Any]:
    """Requests equal to limits, for the small helper containers the operator injects."""
    return {"limits": {"cpu": cpu, "memory": memory}, "requests": {"cpu": cpu, "memory": memory}}


def copy_image_settings(source: Mapping[str, Any], target: dict[str, Any]) -> None:
    """Image, pull policy and security context of the Ray container, for injected helpers."""
    for key in ("image", "imagePullPolicy"):
        if source.get(key):
            target[key] = source[key]
    if source.get("securityContext") is not None:
        target["securityContext"] = copy.deepcopy(source["securityContext"])
