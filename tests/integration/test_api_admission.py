"""Our CRDs against a real kube-apiserver: examples apply, invalid objects are refused with a
useful message, objects round-trip through the models, and ``kubectl apply -f crds/`` works.

Everything here is admission-time behaviour (schema, defaults, CEL); no operator is running.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

from ray_operator.localcluster.cluster import LocalCluster
from ray_operator.models import RayCluster, RayClusterStatus, RayJob, RayService
from ray_operator.models.common import RayResource
from ray_operator.models.raycluster import HeadInfo
from unit.test_models import full_raycluster, full_rayjob, full_rayservice

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
IMAGE = "rayproject/ray:2.52.0"
MODELS: dict[str, type[RayResource]] = {"RayCluster": RayCluster, "RayJob": RayJob, "RayService": RayService}

# --------------------------------------------------------------------------- manifest builders


def container(name: str) -> dict[str, Any]:
    return {"name": name, "image": IMAGE, "resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}


def template(name: str) -> dict[str, Any]:
    return {"spec": {"containers": [container(name)]}}


def worker(group: str = "cpu", **extra: Any) -> dict[str, Any]:
    return {
        "groupName": group,
        "replicas": 1,
        "minReplicas": 0,
        "maxReplicas": 3,
        "rayStartParams": {},
        "template": template("ray-worker"),
        **extra,
    }


def cluster_spec() -> dict[str, Any]:
    return {
        "rayVersion": "2.52.0",
        "headGroupSpec": {"rayStartParams": {}, "template": template("ray-head")},
        "workerGroupSpecs": [worker()],
    }


def raycluster(name: str = "rc") -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name},
        "spec": cluster_spec(),
    }


def rayjob(name: str = "rj") -> dict[str, Any]:
    spec = {
        "entrypoint": "python -c 'print(1)'",
        "shutdownAfterJobFinishes": True,
        "rayClusterSpec": cluster_spec(),
    }
    return {"apiVersion": "ray.io/v1", "kind": "RayJob", "metadata": {"name": name}, "spec": spec}


def rayservice(name: str = "rs") -> dict[str, Any]:
    spec = {"serveConfigV2": "applications: []\n", "rayClusterConfig": cluster_spec()}
    return {"apiVersion": "ray.io/v1", "kind": "RayService", "metadata": {"name": name}, "spec": spec}


DELETE = object()


def edit(base: Callable[[], dict[str, Any]], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base()`` with dotted paths (``spec.workerGroupSpecs.0.minReplicas``) set, or removed via DELETE."""
    obj = base()
    for path, value in changes.items():
        *parents, last = path.split(".")
        node: Any = obj
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(last)] = value
        elif value is DELETE:
            del node[last]
        else:
            node[last] = copy.deepcopy(value)
    return obj


def with_cluster(base: Callable[[], dict[str, Any]], key: str) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """Edit helper for the RayClusterSpec embedded at ``spec.<key>`` (or at ``spec`` itself)."""
    prefix = f"spec.{key}." if key else "spec."
    return lambda changes: edit(base, {prefix + path: value for path, value in changes.items()})


rc = with_cluster(raycluster, "")
rj_cluster = with_cluster(rayjob, "rayClusterSpec")
rs_cluster = with_cluster(rayservice, "rayClusterConfig")


def rj(changes: Mapping[str, Any]) -> dict[str, Any]:
    return edit(rayjob, {f"spec.{path}": value for path, value in changes.items()})


def rs(changes: Mapping[str, Any]) -> dict[str, Any]:
    return edit(rayservice, {f"spec.{path}": value for path, value in changes.items()})


def named(base: Callable[[str], dict[str, Any]], name: str) -> dict[str, Any]:
    return base(name)


SELECTOR = {"ray.io/cluster": "shared"}
INCREMENTAL = {"type": "NewClusterWithIncrementalUpgrade"}
UPGRADE_OPTIONS = {"gatewayClassName": "istio", "stepSizePercent": 10, "intervalSeconds": 30}
RULE_SUCCEEDED = {"policy": "DeleteCluster", "condition": {"jobStatus": "SUCCEEDED"}}

# --------------------------------------------------------------------------- the invalid table

