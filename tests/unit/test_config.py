"""Operator settings: KubeRay's environment switches, feature gates, flags."""

from __future__ import annotations

import dataclasses

import pytest

from ray_operator.config import (
    DEFAULT_FEATURE_GATES,
    OperatorConfig,
    config_from_args,
    parse_feature_gates,
)

ENV_NAMES = (
    "CLUSTER_DOMAIN",
    "ENABLE_INIT_CONTAINER_INJECTION",
    "ENABLE_PROBES_INJECTION",
    "ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE",
    "ENABLE_LOGIN_SHELL",
    "ENABLE_DETERMINISTIC_HEAD_POD_NAME",
    "ENABLE_RANDOM_POD_DELETE",
    "ENABLE_GCS_FT_REDIS_CLEANUP",
    "RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV",
    "WATCH_NAMESPACE",
    "METRICS_ADDR",
    "HEALTH_PROBE_BIND_ADDRESS",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "RECONCILE_CONCURRENCY",
    "KUBE_QPS",
    "KUBE_BURST",
    "FEATURE_GATES",
    "KUBECONFIG",
    "ENABLE_LEADER_ELECTION",
    "LEADER_ELECTION_NAMESPACE",
)

OPT_IN = {
    "ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE": "enable_ray_head_cluster_ip_service",
    "ENABLE_LOGIN_SHELL": "enable_login_shell",
    "ENABLE_DETERMINISTIC_HEAD_POD_NAME": "enable_deterministic_head_pod_name",
    "ENABLE_RANDOM_POD_DELETE": "enable_random_pod_delete",
}
OPT_OUT = {
    "ENABLE_INIT_CONTAINER_INJECTION": "enable_init_container_injection",
    "ENABLE_PROBES_INJECTION": "enable_probes_injection",
    "ENABLE_GCS_FT_REDIS_CLEANUP": "enable_gcs_ft_redis_cleanup",
}


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------------- environment switches


def test_defaults_equal_kuberays() -> None:
    config = OperatorConfig.from_env({})
    assert config == OperatorConfig()
    assert config.cluster_domain == "cluster.local"
    assert config.raycluster_requeue_seconds == 300.0
    for field in OPT_IN.values():
        assert getattr(config, field) is False, field
    for field in OPT_OUT.values():
        assert getattr(config, field) is True, field


@pytest.mark.parametrize("env_name", sorted(OPT_IN))
@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("TRUE", True), (" True ", True), ("1", False), ("yes", False), ("false", False), ("", False)],
)
def test_opt_in_switches(env_name: str, value: str, expected: bool) -> None:
    config = OperatorConfig.from_env({env_name: value})
    assert getattr(config, OPT_IN[env_name]) is expected
    others = {f for n, f in OPT_IN.items() if n != env_name}
    assert all(getattr(config, f) is False for f in others)


@pytest.mark.parametrize("env_name", sorted(OPT_OUT))
@pytest.mark.parametrize(
    ("value", "expected"),
    [("false", False), ("FALSE", False), ("False", False), ("0", True), ("no", True), ("true", True), ("", True)],
)
def test_opt_out_switches(env_name: str, value: str, expected: bool) -> None:
    config = OperatorConfig.from_env({env_name: value})
    assert getattr(config, OPT_OUT[env_name]) is expected
    others = {f for n, f in OPT_OUT.items() if n != env_name}
    assert all(getattr(config, f) is True for f in others)


def test_cluster_domain_and_requeue_seconds() -> None:
    config = OperatorConfig.from_env({"CLUSTER_DOMAIN": "corp.example", "RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV": "60"})
    assert config.cluster_domain == "corp.example"
    assert config.raycluster_requeue_seconds == 60.0
    assert OperatorConfig.from_env({"CLUSTER_DOMAIN": ""}).cluster_domain == "cluster.local"


@pytest.mark.parametrize("value", ["abc", "-5", "1.5", ""])
def test_invalid_requeue_seconds_fall_back_to_the_default(value: str) -> None:
    assert (
        OperatorConfig.from_env({"RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV": value}).raycluster_requeue_seconds == 300.0
    )


def test_from_env_reads_os_environ_and_overrides_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENABLE_LOGIN_SHELL", "true")
    monkeypatch.setenv("CLUSTER_DOMAIN", "from.env")
    config = OperatorConfig.from_env(cluster_domain="override", qps=5.0)
    assert config.enable_login_shell is True
    assert config.cluster_domain == "override"
    assert config.qps == 5.0


def test_config_is_immutable() -> None:
    config = OperatorConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.qps = 1.0  # type: ignore[misc]


# --------------------------------------------------------------------------- feature gates


def test_feature_gate_defaults() -> None:
    assert parse_feature_gates("") == DEFAULT_FEATURE_GATES
    assert parse_feature_gates(" , ,") == DEFAULT_FEATURE_GATES
    config = OperatorConfig()
    assert config.gate("RayClusterStatusConditions") is True
    assert config.gate("RayCronJob") is False
    assert config.gate("NoSuchGate") is False


def test_feature_gates_override_defaults() -> None:
    gates = parse_feature_gates("RayCronJob=true, RayClusterStatusConditions=false")
    assert gates["RayCronJob"] is True
    assert gates["RayClusterStatusConditions"] is False
    assert gates["RayJobDeletionPolicy"] is True  # untouched default
    assert set(gates) == set(DEFAULT_FEATURE_GATES)
    assert OperatorConfig(feature_gates=gates).gate("RayCronJob") is True


