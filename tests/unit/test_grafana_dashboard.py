"""The Grafana dashboard only queries metrics the operator exports, and covers what users watch.

Metric names are taken from every PromQL expression (panel targets and ``label_values`` variable
queries) and checked against the names the registry exports once the operator's modules are
imported: counters as ``*_total``, histograms as ``*_bucket``/``*_sum``/``*_count``. A renamed metric
or a typo in a panel fails here instead of showing "No data" in a user's Grafana.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from prometheus_client.registry import Collector

import ray_operator.runtime  # noqa: F401  (imports every module that defines metrics)
from ray_operator import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "grafana" / "ray-operator-dashboard.json"

_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPINGS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENT = re.compile(r"(?<![\w.$])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")
_KEYWORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"}
    | {"inf", "nan", "Inf", "NaN"}
)
_LABEL_VALUES = re.compile(r"^\s*label_values\((?P<selector>.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$")


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, keywords, labels and durations dropped)."""
    text = _STRINGS.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPINGS.sub(" ", text)
    return {m.group(1) for m in _IDENT.finditer(text) if not m.group(2) and m.group(1) not in _KEYWORDS}


def variable_metric_names(query: str) -> set[str]:
    match = _LABEL_VALUES.match(query)
    assert match, f"unsupported variable query {query!r}"
    return metric_names(match.group("selector"))


def exported_names() -> set[str]:
    """Every sample name the operator's registry can export (the CR collectors included)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}
    collectors: list[Collector] = [
        metrics.RayClusterCollector([]),
        metrics.RayJobCollector([]),
        metrics.RayServiceCollector([]),
    ]  # registered by the runtime with its informers; empty ones name the same families
    names: set[str] = set()
    for source in [REGISTRY, *collectors]:
        for family in source.collect():
            names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from panels(item.get("panels") or [])


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return loaded


def expressions(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in panels(dashboard["panels"]) for t in p.get("targets") or []]


def test_the_extractor_finds_metrics_and_nothing_else() -> None:
    expr = (
        "histogram_quantile(0.99, sum by (controller, le) (rate(controller_runtime_reconcile_time_seconds_bucket"
        '{namespace="$ns", controller=~"ray.*"}[$__rate_interval]))) / on (pod) group_left (name) '
        "kuberay_cluster_info offset 5m > bool 1e3"
    )
    assert metric_names(expr) == {"controller_runtime_reconcile_time_seconds_bucket", "kuberay_cluster_info"}
    assert variable_metric_names('label_values(workqueue_depth{namespace="x"}, name)') == {"workqueue_depth"}


def test_every_dashboard_query_names_an_exported_metric(dashboard: dict[str, Any]) -> None:
    exported = exported_names()
    queried: dict[str, set[str]] = {}
    for expr in expressions(dashboard):
        names = metric_names(expr)
        assert names, f"no metric in {expr!r}"
        for name in names:
            queried.setdefault(name, set()).add(expr)
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            for name in variable_metric_names(variable["query"]["query"]):
                queried.setdefault(name, set()).add(variable["name"])
    missing = {name: sorted(where) for name, where in queried.items() if name not in exported}
    assert not missing, missing


def test_a_misspelled_metric_would_be_caught() -> None:
    assert "controller_runtime_reconcile_total" in exported_names()
    assert "controller_runtime_reconcile" not in exported_names()  # the family name is not a sample
    assert "workqueue_depth_total" not in exported_names()


def test_the_dashboard_covers_what_kuberay_users_watch(dashboard: dict[str, Any]) -> None:
    used = set().union(*(metric_names(e) for e in expressions(dashboard)))
    wanted = {
        "controller_runtime_reconcile_total",
        "controller_runtime_reconcile_errors_total",
        "controller_runtime_reconcile_time_seconds_bucket",
        "workqueue_depth",
        "workqueue_adds_total",
        "workqueue_queue_duration_seconds_bucket",
        "rest_client_requests_total",
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "kuberay_cluster_info",
        "kuberay_cluster_condition_provisioned",
        "kuberay_cluster_provisioned_duration_seconds",
        "kuberay_job_info",
        "kuberay_job_deployment_status",
        "kuberay_job_execution_duration_seconds",
        "kuberay_service_info",
        "kuberay_service_condition_ready",
        "kuberay_service_condition_upgrade_in_progress",
    }
    assert wanted <= used, wanted - used


def test_panels_use_the_datasource_variable_and_have_unique_ids(dashboard: dict[str, Any]) -> None:
    ids = [p["id"] for p in panels(dashboard["panels"])]
    assert len(ids) == len(set(ids))
    for panel in panels(dashboard["panels"]):
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            assert panel["targets"], panel["title"]
    names = [v["name"] for v in dashboard["templating"]["list"]]
    assert names[0] == "datasource"
    used = {var for e in expressions(dashboard) for var in re.findall(r"\$(\w+)", e)} - {"__rate_interval"}
    assert used <= set(names), used - set(names)
