"""Cluster-level feature switches KubeRay derives from a RayCluster spec (``utils/util.go``).

One implementation of each switch, shared by the Pod builders, the reconciler and validation.
They take the spec (plus the owner's annotations where KubeRay reads them), not the RayCluster,
because validation applies them to the cluster specs embedded in RayJobs and RayServices too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ray_operator.builders import names
from ray_operator.config import GATE_HISTORY_SERVER, GATE_MTLS, OperatorConfig
from ray_operator.models import RayClusterSpec

GCS_FT_BACKEND_REDIS: Final = "redis"
GCS_FT_BACKEND_ROCKSDB: Final = "rocksdb"


def autoscaling_enabled(spec: RayClusterSpec | None) -> bool:
    """``IsAutoscalingEnabled``: ``spec.enableInTreeAutoscaling: true``."""
    return spec is not None and spec.enable_in_tree_autoscaling is True


def autoscaler_version(spec: RayClusterSpec) -> str | None:
    """``v1``/``v2`` when set in ``autoscalerOptions.version`` (``IsAutoscalingV1/V2Enabled``), else ``None``."""
    options = spec.autoscaler_options
    return options.version if options is not None and options.version in ("v1", "v2") else None


def gcs_ft_enabled(spec: RayClusterSpec, annotations: Mapping[str, str]) -> bool:
    """``IsGCSFaultToleranceEnabled``: ``gcsFaultToleranceOptions`` or annotation ``ray.io/ft-enabled: true``."""
    legacy = annotations.get(names.ANNOTATION_FT_ENABLED, "").lower() == "true"
    return legacy or spec.gcs_fault_tolerance_options is not None


def gcs_ft_backend(spec: RayClusterSpec) -> str:
    """``GetGcsFaultToleranceBackend``: ``redis`` (also when unset or empty) or ``rocksdb``."""
    options = spec.gcs_fault_tolerance_options
    return (options.backend if options is not None else None) or GCS_FT_BACKEND_REDIS


def gcs_ft_embedded(spec: RayClusterSpec) -> bool:
    """``IsGCSFaultToleranceEmbedded``: GCS FT on the embedded RocksDB store (implies GCS FT is on)."""
    return gcs_ft_backend(spec) == GCS_FT_BACKEND_ROCKSDB


def auth_enabled(spec: RayClusterSpec) -> bool:
    """``IsAuthEnabled``: only ``authOptions.mode: token`` (an empty mode does not count)."""
    options = spec.auth_options
    return options is not None and options.mode == "token"


def k8s_token_auth_enabled(spec: RayClusterSpec | None) -> bool:
    """``IsK8sAuthEnabled``: ``authOptions.enableK8sTokenAuth: true``."""
    options = spec.auth_options if spec is not None else None
    return options is not None and options.enable_k8s_token_auth is True


def tls_enabled(spec: RayClusterSpec, config: OperatorConfig) -> bool:
    """``IsTLSEnabled``: gate ``RayClusterMTLS`` and ``tlsOptions.enabled: true`` (not implemented here)."""
    options = spec.tls_options
    return config.gate(GATE_MTLS) and options is not None and options.enabled is True


def collector_enabled(spec: RayClusterSpec, config: OperatorConfig) -> bool:
    """Gate ``RayClusterHistoryServer`` and ``historyServerOptions.collectorOptions`` set."""
    options = spec.history_server_options
    return config.gate(GATE_HISTORY_SERVER) and options is not None and options.collector_options is not None
