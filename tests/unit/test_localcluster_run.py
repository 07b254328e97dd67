"""``localcluster run --ray-head``: the operator's command line, the banner, the Ray-head launcher.

The real run (control plane + Ray head + a RayJob to SUCCEEDED) is too slow for a unit test; these
pin what it is built from. The launcher is exercised with a fake ``ray`` script that records how it
was called, so no Ray process starts here.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ray_operator.dashboard.addressing import parse_overrides
from ray_operator.localcluster import __main__ as cli
from ray_operator.localcluster import ray_head
from ray_operator.localcluster.ray_head import RayHeadError, launch_ray_head, start_ray_head

REPO = Path(__file__).resolve().parents[2]


def test_operator_argv_without_head_has_no_override() -> None:
    argv = cli.operator_argv("/py", "/kc", "127.0.0.1:0", "127.0.0.1:0")
    assert argv == [
        "/py",
        "-m",
        "ray_operator",
        "--kubeconfig=/kc",
        "--metrics-addr=127.0.0.1:0",
        "--health-probe-bind-address=127.0.0.1:0",
    ]


def test_operator_argv_with_head_sends_every_dashboard_to_it() -> None:
    argv = cli.operator_argv("/py", "/kc", ":8080", ":8082", ray_dashboard="127.0.0.1:41177")
    overrides = [a for a in argv if a.startswith("--ray-address-override=")]
    assert len(overrides) == 1
    # What the operator will parse: one wildcard key pointing at the head.
    value = overrides[0].split("=", 1)[1]
    assert parse_overrides(value) == {"*": "127.0.0.1:41177"}


def _parsed_run_args(monkeypatch: pytest.MonkeyPatch, *argv: str) -> argparse.Namespace:
    seen: list[argparse.Namespace] = []

    def record(args: argparse.Namespace) -> int:
        seen.append(args)
        return 0

    monkeypatch.setattr(cli, "cmd_run", record)
    assert cli.main(["run", *argv]) == 0
    return seen[0]


def test_run_parses_ray_head_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _parsed_run_args(monkeypatch, "--example", "examples/a.yaml")
    assert plain.ray_head is False
    with_head = _parsed_run_args(monkeypatch, "--ray-head", "--ray-head-cpus", "2", "--metrics-addr", "127.0.0.1:0")
    assert with_head.ray_head is True
    assert with_head.ray_head_cpus == 2
    assert with_head.metrics_addr == "127.0.0.1:0"


def test_banner_names_the_dashboard_only_with_a_head() -> None:
    with_head = cli.ready_banner("/kc", "kubectl", "127.0.0.1:8080", ray_dashboard="127.0.0.1:41177")
    assert "http://127.0.0.1:41177" in with_head
    assert "export KUBECONFIG=/kc" in with_head
    assert "curl -s http://127.0.0.1:8080/metrics" in with_head
    without = cli.ready_banner("/kc", "kubectl", ":8080")
    assert "Ray head" not in without
    assert "curl -s http://127.0.0.1:8080/metrics" in without


def test_banner_has_no_curl_line_for_a_random_port() -> None:
    assert "curl" not in cli.ready_banner("/kc", "kubectl", "127.0.0.1:0")
    assert "curl" not in cli.ready_banner("/kc", "kubectl", "0")


def test_missing_ray_is_one_line_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def no_cluster(*args: object, **kwargs: object) -> None:
        raise AssertionError("the control plane must not start without a ray launcher")

    monkeypatch.setattr(cli, "RAY_BIN", tmp_path / "ray")
    monkeypatch.setattr(cli, "LocalCluster", no_cluster)
    assert cli.main(["run", "--ray-head"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert str(tmp_path / "ray") in err


@pytest.fixture
def fake_ray(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A ``ray`` that records argv, PATH and its process group, then exits 3."""
    record = tmp_path / "record.json"
    script = tmp_path / "bin" / "ray"
    script.parent.mkdir()
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        f"open({str(record)!r}, 'w').write(json.dumps({{'argv': sys.argv[1:], 'path': os.environ['PATH'],"
        " 'pid': os.getpid(), 'pgid': os.getpgid(0), 'cwd': os.getcwd(),"
        " 'ray_address': os.environ.get('RAY_ADDRESS')}))\n"
        "sys.exit(3)\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")  # must not leak into the head
    return script, record


def test_launcher_pins_loopback_ports_session_and_path(fake_ray: tuple[Path, Path]) -> None:
    script, record = fake_ray
    head = launch_ray_head(num_cpus=2, ray_bin=script)
    try:
        head.process.wait(timeout=30)
        seen = json.loads(record.read_text())
    finally:
        head.stop()
    argv: list[str] = seen["argv"]
    assert argv[:3] == ["start", "--head", "--block"]
    assert "--node-ip-address=127.0.0.1" in argv and "--dashboard-host=127.0.0.1" in argv
    assert "--num-cpus=2" in argv
    ports = {a.split("=")[0]: int(a.split("=")[1]) for a in argv if a.split("=")[0].endswith("port")}
    assert len(ports) == 9 and len(set(ports.values())) == 9  # every port explicit and distinct
    assert head.dashboard_address == f"127.0.0.1:{ports['--dashboard-port']}"
    assert head.gcs_address == f"127.0.0.1:{ports['--port']}"
    assert seen["pgid"] == seen["pid"]  # its own process group: stop() kills only this head
    assert seen["cwd"] == str(head.temp_dir) and len(str(head.temp_dir)) < 30
    # Job entrypoints run ``python``: the virtualenv's, next to the launcher, comes first.
    assert seen["path"].split(os.pathsep)[0] == str(script.parent)
    assert seen["ray_address"] is None
    assert not head.temp_dir.exists()  # stop() removed it


def test_start_raises_with_log_and_cleans_up_when_head_exits(fake_ray: tuple[Path, Path]) -> None:
    script, _ = fake_ray
    before = set(Path("/tmp").glob("rh-*"))
    with pytest.raises(RayHeadError, match="exited with 3"):
        start_ray_head(ray_bin=script, timeout=30)
    assert set(Path("/tmp").glob("rh-*")) <= before


def test_start_without_launcher_is_a_ray_head_error(tmp_path: Path) -> None:
    with pytest.raises(RayHeadError, match="no ray launcher"):
        start_ray_head(ray_bin=tmp_path / "ray")


def test_tests_ray_head_reexports_the_package_module() -> None:
    import ray_head as tests_ray_head  # tests/ray_head.py, on pytest's pythonpath

    for name in ("start_ray_head", "RayHead", "serve_available", "free_port", "launch_ray_head", "RAY_BIN"):
        assert getattr(tests_ray_head, name) is getattr(ray_head, name)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("extra", "expected"), [([], False), (["RAY_HEAD=1"], True), (["RAY_HEAD=0"], False)])
def test_make_run_adds_ray_head_only_when_asked(extra: list[str], expected: bool) -> None:
    out = subprocess.run(
        ["make", "-n", "run", *extra], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    run_line = next(line for line in out.splitlines() if "ray_operator.localcluster run" in line)
    assert ("--ray-head" in run_line) is expected
