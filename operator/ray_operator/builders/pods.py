"""Head and worker Pods, built from the RayCluster's pod templates exactly like KubeRay builds them.

The user's template is the base (deep-copied, never mutated); the operator then enforces what Ray
needs: identity labels, the ``ray start`` command, environment, ports, shared-memory and log volumes,
the ``wait-gcs-ready`` init container, probes, the autoscaler sidecar, GCS fault tolerance, auth and
the history-server collector (mTLS is not supported: the reconciler refuses ``tlsOptions``). Every
step runs in KubeRay's order because the order is visible (env var order, which step sees which
value). Container 0 is always the Ray container.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ray_operator.builders import auth, features, names, probes, raystart
from ray_operator.builders.autoscaler import (
    AUTOSCALER_V2_ENV,
    apply_autoscaler_options,
    build_autoscaler_container,
    service_account_lookup_name,
)
from ray_operator.builders.containers import (
    append,
    append_env,
    append_env_if_absent,
    container_index,
    copy_image_settings,
    env_var,
    field_ref_env,
    fixed_resources,
    has_env,
    has_mount_named,
    has_mount_path,
    has_volume,
)
from ray_operator.builders.hashing import recreate_hash
from ray_operator.config import GATE_HISTORY_SERVER, GATE_MULTI_HOST_INDEXING, OperatorConfig
from ray_operator.models import RayCluster, WorkerGroupSpec

SHARED_MEMORY_VOLUME: Final = "shared-mem"
SHARED_MEMORY_PATH: Final = "/dev/shm"
RAY_LOGS_VOLUME: Final = "ray-logs"
RAY_LOGS_PATH: Final = "/tmp/ray"
GCS_STORAGE_VOLUME: Final = "gcs-storage"
GCS_STORAGE_PATH: Final = "/data/gcs"
RAY_TOKEN_VOLUME: Final = "ray-token"
RAY_TOKEN_PATH: Final = "/var/run/secrets/ray.io/serviceaccount"
WORKER_GCS_RECONNECT_TIMEOUT_S: Final = "600"
LOCAL_HOST: Final = "127.0.0.1"
EXPOSABLE_EVENT_TYPES: Final = (
    "TASK_DEFINITION_EVENT,TASK_LIFECYCLE_EVENT,ACTOR_TASK_DEFINITION_EVENT,TASK_PROFILE_EVENT,"
    "DRIVER_JOB_DEFINITION_EVENT,DRIVER_JOB_LIFECYCLE_EVENT,ACTOR_DEFINITION_EVENT,ACTOR_LIFECYCLE_EVENT,"
    "NODE_DEFINITION_EVENT,NODE_LIFECYCLE_EVENT"
)

_PROTECTED_LABELS: Final = frozenset({names.LABEL_NODE_TYPE, names.LABEL_GROUP, names.LABEL_CLUSTER})


# --- volumes ----------------------------------------------------------------------------------------


def _memory_size_limit(container: Mapping[str, Any]) -> Any:
    """The Ray container's memory limit, else its memory request (for the ``/dev/shm`` size)."""
    resources = container.get("resources") or {}
    for kind in ("limits", "requests"):
        values = resources.get(kind) or {}
        if "memory" in values:
            return values["memory"]
    return None


def _add_empty_dir(
    container: dict[str, Any], pod_spec: dict[str, Any], name: str, path: str, *, in_memory: bool
) -> None:
    """Mount an emptyDir at ``path`` unless the container already mounts something there."""
    if has_mount_path(container, path):
        return
    if not has_volume(pod_spec, name):
        empty_dir: dict[str, Any] = {}
        if in_memory:
            empty_dir["medium"] = "Memory"
            size = _memory_size_limit(container)
            if size is not None:
                empty_dir["sizeLimit"] = size
        append(pod_spec, "volumes", {"name": name, "emptyDir": empty_dir})
    append(container, "volumeMounts", {"name": name, "mountPath": path})


# --- cluster-level values -------------------------------------------------------------------------


