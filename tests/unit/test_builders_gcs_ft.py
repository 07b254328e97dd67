"""Embedded GCS storage PVC and the auth-token Secret (KubeRay's ``BuildGCSStoragePVC``,
``gcsStoragePVCDrift`` and ``reconcileAuthSecret``/``createAuthSecret``)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from ray_operator.builders import auth, gcs_ft
from ray_operator.models import RayCluster

OWNER = {
    "apiVersion": "ray.io/v1",
    "kind": "RayCluster",
    "name": "rc",
    "uid": "uid-1",
    "controller": True,
    "blockOwnerDeletion": True,
}


def _cluster(**spec: Any) -> RayCluster:
    head = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": "ray"}]}}}
    return RayCluster.from_body(
        {"metadata": {"name": "rc", "namespace": "ns", "uid": "uid-1"}, "spec": {"headGroupSpec": head, **spec}}
    )


def test_default_pvc() -> None:
    cluster = _cluster(gcsFaultToleranceOptions={"backend": "rocksdb"})
    assert gcs_ft.gcs_storage_pvc_wanted(cluster)
    assert gcs_ft.build_gcs_storage_pvc(cluster) == {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": "rc-gcs-pvc",
            "namespace": "ns",
            "labels": {"ray.io/cluster": "rc"},
            "ownerReferences": [OWNER],
        },
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }


def test_configured_and_retained_pvc() -> None:
    storage = {
        "size": "20Gi",
        "storageClassName": "fast",
        "accessModes": ["ReadWriteMany"],
        "deletionPolicy": "Retain",
    }
    cluster = _cluster(gcsFaultToleranceOptions={"backend": "rocksdb", "storage": storage})
    pvc = gcs_ft.build_gcs_storage_pvc(cluster)
    assert "ownerReferences" not in pvc["metadata"]
    assert pvc["spec"] == {
        "accessModes": ["ReadWriteMany"],
        "resources": {"requests": {"storage": "20Gi"}},
        "storageClassName": "fast",
    }
    assert gcs_ft.gcs_storage_retained(cluster)


@pytest.mark.parametrize(
    "options",
    [None, {"redisAddress": "redis:6379"}, {"backend": "rocksdb", "storage": {"claimName": "mine"}}],
)
def test_pvc_not_managed(options: dict[str, Any] | None) -> None:
    cluster = _cluster(gcsFaultToleranceOptions=options) if options else _cluster()
    assert not gcs_ft.gcs_storage_pvc_wanted(cluster)


def test_pvc_drift() -> None:
    desired = gcs_ft.build_gcs_storage_pvc(
        _cluster(
            gcsFaultToleranceOptions={"backend": "rocksdb", "storage": {"size": "2Gi", "storageClassName": "fast"}}
        )
    )
    same = {
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "fast",
            "resources": {"requests": {"storage": "2048Mi"}},
        }
    }
    assert gcs_ft.gcs_storage_pvc_drift(desired, same) == ""
    other = {"spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}}}
    assert gcs_ft.gcs_storage_pvc_drift(desired, other) == (
        "requested size 2Gi != current 1Gi; storageClassName fast != current <default>; "
        "accessModes [ReadWriteOnce] != current [ReadWriteMany]"
    )


@pytest.mark.parametrize(
    ("options", "wanted", "secret"),
    [
        (None, False, "rc"),
        ({"mode": "disabled"}, False, "rc"),
        ({"mode": "token"}, True, "rc"),
        ({}, True, "rc"),  # KubeRay's quirk: an empty mode still gets a Secret
        ({"mode": "token", "secretName": "mine"}, False, "mine"),
        ({"mode": "token", "enableK8sTokenAuth": True}, False, "rc"),
    ],
)
def test_auth_secret_wanted(options: dict[str, Any] | None, wanted: bool, secret: str) -> None:
    cluster = _cluster(authOptions=options) if options is not None else _cluster()
    assert auth.auth_secret_wanted(cluster) is wanted
    assert auth.auth_secret_name(cluster) == secret


def test_auth_secret() -> None:
    token = auth.generate_auth_token()
    assert len(base64.b64decode(token)) == 32
    assert auth.build_auth_secret(_cluster(authOptions={"mode": "token"}), "tok") == {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "rc", "namespace": "ns", "labels": {"ray.io/cluster": "rc"}, "ownerReferences": [OWNER]},
        "stringData": {"auth_token": "tok"},
    }
