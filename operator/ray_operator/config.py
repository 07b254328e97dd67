"""Operator settings: command-line flags, environment variables and feature gates.

KubeRay reads a handful of environment variables (``ENABLE_INIT_CONTAINER_INJECTION``,
``CLUSTER_DOMAIN``...) and flags (``--watch-namespace``, ``--metrics-addr``...). We accept the same
names so that an existing KubeRay deployment's settings carry over unchanged. Builders and
reconcilers receive one immutable :class:`OperatorConfig` instead of reading the environment
themselves, which keeps them pure and testable.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ray_operator import __version__

# Feature gate names, as in KubeRay (``pkg/features/features.go``).
GATE_STATUS_CONDITIONS: Final = "RayClusterStatusConditions"
GATE_JOB_DELETION_POLICY: Final = "RayJobDeletionPolicy"
GATE_MULTI_HOST_INDEXING: Final = "RayMultiHostIndexing"
GATE_INCREMENTAL_UPGRADE: Final = "RayServiceIncrementalUpgrade"
GATE_CRON_JOB: Final = "RayCronJob"
GATE_SIDECAR_SUBMITTER_RESTART: Final = "SidecarSubmitterRestart"
GATE_NETWORK_POLICY: Final = "RayClusterNetworkPolicy"
GATE_GCS_FT_EMBEDDED_STORAGE: Final = "GCSFaultToleranceEmbeddedStorage"
GATE_MTLS: Final = "RayClusterMTLS"
GATE_HISTORY_SERVER: Final = "RayClusterHistoryServer"
GATE_KUBERNETES_WAS: Final = "KubernetesWAS"

#: Feature gates and their defaults, as in KubeRay.
DEFAULT_FEATURE_GATES: dict[str, bool] = {
    GATE_STATUS_CONDITIONS: True,
    GATE_JOB_DELETION_POLICY: True,
    GATE_MULTI_HOST_INDEXING: True,
    GATE_INCREMENTAL_UPGRADE: True,
    GATE_CRON_JOB: False,
    GATE_SIDECAR_SUBMITTER_RESTART: False,
    GATE_NETWORK_POLICY: False,
    GATE_GCS_FT_EMBEDDED_STORAGE: False,
    GATE_MTLS: False,
    GATE_HISTORY_SERVER: False,
    GATE_KUBERNETES_WAS: False,
}


def _env_true(env: Mapping[str, str], name: str) -> bool:
    """KubeRay's "opt-in" switches: only a case-insensitive ``true`` turns them on."""
    return env.get(name, "").strip().lower() == "true"


def _env_not_false(env: Mapping[str, str], name: str) -> bool:
    """KubeRay's "opt-out" switches: on unless set to a case-insensitive ``false``."""
    return env.get(name, "").strip().lower() != "false"


def _go_atoi(text: str, default: int) -> int:
    """Go's ``strconv.Atoi`` with KubeRay's fallback: anything unparsable gives ``default``."""
    stripped = text[1:] if text[:1] in "+-" else text
    return int(text) if stripped.isascii() and stripped.isdigit() else default


def _positive(value: int, default: int) -> int:
    return value if value > 0 else default


#: The spellings Go's ``strconv.ParseBool`` accepts (k8s ``MapStringBool`` parses gate values with it).
_GO_BOOLS = {v: True for v in ("1", "t", "T", "TRUE", "true", "True")} | {
    v: False for v in ("0", "f", "F", "FALSE", "false", "False")
}


def parse_feature_gates(text: str) -> dict[str, bool]:
    """Parse ``Name=true,Other=false`` (k8s component-base syntax) over the defaults."""
    gates = dict(DEFAULT_FEATURE_GATES)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or value not in _GO_BOOLS:
            raise ValueError(f"invalid feature gate {item!r}: expected Name=true or Name=false")
        if name not in gates:
            known = ", ".join(sorted(gates))
            raise ValueError(f"unknown feature gate {name!r}; known gates: {known}")
        gates[name] = _GO_BOOLS[value]
    return gates