INVALID = [
    # --- RayCluster: metadata
    pytest.param(named(raycluster, "r" * 54), "no more than 53 characters", id="rc-name-too-long"),
    pytest.param(named(raycluster, "ray.cluster"), "DNS-1035 label for a RayCluster", id="rc-name-with-dot"),
    pytest.param(named(raycluster, "1cluster"), "DNS-1035 label for a RayCluster", id="rc-name-leading-digit"),
    # --- RayCluster: structure
    pytest.param(rc({"headGroupSpec": DELETE}), "spec.headGroupSpec: Required value", id="rc-no-head"),
    pytest.param(
        rc({"headGroupSpec.template.spec.containers": []}),
        "headGroupSpec.template.spec.containers must list at least one container",
        id="rc-head-without-containers",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.template.spec.containers": []}),
        "workerGroupSpecs[].template.spec.containers must list at least one container",
        id="rc-worker-without-containers",
    ),
    pytest.param(
        rc({"headGroupSpec.template.spec.containers": [{"name": "ray-head"}]}),
        "spec.headGroupSpec.template.spec.containers[0].image: Required value",
        id="rc-container-without-image",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.template.spec.containers": [container("a"), container("a")]}),
        "Duplicate value",
        id="rc-duplicate-container-names",
    ),
    pytest.param(rc({"workerGroupSpecs.0.groupName": DELETE}), "groupName: Required value", id="rc-no-group-name"),
    # --- RayCluster: replicas
    pytest.param(
        rc({"workerGroupSpecs.0.minReplicas": 5, "workerGroupSpecs.0.maxReplicas": 2}),
        "minReplicas must be less than or equal to maxReplicas",
        id="rc-min-greater-than-max",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.replicas": -1}),
        "spec.workerGroupSpecs[0].replicas in body should be greater than or equal to 0",
        id="rc-negative-replicas",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.minReplicas": -1}),
        "spec.workerGroupSpecs[0].minReplicas in body should be greater than or equal to 0",
        id="rc-negative-min-replicas",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.maxReplicas": -1, "workerGroupSpecs.0.minReplicas": -2}),
        "spec.workerGroupSpecs[0].maxReplicas in body should be greater than or equal to 0",
        id="rc-negative-max-replicas",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.idleTimeoutSeconds": -5}),
        "idleTimeoutSeconds in body should be greater than or equal to 0",
        id="rc-negative-idle-timeout",
    ),
    pytest.param(
        rc({"workerGroupSpecs": [worker("cpu"), worker("gpu"), worker("cpu")]}),
        "workerGroupSpecs[].groupName must be unique",
        id="rc-duplicate-group-names",
    ),
    pytest.param(
        rc({"workerGroupSpecs": [worker(f"g{i}") for i in range(65)]}),
        "must have at most 64 items",
        id="rc-too-many-groups",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.groupName": "g" * 64}),
        "may not be more than 63 bytes",
        id="rc-group-name-too-long",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.groupName": "cpu group"}),
        "spec.workerGroupSpecs[0].groupName in body should match",
        id="rc-group-name-not-a-label-value",
    ),
    # --- RayCluster: enums
    pytest.param(
        rc({"upgradeStrategy": {"type": "Rolling"}}),
        'spec.upgradeStrategy.type: Unsupported value: "Rolling"',
        id="rc-bad-upgrade-type",
    ),
    pytest.param(
        rc({"enableInTreeAutoscaling": True, "autoscalerOptions": {"upscalingMode": "Fast"}}),
        'spec.autoscalerOptions.upscalingMode: Unsupported value: "Fast"',
        id="rc-bad-upscaling-mode",
    ),
    pytest.param(
        rc({"autoscalerOptions": {"version": "v3"}}),
        'spec.autoscalerOptions.version: Unsupported value: "v3"',
        id="rc-bad-autoscaler-version",
    ),
    pytest.param(
        rc({"authOptions": {"mode": "password"}}),
        "spec.authOptions.mode: Unsupported value",
        id="rc-bad-auth-mode",
    ),
    pytest.param(
        rc({"headGroupSpec.enableIngress": True, "headGroupSpec.ingressOptions": {"pathType": "Regex"}}),
        'spec.headGroupSpec.ingressOptions.pathType: Unsupported value: "Regex"',
        id="rc-bad-ingress-path-type",
    ),
    pytest.param(
        rc({"managedBy": "someone-else"}),
        "spec.managedBy must be 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'",
        id="rc-bad-managed-by",
    ),
    # --- RayCluster: GCS fault tolerance
    pytest.param(
        rc({"gcsFaultToleranceOptions": {"backend": "etcd"}}),
        'spec.gcsFaultToleranceOptions.backend: Unsupported value: "etcd"',
        id="rc-bad-gcs-backend",
    ),
    pytest.param(
        rc({"gcsFaultToleranceOptions": {"backend": "rocksdb", "redisAddress": "redis:6379"}}),
        "only apply to backend 'redis'",
        id="rc-rocksdb-with-redis-address",
    ),
    pytest.param(
        rc({"gcsFaultToleranceOptions": {"redisAddress": "redis:6379", "storage": {"size": "1Gi"}}}),
        "gcsFaultToleranceOptions.storage only applies to backend 'rocksdb'",
        id="rc-redis-with-storage",
    ),
    pytest.param(
        rc(
            {
                "gcsFaultToleranceOptions": {
                    "backend": "rocksdb",
                    "storage": {"claimName": "pvc", "size": "1Gi"},
                }
            }
        ),
        "storage.claimName cannot be combined with size",
        id="rc-claim-name-with-size",
    ),
    pytest.param(
        rc({"gcsFaultToleranceOptions": {"backend": "rocksdb", "storage": {"deletionPolicy": "Keep"}}}),
        'deletionPolicy: Unsupported value: "Keep"',
        id="rc-bad-storage-deletion-policy",
    ),
    pytest.param(
        rc(
            {
                "gcsFaultToleranceOptions": {"redisAddress": "redis:6379"},
                "headGroupSpec.rayStartParams": {"redis-password": "secret"},
            }
        ),
        "must not set redis-password when gcsFaultToleranceOptions is set",
        id="rc-redis-password-in-ray-start-params",
    ),
    pytest.param(
        rc({"headGroupSpec.rayStartParams": {"redis-username": "ray"}}),
        "must not set redis-username",
        id="rc-redis-username-in-ray-start-params",
    ),
    # --- RayCluster: groups
    pytest.param(
        rc({"headGroupSpec.resources": {"CPU": "2"}, "headGroupSpec.rayStartParams": {"num-cpus": "2"}}),
        "headGroupSpec: set Ray resources either in resources or in rayStartParams",
        id="rc-head-resources-twice",
    ),
    pytest.param(
        rc({"workerGroupSpecs.0.rayStartParams": {"labels": "zone=a"}}),
        "rayStartParams must not contain 'labels'",
        id="rc-labels-in-ray-start-params",
    ),
    pytest.param(
        rc({"enableInTreeAutoscaling": True, "workerGroupSpecs.0.suspend": True}),
        "suspend cannot be true when enableInTreeAutoscaling is true",
        id="rc-suspended-group-with-autoscaling",
    ),
    # --- RayCluster: auth, history server, network policy
    pytest.param(
        rc({"authOptions": {"enableK8sTokenAuth": True}}),
        "enableK8sTokenAuth requires authOptions.mode: token",
        id="rc-k8s-auth-without-token-mode",
    ),
    pytest.param(
        rc({"authOptions": {"mode": "token", "enableK8sTokenAuth": True, "secretName": "s"}}),
        "authOptions.secretName cannot be used with enableK8sTokenAuth",
        id="rc-k8s-auth-with-secret",
    ),
    pytest.param(
        rc({"historyServerOptions": {"collectorOptions": {}}}),
        "historyServerOptions.collectorOptions.image must be set",
        id="rc-history-server-without-image",
    ),
    pytest.param(
        rc({"networkPolicy": {"mode": "AllowAll"}}),
        "networkPolicy.mode: Unsupported value",
        id="rc-bad-np-mode",
    ),
    pytest.param(
        rc({"networkPolicy": {"mode": "DenyAllEgress", "head": {"ingressRules": [{}]}}}),
        "ingressRules have no effect with mode DenyAllEgress",
        id="rc-np-ingress-rules-without-ingress-deny",
    ),
    pytest.param(
        rc({"networkPolicy": {"workerGroups": [{"groupName": "nope"}]}}),
        "networkPolicy.workerGroups[].groupName must name a group in workerGroupSpecs",
        id="rc-np-unknown-group",
    ),
    pytest.param(
        rc({"networkPolicy": {}, "workerGroupSpecs.0.groupName": "CPU_Group"}),
        "must be a DNS-1123 label",
        id="rc-np-group-name-not-dns",
    ),
    # --- RayJob
    pytest.param(named(rayjob, "j" * 48), "no more than 47 characters for a RayJob", id="rj-name-too-long"),
    pytest.param(
        rj({"rayClusterSpec": DELETE}),
        "set rayClusterSpec (the operator creates a cluster) or clusterSelector",
        id="rj-no-cluster",
    ),
    pytest.param(
        rj({"rayClusterSpec": DELETE, "clusterSelector": {"team": "a"}}),
        "clusterSelector must contain the key 'ray.io/cluster'",
        id="rj-selector-without-cluster-key",
    ),
    pytest.param(
        rj({"rayClusterSpec": DELETE, "clusterSelector": SELECTOR, "suspend": True}),
        "spec.suspend cannot be used with spec.clusterSelector",
        id="rj-selector-with-suspend",
    ),
    pytest.param(
        rj({"rayClusterSpec": DELETE, "clusterSelector": SELECTOR, "backoffLimit": 2}),
        "spec.backoffLimit must be 0 with spec.clusterSelector",
        id="rj-selector-with-backoff",
    ),
    pytest.param(
        rj({"rayClusterSpec": DELETE, "clusterSelector": SELECTOR, "submissionMode": "SidecarMode"}),
        "SidecarMode needs spec.rayClusterSpec",
        id="rj-selector-with-sidecar",
    ),
    pytest.param(
        rj({"suspend": True, "shutdownAfterJobFinishes": False}),
        "spec.suspend requires spec.shutdownAfterJobFinishes: true",
        id="rj-suspend-without-shutdown",
    ),
    pytest.param(
        rj({"ttlSecondsAfterFinished": 60, "shutdownAfterJobFinishes": DELETE}),
        "spec.ttlSecondsAfterFinished > 0 requires spec.shutdownAfterJobFinishes: true",
        id="rj-ttl-without-shutdown",
    ),
    pytest.param(
        rj({"ttlSecondsAfterFinished": -1}),
        "ttlSecondsAfterFinished in body should be greater than or equal to 0",
        id="rj-negative-ttl",
    ),
    pytest.param(
        rj({"activeDeadlineSeconds": 0}),
        "activeDeadlineSeconds in body should be greater than or equal to 1",
        id="rj-zero-active-deadline",
    ),
    pytest.param(
        rj({"preRunningDeadlineSeconds": 0}),
        "preRunningDeadlineSeconds in body should be greater than or equal to 1",
        id="rj-zero-pre-running-deadline",
    ),
    pytest.param(
        rj({"backoffLimit": -1}),
        "backoffLimit in body should be greater than or equal to 0",
        id="rj-negative-backoff",
    ),
    pytest.param(
        rj({"submissionMode": "ShellMode"}),
        'spec.submissionMode: Unsupported value: "ShellMode"',
        id="rj-bad-mode",
    ),
    pytest.param(
        rj({"submissionMode": "SidecarMode", "submitterPodTemplate": template("submitter")}),
        "spec.submitterPodTemplate is not supported in SidecarMode",
        id="rj-sidecar-with-submitter-template",
    ),
    pytest.param(
        rj({"submissionMode": "SidecarMode", "submitterConfig": {"backoffLimit": 1}}),
        "spec.submitterConfig is not supported in SidecarMode",
        id="rj-sidecar-with-submitter-config",
    ),
    pytest.param(
        rj(
            {
                "submissionMode": "SidecarMode",
                "rayClusterSpec.headGroupSpec.template.spec.restartPolicy": "Always",
            }
        ),
        "restartPolicy must be Never (or unset) in SidecarMode",
        id="rj-sidecar-with-restart-always",
    ),
    pytest.param(
        rj({"submissionMode": "InteractiveMode", "backoffLimit": 2}),
        "spec.backoffLimit must be 0 in InteractiveMode",
        id="rj-interactive-with-backoff",
    ),
    pytest.param(
        rj({"submitterPodTemplate": {"spec": {"containers": []}}}),
        "submitterPodTemplate.spec.containers must list at least one container",
        id="rj-submitter-template-without-containers",
    ),
    pytest.param(
        rj(
            {
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {
                    "onSuccess": {"policy": "DeleteCluster"},
                    "deletionRules": [RULE_SUCCEEDED],
                },
            }
        ),
        "use either onSuccess/onFailure (legacy) or deletionRules, not both",
        id="rj-deletion-legacy-and-rules",
    ),
    pytest.param(
        rj({"deletionStrategy": {"onSuccess": {"policy": "DeleteCluster"}}}),
        "deletionStrategy needs both onSuccess and onFailure",
        id="rj-deletion-only-on-success",
    ),
    pytest.param(
        rj({"deletionStrategy": {"onSuccess": {}, "onFailure": {"policy": "DeleteCluster"}}}),
        "deletionStrategy.onSuccess.policy and deletionStrategy.onFailure.policy must be set",
        id="rj-deletion-legacy-without-policy",
    ),
    pytest.param(
        rj({"shutdownAfterJobFinishes": DELETE, "deletionStrategy": {"deletionRules": []}}),
        "should have at least 1 items",
        id="rj-deletion-empty-rules",
    ),
    pytest.param(
        rj(
            {
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {
                    "deletionRules": [
                        {
                            "policy": "DeleteCluster",
                            "condition": {"jobStatus": "FAILED", "jobDeploymentStatus": "Failed"},
                        }
                    ]
                },
            }
        ),
        "a deletion condition takes jobStatus or jobDeploymentStatus, not both",
        id="rj-deletion-condition-both",
    ),
    pytest.param(
        rj(
            {
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {"deletionRules": [{"policy": "DeleteCluster", "condition": {"ttlSeconds": 5}}]},
            }
        ),
        "a deletion condition needs jobStatus (SUCCEEDED/FAILED) or jobDeploymentStatus (Failed)",
        id="rj-deletion-condition-neither",
    ),
    pytest.param(
        rj(
            {
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {
                    "deletionRules": [{"policy": "DeleteCluster", "condition": {"jobStatus": "RUNNING"}}]
                },
            }
        ),
        'jobStatus: Unsupported value: "RUNNING"',
        id="rj-deletion-condition-non-terminal",
    ),
    pytest.param(
        rj(
            {
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {"deletionRules": [RULE_SUCCEEDED, RULE_SUCCEEDED]},
            }
        ),
        "each (policy, jobStatus/jobDeploymentStatus) pair may appear only once",
        id="rj-deletion-duplicate-rules",
    ),
    pytest.param(
        rj(
            {
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {
                    "deletionRules": [
                        {"policy": "DeleteCluster", "condition": {"jobStatus": "FAILED", "ttlSeconds": 100}},
                        {"policy": "DeleteSelf", "condition": {"jobStatus": "FAILED", "ttlSeconds": 10}},
                    ]
                },
            }
        ),
        "ttlSeconds must not decrease in the order DeleteWorkers, DeleteCluster, DeleteSelf",
        id="rj-deletion-ttl-order",
    ),
    pytest.param(
        rj({"deletionStrategy": {"deletionRules": [RULE_SUCCEEDED]}}),
        "deletionRules and spec.shutdownAfterJobFinishes are mutually exclusive",
        id="rj-deletion-rules-with-shutdown",
    ),
    pytest.param(
        rj(
            {
                "rayClusterSpec": DELETE,
                "clusterSelector": SELECTOR,
                "shutdownAfterJobFinishes": DELETE,
                "deletionStrategy": {"deletionRules": [RULE_SUCCEEDED]},
            }
        ),
        "DeleteCluster and DeleteWorkers cannot be used with spec.clusterSelector",
        id="rj-selector-with-delete-cluster",
    ),
    pytest.param(
        rj(
            {
                "rayClusterSpec.enableInTreeAutoscaling": True,
                "deletionStrategy": {
                    "onSuccess": {"policy": "DeleteWorkers"},
                    "onFailure": {"policy": "DeleteCluster"},
                },
            }
        ),
        "DeleteWorkers is not supported when rayClusterSpec.enableInTreeAutoscaling is true",
        id="rj-delete-workers-with-autoscaling",
    ),
    pytest.param(
        rj(
            {
                "deletionStrategy": {
                    "onSuccess": {"policy": "DeleteNone"},
                    "onFailure": {"policy": "DeleteCluster"},
                }
            }
        ),
        "policy DeleteNone contradicts spec.shutdownAfterJobFinishes: true",
        id="rj-delete-none-with-shutdown",
    ),
    pytest.param(
        rj_cluster({"authOptions": {"mode": "token", "enableK8sTokenAuth": True}}),
        "enableK8sTokenAuth is not supported for RayJob",
        id="rj-k8s-token-auth",
    ),
    pytest.param(
        rj_cluster({"upgradeStrategy": {"type": "Recreate"}}),
        "spec.rayClusterSpec.upgradeStrategy cannot be set",
        id="rj-cluster-upgrade-strategy",
    ),
    pytest.param(
        rj_cluster({"workerGroupSpecs.0.minReplicas": 4}),
        "minReplicas must be less than or equal to maxReplicas",
        id="rj-embedded-cluster-rules-apply",
    ),
    pytest.param(
        rj({"managedBy": "kueue"}), "spec.managedBy must be 'ray.io/kuberay-operator'", id="rj-bad-managed-by"
    ),
    # --- RayService
    pytest.param(named(rayservice, "s" * 48), "no more than 47 characters for a RayService", id="rs-name-too-long"),
    pytest.param(rs({"rayClusterConfig": DELETE}), "spec.rayClusterConfig: Required value", id="rs-no-cluster"),
    pytest.param(
        rs({"upgradeStrategy": {"type": "BlueGreen"}}),
        'spec.upgradeStrategy.type: Unsupported value: "BlueGreen"',
        id="rs-bad-upgrade-type",
    ),
    pytest.param(
        rs(
            {
                "upgradeStrategy": {
                    **INCREMENTAL,
                    "clusterUpgradeOptions": {
                        **UPGRADE_OPTIONS,
                        "stepSizePercent": 60,
                        "maxSurgePercent": 50,
                    },
                }
            }
        ),
        "clusterUpgradeOptions.stepSizePercent must be less than or equal to maxSurgePercent",
        id="rs-step-above-surge",
    ),
    pytest.param(
        rs(
            {
                "upgradeStrategy": {
                    **INCREMENTAL,
                    "clusterUpgradeOptions": {**UPGRADE_OPTIONS, "maxSurgePercent": 120},
                }
            }
        ),
        "maxSurgePercent in body should be less than or equal to 100",
        id="rs-surge-above-100",
    ),
    pytest.param(
        rs(
            {
                "upgradeStrategy": {
                    **INCREMENTAL,
                    "clusterUpgradeOptions": {**UPGRADE_OPTIONS, "intervalSeconds": 0},
                }
            }
        ),
        "intervalSeconds in body should be greater than or equal to 1",
        id="rs-zero-interval",
    ),
    pytest.param(
        rs(
            {
                "upgradeStrategy": {
                    **INCREMENTAL,
                    "clusterUpgradeOptions": {"stepSizePercent": 10, "intervalSeconds": 30},
                }
            }
        ),
        "gatewayClassName: Required value",
        id="rs-no-gateway-class",
    ),
    pytest.param(
        rs({"rayClusterDeletionDelaySeconds": -1}),
        "rayClusterDeletionDelaySeconds in body should be greater than or equal to 0",
        id="rs-negative-deletion-delay",
    ),
    pytest.param(
        rs_cluster({"headGroupSpec.headService": {"metadata": {"name": "my-head"}}}),
        "headService.metadata.name must not be set",
        id="rs-head-service-name",
    ),
    pytest.param(
        rs_cluster({"authOptions": {"mode": "token", "enableK8sTokenAuth": True}}),
        "enableK8sTokenAuth is not supported for RayService",
        id="rs-k8s-token-auth",
    ),
    pytest.param(
        rs_cluster({"upgradeStrategy": {"type": "Recreate"}}),
        "use spec.upgradeStrategy of the RayService",
        id="rs-cluster-upgrade-strategy",
    ),
]

