"""Operator settings for dashboard traffic: ``--use-kubernetes-proxy`` and ``--ray-address-override``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ray_operator.config import OperatorConfig, config_from_args
from ray_operator.dashboard.addressing import OverrideFile


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("USE_KUBERNETES_PROXY", "RAY_ADDRESS_OVERRIDE"):
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    assert OperatorConfig().use_kubernetes_proxy is False
    assert dict(OperatorConfig().ray_address_overrides) == {}
    config, _ = config_from_args([])
    assert config.use_kubernetes_proxy is False and dict(config.ray_address_overrides) == {}


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--use-kubernetes-proxy"], True),
        (["--use-kubernetes-proxy=true"], True),
        (["--use-kubernetes-proxy=1"], True),
        (["--use-kubernetes-proxy=T"], True),
        (["--use-kubernetes-proxy=false"], False),
        (["--use-kubernetes-proxy=0"], False),
    ],
)
def test_use_kubernetes_proxy_flag_is_a_go_bool(argv: list[str], expected: bool) -> None:
    assert config_from_args(argv)[0].use_kubernetes_proxy is expected


def test_use_kubernetes_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USE_KUBERNETES_PROXY", "true")
    assert config_from_args([])[0].use_kubernetes_proxy is True
    assert config_from_args(["--use-kubernetes-proxy=false"])[0].use_kubernetes_proxy is False  # the flag wins


def test_use_kubernetes_proxy_rejects_non_bools(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="--use-kubernetes-proxy: invalid boolean 'yes'"):
        config_from_args(["--use-kubernetes-proxy=yes"])
    monkeypatch.setenv("USE_KUBERNETES_PROXY", "on")
    with pytest.raises(SystemExit, match="invalid boolean 'on'"):
        config_from_args([])


def test_ray_address_override_flag_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    config, _ = config_from_args(["--ray-address-override=ns/cluster=127.0.0.1:8265,*=127.0.0.1:9265"])
    assert dict(config.ray_address_overrides) == {"ns/cluster": "127.0.0.1:8265", "*": "127.0.0.1:9265"}
    monkeypatch.setenv("RAY_ADDRESS_OVERRIDE", "*=127.0.0.1:1234")
    assert dict(config_from_args([])[0].ray_address_overrides) == {"*": "127.0.0.1:1234"}


def test_ray_address_override_file(tmp_path: Path) -> None:
    path = tmp_path / "overrides.txt"
    path.write_text("ns/a=127.0.0.1:1\n*=127.0.0.1:2\n")
    config, _ = config_from_args(["--ray-address-override", f"@{path}"])
    assert isinstance(config.ray_address_overrides, OverrideFile)
    assert dict(config.ray_address_overrides) == {"ns/a": "127.0.0.1:1", "*": "127.0.0.1:2"}


@pytest.mark.parametrize("value", ["ns/c", "ns/c=nohost", "x=127.0.0.1:1", "@/nonexistent/overrides"])
def test_ray_address_override_errors_stop_the_operator(value: str) -> None:
    with pytest.raises(SystemExit, match="--ray-address-override"):
        config_from_args([f"--ray-address-override={value}"])
