"""The ray.io/v1 models: KubeRay's JSON names, defaults, and lossless parse/dump round trips."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from pydantic import BaseModel

from ray_operator import models
from ray_operator.models import (
    ClusterUpgradeOptions,
    DeletionCondition,
    HeadInfo,
    NetworkPolicyConfig,
    RayCluster,
    RayClusterSpec,
    RayClusterStatus,
    RayJob,
    RayJobSpec,
    RayJobStatus,
    RayService,
    WorkerGroupSpec,
)
from ray_operator.models.common import RayResource

REPO = Path(__file__).resolve().parents[2]
KINDS: dict[str, type[RayResource]] = {"RayCluster": RayCluster, "RayJob": RayJob, "RayService": RayService}


def _template(name: str, image: str = "rayproject/ray:2.52.0") -> dict[str, Any]:
    return {
        "metadata": {"labels": {"team": "ml"}, "annotations": {"note": "x"}},
        "spec": {
            "containers": [
                {
                    "name": name,
                    "image": image,
                    "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                    "resources": {"limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": 1}},
                }
            ],
            "nodeSelector": {"pool": "ray"},
        },
    }


def _cluster_spec(standalone: bool = True) -> dict[str, Any]:
    """A valid RayClusterSpec using every field KubeRay defines (except the two that are only
    allowed on a standalone RayCluster when ``standalone`` is false)."""
    only_standalone: dict[str, Any] = {
        "upgradeStrategy": {"type": "Recreate"},
        "authOptions": {"mode": "token", "enableK8sTokenAuth": True},
    }
    return {
        **(only_standalone if standalone else {"authOptions": {"mode": "token", "secretName": "ray-token"}}),
        "rayVersion": "2.55.0",
        "suspend": False,
        "managedBy": "ray.io/kuberay-operator",
        "enableInTreeAutoscaling": True,
        "tlsOptions": {"enabled": True},
        "headServiceAnnotations": {"a": "b"},
        "autoscalerOptions": {
            "version": "v2",
            "upscalingMode": "Conservative",
            "idleTimeoutSeconds": 30,
            "image": "rayproject/ray:2.55.0",
            "imagePullPolicy": "IfNotPresent",
            "resources": {"requests": {"cpu": "250m"}},
            "securityContext": {"runAsNonRoot": True},
            "env": [{"name": "X", "value": "1"}],
            "envFrom": [{"configMapRef": {"name": "cm"}}],
            "volumeMounts": [{"name": "tls", "mountPath": "/tls"}],
            "command": ["/bin/sh"],
            "args": ["-c", "ray kuberay-autoscaler"],
        },
        "gcsFaultToleranceOptions": {
            "backend": "rocksdb",
            "storage": {
                "size": "2Gi",
                "storageClassName": "fast",
                "accessModes": ["ReadWriteOnce"],
                "subPath": "gcs",
                "deletionPolicy": "Retain",
            },
        },
        "historyServerOptions": {
            "collectorOptions": {
                "image": "example.com/collector:1",
                "imagePullPolicy": "Always",
                "resources": {"limits": {"cpu": "1"}},
                "env": [{"name": "STORAGE_BACKEND", "value": "S3"}],
            }
        },
        "networkPolicy": {
            "mode": "DenyAllIngress",
            "head": {"ingressRules": [{"from": [{"podSelector": {}}]}]},
            "worker": {"ingressRules": []},
            "workerGroups": [{"groupName": "tpu", "ingressRules": [{"ports": [{"port": 8080}]}]}],
        },
        "headGroupSpec": {
            "serviceType": "ClusterIP",
            "enableIngress": True,
            "ingressOptions": {
                "host": "ray.example.com",
                "path": "/",
                "pathType": "Prefix",
                "tls": [{"hosts": ["h"]}],
            },
            "headService": {"metadata": {"annotations": {"x": "y"}}, "spec": {"type": "NodePort"}},
            "rayStartParams": {"dashboard-host": "0.0.0.0"},
            "resources": {"CPU": "0"},
            "labels": {"ray.io/zone": "a"},
            "template": _template("ray-head"),
        },
        "workerGroupSpecs": [
            {
                "groupName": "tpu",
                "suspend": False,
                "replicas": 2,
                "minReplicas": 1,
                "maxReplicas": 4,
                "numOfHosts": 4,
                "idleTimeoutSeconds": 120,
                "priority": 10,
                "resources": {"TPU": "4"},
                "labels": {"accelerator": "tpu"},
                "rayStartParams": {},
                "scaleStrategy": {"workersToDelete": ["tpu-abc"]},
                "template": _template("ray-worker"),
            }
        ],
    }


def _cluster_status() -> dict[str, Any]:
    return {
        "state": "ready",
        "reason": "",
        "desiredCPU": "8",
        "desiredMemory": "16Gi",
        "desiredGPU": "1",
        "desiredTPU": "16",
        "readyWorkerReplicas": 8,
        "availableWorkerReplicas": 8,
        "desiredWorkerReplicas": 8,
        "minWorkerReplicas": 4,
        "maxWorkerReplicas": 16,
        "endpoints": {"client": "10001", "dashboard": "8265"},
        "head": {
            "podIP": "10.0.0.1",
            "podName": "c-head-xx",
            "serviceIP": "10.96.0.1",
            "serviceName": "c-head-svc",
        },
        "lastUpdateTime": "2025-05-01T10:00:00Z",
        "stateTransitionTimes": {"ready": "2025-05-01T10:00:00Z"},
        "observedGeneration": 3,
        "conditions": [
            {
                "type": "RayClusterProvisioned",
                "status": "True",
                "reason": "AllPodRunningAndReadyFirstTime",
                "message": "",
                "lastTransitionTime": "2025-05-01T10:00:00Z",
                "observedGeneration": 3,
            }
        ],
    }


def full_raycluster() -> dict[str, Any]:
    """A RayCluster with every spec and status field set, valid for our CRD."""
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {
            "name": "full",
            "namespace": "ml",
            "uid": "1234",
            "generation": 3,
            "labels": {"app": "ray"},
            "annotations": {"ray.io/ft-enabled": "false"},
            "resourceVersion": "99",
        },
        "spec": _cluster_spec(),
        "status": _cluster_status(),
    }


def full_rayjob() -> dict[str, Any]:
    """A RayJob with every spec and status field set, valid for our CRD."""
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": "job", "namespace": "ml"},
        "spec": {
            "entrypoint": "python main.py",
            "runtimeEnvYAML": "pip:\n  - requests\n",
            "jobId": "job-1",
            "submissionMode": "K8sJobMode",
            "entrypointResources": '{"R": 1}',
            "entrypointNumCpus": 0.5,
            "entrypointNumGpus": 1.0,
            "metadata": {"owner": "me"},
            "activeDeadlineSeconds": 600,
            "preRunningDeadlineSeconds": 300,
            "backoffLimit": 2,
            "ttlSecondsAfterFinished": 0,
            "shutdownAfterJobFinishes": False,
            "suspend": False,
            "managedBy": "kueue.x-k8s.io/multikueue",
            "submitterPodTemplate": _template("submitter"),
            "submitterConfig": {"backoffLimit": 3},
            "deletionStrategy": {
                "deletionRules": [
                    {"policy": "DeleteCluster", "condition": {"jobStatus": "SUCCEEDED", "ttlSeconds": 10}},
                    {
                        "policy": "DeleteSelf",
                        "condition": {"jobDeploymentStatus": "Failed", "ttlSeconds": 60},
                    },
                ]
            },
            "rayClusterSpec": _cluster_spec(standalone=False),
        },
        "status": {
            "jobId": "job-1",
            "rayClusterName": "job-abcde",
            "dashboardURL": "job-abcde-head-svc.ml.svc.cluster.local:8265",
            "jobStatus": "RUNNING",
            "jobDeploymentStatus": "Running",
            "reason": "",
            "message": "Job is running",
            "startTime": "2025-05-01T10:00:00Z",
            "endTime": "2025-05-01T11:00:00Z",
            "succeeded": 0,
            "failed": 1,
            "jobStatusCheckFailureStartTime": "2025-05-01T10:30:00Z",
            "observedGeneration": 1,
            "rayJobInfo": {"startTime": "2025-05-01T10:01:00Z", "endTime": "2025-05-01T10:59:00Z"},
            "rayClusterStatus": _cluster_status(),
        },
    }


def full_rayservice() -> dict[str, Any]:
    """A RayService with every spec and status field set, valid for our CRD."""
    app_status = {
        "applicationStatuses": {
            "fruit": {
                "status": "RUNNING",
                "message": "",
                "serveDeploymentStatuses": {"Mango": {"status": "HEALTHY", "message": ""}},
            }
        },
        "targetCapacity": 50,
        "trafficRoutedPercent": 50,
        "lastTrafficMigratedTime": "2025-05-01T10:00:00Z",
        "rayClusterName": "svc-abcde",
        "rayClusterStatus": _cluster_status(),
    }
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayService",
        "metadata": {"name": "svc", "namespace": "ml"},
        "spec": {
            "serveConfigV2": "applications:\n  - name: fruit\n    import_path: fruit.deployment_graph\n",
            "rayClusterDeletionDelaySeconds": 30,
            "serviceUnhealthySecondThreshold": 900,
            "deploymentUnhealthySecondThreshold": 300,
            "excludeHeadPodFromServeSvc": True,
            "suspend": False,
            "managedBy": "ray.io/kuberay-operator",
            "serveService": {"metadata": {"name": "svc-serve"}, "spec": {"type": "LoadBalancer"}},
            "upgradeStrategy": {
                "type": "NewClusterWithIncrementalUpgrade",
                "clusterUpgradeOptions": {
                    "maxSurgePercent": 50,
                    "stepSizePercent": 25,
                    "intervalSeconds": 30,
                    "gatewayClassName": "istio",
                },
            },
            "rayClusterConfig": _cluster_spec(standalone=False),
        },
        "status": {
            "serviceStatus": "Running",
            "numServeEndpoints": 3,
            "observedGeneration": 2,
            "lastUpdateTime": "2025-05-01T10:00:00Z",
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "NonZeroServeEndpoints",
                    "message": "",
                    "lastTransitionTime": "2025-05-01T10:00:00Z",
                }
            ],
            "activeServiceStatus": app_status,
            "pendingServiceStatus": {**copy.deepcopy(app_status), "rayClusterName": "svc-fghij"},
        },
    }


def _example_docs() -> list[Any]:
    docs = []
    for path in sorted((REPO / "examples").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc["kind"] in KINDS:
                docs.append(pytest.param(doc, id=f"{path.stem}:{doc['metadata']['name']}"))
    return docs


INLINE = [
    pytest.param(full_raycluster(), id="raycluster-every-field"),
    pytest.param(full_rayjob(), id="rayjob-every-field"),
    pytest.param(full_rayservice(), id="rayservice-every-field"),
]


@pytest.mark.parametrize("body", [*_example_docs(), *INLINE])
def test_parse_dump_round_trip_is_exact(body: dict[str, Any]) -> None:
    original = copy.deepcopy(body)
    model = KINDS[body["kind"]].from_body(body)
    assert model.to_body() == original
    assert body == original  # parsing does not mutate its input


def test_parsed_objects_do_not_share_state_with_the_body() -> None:
    body = full_raycluster()
    rc = RayCluster.from_body(body)
    rc.spec.head_group_spec.template["spec"]["containers"][0]["image"] = "changed"
    rc.metadata["labels"]["app"] = "changed"
    assert body == full_raycluster()


def test_examples_exist_for_all_kinds() -> None:
    kinds = {cast(dict[str, Any], p.values[0])["kind"] for p in _example_docs()}
    assert kinds == set(KINDS)


def test_no_field_of_the_full_samples_lands_in_extras() -> None:
    """The inline samples use only KubeRay fields, so all of them must be modelled."""

    def extras(model: BaseModel, path: str) -> list[str]:
        found = [f"{path}.{k}" for k in (model.model_extra or {})]
        for name in model.model_fields_set:
            value = getattr(model, name)
            items = value if isinstance(value, list) else value.values() if isinstance(value, dict) else [value]
            for item in items:
                if isinstance(item, BaseModel):
                    found += extras(item, f"{path}.{name}")
        return found

    for param in INLINE:
        body = cast(dict[str, Any], param.values[0])
        assert extras(KINDS[body["kind"]].from_body(body), body["kind"]) == []


def test_typed_access_uses_kuberay_json_names() -> None:
    rc = RayCluster.from_body(full_raycluster())
    group = rc.spec.worker_group_specs[0] if rc.spec.worker_group_specs else None
    assert group is not None
    assert (group.group_name, group.num_of_hosts, group.max_replicas) == ("tpu", 4, 4)
    assert group.scale_strategy.workers_to_delete == ["tpu-abc"]
    assert rc.worker_group("tpu") is group and rc.worker_group("missing") is None
    assert rc.spec.auth_options is not None and rc.spec.auth_options.enable_k8s_token_auth is True
    assert rc.spec.tls_options is not None and rc.spec.tls_options.enabled is True
    assert rc.spec.head_group_spec.template["spec"]["containers"][0]["name"] == "ray-head"
    assert rc.status is not None and rc.status.head is not None
    assert (rc.status.head.pod_ip, rc.status.head.service_ip) == ("10.0.0.1", "10.96.0.1")
    assert (rc.status.desired_cpu, rc.status.desired_gpu, rc.status.desired_tpu) == ("8", "1", "16")
    job = RayJob.from_body(full_rayjob())
    assert job.status is not None
    assert job.status.dashboard_url == "job-abcde-head-svc.ml.svc.cluster.local:8265"
    assert job.status.ray_job_info is not None and job.status.ray_job_info.start_time == "2025-05-01T10:01:00Z"
    assert job.status.ray_cluster_status is not None and job.status.ray_cluster_status.desired_memory == "16Gi"
    assert job.spec.runtime_env_yaml == "pip:\n  - requests\n"
    service = RayService.from_body(full_rayservice())
    assert service.spec.exclude_head_pod_from_serve_svc is True
    assert service.spec.ray_cluster_config.ray_version == "2.55.0"
    active = service.status.active_service_status if service.status else None
    assert active is not None and active.applications is not None
    assert active.applications["fruit"].deployments == {
        "Mango": models.ServeDeploymentStatus(status="HEALTHY", message="")
    }


def test_metadata_helpers() -> None:
    rc = RayCluster.from_body(full_raycluster())
    assert (rc.name, rc.namespace, rc.uid, rc.generation) == ("full", "ml", "1234", 3)
    assert rc.labels == {"app": "ray"}
    assert rc.annotations == {"ray.io/ft-enabled": "false"}
    bare = RayCluster.from_body({"spec": {"headGroupSpec": {"template": {}}}})
    assert (bare.name, bare.namespace, bare.uid, bare.generation, bare.labels, bare.annotations) == (
        "",
        "",
        "",
        0,
        {},
        {},
    )
    assert bare.to_body() == {"spec": {"headGroupSpec": {"template": {}}}}


def test_defaults_match_the_crd_but_are_not_dumped() -> None:
    group = WorkerGroupSpec.model_validate({"groupName": "g", "template": {}})
    assert (group.replicas, group.min_replicas, group.max_replicas, group.num_of_hosts, group.priority) == (
        0,
        0,
        2147483647,
        1,
        0,
    )
    assert group.ray_start_params == {} and group.scale_strategy.workers_to_delete is None
    assert group.model_dump(by_alias=True, exclude_unset=True) == {"groupName": "g", "template": {}}

    spec = RayJobSpec()
    assert (spec.submission_mode, spec.backoff_limit, spec.ttl_seconds_after_finished) == ("K8sJobMode", 0, 0)
    assert spec.shutdown_after_job_finishes is None and spec.suspend is None
    assert spec.model_dump(by_alias=True, exclude_unset=True) == {}
    assert (RayJobStatus().succeeded, RayJobStatus().failed) == (0, 0)
    assert DeletionCondition(job_status="FAILED").ttl_seconds == 0
    assert NetworkPolicyConfig().mode == "DenyAll"
    assert (
        ClusterUpgradeOptions(step_size_percent=10, interval_seconds=5, gateway_class_name="g").max_surge_percent == 100
    )


def test_unknown_fields_survive_at_every_level() -> None:
    body = full_raycluster()
    body["futureTopLevel"] = {"x": 1}
    body["spec"]["futureKnob"] = True
    body["spec"]["headGroupSpec"]["futureHeadKnob"] = "h"
    body["spec"]["workerGroupSpecs"][0]["futureGroupKnob"] = [1, 2]
    body["spec"]["gcsFaultToleranceOptions"]["storage"]["futureStorage"] = "s"
    body["status"]["futureStatus"] = "s"
    body["status"]["head"]["futureHead"] = "h"
    rc = RayCluster.from_body(body)
    assert rc.to_body() == body
    assert rc.spec.model_extra == {"futureKnob": True}
    assert rc.spec.worker_group_specs is not None
    assert rc.spec.worker_group_specs[0].model_extra == {"futureGroupKnob": [1, 2]}


def test_changes_made_in_python_are_dumped() -> None:
    rc = RayCluster.from_body(full_raycluster())
    rc.status = RayClusterStatus(state="suspended", head=HeadInfo(podIP="10.1.1.1"))
    assert rc.spec.worker_group_specs is not None
    rc.spec.worker_group_specs[0].replicas = 3
    body = rc.to_body()
    assert body["status"] == {"state": "suspended", "head": {"podIP": "10.1.1.1"}}
    assert body["spec"]["workerGroupSpecs"][0]["replicas"] == 3


def test_models_can_be_built_by_python_name_or_by_json_name() -> None:
    by_name = WorkerGroupSpec(group_name="g", template={}, min_replicas=1, num_of_hosts=2)
    by_alias = WorkerGroupSpec.model_validate({"groupName": "g", "template": {}, "minReplicas": 1, "numOfHosts": 2})
    assert by_name == by_alias
    spec = RayClusterSpec(head_group_spec=models.HeadGroupSpec(template={}), worker_group_specs=[by_name])
    assert spec.model_dump(by_alias=True, exclude_unset=True) == {
        "headGroupSpec": {"template": {}},
        "workerGroupSpecs": [{"groupName": "g", "template": {}, "minReplicas": 1, "numOfHosts": 2}],
    }


def test_integer_quantities_are_kept_as_integers() -> None:
    """`storage.size` is int-or-string in KubeRay's CRD; an integer must not become a string."""
    body = full_raycluster()
    body["spec"]["gcsFaultToleranceOptions"]["storage"]["size"] = 2147483648
    rc = RayCluster.from_body(body)
    assert rc.to_body() == body
    options = rc.spec.gcs_fault_tolerance_options
    assert options is not None and options.storage is not None and options.storage.size == 2147483648


