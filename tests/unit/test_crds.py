"""The generated CRDs: committed files are current, small enough for client-side apply,
structural, and carry KubeRay's names, defaults, enums, formats and printer columns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ray_operator.models import crdgen

REPO = Path(__file__).resolve().parents[2]
CRDS = REPO / "crds"
KINDS = list(crdgen.KINDS)


def load(kind: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CRDS / crdgen.file_name(kind)).read_text())
    return data


def schema(kind: str) -> dict[str, Any]:
    crd = crdgen.build_crd(kind)
    result: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return result


def walk(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema node with a readable path (``[]`` for list items, ``{}`` for map values)."""
    yield path, node
    for key, child in node.get("properties", {}).items():
        yield from walk(child, f"{path}.{key}")
    if "items" in node:
        yield from walk(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], f"{path}{{}}")


def nodes_with(kind: str, keyword: str) -> dict[str, Any]:
    return {path: node[keyword] for path, node in walk(schema(kind)) if keyword in node}


# --------------------------------------------------------------------------- generator and files


@pytest.mark.parametrize("kind", KINDS)
def test_committed_crd_equals_generator_output(kind: str) -> None:
    committed = (CRDS / crdgen.file_name(kind)).read_text()
    assert committed == crdgen.render(crdgen.build_crd(kind)), "run `python -m ray_operator.models.crdgen --out crds/`"