# --------------------------------------------------------------------------- KubeRay's cluster-spec rules in CEL
# RayJob/RayService refuse, at admission, the RayClusterSpec rules of KubeRay's ValidateRayClusterSpec
# that need neither feature gates, env vars, annotations nor Ray versions, with the message KubeRay
# writes into status.message ("The RayJob spec is invalid: <err>"). Each bad case has good neighbours.

V2 = {"enableInTreeAutoscaling": True, "autoscalerOptions": {"version": "v2"}}
COLLECTOR = {"historyServerOptions": {"collectorOptions": {"image": IMAGE}}}
COLLECTOR_NAME = "ray-history-collector"


def worker_with(
    group: str, *, restart_policy: str = "", containers: Sequence[str] = (), **extra: Any
) -> dict[str, Any]:
    """A worker group whose pod template sets ``restartPolicy`` or extra containers."""
    group_spec = worker(group, **extra)
    if restart_policy:
        group_spec["template"]["spec"]["restartPolicy"] = restart_policy
    group_spec["template"]["spec"]["containers"] += [container(name) for name in containers]
    return group_spec


def head_containers(*extra: str) -> list[dict[str, Any]]:
    return [container("ray-head"), *(container(name) for name in extra)]


def _embedded_invalid(cluster: Callable[[Mapping[str, Any]], dict[str, Any]], kind: str, short: str) -> list[Any]:
    prefix = f"The {kind} spec is invalid: "
    return [
        pytest.param(
            cluster({**V2, "headGroupSpec.template.spec.restartPolicy": "Always"}),
            f"{prefix}restartPolicy for head Pod should be Never or unset when using autoscaler V2",
            id=f"{short}-v2-head-restart-always",
        ),
        pytest.param(
            cluster({**V2, "workerGroupSpecs": [worker("cpu"), worker_with("gpu", restart_policy="OnFailure")]}),
            f"{prefix}restartPolicy for worker group gpu should be Never or unset when using autoscaler V2",
            id=f"{short}-v2-worker-restart-on-failure",
        ),
        pytest.param(
            cluster({"rayVersion": DELETE, "workerGroupSpecs": [worker("cpu"), worker("gpu", priority=5)]}),
            f"{prefix}worker group gpu: priority is set, but RayVersion was not specified. Ray version 2.56.0 or "
            "later is required",
            id=f"{short}-priority-without-ray-version",
        ),
        pytest.param(
            cluster({"rayVersion": DELETE, "authOptions": {"mode": "token"}}),
            f"{prefix}authOptions.mode is 'token' but RayVersion was not specified. Ray version 2.52.0 or later "
            "is required",
            id=f"{short}-token-auth-without-ray-version",
        ),
        pytest.param(
            cluster({**COLLECTOR, "headGroupSpec.template.spec.containers": head_containers(COLLECTOR_NAME)}),
            f"{prefix}head pod template must not define a container with name '{COLLECTOR_NAME}' when history "
            "server collector options are enabled",
            id=f"{short}-collector-container-in-head",
        ),
    ]


