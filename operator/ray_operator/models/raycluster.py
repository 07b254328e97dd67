"""RayCluster (``ray.io/v1``): spec and status, field for field as in KubeRay.

Python attribute names are the snake_case form of KubeRay's JSON names; the JSON name is the
alias. Scalar Python defaults equal the CRD defaults (the CRD generator emits them as
``default:``); ``None`` means "not set". CEL rules in :class:`~.common.Crd` markers are enforced by
the API server only (see docs/api.md for the admission/reconcile split).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ray_operator.models.common import (
    Conditions,
    Crd,
    EmbeddedObject,
    Int32,
    Int64,
    IntOrQuantity,
    KubeObject,
    ManagedBy,
    PodTemplate,
    Quantity,
    RayModel,
    RayResource,
    Rule,
    StrMap,
    Time,
    enum,
    pod_template,
)

#: Longest RayCluster name KubeRay accepts (leaves room for the suffixes of derived objects).
MAX_RAYCLUSTER_NAME_LENGTH = 53
#: Upper bound on worker groups, needed so the API server can bound the cost of the CEL rules.
MAX_WORKER_GROUPS = 64
#: Worker group names end up in a Pod label value (``ray.io/group``), which is at most 63 chars.
MAX_GROUP_NAME_LENGTH = 63
INT32_MAX = 2147483647
#: Kubernetes label value syntax (without the length limit, which is maxLength).
LABEL_VALUE_PATTERN = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"

UPGRADE_TYPES = ("Recreate", "None")
AUTH_MODES = ("disabled", "token")
GCS_FT_BACKENDS = ("redis", "rocksdb")
GCS_STORAGE_DELETION_POLICIES = ("DeleteWithCluster", "Retain")
NETWORK_POLICY_MODES = ("DenyAll", "DenyAllIngress", "DenyAllEgress")
INGRESS_PATH_TYPES = ("Exact", "Prefix", "ImplementationSpecific")
UPSCALING_MODES = ("Default", "Aggressive", "Conservative")
AUTOSCALER_VERSIONS = ("v1", "v2")

#: rayStartParams that the group ``resources`` field replaces.
_RESOURCE_PARAMS = "['num-cpus', 'num-gpus', 'memory', 'resources']"


def _group_rules(group: str) -> tuple[Rule, ...]:
    """CEL rules shared by the head and worker groups (``group`` names the group in messages)."""
    return (
        Rule(
            "!has(self.resources) || size(self.resources) == 0 || !has(self.rayStartParams) || "
            f"{_RESOURCE_PARAMS}.all(k, !(k in self.rayStartParams) || self.rayStartParams[k] == '')",
            f"{group}: set Ray resources either in resources or in rayStartParams "
            "(num-cpus, num-gpus, memory, resources), not both",
        ),
        Rule(
            "!has(self.rayStartParams) || !('labels' in self.rayStartParams)",
            f"{group}: rayStartParams must not contain 'labels'; use the labels field of the group instead",
        ),
    )


# ClusterState values (``status.state``).
STATE_READY = "ready"
STATE_FAILED = "failed"  # deprecated in KubeRay, kept for compatibility
STATE_SUSPENDED = "suspended"

# Condition types (``status.conditions[].type``).
CONDITION_PROVISIONED = "RayClusterProvisioned"
CONDITION_HEAD_POD_READY = "HeadPodReady"
CONDITION_REPLICA_FAILURE = "ReplicaFailure"
CONDITION_SUSPENDING = "RayClusterSuspending"
CONDITION_SUSPENDED = "RayClusterSuspended"
#: Ours, not KubeRay's: a spec the operator refuses to act on (KubeRay only emits an event).
CONDITION_VALIDATION_FAILED = "ValidationFailed"

# Condition reasons.
REASON_ALL_POD_RUNNING_AND_READY_FIRST_TIME = "AllPodRunningAndReadyFirstTime"
REASON_PODS_PROVISIONING = "RayClusterPodsProvisioning"
REASON_HEAD_POD_NOT_FOUND = "HeadPodNotFound"
REASON_HEAD_POD_RUNNING_AND_READY = "HeadPodRunningAndReady"
REASON_UNKNOWN = "Unknown"


class RayClusterUpgradeStrategy(RayModel):
    """How Pods are replaced when the RayCluster spec changes."""

    type: Annotated[str, enum(*UPGRADE_TYPES)] | None = None
    """``Recreate`` deletes all Pods on a spec change; ``None`` (default) never replaces Pods."""


class AuthOptions(RayModel):
    """Token authentication between Ray components and clients."""

    crd_rules = (
        Rule(
            "!has(self.enableK8sTokenAuth) || !self.enableK8sTokenAuth || (has(self.mode) && self.mode == 'token')",
            "authOptions.enableK8sTokenAuth requires authOptions.mode: token",
        ),
        Rule(
            "!has(self.enableK8sTokenAuth) || !self.enableK8sTokenAuth || !has(self.secretName) || "
            "self.secretName == ''",
            "authOptions.secretName cannot be used with enableK8sTokenAuth: Kubernetes tokens replace the "
            "shared secret",
        ),
    )

    enable_k8s_token_auth: bool | None = Field(None, alias="enableK8sTokenAuth")
    """Delegate token checks to the Kubernetes API server (standalone RayClusters only)."""
    secret_name: str | None = Field(None, alias="secretName")
    """Existing Secret with key ``auth_token``; when unset the operator generates one."""
    mode: Annotated[str, enum(*AUTH_MODES)] | None = None
    """``token`` enables authentication, ``disabled`` turns it off."""


class RedisCredential(RayModel):
    """A Redis username or password, inline or from a Secret/ConfigMap reference."""

    value_from: KubeObject | None = Field(None, alias="valueFrom")
    """A core/v1 EnvVarSource."""
    value: str | None = None


class GcsEmbeddedStorage(RayModel):
    """PersistentVolumeClaim backing the embedded RocksDB GCS store."""

    crd_rules = (
        Rule(
            "!has(self.claimName) || self.claimName == '' || "
            "(!has(self.size) && !has(self.storageClassName) && !has(self.accessModes))",
            "gcsFaultToleranceOptions.storage.claimName cannot be combined with size, storageClassName "
            "or accessModes: those configure an operator-managed claim",
        ),
    )

    claim_name: str | None = Field(None, alias="claimName")
    """Bring-your-own PVC; mutually exclusive with size/storageClassName/accessModes."""
    size: IntOrQuantity | None = None
    """Size of the operator-managed PVC (operator default 1Gi)."""
    storage_class_name: str | None = Field(None, alias="storageClassName")
    access_modes: list[str] | None = Field(None, alias="accessModes")
    """Access modes of the operator-managed PVC (operator default ``[ReadWriteOnce]``)."""
    sub_path: str | None = Field(None, alias="subPath")
    deletion_policy: Annotated[str, enum(*GCS_STORAGE_DELETION_POLICIES)] | None = Field(None, alias="deletionPolicy")
    """``DeleteWithCluster`` (operator default) or ``Retain``."""


class GcsFaultToleranceOptions(RayModel):
    """GCS fault tolerance: where the head persists cluster metadata."""

    crd_rules = (
        Rule(
            "!has(self.backend) || self.backend != 'rocksdb' || (!has(self.redisAddress) "
            "&& !has(self.redisUsername) && !has(self.redisPassword) && !has(self.externalStorageNamespace))",
            "gcsFaultToleranceOptions: redisAddress, redisUsername, redisPassword and "
            "externalStorageNamespace only apply to backend 'redis'; remove them for backend 'rocksdb'",
        ),
        Rule(
            "(has(self.backend) && self.backend == 'rocksdb') || !has(self.storage)",
            "gcsFaultToleranceOptions.storage only applies to backend 'rocksdb'; remove it or set backend: rocksdb",
        ),
    )

    backend: (
        Annotated[
            str,
            enum(*GCS_FT_BACKENDS),
            Crd(
                rules=(
                    Rule(
                        "self == oldSelf",
                        "gcsFaultToleranceOptions.backend is immutable; create a new RayCluster to switch",
                    ),
                )
            ),
        ]
        | None
    ) = None
    """``redis`` (default when unset) or ``rocksdb`` (embedded store on a PVC)."""
    redis_username: RedisCredential | None = Field(None, alias="redisUsername")
    redis_password: RedisCredential | None = Field(None, alias="redisPassword")
    external_storage_namespace: str | None = Field(None, alias="externalStorageNamespace")
    """Key prefix in Redis; defaults to the RayCluster UID."""
    redis_address: str | None = Field(None, alias="redisAddress")
    storage: GcsEmbeddedStorage | None = None


class CollectorOptions(RayModel):
    """History server collector sidecar."""

    image: str | None = None
    image_pull_policy: str | None = Field(None, alias="imagePullPolicy")
    resources: KubeObject | None = None
    """A core/v1 ResourceRequirements."""
    env: list[KubeObject] | None = None
    """core/v1 EnvVars for the collector container."""


class HistoryServerOptions(RayModel):
    """History server integration (operator feature gate ``RayClusterHistoryServer``)."""

    crd_rules = (
        Rule(
            "has(self.collectorOptions) && has(self.collectorOptions.image) && self.collectorOptions.image != ''",
            "historyServerOptions.collectorOptions.image must be set",
        ),
    )

    collector_options: CollectorOptions | None = Field(None, alias="collectorOptions")


class NetworkPolicyRules(RayModel):
    """Extra networking/v1 NetworkPolicy rules appended to the operator's base policy."""

    ingress_rules: list[KubeObject] | None = Field(None, alias="ingressRules")
    egress_rules: list[KubeObject] | None = Field(None, alias="egressRules")


