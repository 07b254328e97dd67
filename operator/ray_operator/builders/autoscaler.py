"""The Ray autoscaler sidecar of the head Pod and the RBAC objects it runs with.

The Ray autoscaler (``ray kuberay-autoscaler``) patches the RayCluster's ``replicas`` and
``workersToDelete`` and reads Pods, so it needs a ServiceAccount bound to a Role allowing exactly
that. Names and wiring match KubeRay so an existing autoscaler image works unchanged.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from ray_operator.builders import names
from ray_operator.builders.containers import env_var, field_ref_env, fixed_resources
from ray_operator.builders.raystart import bash_command
from ray_operator.config import OperatorConfig
from ray_operator.models import AutoscalerOptions, RayCluster

AUTOSCALER_START_COMMAND: Final = (
    "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)"
)
AUTOSCALER_V2_ENV: Final = "RAY_enable_autoscaler_v2"


def build_autoscaler_container(image: str, config: OperatorConfig) -> dict[str, Any]:
    """The default autoscaler container, before user overrides and auth wiring."""
    container: dict[str, Any] = {
        "name": names.AUTOSCALER_CONTAINER_NAME,
        "imagePullPolicy": "IfNotPresent",
        "env": [
            field_ref_env("RAY_CLUSTER_NAME", f"metadata.labels['{names.LABEL_CLUSTER}']"),
            field_ref_env("RAY_CLUSTER_NAMESPACE", "metadata.namespace"),
            field_ref_env("RAY_HEAD_POD_NAME", "metadata.name"),
            env_var("KUBERAY_CRD_VER", "v1"),
            env_var("KUBERAY_GEN_AUTOSCALER_START_CMD", AUTOSCALER_START_COMMAND),
        ],
        "command": bash_command(login_shell=config.enable_login_shell),
        "args": [AUTOSCALER_START_COMMAND],
        "resources": fixed_resources("500m", "512Mi"),
    }
    if image:
        container["image"] = image
    return container


def apply_autoscaler_options(container: dict[str, Any], options: AutoscalerOptions | None) -> None:
    """Merge ``spec.autoscalerOptions``: scalar fields replace, env/envFrom/volumeMounts append."""
    if options is None:
        return
    if options.resources is not None:
        container["resources"] = copy.deepcopy(options.resources)
    if options.image is not None:
        container["image"] = options.image
    if options.image_pull_policy is not None:
        container["imagePullPolicy"] = options.image_pull_policy
    for field, extra in (
        ("env", options.env),
        ("envFrom", options.env_from),
        ("volumeMounts", options.volume_mounts),
    ):
        if extra:
            container[field] = [*container.get(field, []), *copy.deepcopy(extra)]
    if options.security_context is not None:
        container["securityContext"] = copy.deepcopy(options.security_context)
    if options.command:
        container["command"] = list(options.command)
    if options.args:
        container["args"] = list(options.args)


# --- RBAC -----------------------------------------------------------------------------------------


def _rbac_labels(cluster: RayCluster) -> dict[str, str]:
    return {
        names.LABEL_CLUSTER: cluster.name,
        names.LABEL_APP_NAME: names.APP_NAME,
        names.LABEL_CREATED_BY: names.CREATED_BY,
    }


def service_account_lookup_name(cluster: RayCluster) -> str:
    """Name the reconciler looks the ServiceAccount up by (the head template's SA, else the cluster name).

    KubeRay looks up this unclipped name but creates ``check_name`` of it, and it refuses to create
    one when the user named the SA in the head template (they must create it themselves).
    """
    return names.autoscaler_service_account_name(cluster.name, cluster.spec.head_group_spec.template)


def build_service_account(cluster: RayCluster) -> dict[str, Any]:
    """ServiceAccount the autoscaler sidecar (the whole head Pod) runs as."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": names.child_metadata(
            cluster, names.check_name(service_account_lookup_name(cluster)), _rbac_labels(cluster)
        ),
    }


def build_role(cluster: RayCluster) -> dict[str, Any]:
    """Role with what the autoscaler does: manage Pods (incl. in-place resize) and patch the RayCluster."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": names.child_metadata(cluster, names.check_name(cluster.name), _rbac_labels(cluster)),
        "rules": [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch", "patch"]},
            {"apiGroups": [""], "resources": ["pods/resize"], "verbs": ["patch"]},
            {"apiGroups": ["ray.io"], "resources": ["rayclusters"], "verbs": ["get", "patch"]},
        ],
    }


def build_role_binding(cluster: RayCluster) -> dict[str, Any]:
    """Binds :func:`build_role` to the autoscaler ServiceAccount."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": names.child_metadata(cluster, names.check_name(cluster.name), _rbac_labels(cluster)),
        "subjects": [
            {
                "kind": "ServiceAccount",
                "name": names.check_name(service_account_lookup_name(cluster)),
                "namespace": cluster.namespace,
            }
        ],
        "roleRef": {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": names.check_name(cluster.name),
        },
    }
