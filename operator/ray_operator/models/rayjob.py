"""RayJob (``ray.io/v1``): a Ray job plus the RayCluster it runs on, as in KubeRay.

Same conventions as :mod:`ray_operator.models.raycluster`. Spec-level cross-field rules that
KubeRay checks in its controller and that need no runtime state are CEL rules here, so a bad
RayJob is rejected by ``kubectl apply`` instead of ending in ``ValidationFailed``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ray_operator.models.common import (
    Crd,
    Int32,
    Int64,
    ManagedBy,
    PodTemplate,
    RayModel,
    RayResource,
    Rule,
    StrMap,
    Time,
    embedded_cluster_rules,
    enum,
    pod_template,
)
from ray_operator.models.raycluster import RayClusterSpec, RayClusterStatus

#: Longest RayJob name KubeRay accepts (the RayCluster gets a 6-character suffix).
MAX_RAYJOB_NAME_LENGTH = 47
#: Upper bound on deletion rules so the API server can bound the cost of the CEL rules.
MAX_DELETION_RULES = 16

# Submission modes (``spec.submissionMode``).
K8S_JOB_MODE = "K8sJobMode"
HTTP_MODE = "HTTPMode"
INTERACTIVE_MODE = "InteractiveMode"
SIDECAR_MODE = "SidecarMode"
SUBMISSION_MODES = (K8S_JOB_MODE, HTTP_MODE, INTERACTIVE_MODE, SIDECAR_MODE)

# Deletion policies.
DELETE_CLUSTER = "DeleteCluster"
DELETE_WORKERS = "DeleteWorkers"
DELETE_SELF = "DeleteSelf"
DELETE_NONE = "DeleteNone"
DELETION_POLICIES = (DELETE_CLUSTER, DELETE_WORKERS, DELETE_SELF, DELETE_NONE)

# Ray job statuses (``status.jobStatus``), as reported by the Ray dashboard; "" means new.
JOB_STATUS_NEW = ""
JOB_STATUS_PENDING = "PENDING"
JOB_STATUS_RUNNING = "RUNNING"
JOB_STATUS_STOPPED = "STOPPED"
JOB_STATUS_SUCCEEDED = "SUCCEEDED"
JOB_STATUS_FAILED = "FAILED"
TERMINAL_JOB_STATUSES = frozenset({JOB_STATUS_STOPPED, JOB_STATUS_SUCCEEDED, JOB_STATUS_FAILED})

# Deployment statuses (``status.jobDeploymentStatus``); "" means new.
DEPLOYMENT_NEW = ""
DEPLOYMENT_INITIALIZING = "Initializing"
DEPLOYMENT_RUNNING = "Running"
DEPLOYMENT_COMPLETE = "Complete"
DEPLOYMENT_FAILED = "Failed"
DEPLOYMENT_VALIDATION_FAILED = "ValidationFailed"
DEPLOYMENT_SUSPENDING = "Suspending"
DEPLOYMENT_SUSPENDED = "Suspended"
DEPLOYMENT_RETRYING = "Retrying"
DEPLOYMENT_WAITING = "Waiting"
TERMINAL_DEPLOYMENT_STATUSES = frozenset({DEPLOYMENT_COMPLETE, DEPLOYMENT_FAILED})

# Failure reasons (``status.reason``).
REASON_SUBMISSION_FAILED = "SubmissionFailed"
REASON_DEADLINE_EXCEEDED = "DeadlineExceeded"
REASON_PRE_RUNNING_DEADLINE_EXCEEDED = "PreRunningDeadlineExceeded"
REASON_APP_FAILED = "AppFailed"
REASON_TRANSITION_GRACE_PERIOD_EXCEEDED = "JobDeploymentStatusTransitionGracePeriodExceeded"
REASON_STATUS_CHECK_TIMEOUT_EXCEEDED = "JobStatusCheckTimeoutExceeded"
REASON_VALIDATION_FAILED = "ValidationFailed"

#: The only ``clusterSelector`` key KubeRay looks at: the name of the RayCluster to use.
CLUSTER_SELECTOR_KEY = "ray.io/cluster"


def _same_condition(a: str, b: str) -> str:
    """CEL: deletion rules ``a`` and ``b`` are triggered by the same status."""
    return (
        f"(has({a}.condition.jobStatus) ? (has({b}.condition.jobStatus) && "
        f"{b}.condition.jobStatus == {a}.condition.jobStatus) : (has({b}.condition.jobDeploymentStatus) && "
        f"has({a}.condition.jobDeploymentStatus) && "
        f"{b}.condition.jobDeploymentStatus == {a}.condition.jobDeploymentStatus))"
    )


def _rank(r: str) -> str:
    """CEL: position of rule ``r``'s policy in the order policies must fire (DeleteNone: 3, unordered)."""
    return (
        f"({r}.policy == 'DeleteWorkers' ? 0 : {r}.policy == 'DeleteCluster' ? 1 : {r}.policy == 'DeleteSelf' ? 2 : 3)"
    )