class WorkerGroupNetworkPolicyRules(NetworkPolicyRules):
    """Rules that replace ``networkPolicy.worker`` for one worker group."""

    group_name: Annotated[str, Crd(maxLength=MAX_GROUP_NAME_LENGTH)] = Field(alias="groupName")


class NetworkPolicyConfig(RayModel):
    """Network isolation of the cluster's Pods (operator feature gate ``RayClusterNetworkPolicy``)."""

    crd_rules = (
        Rule(
            "self.mode != 'DenyAllEgress' || ((!has(self.head) || !has(self.head.ingressRules)) && "
            "(!has(self.worker) || !has(self.worker.ingressRules)) && "
            "(!has(self.workerGroups) || self.workerGroups.all(g, !has(g.ingressRules))))",
            "networkPolicy: ingressRules have no effect with mode DenyAllEgress (ingress is not restricted); "
            "remove them or change the mode",
        ),
        Rule(
            "self.mode != 'DenyAllIngress' || ((!has(self.head) || !has(self.head.egressRules)) && "
            "(!has(self.worker) || !has(self.worker.egressRules)) && "
            "(!has(self.workerGroups) || self.workerGroups.all(g, !has(g.egressRules))))",
            "networkPolicy: egressRules have no effect with mode DenyAllIngress (egress is not restricted); "
            "remove them or change the mode",
        ),
    )

    mode: Annotated[str, enum(*NETWORK_POLICY_MODES)] = "DenyAll"
    head: NetworkPolicyRules | None = None
    worker: NetworkPolicyRules | None = None
    worker_groups: (
        Annotated[
            list[WorkerGroupNetworkPolicyRules],
            Crd(
                maxItems=MAX_WORKER_GROUPS,
                **{"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["groupName"]},
            ),
        ]
        | None
    ) = Field(None, alias="workerGroups")


class TLSOptions(RayModel):
    """mTLS between Ray Pods via cert-manager (operator feature gate ``RayClusterMTLS``)."""

    enabled: bool | None = None


class IngressOptions(RayModel):
    """Host, path and TLS of the Ingress created for the head's dashboard."""

    host: str | None = None
    path: str | None = None
    """Operator default ``/``."""
    path_type: Annotated[str, enum(*INGRESS_PATH_TYPES)] | None = Field(None, alias="pathType")
    """Operator default ``Prefix``."""
    tls: list[KubeObject] | None = None
    """networking/v1 IngressTLS entries."""


class HeadGroupSpec(RayModel):
    """The head Pod."""

    crd_rules = (
        *_group_rules("headGroupSpec"),
        Rule(
            "!has(self.rayStartParams) || !('redis-username' in self.rayStartParams) || "
            "self.rayStartParams['redis-username'] == ''",
            "headGroupSpec.rayStartParams must not set redis-username; use "
            "gcsFaultToleranceOptions.redisUsername instead",
        ),
    )

    template: Annotated[PodTemplate, pod_template("headGroupSpec.template")]
    """core/v1 PodTemplateSpec; container 0 is the Ray container."""
    head_service: EmbeddedObject | None = Field(None, alias="headService")
    """A core/v1 Service used as the base of the head Service."""
    enable_ingress: bool | None = Field(None, alias="enableIngress")
    ingress_options: IngressOptions | None = Field(None, alias="ingressOptions")
    resources: StrMap | None = None
    """Ray logical resources; override ``num-cpus``/``num-gpus``/``memory``/``resources``."""
    labels: StrMap | None = None
    """Ray node labels, also added to the Pod."""
    ray_start_params: StrMap = Field(default_factory=dict, alias="rayStartParams")
    """``ray start`` options without the leading ``--``."""
    service_type: str | None = Field(None, alias="serviceType")
    """Type of the head Service (core/v1 ServiceType)."""


class ScaleStrategy(RayModel):
    """Which Pods the autoscaler asked to remove."""

    workers_to_delete: list[str] | None = Field(None, alias="workersToDelete")


class WorkerGroupSpec(RayModel):
    """One group of identical worker Pods."""

    crd_rules = (
        *_group_rules("workerGroupSpecs[]"),
        Rule(
            "self.minReplicas <= self.maxReplicas",
            "minReplicas must be less than or equal to maxReplicas",
            field_path=".minReplicas",
        ),
    )

    suspend: bool | None = None
    """Deletes the group's Pods; set by RayJob's deletion strategy, not meant for users."""
    group_name: Annotated[str, Crd(minLength=1, maxLength=MAX_GROUP_NAME_LENGTH, pattern=LABEL_VALUE_PATTERN)] = Field(
        alias="groupName"
    )
    """Also the value of the Pods' ``ray.io/group`` label, hence a label value."""
    replicas: Annotated[Int32, Crd(minimum=0)] = 0
    """Desired replicas, clamped to [minReplicas, maxReplicas]."""
    min_replicas: Annotated[Int32, Crd(minimum=0)] = Field(0, alias="minReplicas")
    max_replicas: Annotated[Int32, Crd(minimum=0)] = Field(INT32_MAX, alias="maxReplicas")
    idle_timeout_seconds: Annotated[Int32, Crd(minimum=0)] | None = Field(None, alias="idleTimeoutSeconds")
    """Read by autoscaler v2 only."""
    priority: Int32 = 0
    """Scale-up preference among groups; read by autoscaler v2 (Ray >= 2.56) only."""
    resources: StrMap | None = None
    labels: StrMap | None = None
    ray_start_params: StrMap = Field(default_factory=dict, alias="rayStartParams")
    template: Annotated[PodTemplate, pod_template("workerGroupSpecs[].template")]
    scale_strategy: ScaleStrategy = Field(default_factory=ScaleStrategy, alias="scaleStrategy")
    num_of_hosts: Int32 = Field(1, alias="numOfHosts")
    """Pods per replica (multi-host replicas, e.g. TPU slices); values below 1 count as 1."""


class AutoscalerOptions(RayModel):
    """Overrides for the autoscaler sidecar and settings read by the Ray autoscaler."""

    resources: KubeObject | None = None
    """core/v1 ResourceRequirements (operator default 500m CPU / 512Mi)."""
    image: str | None = None
    image_pull_policy: str | None = Field(None, alias="imagePullPolicy")
    security_context: KubeObject | None = Field(None, alias="securityContext")
    idle_timeout_seconds: Annotated[Int32, Crd(minimum=0)] | None = Field(None, alias="idleTimeoutSeconds")
    upscaling_mode: Annotated[str, enum(*UPSCALING_MODES)] | None = Field(None, alias="upscalingMode")
    version: Annotated[str, enum(*AUTOSCALER_VERSIONS)] | None = None
    env: list[KubeObject] | None = None
    env_from: list[KubeObject] | None = Field(None, alias="envFrom")
    volume_mounts: list[KubeObject] | None = Field(None, alias="volumeMounts")
    command: list[str] | None = None
    args: list[str] | None = None


class RayClusterSpec(RayModel):
    """Desired state of a RayCluster."""

    crd_rules = (
        Rule(
            "!has(self.gcsFaultToleranceOptions) || !has(self.headGroupSpec.rayStartParams) || "
            "!('redis-password' in self.headGroupSpec.rayStartParams) || "
            "self.headGroupSpec.rayStartParams['redis-password'] == ''",
            "headGroupSpec.rayStartParams must not set redis-password when gcsFaultToleranceOptions is set; "
            "use gcsFaultToleranceOptions.redisPassword instead",
        ),
        Rule(
            "!has(self.enableInTreeAutoscaling) || !self.enableInTreeAutoscaling || "
            "!has(self.workerGroupSpecs) || self.workerGroupSpecs.all(g, !has(g.suspend) || !g.suspend)",
            "workerGroupSpecs[].suspend cannot be true when enableInTreeAutoscaling is true",
        ),
        Rule(
            "!has(self.networkPolicy) || !has(self.workerGroupSpecs) || self.workerGroupSpecs.all(g, "
            "g.groupName.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))",
            "workerGroupSpecs[].groupName must be a DNS-1123 label (lowercase letters, digits, '-') when "
            "networkPolicy is set: it becomes part of the NetworkPolicy name",
        ),
        Rule(
            "!has(self.networkPolicy) || !has(self.networkPolicy.workerGroups) || "
            "self.networkPolicy.workerGroups.all(p, has(self.workerGroupSpecs) && "
            "self.workerGroupSpecs.exists(g, g.groupName == p.groupName))",
            "networkPolicy.workerGroups[].groupName must name a group in workerGroupSpecs",
        ),
    )

    upgrade_strategy: RayClusterUpgradeStrategy | None = Field(None, alias="upgradeStrategy")
    auth_options: AuthOptions | None = Field(None, alias="authOptions")
    suspend: bool | None = None
    managed_by: ManagedBy | None = Field(None, alias="managedBy")
    """Controller responsible for this object; immutable."""
    autoscaler_options: AutoscalerOptions | None = Field(None, alias="autoscalerOptions")
    head_service_annotations: StrMap | None = Field(None, alias="headServiceAnnotations")
    enable_in_tree_autoscaling: bool | None = Field(None, alias="enableInTreeAutoscaling")
    gcs_fault_tolerance_options: GcsFaultToleranceOptions | None = Field(None, alias="gcsFaultToleranceOptions")
    history_server_options: HistoryServerOptions | None = Field(None, alias="historyServerOptions")
    network_policy: NetworkPolicyConfig | None = Field(None, alias="networkPolicy")
    tls_options: TLSOptions | None = Field(None, alias="tlsOptions")
    head_group_spec: HeadGroupSpec = Field(alias="headGroupSpec")
    ray_version: str | None = Field(None, alias="rayVersion")
    worker_group_specs: (
        Annotated[
            list[WorkerGroupSpec],
            Crd(
                maxItems=MAX_WORKER_GROUPS,
                rules=(
                    Rule(
                        "self.all(g, self.exists_one(h, h.groupName == g.groupName))",
                        "workerGroupSpecs[].groupName must be unique within the RayCluster",
                    ),
                ),
            ),
        ]
        | None
    ) = Field(None, alias="workerGroupSpecs")


class HeadInfo(RayModel):
    """Where the head Pod and Service can be reached."""

    pod_ip: str | None = Field(None, alias="podIP")
    service_ip: str | None = Field(None, alias="serviceIP")
    pod_name: str | None = Field(None, alias="podName")
    service_name: str | None = Field(None, alias="serviceName")


class RayClusterStatus(RayModel):
    """Observed state of a RayCluster."""

    state: str | None = None
    """``ready`` or ``suspended`` (deprecated in favour of conditions, still shown by kubectl)."""
    desired_cpu: Quantity | None = Field(None, alias="desiredCPU")
    desired_memory: Quantity | None = Field(None, alias="desiredMemory")
    desired_gpu: Quantity | None = Field(None, alias="desiredGPU")
    desired_tpu: Quantity | None = Field(None, alias="desiredTPU")
    last_update_time: Annotated[Time, Crd(nullable=True)] | None = Field(None, alias="lastUpdateTime")
    state_transition_times: dict[str, Time] | None = Field(None, alias="stateTransitionTimes")
    endpoints: StrMap | None = None
    """Port name to port number (as a string) of the head Service."""
    head: HeadInfo | None = None
    reason: str | None = None
    conditions: Conditions | None = None
    """metav1.Conditions, one per type."""
    ready_worker_replicas: Int32 | None = Field(None, alias="readyWorkerReplicas")
    available_worker_replicas: Int32 | None = Field(None, alias="availableWorkerReplicas")
    desired_worker_replicas: Int32 | None = Field(None, alias="desiredWorkerReplicas")
    min_worker_replicas: Int32 | None = Field(None, alias="minWorkerReplicas")
    max_worker_replicas: Int32 | None = Field(None, alias="maxWorkerReplicas")
    observed_generation: Int64 | None = Field(None, alias="observedGeneration")


class RayCluster(RayResource):
    """A ``ray.io/v1`` RayCluster object."""

    crd_rules = (
        Rule(
            f"self.metadata.name.size() <= {MAX_RAYCLUSTER_NAME_LENGTH}",
            f"metadata.name must be no more than {MAX_RAYCLUSTER_NAME_LENGTH} characters for a RayCluster",
        ),
        Rule(
            "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
            "metadata.name must be a DNS-1035 label for a RayCluster: lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit",
        ),
    )

    kind: str = "RayCluster"
    spec: RayClusterSpec
    status: RayClusterStatus | None = None

    def worker_group(self, name: str) -> WorkerGroupSpec | None:
        """The worker group called ``name``, if any."""
        for group in self.spec.worker_group_specs or ():
            if group.group_name == name:
                return group
        return None