def head_fqdn(cluster: RayCluster, config: OperatorConfig) -> str:
    """FQDN of the head Service, e.g. ``raycluster-head-svc.default.svc.cluster.local``."""
    service_name = names.head_service_name(cluster.name, cluster.spec.head_group_spec.head_service)
    return names.head_service_fqdn(service_name, cluster.namespace, config.cluster_domain)


# --- auth and history server wiring ---------------------------------------------------------------


def set_token_auth_env(container: dict[str, Any], cluster: RayCluster) -> None:
    """``RAY_AUTH_MODE=token`` plus either K8s-token settings or ``RAY_AUTH_TOKEN`` from the Secret."""
    append_env_if_absent(container, "RAY_AUTH_MODE", "token")
    if features.k8s_token_auth_enabled(cluster.spec):
        append_env_if_absent(container, "RAY_ENABLE_K8S_TOKEN_AUTH", "true")
        if not has_mount_named(container, RAY_TOKEN_VOLUME):
            append(container, "volumeMounts", {"name": RAY_TOKEN_VOLUME, "mountPath": RAY_TOKEN_PATH, "readOnly": True})
        return
    if not has_env(container, "RAY_AUTH_TOKEN"):
        secret_ref = {"secretKeyRef": {"name": auth.auth_secret_name(cluster), "key": auth.TOKEN_KEY}}
        append_env(container, env_var("RAY_AUTH_TOKEN", value_from=secret_ref))


def _configure_token_auth(template_spec: dict[str, Any], cluster: RayCluster) -> None:
    set_token_auth_env(template_spec["containers"][names.RAY_CONTAINER_INDEX], cluster)
    if features.k8s_token_auth_enabled(cluster.spec) and not has_volume(template_spec, RAY_TOKEN_VOLUME):
        append(
            template_spec,
            "volumes",
            {
                "name": RAY_TOKEN_VOLUME,
                "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]},
            },
        )
    for init in template_spec.get("initContainers") or ():
        if init.get("name") == names.WAIT_GCS_READY_CONTAINER_NAME:
            set_token_auth_env(init, cluster)