def test_null_last_update_time_round_trips() -> None:
    """KubeRay marks status.lastUpdateTime nullable; a stored null must survive."""
    body = full_raycluster()
    body["status"]["lastUpdateTime"] = None
    assert RayCluster.from_body(body).to_body() == body


#: JSON field names of KubeRay's Go types (ray-operator/apis/ray/v1/*_types.go), per model.
KUBERAY_FIELDS: dict[type[BaseModel], set[str]] = {
    models.RayClusterSpec: {
        "upgradeStrategy", "authOptions", "suspend", "managedBy", "autoscalerOptions",
        "headServiceAnnotations",
        "enableInTreeAutoscaling", "gcsFaultToleranceOptions", "historyServerOptions", "networkPolicy",
        "tlsOptions", "headGroupSpec", "rayVersion", "workerGroupSpecs",
    },
    models.HeadGroupSpec: {
        "template", "headService", "enableIngress", "ingressOptions", "resources", "labels", "rayStartParams",
        "serviceType",
    },
    models.WorkerGroupSpec: {
        "suspend", "groupName", "replicas", "minReplicas", "maxReplicas", "idleTimeoutSeconds", "priority",
        "resources", "labels", "rayStartParams", "template", "scaleStrategy", "numOfHosts",
    },
    models.AutoscalerOptions: {
        "resources", "image", "imagePullPolicy", "securityContext", "idleTimeoutSeconds", "upscalingMode",
        "version", "env", "envFrom", "volumeMounts", "command", "args",
    },
    models.GcsFaultToleranceOptions: {
        "backend", "redisUsername", "redisPassword", "externalStorageNamespace", "redisAddress", "storage",
    },
    models.GcsEmbeddedStorage: {
        "claimName", "size", "storageClassName", "accessModes", "subPath", "deletionPolicy",
    },
    models.AuthOptions: {"enableK8sTokenAuth", "secretName", "mode"},
    models.NetworkPolicyConfig: {"mode", "head", "worker", "workerGroups"},
    models.WorkerGroupNetworkPolicyRules: {"groupName", "ingressRules", "egressRules"},
    models.IngressOptions: {"host", "path", "pathType", "tls"},
    models.CollectorOptions: {"image", "imagePullPolicy", "resources", "env"},
    models.RayClusterStatus: {
        "state", "desiredCPU", "desiredMemory", "desiredGPU", "desiredTPU", "lastUpdateTime",
        "stateTransitionTimes", "endpoints", "head", "reason", "conditions", "readyWorkerReplicas",
        "availableWorkerReplicas", "desiredWorkerReplicas", "minWorkerReplicas", "maxWorkerReplicas",
        "observedGeneration",
    },
    models.HeadInfo: {"podIP", "serviceIP", "podName", "serviceName"},
    models.RayJobSpec: {
        "activeDeadlineSeconds", "backoffLimit", "rayClusterSpec", "submitterPodTemplate", "metadata",
        "clusterSelector", "submitterConfig", "managedBy", "deletionStrategy", "entrypoint", "runtimeEnvYAML",
        "jobId", "submissionMode", "entrypointResources", "entrypointNumCpus", "entrypointNumGpus",
        "ttlSecondsAfterFinished", "preRunningDeadlineSeconds", "shutdownAfterJobFinishes", "suspend",
    },
    models.DeletionStrategy: {"onSuccess", "onFailure", "deletionRules"},
    models.DeletionRule: {"policy", "condition"},
    models.DeletionCondition: {"jobStatus", "jobDeploymentStatus", "ttlSeconds"},
    models.RayJobStatus: {
        "rayJobInfo", "jobId", "rayClusterName", "dashboardURL", "jobStatus", "jobDeploymentStatus", "reason",
        "message", "startTime", "endTime", "succeeded", "failed", "rayClusterStatus",
        "jobStatusCheckFailureStartTime", "observedGeneration",
    },
    models.RayServiceSpec: {
        "rayClusterDeletionDelaySeconds", "serviceUnhealthySecondThreshold",
        "deploymentUnhealthySecondThreshold",
        "serveService", "upgradeStrategy", "managedBy", "serveConfigV2", "rayClusterConfig",
        "excludeHeadPodFromServeSvc", "suspend",
    },
    models.ClusterUpgradeOptions: {
        "maxSurgePercent", "stepSizePercent", "intervalSeconds", "gatewayClassName",
    },
    models.RayServiceStatuses: {
        "conditions", "lastUpdateTime", "serviceStatus", "activeServiceStatus", "pendingServiceStatus",
        "numServeEndpoints", "observedGeneration",
    },
    models.RayServiceStatus: {
        "applicationStatuses", "targetCapacity", "trafficRoutedPercent", "lastTrafficMigratedTime",
        "rayClusterName", "rayClusterStatus",
    },
    models.AppStatus: {"serveDeploymentStatuses", "status", "message"},
}  # fmt: skip


@pytest.mark.parametrize("model", list(KUBERAY_FIELDS), ids=lambda m: m.__name__)
def test_json_names_are_exactly_kuberays(model: type[BaseModel]) -> None:
    names = {field.alias or name for name, field in model.model_fields.items()}
    assert names == KUBERAY_FIELDS[model]
