"""The toolchain explains what is missing instead of failing obscurely."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ray_operator.localcluster import toolchain
from ray_operator.localcluster.toolchain import REQUIRED, ToolchainError, ensure_toolchain


def _fake_binaries(directory: Path, names: tuple[str, ...]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = directory / name
        path.write_text("#!/bin/sh\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_prebuilt_directory_is_used_as_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_binaries(tmp_path, REQUIRED)
    monkeypatch.setenv("RAY_OPERATOR_BIN_DIR", str(tmp_path))
    assert ensure_toolchain().bin_dir == tmp_path.resolve()
    assert ensure_toolchain().path("etcd") == str(tmp_path.resolve() / "etcd")


def test_prebuilt_directory_lacking_binaries_names_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_binaries(tmp_path, ("etcd", "kubectl"))
    monkeypatch.setenv("RAY_OPERATOR_BIN_DIR", str(tmp_path))
    with pytest.raises(ToolchainError) as info:
        ensure_toolchain()
    message = str(info.value)
    assert "kube-apiserver" in message and "kwok" in message and "RAY_OPERATOR_BIN_DIR" in message
    assert "etcd," not in message.split("lacks executable(s):")[1]


def test_missing_go_says_how_to_get_binaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RAY_OPERATOR_BIN_DIR", raising=False)
    monkeypatch.setenv("RAY_OPERATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-path"))
    with pytest.raises(ToolchainError) as info:
        ensure_toolchain()
    message = str(info.value)
    assert "`go` is not on PATH" in message
    assert "Install Go" in message and "RAY_OPERATOR_BIN_DIR" in message
    assert toolchain.KUBERNETES_VERSION in message


def test_unreachable_module_proxy_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that cannot fetch modules names the proxy and the ways around it."""
    go = tmp_path / "bin" / "go"
    go.parent.mkdir()
    go.write_text(
        "#!/bin/sh\n"
        'echo \'go: k8s.io/api@v0.36.4: Get "https://proxy.golang.org/k8s.io/api/@v/v0.36.4.mod": '
        "dial tcp: lookup proxy.golang.org: no such host' >&2\nexit 1\n"
    )
    go.chmod(0o755)
    monkeypatch.delenv("RAY_OPERATOR_BIN_DIR", raising=False)
    monkeypatch.setenv("RAY_OPERATOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PATH", f"{go.parent}{os.pathsep}/usr/bin:/bin")
    with pytest.raises(ToolchainError) as info:
        ensure_toolchain(("etcd",))
    message = str(info.value)
    assert "building etcd failed" in message
    assert "no such host" in message  # go's own words are kept
    assert "Go module proxy" in message and "RAY_OPERATOR_BIN_DIR" in message


def test_cache_directory_changes_when_a_pin_changes(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for module in ("k8s", "etcd", "kwok", "helm"):
        (repo / "hack" / "toolchain" / module).mkdir(parents=True)
        (repo / "hack" / "toolchain" / module / "go.mod").write_text(f"module {module}\n")
    before = toolchain.cached_bin_dir(repo)
    (repo / "hack" / "toolchain" / "etcd" / "go.sum").write_text("changed\n")
    after = toolchain.cached_bin_dir(repo)
    assert before != after
    assert before.parent.name.startswith(f"k8s{toolchain.KUBERNETES_VERSION}-etcd{toolchain.ETCD_VERSION}")