def _build_collector(cluster: RayCluster, node_type: str, fqdn: str) -> dict[str, Any]:
    """History-server collector sidecar (feature gate ``RayClusterHistoryServer``)."""
    history = cluster.spec.history_server_options
    options = history.collector_options if history is not None else None
    assert options is not None
    env: list[dict[str, Any]] = [
        field_ref_env("POD_IP", "status.podIP"),
        env_var("RAY_CLUSTER_NAME", cluster.name),
        env_var("RAY_CLUSTER_NAMESPACE", cluster.namespace),
        env_var("RAY_ROLE", "Head" if node_type == names.NODE_TYPE_HEAD else "Worker"),
        env_var("EVENTS_PORT", "8084"),
    ]
    if fqdn:
        env.append(env_var("FQ_RAY_IP", fqdn))
    labels = cluster.labels
    if labels.get(names.LABEL_ORIGINATED_FROM_CRD):
        env.append(env_var("OWNER_KIND", labels[names.LABEL_ORIGINATED_FROM_CRD]))
    if labels.get(names.LABEL_ORIGINATED_FROM_CR_NAME):
        env.append(env_var("OWNER_NAME", labels[names.LABEL_ORIGINATED_FROM_CR_NAME]))
    user_env = copy.deepcopy(options.env or [])
    if node_type == names.NODE_TYPE_HEAD and not any(e.get("name") == "RAY_DASHBOARD_ADDRESS" for e in user_env):
        env.append(env_var("RAY_DASHBOARD_ADDRESS", "http://localhost:8265"))
    env.extend(user_env)
    container: dict[str, Any] = {
        "name": names.COLLECTOR_CONTAINER_NAME,
        "imagePullPolicy": options.image_pull_policy if options.image_pull_policy is not None else "IfNotPresent",
        "resources": copy.deepcopy(options.resources)
        if options.resources is not None
        else {"limits": {"cpu": "200m", "memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "64Mi"}},
        "env": env,
    }
    if options.image:
        container["image"] = options.image
    if features.auth_enabled(cluster.spec):
        set_token_auth_env(container, cluster)
    return container


# --- GCS fault tolerance --------------------------------------------------------------------------


def _configure_gcs_ft(template: dict[str, Any], params: dict[str, str], cluster: RayCluster, node_type: str) -> None:
    """FT annotation (head), worker reconnect timeout, and the backend wiring on the head."""
    enabled = features.gcs_ft_enabled(cluster.spec, cluster.annotations)
    annotations = template["metadata"].setdefault("annotations", {})
    if node_type == names.NODE_TYPE_HEAD:
        annotations[names.ANNOTATION_FT_ENABLED] = "true" if enabled else "false"
    if not enabled:
        return
    spec = template["spec"]
    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    if node_type == names.NODE_TYPE_WORKER:
        append_env_if_absent(ray, "RAY_gcs_rpc_server_reconnect_timeout_s", WORKER_GCS_RECONNECT_TIMEOUT_S)
        return
    options = cluster.spec.gcs_fault_tolerance_options
    if features.gcs_ft_embedded(cluster.spec):
        append_env_if_absent(ray, "RAY_gcs_storage", "rocksdb")
        append_env_if_absent(ray, "RAY_gcs_storage_path", GCS_STORAGE_PATH)
        storage = options.storage if options is not None else None
        mount: dict[str, Any] = {"name": GCS_STORAGE_VOLUME, "mountPath": GCS_STORAGE_PATH}
        if storage is not None and storage.sub_path:
            mount["subPath"] = storage.sub_path
        append(ray, "volumeMounts", mount)
        claim = names.gcs_storage_pvc_name(cluster.name, storage.claim_name if storage is not None else None)
        append(spec, "volumes", {"name": GCS_STORAGE_VOLUME, "persistentVolumeClaim": {"claimName": claim}})
        return
    # Redis backend: storage namespace = UID < annotation < option.
    storage_ns = cluster.annotations.get(names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE, cluster.uid)
    if options is not None and options.external_storage_namespace:
        storage_ns = options.external_storage_namespace
    annotations[names.ANNOTATION_EXTERNAL_STORAGE_NAMESPACE] = storage_ns
    append_env_if_absent(ray, "RAY_external_storage_namespace", storage_ns)
    if options is not None:
        append_env(ray, env_var("RAY_REDIS_ADDRESS", options.redis_address or ""))
        if options.redis_username is not None:
            params["redis-username"] = "$REDIS_USERNAME"
            username = options.redis_username
            append_env(ray, env_var("REDIS_USERNAME", username.value or "", username.value_from))
        if options.redis_password is not None:
            params["redis-password"] = "$REDIS_PASSWORD"
            password = options.redis_password
            append_env(ray, env_var("REDIS_PASSWORD", password.value or "", password.value_from))
    elif not has_env(ray, "REDIS_PASSWORD") and "redis-password" in params:
        # Legacy setup with the password in rayStartParams: the cleanup Job reads it from the env.
        append_env(ray, env_var("REDIS_PASSWORD", params["redis-password"]))


# --- labels ---------------------------------------------------------------------------------------


def pod_labels(
    node_type: str,
    cluster_name: str,
    group_name: str,
    template_labels: Mapping[str, str] | None,
    group_labels: Mapping[str, str] | None,
) -> dict[str, str]:
    """Operator labels, overridden by template then group labels except cluster/node-type/group."""
    labels = {
        names.LABEL_IS_RAY_NODE: "yes",
        names.LABEL_CLUSTER: cluster_name,
        names.LABEL_NODE_TYPE: node_type,
        names.LABEL_GROUP: group_name,
        names.LABEL_IDENTIFIER: names.identifier(cluster_name, node_type),
        names.LABEL_APP_NAME: names.APP_NAME,
        names.LABEL_CREATED_BY: names.CREATED_BY,
    }
    for key, value in {**(template_labels or {}), **(group_labels or {})}.items():
        if key not in _PROTECTED_LABELS:
            labels[key] = value
    return labels


# --- the wait-gcs-ready init container ------------------------------------------------------------


def wait_gcs_ready_script(fqdn: str, head_port: str) -> str:
    """Bash loop polling ``ray health-check`` (quiet for 120 s, then verbose), tab-indented like KubeRay's."""
    address = f"{fqdn}:{head_port}"
    faq = "https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html"
    lines = [
        (5, "SECONDS=0"),
        (5, "while true; do"),
        (6, "if (( SECONDS <= 120 )); then"),
        (7, f"if ray health-check --address {address} > /dev/null 2>&1; then"),
        (8, 'echo "GCS is ready."'),
        (8, "break"),
        (7, "fi"),
        (7, 'echo "$SECONDS seconds elapsed: Waiting for GCS to be ready."'),
        (6, "else"),
        (7, f"if ray health-check --address {address}; then"),
        (8, 'echo "GCS is ready. Any error messages above can be safely ignored."'),
        (8, "break"),
        (7, "fi"),
        (
            7,
            f'echo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. '
            f'For troubleshooting, refer to the FAQ at {faq}."',
        ),
        (6, "fi"),
        (6, "sleep 5"),
        (5, "done"),
    ]
    return "\n" + "".join("\t" * depth + text + "\n" for depth, text in lines) + "\t" * 4


def build_wait_gcs_ready_container(
    ray_container: Mapping[str, Any], fqdn: str, head_port: str, *, login_shell: bool
) -> dict[str, Any]:
    """Init container that blocks a worker until the head's GCS answers health checks.

    It gets a copy of the Ray container's env and mounts as written in the template, and fixed
    small resources so it never asks for GPUs.
    """
    container: dict[str, Any] = {
        "name": names.WAIT_GCS_READY_CONTAINER_NAME,
        "command": raystart.bash_command(login_shell=login_shell),
        "args": [wait_gcs_ready_script(fqdn, head_port)],
        "resources": fixed_resources("200m", "256Mi"),
    }
    copy_image_settings(ray_container, container)
    for key in ("env", "volumeMounts"):
        if ray_container.get(key):
            container[key] = copy.deepcopy(ray_container[key])
    return container


# --- the common tail of head and worker Pods (KubeRay's BuildPod) ---------------------------------


def _set_ray_container_env(
    ray: dict[str, Any],
    *,
    node_type: str,
    fqdn: str,
    head_port: str,
    start_command: str,
    creator: str,
    config: OperatorConfig,
    pod_spec: Mapping[str, Any],
) -> None:
    """Environment every Ray container gets, in KubeRay's order."""
    for default in config.default_container_envs:
        if not has_env(ray, str(default.get("name"))):
            append_env(ray, copy.deepcopy(dict(default)))
    host = LOCAL_HOST
    if node_type == names.NODE_TYPE_WORKER:
        host = fqdn
        append_env(ray, env_var("FQ_RAY_IP", fqdn), env_var("RAY_IP", names.ray_ip_from_fqdn(fqdn)))
    append_env(
        ray,
        field_ref_env("RAY_CLUSTER_NAME", f"metadata.labels['{names.LABEL_CLUSTER}']"),
        field_ref_env("RAY_CLUSTER_NAMESPACE", "metadata.namespace"),
        field_ref_env("RAY_CLOUD_INSTANCE_ID", "metadata.name"),
        field_ref_env("RAY_NODE_TYPE_NAME", f"metadata.labels['{names.LABEL_GROUP}']"),
        env_var("KUBERAY_GEN_RAY_START_CMD", start_command),
    )
    append_env_if_absent(ray, "RAY_PORT", head_port)
    if creator == names.CRD_RAYSERVICE:
        append_env_if_absent(ray, "RAY_timeout_ms_task_wait_for_death_info", "0")
        append_env_if_absent(ray, "RAY_gcs_server_request_timeout_seconds", "5")
        append_env_if_absent(ray, "RAY_SERVE_KV_TIMEOUT_S", "5")
    append_env_if_absent(ray, "RAY_ADDRESS", f"{host}:{head_port}")
    append_env_if_absent(ray, "RAY_USAGE_STATS_KUBERAY_IN_USE", "1")
    if node_type == names.NODE_TYPE_HEAD:
        tags = f"kuberay_version={config.operator_version};kuberay_crd={creator}"
        append_env(ray, env_var("RAY_USAGE_STATS_EXTRA_TAGS", tags))
    append_env_if_absent(ray, "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "1")
    if config.gate(GATE_HISTORY_SERVER) and container_index(pod_spec, names.COLLECTOR_CONTAINER_NAME) != -1:
        append_env_if_absent(ray, "RAY_enable_ray_event", "true")
        append_env_if_absent(ray, "RAY_enable_core_worker_ray_event_to_aggregator", "true")
        append_env_if_absent(
            ray, "RAY_DASHBOARD_AGGREGATOR_AGENT_EVENTS_EXPORT_ADDR", "http://localhost:8084/v1/events"
        )
        append_env_if_absent(ray, "RAY_DASHBOARD_AGGREGATOR_AGENT_EXPOSABLE_EVENT_TYPES", EXPOSABLE_EVENT_TYPES)
        append_env_if_absent(
            ray,
            "RAY_DASHBOARD_AGGREGATOR_AGENT_PUBLISHER_HTTP_ENDPOINT_EXPOSABLE_EVENT_TYPES",
            EXPOSABLE_EVENT_TYPES,
        )


def _add_features_and_sidecars(
    template: dict[str, Any],
    params: dict[str, str],
    *,
    cluster: RayCluster,
    config: OperatorConfig,
    node_type: str,
    fqdn: str,
) -> None:
    """GCS fault tolerance, the metrics port, token auth, the history collector, then the
    operator-configured sidecars and Pod defaults (the same steps, in the same order, for both)."""
    spec = template["spec"]
    _configure_gcs_ft(template, params, cluster, node_type)
    _ensure_metrics_port(spec["containers"][names.RAY_CONTAINER_INDEX])
    if features.auth_enabled(cluster.spec):
        _configure_token_auth(spec, cluster)
    if features.collector_enabled(cluster.spec, config):
        append(spec, "containers", _build_collector(cluster, node_type, fqdn))
    sidecars = config.head_sidecar_containers if node_type == names.NODE_TYPE_HEAD else config.worker_sidecar_containers
    _add_config_defaults(template, sidecars, config)


def _finish_pod(
    template: dict[str, Any],
    params: dict[str, str],
    *,
    cluster: RayCluster,
    config: OperatorConfig,
    node_type: str,
    fqdn: str,
    head_port: str,
) -> dict[str, Any]:
    """Shared tail of head and worker Pods, after their type-specific parts (KubeRay's order):
    cluster features and sidecars, then volumes, the ``ray start`` command, env, probes and ownership."""
    metadata = template["metadata"]
    spec = template["spec"]
    _add_features_and_sidecars(template, params, cluster=cluster, config=config, node_type=node_type, fqdn=fqdn)
    creator = names.creator_crd(cluster.labels)
    if creator == names.CRD_RAYSERVICE:
        # Workers serve as soon as their readiness probe passes; the head is switched on later
        # by the RayService controller once its Serve proxy is healthy.
        metadata["labels"][names.LABEL_SERVE] = "false" if node_type == names.NODE_TYPE_HEAD else "true"
    containers = spec["containers"]
    ray = containers[names.RAY_CONTAINER_INDEX]
    if "plasma-directory" not in params:
        _add_empty_dir(ray, spec, SHARED_MEMORY_VOLUME, SHARED_MEMORY_PATH, in_memory=True)
    if node_type == names.NODE_TYPE_HEAD and features.autoscaling_enabled(cluster.spec):
        autoscaler = containers[container_index(spec, names.AUTOSCALER_CONTAINER_NAME)]
        _add_empty_dir(ray, spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)
        _add_empty_dir(autoscaler, spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)
    if config.gate(GATE_HISTORY_SERVER):
        collector_index = container_index(spec, names.COLLECTOR_CONTAINER_NAME)
        if collector_index != -1:
            _add_empty_dir(ray, spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)
            _add_empty_dir(containers[collector_index], spec, RAY_LOGS_VOLUME, RAY_LOGS_PATH, in_memory=False)

    raystart.apply_container_resources(params, ray.get("resources"))
    start_command = raystart.ray_start_command(node_type, params)
    overwrite = str((metadata.get("annotations") or {}).get(names.ANNOTATION_OVERWRITE_CONTAINER_CMD, "")).lower()
    wrapped = raystart.container_command(
        ray.get("command"),
        ray.get("args"),
        start_command,
        overwrite=overwrite == "true",
        login_shell=config.enable_login_shell,
    )
    if wrapped is not None:
        ray["command"], ray["args"] = wrapped

    for init in spec.get("initContainers") or ():
        append_env(init, env_var("FQ_RAY_IP", fqdn), env_var("RAY_IP", names.ray_ip_from_fqdn(fqdn)))
    _set_ray_container_env(
        ray,
        node_type=node_type,
        fqdn=fqdn,
        head_port=head_port,
        start_command=start_command,
        creator=creator,
        config=config,
        pod_spec=spec,
    )
    if config.enable_probes_injection:
        probes.inject_probes(
            ray,
            node_type=node_type,
            creator_crd=creator,
            ray_start_params=params,
            ray_version=cluster.spec.ray_version,
        )
    metadata["ownerReferences"] = names.owner_references(cluster)
    if not metadata.get("annotations"):
        metadata.pop("annotations", None)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def _start_template(template: Mapping[str, Any]) -> dict[str, Any]:
    """A private deep copy of a pod template with ``metadata`` and ``spec`` present."""
    copied = copy.deepcopy(dict(template))
    copied["metadata"] = dict(copied.get("metadata") or {})
    copied["spec"] = dict(copied.get("spec") or {})
    if not copied["spec"].get("containers"):
        raise ValueError("the pod template must have at least one container (the Ray container)")
    return copied


def _add_config_defaults(
    template: dict[str, Any], sidecars: Sequence[Mapping[str, Any]], config: OperatorConfig
) -> None:
    """Operator-configured sidecars, then default Pod annotations/labels for keys not set yet."""
    if sidecars:
        append(template["spec"], "containers", *(copy.deepcopy(dict(s)) for s in sidecars))
    metadata = template["metadata"]
    if config.default_pod_annotations:
        annotations = metadata.setdefault("annotations", {})
        for key, value in config.default_pod_annotations.items():
            annotations.setdefault(key, value)
    if config.default_pod_labels:
        labels = metadata.setdefault("labels", {})
        for key, value in config.default_pod_labels.items():
            labels.setdefault(key, value)


def _overwrite_annotation(template: dict[str, Any], cluster: RayCluster) -> None:
    """Carry ``ray.io/overwrite-container-cmd: "true"`` from the RayCluster onto the Pod."""
    annotations = template["metadata"].setdefault("annotations", {})
    if cluster.annotations.get(names.ANNOTATION_OVERWRITE_CONTAINER_CMD, "").lower() == "true":
        annotations[names.ANNOTATION_OVERWRITE_CONTAINER_CMD] = "true"


def _ensure_metrics_port(ray: dict[str, Any]) -> None:
    if not any(p.get("name") == names.PORT_NAME_METRICS for p in ray.get("ports") or ()):
        append(ray, "ports", {"name": names.PORT_NAME_METRICS, "containerPort": names.PORT_METRICS})


# --- public builders ------------------------------------------------------------------------------


def build_head_pod(cluster: RayCluster, config: OperatorConfig, *, upgrade_annotations: bool = True) -> dict[str, Any]:
    """The head Pod manifest (``generateName`` unless deterministic head names are enabled).

    ``upgrade_annotations`` adds ``ray.io/upgrade-strategy-recreate-hash`` and
    ``ray.io/kuberay-version``, which KubeRay sets whenever it creates a head Pod (but not on Pods
    built for other purposes, such as the Redis cleanup Job).
    """
    head = cluster.spec.head_group_spec
    template = _start_template(head.template)
    metadata, spec = template["metadata"], template["spec"]
    params = dict(head.ray_start_params or {})
    head_port = names.head_port(head.ray_start_params or {})
    fqdn = head_fqdn(cluster, config)

    if config.enable_deterministic_head_pod_name:
        metadata["name"] = names.head_pod_fixed_name(cluster.name)
    else:
        metadata["generateName"] = names.head_pod_generate_name(cluster.name)
    metadata["namespace"] = cluster.namespace
    raystart.apply_group_resources(params, head.resources)
    raystart.apply_group_labels(params, head.labels)
    metadata["labels"] = pod_labels(
        names.NODE_TYPE_HEAD, cluster.name, names.HEAD_GROUP_NAME, metadata.get("labels"), head.labels
    )
    raystart.set_missing_params(params, names.NODE_TYPE_HEAD)
    _overwrite_annotation(template, cluster)

    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    if features.autoscaling_enabled(cluster.spec):
        # Ray's own monitor is replaced by the KubeRay autoscaler sidecar.
        params["no-monitor"] = "true"
        spec["serviceAccountName"] = names.check_name(service_account_lookup_name(cluster))
        autoscaler = build_autoscaler_container(str(ray.get("image") or ""), config)
        if features.auth_enabled(cluster.spec):
            set_token_auth_env(autoscaler, cluster)
        apply_autoscaler_options(autoscaler, cluster.spec.autoscaler_options)
        append(spec, "containers", autoscaler)
        version = features.autoscaler_version(cluster.spec)
        if version == "v2":
            append_env(ray, env_var(AUTOSCALER_V2_ENV, "true"))
            spec["restartPolicy"] = "Never"
        elif version == "v1":
            append_env(ray, env_var(AUTOSCALER_V2_ENV, "false"))

    pod = _finish_pod(
        template,
        params,
        cluster=cluster,
        config=config,
        node_type=names.NODE_TYPE_HEAD,
        fqdn=fqdn,
        head_port=head_port,
    )
    if upgrade_annotations:
        annotations = pod["metadata"].setdefault("annotations", {})
        annotations[names.ANNOTATION_RECREATE_HASH] = recreate_hash(cluster)
        annotations[names.ANNOTATION_KUBERAY_VERSION] = config.operator_version
    return pod


def build_worker_pod(
    cluster: RayCluster,
    worker: WorkerGroupSpec,
    config: OperatorConfig,
    *,
    replica_index: int = 0,
    replica_name: str = "",
    host_index: int = 0,
) -> dict[str, Any]:
    """A worker Pod manifest (``generateName`` ``<cluster>-<group>-worker-``).

    With feature gate ``RayMultiHostIndexing`` (default on) the Pod is labelled with
    ``replica_index`` (the lowest index not used by the group's live Pods, chosen by the caller);
    for multi-host groups also with ``replica_name`` (``<group>-<5 random chars>``, shared by the
    hosts of one replica) and ``host_index`` (0..numOfHosts-1).
    """
    template = _start_template(worker.template)
    metadata, spec = template["metadata"], template["spec"]
    params = dict(worker.ray_start_params or {})
    head_port = names.head_port(cluster.spec.head_group_spec.ray_start_params or {})
    fqdn = head_fqdn(cluster, config)

    metadata["generateName"] = names.worker_pod_generate_name(cluster.name, worker.group_name)
    metadata["namespace"] = cluster.namespace
    ray = spec["containers"][names.RAY_CONTAINER_INDEX]
    if config.enable_init_container_injection:
        init = build_wait_gcs_ready_container(ray, fqdn, head_port, login_shell=config.enable_login_shell)
        append(spec, "initContainers", init)
    metadata.pop("name", None)
    raystart.apply_group_resources(params, worker.resources)
    raystart.apply_group_labels(params, worker.labels)
    labels = pod_labels(names.NODE_TYPE_WORKER, cluster.name, worker.group_name, metadata.get("labels"), worker.labels)
    if config.gate(GATE_MULTI_HOST_INDEXING):
        labels[names.LABEL_REPLICA_INDEX] = str(replica_index)
        if worker.num_of_hosts > 1:
            labels[names.LABEL_REPLICA_NAME] = replica_name
            labels[names.LABEL_HOST_INDEX] = str(host_index)
    metadata["labels"] = labels
    raystart.set_missing_params(params, names.NODE_TYPE_WORKER, worker_address=f"{fqdn}:{head_port}")
    _overwrite_annotation(template, cluster)
    if features.autoscaling_enabled(cluster.spec) and features.autoscaler_version(cluster.spec) == "v2":
        spec["restartPolicy"] = "Never"

    return _finish_pod(
        template,
        params,
        cluster=cluster,
        config=config,
        node_type=names.NODE_TYPE_WORKER,
        fqdn=fqdn,
        head_port=head_port,
    )


def ray_container_terminated(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """``state.terminated`` of the Ray container (matched by name: status order is not spec order)."""
    containers = (pod.get("spec") or {}).get("containers") or []
    if not containers:
        return None
    ray_name = containers[names.RAY_CONTAINER_INDEX].get("name")
    for status in (pod.get("status") or {}).get("containerStatuses") or ():
        if status.get("name") == ray_name:
            terminated = (status.get("state") or {}).get("terminated")
            return terminated if terminated is not None else None
    return None


def _go_time(value: Any) -> str:
    """A metav1.Time as Go's ``%v`` prints it (UTC), e.g. ``2024-01-01 00:00:00 +0000 UTC``."""
    if not value:
        return "0001-01-01 00:00:00 +0000 UTC"
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    utc = parsed.astimezone(datetime.UTC)
    fraction = f".{utc.microsecond:06d}".rstrip("0") if utc.microsecond else ""
    return utc.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


def describe_terminated(terminated: Mapping[str, Any] | None) -> str:
    """A ContainerStateTerminated as KubeRay's messages print it (Go's generated ``String()``)."""
    if terminated is None:
        return "nil"
    return (
        "&ContainerStateTerminated{"
        f"ExitCode:{terminated.get('exitCode', 0)},"
        f"Signal:{terminated.get('signal', 0)},"
        f"Reason:{terminated.get('reason', '')},"
        f"Message:{terminated.get('message', '')},"
        f"StartedAt:{_go_time(terminated.get('startedAt'))},"
        f"FinishedAt:{_go_time(terminated.get('finishedAt'))},"
        f"ContainerID:{terminated.get('containerID', '')},"
        "}"
    )


def should_delete_pod(pod: Mapping[str, Any]) -> bool:
    """Whether a Ray Pod is beyond repair and must be replaced (cheap: no message is formatted).

    Terminal phases (Failed/Succeeded) always; a Running Pod whose Ray container terminated only
    when ``restartPolicy: Never`` (otherwise the kubelet restarts the container).
    """
    phase = (pod.get("status") or {}).get("phase", "")
    if phase in ("Failed", "Succeeded"):
        return True
    return (
        phase == "Running"
        and (pod.get("spec") or {}).get("restartPolicy", "") == "Never"
        and ray_container_terminated(pod) is not None
    )


def delete_reason(pod: Mapping[str, Any]) -> str:
    """KubeRay's explanation of :func:`should_delete_pod`'s verdict (for events and errors)."""
    metadata = pod.get("metadata") or {}
    labels = metadata.get("labels") or {}
    node_type = labels.get(names.LABEL_NODE_TYPE, "")
    name = metadata.get("name", "")
    phase = (pod.get("status") or {}).get("phase", "")
    restart_policy = (pod.get("spec") or {}).get("restartPolicy", "")
    if phase in ("Failed", "Succeeded"):
        return (
            f"The {node_type} Pod {name} status is {phase} which is a terminal state. "
            "KubeRay will delete the Pod and create new Pods in the next reconciliation if necessary."
        )
    terminated = ray_container_terminated(pod)
    status = describe_terminated(terminated)
    if phase == "Running" and terminated is not None:
        if restart_policy == "Never":
            return (
                f"The Pod status of the {node_type} Pod {name} is {phase}, and the Ray container terminated "
                f"status is {status}. The container is unable to restart due to its restart policy "
                f"{restart_policy}, so KubeRay will delete it."
            )
        return (
            f"The Pod status of the {node_type} Pod {name} is {phase}, and the Ray container terminated "
            f"status is {status}. However, KubeRay will not delete the Pod because its restartPolicy is "
            f"set to {restart_policy} and it should be able to restart automatically."
        )
    return (
        f"KubeRay does not need to delete the {node_type} Pod {name}. The Pod status is {phase}, "
        f"and the Ray container terminated status is {status}."
    )
