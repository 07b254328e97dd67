"""What the RayService controller creates: its RayClusters (active and pending), the
``<rayservice>-head-svc`` and ``<rayservice>-serve-svc`` Services, and the hash rules deciding
between leaving a cluster alone, updating it in place and preparing a new one.

Pure functions of the raw bodies (dicts as the API server returns them), byte-compatible with
KubeRay's ``rayservice_controller.go`` and ``common/service.go``. The Serve side (config JSON,
submission cache, application statuses, head Pod label, serve endpoints) is in :mod:`.serve_config`;
:class:`RayServiceBuildError` is re-exported here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, Final, Literal

from ray_operator.builders import names, services
from ray_operator.builders.gojson import apply_crd_defaults
from ray_operator.builders.hashing import SPEC_TYPE, go_json_hash
from ray_operator.builders.serve_config import SERVE_LABEL_TRUE
from ray_operator.builders.serve_config import RayServiceBuildError as RayServiceBuildError
from ray_operator.config import GATE_INCREMENTAL_UPGRADE, OperatorConfig
from ray_operator.models import RayCluster
from ray_operator.models import rayservice as rs

ANNOTATION_HASH: Final = "ray.io/hash-without-replicas-and-workers-to-delete"
ANNOTATION_NUM_WORKER_GROUPS: Final = "ray.io/num-worker-groups"
FINALIZER: Final = "ray.io/rayservice-finalizer"
DEFAULT_CLUSTER_DELETION_DELAY_SECONDS: Final = 60
#: Operator environment variable; only ``false`` (any case) turns zero-downtime upgrades off.
ENV_ENABLE_ZERO_DOWNTIME: Final = "ENABLE_ZERO_DOWNTIME"

#: ``needs_new_cluster`` outcomes: spec unchanged / worker groups only appended / anything else.
NO_CHANGE: Final = "none"
UPDATE_IN_PLACE: Final = "update"
NEW_CLUSTER: Final = "new"
ClusterChange = Literal["none", "update", "new"]

_GO_INT: Final = re.compile(r"[+-]?[0-9]+", re.ASCII)


def new_cluster_name(rayservice_name: str) -> str:
    """``GenerateRayClusterName``: ``<rayservice>-<5 random chars>``, no truncation (RayService
    names are at most 47 characters, so the result stays a valid name)."""
    return f"{rayservice_name}-{names.random_suffix()}"


def owner_reference(rayservice: Mapping[str, Any]) -> dict[str, Any]:
    """Controller ownerReference to the RayService (children are garbage-collected with it)."""
    return names.owner_controller_reference(rayservice, names.CRD_RAYSERVICE)


def originated_labels(owner_name: str) -> dict[str, str]:
    """``ray.io/originated-from-cr-name`` and ``ray.io/originated-from-crd: RayService``."""
    return names.originated_from(owner_name, names.CRD_RAYSERVICE)


def _meta(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return body.get("metadata") or {}


def _spec(rayservice: Mapping[str, Any]) -> Mapping[str, Any]:
    return rayservice.get("spec") or {}


def _cluster_config(rayservice: Mapping[str, Any]) -> Mapping[str, Any]:
    return _spec(rayservice).get("rayClusterConfig") or {}


def _upgrade_type(rayservice: Mapping[str, Any]) -> str | None:
    strategy = _spec(rayservice).get("upgradeStrategy") or {}
    value = strategy.get("type")
    return None if value is None else str(value)


def incremental_upgrade_enabled(rayservice: Mapping[str, Any], config: OperatorConfig) -> bool:
    """``IsIncrementalUpgradeEnabled``: gate ``RayServiceIncrementalUpgrade`` on and upgrade type
    ``NewClusterWithIncrementalUpgrade``."""
    return config.gate(GATE_INCREMENTAL_UPGRADE) and _upgrade_type(rayservice) == rs.UPGRADE_NEW_CLUSTER_INCREMENTAL


def zero_downtime_upgrade_enabled(
    rayservice: Mapping[str, Any], config: OperatorConfig, enable_zero_downtime: str = ""
) -> bool:
    """``isZeroDowntimeUpgradeEnabled``: a set upgrade type decides (``NewCluster``, or also the
    incremental type while its gate is on); unset, the ``ENABLE_ZERO_DOWNTIME`` value
    (``enable_zero_downtime``) decides, on unless ``false``."""
    upgrade_type = _upgrade_type(rayservice)
    if upgrade_type is not None:
        allowed = {rs.UPGRADE_NEW_CLUSTER}
        if config.gate(GATE_INCREMENTAL_UPGRADE):
            allowed.add(rs.UPGRADE_NEW_CLUSTER_INCREMENTAL)
        return upgrade_type in allowed
    return enable_zero_downtime.lower() != "false"


# --- hashes ---------------------------------------------------------------------------------------


def _mute_template(group: Mapping[str, Any]) -> None:
    template = group.get("template")
    pod_spec = template.get("spec") if isinstance(template, dict) else None
    if isinstance(pod_spec, dict):
        pod_spec.pop("tolerations", None)
        pod_spec.pop("schedulingGates", None)


def _spec_hash(cluster_config: Mapping[str, Any], num_worker_groups: int | None = None) -> str:
    """``GenerateHashWithoutReplicasAndWorkersToDelete(rayClusterSpecForHashing(rs))``.

    Unlike the RayCluster controller's recreate hash, nothing is defaulted first: KubeRay hashes
    the RayService's embedded spec as stored, so an absent ``rayStartParams`` encodes as ``null``.
    ``num_worker_groups`` keeps only the first N worker groups (the partial hash).
    """
    body = apply_crd_defaults(copy.deepcopy(dict(cluster_config)), SPEC_TYPE)
    body.pop("suspend", None)
    body.pop("upgradeStrategy", None)
    head = body.get("headGroupSpec")
    if isinstance(head, dict):
        _mute_template(head)
    groups = body.get("workerGroupSpecs")
    if num_worker_groups is not None and isinstance(groups, list):
        groups = body["workerGroupSpecs"] = groups[:num_worker_groups]
    for group in groups or ():
        if not isinstance(group, dict):
            continue
        for key in ("replicas", "minReplicas", "maxReplicas"):
            group.pop(key, None)
        if isinstance(group.get("scaleStrategy"), dict):
            group["scaleStrategy"].pop("workersToDelete", None)
        _mute_template(group)
    return go_json_hash(body, SPEC_TYPE)


def cluster_hash(rayservice: Mapping[str, Any]) -> str:
    """The ``ray.io/hash-without-replicas-and-workers-to-delete`` value of ``rayClusterConfig``.

    Replicas, min/max replicas, ``workersToDelete``, tolerations, scheduling gates, ``suspend`` and
    ``upgradeStrategy`` are left out: autoscalers and queueing systems change them on the cluster.
    """
    return _spec_hash(_cluster_config(rayservice))


def _go_atoi(text: str) -> int | None:
    """``strconv.Atoi`` (``None`` on a syntax or range error)."""
    if _GO_INT.fullmatch(text) is None:
        return None
    value = int(text)
    return value if -(1 << 63) <= value < (1 << 63) else None


def _hash_equal(rayservice: Mapping[str, Any], cluster: Mapping[str, Any], *, partial: bool) -> bool:
    """``isClusterSpecHashEqual``. Partial: the first N (annotation ``ray.io/num-worker-groups``)
    goal worker groups hash like the cluster; an unreadable annotation counts as equal, a goal
    with fewer groups compares an empty hash (KubeRay's rules, quirks included)."""
    annotations = _meta(cluster).get("annotations") or {}
    cluster_value = str(annotations.get(ANNOTATION_HASH, ""))
    config = _cluster_config(rayservice)
    if not partial:
        return cluster_value == _spec_hash(config)
    count = _go_atoi(str(annotations.get(ANNOTATION_NUM_WORKER_GROUPS, "")))
    if count is None:
        return True
    goal = ""
    if len(config.get("workerGroupSpecs") or ()) >= count:
        if count < 0:
            raise RayServiceBuildError(f"runtime error: slice bounds out of range [:{count}]")
        goal = _spec_hash(config, count)
    return cluster_value == goal


def needs_new_cluster(rayservice: Mapping[str, Any], cluster: Mapping[str, Any]) -> ClusterChange:
    """Compare ``rayClusterConfig`` with a cluster's annotations (KubeRay compares with the pending
    cluster when there is one, else the active one).

    ``"none"``: full hash equal. ``"update"``: only worker groups appended at the end (update the
    cluster in place). ``"new"``: anything else; a pending cluster is prepared only if
    :func:`zero_downtime_upgrade_enabled` (otherwise nothing happens to the cluster).
    """
    if _hash_equal(rayservice, cluster, partial=False):
        return NO_CHANGE
    return UPDATE_IN_PLACE if _hash_equal(rayservice, cluster, partial=True) else NEW_CLUSTER


def _condition_true(rayservice: Mapping[str, Any], condition_type: str) -> bool:
    conditions = (rayservice.get("status") or {}).get("conditions") or ()
    return any(c.get("type") == condition_type and c.get("status") == "True" for c in conditions)


def should_update_cluster(
    rayservice: Mapping[str, Any], cluster: Mapping[str, Any] | None, *, active: bool, config: OperatorConfig
) -> bool:
    """``shouldUpdateCluster``: in-place update when only worker groups were appended; the active
    cluster also when it was made by another operator version, but never during an upgrade."""
    if cluster is None:
        return False
    if active:
        if _condition_true(rayservice, rs.CONDITION_UPGRADE_IN_PROGRESS):
            return False
        annotations = _meta(cluster).get("annotations") or {}
        if annotations.get(names.ANNOTATION_KUBERAY_VERSION, "") != config.operator_version:
            return True
    return needs_new_cluster(rayservice, cluster) == UPDATE_IN_PLACE


# --- RayCluster -----------------------------------------------------------------------------------


def rayservice_cluster(rayservice: Mapping[str, Any], cluster_name: str, config: OperatorConfig) -> dict[str, Any]:
    """``constructRayClusterForRayService``: a copy of ``rayClusterConfig`` named ``cluster_name``.

    Labels and annotations are the RayService's plus KubeRay's (hash, number of worker groups,
    operator version). A pending cluster of an incremental upgrade (an active cluster exists)
    starts with no worker ``replicas`` so that it scales from ``minReplicas``.
    """
    meta = _meta(rayservice)
    name = str(meta.get("name") or "")
    config_spec = _cluster_config(rayservice)
    spec: dict[str, Any] = copy.deepcopy(dict(config_spec))
    active_name = ((rayservice.get("status") or {}).get("activeServiceStatus") or {}).get("rayClusterName")
    if incremental_upgrade_enabled(rayservice, config) and active_name:
        for group in spec.get("workerGroupSpecs") or ():
            group.pop("replicas", None)
    annotations = {
        **(meta.get("annotations") or {}),
        ANNOTATION_HASH: cluster_hash(rayservice),
        ANNOTATION_NUM_WORKER_GROUPS: str(len(config_spec.get("workerGroupSpecs") or ())),
        names.ANNOTATION_KUBERAY_VERSION: config.operator_version,
    }
    return {
        "apiVersion": names.API_VERSION,
        "kind": names.CRD_RAYCLUSTER,
        "metadata": {
            "name": cluster_name,
            "namespace": meta.get("namespace") or "",
            "labels": {**(meta.get("labels") or {}), **originated_labels(name)},
            "annotations": annotations,
            "ownerReferences": [owner_reference(rayservice)],
        },
        "spec": spec,
    }


def updated_cluster(current: Mapping[str, Any], goal: Mapping[str, Any]) -> dict[str, Any]:
    """``modifyRayCluster``: ``current`` with the goal's spec, labels and annotations, keeping its
    own ``spec.suspend`` (after creation, suspension belongs to Kueue or whoever queues it)."""
    updated = copy.deepcopy(dict(current))
    suspend = (current.get("spec") or {}).get("suspend")
    spec = copy.deepcopy(dict(goal.get("spec") or {}))
    spec.pop("suspend", None)
    if suspend is not None:
        spec["suspend"] = suspend
    updated["spec"] = spec
    metadata = updated.setdefault("metadata", {})
    for key in ("labels", "annotations"):
        metadata.pop(key, None)
        if _meta(goal).get(key):
            metadata[key] = dict(_meta(goal)[key])
    return updated


# --- Services -------------------------------------------------------------------------------------


def rayservice_head_service(
    rayservice: Mapping[str, Any], cluster: Mapping[str, Any], config: OperatorConfig
) -> dict[str, Any]:
    """``<rayservice>-head-svc`` in front of ``cluster``'s head (``BuildHeadServiceForRayService``).

    Built like the cluster's own head Service (headless by default, ports by name) but with the
    default selector (``app.kubernetes.io/name: kuberay`` whatever the Pod template says), no
    ``headServiceAnnotations`` (a custom ``headService`` keeps its own), four RayService labels,
    owned by the RayService.
    """
    return services.build_owner_head_service(rayservice, names.CRD_RAYSERVICE, RayCluster.from_body(cluster), config)


def rayservice_serve_service(
    rayservice: Mapping[str, Any], cluster: Mapping[str, Any], config: OperatorConfig
) -> dict[str, Any]:
    """``<rayservice>-serve-svc`` (``BuildServeServiceForRayService``): Pods of ``cluster`` labelled
    ``ray.io/serve: "true"`` on the head container's ``serve``/``serve-*`` ports.

    ``spec.serveService`` is the base when set (its name wins; selector replaced, our labels over
    its labels, same-named user ports replace detected ones, its ports kept when none is detected).
    The type defaults to the RayService's ``headGroupSpec.serviceType``. In an incremental upgrade
    the Service is per cluster (``<cluster>-serve-svc``) and ``serveService`` is ignored.
    """
    meta = _meta(rayservice)
    cluster_name = str(_meta(cluster).get("name") or "")
    incremental = incremental_upgrade_enabled(rayservice, config)
    owner_name = cluster_name if incremental else str(meta.get("name") or "")
    labels = {**originated_labels(owner_name), names.LABEL_SERVE: names.serve_service_label(owner_name)}
    selector = {names.LABEL_CLUSTER: cluster_name, names.LABEL_SERVE: SERVE_LABEL_TRUE}
    service_type = ((_cluster_config(rayservice).get("headGroupSpec") or {}).get("serviceType")) or ""
    ports = [
        {"name": port_name, "port": number}
        for port_name, number in sorted(services.head_container_ports(RayCluster.from_body(cluster)).items())
        if services.is_serving_port(port_name)
    ]
    custom = _spec(rayservice).get("serveService")
    if not ports and custom is None:
        raise RayServiceBuildError(services.SERVE_PORT_ERROR)
    namespace = meta.get("namespace") or ""
    default_name = names.serve_service_name(owner_name)

    if custom is not None and not incremental:
        service: dict[str, Any] = copy.deepcopy(dict(custom))
        service["apiVersion"], service["kind"] = "v1", "Service"
        metadata = service.setdefault("metadata", {})
        spec = service.setdefault("spec", {})
        spec["selector"] = selector
        if ports:
            user_ports = {port.get("name") or "": port for port in spec.get("ports") or ()}
            spec["ports"] = [copy.deepcopy(user_ports.get(port["name"], port)) for port in ports]
        metadata["labels"] = {**(metadata.get("labels") or {}), **labels}
        metadata["name"] = metadata.get("name") or default_name
        metadata["namespace"] = namespace
        if not spec.get("type"):
            spec["type"] = service_type
        for mapping, key in ((spec, "type"), (metadata, "annotations"), (spec, "ports")):
            if not mapping.get(key):
                mapping.pop(key, None)
        metadata["ownerReferences"] = [owner_reference(rayservice)]
        return service

    spec_out: dict[str, Any] = {"selector": selector, "ports": ports}
    if service_type:
        spec_out["type"] = service_type
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": default_name,
            "namespace": namespace,
            "labels": labels,
            "ownerReferences": [owner_reference(rayservice)],
        },
        "spec": spec_out,
    }


def service_cluster_name(service: Mapping[str, Any] | None) -> str:
    """``GetRayClusterNameFromService``: the cluster a RayService Service selects (``""`` if none)."""
    selector = ((service or {}).get("spec") or {}).get("selector") or {}
    return str(selector.get(names.LABEL_CLUSTER, ""))


def switched_service(existing: Mapping[str, Any], desired: Mapping[str, Any]) -> dict[str, Any] | None:
    """``reconcileServices``' update: ``None`` while ``existing`` selects the desired cluster; else
    ``existing`` with the desired spec and its own ``clusterIP`` (immutable), metadata unchanged."""
    if service_cluster_name(existing) == service_cluster_name(desired):
        return None
    updated = copy.deepcopy(dict(existing))
    spec = copy.deepcopy(dict(desired.get("spec") or {}))
    spec.pop("clusterIP", None)
    old_ip = (existing.get("spec") or {}).get("clusterIP")
    if old_ip:
        spec["clusterIP"] = old_ip
    updated["spec"] = spec
    return updated
