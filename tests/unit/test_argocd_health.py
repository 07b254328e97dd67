"""The Argo CD health checks in ``argocd/``, replayed with a real Lua on the recorded live objects.

Every ``testdata/*.yaml`` was written by ``tests/integration/test_argocd_health_live.py`` from an
object the operator produced (``RECORD_ARGOCD_TESTDATA=1``); ``health_test.yaml`` holds the
expected health in Argo CD's own format. The Lua runs as Argo CD runs it (Lua 5.1, no string
library; see ``argocd_health``). A few properties are checked on derived copies of the recorded
objects: an edit not yet observed is Progressing, and the deprecated status fields alone still work.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml

from argocd_health import (
    CUSTOMIZATIONS,
    GROUP,
    KINDS,
    HealthScriptError,
    health,
    health_tests,
    load_case,
    script_path,
)

ARGOCD = CUSTOMIZATIONS.parent
CASES = [(kind, t["inputPath"], t["healthStatus"]) for kind in KINDS for t in health_tests(kind)]


def case_id(case: tuple[str, str, Any]) -> str:
    return f"{case[0]}/{Path(case[1]).stem}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_recorded_object_has_the_expected_health(case: tuple[str, str, dict[str, str]]) -> None:
    kind, input_path, expected = case
    assert health(kind, load_case(kind, input_path)) == {"status": expected["status"], "message": expected["message"]}


# States each kind must have recorded (the list), with the health each must map to.
REQUIRED = {
    "RayCluster": {
        "no-status": "Progressing",
        "provisioning": "Progressing",
        "edited": "Progressing",
        "ready": "Healthy",
        "head-pod-lost": "Degraded",
        "replica-failure": "Degraded",
        "validation-failed": "Degraded",
        "suspending": "Progressing",
        "suspended": "Suspended",
    },
    "RayJob": {
        "no-status": "Progressing",
        "initializing": "Progressing",
        "waiting": "Progressing",
        "running": "Progressing",
        "complete": "Healthy",
        "retrying": "Progressing",
        "failed": "Degraded",
        "validation-failed": "Degraded",
        "suspending": "Progressing",
        "suspended": "Suspended",
        "resuming": "Progressing",
    },
    "RayService": {
        "no-status": "Progressing",
        "initializing": "Progressing",
        "ready": "Healthy",
        "edited": "Progressing",
        "upgrade-in-progress": "Progressing",
        "validation-failed": "Degraded",
        "initializing-timeout": "Degraded",
        "suspending": "Progressing",
        "suspended": "Suspended",
    },
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_state_is_recorded_and_listed_in_health_test_yaml(kind: str) -> None:
    folder = CUSTOMIZATIONS / GROUP / kind
    listed = {t["inputPath"]: t["healthStatus"]["status"] for t in health_tests(kind)}
    on_disk = {f"testdata/{p.name}" for p in (folder / "testdata").glob("*.yaml")}
    assert set(listed) == on_disk
    assert {Path(p).stem: s for p, s in listed.items()} == REQUIRED[kind]
    for input_path in listed:
        obj = load_case(kind, input_path)
        assert obj["kind"] == kind and obj["apiVersion"] == "ray.io/v1"
        assert set(obj["metadata"]) <= {"name", "namespace", "generation"}


def recorded(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(Path(t["inputPath"]).stem, load_case(kind, t["inputPath"])) for t in health_tests(kind)]


@pytest.mark.parametrize("kind", ["RayCluster", "RayService"])
def test_an_edit_not_yet_observed_is_progressing_in_every_recorded_state(kind: str) -> None:
    for case, obj in recorded(kind):
        if "observedGeneration" not in (obj.get("status") or {}):
            continue
        edited = copy.deepcopy(obj)
        edited["metadata"]["generation"] = obj["status"]["observedGeneration"] + 1
        got = health(kind, edited)
        if kind == "RayService" and case == "validation-failed":  # a rejected spec is never observed
            assert got["status"] == "Degraded", (case, got)
        else:
            assert got["status"] == "Progressing", (case, got)
            assert "observe generation" in got["message"], (case, got)


def test_rayjob_honours_observed_generation_only_when_present() -> None:
    # KubeRay (and so the operator) never sets it on a RayJob: the state alone decides.
    cases = dict(recorded("RayJob"))
    complete = cases["complete"]
    assert "observedGeneration" not in complete["status"]
    assert health("RayJob", complete)["status"] == "Healthy"
    stale = copy.deepcopy(complete)
    stale["status"]["observedGeneration"] = stale["metadata"]["generation"] - 1
    assert health("RayJob", stale)["status"] == "Progressing"


def test_raycluster_without_conditions_falls_back_to_the_deprecated_state() -> None:
    # Feature gate RayClusterStatusConditions off: KubeRay writes status.state and no conditions.
    expected = {"ready": "Healthy", "suspended": "Suspended", "provisioning": "Progressing"}
    cases = dict(recorded("RayCluster"))
    for case, status in expected.items():
        obj = copy.deepcopy(cases[case])
        del obj["status"]["conditions"]
        assert health("RayCluster", obj)["status"] == status, case
    failed = copy.deepcopy(cases["provisioning"])
    del failed["status"]["conditions"]
    failed["status"].update(state="failed", reason="head Pod failed")
    assert health("RayCluster", failed) == {"status": "Degraded", "message": "head Pod failed"}


def test_rayservice_without_a_ready_condition_falls_back_to_service_status() -> None:
    cases = dict(recorded("RayService"))
    for case, status in {"ready": "Healthy", "initializing": "Progressing"}.items():
        obj = copy.deepcopy(cases[case])
        obj["status"]["conditions"] = [c for c in obj["status"]["conditions"] if c["type"] != "Ready"]
        assert health("RayService", obj)["status"] == status, case


# --------------------------------------------------------------------------- the Lua environment


def test_scripts_run_without_the_string_library_as_in_argo_cd() -> None:
    """The harness is as strict as Argo CD: string functions and methods are not there."""
    for source in ('return {status = string.lower("Healthy")}', 'return {status = ("Healthy"):lower()}'):
        with pytest.raises(HealthScriptError, match="attempt to index"):
            health("RayJob", {}, source=source)
    with pytest.raises(HealthScriptError, match="invalid health status"):
        health("RayJob", {}, source='return {status = "Fine"}')
    assert health(
        "RayJob", {}, source='return {status = "Heal" .. "thy", message = table.concat({"a", "b"}, ",")}'
    ) == {
        "status": "Healthy",
        "message": "a,b",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_scripts_survive_odd_objects(kind: str) -> None:
    """No status, an empty status, empty conditions, unknown values: a health, never a Lua error."""
    base: dict[str, Any] = {"apiVersion": "ray.io/v1", "kind": kind, "metadata": {"name": "x", "generation": 1}}
    odd: list[dict[str, Any]] = [
        {},
        {"observedGeneration": 1},
        {"observedGeneration": 1, "conditions": []},
        {"observedGeneration": 1, "conditions": [{"type": "Ready"}], "jobDeploymentStatus": "Bogus"},
    ]
    for status in [None, *odd]:
        obj = copy.deepcopy(base)
        if status is not None:
            obj["status"] = status
        got = health(kind, obj)
        assert got["status"] in {"Progressing", "Unknown"}, (status, got)
        assert got["message"], (status, got)


# --------------------------------------------------------------------------- argocd-cm and the Application


def test_argocd_cm_embeds_exactly_the_health_scripts() -> None:
    text = (ARGOCD / "argocd-cm.yaml").read_text()
    spec = importlib.util.spec_from_file_location("render_argocd_cm", ARGOCD / "render_argocd_cm.py")
    assert spec is not None and spec.loader is not None
    renderer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(renderer)
    assert text == renderer.render(), "argocd-cm.yaml is stale: run python argocd/render_argocd_cm.py"
    cm = yaml.safe_load(text)
    assert (cm["apiVersion"], cm["kind"], cm["metadata"]["name"]) == ("v1", "ConfigMap", "argocd-cm")
    health_keys = {k: v for k, v in cm["data"].items() if k.startswith("resource.customizations.health.")}
    assert health_keys == {
        f"resource.customizations.health.{GROUP}_{kind}": script_path(kind).read_text() for kind in KINDS
    }


def test_example_application_deploys_ray_objects_with_argo_cd() -> None:
    app = yaml.safe_load((ARGOCD / "application.yaml").read_text())
    assert (app["apiVersion"], app["kind"]) == ("argoproj.io/v1alpha1", "Application")
    assert app["spec"]["source"]["path"] and app["spec"]["destination"]["namespace"]
