"""Naming helpers; expectations follow KubeRay's ``util.go`` (CheckName, CheckLabel, PodName, ...)."""

from __future__ import annotations

import pytest

from ray_operator.builders import names
from ray_operator.models import RayCluster


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("raycluster-sample", "raycluster-sample"),
        ("1-cluster", "r-cluster"),
        ("-cluster", "rcluster"),
        ("_cluster", "rcluster"),
        (".cluster", "rcluster"),
        ("$cluster", "$cluster"),  # '$' is a symbol, not punctuation, for Go's unicode.IsPunct
        ("a" * 60, "a" * 50),
        ("x" * 10 + "-" + "b" * 49, "r" + "b" * 49),  # cut first, then the punctuation rule
        ("x" * 5 + "7" + "a" * 49, "r" + "a" * 49),  # cut first, then the digit rule
    ],
)
def test_check_name(name: str, expected: str) -> None:
    assert names.check_name(name) == expected


def test_check_name_keeps_the_tail() -> None:
    long = "a-very-long-raycluster-name-that-exceeds-the-fifty-character-limit"
    assert names.check_name(long) == long[-50:]
    assert len(names.check_name(long)) == 50


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("raycluster-head", "raycluster-head"),
        ("1-head", "1-head"),  # digits are fine in label values
        ("-head", "rhead"),
        ("z" * 70, "z" * 63),
    ],
)
def test_check_label(value: str, expected: str) -> None:
    assert names.check_label(value) == expected


def test_pod_names() -> None:
    assert names.head_pod_generate_name("RayCluster-Sample") == "raycluster-sample-head-"
    assert names.head_pod_fixed_name("raycluster-sample") == "raycluster-sample-head"
    assert names.worker_pod_generate_name("raycluster-sample", "small-group") == (
        "raycluster-sample-small-group-worker-"
    )
    prefix = "c" * 40 + "-" + "g" * 20
    assert names.worker_pod_generate_name("c" * 40, "g" * 20) == prefix[:50] + "-worker-"


def test_head_service_name_and_fqdn() -> None:
    assert names.head_service_name("rc") == "rc-head-svc"
    assert names.head_service_name("rc", {"metadata": {"name": "custom"}}) == "custom"
    assert names.head_service_name("rc", {"metadata": {}}) == "rc-head-svc"
    fqdn = names.head_service_fqdn("rc-head-svc", "ns", "cluster.local")
    assert fqdn == "rc-head-svc.ns.svc.cluster.local"
    assert names.head_service_fqdn("rc-head-svc", "ns", "") == fqdn
    assert names.ray_ip_from_fqdn(fqdn) == "rc-head-svc"


def test_other_object_names() -> None:
    assert names.serve_service_name("rc") == "rc-serve-svc"
    assert names.serve_service_label("rc") == "rc-serve"
    assert names.headless_worker_service_name("rc") == "rc-headless"
    assert names.ingress_name("rc") == "rc-head-ingress"
    assert names.redis_cleanup_job_name("rc") == "rc-redis-cleanup"
    assert names.redis_cleanup_job_name("r" * 60) == ("r" * 60 + "-redis-cleanup")[-63:]
    assert names.identifier("rc", "head") == "rc-head"
    assert names.auth_secret_name("rc", None) == "rc"
    assert names.auth_secret_name("rc", "mine") == "mine"
    assert names.gcs_storage_pvc_name("rc", None) == "rc-gcs-pvc"


def test_head_port_and_creator() -> None:
    assert names.head_port({}) == "6379"
    assert names.head_port({"port": "6380"}) == "6380"
    assert names.creator_crd({"ray.io/originated-from-crd": "RayService"}) == "RayService"
    assert names.creator_crd({"ray.io/originated-from-crd": "Other"}) == "RayCluster"
    assert names.creator_crd({}) == "RayCluster"


def test_replica_names() -> None:
    generated = names.worker_replica_name("tpu")
    assert generated.startswith("tpu-") and len(generated) == 9
    assert set(generated[4:]) <= set(names.RANDOM_ALPHABET)


def _cluster() -> RayCluster:
    head = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head"}]}}}
    return RayCluster.from_body(
        {"metadata": {"name": "rc", "namespace": "ns", "uid": "uid-1"}, "spec": {"headGroupSpec": head}}
    )


def test_child_metadata() -> None:
    labels = {"ray.io/cluster": "rc"}
    metadata = names.child_metadata(_cluster(), "child", labels)
    assert metadata == {
        "name": "child",
        "namespace": "ns",
        "labels": {"ray.io/cluster": "rc"},
        "ownerReferences": [names.controller_reference("rc", "uid-1")],
    }
    assert metadata["labels"] is not labels
    assert "ownerReferences" not in names.child_metadata(_cluster(), "child", labels, owned=False)


def test_controller_reference() -> None:
    assert names.controller_reference("rc", "uid-1") == {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "name": "rc",
        "uid": "uid-1",
        "controller": True,
        "blockOwnerDeletion": True,
    }


@pytest.mark.parametrize(
    ("owner", "name", "expected"),
    [
        ("svc", "svc-abcde", True),
        ("my-svc", "my-svc-abcde", True),
        ("svc", "svc2-abcde", False),  # a longer owner's cluster
        ("svc", "svc-b-abcde", False),  # owner "svc-b"
        ("svc", "svc", False),
        ("svc-abcde", "svc-abcde", False),
    ],
)
def test_named_after_claims_only_the_owners_own_names(owner: str, name: str, expected: bool) -> None:
    assert names.named_after(owner, name) is expected
