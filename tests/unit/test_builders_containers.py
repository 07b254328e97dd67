"""Container dict helpers: API-server-style EnvVars and lists that are replaced, never mutated."""

from __future__ import annotations

from typing import Any

from ray_operator.builders import containers


def test_env_var_leaves_out_empty_fields() -> None:
    assert containers.env_var("A") == {"name": "A"}
    assert containers.env_var("A", "1") == {"name": "A", "value": "1"}
    ref = {"secretKeyRef": {"name": "s", "key": "k"}}
    env = containers.env_var("A", value_from=ref)
    assert env == {"name": "A", "valueFrom": ref}
    assert env["valueFrom"] is not ref
    assert containers.field_ref_env("IP", "status.podIP") == {
        "name": "IP",
        "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}},
    }


def test_appends_replace_the_list() -> None:
    shared = [{"name": "A", "value": "1"}]
    container: dict[str, Any] = {"env": shared}
    containers.append_env_if_absent(container, "A", "2")
    assert container["env"] is shared
    containers.append_env_if_absent(container, "B", "2")
    assert container["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert shared == [{"name": "A", "value": "1"}]
    assert containers.has_env(container, "B") and not containers.has_env(container, "C")
    pod_spec: dict[str, Any] = {}
    containers.append(pod_spec, "volumes", {"name": "v"})
    assert containers.has_volume(pod_spec, "v") and not containers.has_volume(pod_spec, "w")


def test_lookups() -> None:
    container = {"volumeMounts": [{"name": "m", "mountPath": "/p"}]}
    assert containers.has_mount_path(container, "/p") and not containers.has_mount_path(container, "/q")
    assert containers.has_mount_named(container, "m") and not containers.has_mount_named(container, "n")
    pod_spec = {"containers": [{"name": "ray"}, {"name": "autoscaler"}]}
    assert containers.container_index(pod_spec, "autoscaler") == 1
    assert containers.container_index(pod_spec, "missing") == -1


def test_helper_container_settings() -> None:
    assert containers.fixed_resources("1", "1Gi") == {
        "limits": {"cpu": "1", "memory": "1Gi"},
        "requests": {"cpu": "1", "memory": "1Gi"},
    }
    source = {"image": "ray", "imagePullPolicy": "", "securityContext": {"runAsUser": 1}}
    target: dict[str, Any] = {}
    containers.copy_image_settings(source, target)
    assert target == {"image": "ray", "securityContext": {"runAsUser": 1}}
    assert target["securityContext"] is not source["securityContext"]
