"""``ray start`` rendering; expectations mirror KubeRay's ``pod_test.go`` (TestGenerateRayStartCommand,
TestUpdateRayStartParamsResources/Labels, TestSetMissingRayStartParams*, TestBuildPod*)."""

from __future__ import annotations

from typing import Any

import pytest

from ray_operator.builders import raystart


def _start_command(node_type: str, params: dict[str, str], resources: dict[str, Any]) -> str:
    params = dict(params)
    raystart.apply_container_resources(params, resources)
    return raystart.ray_start_command(node_type, params)


@pytest.mark.parametrize(
    ("node_type", "params", "resources", "expected"),
    [
        ("worker", {}, {"limits": {"nvidia.com/gpu": "1"}}, "ray start  --num-gpus=1 "),
        ("worker", {}, {"limits": {"nvidia.com/mig-2g.32gb": "1"}}, "ray start  --num-gpus=1 "),
        ("worker", {}, {"limits": {"google.com/tpu": "4"}}, """ray start  --resources='{"TPU":4}' """),
        (
            "head",
            {},
            {"limits": {"aws.amazon.com/neuroncore": "4"}},
            """ray start --head  --resources='{"neuron_cores":4}' """,
        ),
        (
            "head",
            {},
            {"limits": {"aws.amazon.com/neuroncore": "4", "nvidia.com/gpu": "1"}},
            """ray start --head  --num-gpus=1  --resources='{"neuron_cores":4}' """,
        ),
        (
            "head",
            {},
            {"limits": {"google.com/tpu": "8", "aws.amazon.com/neuroncore": "4", "nvidia.com/gpu": "1"}},
            """ray start --head  --num-gpus=1  --resources='{"neuron_cores":4}' """,
        ),
        (
            "head",
            {"resources": '"{"custom_resource":2}"'},
            {"limits": {"aws.amazon.com/neuroncore": "4"}},
            """ray start --head  --resources='{"custom_resource":2,"neuron_cores":4}' """,
        ),
        (
            "head",
            {"resources": """'{"custom_resource":2,"neuron_cores":3}'"""},
            {"limits": {"aws.amazon.com/neuroncore": "4"}},
            """ray start --head  --resources='{"custom_resource":2,"neuron_cores":3}' """,
        ),
        (
            "head",
            {"resources": """'{"custom_resource":2,"TPU":4}'"""},
            {"limits": {"google.com/tpu": "8"}},
            """ray start --head  --resources='{"custom_resource":2,"TPU":4}' """,
        ),
        (
            "head",
            {"resources": "{"},
            {"limits": {"aws.amazon.com/neuroncore": "4"}},
            "ray start --head  --resources={ ",
        ),
        ("head", {"include-log-monitor": "false"}, {}, "ray start --head  --include-log-monitor=false "),
        ("head", {"include-log-monitor": "true"}, {}, "ray start --head  --include-log-monitor=true "),
    ],
)
def test_generate_ray_start_command(
    node_type: str, params: dict[str, str], resources: dict[str, Any], expected: str
) -> None:
    assert _start_command(node_type, params, resources) == expected


def test_invalid_resources_flag_also_skips_gpus() -> None:
    """KubeRay gives up on all accelerators when the existing ``resources`` flag is not JSON."""
    assert _start_command("worker", {"resources": "{"}, {"limits": {"nvidia.com/gpu": "2"}}) == (
        "ray start  --resources={ "
    )


def test_cpu_and_memory_from_container_resources() -> None:
    # CPU: limit, else request, rounded up; memory: limit only.
    assert _start_command("worker", {}, {"limits": {"cpu": "1500m", "memory": "1Gi"}}) == (
        "ray start  --memory=1073741824  --num-cpus=2 "
    )
    assert _start_command("worker", {}, {"requests": {"cpu": "250m", "memory": "1Gi"}}) == "ray start  --num-cpus=1 "
    assert (
        _start_command("worker", {}, {"limits": {"cpu": "0"}, "requests": {"cpu": "3"}}) == "ray start  --num-cpus=3 "
    )
    assert _start_command("worker", {"num-cpus": "0"}, {"limits": {"cpu": "4"}}) == "ray start  --num-cpus=0 "


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ""),
        ({"b": "1", "a": "x"}, " --a=x  --b=1 "),
        ({"block": "true", "dashboard-host": "0.0.0.0"}, " --block  --dashboard-host=0.0.0.0 "),
        ({"disable-usage-stats": "TRUE", "verbose": "False"}, " --disable-usage-stats "),
        (
            {"log-color": "false", "include-dashboard": "True"},
            " --include-dashboard=True  --log-color=false ",
        ),
        ({"labels": "a=b,c=d"}, " --labels=a=b,c=d "),
    ],
)
def test_render_flags(params: dict[str, str], expected: str) -> None:
    assert raystart.render_flags(params) == expected