def _embedded_valid(cluster: Callable[[Mapping[str, Any]], dict[str, Any]], short: str) -> list[Any]:
    """One edit away from a case above, and fine with KubeRay whatever its feature gates."""
    always = "headGroupSpec.template.spec.restartPolicy"
    v1 = {"enableInTreeAutoscaling": True, "autoscalerOptions": {"version": "v1"}}
    return [
        pytest.param(
            cluster({**V2, always: "Never", "workerGroupSpecs": [worker_with("cpu", restart_policy="Never")]}),
            id=f"{short}-v2-restart-never",
        ),
        pytest.param(
            cluster({**v1, always: "Always", "workerGroupSpecs": [worker_with("cpu", restart_policy="Always")]}),
            id=f"{short}-v1-restart-always",
        ),
        pytest.param(
            cluster({"autoscalerOptions": {"version": "v2"}, always: "Always"}),
            id=f"{short}-v2-without-autoscaling-restart-always",
        ),
        pytest.param(
            cluster({"rayVersion": "2.56.0", "workerGroupSpecs": [worker("cpu", priority=5)]}),
            id=f"{short}-priority-with-ray-version",
        ),
        pytest.param(
            cluster({"rayVersion": DELETE, "workerGroupSpecs": [worker("cpu", priority=0)]}),
            id=f"{short}-no-ray-version-priority-zero",
        ),
        pytest.param(cluster({"authOptions": {"mode": "token"}}), id=f"{short}-token-auth-with-ray-version"),
        pytest.param(
            cluster({"rayVersion": DELETE, "authOptions": {"mode": "disabled"}}),
            id=f"{short}-no-ray-version-auth-disabled",
        ),
        pytest.param(
            cluster({**COLLECTOR, "headGroupSpec.template.spec.containers": head_containers("log-shipper")}),
            id=f"{short}-collector-options-other-containers",
        ),
        pytest.param(
            cluster(
                {
                    "headGroupSpec.template.spec.containers": head_containers(COLLECTOR_NAME),
                    "workerGroupSpecs": [worker_with("cpu", containers=[COLLECTOR_NAME])],
                }
            ),
            id=f"{short}-collector-container-without-history-server",
        ),
    ]


