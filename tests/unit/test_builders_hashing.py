"""Go-compatible JSON encoding and spec hashes; expected strings were produced by Go
(``encoding/json`` and KubeRay's ``GenerateHashWithoutReplicasAndWorkersToDelete``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ray_operator.builders import hashing
from ray_operator.builders.gojson import apply_crd_defaults, go_float, go_float_map, go_marshal, go_string
from ray_operator.models import RayCluster
from unit.test_builders_parity import EXPECTED, SCENARIOS


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (0.5, "0.5"),
        (1.5000000000000002, "1.5000000000000002"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e-10, "1e-10"),
        (1e-6, "0.000001"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (-0.0, "-0"),
    ],
)
def test_go_float(value: float, text: str) -> None:
    assert go_float(value) == text


def test_go_string_and_float_map() -> None:
    assert go_string('a<b>&"c"\u2028') == '"a\\u003cb\\u003e\\u0026\\"c\\"\\u2028"'
    assert go_float_map({"b": 2.0, "a": 0.25}) == '{"a":0.25,"b":2}'


def test_marshal_follows_go_struct_layout() -> None:
    port = {"containerPort": 8080, "name": "metrics"}
    assert go_marshal(port, "core.ContainerPort") == '{"name":"metrics","containerPort":8080}'
    # Non-omitempty zero values and structs are always written, like Go does.
    assert go_marshal({}, "core.Container") == '{"name":"","resources":{}}'
    assert go_marshal({"divisor": None, "resource": "limits.cpu"}, "core.ResourceFieldSelector") == (
        '{"resource":"limits.cpu","divisor":"0"}'
    )
    assert go_marshal({"port": "http"}, "core.HTTPGetAction") == '{"port":"http"}'
    assert go_marshal({"requests": {"memory": "1.5Gi", "cpu": "1000m"}}, "core.ResourceRequirements") == (
        '{"requests":{"cpu":"1","memory":"1536Mi"}}'
    )


def test_crd_defaults_only_inside_present_objects() -> None:
    spec = {"ports": [{"containerPort": 1}], "env": [{"name": "x", "valueFrom": {"secretKeyRef": {"key": "k"}}}]}
    defaulted = apply_crd_defaults(spec, "core.Container")
    assert defaulted["ports"] == [{"containerPort": 1, "protocol": "TCP"}]
    assert defaulted["env"][0]["valueFrom"]["secretKeyRef"] == {"key": "k", "name": ""}
    assert apply_crd_defaults({}, "core.Container") == {}
    assert spec["ports"] == [{"containerPort": 1}]  # input untouched


def _body() -> dict[str, Any]:
    """The parity suite's "plain" RayCluster, whose hash KubeRay computed (``EXPECTED["plain"]["hash"]``)."""
    return copy.deepcopy(SCENARIOS["plain"]["cluster"])


SAMPLE_HASH: str = EXPECTED["plain"]["hash"]


def test_hash_ignores_scaling_and_scheduling_fields() -> None:
    body = _body()
    group = body["spec"]["workerGroupSpecs"][0]
    group.update(replicas=4, minReplicas=0, maxReplicas=10, scaleStrategy={"workersToDelete": ["p1"]})
    group["template"]["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    body["spec"]["headGroupSpec"]["template"]["spec"]["schedulingGates"] = [{"name": "kueue"}]
    body["spec"]["upgradeStrategy"] = {"type": "Recreate"}
    assert hashing.recreate_hash(RayCluster.from_body(body)) == SAMPLE_HASH


def test_hash_changes_with_the_pod_template() -> None:
    body = _body()
    body["spec"]["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]["image"] = "rayproject/ray:2.47.0"
    assert hashing.recreate_hash(RayCluster.from_body(body)) != SAMPLE_HASH


def test_hash_is_computed_on_a_copy() -> None:
    body = _body()
    spec = copy.deepcopy(body["spec"])
    hashing.hash_without_replicas_and_workers_to_delete(spec)
    assert spec == body["spec"]


def test_suspend_is_part_of_the_hash() -> None:
    suspended = {**_body()["spec"], "suspend": True}
    assert hashing.hash_without_replicas_and_workers_to_delete(suspended) != SAMPLE_HASH