def test_check_mode_detects_stale_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert crdgen.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(crdgen.file_name(k) for k in KINDS)
    assert crdgen.main(["--check", "--out", str(tmp_path)]) == 0
    stale = tmp_path / crdgen.file_name("RayJob")
    stale.write_text(stale.read_text().replace("K8sJobMode", "HTTPMode", 1))
    capsys.readouterr()
    assert crdgen.main(["--check", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "ray.io_rayjobs.yaml out of date" in err and "crdgen --out" in err
    (tmp_path / crdgen.file_name("RayService")).unlink()
    assert crdgen.main(["--check", str(tmp_path)]) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_crd_fits_in_the_last_applied_annotation(kind: str) -> None:
    """kubectl's client-side apply copies the object into an annotation capped at 256 KiB; KubeRay's
    CRDs (0.9-1.4 MB) overflow it. Keep ours well below, with room to grow."""
    size = crdgen.applied_size(load(kind))
    share = size / crdgen.LAST_APPLIED_LIMIT
    print(f"{crdgen.file_name(kind)}: {size} bytes as JSON ({share:.1%} of the limit)")
    assert size < crdgen.LAST_APPLIED_LIMIT // 4


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_structural(kind: str) -> None:
    int_or_string = [{"type": "integer"}, {"type": "string"}]
    for path, node in walk(schema(kind)):
        for banned in ("$ref", "oneOf", "allOf", "not", "definitions", "$defs", "title"):
            assert banned not in node, f"{kind}{path}: {banned}"
        if node.get("x-kubernetes-int-or-string"):  # the one structural form without a type
            assert node["anyOf"] == int_or_string and "type" not in node, f"{kind}{path}"
            continue
        assert "anyOf" not in node, f"{kind}{path}"
        assert "type" in node, f"{kind}{path}: every node needs a type"
        assert not ("properties" in node and "additionalProperties" in node), f"{kind}{path}"
        if node["type"] == "integer":
            assert node.get("format") in ("int32", "int64"), f"{kind}{path}: integer without format"
        for rule in node.get("x-kubernetes-validations", []):
            allowed = {"rule", "message", "messageExpression", "fieldPath", "reason"}
            assert set(rule) <= allowed and rule["message"], f"{kind}{path}"


@pytest.mark.parametrize("kind", KINDS)
def test_only_kuberays_nullable_fields_are_nullable(kind: str) -> None:
    nullable = {path for path, value in nodes_with(kind, "nullable").items() if value}
    expected = {
        "RayCluster": {".status.lastUpdateTime"},
        "RayJob": {".status.rayClusterStatus.lastUpdateTime"},
        "RayService": {
            ".status.activeServiceStatus.rayClusterStatus.lastUpdateTime",
            ".status.pendingServiceStatus.rayClusterStatus.lastUpdateTime",
        },
    }[kind]
    assert nullable == expected


@pytest.mark.parametrize("kind", KINDS)
def test_crd_envelope_matches_kuberay(kind: str) -> None:
    crd = load(kind)
    plural = crdgen.KINDS[kind][1]
    assert crd["apiVersion"] == "apiextensions.k8s.io/v1"
    assert crd["metadata"] == {"name": f"{plural}.ray.io"}
    spec = crd["spec"]
    assert spec["group"] == "ray.io" and spec["scope"] == "Namespaced"
    assert spec["names"] == {
        "categories": ["all"],
        "kind": kind,
        "listKind": f"{kind}List",
        "plural": plural,
        "singular": kind.lower(),
    }
    (version,) = spec["versions"]  # v1 only: v1alpha1 is not served
    assert (version["name"], version["served"], version["storage"]) == ("v1", True, True)
    assert version["subresources"] == {"status": {}}
    root = version["schema"]["openAPIV3Schema"]
    assert root["properties"]["metadata"] == {"type": "object"}
    assert root["required"] == ["spec"]


PRINTER_COLUMNS = {
    "RayCluster": [
        ("desired workers", "integer", ".status.desiredWorkerReplicas", 0),
        ("available workers", "integer", ".status.availableWorkerReplicas", 0),
        ("cpus", "string", ".status.desiredCPU", 0),
        ("memory", "string", ".status.desiredMemory", 0),
        ("gpus", "string", ".status.desiredGPU", 0),
        ("tpus", "string", ".status.desiredTPU", 1),
        ("status", "string", ".status.state", 0),
        ("age", "date", ".metadata.creationTimestamp", 0),
        ("head pod IP", "string", ".status.head.podIP", 1),
        ("head service IP", "string", ".status.head.serviceIP", 1),
    ],
    "RayJob": [
        ("job status", "string", ".status.jobStatus", 0),
        ("deployment status", "string", ".status.jobDeploymentStatus", 0),
        ("ray cluster name", "string", ".status.rayClusterName", 0),
        ("start time", "string", ".status.startTime", 0),
        ("end time", "string", ".status.endTime", 0),
        ("age", "date", ".metadata.creationTimestamp", 0),
    ],
    "RayService": [
        ("service status", "string", ".status.serviceStatus", 0),
        ("num serve endpoints", "string", ".status.numServeEndpoints", 0),
    ],
}


@pytest.mark.parametrize("kind", KINDS)
def test_printer_columns_match_kuberay(kind: str) -> None:
    columns = load(kind)["spec"]["versions"][0]["additionalPrinterColumns"]
    actual = [(c["name"], c["type"], c["jsonPath"], c.get("priority", 0)) for c in columns]
    assert actual == PRINTER_COLUMNS[kind]
    for path in (c["jsonPath"] for c in columns if c["jsonPath"].startswith(".status")):
        assert path in dict(walk(schema(kind))), f"printer column {path} points at no field"


# --------------------------------------------------------------------------- KubeRay facts

WORKER_DEFAULTS = {"replicas": 0, "minReplicas": 0, "maxReplicas": 2147483647, "numOfHosts": 1, "priority": 0}


def _cluster_defaults(prefix: str) -> dict[str, Any]:
    defaults: dict[str, Any] = {f"{prefix}.workerGroupSpecs[].{k}": v for k, v in WORKER_DEFAULTS.items()}
    defaults[f"{prefix}.networkPolicy.mode"] = "DenyAll"
    return defaults


#: Every ``default:`` of KubeRay's v1 CRDs outside embedded core/v1 types.
KUBERAY_DEFAULTS: dict[str, dict[str, Any]] = {
    "RayCluster": _cluster_defaults(".spec"),
    "RayJob": {
        **_cluster_defaults(".spec.rayClusterSpec"),
        ".spec.backoffLimit": 0,
        ".spec.submissionMode": "K8sJobMode",
        ".spec.ttlSecondsAfterFinished": 0,
        ".spec.deletionStrategy.deletionRules[].condition.ttlSeconds": 0,
        ".status.succeeded": 0,
        ".status.failed": 0,
    },
    "RayService": {
        **_cluster_defaults(".spec.rayClusterConfig"),
        ".spec.upgradeStrategy.clusterUpgradeOptions.maxSurgePercent": 100,
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_defaults_are_exactly_kuberays(kind: str) -> None:
    assert nodes_with(kind, "default") == KUBERAY_DEFAULTS[kind]


def _cluster_enums(prefix: str) -> dict[str, list[str]]:
    return {
        f"{prefix}.upgradeStrategy.type": ["Recreate", "None"],
        f"{prefix}.authOptions.mode": ["disabled", "token"],
        f"{prefix}.autoscalerOptions.upscalingMode": ["Default", "Aggressive", "Conservative"],
        f"{prefix}.autoscalerOptions.version": ["v1", "v2"],
        f"{prefix}.gcsFaultToleranceOptions.backend": ["redis", "rocksdb"],
        f"{prefix}.gcsFaultToleranceOptions.storage.deletionPolicy": ["DeleteWithCluster", "Retain"],
        f"{prefix}.headGroupSpec.ingressOptions.pathType": ["Exact", "Prefix", "ImplementationSpecific"],
        f"{prefix}.networkPolicy.mode": ["DenyAll", "DenyAllIngress", "DenyAllEgress"],
    }


CONDITION_STATUS = ["True", "False", "Unknown"]
POLICIES = ["DeleteCluster", "DeleteWorkers", "DeleteSelf", "DeleteNone"]

#: KubeRay's CRD enums, plus two that KubeRay only checks in its controller (marked "ours").
EXPECTED_ENUMS: dict[str, dict[str, list[str]]] = {
    "RayCluster": {**_cluster_enums(".spec"), ".status.conditions[].status": CONDITION_STATUS},
    "RayJob": {
        **_cluster_enums(".spec.rayClusterSpec"),
        ".spec.submissionMode": ["K8sJobMode", "HTTPMode", "InteractiveMode", "SidecarMode"],  # ours
        ".spec.deletionStrategy.onSuccess.policy": POLICIES,
        ".spec.deletionStrategy.onFailure.policy": POLICIES,
        ".spec.deletionStrategy.deletionRules[].policy": POLICIES,
        ".spec.deletionStrategy.deletionRules[].condition.jobStatus": ["SUCCEEDED", "FAILED"],
        ".spec.deletionStrategy.deletionRules[].condition.jobDeploymentStatus": ["Failed"],
        ".status.rayClusterStatus.conditions[].status": CONDITION_STATUS,
    },
    "RayService": {
        **_cluster_enums(".spec.rayClusterConfig"),
        ".spec.upgradeStrategy.type": ["NewClusterWithIncrementalUpgrade", "NewCluster", "None"],  # ours
        ".status.conditions[].status": CONDITION_STATUS,
        ".status.activeServiceStatus.rayClusterStatus.conditions[].status": CONDITION_STATUS,
        ".status.pendingServiceStatus.rayClusterStatus.conditions[].status": CONDITION_STATUS,
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_enums(kind: str) -> None:
    assert nodes_with(kind, "enum") == EXPECTED_ENUMS[kind]


@pytest.mark.parametrize(
    ("kind", "path", "fmt"),
    [
        ("RayCluster", ".spec.workerGroupSpecs[].replicas", "int32"),
        ("RayCluster", ".spec.workerGroupSpecs[].numOfHosts", "int32"),
        ("RayCluster", ".status.observedGeneration", "int64"),
        ("RayCluster", ".status.lastUpdateTime", "date-time"),
        ("RayCluster", ".status.stateTransitionTimes{}", "date-time"),
        ("RayJob", ".spec.activeDeadlineSeconds", "int32"),
        ("RayJob", ".status.rayJobInfo.startTime", "date-time"),
        ("RayJob", ".status.observedGeneration", "int64"),
        ("RayService", ".status.numServeEndpoints", "int32"),
        ("RayService", ".status.activeServiceStatus.lastTrafficMigratedTime", "date-time"),
    ],
)
def test_formats(kind: str, path: str, fmt: str) -> None:
    assert nodes_with(kind, "format")[path] == fmt


@pytest.mark.parametrize("kind", KINDS)
def test_quantities_are_int_or_string_like_kuberay(kind: str) -> None:
    quantities = {p for p, v in nodes_with(kind, "x-kubernetes-int-or-string").items() if v}
    names = {p.rsplit(".", 1)[1] for p in quantities}
    assert names == {"desiredCPU", "desiredMemory", "desiredGPU", "desiredTPU", "size"}


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        ("RayCluster", ".spec.headGroupSpec.template"),
        ("RayCluster", ".spec.workerGroupSpecs[].template"),
        ("RayJob", ".spec.submitterPodTemplate"),
        ("RayService", ".spec.rayClusterConfig.headGroupSpec.template"),
    ],
)
def test_pod_templates_keep_labels_and_annotations(kind: str, template: str) -> None:
    nodes = dict(walk(schema(kind)))
    metadata = nodes[f"{template}.metadata"]
    assert metadata["properties"]["labels"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert metadata["properties"]["annotations"] == {
        "type": "object",
        "additionalProperties": {"type": "string"},
    }
    spec = nodes[f"{template}.spec"]
    assert spec["x-kubernetes-preserve-unknown-fields"] is True and spec["required"] == ["containers"]
    assert nodes[f"{template}.spec.containers[]"]["required"] == ["name", "image"]
    rules = [r["rule"] for r in nodes[template]["x-kubernetes-validations"]]
    assert rules == ["has(self.spec) && size(self.spec.containers) > 0"]


def test_name_rules_use_kuberays_limits() -> None:
    limits = {"RayCluster": 53, "RayJob": 47, "RayService": 47}
    for kind, limit in limits.items():
        rules = schema(kind)["x-kubernetes-validations"]
        assert rules[0]["rule"] == f"self.metadata.name.size() <= {limit}"
        assert "DNS-1035" in rules[1]["message"]


def test_cel_lists_are_bounded() -> None:
    """Rules iterating over lists need maxItems (and maxLength on compared strings) to pass the
    API server's cost estimate; these bounds are part of the API, so pin them."""
    nodes = dict(walk(schema("RayCluster")))
    assert nodes[".spec.workerGroupSpecs"]["maxItems"] == 64
    assert nodes[".spec.workerGroupSpecs[].groupName"]["maxLength"] == 63
    assert nodes[".spec.networkPolicy.workerGroups"]["maxItems"] == 64
    assert dict(walk(schema("RayJob")))[".spec.deletionStrategy.deletionRules"]["maxItems"] == 16


def test_yaml_is_plain_json_compatible() -> None:
    for kind in KINDS:
        crd = load(kind)
        assert json.loads(json.dumps(crd)) == crd