@dataclasses.dataclass(frozen=True)
class OperatorConfig:
    """Everything configurable about the operator; defaults equal KubeRay's."""

    # Process
    watch_namespaces: tuple[str, ...] = ()  # empty: all namespaces
    metrics_addr: str = ":8080"
    health_addr: str = ":8082"
    log_level: str = "INFO"
    log_format: str = "text"  # text | json
    reconcile_concurrency: int = 16
    qps: float = 100.0
    burst: int = 200
    enable_leader_election: bool = False
    leader_election_namespace: str = ""
    feature_gates: Mapping[str, bool] = dataclasses.field(default_factory=lambda: dict(DEFAULT_FEATURE_GATES))
    operator_version: str = __version__

    # Behaviour switches read from the environment by KubeRay (same names here).
    cluster_domain: str = "cluster.local"  # CLUSTER_DOMAIN
    enable_init_container_injection: bool = True  # ENABLE_INIT_CONTAINER_INJECTION
    enable_probes_injection: bool = True  # ENABLE_PROBES_INJECTION
    enable_ray_head_cluster_ip_service: bool = False  # ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE
    enable_login_shell: bool = False  # ENABLE_LOGIN_SHELL
    enable_deterministic_head_pod_name: bool = False  # ENABLE_DETERMINISTIC_HEAD_POD_NAME
    enable_random_pod_delete: bool = False  # ENABLE_RANDOM_POD_DELETE
    enable_gcs_ft_redis_cleanup: bool = True  # ENABLE_GCS_FT_REDIS_CLEANUP
    raycluster_requeue_seconds: float = 300.0  # RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV
    rayjob_grace_period_seconds: int = 300  # RAYJOB_DEPLOYMENT_STATUS_TRANSITION_GRACE_PERIOD_SECONDS
    rayjob_status_check_timeout_seconds: int = 300  # RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS
    delete_rayjob_after_job_finishes: bool = False  # DELETE_RAYJOB_CR_AFTER_JOB_FINISHES
    rayjob_poll_seconds: float = 3.0  # --rayjob-poll-interval: how often a Running job's status is read
    enable_zero_downtime: bool = True  # ENABLE_ZERO_DOWNTIME (only "false" turns it off)
    rayservice_poll_seconds: float = 2.0  # --rayservice-poll-interval (KubeRay: requeue every 2 s)
    #: --rayservice-stalled-upgrade-seconds: a pending cluster not serving after this long is reported.
    rayservice_stalled_upgrade_seconds: float = 300.0

    # Configuration-file-only settings of KubeRay (config.ray.io/v1alpha1 Configuration).
    default_container_envs: tuple[Mapping[str, Any], ...] = ()
    default_pod_labels: Mapping[str, str] = dataclasses.field(default_factory=dict)
    default_pod_annotations: Mapping[str, str] = dataclasses.field(default_factory=dict)
    head_sidecar_containers: tuple[Mapping[str, Any], ...] = ()
    worker_sidecar_containers: tuple[Mapping[str, Any], ...] = ()

    # Dashboard / Serve-proxy addressing (KubeRay 5.1, 6.1.13; overrides are ours: dashboard/addressing.py).
    use_kubernetes_proxy: bool = False  # --use-kubernetes-proxy
    ray_address_overrides: Mapping[str, str] = dataclasses.field(default_factory=dict)  # --ray-address-override

    def gate(self, name: str) -> bool:
        """Whether feature gate ``name`` is on."""
        return bool(self.feature_gates.get(name, DEFAULT_FEATURE_GATES.get(name, False)))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> OperatorConfig:
        """Read KubeRay's environment switches; keyword overrides win."""
        env = os.environ if env is None else env
        requeue = env.get("RAYCLUSTER_DEFAULT_REQUEUE_SECONDS_ENV", "")
        values: dict[str, Any] = {
            "cluster_domain": env.get("CLUSTER_DOMAIN") or "cluster.local",
            "enable_init_container_injection": _env_not_false(env, "ENABLE_INIT_CONTAINER_INJECTION"),
            "enable_probes_injection": _env_not_false(env, "ENABLE_PROBES_INJECTION"),
            "enable_ray_head_cluster_ip_service": _env_true(env, "ENABLE_RAY_HEAD_CLUSTER_IP_SERVICE"),
            "enable_login_shell": _env_true(env, "ENABLE_LOGIN_SHELL"),
            "enable_deterministic_head_pod_name": _env_true(env, "ENABLE_DETERMINISTIC_HEAD_POD_NAME"),
            "enable_random_pod_delete": _env_true(env, "ENABLE_RANDOM_POD_DELETE"),
            "enable_gcs_ft_redis_cleanup": _env_not_false(env, "ENABLE_GCS_FT_REDIS_CLEANUP"),
            "raycluster_requeue_seconds": float(requeue) if requeue.strip().isdigit() else 300.0,
            "rayjob_grace_period_seconds": _go_atoi(
                env.get("RAYJOB_DEPLOYMENT_STATUS_TRANSITION_GRACE_PERIOD_SECONDS", ""), 300
            ),
            "rayjob_status_check_timeout_seconds": _positive(
                _go_atoi(env.get("RAYJOB_STATUS_CHECK_TIMEOUT_SECONDS", ""), 300), 300
            ),
            "delete_rayjob_after_job_finishes": _env_true(env, "DELETE_RAYJOB_CR_AFTER_JOB_FINISHES"),
            "enable_zero_downtime": _env_not_false(env, "ENABLE_ZERO_DOWNTIME"),
        }
        values.update(overrides)
        return cls(**values)