def test_feature_gates_accept_go_parsebool_spellings_and_spaces() -> None:
    gates = parse_feature_gates("RayCronJob = TRUE,RayClusterMTLS=1,RayMultiHostIndexing=F,RayJobDeletionPolicy=False")
    assert gates["RayCronJob"] is True
    assert gates["RayClusterMTLS"] is True
    assert gates["RayMultiHostIndexing"] is False
    assert gates["RayJobDeletionPolicy"] is False


def test_feature_gates_do_not_mutate_the_defaults() -> None:
    before = dict(DEFAULT_FEATURE_GATES)
    parse_feature_gates("RayCronJob=true")
    assert before == DEFAULT_FEATURE_GATES


@pytest.mark.parametrize("text", ["RayCronJob", "RayCronJob=", "RayCronJob=yes", "RayCronJob=tRuE", "=true"])
def test_malformed_feature_gate(text: str) -> None:
    with pytest.raises(ValueError, match=r"invalid feature gate|unknown feature gate"):
        parse_feature_gates(text)


def test_unknown_feature_gate_lists_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown feature gate 'NoSuchGate'.*RayCronJob"):
        parse_feature_gates("NoSuchGate=true")


# --------------------------------------------------------------------------- flags


def test_config_from_args_defaults() -> None:
    config, args = config_from_args([])
    assert config == OperatorConfig()
    assert args.kubeconfig == ""


def test_config_from_args_flags() -> None:
    config, args = config_from_args(
        [
            "--watch-namespace", " a, b ,,c",
            "--metrics-addr", "127.0.0.1:0",
            "--health-probe-bind-address", "0",
            "--log-level", "debug",
            "--log-format", "json",
            "--reconcile-concurrency", "8",
            "--qps", "50.5",
            "--burst", "70",
            "--feature-gates", "RayCronJob=true",
            "--kubeconfig", "/tmp/kc",
            "--enable-leader-election", "true",
            "--leader-election-namespace", "ray-system",
        ]
    )  # fmt: skip
    assert config.watch_namespaces == ("a", "b", "c")
    assert config.metrics_addr == "127.0.0.1:0"
    assert config.health_addr == "0"
    assert config.log_level == "DEBUG"
    assert config.log_format == "json"
    assert config.reconcile_concurrency == 8
    assert config.qps == 50.5
    assert config.burst == 70
    assert config.gate("RayCronJob") is True
    assert config.enable_leader_election is True
    assert config.leader_election_namespace == "ray-system"
    assert args.kubeconfig == "/tmp/kc"


def test_config_from_args_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCH_NAMESPACE", "ns1,ns2")
    monkeypatch.setenv("METRICS_ADDR", ":9090")
    monkeypatch.setenv("HEALTH_PROBE_BIND_ADDRESS", ":9091")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    monkeypatch.setenv("RECONCILE_CONCURRENCY", "2")
    monkeypatch.setenv("KUBE_QPS", "7")
    monkeypatch.setenv("KUBE_BURST", "9")
    monkeypatch.setenv("FEATURE_GATES", "RayClusterMTLS=true")
    monkeypatch.setenv("ENABLE_LEADER_ELECTION", "true")
    monkeypatch.setenv("ENABLE_INIT_CONTAINER_INJECTION", "False")
    monkeypatch.setenv("ENABLE_LOGIN_SHELL", "TRUE")
    monkeypatch.setenv("CLUSTER_DOMAIN", "example.org")
    config, _ = config_from_args([])
    assert config.watch_namespaces == ("ns1", "ns2")
    assert (config.metrics_addr, config.health_addr) == (":9090", ":9091")
    assert config.log_level == "WARNING"
    assert (config.reconcile_concurrency, config.qps, config.burst) == (2, 7.0, 9)
    assert config.gate("RayClusterMTLS") is True
    assert config.enable_leader_election is True
    assert config.enable_init_container_injection is False
    assert config.enable_login_shell is True
    assert config.cluster_domain == "example.org"


def test_flags_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_ADDR", ":9090")
    monkeypatch.setenv("FEATURE_GATES", "RayCronJob=true")
    config, _ = config_from_args(["--metrics-addr", ":7070", "--feature-gates", "RayCronJob=false"])
    assert config.metrics_addr == ":7070"
    assert config.gate("RayCronJob") is False


def test_bad_feature_gates_flag_exits_with_a_message() -> None:
    with pytest.raises(SystemExit, match="--feature-gates: unknown feature gate 'Nope'"):
        config_from_args(["--feature-gates", "Nope=true"])


def test_reconcile_concurrency_must_be_positive() -> None:
    with pytest.raises(SystemExit, match="at least 1"):
        config_from_args(["--reconcile-concurrency", "0"])


@pytest.mark.parametrize("argv", [["--log-format", "xml"], ["--enable-leader-election", "yes"], ["--bogus"]])
def test_invalid_flag_values_are_rejected_by_argparse(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as excinfo:
        config_from_args(argv)
    assert excinfo.value.code == 2
    assert "error:" in capsys.readouterr().err
