"""RayService (``ray.io/v1``): Ray Serve applications on a managed RayCluster, as in KubeRay.

Same conventions as :mod:`ray_operator.models.raycluster`. ``serveConfigV2`` stays a YAML string
(KubeRay's format); ``rayClusterConfig`` is a full :class:`RayClusterSpec`.
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
    ManagedBy,
    RayModel,
    RayResource,
    Rule,
    Time,
    embedded_cluster_rules,
    enum,
)
from ray_operator.models.raycluster import RayClusterSpec, RayClusterStatus

#: Longest RayService name KubeRay accepts (its RayClusters get a 6-character suffix).
MAX_RAYSERVICE_NAME_LENGTH = 47

# Upgrade strategies (``spec.upgradeStrategy.type``).
UPGRADE_NEW_CLUSTER = "NewCluster"
UPGRADE_NEW_CLUSTER_INCREMENTAL = "NewClusterWithIncrementalUpgrade"
UPGRADE_NONE = "None"
UPGRADE_TYPES = (UPGRADE_NEW_CLUSTER_INCREMENTAL, UPGRADE_NEW_CLUSTER, UPGRADE_NONE)

#: ``status.serviceStatus`` when the service is ready ("" otherwise); deprecated for conditions.
SERVICE_STATUS_RUNNING = "Running"

# Condition types.
CONDITION_READY = "Ready"
CONDITION_UPGRADE_IN_PROGRESS = "UpgradeInProgress"
CONDITION_ROLLBACK_IN_PROGRESS = "RollbackInProgress"
CONDITION_SUSPENDING = "Suspending"
CONDITION_SUSPENDED = "Suspended"

# Condition reasons.
REASON_INITIALIZING = "Initializing"
REASON_INITIALIZING_TIMEOUT = "InitializingTimeout"
REASON_ZERO_SERVE_ENDPOINTS = "ZeroServeEndpoints"
REASON_NON_ZERO_SERVE_ENDPOINTS = "NonZeroServeEndpoints"
REASON_BOTH_ACTIVE_PENDING_CLUSTERS_EXIST = "BothActivePendingClustersExist"
REASON_NO_PENDING_CLUSTER = "NoPendingCluster"
REASON_NO_ACTIVE_CLUSTER = "NoActiveCluster"
REASON_VALIDATION_FAILED = "ValidationFailed"
REASON_DESIRED_CLUSTER_SPEC_CHANGED = "DesiredClusterSpecChanged"
REASON_SUSPEND_REQUESTED = "SuspendRequested"
REASON_SUSPEND_IN_PROGRESS = "SuspendInProgress"
REASON_SUSPEND_COMPLETE = "SuspendComplete"
REASON_RESUMED = "RayServiceResumed"

# Ray Serve application and deployment statuses.
APP_NOT_STARTED = "NOT_STARTED"
APP_DEPLOYING = "DEPLOYING"
APP_RUNNING = "RUNNING"
APP_DEPLOY_FAILED = "DEPLOY_FAILED"
APP_DELETING = "DELETING"
APP_UNHEALTHY = "UNHEALTHY"
DEPLOYMENT_UPDATING = "UPDATING"
DEPLOYMENT_HEALTHY = "HEALTHY"
DEPLOYMENT_UNHEALTHY = "UNHEALTHY"

Percent = Annotated[Int32, Crd(minimum=0, maximum=100)]


class ClusterUpgradeOptions(RayModel):
    """Pace of a ``NewClusterWithIncrementalUpgrade`` upgrade (traffic moves via Gateway API)."""

    crd_rules = (
        Rule(
            "self.stepSizePercent <= self.maxSurgePercent",
            "clusterUpgradeOptions.stepSizePercent must be less than or equal to maxSurgePercent",
        ),
    )

    max_surge_percent: Percent = Field(100, alias="maxSurgePercent")
    """Capacity the new cluster scales up by at each step, in percent."""
    step_size_percent: Percent = Field(alias="stepSizePercent")
    """Traffic moved to the new cluster at each step, in percent."""
    interval_seconds: Annotated[Int32, Crd(minimum=1)] = Field(alias="intervalSeconds")
    """Seconds between two traffic steps."""
    gateway_class_name: Annotated[str, Crd(minLength=1)] = Field(alias="gatewayClassName")
    """GatewayClass of the Gateway the operator creates."""


class RayServiceUpgradeStrategy(RayModel):
    """How a RayService moves to a changed ``rayClusterConfig``."""

    type: Annotated[str, enum(*UPGRADE_TYPES)] | None = None
    """``NewCluster``, ``NewClusterWithIncrementalUpgrade`` or ``None``; unset: operator setting."""
    cluster_upgrade_options: ClusterUpgradeOptions | None = Field(None, alias="clusterUpgradeOptions")


class ServeDeploymentStatus(RayModel):
    """Status of one Serve deployment."""

    status: str | None = None
    message: str | None = None


class AppStatus(RayModel):
    """Status of one Serve application."""

    deployments: dict[str, ServeDeploymentStatus] | None = Field(None, alias="serveDeploymentStatuses")
    status: str | None = None
    message: str | None = None


class RayServiceStatus(RayModel):
    """Serve status of one of the RayService's clusters (active or pending)."""

    applications: dict[str, AppStatus] | None = Field(None, alias="applicationStatuses")
    target_capacity: Int32 | None = Field(None, alias="targetCapacity")
    traffic_routed_percent: Int32 | None = Field(None, alias="trafficRoutedPercent")
    last_traffic_migrated_time: Time | None = Field(None, alias="lastTrafficMigratedTime")
    ray_cluster_name: str | None = Field(None, alias="rayClusterName")
    ray_cluster_status: RayClusterStatus | None = Field(None, alias="rayClusterStatus")