#: CEL: the legacy onSuccess/onFailure policies of ``self.deletionStrategy`` ('' when unset).
_LEGACY_POLICIES = (
    "[self.deletionStrategy.?onSuccess.?policy.orValue(''), self.deletionStrategy.?onFailure.?policy.orValue('')]"
)


class DeletionPolicy(RayModel):
    """Legacy single-stage policy (``onSuccess``/``onFailure``); prefer deletion rules."""

    policy: Annotated[str, enum(*DELETION_POLICIES)] | None = None


class DeletionCondition(RayModel):
    """When a deletion rule fires: a terminal job or deployment status plus a delay."""

    crd_rules = (
        Rule(
            "!(has(self.jobStatus) && has(self.jobDeploymentStatus))",
            "a deletion condition takes jobStatus or jobDeploymentStatus, not both",
        ),
        Rule(
            "has(self.jobStatus) || has(self.jobDeploymentStatus)",
            "a deletion condition needs jobStatus (SUCCEEDED/FAILED) or jobDeploymentStatus (Failed)",
        ),
    )

    job_status: Annotated[str, enum(JOB_STATUS_SUCCEEDED, JOB_STATUS_FAILED)] | None = Field(None, alias="jobStatus")
    job_deployment_status: Annotated[str, enum(DEPLOYMENT_FAILED)] | None = Field(None, alias="jobDeploymentStatus")
    ttl_seconds: Annotated[Int32, Crd(minimum=0)] = Field(0, alias="ttlSeconds")
    """Seconds after the status is reached before the policy is applied."""


class DeletionRule(RayModel):
    """One cleanup action and its trigger."""

    policy: Annotated[str, enum(*DELETION_POLICIES)]
    condition: DeletionCondition


class DeletionStrategy(RayModel):
    """Cleanup after the job finishes: legacy ``onSuccess``+``onFailure``, or ``deletionRules``."""

    crd_rules = (
        Rule(
            "!((has(self.onSuccess) || has(self.onFailure)) && has(self.deletionRules))",
            "deletionStrategy: use either onSuccess/onFailure (legacy) or deletionRules, not both",
        ),
        Rule(
            "(has(self.onSuccess) && has(self.onFailure)) || has(self.deletionRules)",
            "deletionStrategy needs both onSuccess and onFailure, or a non-empty deletionRules list",
        ),
        Rule(
            "(!has(self.onSuccess) || has(self.onSuccess.policy)) && "
            "(!has(self.onFailure) || has(self.onFailure.policy))",
            "deletionStrategy.onSuccess.policy and deletionStrategy.onFailure.policy must be set",
        ),
        Rule(
            "!has(self.deletionRules) || self.deletionRules.all(r, self.deletionRules.exists_one(s, "
            f"s.policy == r.policy && {_same_condition('r', 's')}))",
            "deletionStrategy.deletionRules: each (policy, jobStatus/jobDeploymentStatus) pair may appear only once",
        ),
        Rule(
            "!has(self.deletionRules) || self.deletionRules.all(a, self.deletionRules.all(b, "
            f"!{_same_condition('a', 'b')} || {_rank('a')} >= {_rank('b')} || {_rank('b')} == 3 || "
            "a.condition.ttlSeconds <= b.condition.ttlSeconds))",
            "deletionStrategy.deletionRules: for the same condition ttlSeconds must not decrease in the "
            "order DeleteWorkers, DeleteCluster, DeleteSelf",
        ),
    )

    on_success: DeletionPolicy | None = Field(None, alias="onSuccess")
    on_failure: DeletionPolicy | None = Field(None, alias="onFailure")
    deletion_rules: (
        Annotated[
            list[DeletionRule],
            Crd(
                minItems=1,
                maxItems=MAX_DELETION_RULES,
                **{"x-kubernetes-list-type": "atomic"},
            ),
        ]
        | None
    ) = Field(None, alias="deletionRules")


