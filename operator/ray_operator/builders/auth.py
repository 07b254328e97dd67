"""The Secret holding a RayCluster's Ray auth token (``authOptions.mode: token``).

KubeRay generates the token once and never rotates it; Pods read it through ``RAY_AUTH_TOKEN``
(see :func:`ray_operator.builders.pods.set_token_auth_env`) and the operator sends it to the
dashboard as ``x-ray-authorization: Bearer <token>``.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any, Final

from ray_operator.builders import features, names
from ray_operator.models import RayCluster

TOKEN_KEY: Final = "auth_token"


def auth_secret_wanted(cluster: RayCluster) -> bool:
    """Whether the operator must create the token Secret.

    Mirrors KubeRay exactly, including its quirk that ``authOptions: {}`` (empty mode) still gets a
    Secret although auth is only *enabled* for ``mode: token``. Not needed with K8s token auth or
    when the user names their own Secret.
    """
    options = cluster.spec.auth_options
    if options is None or options.mode == "disabled":
        return False
    return not (features.k8s_token_auth_enabled(cluster.spec) or options.secret_name)


def auth_secret_name(cluster: RayCluster) -> str:
    """The Secret Pods read the token from (user's ``secretName`` or ``CheckName(<cluster>)``)."""
    options = cluster.spec.auth_options
    return names.auth_secret_name(cluster.name, options.secret_name if options is not None else None)


def generate_auth_token() -> str:
    """32 cryptographically random bytes, base64-encoded (as KubeRay does)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def build_auth_secret(cluster: RayCluster, token: str) -> dict[str, Any]:
    """Secret ``CheckName(<cluster>)`` with ``stringData.auth_token``."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": names.child_metadata(cluster, names.check_name(cluster.name), {names.LABEL_CLUSTER: cluster.name}),
        "stringData": {TOKEN_KEY: token},
    }
