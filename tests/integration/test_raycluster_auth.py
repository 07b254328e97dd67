"""Token authentication: the operator makes the token Secret once and wires it into the Pods."""

from __future__ import annotations

import base64

import pytest

from helpers import api_get, create, get_json, heads, raycluster_manifest, wait_ready
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def _env(pod: dict[str, object]) -> dict[str, object]:
    container = pod["spec"]["containers"][0]  # type: ignore[index]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}  # type: ignore[union-attr]


def test_token_mode_creates_a_secret_and_injects_it(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess
) -> None:
    manifest = raycluster_manifest("auth", replicas=1, authOptions={"mode": "token"})
    cluster = create(kube_cluster, namespace, manifest)
    wait_ready(kube_cluster, namespace, "auth", 1)

    secret = get_json(kube_cluster, "-n", namespace, "secret", "auth")
    assert secret["metadata"]["labels"] == {"ray.io/cluster": "auth"}
    owner = secret["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["uid"], owner["controller"]) == ("RayCluster", cluster["metadata"]["uid"], True)
    token = base64.b64decode(secret["data"]["auth_token"])
    assert len(base64.b64decode(token)) == 32  # 32 random bytes, base64 encoded, as KubeRay

    env = _env(heads(kube_cluster, namespace, "auth")[0])
    assert env["RAY_AUTH_MODE"] == "token"
    assert env["RAY_AUTH_TOKEN"] == {"secretKeyRef": {"name": "auth", "key": "auth_token"}}

    # Never rotated: a reconcile after a spec change keeps the same token.
    kube_cluster.kubectl("-n", namespace, "annotate", "raycluster", "auth", "touch=1")
    wait_ready(kube_cluster, namespace, "auth", 1)
    again = api_get(kube_cluster, f"/api/v1/namespaces/{namespace}/secrets/auth")
    assert again is not None and again["data"]["auth_token"] == secret["data"]["auth_token"]