EMBEDDED_INVALID = _embedded_invalid(rj_cluster, "RayJob", "rj") + _embedded_invalid(rs_cluster, "RayService", "rs")
INVALID += EMBEDDED_INVALID
EMBEDDED_VALID = _embedded_valid(rj_cluster, "rj") + _embedded_valid(rs_cluster, "rs")

# --------------------------------------------------------------------------- helpers


def kubectl_create(cluster: LocalCluster, namespace: str, obj: Mapping[str, Any]) -> subprocess.CompletedProcess[str]:
    return cluster.kubectl("-n", namespace, "create", "-f", "-", input=json.dumps(obj), check=False)


def get_json(cluster: LocalCluster, namespace: str, kind: str, name: str) -> dict[str, Any]:
    out = cluster.kubectl("-n", namespace, "get", kind.lower(), name, "-o", "json").stdout
    result: dict[str, Any] = json.loads(out)
    return result


# --------------------------------------------------------------------------- tests


def test_crds_apply_client_side(crds_installed: LocalCluster) -> None:
    """Plain `kubectl apply -f crds/` (client-side) works, also a second time, and records the
    last-applied annotation (which is what breaks with KubeRay's 1 MB CRDs)."""
    again = crds_installed.kubectl("apply", "-f", str(REPO / "crds"))
    assert again.stdout.count("unchanged") == 3, again.stdout
    for plural in ("rayclusters", "rayjobs", "rayservices"):
        crd = json.loads(crds_installed.kubectl("get", "crd", f"{plural}.ray.io", "-o", "json").stdout)
        annotation = crd["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
        assert len(annotation.encode()) < 262_144
        assert [v["name"] for v in crd["spec"]["versions"]] == ["v1"]
        established = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
        assert established["Established"] == "True"
        assert established.get("NonStructuralSchema", "False") == "False"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_applies(crds_installed: LocalCluster, namespace: str, path: Path) -> None:
    result = crds_installed.kubectl("-n", namespace, "apply", "-f", str(path), check=False)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr  # e.g. unknown fields dropped by pruning
    for doc in yaml.safe_load_all(path.read_text()):
        if doc["kind"] in MODELS:
            stored = get_json(crds_installed, namespace, doc["kind"], doc["metadata"]["name"])
            assert stored["spec"] == with_server_defaults(doc["kind"], doc)["spec"]


def test_examples_cover_every_kind_and_mode() -> None:
    kinds: set[str] = set()
    modes: set[str] = set()
    for path in EXAMPLES:
        for doc in yaml.safe_load_all(path.read_text()):
            kinds.add(doc["kind"])
            if doc["kind"] == "RayJob":
                modes.add(doc["spec"].get("submissionMode", "K8sJobMode"))
    assert {"RayCluster", "RayJob", "RayService"} <= kinds
    assert modes == {"K8sJobMode", "HTTPMode", "InteractiveMode", "SidecarMode"}
    # One example per major feature named by the issue (the text of all examples, searched).
    text = "\n".join(path.read_text() for path in EXAMPLES)
    for feature in (
        "enableInTreeAutoscaling: true",
        "nvidia.com/gpu",
        "numOfHosts: 2",
        "gcsFaultToleranceOptions:",
        "suspend: true",
        "clusterSelector:",
        "upgradeStrategy:",
    ):
        assert feature in text, f"no example shows {feature}"


@pytest.mark.parametrize("base", [raycluster, rayjob, rayservice], ids=["RayCluster", "RayJob", "RayService"])
def test_base_manifests_of_the_table_are_valid(crds_installed: LocalCluster, namespace: str, base: Any) -> None:
    """Each invalid case is one edit away from these, so they must be accepted as they are."""
    result = kubectl_create(crds_installed, namespace, base())
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("manifest", "message"), INVALID)
def test_invalid_manifest_is_rejected(
    crds_installed: LocalCluster, namespace: str, manifest: dict[str, Any], message: str
) -> None:
    result = kubectl_create(crds_installed, namespace, manifest)
    assert result.returncode != 0, f"accepted: {result.stdout}"
    assert "is invalid" in result.stderr, result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize("manifest", EMBEDDED_VALID)