class SubmitterConfig(RayModel):
    """Settings of the submitter (Kubernetes Job in K8sJobMode, sidecar in SidecarMode)."""

    backoff_limit: Annotated[Int32, Crd(minimum=0)] | None = Field(None, alias="backoffLimit")
    """Submitter retries (operator default 2)."""


class RayJobSpec(RayModel):
    """Desired state of a RayJob."""

    crd_rules = (
        Rule(
            "has(self.rayClusterSpec) || (has(self.clusterSelector) && size(self.clusterSelector) > 0)",
            "spec: set rayClusterSpec (the operator creates a cluster) or clusterSelector (use an existing cluster)",
        ),
        Rule(
            "!has(self.clusterSelector) || size(self.clusterSelector) == 0 || "
            "('ray.io/cluster' in self.clusterSelector && self.clusterSelector['ray.io/cluster'] != '')",
            "spec.clusterSelector must contain the key 'ray.io/cluster' with the name of an existing RayCluster",
        ),
        Rule(
            "!has(self.clusterSelector) || size(self.clusterSelector) == 0 || !has(self.suspend) || !self.suspend",
            "spec.suspend cannot be used with spec.clusterSelector: the job does not own that cluster",
        ),
        Rule(
            "!has(self.clusterSelector) || size(self.clusterSelector) == 0 || self.backoffLimit == 0",
            "spec.backoffLimit must be 0 with spec.clusterSelector: retries need a new cluster",
        ),
        Rule(
            "!has(self.clusterSelector) || size(self.clusterSelector) == 0 || self.submissionMode != 'SidecarMode'",
            "spec.submissionMode SidecarMode needs spec.rayClusterSpec; it cannot use spec.clusterSelector",
        ),
        Rule(
            "self.submissionMode != 'InteractiveMode' || self.backoffLimit == 0",
            "spec.backoffLimit must be 0 in InteractiveMode",
        ),
        Rule(
            "self.submissionMode != 'SidecarMode' || !has(self.submitterPodTemplate)",
            "spec.submitterPodTemplate is not supported in SidecarMode; remove it or use K8sJobMode",
        ),
        Rule(
            "self.submissionMode != 'SidecarMode' || !has(self.submitterConfig)",
            "spec.submitterConfig is not supported in SidecarMode; remove it or use K8sJobMode",
        ),
        Rule(
            "!has(self.suspend) || !self.suspend || "
            "(has(self.shutdownAfterJobFinishes) && self.shutdownAfterJobFinishes)",
            "spec.suspend requires spec.shutdownAfterJobFinishes: true",
        ),
        Rule(
            "self.ttlSecondsAfterFinished == 0 || "
            "(has(self.shutdownAfterJobFinishes) && self.shutdownAfterJobFinishes)",
            "spec.ttlSecondsAfterFinished > 0 requires spec.shutdownAfterJobFinishes: true",
        ),
        Rule(
            "!has(self.deletionStrategy) || !has(self.deletionStrategy.deletionRules) || "
            "!has(self.shutdownAfterJobFinishes) || !self.shutdownAfterJobFinishes",
            "spec.deletionStrategy.deletionRules and spec.shutdownAfterJobFinishes are mutually exclusive; "
            "use a DeleteCluster rule instead of shutdownAfterJobFinishes",
        ),
        Rule(
            "!has(self.clusterSelector) || size(self.clusterSelector) == 0 || "
            "!has(self.deletionStrategy) || ("
            "(!has(self.deletionStrategy.deletionRules) || self.deletionStrategy.deletionRules.all(r, "
            "r.policy != 'DeleteCluster' && r.policy != 'DeleteWorkers')) && "
            f"{_LEGACY_POLICIES}"
            ".all(p, p != 'DeleteCluster' && p != 'DeleteWorkers'))",
            "spec.deletionStrategy: DeleteCluster and DeleteWorkers cannot be used with spec.clusterSelector "
            "(the job does not own that cluster)",
        ),
        Rule(
            "!has(self.rayClusterSpec) || !has(self.rayClusterSpec.enableInTreeAutoscaling) || "
            "!self.rayClusterSpec.enableInTreeAutoscaling || !has(self.deletionStrategy) || ("
            "(!has(self.deletionStrategy.deletionRules) || "
            "self.deletionStrategy.deletionRules.all(r, r.policy != 'DeleteWorkers')) && "
            f"{_LEGACY_POLICIES}"
            ".all(p, p != 'DeleteWorkers'))",
            "spec.deletionStrategy: DeleteWorkers is not supported when rayClusterSpec.enableInTreeAutoscaling is true",
        ),
        Rule(
            "!has(self.shutdownAfterJobFinishes) || !self.shutdownAfterJobFinishes || "
            "!has(self.deletionStrategy) || "
            f"{_LEGACY_POLICIES}"
            ".all(p, p != 'DeleteNone')",
            "spec.deletionStrategy: policy DeleteNone contradicts spec.shutdownAfterJobFinishes: true",
        ),
        Rule(
            "self.submissionMode != 'SidecarMode' || !has(self.rayClusterSpec) || "
            "!has(self.rayClusterSpec.headGroupSpec.template.spec.restartPolicy) || "
            "self.rayClusterSpec.headGroupSpec.template.spec.restartPolicy == 'Never'",
            "spec.rayClusterSpec.headGroupSpec.template.spec.restartPolicy must be Never (or unset) in SidecarMode",
        ),
        Rule(
            "!has(self.rayClusterSpec) || !has(self.rayClusterSpec.upgradeStrategy) || "
            "!has(self.rayClusterSpec.upgradeStrategy.type)",
            "spec.rayClusterSpec.upgradeStrategy cannot be set: the RayJob controls its cluster's lifecycle",
        ),
        Rule(
            "!has(self.rayClusterSpec) || !has(self.rayClusterSpec.authOptions) || "
            "!has(self.rayClusterSpec.authOptions.enableK8sTokenAuth) || "
            "!self.rayClusterSpec.authOptions.enableK8sTokenAuth",
            "spec.rayClusterSpec.authOptions.enableK8sTokenAuth is not supported for RayJob",
        ),
        *embedded_cluster_rules("self.rayClusterSpec", "The RayJob spec is invalid: ", optional=True),
    )

    active_deadline_seconds: Annotated[Int32, Crd(minimum=1)] | None = Field(None, alias="activeDeadlineSeconds")
    """Seconds the job may run (from ``status.startTime``) before it is failed."""
    backoff_limit: Annotated[Int32, Crd(minimum=0)] = Field(0, alias="backoffLimit")
    """Retries, each on a new RayCluster."""
    ray_cluster_spec: RayClusterSpec | None = Field(None, alias="rayClusterSpec")
    submitter_pod_template: (
        Annotated[PodTemplate, pod_template("submitterPodTemplate", first="runs `ray job submit`")] | None
    ) = Field(None, alias="submitterPodTemplate")
    metadata: StrMap | None = None
    """Ray job metadata (not Kubernetes metadata)."""
    cluster_selector: StrMap | None = Field(None, alias="clusterSelector")
    """Run on an existing RayCluster named by the ``ray.io/cluster`` key."""
    submitter_config: SubmitterConfig | None = Field(None, alias="submitterConfig")
    managed_by: ManagedBy | None = Field(None, alias="managedBy")
    deletion_strategy: DeletionStrategy | None = Field(None, alias="deletionStrategy")
    entrypoint: str | None = None
    runtime_env_yaml: str | None = Field(None, alias="runtimeEnvYAML")
    """Ray runtime environment as a YAML document."""
    job_id: str | None = Field(None, alias="jobId")
    """Submission id; generated when unset (except in InteractiveMode, where the user sets it)."""
    submission_mode: Annotated[str, enum(*SUBMISSION_MODES)] = Field(K8S_JOB_MODE, alias="submissionMode")
    entrypoint_resources: str | None = Field(None, alias="entrypointResources")
    """JSON object of custom resources reserved for the entrypoint."""
    entrypoint_num_cpus: float | None = Field(None, alias="entrypointNumCpus")
    entrypoint_num_gpus: float | None = Field(None, alias="entrypointNumGpus")
    ttl_seconds_after_finished: Annotated[Int32, Crd(minimum=0)] = Field(0, alias="ttlSecondsAfterFinished")
    """Delay before the cluster is deleted once the job finished (needs shutdownAfterJobFinishes)."""
    pre_running_deadline_seconds: Annotated[Int32, Crd(minimum=1)] | None = Field(
        None, alias="preRunningDeadlineSeconds"
    )
    """Seconds the job may take to reach Running before it is failed."""
    shutdown_after_job_finishes: bool | None = Field(None, alias="shutdownAfterJobFinishes")
    suspend: bool | None = None