def build_arg_parser() -> argparse.ArgumentParser:
    """Flags, named like KubeRay's where KubeRay has one; each also readable from the environment."""
    env = os.environ
    p = argparse.ArgumentParser(
        prog="ray-operator",
        description="Kubernetes operator for Ray (ray.io/v1 RayCluster, RayJob, RayService).",
    )
    p.add_argument(
        "--watch-namespace",
        default=env.get("WATCH_NAMESPACE", ""),
        help="comma-separated namespaces to watch; empty watches all (env WATCH_NAMESPACE)",
    )
    p.add_argument(
        "--metrics-addr",
        default=env.get("METRICS_ADDR", ":8080"),
        help="address of the Prometheus /metrics endpoint, e.g. :8080 or 127.0.0.1:0; "
        "'0' disables it (env METRICS_ADDR)",
    )
    p.add_argument(
        "--health-probe-bind-address",
        dest="health_addr",
        default=env.get("HEALTH_PROBE_BIND_ADDRESS", ":8082"),
        help="address of /healthz and /readyz; '0' disables it (env HEALTH_PROBE_BIND_ADDRESS)",
    )
    p.add_argument(
        "--log-level",
        default=env.get("LOG_LEVEL", "INFO"),
        choices=["DEBUG", "INFO", "WARNING", "ERROR", "debug", "info", "warning", "error"],
        help="log level (env LOG_LEVEL)",
    )
    p.add_argument(
        "--log-format",
        default=env.get("LOG_FORMAT", "text"),
        choices=["text", "json"],
        help="log line format (env LOG_FORMAT)",
    )
    p.add_argument(
        "--reconcile-concurrency",
        type=int,
        default=int(env.get("RECONCILE_CONCURRENCY", "16")),
        help="objects reconciled in parallel (env RECONCILE_CONCURRENCY)",
    )
    p.add_argument(
        "--rayjob-poll-interval",
        type=float,
        default=float(env.get("RAYJOB_POLL_INTERVAL", "3")),
        help="seconds between Ray job status reads of a Running RayJob (KubeRay: 3) (env RAYJOB_POLL_INTERVAL)",
    )
    p.add_argument(
        "--rayservice-poll-interval",
        type=float,
        default=float(env.get("RAYSERVICE_POLL_INTERVAL", "2")),
        help="seconds between Serve status reads of a RayService (KubeRay: 2; a pending cluster about to "
        "serve is read 4 times as often) (env RAYSERVICE_POLL_INTERVAL)",
    )
    p.add_argument(
        "--rayservice-stalled-upgrade-seconds",
        type=float,
        default=float(env.get("RAYSERVICE_STALLED_UPGRADE_SECONDS", "300")),
        help="report (event UpgradeStalled) a RayService upgrade whose pending cluster does not serve "
        "after this many seconds (env RAYSERVICE_STALLED_UPGRADE_SECONDS)",
    )
    p.add_argument("--qps", type=float, default=float(env.get("KUBE_QPS", "100")), help="API requests/s")
    p.add_argument("--burst", type=int, default=int(env.get("KUBE_BURST", "200")), help="API burst")
    p.add_argument(
        "--feature-gates",
        default=env.get("FEATURE_GATES", ""),
        help="Name=true|false,... over KubeRay's defaults (env FEATURE_GATES)",
    )
    p.add_argument(
        "--kubeconfig",
        default=env.get("KUBECONFIG", ""),
        help="kubeconfig file; in a Pod the service account is used (env KUBECONFIG)",
    )
    p.add_argument(
        "--enable-leader-election",
        default=env.get("ENABLE_LEADER_ELECTION", "false"),
        choices=["true", "false"],
        help="hold the Lease 'ray-operator-leader' before reconciling (env ENABLE_LEADER_ELECTION)",
    )
    p.add_argument(
        "--leader-election-namespace",
        default=env.get("LEADER_ELECTION_NAMESPACE", ""),
        help="namespace of the leader Lease; default: the Pod's namespace",
    )
    p.add_argument(
        "--use-kubernetes-proxy",
        nargs="?",
        const="true",
        default=env.get("USE_KUBERNETES_PROXY", "false"),
        metavar="BOOL",
        help="reach Ray dashboards and Serve proxies through the API server's services/proxy and "
        "pods/proxy subresources (env USE_KUBERNETES_PROXY)",
    )
    p.add_argument(
        "--ray-address-override",
        default=env.get("RAY_ADDRESS_OVERRIDE", ""),
        metavar="KEY=HOST:PORT,...|@FILE",
        help="send a cluster's dashboard traffic elsewhere: 'ns/cluster=127.0.0.1:8265,*=127.0.0.1:8265' "
        "(also 'ns/*', and ':serve' keys for Serve proxies); '@FILE' reads the entries from a file, "
        "re-read when it changes (env RAY_ADDRESS_OVERRIDE)",
    )
    return p