def test_neighbour_of_an_embedded_cluster_rule_is_accepted(
    crds_installed: LocalCluster, namespace: str, manifest: dict[str, Any]
) -> None:
    result = kubectl_create(crds_installed, namespace, manifest)
    assert result.returncode == 0, result.stderr


WAITING_MESSAGE = (
    "The RayJob status is invalid: JobDeploymentStatus cannot be `Waiting` when SubmissionMode is not InteractiveMode"
)


def _patch(cluster: LocalCluster, namespace: str, body: Mapping[str, Any], *status: str) -> Any:
    return cluster.kubectl(
        "-n", namespace, "patch", "rayjob", "rj", *status, "--type=merge", "-p", json.dumps(body), check=False
    )


def test_waiting_status_needs_interactive_mode(crds_installed: LocalCluster, namespace: str) -> None:
    """KubeRay's ValidateRayJobStatus as a root rule: Waiting is only for InteractiveMode, whichever side changes."""
    created = kubectl_create(crds_installed, namespace, rj({"submissionMode": "InteractiveMode"}))
    assert created.returncode == 0, created.stderr
    waiting = _patch(crds_installed, namespace, {"status": {"jobDeploymentStatus": "Waiting"}}, "--subresource=status")
    assert waiting.returncode == 0, waiting.stderr
    to_k8s_job = {"spec": {"submissionMode": "K8sJobMode"}}
    refused = _patch(crds_installed, namespace, to_k8s_job)
    assert refused.returncode != 0, refused.stdout
    assert WAITING_MESSAGE in refused.stderr, refused.stderr
    # Once the job has left Waiting, the same spec edit is accepted ...
    running = _patch(crds_installed, namespace, {"status": {"jobDeploymentStatus": "Running"}}, "--subresource=status")
    assert running.returncode == 0, running.stderr
    accepted = _patch(crds_installed, namespace, to_k8s_job)
    assert accepted.returncode == 0, accepted.stderr
    # ... and Waiting can no longer be written for a K8sJobMode job.
    back = _patch(crds_installed, namespace, {"status": {"jobDeploymentStatus": "Waiting"}}, "--subresource=status")
    assert back.returncode != 0, back.stdout
    assert WAITING_MESSAGE in back.stderr, back.stderr