class RayJobStatusInfo(RayModel):
    """Start/end time of the Ray job as reported by the dashboard."""

    start_time: Time | None = Field(None, alias="startTime")
    end_time: Time | None = Field(None, alias="endTime")


class RayJobStatus(RayModel):
    """Observed state of a RayJob."""

    ray_job_info: RayJobStatusInfo | None = Field(None, alias="rayJobInfo")
    job_id: str | None = Field(None, alias="jobId")
    ray_cluster_name: str | None = Field(None, alias="rayClusterName")
    dashboard_url: str | None = Field(None, alias="dashboardURL")
    """``host:port`` of the dashboard, without a scheme."""
    job_status: str | None = Field(None, alias="jobStatus")
    job_deployment_status: str | None = Field(None, alias="jobDeploymentStatus")
    reason: str | None = None
    message: str | None = None
    start_time: Time | None = Field(None, alias="startTime")
    end_time: Time | None = Field(None, alias="endTime")
    succeeded: Int32 = 0
    """Number of successful runs."""
    failed: Int32 = 0
    """Number of failed runs."""
    ray_cluster_status: RayClusterStatus | None = Field(None, alias="rayClusterStatus")
    job_status_check_failure_start_time: Time | None = Field(None, alias="jobStatusCheckFailureStartTime")
    observed_generation: Int64 | None = Field(None, alias="observedGeneration")


class RayJob(RayResource):
    """A ``ray.io/v1`` RayJob object."""

    crd_rules = (
        Rule(
            f"self.metadata.name.size() <= {MAX_RAYJOB_NAME_LENGTH}",
            f"metadata.name must be no more than {MAX_RAYJOB_NAME_LENGTH} characters for a RayJob",
        ),
        Rule(
            "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
            "metadata.name must be a DNS-1035 label for a RayJob: lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit",
        ),
        # KubeRay's ValidateRayJobStatus. It reads status and spec, so it sits at the root: the operator
        # only writes Waiting in InteractiveMode, and a spec edit away from it while Waiting is refused.
        Rule(
            "!has(self.status) || self.status.?jobDeploymentStatus.orValue('') != 'Waiting' || "
            "self.spec.submissionMode == 'InteractiveMode'",
            "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is not "
            "InteractiveMode",
        ),
    )

    kind: str = "RayJob"
    spec: RayJobSpec
    status: RayJobStatus | None = None
