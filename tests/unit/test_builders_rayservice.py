# ruff: noqa: E501  (observed literals: hashes and JSON bodies are long single strings)
"""RayService children (RayClusters, head/serve Services), upgrade decisions and the Serve side.

Expected values were produced by running KubeRay's own code (feeaf72f: ``constructRayClusterForRayService``,
``BuildHeadServiceForRayService``/``BuildServeServiceForRayService`` + ``SetControllerReference``,
``isClusterSpecHashEqual``/``shouldUpdateCluster``/``shouldPrepareNewCluster``, ``updateServeDeployment``'s PUT
body, ``getAndCheckServeStatus`` over a served ``GET`` answer, ``checkIfNeedSubmitServeApplications``,
``isZeroDowntimeUpgradeEnabled``) on the same inputs (CRD-defaulted as the API server would) with a
throwaway Go program, then written out here; Go zero values are dropped and randomly ordered Service
ports are in name order. The small remaining cases (``modifyRayCluster``, the Service switch of
``reconcileServices``, the EndpointSlice count, the head Pod label) follow KubeRay's source.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ray_operator.builders import rayservice as build
from ray_operator.builders import serve_config as serve
from ray_operator.config import DEFAULT_FEATURE_GATES, GATE_INCREMENTAL_UPGRADE, OperatorConfig

CONFIG = OperatorConfig(operator_version="nightly")
NO_INCREMENTAL = OperatorConfig(
    operator_version="nightly", feature_gates={**DEFAULT_FEATURE_GATES, GATE_INCREMENTAL_UPGRADE: False}
)
SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rayservice.yaml"
SERVE_PORTS = [
    {"name": "gcs-server", "containerPort": 6379},
    {"name": "dashboard", "containerPort": 8265},
    {"name": "serve", "containerPort": 8000},
    {"name": "serve-grpc", "containerPort": 9000},
]


def owner(name: str, uid: str = "uid-rs") -> dict[str, Any]:
    ref = {"apiVersion": "ray.io/v1", "kind": "RayService", "name": name, "uid": uid, "controller": True}
    return {**ref, "blockOwnerDeletion": True}


def fruit() -> dict[str, Any]:
    body: dict[str, Any] = yaml.safe_load(SAMPLE.read_text())
    body["metadata"].update(namespace="default", uid="uid-fruit")
    return body


def head(ports: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "ray-head", "image": "rayproject/ray:2.52.0"}
    if ports is not None:
        container["ports"] = ports
    return {"rayStartParams": {}, "template": {"spec": {"containers": [container]}}}


def group(name: str, **extra: Any) -> dict[str, Any]:
    container = {"name": "ray-worker", "image": "rayproject/ray:2.52.0"}
    base = {"groupName": name, "replicas": 1, "minReplicas": 1, "maxReplicas": 3, "rayStartParams": {}}
    return {**base, "template": {"spec": {"containers": [container]}}, **extra}


def rayservice(name: str, spec: dict[str, Any], **meta: Any) -> dict[str, Any]:
    metadata = {"name": name, "namespace": "ns", "uid": "uid-rs", **meta}
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": metadata, "spec": spec}


def custom() -> dict[str, Any]:
    """Every merge rule at once: labels/annotations, custom head and serve Services, NodePort, suspend."""
    serve_service = {
        "metadata": {
            "name": "my-serve",
            "namespace": "other",
            "labels": {"team": "a", "ray.io/serve": "x"},
            "annotations": {"note": "n"},
        },
        "spec": {
            "type": "LoadBalancer",
            "selector": {"foo": "bar"},
            "ports": [
                {"name": "serve-grpc", "port": 9000, "appProtocol": "kubernetes.io/h2c"},
                {"name": "other", "port": 1234},
            ],
        },
    }
    head_group = {
        "serviceType": "NodePort",
        "headService": {
            "metadata": {"labels": {"hl": "1"}, "annotations": {"ha": "2"}},
            "spec": {"ports": [{"name": "extra", "port": 7777}]},
        },
        "template": {
            "metadata": {"labels": {"app.kubernetes.io/name": "mine"}},
            "spec": {
                "containers": [{"name": "ray-head", "image": "rayproject/ray:2.52.0", "ports": SERVE_PORTS}],
                "tolerations": [{"key": "k", "operator": "Exists"}],
            },
        },
    }
    workers = [
        {
            "groupName": "a",
            "replicas": 2,
            "template": {"spec": {"containers": [{"name": "w", "image": "rayproject/ray:2.52.0"}]}},
        },
        group("b", scaleStrategy={"workersToDelete": ["p"]}),
    ]
    cluster_config = {
        "rayVersion": "2.52.0",
        "suspend": True,
        "headServiceAnnotations": {"hsa": "1"},
        "headGroupSpec": head_group,
        "workerGroupSpecs": workers,
    }
    spec = {"serveConfigV2": "applications: []\n", "serveService": serve_service, "rayClusterConfig": cluster_config}
    labels = {"env": "prod", "ray.io/originated-from-crd": "spoof"}
    return rayservice("custom", spec, labels=labels, annotations={"a": "b", "ray.io/num-worker-groups": "9"})


def incremental() -> dict[str, Any]:
    options = {"maxSurgePercent": 50, "stepSizePercent": 10, "intervalSeconds": 5, "gatewayClassName": "x"}
    spec = {
        "upgradeStrategy": {"type": "NewClusterWithIncrementalUpgrade", "clusterUpgradeOptions": options},
        "serveService": {"metadata": {"name": "ignored"}},
        "rayClusterConfig": {
            "rayVersion": "2.52.0",
            "enableInTreeAutoscaling": True,
            "headGroupSpec": head(SERVE_PORTS),
            "workerGroupSpecs": [group("g")],
        },
    }
    body = rayservice("inc", spec)
    body["status"] = {"activeServiceStatus": {"rayClusterName": "inc-aaaaa"}}
    return body


# --- RayCluster -----------------------------------------------------------------------------------


def test_sample_cluster() -> None:
    source = fruit()
    cluster = build.rayservice_cluster(source, "rayservice-fruit-xyz12", CONFIG)
    assert cluster == {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {
            "name": "rayservice-fruit-xyz12",
            "namespace": "default",
            "labels": {
                "ray.io/originated-from-cr-name": "rayservice-fruit",
                "ray.io/originated-from-crd": "RayService",
            },
            "annotations": {
                "ray.io/hash-without-replicas-and-workers-to-delete": "P9F3N5O4P9MVQMRTPHCU94SEU3H0EKGU",
                "ray.io/num-worker-groups": "1",
                "ray.io/kuberay-version": "nightly",
            },
            "ownerReferences": [owner("rayservice-fruit", "uid-fruit")],
        },
        "spec": fruit()["spec"]["rayClusterConfig"],
    }
    cluster["spec"]["workerGroupSpecs"][0]["replicas"] = 7
    assert source["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["replicas"] == 1  # a copy


def test_cluster_merges_rayservice_metadata_and_keeps_suspend() -> None:
    cluster = build.rayservice_cluster(custom(), "custom-xyz12", CONFIG)
    assert cluster["metadata"] == {
        "name": "custom-xyz12",
        "namespace": "ns",
        "labels": {
            "env": "prod",
            "ray.io/originated-from-cr-name": "custom",
            "ray.io/originated-from-crd": "RayService",
        },
        "annotations": {
            "a": "b",
            "ray.io/hash-without-replicas-and-workers-to-delete": "HKMB2RHA4QKF8838VT808SNNHBJEMADT",
            "ray.io/num-worker-groups": "2",
            "ray.io/kuberay-version": "nightly",
        },
        "ownerReferences": [owner("custom")],
    }
    assert cluster["spec"] == custom()["spec"]["rayClusterConfig"]  # suspend: true copied at creation


def test_incremental_pending_cluster_starts_without_worker_replicas() -> None:
    spec = build.rayservice_cluster(incremental(), "inc-xyz12", CONFIG)["spec"]
    assert [g.get("replicas") for g in spec["workerGroupSpecs"]] == [None]
    assert spec["workerGroupSpecs"][0]["minReplicas"] == 1
    assert (
        build.rayservice_cluster(incremental(), "inc-xyz12", NO_INCREMENTAL)["spec"]["workerGroupSpecs"][0]["replicas"]
        == 1
    )
    initial = incremental()
    del initial["status"]
    assert build.rayservice_cluster(initial, "inc-xyz12", CONFIG)["spec"]["workerGroupSpecs"][0]["replicas"] == 1
    assert build.cluster_hash(incremental()) == "FGLIEVA26NFVAQ0MIUJI6UF4BRKFR9PD"


def test_new_cluster_name() -> None:
    names = {build.new_cluster_name("rayservice-fruit") for _ in range(20)}
    assert all(re.fullmatch(r"rayservice-fruit-[bcdfghjklmnpqrstvwxz2456789]{5}", n) for n in names)
    assert len(names) > 1
    long_name = "r" * 47
    assert len(build.new_cluster_name(long_name)) == 53  # never truncated


def test_updated_cluster_keeps_suspend_and_replaces_metadata_maps() -> None:
    current: dict[str, Any] = {
        "metadata": {"name": "c", "resourceVersion": "7", "labels": {"old": "1"}, "annotations": {"o": "1"}},
        "spec": {"suspend": True, "rayVersion": "2.9.0"},
        "status": {"state": "ready"},
    }
    goal = {
        "metadata": {"name": "c", "labels": {"new": "2"}, "annotations": {"n": "2"}},
        "spec": {"rayVersion": "2.52.0", "suspend": False},
    }
    assert build.updated_cluster(current, goal) == {
        "metadata": {"name": "c", "resourceVersion": "7", "labels": {"new": "2"}, "annotations": {"n": "2"}},
        "spec": {"rayVersion": "2.52.0", "suspend": True},
        "status": {"state": "ready"},
    }
    current["spec"].pop("suspend")
    assert "suspend" not in build.updated_cluster(current, goal)["spec"]


# --- hashes and upgrade decisions -----------------------------------------------------------------


BASE = rayservice(
    "dec",
    {
        "rayClusterConfig": {
            "rayVersion": "2.52.0",
            "headGroupSpec": head(SERVE_PORTS),
            "workerGroupSpecs": [group("g1"), group("g2")],
        }
    },
)
UPGRADING = {"conditions": [{"type": "UpgradeInProgress", "status": "True", "reason": "x", "message": ""}]}


def _variant(change: str) -> dict[str, Any]:
    body = copy.deepcopy(BASE)
    spec = body["spec"]["rayClusterConfig"]
    groups, first_image = spec["workerGroupSpecs"], spec["workerGroupSpecs"][0]["template"]["spec"]["containers"][0]
    if change == "replicas":
        groups[0].update(replicas=5, minReplicas=0, maxReplicas=9, scaleStrategy={"workersToDelete": ["x"]})
    elif change == "suspend":
        spec["suspend"] = True
    elif change == "tolerations":
        spec["headGroupSpec"]["template"]["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    elif change == "appended":
        groups.append(group("g3"))
    elif change == "image":
        first_image["image"] = "ray:2.53.0"
    elif change == "appended+changed":
        groups.append(group("g3"))
        spec["headGroupSpec"]["rayStartParams"] = {"num-cpus": "0"}
    elif change == "removed":
        groups.pop()
    elif change == "no-rayStartParams":
        del spec["headGroupSpec"]["rayStartParams"]
    return body


# (change, cluster annotation overrides, upgrading?, KubeRay's hash of the goal, outcome, update active, update pending)
DECISIONS = [
    ("same", {}, False, "OGHGUIS8QFUKU6D759DFBRLINFQOB1L3", "none", False, False),
    ("replicas", {}, False, "OGHGUIS8QFUKU6D759DFBRLINFQOB1L3", "none", False, False),
    ("suspend", {}, False, "OGHGUIS8QFUKU6D759DFBRLINFQOB1L3", "none", False, False),
    ("tolerations", {}, False, "OGHGUIS8QFUKU6D759DFBRLINFQOB1L3", "none", False, False),
    ("appended", {}, False, "RAQ74DCBF05BQV4RUK0JHQPEUU8VC6L0", "update", True, True),
    ("image", {}, False, "9RU2OUKD1KU6T41RPVEM9VJHK0SUR8FA", "new", False, False),
    ("appended+changed", {}, False, "383POQ4DND7T34IS7O1Q31EM07ASSFJQ", "new", False, False),
    ("removed", {}, False, "S0BR3LNCFFSRCDIUCRSJDPUH3B0C2PVE", "new", False, False),
    # KubeRay hashes the stored spec as is: absent rayStartParams is `null`, not `{}`.
    ("no-rayStartParams", {}, False, "NKKDLMKO860QRV4DBHT0F2PDI4RH5KV3", "new", False, False),
    # Quirks: a goal with fewer groups matches a cluster without hash; an unreadable count matches.
    ("removed", {"ray.io/hash-without-replicas-and-workers-to-delete": ""}, False, None, "update", True, True),
    ("image", {"ray.io/num-worker-groups": "two"}, False, None, "update", True, True),
    ("appended", {"ray.io/num-worker-groups": "+2"}, False, None, "update", True, True),
    ("image", {"ray.io/num-worker-groups": "0"}, False, None, "new", False, False),
    ("same", {"ray.io/kuberay-version": "v1.4.0"}, False, None, "none", True, False),
    ("same", {"ray.io/kuberay-version": "v1.4.0"}, True, None, "none", False, False),
    ("appended", {}, True, None, "update", False, True),
]


@pytest.mark.parametrize(("change", "overrides", "upgrading", "goal_hash", "outcome", "active", "pending"), DECISIONS)
def test_upgrade_decisions(
    change: str,
    overrides: dict[str, str],
    upgrading: bool,
    goal_hash: str | None,
    outcome: str,
    active: bool,
    pending: bool,
) -> None:
    cluster = build.rayservice_cluster(BASE, "dec-aaaaa", CONFIG)
    assert (
        cluster["metadata"]["annotations"]["ray.io/hash-without-replicas-and-workers-to-delete"]
        == "OGHGUIS8QFUKU6D759DFBRLINFQOB1L3"
    )
    cluster["metadata"]["annotations"].update(overrides)
    goal = _variant(change)
    if upgrading:
        goal["status"] = UPGRADING
    if goal_hash is not None:
        assert build.cluster_hash(goal) == goal_hash
    assert build.needs_new_cluster(goal, cluster) == outcome
    assert build.should_update_cluster(goal, cluster, active=True, config=CONFIG) is active
    assert build.should_update_cluster(goal, cluster, active=False, config=CONFIG) is pending
    assert build.should_update_cluster(goal, None, active=True, config=CONFIG) is False


def test_negative_worker_group_count_fails_like_kuberay() -> None:
    cluster = build.rayservice_cluster(BASE, "dec-aaaaa", CONFIG)
    cluster["metadata"]["annotations"]["ray.io/num-worker-groups"] = "-1"
    with pytest.raises(build.RayServiceBuildError, match=re.escape("runtime error: slice bounds out of range [:-1]")):
        build.needs_new_cluster(_variant("image"), cluster)


@pytest.mark.parametrize(
    ("upgrade_type", "incremental_gate", "expected"),
    [
        (None, True, {"": True, "false": False, "FALSE": False, "true": True, "0": True}),
        ("NewCluster", False, dict.fromkeys(["", "false", "true"], True)),
        ("None", True, dict.fromkeys(["", "false", "true"], False)),
        ("Bogus", True, dict.fromkeys(["", "false", "true"], False)),
        ("NewClusterWithIncrementalUpgrade", True, dict.fromkeys(["", "false", "true"], True)),
        ("NewClusterWithIncrementalUpgrade", False, dict.fromkeys(["", "false", "true"], False)),
    ],
)
def test_zero_downtime(upgrade_type: str | None, incremental_gate: bool, expected: dict[str, bool]) -> None:
    body = rayservice("zd", {"rayClusterConfig": {"headGroupSpec": head()}})
    if upgrade_type is not None:
        body["spec"]["upgradeStrategy"] = {"type": upgrade_type}
    config = CONFIG if incremental_gate else NO_INCREMENTAL
    assert {env: build.zero_downtime_upgrade_enabled(body, config, env) for env in expected} == expected


# --- Services -------------------------------------------------------------------------------------


def _svc(metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata, "spec": spec}


def _head_labels(name: str) -> dict[str, str]:
    return {
        "ray.io/originated-from-cr-name": name,
        "ray.io/originated-from-crd": "RayService",
        "ray.io/node-type": "head",
        "ray.io/identifier": f"{name}-head",
    }


def _head_selector(cluster: str) -> dict[str, str]:
    return {
        "ray.io/cluster": cluster,
        "ray.io/node-type": "head",
        "ray.io/identifier": f"{cluster}-head",
        "app.kubernetes.io/name": "kuberay",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }


def _tcp(*ports: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"name": name, "port": port, "appProtocol": "tcp"} for name, port in ports]


FRUIT_HEAD_PORTS = _tcp(("dashboard", 8265), ("metrics", 8080), ("serve", 8000))


def test_sample_services() -> None:
    source = fruit()
    cluster = build.rayservice_cluster(source, "rayservice-fruit-xyz12", CONFIG)
    meta: dict[str, Any] = {
        "name": "rayservice-fruit-head-svc",
        "namespace": "default",
        "labels": _head_labels("rayservice-fruit"),
    }
    meta["ownerReferences"] = [owner("rayservice-fruit", "uid-fruit")]
    selector = _head_selector("rayservice-fruit-xyz12")
    assert build.rayservice_head_service(source, cluster, CONFIG) == _svc(
        meta, {"selector": selector, "ports": FRUIT_HEAD_PORTS, "clusterIP": "None", "publishNotReadyAddresses": True}
    )
    cluster_ip = OperatorConfig(operator_version="nightly", enable_ray_head_cluster_ip_service=True)
    assert build.rayservice_head_service(source, cluster, cluster_ip) == _svc(
        meta, {"selector": selector, "ports": FRUIT_HEAD_PORTS}
    )
    labels = {
        "ray.io/originated-from-cr-name": "rayservice-fruit",
        "ray.io/originated-from-crd": "RayService",
        "ray.io/serve": "rayservice-fruit-serve",
    }
    assert build.rayservice_serve_service(source, cluster, CONFIG) == _svc(
        {
            "name": "rayservice-fruit-serve-svc",
            "namespace": "default",
            "labels": labels,
            "ownerReferences": [owner("rayservice-fruit", "uid-fruit")],
        },
        {
            "selector": {"ray.io/cluster": "rayservice-fruit-xyz12", "ray.io/serve": "true"},
            "ports": [{"name": "serve", "port": 8000}],
        },
    )


def test_custom_head_and_serve_services() -> None:
    source = custom()
    cluster = build.rayservice_cluster(source, "custom-xyz12", CONFIG)
    head_meta = {
        "name": "custom-head-svc",
        "namespace": "ns",
        "labels": _head_labels("custom"),
        "annotations": {"ha": "2"},
    }
    head_ports = [
        {"name": "extra", "port": 7777},
        *_tcp(("dashboard", 8265), ("gcs-server", 6379), ("metrics", 8080), ("serve", 8000), ("serve-grpc", 9000)),
    ]
    assert build.rayservice_head_service(source, cluster, CONFIG) == _svc(
        {**head_meta, "ownerReferences": [owner("custom")]},
        {"ports": head_ports, "selector": _head_selector("custom-xyz12"), "type": "NodePort"},
    )
    labels = {
        "team": "a",
        "ray.io/serve": "custom-serve",
        "ray.io/originated-from-cr-name": "custom",
        "ray.io/originated-from-crd": "RayService",
    }
    assert build.rayservice_serve_service(source, cluster, CONFIG) == _svc(
        {
            "name": "my-serve",
            "namespace": "ns",
            "labels": labels,
            "annotations": {"note": "n"},
            "ownerReferences": [owner("custom")],
        },
        {
            "type": "LoadBalancer",
            "selector": {"ray.io/cluster": "custom-xyz12", "ray.io/serve": "true"},
            "ports": [
                {"name": "serve", "port": 8000},
                {"name": "serve-grpc", "port": 9000, "appProtocol": "kubernetes.io/h2c"},
            ],
        },
    )


def test_serve_service_ports_rules() -> None:
    defaults = rayservice("defports", {"rayClusterConfig": {"rayVersion": "2.52.0", "headGroupSpec": head()}})
    cluster = build.rayservice_cluster(defaults, "defports-xyz12", CONFIG)
    assert build.rayservice_serve_service(defaults, cluster, CONFIG)["spec"]["ports"] == [
        {"name": "serve", "port": 8000}
    ]
    assert build.rayservice_head_service(defaults, cluster, CONFIG)["spec"]["ports"] == _tcp(
        ("client", 10001), ("dashboard", 8265), ("gcs-server", 6379), ("metrics", 8080), ("serve", 8000)
    )
    no_serve = rayservice(
        "noserve",
        {
            "rayClusterConfig": {
                "rayVersion": "2.52.0",
                "headGroupSpec": head([{"name": "dashboard", "containerPort": 8265}]),
            }
        },
    )
    cluster = build.rayservice_cluster(no_serve, "noserve-xyz12", CONFIG)
    message = (
        "Please specify a port named 'serve' (or with the prefix 'serve-', e.g. 'serve-grpc') in the Ray head container; "
        "otherwise, the Kubernetes service for Ray Serve will not be created."
    )
    with pytest.raises(build.RayServiceBuildError, match=f"^{re.escape(message)}$"):
        build.rayservice_serve_service(no_serve, cluster, CONFIG)
    no_serve["spec"]["serveService"] = {"spec": {"ports": [{"name": "http", "port": 80}]}}
    assert build.rayservice_serve_service(no_serve, cluster, CONFIG)["spec"] == {
        "selector": {"ray.io/cluster": "noserve-xyz12", "ray.io/serve": "true"},
        "ports": [{"name": "http", "port": 80}],
    }


def test_service_types_come_from_different_specs() -> None:
    """Head Service: the target cluster's ``serviceType``; serve Service: the RayService's (KubeRay's
    ``BuildServeService`` reads ``rayService.Spec.RayClusterSpec``), which differ while a switch waits."""
    source = fruit()
    cluster = build.rayservice_cluster(source, "rayservice-fruit-xyz12", CONFIG)
    source["spec"]["rayClusterConfig"]["headGroupSpec"]["serviceType"] = "NodePort"
    assert "type" not in build.rayservice_head_service(source, cluster, CONFIG)["spec"]
    assert build.rayservice_serve_service(source, cluster, CONFIG)["spec"]["type"] == "NodePort"
    cluster["spec"]["headGroupSpec"]["serviceType"] = "LoadBalancer"
    head_spec = build.rayservice_head_service(source, cluster, CONFIG)["spec"]
    assert (head_spec["type"], "clusterIP" in head_spec) == ("LoadBalancer", False)
    assert build.rayservice_serve_service(source, cluster, CONFIG)["spec"]["type"] == "NodePort"


def test_incremental_serve_service_is_per_cluster() -> None:
    source = incremental()
    cluster = build.rayservice_cluster(source, "inc-xyz12", CONFIG)
    labels = {
        "ray.io/originated-from-cr-name": "inc-xyz12",
        "ray.io/originated-from-crd": "RayService",
        "ray.io/serve": "inc-xyz12-serve",
    }
    assert build.rayservice_serve_service(source, cluster, CONFIG) == _svc(
        {"name": "inc-xyz12-serve-svc", "namespace": "ns", "labels": labels, "ownerReferences": [owner("inc")]},
        {
            "selector": {"ray.io/cluster": "inc-xyz12", "ray.io/serve": "true"},
            "ports": [{"name": "serve", "port": 8000}, {"name": "serve-grpc", "port": 9000}],
        },
    )
    assert build.rayservice_serve_service(source, cluster, NO_INCREMENTAL)["metadata"]["name"] == "ignored"


def test_switched_service_keeps_cluster_ip_and_metadata() -> None:
    source = fruit()
    old = build.rayservice_serve_service(
        source, build.rayservice_cluster(source, "rayservice-fruit-aaaaa", CONFIG), CONFIG
    )
    old["metadata"]["resourceVersion"] = "5"
    old["spec"].update(clusterIP="10.0.0.7", sessionAffinity="None")
    new = build.rayservice_serve_service(
        source, build.rayservice_cluster(source, "rayservice-fruit-bbbbb", CONFIG), CONFIG
    )
    assert build.service_cluster_name(old) == "rayservice-fruit-aaaaa"
    assert build.switched_service(old, copy.deepcopy(old)) is None
    switched = build.switched_service(old, new)
    assert switched is not None
    assert switched["metadata"] == old["metadata"]
    assert switched["spec"] == {
        "selector": {"ray.io/cluster": "rayservice-fruit-bbbbb", "ray.io/serve": "true"},
        "ports": [{"name": "serve", "port": 8000}],
        "clusterIP": "10.0.0.7",
    }


# --- Serve config, cache, statuses, label ---------------------------------------------------------


FRUIT_JSON = b'{"applications":[{"deployments":[{"name":"FruitMarket","num_replicas":1,"ray_actor_options":{"num_cpus":0.25}},{"name":"MangoStand","num_replicas":1,"ray_actor_options":{"num_cpus":0.25},"user_config":{"price":3}},{"name":"OrangeStand","num_replicas":1,"ray_actor_options":{"num_cpus":0.25},"user_config":{"price":2}},{"name":"PearStand","num_replicas":1,"ray_actor_options":{"num_cpus":0.25},"user_config":{"price":1}}],"import_path":"fruit.deployment_graph","name":"fruit","route_prefix":"/fruit","runtime_env":{"working_dir":"https://github.com/ray-project/test_dag/archive/78b4a5da38796123d9f9ffff59bab2792a043e95.zip"}}]}'
NOT_A_MAP = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}"


def test_sample_serve_config() -> None:
    assert serve.serve_config_json(fruit()) == FRUIT_JSON
    assert serve.serve_config_json(fruit(), target_capacity=50) == FRUIT_JSON[:-1] + b',"target_capacity":50}'


@pytest.mark.parametrize(
    ("text", "body"),
    [
        ("", "{}"),
        ("null\n", "{}"),
        ("~", "{}"),
        (
            "a: 18446744073709551615\nb: 9223372036854775807\nc: -9223372036854775808\nd: 9223372036854775808\n",
            '{"a":18446744073709552000,"b":9223372036854775807,"c":-9223372036854775808,"d":9223372036854776000}',
        ),
        (
            "a: -0.0\nb: 1.0\nc: 1e21\nd: 0.1\ne: 1e-7\nf: 1.5e300\ng: 100000000000000000000.0\nh: -0\ni: 3.0e2\n",
            '{"a":0,"b":1,"c":1e+21,"d":0.1,"e":1e-7,"f":1.5e+300,"g":100000000000000000000,"h":0,"i":300}',
        ),
        ("a: 0x1F\nb: 0777\nc: 0o17\nd: 0b101\ne: 1_000\nf: +5\n", '{"a":31,"b":511,"c":15,"d":5,"e":1000,"f":5}'),
        (
            "a: yes\nb: off\nc: Y\nd: null\ne: ~\nf: 'yes'\ng: NO\n",
            '{"a":true,"b":false,"c":true,"d":null,"e":null,"f":"yes","g":false}',
        ),
        (
            'a: \'<b>&amp;</b>\'\nb: "\\u2028x\\u00e9"\nc: "tab\\there\\nnl\\u0001"\n',
            '{"a":"\\u003cb\\u003e\\u0026amp;\\u003c/b\\u003e","b":"\\u2028x\u00e9","c":"tab\\there\\nnl\\u0001"}',
        ),
        ("a: 1\na: 2\n", '{"a":2}'),
        (
            "base: &b {x: 1, y: 2}\nder:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n",
            '{"base":{"true":2,"x":1},"der":{"true":3,"x":1},"list":[{"true":2,"x":1},{"true":2,"x":1}]}',
        ),
        (
            "1: a\n1.5: b\ntrue: c\n0x10: d\n-3: e\n1e3: f\n",
            '{"-3":"e","1":"a","1.5":"b","1000":"f","16":"d","true":"c"}',
        ),
        ("a: 1\n---\nb: 2\n", '{"a":1}'),
        ("a: 1e400\n", '{"a":"1e400"}'),
        ("a: !!binary aGVsbG8=\n", '{"a":"hello"}'),
        ("a: !!str 5\nb: !!float 3\n", '{"a":"5","b":3}'),
        ('{"b": 1, "a": [true, null, "s"]}', '{"a":[true,null,"s"],"b":1}'),
        (
            "applications:\n  - name: app\n    args: {x: [1, 2.5, {y: null}], z: []}\n    runtime_env: {}\n",
            '{"applications":[{"args":{"x":[1,2.5,{"true":null}],"z":[]},"name":"app","runtime_env":{}}]}',
        ),
        (
            "http_options:\n  host: 0.0.0.0\n  port: 8000\nproxy_location: EveryNode\ngrpc_options:\n  port: 9000\n  grpc_servicer_functions: []\napplications: []\n",
            '{"applications":[],"grpc_options":{"grpc_servicer_functions":[],"port":9000},"http_options":{"host":"0.0.0.0","port":8000},"proxy_location":"EveryNode"}',
        ),
    ],
)
def test_serve_config_json_matches_kuberay(text: str, body: str) -> None:
    assert serve.serve_config_json({"spec": {"serveConfigV2": text}}) == body.encode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]\n", NOT_A_MAP.format("array")),
        ("foo\n", NOT_A_MAP.format("string")),
        ("5", NOT_A_MAP.format("number")),
        ("true", NOT_A_MAP.format("bool")),
        ("a: .inf\n", "error converting YAML to JSON: json: unsupported value: +Inf"),
        ("~: 1\n", "error converting YAML to JSON: unsupported map key of type: %!s(<nil>), key: <nil>, value: 1"),
        (
            "a: 1\n  b: [\n",
            "error converting YAML to JSON: yaml: line 2: mapping values are not allowed",
        ),  # go-yaml: "... in this context"
    ],
)
def test_serve_config_errors(text: str, message: str) -> None:
    with pytest.raises(build.RayServiceBuildError, match=f"^{re.escape(message)}"):
        serve.serve_config_json({"spec": {"serveConfigV2": text}})


def test_serve_config_target_capacity_on_empty_and_cached_text() -> None:
    assert serve.serve_config_json({}, target_capacity=50) == b'{"target_capacity":50}'
    cached = serve.serve_config_json(fruit(), target_capacity=0, text="b: 1\na: [x]\n")
    assert cached == b'{"a":["x"],"b":1,"target_capacity":0}'


RUNNING = {"x": {"status": "RUNNING"}}


@pytest.mark.parametrize(
    ("cached", "spec_text", "apps", "expected"),
    [
        (None, "a: 1", RUNNING, (True, "Nothing has been cached for the cluster.")),
        ("", "a: 1", RUNNING, (True, "Nothing has been cached for the cluster.")),
        (
            "a: 1",
            "a: 1",
            {},
            (
                True,
                "No Serve application found in the RayCluster. A possible reason is that the head Pod crashed and GCS FT was not enabled.",
            ),
        ),
        ("a: 1", "a: 2", RUNNING, (True, "Current V2 Serve config doesn't match cached Serve config.")),
        ("a: 1", "a:  1", RUNNING, (True, "Current V2 Serve config doesn't match cached Serve config.")),
        ("a: 1", "a: 1", RUNNING, (False, "Current V2 Serve config matches cached Serve config.")),
    ],
)
def test_serve_submit_decision(
    cached: str | None, spec_text: str, apps: dict[str, Any], expected: tuple[bool, str]
) -> None:
    assert serve.serve_submit_decision(cached, spec_text, apps) == expected
    assert serve.serve_config_changed(cached, {"spec": {"serveConfigV2": spec_text}}, apps) is expected[0]


def test_serve_config_cache_rules() -> None:
    assert (
        serve.serve_config_changed("a: 1", {"spec": {"serveConfigV2": "a: 1"}}) is False
    )  # apps unknown: cache decides
    assert serve.cacheable_serve_config(fruit()) == fruit()["spec"]["serveConfigV2"]
    assert serve.cacheable_serve_config({"spec": {}}) is None  # an empty config is never cached


DETAILS_TWO = {
    "deploy_mode": "MULTI_APP",
    "applications": {
        "": {
            "name": "",
            "status": "RUNNING",
            "message": "",
            "route_prefix": "/",
            "docs_path": None,
            "deployments": {"D": {"name": "D", "status": "HEALTHY", "message": "", "route_prefix": None}},
        },
        "fruit": {
            "name": "fruit",
            "status": "DEPLOYING",
            "message": "Deploying app 'fruit'",
            "deployments": {
                "Mango": {"name": "Mango", "status": "UPDATING", "message": "starting"},
                "Pear": {"name": "Pear", "status": "UNHEALTHY", "message": "boom"},
            },
        },
    },
}


@pytest.mark.parametrize(
    ("details", "apps", "ready"),
    [
        (
            DETAILS_TWO,
            {
                "default": {"serveDeploymentStatuses": {"D": {"status": "HEALTHY"}}, "status": "RUNNING"},
                "fruit": {
                    "serveDeploymentStatuses": {
                        "Mango": {"status": "UPDATING", "message": "starting"},
                        "Pear": {"status": "UNHEALTHY", "message": "boom"},
                    },
                    "status": "DEPLOYING",
                    "message": "Deploying app 'fruit'",
                },
            },
            False,
        ),
        (
            {"applications": {"a": {"name": "a", "status": "RUNNING", "deployments": {}}, "b": {"status": "RUNNING"}}},
            {"a": {"status": "RUNNING"}, "b": {"status": "RUNNING"}},
            True,
        ),
        (
            {"applications": {"a": {"status": "DEPLOY_FAILED", "message": "Traceback ...\nImportError: x"}}},
            {"a": {"status": "DEPLOY_FAILED", "message": "Traceback ...\nImportError: x"}},
            False,
        ),
        (
            {"applications": {"a": {"name": "a", "deployments": {"d": {}}}}},
            {"a": {"serveDeploymentStatuses": {"d": {}}}},
            False,
        ),
        ({"applications": {}}, {}, False),
        ({"applications": None}, {}, False),
        ({}, {}, False),
    ],
)
def test_applications_status(details: dict[str, Any], apps: dict[str, Any], ready: bool) -> None:
    assert serve.applications_status(details) == apps
    assert serve.is_serve_ready(apps) is ready


def test_head_pod_serve_label() -> None:
    assert serve.serve_label_value(proxy_healthy=True) == "true"
    assert serve.serve_label_value(proxy_healthy=False) == "false"
    assert serve.serve_label_value(proxy_healthy=True, exclude_head_pod=True) == "false"
    assert serve.excludes_head_pod(custom()) is False
    assert serve.excludes_head_pod({"spec": {"excludeHeadPodFromServeSvc": True}}) is True


def test_num_serve_endpoints_counts_ready_pods_once() -> None:
    def endpoint(uid: str | None, ready: bool | None) -> dict[str, Any]:
        out: dict[str, Any] = {"addresses": ["10.0.0.1"], "conditions": {} if ready is None else {"ready": ready}}
        if uid is not None:
            out["targetRef"] = {"kind": "Pod", "uid": uid}
        return out

    ipv4 = {"endpoints": [endpoint("a", True), endpoint("b", False), endpoint("c", None), endpoint(None, True)]}
    ipv6 = {"endpoints": [endpoint("a", True), endpoint("d", True)]}
    assert serve.num_serve_endpoints([ipv4, ipv6, {"endpoints": None}]) == 2
    assert serve.num_serve_endpoints([]) == 0