def test_the_invalid_table_is_large_and_unique() -> None:
    assert len(INVALID) >= 30
    assert len({p.id for p in INVALID}) == len(INVALID)


IMMUTABLE = [
    pytest.param(
        edit(raycluster, {"spec.managedBy": "ray.io/kuberay-operator"}),
        {"spec": {"managedBy": "kueue.x-k8s.io/multikueue"}},
        "spec.managedBy is immutable",
        id="rc-managed-by",
    ),
    pytest.param(
        edit(rayjob, {"spec.managedBy": "kueue.x-k8s.io/multikueue"}),
        {"spec": {"managedBy": "ray.io/kuberay-operator"}},
        "spec.managedBy is immutable",
        id="rj-managed-by",
    ),
    pytest.param(
        edit(rayservice, {"spec.managedBy": "ray.io/kuberay-operator"}),
        {"spec": {"managedBy": "kueue.x-k8s.io/multikueue"}},
        "spec.managedBy is immutable",
        id="rs-managed-by",
    ),
    pytest.param(
        edit(raycluster, {"spec.gcsFaultToleranceOptions": {"backend": "redis", "redisAddress": "redis:6379"}}),
        {"spec": {"gcsFaultToleranceOptions": {"backend": "rocksdb", "redisAddress": None}}},
        "gcsFaultToleranceOptions.backend is immutable",
        id="rc-gcs-backend",
    ),
]


@pytest.mark.parametrize(("manifest", "patch", "message"), IMMUTABLE)
def test_immutable_field_cannot_change(
    crds_installed: LocalCluster,
    namespace: str,
    manifest: dict[str, Any],
    patch: dict[str, Any],
    message: str,
) -> None:
    created = kubectl_create(crds_installed, namespace, manifest)
    assert created.returncode == 0, created.stderr
    kind, name = manifest["kind"].lower(), manifest["metadata"]["name"]
    result = crds_installed.kubectl(
        "-n", namespace, "patch", kind, name, "--type=merge", "-p", json.dumps(patch), check=False
    )
    assert result.returncode != 0, result.stdout
    assert message in result.stderr, result.stderr
    # Unrelated changes are still allowed.
    crds_installed.kubectl("-n", namespace, "patch", kind, name, "--type=merge", "-p", '{"spec":{"suspend":true}}')


# --------------------------------------------------------------------------- round trip

#: Defaults the API server adds (CRD ``default:``), by kind; the round trip accounts for exactly these.
WORKER_DEFAULTS = {"replicas": 0, "minReplicas": 0, "maxReplicas": 2147483647, "numOfHosts": 1, "priority": 0}
RAYJOB_DEFAULTS = {"submissionMode": "K8sJobMode", "backoffLimit": 0, "ttlSecondsAfterFinished": 0}


def _default_cluster_spec(spec: dict[str, Any]) -> None:
    for group in spec.get("workerGroupSpecs", []):
        for key, value in WORKER_DEFAULTS.items():
            group.setdefault(key, value)
    if "networkPolicy" in spec:
        spec["networkPolicy"].setdefault("mode", "DenyAll")


def with_server_defaults(kind: str, written: Mapping[str, Any]) -> dict[str, Any]:
    """What the API server stores for ``written``: ours plus the CRD defaults (no status)."""
    obj = copy.deepcopy(dict(written))
    spec = obj["spec"]
    if kind == "RayCluster":
        _default_cluster_spec(spec)
    elif kind == "RayJob":
        for key, value in RAYJOB_DEFAULTS.items():
            spec.setdefault(key, value)
        for rule in spec.get("deletionStrategy", {}).get("deletionRules", []):
            rule["condition"].setdefault("ttlSeconds", 0)
        if "rayClusterSpec" in spec:
            _default_cluster_spec(spec["rayClusterSpec"])
    elif kind == "RayService":
        _default_cluster_spec(spec["rayClusterConfig"])
        options = spec.get("upgradeStrategy", {}).get("clusterUpgradeOptions")
        if options is not None:
            options.setdefault("maxSurgePercent", 100)
    return obj


