"""``python -m ray_operator.localcluster``: build, start and stop the local control plane.

build            build (or find) the control-plane binaries and print their directory
up               start a control plane in the background; print the KUBECONFIG export line
down             stop the background control plane
run              control plane + CRDs + operator in the foreground (+ examples); Ctrl-C ends all
                 (--ray-head: and a real Ray head on 127.0.0.1 that runs the RayJobs)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType

from ray_operator.localcluster.cluster import ClusterError, LocalCluster, NodePool, die_with_parent
from ray_operator.localcluster.ray_head import RAY_BIN, RayHead, RayHeadError, launch_ray_head
from ray_operator.localcluster.toolchain import (
    BINARIES,
    REQUIRED,
    ToolchainError,
    cache_root,
    ensure_toolchain,
)


def _state_dir(name: str) -> Path:
    return cache_root() / "clusters" / name


def _node_pool(args: argparse.Namespace) -> NodePool:
    return NodePool(count=args.nodes, cpu=args.node_cpu, memory=args.node_memory, gpus=args.node_gpus)


def cmd_build(args: argparse.Namespace) -> int:
    names = tuple(BINARIES) if args.all else REQUIRED
    toolchain = ensure_toolchain(names)
    print(toolchain.bin_dir)
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    while not stop.wait(1.0):
        pass


def cmd_serve(args: argparse.Namespace) -> int:
    """The background supervisor behind ``up``: owns the cluster until SIGTERM."""
    state_dir = _state_dir(args.name)
    state_file = state_dir / "state.json"
    shutil.rmtree(state_dir / "run", ignore_errors=True)  # never reuse the etcd data of an earlier run
    cluster = LocalCluster(nodes=_node_pool(args), workdir=state_dir / "run")
    try:
        cluster.start()
    except (ClusterError, ToolchainError) as exc:
        state_file.write_text(json.dumps({"error": str(exc)}))
        return 1
    state_file.write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "kubeconfig": str(cluster.kubeconfig),
                "server": cluster.server,
                "bin_dir": str(cluster.toolchain.bin_dir),
                "components": cluster.pids(),
                "startup_seconds": cluster.startup_seconds,
            }
        )
    )
    try:
        _wait_for_signal()
    finally:
        cluster.stop()
        with contextlib.suppress(FileNotFoundError):
            state_file.unlink()
    return 0


def _read_state(name: str) -> dict[str, object] | None:
    try:
        state: dict[str, object] = json.loads((_state_dir(name) / "state.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def cmd_up(args: argparse.Namespace) -> int:
    state = _read_state(args.name)
    if state and isinstance(state.get("pid"), int) and _alive(int(state["pid"])):  # type: ignore[call-overload]
        print(f"export KUBECONFIG={state['kubeconfig']}")
        return 0
    ensure_toolchain()  # build in the foreground so progress and errors are visible
    state_dir = _state_dir(args.name)
    state_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (state_dir / "state.json").unlink()
    log = open(state_dir / "supervisor.log", "wb")  # noqa: SIM115 - handed to the child
    cmd = [
        sys.executable,
        "-m",
        "ray_operator.localcluster",
        "serve",
        "--name",
        args.name,
        "--nodes",
        str(args.nodes),
        "--node-cpu",
        args.node_cpu,
        "--node-memory",
        args.node_memory,
        "--node-gpus",
        args.node_gpus,
    ]
    subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    log.close()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        state = _read_state(args.name)
        if state:
            if "error" in state:
                print(f"control plane failed to start: {state['error']}", file=sys.stderr)
                return 1
            print(f"# control plane up ({state['server']}); use it from this shell with:", file=sys.stderr)
            print(f"export KUBECONFIG={state['kubeconfig']}")
            return 0
        time.sleep(0.2)
    print(f"timed out; see {state_dir / 'supervisor.log'}", file=sys.stderr)
    return 1


def cmd_down(args: argparse.Namespace) -> int:
    state = _read_state(args.name)
    if not state or not isinstance(state.get("pid"), int):
        print("no local control plane is running", file=sys.stderr)
        return 0
    pid = int(state["pid"])  # type: ignore[call-overload]
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    print("local control plane stopped", file=sys.stderr)
    return 0


def _loopback(addr: str) -> str:
    """``:8080`` (all interfaces) as the address to connect to: ``127.0.0.1:8080``."""
    return f"127.0.0.1{addr}" if addr.startswith(":") else addr


def operator_argv(
    python: str, kubeconfig: str, metrics_addr: str, health_addr: str, ray_dashboard: str | None = None
) -> list[str]:
    """The operator's command line; with a Ray head, every cluster's dashboard is that head."""
    argv = [
        python,
        "-m",
        "ray_operator",
        f"--kubeconfig={kubeconfig}",
        f"--metrics-addr={metrics_addr}",
        f"--health-probe-bind-address={health_addr}",
    ]
    if ray_dashboard is not None:
        argv.append(f"--ray-address-override=*={ray_dashboard}")
    return argv


def ready_banner(kubeconfig: str, kubectl: str, metrics_addr: str, ray_dashboard: str | None = None) -> str:
    """What to do in another shell once everything runs (no curl line for a port chosen at random)."""
    metrics = _loopback(metrics_addr)
    lines = [
        "[run] ready. In another shell:",
        f"  export KUBECONFIG={kubeconfig}",
        f"  {kubectl} get rayclusters,rayjobs,pods,services",
    ]
    if metrics != "0" and not metrics.endswith(":0"):
        lines.append(f"  curl -s http://{metrics}/metrics")
    if ray_dashboard is not None:
        lines += [
            f"[run] Ray head (every cluster's dashboard): http://{ray_dashboard}",
            f"  {RAY_BIN} job list --address http://{ray_dashboard}",
        ]
    stops = (
        "the operator, the Ray head and the control plane" if ray_dashboard else "the operator and the control plane"
    )
    lines.append(f"[run] Ctrl-C stops {stops}.")
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    """Everything in the foreground, for ``make run``; ``--ray-head`` adds a real Ray head on loopback."""
    if args.ray_head and not RAY_BIN.exists():
        print(
            f"[run] --ray-head: no ray launcher at {RAY_BIN}; install ray[default] into the virtualenv", file=sys.stderr
        )
        return 1
    repo = Path.cwd()
    cluster = LocalCluster(nodes=_node_pool(args), log=lambda m: print(f"[run] {m}", file=sys.stderr))
    operator: subprocess.Popen[bytes] | None = None
    head: RayHead | None = None
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    started = time.monotonic()
    try:
        if args.ray_head:  # spawned first: it starts while the control plane does
            head = launch_ray_head(num_cpus=args.ray_head_cpus)
        cluster.start()
        if head is not None:
            head.wait_ready(timeout=120)
            print(f"[run] Ray head ready in {time.monotonic() - started:.1f}s: {head.dashboard_url}", file=sys.stderr)
        crds = repo / "crds"
        if crds.is_dir() and any(crds.glob("*.yaml")):
            cluster.kubectl("apply", "-f", str(crds))
            cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
            print("[run] CRDs installed from crds/", file=sys.stderr)
        dashboard = head.dashboard_address if head is not None else None
        operator = subprocess.Popen(
            operator_argv(sys.executable, cluster.kubeconfig, args.metrics_addr, args.health_addr, dashboard),
            env=cluster.env(),
            start_new_session=True,  # Ctrl-C reaches us only; we stop the operator, then the cluster
            preexec_fn=die_with_parent,
        )
        for example in args.example:
            path = repo / example
            if path.exists():
                out = cluster.kubectl("apply", "-f", str(path), check=False)
                print(f"[run] kubectl apply -f {example}: {(out.stdout + out.stderr).strip()}", file=sys.stderr)
        kubectl = cluster.toolchain.path("kubectl")
        print(ready_banner(cluster.kubeconfig, str(kubectl), args.metrics_addr, dashboard), file=sys.stderr)
        while not stop.wait(0.5):
            if operator.poll() is not None:
                print(f"[run] operator exited with code {operator.returncode}", file=sys.stderr)
                return operator.returncode or 1
            if head is not None and not head.alive():
                print(f"[run] Ray head exited:\n{head.log_tail()}", file=sys.stderr)
                return 1
        return 0
    except (ClusterError, ToolchainError, RayHeadError) as exc:
        print(f"[run] {exc}", file=sys.stderr)
        return 1
    finally:
        if operator is not None and operator.poll() is None:
            operator.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                operator.wait(timeout=10)
            if operator.poll() is None:
                operator.kill()
        if head is not None:
            head.stop()
        cluster.stop()
        print("[run] stopped", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ray_operator.localcluster",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--nodes",
            type=int,
            default=int(os.environ.get("LOCAL_NODES", "3")),
            help="fake KWOK nodes (env LOCAL_NODES, default 3)",
        )
        p.add_argument("--node-cpu", default="32")
        p.add_argument("--node-memory", default="256Gi")
        p.add_argument("--node-gpus", default="8", help="nvidia.com/gpu per node")

    b = sub.add_parser("build", help="build or locate the binaries")
    b.add_argument("--all", action="store_true", help="also build helm")
    b.set_defaults(func=cmd_build)
    for name, func in (("up", cmd_up), ("serve", cmd_serve)):
        p = sub.add_parser(name)
        p.add_argument("--name", default="default", help="which background cluster")
        common(p)
        p.set_defaults(func=func)
    d = sub.add_parser("down")
    d.add_argument("--name", default="default")
    d.set_defaults(func=cmd_down)
    r = sub.add_parser("run")
    common(r)
    r.add_argument("--example", action="append", default=[], help="manifest to apply once running")
    r.add_argument("--metrics-addr", default="127.0.0.1:8080")
    r.add_argument("--health-addr", default="127.0.0.1:8082")
    r.add_argument(
        "--ray-head",
        action="store_true",
        help="also start a real Ray head on 127.0.0.1 (the virtualenv's ray) and send every cluster's "
        "dashboard traffic to it, so RayJobs really run",
    )
    r.add_argument("--ray-head-cpus", type=int, default=4, help="CPUs the Ray head advertises (default 4)")
    r.set_defaults(func=cmd_run)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ToolchainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
