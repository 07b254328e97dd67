"""Command line of the benchmarks: pick scenarios and the operator command, print a table."""

from __future__ import annotations

import argparse
import platform
import time

from bench import ready_latency
from bench.harness import DEFAULT_OPERATOR_CMD, environment


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(k) for k, _ in rows)
    lines = [f"## {title}", "", f"| {'metric'.ljust(width)} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {k.ljust(width)} | {v} |" for k, v in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--operator-cmd",
        default=DEFAULT_OPERATOR_CMD,
        help="operator command; {kubeconfig}, {metrics_port}, {health_port} are filled in",
    )
    parser.add_argument("--clusters", type=int, default=10, help="RayClusters to create")
    parser.add_argument("--workers", type=int, default=3, help="workers per RayCluster")
    parser.add_argument("--nodes", type=int, default=3, help="fake KWOK nodes")
    parser.add_argument(
        "--rayjobs", type=int, default=0, help="instead: N HTTPMode RayJobs against a real Ray head on loopback"
    )
    args = parser.parse_args(argv)
    if args.rayjobs:
        return _rayjobs(args)

    started = time.monotonic()
    with environment(args.nodes, args.operator_cmd) as (cluster, operator):
        result = ready_latency.run(cluster, operator, args.clusters, args.workers)
    print(f"# ray-operator benchmark ({platform.node()}, {platform.python_version()})")
    print(f"operator: {args.operator_cmd.split()[0]} ...; wall time {time.monotonic() - started:.0f}s\n")
    print(_table("ready latency", result.rows()))
    return 0


def _rayjobs(args: argparse.Namespace) -> int:
    """The RayJob budgets: a real Ray head, the operator pointed at it through the override."""
    from bench import rayjob_latency

    start_ray_head = rayjob_latency.start_ray_head

    started = time.monotonic()
    head = start_ray_head()
    try:
        command = f"{args.operator_cmd} --ray-address-override=*={head.dashboard_address}"
        with environment(args.nodes, command) as (cluster, _operator):
            rows = rayjob_latency.run(cluster, head, args.rayjobs)
    finally:
        head.stop()
    print(f"# ray-operator RayJob benchmark ({platform.node()}, {platform.python_version()})")
    print(f"wall time {time.monotonic() - started:.0f}s\n")
    print(_table("RayJob latency", rows))
    return 0