class RayServiceStatuses(RayModel):
    """Observed state of a RayService (KubeRay's ``RayServiceStatuses``)."""

    conditions: Conditions | None = None
    last_update_time: Time | None = Field(None, alias="lastUpdateTime")
    service_status: str | None = Field(None, alias="serviceStatus")
    active_service_status: RayServiceStatus | None = Field(None, alias="activeServiceStatus")
    pending_service_status: RayServiceStatus | None = Field(None, alias="pendingServiceStatus")
    num_serve_endpoints: Int32 | None = Field(None, alias="numServeEndpoints")
    observed_generation: Int64 | None = Field(None, alias="observedGeneration")


class RayServiceSpec(RayModel):
    """Desired state of a RayService."""

    crd_rules = (
        Rule(
            "!has(self.rayClusterConfig.authOptions) || "
            "!has(self.rayClusterConfig.authOptions.enableK8sTokenAuth) || "
            "!self.rayClusterConfig.authOptions.enableK8sTokenAuth",
            "spec.rayClusterConfig.authOptions.enableK8sTokenAuth is not supported for RayService",
        ),
        Rule(
            "!has(self.rayClusterConfig.headGroupSpec.headService) || "
            "self.rayClusterConfig.headGroupSpec.headService.?metadata.?name.orValue('') == ''",
            "spec.rayClusterConfig.headGroupSpec.headService.metadata.name must not be set: the operator "
            "names the head Service of each RayService cluster",
        ),
        Rule(
            "!has(self.rayClusterConfig.upgradeStrategy) || !has(self.rayClusterConfig.upgradeStrategy.type)",
            "spec.rayClusterConfig.upgradeStrategy cannot be set: use spec.upgradeStrategy of the RayService",
        ),
        *embedded_cluster_rules("self.rayClusterConfig", "The RayService spec is invalid: "),
    )

    ray_cluster_deletion_delay_seconds: Annotated[Int32, Crd(minimum=0)] | None = Field(
        None, alias="rayClusterDeletionDelaySeconds"
    )
    """Delay before an old cluster is deleted (operator default 60)."""
    service_unhealthy_second_threshold: Int32 | None = Field(None, alias="serviceUnhealthySecondThreshold")
    """Deprecated and ignored, accepted for compatibility."""
    deployment_unhealthy_second_threshold: Int32 | None = Field(None, alias="deploymentUnhealthySecondThreshold")
    """Deprecated and ignored, accepted for compatibility."""
    serve_service: EmbeddedObject | None = Field(None, alias="serveService")
    """A core/v1 Service used as the base of the serve Service."""
    upgrade_strategy: RayServiceUpgradeStrategy | None = Field(None, alias="upgradeStrategy")
    managed_by: ManagedBy | None = Field(None, alias="managedBy")
    serve_config_v2: str | None = Field(None, alias="serveConfigV2")
    """Serve applications as a YAML document (Ray Serve's config file format)."""
    ray_cluster_config: RayClusterSpec = Field(alias="rayClusterConfig")
    exclude_head_pod_from_serve_svc: bool | None = Field(None, alias="excludeHeadPodFromServeSvc")
    suspend: bool | None = None


class RayService(RayResource):
    """A ``ray.io/v1`` RayService object."""

    crd_rules = (
        Rule(
            f"self.metadata.name.size() <= {MAX_RAYSERVICE_NAME_LENGTH}",
            f"metadata.name must be no more than {MAX_RAYSERVICE_NAME_LENGTH} characters for a RayService",
        ),
        Rule(
            "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
            "metadata.name must be a DNS-1035 label for a RayService: lowercase letters, digits and '-', "
            "starting with a letter and ending with a letter or digit",
        ),
    )

    kind: str = "RayService"
    spec: RayServiceSpec
    status: RayServiceStatuses | None = None
