"""Command line of the benchmarks: pick scenarios and the operator command, print a table."""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

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
    parser.add_argument(
        "--rayservice-upgrades",
        type=int,
        default=0,
        help="instead: N RayService upgrades alternating between two real Ray heads with Serve on loopback",
    )
    parser.add_argument(
        "--crds", type=Path, default=None, help="CRD file or folder to install (default: the repository's crds/)"
    )
    parser.add_argument(
        "--rayjob-dump", type=Path, default=None, help="with --rayjobs: write each RayJob's timeline (JSON) here"
    )
    args = parser.parse_args(argv)
    if args.rayjobs:
        return _rayjobs(args)
    if args.rayservice_upgrades:
        return _rayservice_upgrades(args)

    started = time.monotonic()
    with environment(args.nodes, args.operator_cmd, args.crds) as (cluster, operator):
        result = ready_latency.run(cluster, operator, args.clusters, args.workers)
    print(f"# ray-operator benchmark ({platform.node()}, {platform.python_version()})")
    print(f"operator: {args.operator_cmd.split()[0]} ...; wall time {time.monotonic() - started:.0f}s\n")
    print(_table("ready latency", result.rows()))
    return 0


def _rayjobs(args: argparse.Namespace) -> int:
    """The RayJob budgets: a real Ray head, the operator pointed at it through a recording relay."""
    from bench import rayjob_latency
    from bench.dashboard_relay import DashboardRelay

    start_ray_head = rayjob_latency.start_ray_head

    started = time.monotonic()
    head = start_ray_head()
    relay = DashboardRelay(head.dashboard_address)
    try:
        relay.start()
        command = f"{args.operator_cmd} --ray-address-override=*={relay.address}"
        with environment(args.nodes, command, args.crds) as (cluster, operator):
            rows = rayjob_latency.run(cluster, head, args.rayjobs, relay=relay, dump=args.rayjob_dump)
            rows += rayjob_latency.operator_rows(operator.metrics_port)
    finally:
        relay.stop()
        head.stop()
    print(f"# ray-operator RayJob benchmark ({platform.node()}, {platform.python_version()})")
    print(f"wall time {time.monotonic() - started:.0f}s; operator log {operator.log}\n")
    print(_table("RayJob latency", rows))
    return 0


def _rayservice_upgrades(args: argparse.Namespace) -> int:
    """The RayService upgrade budget: two real Ray heads with Serve, one relay per cluster."""
    from bench import rayservice_switch

    started = time.monotonic()
    heads = rayservice_switch.start_serve_heads(2)
    overrides = rayservice_switch.override_file()
    try:
        command = f"{args.operator_cmd} --ray-address-override=@{overrides}"
        with environment(args.nodes, command, args.crds) as (cluster, operator):
            rows = rayservice_switch.run(cluster, operator, heads, overrides, args.rayservice_upgrades)
    finally:
        for head in heads:
            head.stop()
        overrides.unlink(missing_ok=True)
    print(f"# ray-operator RayService benchmark ({platform.node()}, {platform.python_version()})")
    print(f"wall time {time.monotonic() - started:.0f}s; operator log {operator.log}\n")
    print(_table("RayService upgrade", rows))
    return 0