@pytest.mark.parametrize(
    ("initial", "resources", "expected"),
    [
        ({"existing": "true"}, None, {"existing": "true"}),
        ({}, {"cpu": "2", "memory": "4Gi"}, {"num-cpus": "2", "memory": "4294967296"}),
        ({}, {"CPU": "2", "GPU": "4"}, {"num-cpus": "2", "num-gpus": "4"}),
        ({}, {"nvidia.com/gpu": "1", "TPU": "4"}, {"num-gpus": "1", "resources": """'{"TPU":4}'"""}),
        (
            {"num-cpus": "1", "memory": "1000", "resources": """'{"Custom-Resource": 10}'"""},
            {"cpu": "4", "Custom-Resource": "5"},
            {"num-cpus": "4", "memory": "1000", "resources": """'{"Custom-Resource":5}'"""},
        ),
        ({}, {"cpu": "not-a-quantity", "custom": "1.5"}, {"resources": """'{"custom":1.5}'"""}),
        ({}, {"custom": "100m"}, {"resources": """'{"custom":0.1}'"""}),
    ],
)
def test_group_resources(initial: dict[str, str], resources: dict[str, str] | None, expected: dict[str, str]) -> None:
    params = dict(initial)
    raystart.apply_group_resources(params, resources)
    assert params == expected


@pytest.mark.parametrize(
    ("initial", "labels", "expected"),
    [
        (
            {},
            {
                "topology.kubernetes.io/zone": "us-central2",
                "ray.io/node-group": "worker-group-1",
                "cloud.google.com/gke-spot": "true",
            },
            {
                "labels": "cloud.google.com/gke-spot=true,ray.io/node-group=worker-group-1,"
                "topology.kubernetes.io/zone=us-central2"
            },
        ),
        (
            {"labels": "old=label,to-be=replaced", "resources": "x"},
            {"new": "label"},
            {"labels": "new=label", "resources": "x"},
        ),
        ({"labels": "some=labels"}, None, {"labels": "some=labels"}),
        ({"labels": "some=labels"}, {}, {"labels": "some=labels"}),
    ],
)
def test_group_labels(initial: dict[str, str], labels: dict[str, str] | None, expected: dict[str, str]) -> None:
    params = dict(initial)
    raystart.apply_group_labels(params, labels)
    assert params == expected


def test_missing_params_head() -> None:
    params = {"block": "false", "metrics-export-port": "9000"}
    raystart.set_missing_params(params, "head")
    assert params == {
        "block": "true",
        "metrics-export-port": "9000",
        "dashboard-host": "0.0.0.0",
        "dashboard-agent-listen-port": "52365",
    }


def test_missing_params_worker() -> None:
    params: dict[str, str] = {}
    raystart.set_missing_params(params, "worker", worker_address="svc.ns.svc.cluster.local:6379")
    assert params == {
        "address": "svc.ns.svc.cluster.local:6379",
        "block": "true",
        "metrics-export-port": "8080",
        "dashboard-agent-listen-port": "52365",
    }
    params = {"address": "elsewhere:1234", "dashboard-host": "localhost"}
    raystart.set_missing_params(params, "worker", worker_address="ignored")
    assert params["address"] == "elsewhere:1234"
    assert params["dashboard-host"] == "localhost"


START = "ray start  --block "


@pytest.mark.parametrize(
    ("command", "args", "overwrite", "login", "expected"),
    [
        (
            None,
            None,
            False,
            False,
            (["/bin/bash", "-c", "--"], [f"ulimit -n ${{RAY_START_ULIMIT_OPEN_FILES:-65536}}; {START}"]),
        ),
        (
            None,
            None,
            False,
            True,
            (["/bin/bash", "-cl", "--"], [f"ulimit -n ${{RAY_START_ULIMIT_OPEN_FILES:-65536}}; {START}"]),
        ),
        (
            ["echo"],
            ["hi", "there"],
            False,
            False,
            (
                ["/bin/bash", "-c", "--"],
                [f" echo  hi  there  && ulimit -n ${{RAY_START_ULIMIT_OPEN_FILES:-65536}}; {START}"],
            ),
        ),
        (["python"], ["-m", "x"], True, False, None),
        (["/bin/bash", "-c"], ["ray start --head --block"], False, False, None),
    ],
)
def test_container_command(
    command: list[str] | None,
    args: list[str] | None,
    overwrite: bool,
    login: bool,
    expected: tuple[list[str], list[str]] | None,
) -> None:
    assert raystart.container_command(command, args, START, overwrite=overwrite, login_shell=login) == expected
