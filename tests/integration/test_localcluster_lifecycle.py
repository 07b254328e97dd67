"""The local control plane's own promises: background up/down, node options, and no orphans."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from helpers import wait_until

pytestmark = pytest.mark.cluster

LOCALCLUSTER = [sys.executable, "-m", "ray_operator.localcluster"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent has not reaped it yet.
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().split()[2] != "Z"


def test_up_prints_a_kubeconfig_and_down_stops_every_component(tmp_path: object) -> None:
    name = f"lifecycle-{uuid.uuid4().hex[:6]}"
    up = subprocess.run(
        [*LOCALCLUSTER, "up", "--name", name, "--nodes", "1", "--node-cpu", "4", "--node-gpus", "0"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert up.returncode == 0, up.stderr
    assert up.stdout.startswith("export KUBECONFIG=")
    kubeconfig = up.stdout.strip().split("=", 1)[1]
    state_file = os.path.join(os.path.dirname(os.path.dirname(kubeconfig)), "state.json")
    with open(state_file) as fh:
        state = json.load(fh)
    pids = [state["pid"], *state["components"].values()]
    try:
        kubectl = os.path.join(state["bin_dir"], "kubectl")
        nodes = json.loads(
            subprocess.run(
                [kubectl, f"--kubeconfig={kubeconfig}", "get", "nodes", "-o", "json"],
                capture_output=True, text=True, check=True,
            ).stdout
        )["items"]  # fmt: skip
        assert [n["status"]["capacity"]["cpu"] for n in nodes] == ["4"]
        assert nodes[0]["status"]["capacity"]["nvidia.com/gpu"] == "0"
        # A second `up` finds the running one instead of starting another.
        again = subprocess.run([*LOCALCLUSTER, "up", "--name", name], capture_output=True, text=True, timeout=60)
        assert again.stdout.strip() == up.stdout.strip()
    finally:
        down = subprocess.run([*LOCALCLUSTER, "down", "--name", name], capture_output=True, text=True, timeout=60)
    assert down.returncode == 0, down.stderr
    wait_until(lambda: not any(_alive(p) for p in pids), timeout=15, what="all components to exit")


def test_killing_the_owner_leaves_no_orphans() -> None:
    """Even SIGKILL of the Python process that owns the control plane takes every component along."""
    script = (
        "import json, sys, time\n"
        "from ray_operator.localcluster.cluster import LocalCluster, NodePool\n"
        "c = LocalCluster(nodes=NodePool(count=1))\n"
        "c.start()\n"
        "print(json.dumps(c.pids()), flush=True)\n"
        "time.sleep(600)\n"
    )
    owner = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None
        pids = list(json.loads(owner.stdout.readline()).values())
        assert len(pids) == 5 and all(_alive(p) for p in pids)
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids):
        assert time.monotonic() < deadline, f"orphans left: {[p for p in pids if _alive(p)]}"
        time.sleep(0.1)


def test_console_script_is_installed() -> None:
    script = os.path.join(os.path.dirname(sys.executable), "ray-operator")
    out = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    assert "--watch-namespace" in out.stdout and "--feature-gates" in out.stdout
