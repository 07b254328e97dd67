"""GCS fault tolerance on the embedded RocksDB store (feature gate GCSFaultToleranceEmbeddedStorage)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from helpers import create, events, get_json, patch_raycluster, raycluster_manifest, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


@pytest.fixture
def gated(crds_installed: LocalCluster) -> Iterator[tuple[OperatorProcess, str]]:
    """An operator with the alpha gate on, alone in a namespace outside the shared operator's."""
    namespace = f"gcs-storage-{uuid.uuid4().hex[:5]}"
    crds_installed.kubectl("create", "namespace", namespace)
    operator = OperatorProcess(
        crds_installed,
        extra_args=[f"--watch-namespace={namespace}", "--feature-gates=GCSFaultToleranceEmbeddedStorage=true"],
    ).start()
    try:
        yield operator, namespace
    finally:
        operator.stop()
        crds_installed.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def _owned_by(pvc: dict[str, object], uid: str) -> bool:
    owners = pvc["metadata"].get("ownerReferences", [])  # type: ignore[index, union-attr]
    return any(o["uid"] == uid and o.get("controller") for o in owners)  # type: ignore[union-attr]


def test_operator_managed_pvc_follows_the_deletion_policy(
    crds_installed: LocalCluster, gated: tuple[OperatorProcess, str]
) -> None:
    _, namespace = gated
    manifest = raycluster_manifest(
        "rdb", replicas=0, gcsFaultToleranceOptions={"backend": "rocksdb", "storage": {"size": "2Gi"}}
    )
    cluster = create(crds_installed, namespace, manifest)
    uid = cluster["metadata"]["uid"]

    pvc = wait_until(
        lambda: get_json(crds_installed, "-n", namespace, "pvc", "--ignore-not-found", "rdb-gcs-pvc") or None,
        timeout=30,
        what="the GCS storage PVC",
    )
    assert pvc["spec"]["resources"]["requests"]["storage"] == "2Gi"
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert pvc["metadata"]["labels"] == {"ray.io/cluster": "rdb"}
    assert _owned_by(pvc, uid)
    assert [e["note"] for e in events(crds_installed, namespace, "CreatedPVC")] == [
        f"Created GCS storage PVC {namespace}/rdb-gcs-pvc"
    ]
    head = wait_until(
        lambda: get_json(crds_installed, "-n", namespace, "pods", "-l", "ray.io/node-type=head")["items"],
        timeout=30,
        what="the head pod",
    )[0]
    volumes = {v["name"]: v for v in head["spec"]["volumes"]}
    assert volumes["gcs-storage"]["persistentVolumeClaim"] == {"claimName": "rdb-gcs-pvc"}

    # Retain: the data must outlive the cluster, so the PVC loses its owner reference.
    patch_raycluster(
        crds_installed,
        namespace,
        "rdb",
        {"spec": {"gcsFaultToleranceOptions": {"storage": {"deletionPolicy": "Retain"}}}},
    )
    wait_until(
        lambda: not _owned_by(get_json(crds_installed, "-n", namespace, "pvc", "rdb-gcs-pvc"), uid),
        timeout=30,
        what="the owner reference to be removed",
    )
    # A size change cannot be applied in place: a Warning says so and the PVC is left alone.
    patch_raycluster(
        crds_installed, namespace, "rdb", {"spec": {"gcsFaultToleranceOptions": {"storage": {"size": "3Gi"}}}}
    )
    warning = wait_until(
        lambda: events(crds_installed, namespace, "FailedToCreatePVC"), timeout=30, what="the drift warning"
    )[0]
    assert "requested size 3Gi != current 2Gi" in warning["note"]
    assert get_json(crds_installed, "-n", namespace, "pvc", "rdb-gcs-pvc")["spec"]["resources"]["requests"] == {
        "storage": "2Gi"
    }