#: metadata keys the API server adds on create.
SERVER_METADATA = {"uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "namespace"}


def _round_trip_cases() -> list[Any]:
    cases = []
    for path in EXAMPLES:
        for doc in yaml.safe_load_all(path.read_text()):
            if doc["kind"] in MODELS:
                cases.append(pytest.param(doc, id=f"{path.stem}:{doc['metadata']['name']}"))
    return cases


@pytest.mark.parametrize("written", _round_trip_cases())
def test_round_trip_through_the_api_server(
    crds_installed: LocalCluster, namespace: str, written: dict[str, Any]
) -> None:
    kind = written["kind"]
    model = MODELS[kind]
    # What we send is what the models produce from the manifest.
    sent = model.from_body(written).to_body()
    assert sent == written
    created = kubectl_create(crds_installed, namespace, sent)
    assert created.returncode == 0, created.stderr

    stored = get_json(crds_installed, namespace, kind, written["metadata"]["name"])
    parsed = model.from_body(stored)
    assert parsed.to_body() == stored  # field for field, server metadata included
    assert parsed.name == written["metadata"]["name"]
    assert parsed.namespace == namespace
    assert parsed.generation == 1
    assert parsed.uid == stored["metadata"]["uid"]

    expected = with_server_defaults(kind, written)
    assert set(stored["metadata"]) - set(expected["metadata"]) <= SERVER_METADATA
    assert {k: stored["metadata"][k] for k in expected["metadata"]} == expected["metadata"]
    assert {k: v for k, v in stored.items() if k != "metadata"} == {
        k: v for k, v in expected.items() if k != "metadata"
    }


def test_status_written_by_the_models_is_accepted(crds_installed: LocalCluster, namespace: str) -> None:
    """The status subresource takes what the RayCluster status model dumps, and returns it as is."""
    created = kubectl_create(crds_installed, namespace, raycluster("with-status"))
    assert created.returncode == 0, created.stderr
    status = RayClusterStatus(
        state="ready",
        desired_cpu="2",
        desired_memory="3Gi",
        desired_gpu="0",
        desired_tpu="0",
        ready_worker_replicas=1,
        available_worker_replicas=1,
        desired_worker_replicas=1,
        min_worker_replicas=0,
        max_worker_replicas=3,
        endpoints={"dashboard": "8265"},
        head=HeadInfo(pod_ip="10.244.0.5", pod_name="with-status-head-x", service_ip="10.96.0.10"),
        last_update_time="2025-01-02T03:04:05Z",
        state_transition_times={"ready": "2025-01-02T03:04:05Z"},
        observed_generation=1,
        conditions=[
            {
                "type": "HeadPodReady",
                "status": "True",
                "reason": "HeadPodRunningAndReady",
                "message": "",
                "lastTransitionTime": "2025-01-02T03:04:05Z",
            }
        ],
    )
    body = {"status": status.model_dump(by_alias=True, exclude_unset=True)}
    crds_installed.kubectl(
        "-n",
        namespace,
        "patch",
        "raycluster",
        "with-status",
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps(body),
    )
    stored = RayCluster.from_body(get_json(crds_installed, namespace, "RayCluster", "with-status"))
    assert stored.status is not None
    assert stored.status.model_dump(by_alias=True, exclude_unset=True) == body["status"]
    table = crds_installed.kubectl("-n", namespace, "get", "raycluster", "with-status").stdout
    assert table.split("\n")[0].split() == [
        "NAME",
        "DESIRED",
        "WORKERS",
        "AVAILABLE",
        "WORKERS",
        "CPUS",
        "MEMORY",
        "GPUS",
        "STATUS",
        "AGE",
    ]
    assert "3Gi" in table and "ready" in table


@pytest.mark.parametrize("full", [full_raycluster, full_rayjob, full_rayservice], ids=lambda f: f.__name__)
def test_every_field_is_accepted_and_round_trips_with_status(
    crds_installed: LocalCluster, namespace: str, full: Callable[[], dict[str, Any]]
) -> None:
    """Objects using every KubeRay field (spec and status) pass admission unchanged; the status
    written through the status subresource comes back exactly as the models dumped it."""
    sample = full()
    kind, name = sample["kind"], sample["metadata"]["name"]
    model = MODELS[kind]
    written = {
        "apiVersion": "ray.io/v1",
        "kind": kind,
        "metadata": {"name": name, "labels": sample["metadata"].get("labels", {})},
        "spec": sample["spec"],
    }
    # What is sent is the raw sample, not a model dump: a field the models dropped would show here.
    created = kubectl_create(crds_installed, namespace, written)
    assert created.returncode == 0, created.stderr
    status = sample["status"]
    crds_installed.kubectl(
        "-n", namespace, "patch", kind.lower(), name, "--subresource=status", "--type=merge",
        "-p", json.dumps({"status": status}),
    )  # fmt: skip
    stored = get_json(crds_installed, namespace, kind, name)
    assert model.from_body(stored).to_body() == stored
    assert stored["spec"] == with_server_defaults(kind, written)["spec"]
    assert stored["status"] == status


def test_integer_storage_size_is_accepted_like_kuberay(crds_installed: LocalCluster, namespace: str) -> None:
    manifest = edit(
        raycluster,
        {"spec.gcsFaultToleranceOptions": {"backend": "rocksdb", "storage": {"size": 2147483648}}},
    )
    created = kubectl_create(crds_installed, namespace, manifest)
    assert created.returncode == 0, created.stderr
    stored = RayCluster.from_body(get_json(crds_installed, namespace, "RayCluster", "rc"))
    options = stored.spec.gcs_fault_tolerance_options
    assert options is not None and options.storage is not None and options.storage.size == 2147483648
    bad = edit(raycluster, {"spec.gcsFaultToleranceOptions": {"backend": "rocksdb", "storage": {"size": "lots"}}})
    result = kubectl_create(crds_installed, namespace, {**bad, "metadata": {"name": "rc2"}})
    assert result.returncode != 0 and "storage.size" in result.stderr, result.stderr
