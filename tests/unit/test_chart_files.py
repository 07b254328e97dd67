"""The chart's files agree with each other and with the operator; the kind scripts pass shellcheck.

``make e2e-kind`` needs a container engine, which the test machines lack: shellcheck is the check
those scripts get here (install it with ``apt-get install -y shellcheck``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from ray_operator.config import DEFAULT_FEATURE_GATES

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "ray-operator"
KIND = REPO / "hack" / "kind"
#: Free-form Kubernetes objects (resources, securityContext...): the schema stops at their top.
OPEN_OBJECTS = {
    "resources",
    "podSecurityContext",
    "securityContext",
    "labels",
    "annotations",
    "nodeSelector",
    "affinity",
    "metrics.serviceMonitor.additionalLabels",
}


def leaf_paths(values: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and path not in OPEN_OBJECTS:
            paths |= leaf_paths(value, f"{path}.")
        else:
            paths.add(path)
    return paths


def schema_paths(schema: dict[str, Any], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}{key}"
        if "properties" in sub and path not in OPEN_OBJECTS:
            paths |= schema_paths(sub, f"{path}.")
        else:
            paths.add(path)
    return paths


def test_the_schema_covers_exactly_the_values() -> None:
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    schema = json.loads((CHART / "values.schema.json").read_text())
    assert schema["additionalProperties"] is False  # a typo fails instead of being ignored
    assert leaf_paths(values) == schema_paths(schema) - {"global"}


def test_every_value_has_a_comment() -> None:
    """Each value in values.yaml has a comment right above it, or above one of its parents."""
    lines = (CHART / "values.yaml").read_text().splitlines()
    parents: list[tuple[int, bool]] = []  # (indent, documented) of the enclosing keys
    undocumented = []
    for i, line in enumerate(lines):
        match = re.match(r"^(\s*)([A-Za-z]\w*):(.*)$", line)
        if not match:
            continue
        indent, key, rest = len(match.group(1)), match.group(2), match.group(3).split("#")[0].strip()
        while parents and parents[-1][0] >= indent:
            parents.pop()
        documented = (i > 0 and lines[i - 1].lstrip().startswith("#")) or any(d for _, d in parents)
        if rest:
            if not documented:
                undocumented.append(key)
        else:
            parents.append((indent, documented))
    assert undocumented == []


def test_feature_gate_names_are_the_operators() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text())
    names = schema["properties"]["featureGates"]["items"]["properties"]["name"]["enum"]
    assert sorted(names) == sorted(DEFAULT_FEATURE_GATES)
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert {g["name"]: g["enabled"] for g in values["featureGates"]}.items() <= DEFAULT_FEATURE_GATES.items()


def test_image_runs_as_the_charts_non_root_user() -> None:
    """The Dockerfile's USER is the chart's runAsUser (numeric, so runAsNonRoot can verify it)."""
    dockerfile = (REPO / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, flags=re.M)
    security = yaml.safe_load((CHART / "values.yaml").read_text())["securityContext"]
    assert users[-1] == str(security["runAsUser"]) and users[-1] != "0"
    assert security["readOnlyRootFilesystem"] is True
    # Nothing is written under the image's root: bytecode off, temporary files in the chart's /tmp.
    assert "PYTHONDONTWRITEBYTECODE=1" in dockerfile
    deployment = (CHART / "templates" / "deployment.yaml").read_text()
    assert "mountPath: /tmp" in deployment and "emptyDir: {}" in deployment


def test_kind_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (apt-get install -y shellcheck); hack/kind/*.sh went unchecked")
    scripts = sorted(KIND.glob("*.sh"))
    assert scripts, "no scripts under hack/kind"
    for script in scripts:
        assert os.access(script, os.X_OK), f"{script.name} is not executable"
    proc = subprocess.run(
        [shellcheck, "--severity=style", "--external-sources", *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_make_e2e_kind_runs_the_script_with_the_kind_config() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^e2e-kind:\n\thack/kind/e2e\.sh$", makefile, flags=re.M)
    config = yaml.safe_load((KIND / "kind-config.yaml").read_text())
    assert config["kind"] == "Cluster" and config["apiVersion"] == "kind.x-k8s.io/v1alpha4"
    script = (KIND / "e2e.sh").read_text()
    assert "hack/kind/kind-config.yaml" in script
    for example in re.findall(r"examples/[\w.-]+\.yaml", script):
        assert (REPO / example).is_file(), example


STUB = """#!/usr/bin/env bash
# Records the call; answers what e2e.sh polls for as if every step succeeded.
printf '%s %s\\n' "$(basename "$0")" "$*" >> "$E2E_CALLS"
case "$*" in
  *"get clusters"*) echo ray-operator-e2e ;;
  *"{.status.state}"*) echo -n ready ;;
  *"{.status.jobDeploymentStatus}"*) echo -n Complete ;;
  *"{.status.jobStatus}"*) echo -n SUCCEEDED ;;
  *'@.type=="Ready"'*) echo -n True ;;
  *"{.status.serviceStatus}"*) echo -n Running ;;
  *"run fruit-client"*) echo 6 ;;
esac
"""


@pytest.mark.parametrize("mode", ["cluster", "single"])
def test_kind_script_runs_its_steps_in_order_with_stub_tools(tmp_path: Path, mode: str) -> None:
    """Without a container engine, the control flow runs against stand-ins for docker, kind,
    kubectl and helm: the steps happen in order, and the cluster is deleted at the end."""
    calls = tmp_path / "calls"
    for tool in ("docker", "kind", "kubectl", "helm"):
        (tmp_path / tool).write_text(STUB)
        (tmp_path / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "E2E_CALLS": str(calls), "INSTALL_MODE": mode}
    proc = subprocess.run([str(KIND / "e2e.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = calls.read_text().splitlines()
    steps = [
        "docker build -t ray-operator:e2e",
        "kind create cluster --name ray-operator-e2e",
        "kind load docker-image ray-operator:e2e",
        "kubectl --context kind-ray-operator-e2e label namespace ray-system pod-security.kubernetes.io/enforce",
        "kubectl --context kind-ray-operator-e2e apply --server-side -f",
        "helm install ray-operator",
        "helm upgrade ray-operator",
        "raycluster-basic.yaml",
        "rayjob-k8sjobmode.yaml",
        "rayservice.yaml",
        "kind delete cluster --name ray-operator-e2e",
    ]
    at = 0
    for step in steps:  # each step after the previous one
        at = next((i for i in range(at, len(lines)) if step in lines[i]), -1)
        assert at >= 0, f"{step!r} missing or out of order in {lines}"
    install = next(line for line in lines if line.startswith("helm install"))
    assert ("singleNamespaceInstall=true" in install) is (mode == "single")
    assert "image.pullPolicy=Never" in install and "--skip-crds" in install
    assert "e2e passed" in proc.stderr


def test_kind_script_stops_on_a_failed_rayjob(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    for tool in ("docker", "kind", "kubectl", "helm"):
        (tmp_path / tool).write_text(STUB.replace("echo -n SUCCEEDED", "echo -n FAILED"))
        (tmp_path / tool).chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}", "E2E_CALLS": str(calls)}
    proc = subprocess.run([str(KIND / "e2e.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "rayjob/rayjob-k8sjob: {.status.jobStatus} is FAILED" in proc.stderr
    assert "rayservice.yaml" not in calls.read_text()
    assert "kind delete cluster --name ray-operator-e2e" in calls.read_text()  # cleaned up on failure too