def _dashboard_settings(args: argparse.Namespace) -> dict[str, Any]:
    """``--use-kubernetes-proxy`` (a Go bool flag) and ``--ray-address-override`` as config fields."""
    from ray_operator.dashboard.addressing import load_overrides  # the dashboard package imports config

    proxy = str(args.use_kubernetes_proxy).strip()
    if proxy not in _GO_BOOLS:
        raise SystemExit(f"--use-kubernetes-proxy: invalid boolean {proxy!r}")
    try:
        overrides = load_overrides(args.ray_address_override)
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    return {"use_kubernetes_proxy": _GO_BOOLS[proxy], "ray_address_overrides": overrides}


def config_from_args(argv: Sequence[str] | None = None) -> tuple[OperatorConfig, argparse.Namespace]:
    """Parse flags and environment into an :class:`OperatorConfig`."""
    args = build_arg_parser().parse_args(argv)
    namespaces = tuple(ns.strip() for ns in args.watch_namespace.split(",") if ns.strip())
    if args.reconcile_concurrency < 1:
        raise SystemExit("--reconcile-concurrency must be at least 1")
    try:
        gates = parse_feature_gates(args.feature_gates)
    except ValueError as exc:
        raise SystemExit(f"--feature-gates: {exc}") from exc
    config = OperatorConfig.from_env(
        watch_namespaces=namespaces,
        metrics_addr=args.metrics_addr,
        health_addr=args.health_addr,
        log_level=args.log_level.upper(),
        log_format=args.log_format,
        reconcile_concurrency=args.reconcile_concurrency,
        qps=args.qps,
        burst=args.burst,
        feature_gates=gates,
        enable_leader_election=args.enable_leader_election == "true",
        leader_election_namespace=args.leader_election_namespace,
        rayjob_poll_seconds=max(0.1, args.rayjob_poll_interval),
        rayservice_poll_seconds=max(0.1, args.rayservice_poll_interval),
        rayservice_stalled_upgrade_seconds=max(0.0, args.rayservice_stalled_upgrade_seconds),
        **_dashboard_settings(args),
    )
    return config, args
