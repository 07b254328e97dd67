# ruff: noqa: E501  (generated literals: commands and scripts are long single strings)
"""Builders vs. KubeRay: complete expected objects for representative RayClusters.

The EXPECTED literals are observations, not derived from our code: the objects KubeRay's Go code
(feeaf72facab4881ba2b179248bb67315634e229) built for the same RayClusters when run once beside
this project
(``buildHeadPod``, ``buildWorkerPod``, ``BuildServiceForHeadPod``, ``BuildServeServiceForRayCluster``,
``BuildHeadlessServiceForRayCluster``, ``BuildIngressForHeadService``,
``BuildServiceAccount``/``BuildRole``/``BuildRoleBinding``, ``buildRedisCleanupJob``,
``CalculateDesiredResources`` and ``GenerateHashWithoutReplicasAndWorkersToDelete``), normalised as follows (Go zero values and CRD-defaulted ``protocol: TCP``
dropped, TypeMeta added, randomly ordered appended Service ports sorted by name).
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from ray_operator.builders import autoscaler, desired, gcs_ft, hashing, ingress, pods, services
from ray_operator.config import DEFAULT_FEATURE_GATES, OperatorConfig
from ray_operator.models import RayCluster

SCENARIOS: dict[str, dict[str, Any]] = {
    "plain": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
            },
        },
        "workers": [{"group": 0}],
    },
    "gpu-group": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "gpu-group",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "2"},
                                            "requests": {"cpu": "3500m", "memory": "16Gi", "nvidia.com/gpu": "2"},
                                        },
                                    }
                                ],
                                "tolerations": [
                                    {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
                                ],
                            }
                        },
                    }
                ],
            },
        },
        "workers": [{"group": 0, "replica_index": 3}],
    },
    "multi-host": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    },
                    {
                        "groupName": "tpu-group",
                        "replicas": 2,
                        "minReplicas": 0,
                        "maxReplicas": 4,
                        "numOfHosts": 4,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"google.com/tpu": "4"},
                                            "requests": {"google.com/tpu": "4"},
                                        },
                                    }
                                ],
                                "nodeSelector": {"cloud.google.com/gke-tpu-topology": "2x2x4"},
                            }
                        },
                    },
                ],
            },
        },
        "workers": [{"group": 1, "replica_name": "tpu-group-x7k2p", "replica_index": 1, "host_index": 3}],
    },
    "autoscaler-v1": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "enableInTreeAutoscaling": True,
                "autoscalerOptions": {
                    "version": "v1",
                    "upscalingMode": "Default",
                    "idleTimeoutSeconds": 60,
                    "resources": {
                        "limits": {"cpu": "500m", "memory": "512Mi"},
                        "requests": {"cpu": "500m", "memory": "512Mi"},
                    },
                },
            },
        },
        "workers": [{"group": 0}],
    },
    "autoscaler-v2": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ],
                            "serviceAccountName": "ray-autoscaler",
                            "volumes": [{"name": "autoscaler-config", "configMap": {"name": "autoscaler-config"}}],
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "enableInTreeAutoscaling": True,
                "autoscalerOptions": {
                    "version": "v2",
                    "image": "rayproject/ray:2.46.0-autoscaler",
                    "imagePullPolicy": "Always",
                    "env": [{"name": "AUTOSCALER_LOG_LEVEL", "value": "DEBUG"}],
                    "envFrom": [{"configMapRef": {"name": "autoscaler-config"}}],
                    "volumeMounts": [{"name": "autoscaler-config", "mountPath": "/etc/autoscaler"}],
                    "securityContext": {"runAsNonRoot": True},
                },
            },
        },
        "config": {"enable_login_shell": True},
        "workers": [{"group": 0}],
    },
    "gcs-ft-redis": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-external-redis",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "gcsFaultToleranceOptions": {
                    "redisAddress": "redis:6379",
                    "redisPassword": {
                        "valueFrom": {"secretKeyRef": {"name": "redis-password-secret", "key": "password"}}
                    },
                },
            },
        },
        "workers": [{"group": 0}],
    },
    "gcs-ft-redis-username": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-redis-user",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "gcsFaultToleranceOptions": {
                    "redisAddress": "rediss://redis.example.com:6380",
                    "externalStorageNamespace": "my-raycluster-storage",
                    "redisUsername": {"value": "ray"},
                    "redisPassword": {"valueFrom": {"secretKeyRef": {"name": "redis-secret", "key": "password"}}},
                },
            },
        }
    },
    "custom-ports-env-volumes": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-custom",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                "annotations": {"ray.io/enable-serve-service": "true"},
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {
                        "port": "6380",
                        "dashboard-port": "8266",
                        "ray-client-server-port": "10002",
                        "num-cpus": "0",
                        "include-dashboard": "true",
                        "disable-usage-stats": "true",
                    },
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6380, "name": "gcs"},
                                        {"containerPort": 8266, "name": "dashboard"},
                                        {"containerPort": 10002, "name": "client"},
                                        {"containerPort": 8000, "name": "serve"},
                                        {"containerPort": 9000, "name": "serve-grpc"},
                                        {"containerPort": 9999},
                                    ],
                                    "env": [
                                        {"name": "MY_ENV", "value": "1"},
                                        {"name": "RAY_ADDRESS", "value": "127.0.0.1:6380"},
                                    ],
                                    "volumeMounts": [{"name": "log-volume", "mountPath": "/tmp/ray"}],
                                }
                            ],
                            "volumes": [{"name": "log-volume", "emptyDir": {}}],
                        },
                        "metadata": {
                            "labels": {"team": "ml", "ray.io/node-type": "ignored"},
                            "annotations": {"prometheus.io/scrape": "true"},
                        },
                    },
                    "serviceType": "NodePort",
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {"metrics-export-port": "9090", "object-store-memory": "100000000"},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                        "env": [
                                            {"name": "RAY_gcs_rpc_server_reconnect_timeout_s", "value": "60"},
                                            {
                                                "name": "MY_SECRET",
                                                "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}},
                                            },
                                        ],
                                        "volumeMounts": [
                                            {"name": "data", "mountPath": "/data"},
                                            {"name": "shm", "mountPath": "/dev/shm"},
                                        ],
                                        "imagePullPolicy": "IfNotPresent",
                                    }
                                ],
                                "volumes": [
                                    {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                                    {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "2Gi"}},
                                ],
                                "initContainers": [
                                    {"name": "fetch-code", "image": "busybox:1.36", "command": ["sh", "-c", "echo ok"]}
                                ],
                            }
                        },
                        "labels": {"ray.io/market-type": "spot"},
                        "resources": {"custom_resource": "2"},
                    }
                ],
                "headServiceAnnotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
            },
        },
        "workers": [{"group": 0}],
    },
    "custom-head-service": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        },
                        "metadata": {"labels": {"app.kubernetes.io/name": "my-app"}},
                    },
                    "serviceType": "ClusterIP",
                    "headService": {
                        "metadata": {
                            "name": "my-head-svc",
                            "namespace": "ignored",
                            "labels": {"custom": "label", "ray.io/cluster": "overridden"},
                            "annotations": {"shared": "service-loses", "from-service": "b"},
                        },
                        "spec": {
                            "ports": [{"name": "extra", "port": 7777, "targetPort": 7777}],
                            "selector": {"ignored": "x"},
                        },
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "headServiceAnnotations": {"from-spec": "a", "shared": "spec-wins"},
            },
        },
        "workers": [{"group": 0}],
    },
    "overwrite-container-cmd": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                "annotations": {"ray.io/overwrite-container-cmd": "true"},
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                    "command": ["/bin/bash", "-lc", "--"],
                                    "args": ["ulimit -n 65536; echo head; $KUBERAY_GEN_RAY_START_CMD"],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
            },
        },
        "workers": [{"group": 0}],
    },
    "user-command-prefix": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                    "command": ["echo"],
                                    "args": ["pre-start hook"],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
            },
        }
    },
    "ray-2.53-http-probes": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.53.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.53.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {"dashboard-agent-listen-port": "52366"},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.53.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
            },
        },
        "workers": [{"group": 0}],
    },
    "rayservice-originated": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "rayservice-sample-raycluster-abcde",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                "labels": {
                    "ray.io/originated-from-crd": "RayService",
                    "ray.io/originated-from-cr-name": "rayservice-sample",
                },
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                        {"containerPort": 8000, "name": "serve"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "enableInTreeAutoscaling": True,
            },
        },
        "workers": [{"group": 0}],
    },
    "rayjob-token-auth": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "rayjob-sample-xyz12",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                "labels": {"ray.io/originated-from-crd": "RayJob", "ray.io/originated-from-cr-name": "rayjob-sample"},
            },
            "spec": {
                "rayVersion": "2.52.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "authOptions": {"mode": "token"},
            },
        },
        "workers": [{"group": 0}],
    },
    "gcs-ft-rocksdb": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "gcsFaultToleranceOptions": {"backend": "rocksdb", "storage": {"subPath": "gcs", "size": "2Gi"}},
            },
        },
        "config": {"feature_gates": {"GCSFaultToleranceEmbeddedStorage": True}},
        "workers": [{"group": 0}],
    },
    "history-server": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
                "historyServerOptions": {
                    "collectorOptions": {
                        "image": "history-collector:1",
                        "env": [{"name": "STORAGE_BACKEND", "value": "S3"}],
                    }
                },
            },
        },
        "config": {"feature_gates": {"RayClusterHistoryServer": True}},
        "workers": [{"group": 0}],
    },
    "ingress-options": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                "annotations": {
                    "kubernetes.io/ingress.class": "nginx",
                    "nginx.ingress.kubernetes.io/rewrite-target": "/$1",
                },
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                    "enableIngress": True,
                    "ingressOptions": {
                        "host": "ray.example.com",
                        "path": "/dashboard",
                        "pathType": "ImplementationSpecific",
                        "tls": [{"hosts": ["ray.example.com"], "secretName": "ray-tls"}],
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
            },
        }
    },
    "operator-config": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "workergroup",
                        "replicas": 1,
                        "minReplicas": 1,
                        "maxReplicas": 5,
                        "numOfHosts": 1,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "1", "memory": "1G"},
                                            "requests": {"cpu": "1", "memory": "1G"},
                                        },
                                    }
                                ]
                            }
                        },
                    }
                ],
            },
        },
        "config": {
            "enable_deterministic_head_pod_name": True,
            "enable_init_container_injection": False,
            "enable_probes_injection": False,
            "enable_ray_head_cluster_ip_service": True,
            "cluster_domain": "corp.example",
            "head_sidecar_containers": [{"name": "fluent-bit", "image": "fluent/fluent-bit:3.0"}],
            "worker_sidecar_containers": [{"name": "log-shipper", "image": "busybox:1.36"}],
            "default_container_envs": [{"name": "HTTP_PROXY", "value": "http://proxy:3128"}],
            "default_pod_labels": {"cost-center": "ml", "ray.io/cluster": "not-applied"},
            "default_pod_annotations": {"sidecar.istio.io/inject": "false"},
        },
        "workers": [{"group": 0}],
    },
    "desired-totals": {
        "cluster": {
            "apiVersion": "ray.io/v1",
            "kind": "RayCluster",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
            },
            "spec": {
                "rayVersion": "2.46.0",
                "headGroupSpec": {
                    "rayStartParams": {},
                    "template": {
                        "spec": {
                            "containers": [
                                {
                                    "name": "ray-head",
                                    "image": "rayproject/ray:2.46.0",
                                    "resources": {
                                        "limits": {"cpu": "1", "memory": "2G"},
                                        "requests": {"cpu": "1", "memory": "2G"},
                                    },
                                    "ports": [
                                        {"containerPort": 6379, "name": "gcs-server"},
                                        {"containerPort": 8265, "name": "dashboard"},
                                        {"containerPort": 10001, "name": "client"},
                                    ],
                                }
                            ]
                        }
                    },
                },
                "workerGroupSpecs": [
                    {
                        "groupName": "small",
                        "replicas": 10,
                        "minReplicas": 1,
                        "maxReplicas": 3,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "500m", "memory": "1.5Gi"},
                                            "requests": {"cpu": "500m", "memory": "1.5Gi"},
                                        },
                                    }
                                ]
                            }
                        },
                    },
                    {
                        "groupName": "suspended",
                        "suspend": True,
                        "replicas": 2,
                        "minReplicas": 2,
                        "maxReplicas": 2,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {
                                            "limits": {"cpu": "8", "memory": "32Gi"},
                                            "requests": {"cpu": "8", "memory": "32Gi"},
                                        },
                                    }
                                ]
                            }
                        },
                    },
                    {
                        "groupName": "multi",
                        "replicas": 1,
                        "minReplicas": 0,
                        "maxReplicas": 2,
                        "numOfHosts": 2,
                        "rayStartParams": {},
                        "template": {
                            "spec": {
                                "containers": [
                                    {
                                        "name": "ray-worker",
                                        "image": "rayproject/ray:2.46.0",
                                        "resources": {"limits": {"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"}},
                                    },
                                    {"name": "sidecar", "image": "busybox", "resources": {"requests": {"cpu": "100m"}}},
                                ]
                            }
                        },
                    },
                ],
            },
        }
    },
}

EXPECTED: dict[str, dict[str, Any]] = {
    "plain": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "DKOG1TC750R962IP190O11650HD261QJ",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
        "headService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "raycluster-kuberay-head-svc",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/node-type": "head",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ports": [
                    {"name": "client", "appProtocol": "tcp", "port": 10001},
                    {"name": "dashboard", "appProtocol": "tcp", "port": 8265},
                    {"name": "gcs-server", "appProtocol": "tcp", "port": 6379},
                    {"name": "metrics", "appProtocol": "tcp", "port": 8080},
                ],
                "selector": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/node-type": "head",
                },
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
            },
        },
        "serviceAccount": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
        },
        "role": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "rules": [
                {"verbs": ["get", "list", "watch", "patch"], "apiGroups": [""], "resources": ["pods"]},
                {"verbs": ["patch"], "apiGroups": [""], "resources": ["pods/resize"]},
                {"verbs": ["get", "patch"], "apiGroups": ["ray.io"], "resources": ["rayclusters"]},
            ],
        },
        "roleBinding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "subjects": [{"kind": "ServiceAccount", "name": "raycluster-kuberay", "namespace": "default"}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "raycluster-kuberay"},
        },
        "redisCleanupJob": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": "raycluster-kuberay-redis-cleanup",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "redis-cleanup",
                },
                "annotations": {"ray.io/ft-enabled": "false"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "activeDeadlineSeconds": 300,
                "backoffLimit": 0,
                "template": {
                    "metadata": {
                        "generateName": "raycluster-kuberay-head-",
                        "namespace": "default",
                        "labels": {
                            "app.kubernetes.io/created-by": "kuberay-operator",
                            "app.kubernetes.io/name": "kuberay",
                            "ray.io/cluster": "raycluster-kuberay",
                            "ray.io/group": "headgroup",
                            "ray.io/identifier": "raycluster-kuberay-head",
                            "ray.io/is-ray-node": "yes",
                            "ray.io/node-type": "redis-cleanup",
                        },
                        "annotations": {"ray.io/ft-enabled": "false"},
                        "ownerReferences": [
                            {
                                "apiVersion": "ray.io/v1",
                                "kind": "RayCluster",
                                "name": "raycluster-kuberay",
                                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                                "controller": True,
                                "blockOwnerDeletion": True,
                            }
                        ],
                    },
                    "spec": {
                        "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                        "containers": [
                            {
                                "name": "ray-head",
                                "image": "rayproject/ray:2.46.0",
                                "command": ["/bin/bash", "-c", "--"],
                                "args": [
                                    "echo \"To get more information about manually deleting the storage namespace in Redis and removing the RayCluster's finalizer, please check https://docs.ray.io/en/master/cluster/kubernetes/user-guides/kuberay-gcs-ft.html for more details.\" && python -c \"from ray._private.gcs_utils import cleanup_redis_storage; from urllib.parse import urlparse; import os; import sys; redis_address = os.getenv('RAY_REDIS_ADDRESS', '').split(',')[0]; redis_address = redis_address if '://' in redis_address else 'redis://' + redis_address; parsed = urlparse(redis_address); sys.exit(1) if not cleanup_redis_storage(host=parsed.hostname, port=parsed.port, password=os.getenv('REDIS_PASSWORD', parsed.password or ''), use_ssl=parsed.scheme=='rediss', storage_namespace=os.getenv('RAY_external_storage_namespace')) else None\""
                                ],
                                "ports": [
                                    {"name": "gcs-server", "containerPort": 6379},
                                    {"name": "dashboard", "containerPort": 8265},
                                    {"name": "client", "containerPort": 10001},
                                    {"name": "metrics", "containerPort": 8080},
                                ],
                                "env": [
                                    {
                                        "name": "RAY_CLUSTER_NAME",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                    },
                                    {
                                        "name": "RAY_CLUSTER_NAMESPACE",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                    },
                                    {
                                        "name": "RAY_CLOUD_INSTANCE_ID",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                    },
                                    {
                                        "name": "RAY_NODE_TYPE_NAME",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                    },
                                    {
                                        "name": "KUBERAY_GEN_RAY_START_CMD",
                                        "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                    },
                                    {"name": "RAY_PORT", "value": "6379"},
                                    {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                                    {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                    {
                                        "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                        "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                                    },
                                    {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                                    {"name": "RAY_redis_db_connect_retries", "value": "120"},
                                    {"name": "RAY_redis_db_connect_wait_milliseconds", "value": "500"},
                                ],
                                "resources": {
                                    "limits": {"cpu": "200m", "memory": "256Mi"},
                                    "requests": {"cpu": "200m", "memory": "256Mi"},
                                },
                                "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            }
                        ],
                        "restartPolicy": "Never",
                    },
                },
            },
        },
        "headlessService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "raycluster-kuberay-headless",
                "namespace": "default",
                "labels": {"ray.io/headless-worker-svc": "raycluster-kuberay"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "selector": {"ray.io/cluster": "raycluster-kuberay", "ray.io/node-type": "worker"},
                "clusterIP": "None",
                "type": "ClusterIP",
                "publishNotReadyAddresses": True,
            },
        },
        "ingress": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": "raycluster-kuberay-head-ingress",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {"name": "raycluster-kuberay-head-svc", "port": {"number": 8265}}
                                    },
                                }
                            ]
                        }
                    }
                ]
            },
        },
        "desired": {
            "desired_workers": 1,
            "min_workers": 1,
            "max_workers": 5,
            "desired_cpu": "2",
            "desired_memory": "3G",
            "desired_gpu": "0",
            "desired_tpu": "0",
        },
        "hash": "DKOG1TC750R962IP190O11650HD261QJ",
    },
    "gpu-group": {
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-gpu-group-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "gpu-group",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "3",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=17179869184  --metrics-export-port=8080  --num-cpus=4  --num-gpus=2 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=17179869184  --metrics-export-port=8080  --num-cpus=4  --num-gpus=2 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "2"},
                                "requests": {"cpu": "3500m", "memory": "16Gi", "nvidia.com/gpu": "2"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                    "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
                },
            }
        ],
        "desired": {
            "desired_workers": 1,
            "min_workers": 1,
            "max_workers": 5,
            "desired_cpu": "4500m",
            "desired_memory": "19179869184",
            "desired_gpu": "2",
            "desired_tpu": "0",
        },
        "hash": "G1V0780HGRCQ6QMVRU2QVQ27D79N4RM6",
    },
    "multi-host": {
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-tpu-group-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "tpu-group",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/replica-host-index": "3",
                        "ray.io/worker-group-replica-index": "1",
                        "ray.io/worker-group-replica-name": "tpu-group-x7k2p",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --metrics-export-port=8080  --resources='{\"TPU\":4}' "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --metrics-export-port=8080  --resources='{\"TPU\":4}' ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {"limits": {"google.com/tpu": "4"}, "requests": {"google.com/tpu": "4"}},
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                    "nodeSelector": {"cloud.google.com/gke-tpu-topology": "2x2x4"},
                },
            }
        ],
        "headlessService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "raycluster-kuberay-headless",
                "namespace": "default",
                "labels": {"ray.io/headless-worker-svc": "raycluster-kuberay"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "selector": {"ray.io/cluster": "raycluster-kuberay", "ray.io/node-type": "worker"},
                "clusterIP": "None",
                "type": "ClusterIP",
                "publishNotReadyAddresses": True,
            },
        },
        "desired": {
            "desired_workers": 9,
            "min_workers": 1,
            "max_workers": 21,
            "desired_cpu": "2",
            "desired_memory": "3G",
            "desired_gpu": "0",
            "desired_tpu": "32",
        },
        "hash": "4HV4J2HEVCODQD3GNELL9CGOMMI0FOR3",
    },
    "autoscaler-v1": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "7D2O0GJFMIOTML5PF1O4RJLNTS5QIJQQ",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [
                    {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}},
                    {"name": "ray-logs", "emptyDir": {}},
                ],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --no-monitor  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "RAY_enable_autoscaler_v2", "value": "false"},
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --no-monitor  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [
                            {"name": "shared-mem", "mountPath": "/dev/shm"},
                            {"name": "ray-logs", "mountPath": "/tmp/ray"},
                        ],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    },
                    {
                        "name": "autoscaler",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)"
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {"name": "RAY_HEAD_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                            {"name": "KUBERAY_CRD_VER", "value": "v1"},
                            {
                                "name": "KUBERAY_GEN_AUTOSCALER_START_CMD",
                                "value": "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)",
                            },
                        ],
                        "resources": {
                            "limits": {"cpu": "500m", "memory": "512Mi"},
                            "requests": {"cpu": "500m", "memory": "512Mi"},
                        },
                        "volumeMounts": [{"name": "ray-logs", "mountPath": "/tmp/ray"}],
                        "imagePullPolicy": "IfNotPresent",
                    },
                ],
                "serviceAccountName": "raycluster-kuberay",
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
        "serviceAccount": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
        },
        "role": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "rules": [
                {"verbs": ["get", "list", "watch", "patch"], "apiGroups": [""], "resources": ["pods"]},
                {"verbs": ["patch"], "apiGroups": [""], "resources": ["pods/resize"]},
                {"verbs": ["get", "patch"], "apiGroups": ["ray.io"], "resources": ["rayclusters"]},
            ],
        },
        "roleBinding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "subjects": [{"kind": "ServiceAccount", "name": "raycluster-kuberay", "namespace": "default"}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "raycluster-kuberay"},
        },
        "hash": "7D2O0GJFMIOTML5PF1O4RJLNTS5QIJQQ",
    },
    "autoscaler-v2": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "KAAD0VRP070L5BKFAM31VPJADCU5QI1R",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [
                    {"name": "autoscaler-config", "configMap": {"name": "autoscaler-config"}},
                    {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}},
                    {"name": "ray-logs", "emptyDir": {}},
                ],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-cl", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --no-monitor  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "RAY_enable_autoscaler_v2", "value": "true"},
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --no-monitor  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [
                            {"name": "shared-mem", "mountPath": "/dev/shm"},
                            {"name": "ray-logs", "mountPath": "/tmp/ray"},
                        ],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    },
                    {
                        "name": "autoscaler",
                        "image": "rayproject/ray:2.46.0-autoscaler",
                        "command": ["/bin/bash", "-cl", "--"],
                        "args": [
                            "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)"
                        ],
                        "envFrom": [{"configMapRef": {"name": "autoscaler-config"}}],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {"name": "RAY_HEAD_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                            {"name": "KUBERAY_CRD_VER", "value": "v1"},
                            {
                                "name": "KUBERAY_GEN_AUTOSCALER_START_CMD",
                                "value": "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)",
                            },
                            {"name": "AUTOSCALER_LOG_LEVEL", "value": "DEBUG"},
                        ],
                        "resources": {
                            "limits": {"cpu": "500m", "memory": "512Mi"},
                            "requests": {"cpu": "500m", "memory": "512Mi"},
                        },
                        "volumeMounts": [
                            {"name": "autoscaler-config", "mountPath": "/etc/autoscaler"},
                            {"name": "ray-logs", "mountPath": "/tmp/ray"},
                        ],
                        "imagePullPolicy": "Always",
                        "securityContext": {"runAsNonRoot": True},
                    },
                ],
                "restartPolicy": "Never",
                "serviceAccountName": "ray-autoscaler",
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-cl", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-cl", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                    "restartPolicy": "Never",
                },
            }
        ],
        "serviceAccount": {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {
                "name": "ray-autoscaler",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
        },
        "roleBinding": {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {
                "name": "raycluster-kuberay",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "subjects": [{"kind": "ServiceAccount", "name": "ray-autoscaler", "namespace": "default"}],
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "raycluster-kuberay"},
        },
        "hash": "KAAD0VRP070L5BKFAM31VPJADCU5QI1R",
    },
    "gcs-ft-redis": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-external-redis-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-external-redis",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-external-redis-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/external-storage-namespace": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                    "ray.io/ft-enabled": "true",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "L6ST3VKSOKUHC4CRQ992R79S3PGGIDTA",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-external-redis",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1  --redis-password=$REDIS_PASSWORD "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "RAY_external_storage_namespace", "value": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b"},
                            {"name": "RAY_REDIS_ADDRESS", "value": "redis:6379"},
                            {
                                "name": "REDIS_PASSWORD",
                                "valueFrom": {"secretKeyRef": {"name": "redis-password-secret", "key": "password"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1  --redis-password=$REDIS_PASSWORD ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-external-redis-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-external-redis",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-external-redis-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-external-redis",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-external-redis-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-external-redis-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {
                                    "name": "FQ_RAY_IP",
                                    "value": "raycluster-external-redis-head-svc.default.svc.cluster.local",
                                },
                                {"name": "RAY_IP", "value": "raycluster-external-redis-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-external-redis-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "RAY_gcs_rpc_server_reconnect_timeout_s", "value": "600"},
                                {
                                    "name": "FQ_RAY_IP",
                                    "value": "raycluster-external-redis-head-svc.default.svc.cluster.local",
                                },
                                {"name": "RAY_IP", "value": "raycluster-external-redis-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-external-redis-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-external-redis-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
        "redisCleanupJob": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": "raycluster-external-redis-redis-cleanup",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-external-redis",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-external-redis-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "redis-cleanup",
                },
                "annotations": {
                    "ray.io/external-storage-namespace": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                    "ray.io/ft-enabled": "true",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-external-redis",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "activeDeadlineSeconds": 300,
                "backoffLimit": 0,
                "template": {
                    "metadata": {
                        "generateName": "raycluster-external-redis-head-",
                        "namespace": "default",
                        "labels": {
                            "app.kubernetes.io/created-by": "kuberay-operator",
                            "app.kubernetes.io/name": "kuberay",
                            "ray.io/cluster": "raycluster-external-redis",
                            "ray.io/group": "headgroup",
                            "ray.io/identifier": "raycluster-external-redis-head",
                            "ray.io/is-ray-node": "yes",
                            "ray.io/node-type": "redis-cleanup",
                        },
                        "annotations": {
                            "ray.io/external-storage-namespace": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "ray.io/ft-enabled": "true",
                        },
                        "ownerReferences": [
                            {
                                "apiVersion": "ray.io/v1",
                                "kind": "RayCluster",
                                "name": "raycluster-external-redis",
                                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                                "controller": True,
                                "blockOwnerDeletion": True,
                            }
                        ],
                    },
                    "spec": {
                        "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                        "containers": [
                            {
                                "name": "ray-head",
                                "image": "rayproject/ray:2.46.0",
                                "command": ["/bin/bash", "-c", "--"],
                                "args": [
                                    "echo \"To get more information about manually deleting the storage namespace in Redis and removing the RayCluster's finalizer, please check https://docs.ray.io/en/master/cluster/kubernetes/user-guides/kuberay-gcs-ft.html for more details.\" && python -c \"from ray._private.gcs_utils import cleanup_redis_storage; from urllib.parse import urlparse; import os; import sys; redis_address = os.getenv('RAY_REDIS_ADDRESS', '').split(',')[0]; redis_address = redis_address if '://' in redis_address else 'redis://' + redis_address; parsed = urlparse(redis_address); sys.exit(1) if not cleanup_redis_storage(host=parsed.hostname, port=parsed.port, password=os.getenv('REDIS_PASSWORD', parsed.password or ''), use_ssl=parsed.scheme=='rediss', storage_namespace=os.getenv('RAY_external_storage_namespace')) else None\""
                                ],
                                "ports": [
                                    {"name": "gcs-server", "containerPort": 6379},
                                    {"name": "dashboard", "containerPort": 8265},
                                    {"name": "client", "containerPort": 10001},
                                    {"name": "metrics", "containerPort": 8080},
                                ],
                                "env": [
                                    {
                                        "name": "RAY_external_storage_namespace",
                                        "value": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                                    },
                                    {"name": "RAY_REDIS_ADDRESS", "value": "redis:6379"},
                                    {
                                        "name": "REDIS_PASSWORD",
                                        "valueFrom": {
                                            "secretKeyRef": {"name": "redis-password-secret", "key": "password"}
                                        },
                                    },
                                    {
                                        "name": "RAY_CLUSTER_NAME",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                    },
                                    {
                                        "name": "RAY_CLUSTER_NAMESPACE",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                    },
                                    {
                                        "name": "RAY_CLOUD_INSTANCE_ID",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                    },
                                    {
                                        "name": "RAY_NODE_TYPE_NAME",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                    },
                                    {
                                        "name": "KUBERAY_GEN_RAY_START_CMD",
                                        "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1  --redis-password=$REDIS_PASSWORD ",
                                    },
                                    {"name": "RAY_PORT", "value": "6379"},
                                    {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                                    {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                    {
                                        "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                        "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                                    },
                                    {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                                    {"name": "RAY_redis_db_connect_retries", "value": "120"},
                                    {"name": "RAY_redis_db_connect_wait_milliseconds", "value": "500"},
                                ],
                                "resources": {
                                    "limits": {"cpu": "200m", "memory": "256Mi"},
                                    "requests": {"cpu": "200m", "memory": "256Mi"},
                                },
                                "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            }
                        ],
                        "restartPolicy": "Never",
                    },
                },
            },
        },
        "hash": "L6ST3VKSOKUHC4CRQ992R79S3PGGIDTA",
    },
    "gcs-ft-redis-username": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-redis-user-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-redis-user",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-redis-user-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/external-storage-namespace": "my-raycluster-storage",
                    "ray.io/ft-enabled": "true",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "UITQ61S4OQQFBEUTGTFKFJRMEI7HAG0P",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-redis-user",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1  --redis-password=$REDIS_PASSWORD  --redis-username=$REDIS_USERNAME "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "RAY_external_storage_namespace", "value": "my-raycluster-storage"},
                            {"name": "RAY_REDIS_ADDRESS", "value": "rediss://redis.example.com:6380"},
                            {"name": "REDIS_USERNAME", "value": "ray"},
                            {
                                "name": "REDIS_PASSWORD",
                                "valueFrom": {"secretKeyRef": {"name": "redis-secret", "key": "password"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1  --redis-password=$REDIS_PASSWORD  --redis-username=$REDIS_USERNAME ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "redisCleanupJob": {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {
                "name": "raycluster-redis-user-redis-cleanup",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-redis-user",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-redis-user-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "redis-cleanup",
                },
                "annotations": {
                    "ray.io/external-storage-namespace": "my-raycluster-storage",
                    "ray.io/ft-enabled": "true",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-redis-user",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "activeDeadlineSeconds": 300,
                "backoffLimit": 0,
                "template": {
                    "metadata": {
                        "generateName": "raycluster-redis-user-head-",
                        "namespace": "default",
                        "labels": {
                            "app.kubernetes.io/created-by": "kuberay-operator",
                            "app.kubernetes.io/name": "kuberay",
                            "ray.io/cluster": "raycluster-redis-user",
                            "ray.io/group": "headgroup",
                            "ray.io/identifier": "raycluster-redis-user-head",
                            "ray.io/is-ray-node": "yes",
                            "ray.io/node-type": "redis-cleanup",
                        },
                        "annotations": {
                            "ray.io/external-storage-namespace": "my-raycluster-storage",
                            "ray.io/ft-enabled": "true",
                        },
                        "ownerReferences": [
                            {
                                "apiVersion": "ray.io/v1",
                                "kind": "RayCluster",
                                "name": "raycluster-redis-user",
                                "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                                "controller": True,
                                "blockOwnerDeletion": True,
                            }
                        ],
                    },
                    "spec": {
                        "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                        "containers": [
                            {
                                "name": "ray-head",
                                "image": "rayproject/ray:2.46.0",
                                "command": ["/bin/bash", "-c", "--"],
                                "args": [
                                    "echo \"To get more information about manually deleting the storage namespace in Redis and removing the RayCluster's finalizer, please check https://docs.ray.io/en/master/cluster/kubernetes/user-guides/kuberay-gcs-ft.html for more details.\" && python -c \"from ray._private.gcs_utils import cleanup_redis_storage; from urllib.parse import urlparse; import os; import sys; redis_address = os.getenv('RAY_REDIS_ADDRESS', '').split(',')[0]; redis_address = redis_address if '://' in redis_address else 'redis://' + redis_address; parsed = urlparse(redis_address); sys.exit(1) if not cleanup_redis_storage(host=parsed.hostname, port=parsed.port, username=os.getenv('REDIS_USERNAME', parsed.username), password=os.getenv('REDIS_PASSWORD', parsed.password or ''), use_ssl=parsed.scheme=='rediss', storage_namespace=os.getenv('RAY_external_storage_namespace')) else None\""
                                ],
                                "ports": [
                                    {"name": "gcs-server", "containerPort": 6379},
                                    {"name": "dashboard", "containerPort": 8265},
                                    {"name": "client", "containerPort": 10001},
                                    {"name": "metrics", "containerPort": 8080},
                                ],
                                "env": [
                                    {"name": "RAY_external_storage_namespace", "value": "my-raycluster-storage"},
                                    {"name": "RAY_REDIS_ADDRESS", "value": "rediss://redis.example.com:6380"},
                                    {"name": "REDIS_USERNAME", "value": "ray"},
                                    {
                                        "name": "REDIS_PASSWORD",
                                        "valueFrom": {"secretKeyRef": {"name": "redis-secret", "key": "password"}},
                                    },
                                    {
                                        "name": "RAY_CLUSTER_NAME",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                    },
                                    {
                                        "name": "RAY_CLUSTER_NAMESPACE",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                    },
                                    {
                                        "name": "RAY_CLOUD_INSTANCE_ID",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                    },
                                    {
                                        "name": "RAY_NODE_TYPE_NAME",
                                        "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                    },
                                    {
                                        "name": "KUBERAY_GEN_RAY_START_CMD",
                                        "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1  --redis-password=$REDIS_PASSWORD  --redis-username=$REDIS_USERNAME ",
                                    },
                                    {"name": "RAY_PORT", "value": "6379"},
                                    {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                                    {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                    {
                                        "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                        "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                                    },
                                    {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                                    {"name": "RAY_redis_db_connect_retries", "value": "120"},
                                    {"name": "RAY_redis_db_connect_wait_milliseconds", "value": "500"},
                                ],
                                "resources": {
                                    "limits": {"cpu": "200m", "memory": "256Mi"},
                                    "requests": {"cpu": "200m", "memory": "256Mi"},
                                },
                                "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            }
                        ],
                        "restartPolicy": "Never",
                    },
                },
            },
        },
    },
    "custom-ports-env-volumes": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-custom-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-custom",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-custom-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                    "team": "ml",
                },
                "annotations": {
                    "prometheus.io/scrape": "true",
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "8LUMRPJC9N6C046GA4T9A3F0DLK86B7K",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-custom",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [
                    {"name": "log-volume", "emptyDir": {}},
                    {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}},
                ],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --dashboard-port=8266  --disable-usage-stats  --include-dashboard=true  --memory=2000000000  --metrics-export-port=8080  --num-cpus=0  --port=6380  --ray-client-server-port=10002 "
                        ],
                        "ports": [
                            {"name": "gcs", "containerPort": 6380},
                            {"name": "dashboard", "containerPort": 8266},
                            {"name": "client", "containerPort": 10002},
                            {"name": "serve", "containerPort": 8000},
                            {"name": "serve-grpc", "containerPort": 9000},
                            {"containerPort": 9999},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "MY_ENV", "value": "1"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6380"},
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --dashboard-port=8266  --disable-usage-stats  --include-dashboard=true  --memory=2000000000  --metrics-export-port=8080  --num-cpus=0  --port=6380  --ray-client-server-port=10002 ",
                            },
                            {"name": "RAY_PORT", "value": "6380"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [
                            {"name": "log-volume", "mountPath": "/tmp/ray"},
                            {"name": "shared-mem", "mountPath": "/dev/shm"},
                        ],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8266/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8266/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-custom-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-custom",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-custom-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/market-type": "spot",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-custom",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [
                        {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                        {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": "2Gi"}},
                    ],
                    "initContainers": [
                        {
                            "name": "fetch-code",
                            "image": "busybox:1.36",
                            "command": ["sh", "-c", "echo ok"],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-custom-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-custom-head-svc"},
                            ],
                        },
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-custom-head-svc.default.svc.cluster.local:6380 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-custom-head-svc.default.svc.cluster.local:6380; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "RAY_gcs_rpc_server_reconnect_timeout_s", "value": "60"},
                                {"name": "MY_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                                {"name": "FQ_RAY_IP", "value": "raycluster-custom-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-custom-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                            "volumeMounts": [
                                {"name": "data", "mountPath": "/data"},
                                {"name": "shm", "mountPath": "/dev/shm"},
                            ],
                            "imagePullPolicy": "IfNotPresent",
                        },
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-custom-head-svc.default.svc.cluster.local:6380  --block  --dashboard-agent-listen-port=52365  --labels=ray.io/market-type=spot  --memory=1000000000  --metrics-export-port=9090  --num-cpus=1  --object-store-memory=100000000  --resources='{\"custom_resource\":2}' "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "RAY_gcs_rpc_server_reconnect_timeout_s", "value": "60"},
                                {"name": "MY_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                                {"name": "FQ_RAY_IP", "value": "raycluster-custom-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-custom-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-custom-head-svc.default.svc.cluster.local:6380  --block  --dashboard-agent-listen-port=52365  --labels=ray.io/market-type=spot  --memory=1000000000  --metrics-export-port=9090  --num-cpus=1  --object-store-memory=100000000  --resources='{\"custom_resource\":2}' ",
                                },
                                {"name": "RAY_PORT", "value": "6380"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-custom-head-svc.default.svc.cluster.local:6380",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [
                                {"name": "data", "mountPath": "/data"},
                                {"name": "shm", "mountPath": "/dev/shm"},
                            ],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                            "imagePullPolicy": "IfNotPresent",
                        }
                    ],
                },
            }
        ],
        "headService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "raycluster-custom-head-svc",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-custom",
                    "ray.io/identifier": "raycluster-custom-head",
                    "ray.io/node-type": "head",
                },
                "annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-custom",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ports": [
                    {"name": "9999-port", "appProtocol": "tcp", "port": 9999},
                    {"name": "client", "appProtocol": "tcp", "port": 10002},
                    {"name": "dashboard", "appProtocol": "tcp", "port": 8266},
                    {"name": "gcs", "appProtocol": "tcp", "port": 6380},
                    {"name": "metrics", "appProtocol": "tcp", "port": 8080},
                    {"name": "serve", "appProtocol": "tcp", "port": 8000},
                    {"name": "serve-grpc", "appProtocol": "tcp", "port": 9000},
                ],
                "selector": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-custom",
                    "ray.io/identifier": "raycluster-custom-head",
                    "ray.io/node-type": "head",
                },
                "type": "NodePort",
            },
        },
        "serveService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "raycluster-custom-serve-svc",
                "namespace": "default",
                "labels": {
                    "ray.io/originated-from-cr-name": "raycluster-custom",
                    "ray.io/originated-from-crd": "RayCluster",
                    "ray.io/serve": "raycluster-custom-serve",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-custom",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ports": [{"name": "serve", "port": 8000}, {"name": "serve-grpc", "port": 9000}],
                "selector": {"ray.io/cluster": "raycluster-custom"},
                "type": "NodePort",
            },
        },
        "ingress": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": "raycluster-custom-head-ingress",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-custom",
                    "ray.io/identifier": "raycluster-custom-head",
                },
                "annotations": {"ray.io/enable-serve-service": "true"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-custom",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {"name": "raycluster-custom-head-svc", "port": {"number": 8266}}
                                    },
                                }
                            ]
                        }
                    }
                ]
            },
        },
    },
    "custom-head-service": {
        "headService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "my-head-svc",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "my-app",
                    "custom": "label",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/node-type": "head",
                },
                "annotations": {"from-service": "b", "from-spec": "a", "shared": "spec-wins"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ports": [
                    {"name": "extra", "port": 7777, "targetPort": 7777},
                    {"name": "client", "appProtocol": "tcp", "port": 10001},
                    {"name": "dashboard", "appProtocol": "tcp", "port": 8265},
                    {"name": "gcs-server", "appProtocol": "tcp", "port": 6379},
                    {"name": "metrics", "appProtocol": "tcp", "port": 8080},
                ],
                "selector": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "my-app",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/node-type": "head",
                },
                "type": "ClusterIP",
            },
        },
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "my-app",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "JMSOA3562K3HH25MMJUAGNHAQG3VDH64",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address my-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address my-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "my-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "my-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=my-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "my-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "my-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=my-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {"name": "RAY_ADDRESS", "value": "my-head-svc.default.svc.cluster.local:6379"},
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
        "ingress": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": "raycluster-kuberay-head-ingress",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "my-head-svc", "port": {"number": 8265}}},
                                }
                            ]
                        }
                    }
                ]
            },
        },
        "hash": "JMSOA3562K3HH25MMJUAGNHAQG3VDH64",
    },
    "overwrite-container-cmd": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/overwrite-container-cmd": "true",
                    "ray.io/upgrade-strategy-recreate-hash": "7SQK067Q3NUF2AQC30EIT1D4BB3OQII6",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-lc", "--"],
                        "args": ["ulimit -n 65536; echo head; $KUBERAY_GEN_RAY_START_CMD"],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "annotations": {"ray.io/overwrite-container-cmd": "true"},
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
    },
    "user-command-prefix": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "92UPF2PIS21GJ7DPN13UB7P0I2IG746I",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            " echo  pre-start hook  && ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        }
    },
    "ray-2.53-http-probes": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "UJ1Q0LLU7RRII74F4NAFUT993E8R9IES",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.53.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "httpGet": {"path": "/api/healthz", "port": 52365},
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "httpGet": {"path": "/api/healthz", "port": 52365},
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.53.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.53.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52366  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52366  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "httpGet": {"path": "/api/healthz", "port": 52366},
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "httpGet": {"path": "/api/healthz", "port": 52366},
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
    },
    "rayservice-originated": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "rayservice-sample-raycluster-abcde-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "rayservice-sample-raycluster-abcde",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "rayservice-sample-raycluster-abcde-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                    "ray.io/serve": "false",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "34192IL6BR2LQVO2U3ACE5GAISOSG6HM",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "rayservice-sample-raycluster-abcde",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [
                    {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}},
                    {"name": "ray-logs", "emptyDir": {}},
                ],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --no-monitor  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "serve", "containerPort": 8000},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --no-monitor  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_timeout_ms_task_wait_for_death_info", "value": "0"},
                            {"name": "RAY_gcs_server_request_timeout_seconds", "value": "5"},
                            {"name": "RAY_SERVE_KV_TIMEOUT_S", "value": "5"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayService",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [
                            {"name": "shared-mem", "mountPath": "/dev/shm"},
                            {"name": "ray-logs", "mountPath": "/tmp/ray"},
                        ],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    },
                    {
                        "name": "autoscaler",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)"
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {"name": "RAY_HEAD_POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                            {"name": "KUBERAY_CRD_VER", "value": "v1"},
                            {
                                "name": "KUBERAY_GEN_AUTOSCALER_START_CMD",
                                "value": "ray kuberay-autoscaler --cluster-name $(RAY_CLUSTER_NAME) --cluster-namespace $(RAY_CLUSTER_NAMESPACE)",
                            },
                        ],
                        "resources": {
                            "limits": {"cpu": "500m", "memory": "512Mi"},
                            "requests": {"cpu": "500m", "memory": "512Mi"},
                        },
                        "volumeMounts": [{"name": "ray-logs", "mountPath": "/tmp/ray"}],
                        "imagePullPolicy": "IfNotPresent",
                    },
                ],
                "serviceAccountName": "rayservice-sample-raycluster-abcde",
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "rayservice-sample-raycluster-abcde-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "rayservice-sample-raycluster-abcde",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "rayservice-sample-raycluster-abcde-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/serve": "true",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "rayservice-sample-raycluster-abcde",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {
                                    "name": "FQ_RAY_IP",
                                    "value": "rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local",
                                },
                                {"name": "RAY_IP", "value": "rayservice-sample-raycluster-abcde-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {
                                    "name": "FQ_RAY_IP",
                                    "value": "rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local",
                                },
                                {"name": "RAY_IP", "value": "rayservice-sample-raycluster-abcde-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {"name": "RAY_timeout_ms_task_wait_for_death_info", "value": "0"},
                                {"name": "RAY_gcs_server_request_timeout_seconds", "value": "5"},
                                {"name": "RAY_SERVE_KV_TIMEOUT_S", "value": "5"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "rayservice-sample-raycluster-abcde-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8000/-/healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 1,
                            },
                        }
                    ],
                },
            }
        ],
        "serveService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "rayservice-sample-raycluster-abcde-serve-svc",
                "namespace": "default",
                "labels": {
                    "ray.io/originated-from-cr-name": "rayservice-sample-raycluster-abcde",
                    "ray.io/originated-from-crd": "RayCluster",
                    "ray.io/serve": "rayservice-sample-raycluster-abcde-serve",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "rayservice-sample-raycluster-abcde",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ports": [{"name": "serve", "port": 8000}],
                "selector": {"ray.io/cluster": "rayservice-sample-raycluster-abcde"},
            },
        },
    },
    "rayjob-token-auth": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "rayjob-sample-xyz12-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "rayjob-sample-xyz12",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "rayjob-sample-xyz12-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "1V2FJ5TRNS8KEV6862EPCR58DDGBP177",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "rayjob-sample-xyz12",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "RAY_AUTH_MODE", "value": "token"},
                            {
                                "name": "RAY_AUTH_TOKEN",
                                "valueFrom": {"secretKeyRef": {"name": "rayjob-sample-xyz12", "key": "auth_token"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayJob",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "rayjob-sample-xyz12-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "rayjob-sample-xyz12",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "rayjob-sample-xyz12-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "rayjob-sample-xyz12",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address rayjob-sample-xyz12-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address rayjob-sample-xyz12-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "RAY_AUTH_MODE", "value": "token"},
                                {
                                    "name": "RAY_AUTH_TOKEN",
                                    "valueFrom": {"secretKeyRef": {"name": "rayjob-sample-xyz12", "key": "auth_token"}},
                                },
                                {
                                    "name": "FQ_RAY_IP",
                                    "value": "rayjob-sample-xyz12-head-svc.default.svc.cluster.local",
                                },
                                {"name": "RAY_IP", "value": "rayjob-sample-xyz12-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=rayjob-sample-xyz12-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "RAY_AUTH_MODE", "value": "token"},
                                {
                                    "name": "RAY_AUTH_TOKEN",
                                    "valueFrom": {"secretKeyRef": {"name": "rayjob-sample-xyz12", "key": "auth_token"}},
                                },
                                {
                                    "name": "FQ_RAY_IP",
                                    "value": "rayjob-sample-xyz12-head-svc.default.svc.cluster.local",
                                },
                                {"name": "RAY_IP", "value": "rayjob-sample-xyz12-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=rayjob-sample-xyz12-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "rayjob-sample-xyz12-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
    },
    "gcs-ft-rocksdb": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "true",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "MGGGTTE2JJGTG8JMAGNTPJUNN5J2U231",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [
                    {"name": "gcs-storage", "persistentVolumeClaim": {"claimName": "raycluster-kuberay-gcs-pvc"}},
                    {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}},
                ],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "RAY_gcs_storage", "value": "rocksdb"},
                            {"name": "RAY_gcs_storage_path", "value": "/data/gcs"},
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [
                            {"name": "gcs-storage", "mountPath": "/data/gcs", "subPath": "gcs"},
                            {"name": "shared-mem", "mountPath": "/dev/shm"},
                        ],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    }
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "RAY_gcs_rpc_server_reconnect_timeout_s", "value": "600"},
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        }
                    ],
                },
            }
        ],
    },
    "history-server": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "generateName": "raycluster-kuberay-head-",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "99DJB9LQ7HVVP57IC76RCLC2AFDBASDV",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [
                    {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}},
                    {"name": "ray-logs", "emptyDir": {}},
                ],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            {"name": "RAY_enable_ray_event", "value": "true"},
                            {"name": "RAY_enable_core_worker_ray_event_to_aggregator", "value": "true"},
                            {
                                "name": "RAY_DASHBOARD_AGGREGATOR_AGENT_EVENTS_EXPORT_ADDR",
                                "value": "http://localhost:8084/v1/events",
                            },
                            {
                                "name": "RAY_DASHBOARD_AGGREGATOR_AGENT_EXPOSABLE_EVENT_TYPES",
                                "value": "TASK_DEFINITION_EVENT,TASK_LIFECYCLE_EVENT,ACTOR_TASK_DEFINITION_EVENT,TASK_PROFILE_EVENT,DRIVER_JOB_DEFINITION_EVENT,DRIVER_JOB_LIFECYCLE_EVENT,ACTOR_DEFINITION_EVENT,ACTOR_LIFECYCLE_EVENT,NODE_DEFINITION_EVENT,NODE_LIFECYCLE_EVENT",
                            },
                            {
                                "name": "RAY_DASHBOARD_AGGREGATOR_AGENT_PUBLISHER_HTTP_ENDPOINT_EXPOSABLE_EVENT_TYPES",
                                "value": "TASK_DEFINITION_EVENT,TASK_LIFECYCLE_EVENT,ACTOR_TASK_DEFINITION_EVENT,TASK_PROFILE_EVENT,DRIVER_JOB_DEFINITION_EVENT,DRIVER_JOB_LIFECYCLE_EVENT,ACTOR_DEFINITION_EVENT,ACTOR_LIFECYCLE_EVENT,NODE_DEFINITION_EVENT,NODE_LIFECYCLE_EVENT",
                            },
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [
                            {"name": "shared-mem", "mountPath": "/dev/shm"},
                            {"name": "ray-logs", "mountPath": "/tmp/ray"},
                        ],
                        "livenessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 30,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 120,
                        },
                        "readinessProbe": {
                            "exec": {
                                "command": [
                                    "bash",
                                    "-c",
                                    "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success && wget --tries 1 -T 10 -q -O- http://localhost:8265/api/gcs_healthz | grep success",
                                ]
                            },
                            "initialDelaySeconds": 10,
                            "timeoutSeconds": 5,
                            "periodSeconds": 5,
                            "successThreshold": 1,
                            "failureThreshold": 10,
                        },
                    },
                    {
                        "name": "ray-history-collector",
                        "image": "history-collector:1",
                        "env": [
                            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                            {"name": "RAY_CLUSTER_NAME", "value": "raycluster-kuberay"},
                            {"name": "RAY_CLUSTER_NAMESPACE", "value": "default"},
                            {"name": "RAY_ROLE", "value": "Head"},
                            {"name": "EVENTS_PORT", "value": "8084"},
                            {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                            {"name": "RAY_DASHBOARD_ADDRESS", "value": "http://localhost:8265"},
                            {"name": "STORAGE_BACKEND", "value": "S3"},
                        ],
                        "resources": {
                            "limits": {"cpu": "200m", "memory": "256Mi"},
                            "requests": {"cpu": "50m", "memory": "64Mi"},
                        },
                        "volumeMounts": [{"name": "ray-logs", "mountPath": "/tmp/ray"}],
                        "imagePullPolicy": "IfNotPresent",
                    },
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [
                        {"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}},
                        {"name": "ray-logs", "emptyDir": {}},
                    ],
                    "initContainers": [
                        {
                            "name": "wait-gcs-ready",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                '\n\t\t\t\t\tSECONDS=0\n\t\t\t\t\twhile true; do\n\t\t\t\t\t\tif (( SECONDS <= 120 )); then\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379 > /dev/null 2>&1; then\n\t\t\t\t\t\t\t\techo "GCS is ready."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Waiting for GCS to be ready."\n\t\t\t\t\t\telse\n\t\t\t\t\t\t\tif ray health-check --address raycluster-kuberay-head-svc.default.svc.cluster.local:6379; then\n\t\t\t\t\t\t\t\techo "GCS is ready. Any error messages above can be safely ignored."\n\t\t\t\t\t\t\t\tbreak\n\t\t\t\t\t\t\tfi\n\t\t\t\t\t\t\techo "$SECONDS seconds elapsed: Still waiting for GCS to be ready. For troubleshooting, refer to the FAQ at https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting.html."\n\t\t\t\t\t\tfi\n\t\t\t\t\t\tsleep 5\n\t\t\t\t\tdone\n\t\t\t\t'
                            ],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "200m", "memory": "256Mi"},
                            },
                        }
                    ],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.cluster.local:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.cluster.local:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                                {"name": "RAY_enable_ray_event", "value": "true"},
                                {"name": "RAY_enable_core_worker_ray_event_to_aggregator", "value": "true"},
                                {
                                    "name": "RAY_DASHBOARD_AGGREGATOR_AGENT_EVENTS_EXPORT_ADDR",
                                    "value": "http://localhost:8084/v1/events",
                                },
                                {
                                    "name": "RAY_DASHBOARD_AGGREGATOR_AGENT_EXPOSABLE_EVENT_TYPES",
                                    "value": "TASK_DEFINITION_EVENT,TASK_LIFECYCLE_EVENT,ACTOR_TASK_DEFINITION_EVENT,TASK_PROFILE_EVENT,DRIVER_JOB_DEFINITION_EVENT,DRIVER_JOB_LIFECYCLE_EVENT,ACTOR_DEFINITION_EVENT,ACTOR_LIFECYCLE_EVENT,NODE_DEFINITION_EVENT,NODE_LIFECYCLE_EVENT",
                                },
                                {
                                    "name": "RAY_DASHBOARD_AGGREGATOR_AGENT_PUBLISHER_HTTP_ENDPOINT_EXPOSABLE_EVENT_TYPES",
                                    "value": "TASK_DEFINITION_EVENT,TASK_LIFECYCLE_EVENT,ACTOR_TASK_DEFINITION_EVENT,TASK_PROFILE_EVENT,DRIVER_JOB_DEFINITION_EVENT,DRIVER_JOB_LIFECYCLE_EVENT,ACTOR_DEFINITION_EVENT,ACTOR_LIFECYCLE_EVENT,NODE_DEFINITION_EVENT,NODE_LIFECYCLE_EVENT",
                                },
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [
                                {"name": "shared-mem", "mountPath": "/dev/shm"},
                                {"name": "ray-logs", "mountPath": "/tmp/ray"},
                            ],
                            "livenessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 30,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 120,
                            },
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "bash",
                                        "-c",
                                        "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz | grep success",
                                    ]
                                },
                                "initialDelaySeconds": 10,
                                "timeoutSeconds": 2,
                                "periodSeconds": 5,
                                "successThreshold": 1,
                                "failureThreshold": 10,
                            },
                        },
                        {
                            "name": "ray-history-collector",
                            "image": "history-collector:1",
                            "env": [
                                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                                {"name": "RAY_CLUSTER_NAME", "value": "raycluster-kuberay"},
                                {"name": "RAY_CLUSTER_NAMESPACE", "value": "default"},
                                {"name": "RAY_ROLE", "value": "Worker"},
                                {"name": "EVENTS_PORT", "value": "8084"},
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.cluster.local"},
                                {"name": "STORAGE_BACKEND", "value": "S3"},
                            ],
                            "resources": {
                                "limits": {"cpu": "200m", "memory": "256Mi"},
                                "requests": {"cpu": "50m", "memory": "64Mi"},
                            },
                            "volumeMounts": [{"name": "ray-logs", "mountPath": "/tmp/ray"}],
                            "imagePullPolicy": "IfNotPresent",
                        },
                    ],
                },
            }
        ],
    },
    "ingress-options": {
        "ingress": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {
                "name": "raycluster-kuberay-head-ingress",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                },
                "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/$1"},
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ingressClassName": "nginx",
                "tls": [{"hosts": ["ray.example.com"], "secretName": "ray-tls"}],
                "rules": [
                    {
                        "host": "ray.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/dashboard",
                                    "pathType": "ImplementationSpecific",
                                    "backend": {
                                        "service": {"name": "raycluster-kuberay-head-svc", "port": {"number": 8265}}
                                    },
                                }
                            ]
                        },
                    }
                ],
            },
        },
    },
    "operator-config": {
        "headPod": {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "name": "raycluster-kuberay-head",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "cost-center": "ml",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/group": "headgroup",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/is-ray-node": "yes",
                    "ray.io/node-type": "head",
                },
                "annotations": {
                    "ray.io/ft-enabled": "false",
                    "ray.io/kuberay-version": "nightly",
                    "ray.io/upgrade-strategy-recreate-hash": "DKOG1TC750R962IP190O11650HD261QJ",
                    "sidecar.istio.io/inject": "false",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "2G"}}],
                "containers": [
                    {
                        "name": "ray-head",
                        "image": "rayproject/ray:2.46.0",
                        "command": ["/bin/bash", "-c", "--"],
                        "args": [
                            "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 "
                        ],
                        "ports": [
                            {"name": "gcs-server", "containerPort": 6379},
                            {"name": "dashboard", "containerPort": 8265},
                            {"name": "client", "containerPort": 10001},
                            {"name": "metrics", "containerPort": 8080},
                        ],
                        "env": [
                            {"name": "HTTP_PROXY", "value": "http://proxy:3128"},
                            {
                                "name": "RAY_CLUSTER_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                            },
                            {
                                "name": "RAY_CLUSTER_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            },
                            {
                                "name": "RAY_CLOUD_INSTANCE_ID",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                            },
                            {
                                "name": "RAY_NODE_TYPE_NAME",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                            },
                            {
                                "name": "KUBERAY_GEN_RAY_START_CMD",
                                "value": "ray start --head  --block  --dashboard-agent-listen-port=52365  --dashboard-host=0.0.0.0  --memory=2000000000  --metrics-export-port=8080  --num-cpus=1 ",
                            },
                            {"name": "RAY_PORT", "value": "6379"},
                            {"name": "RAY_ADDRESS", "value": "127.0.0.1:6379"},
                            {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                            {
                                "name": "RAY_USAGE_STATS_EXTRA_TAGS",
                                "value": "kuberay_version=nightly;kuberay_crd=RayCluster",
                            },
                            {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                        ],
                        "resources": {"limits": {"cpu": "1", "memory": "2G"}, "requests": {"cpu": "1", "memory": "2G"}},
                        "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                    },
                    {"name": "fluent-bit", "image": "fluent/fluent-bit:3.0"},
                ],
            },
        },
        "workerPods": [
            {
                "kind": "Pod",
                "apiVersion": "v1",
                "metadata": {
                    "generateName": "raycluster-kuberay-workergroup-worker-",
                    "namespace": "default",
                    "labels": {
                        "app.kubernetes.io/created-by": "kuberay-operator",
                        "app.kubernetes.io/name": "kuberay",
                        "cost-center": "ml",
                        "ray.io/cluster": "raycluster-kuberay",
                        "ray.io/group": "workergroup",
                        "ray.io/identifier": "raycluster-kuberay-worker",
                        "ray.io/is-ray-node": "yes",
                        "ray.io/node-type": "worker",
                        "ray.io/worker-group-replica-index": "0",
                    },
                    "annotations": {"sidecar.istio.io/inject": "false"},
                    "ownerReferences": [
                        {
                            "apiVersion": "ray.io/v1",
                            "kind": "RayCluster",
                            "name": "raycluster-kuberay",
                            "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "volumes": [{"name": "shared-mem", "emptyDir": {"medium": "Memory", "sizeLimit": "1G"}}],
                    "containers": [
                        {
                            "name": "ray-worker",
                            "image": "rayproject/ray:2.46.0",
                            "command": ["/bin/bash", "-c", "--"],
                            "args": [
                                "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}; ray start  --address=raycluster-kuberay-head-svc.default.svc.corp.example:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 "
                            ],
                            "ports": [{"name": "metrics", "containerPort": 8080}],
                            "env": [
                                {"name": "HTTP_PROXY", "value": "http://proxy:3128"},
                                {"name": "FQ_RAY_IP", "value": "raycluster-kuberay-head-svc.default.svc.corp.example"},
                                {"name": "RAY_IP", "value": "raycluster-kuberay-head-svc"},
                                {
                                    "name": "RAY_CLUSTER_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/cluster']"}},
                                },
                                {
                                    "name": "RAY_CLUSTER_NAMESPACE",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                                },
                                {
                                    "name": "RAY_CLOUD_INSTANCE_ID",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}},
                                },
                                {
                                    "name": "RAY_NODE_TYPE_NAME",
                                    "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['ray.io/group']"}},
                                },
                                {
                                    "name": "KUBERAY_GEN_RAY_START_CMD",
                                    "value": "ray start  --address=raycluster-kuberay-head-svc.default.svc.corp.example:6379  --block  --dashboard-agent-listen-port=52365  --memory=1000000000  --metrics-export-port=8080  --num-cpus=1 ",
                                },
                                {"name": "RAY_PORT", "value": "6379"},
                                {
                                    "name": "RAY_ADDRESS",
                                    "value": "raycluster-kuberay-head-svc.default.svc.corp.example:6379",
                                },
                                {"name": "RAY_USAGE_STATS_KUBERAY_IN_USE", "value": "1"},
                                {"name": "RAY_DASHBOARD_ENABLE_K8S_DISK_USAGE", "value": "1"},
                            ],
                            "resources": {
                                "limits": {"cpu": "1", "memory": "1G"},
                                "requests": {"cpu": "1", "memory": "1G"},
                            },
                            "volumeMounts": [{"name": "shared-mem", "mountPath": "/dev/shm"}],
                        },
                        {"name": "log-shipper", "image": "busybox:1.36"},
                    ],
                },
            }
        ],
        "headService": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "raycluster-kuberay-head-svc",
                "namespace": "default",
                "labels": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/node-type": "head",
                },
                "ownerReferences": [
                    {
                        "apiVersion": "ray.io/v1",
                        "kind": "RayCluster",
                        "name": "raycluster-kuberay",
                        "uid": "5b3a6e4c-0d1f-4c2b-9a7e-1c2d3e4f5a6b",
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "spec": {
                "ports": [
                    {"name": "client", "appProtocol": "tcp", "port": 10001},
                    {"name": "dashboard", "appProtocol": "tcp", "port": 8265},
                    {"name": "gcs-server", "appProtocol": "tcp", "port": 6379},
                    {"name": "metrics", "appProtocol": "tcp", "port": 8080},
                ],
                "selector": {
                    "app.kubernetes.io/created-by": "kuberay-operator",
                    "app.kubernetes.io/name": "kuberay",
                    "ray.io/cluster": "raycluster-kuberay",
                    "ray.io/identifier": "raycluster-kuberay-head",
                    "ray.io/node-type": "head",
                },
            },
        },
    },
    "desired-totals": {
        "desired": {
            "desired_workers": 5,
            "min_workers": 1,
            "max_workers": 7,
            "desired_cpu": "10200m",
            "desired_memory": "26696061952",
            "desired_gpu": "2",
            "desired_tpu": "0",
        },
        "hash": "SJO994S1T4SNGI0SG55TKFR3E2F7F8SO",
    },
}


def _config(settings: dict[str, Any]) -> OperatorConfig:
    values = dict(settings)
    values["feature_gates"] = {**DEFAULT_FEATURE_GATES, **values.get("feature_gates", {})}
    for key in ("head_sidecar_containers", "worker_sidecar_containers", "default_container_envs"):
        if key in values:
            values[key] = tuple(values[key])
    return OperatorConfig(operator_version="nightly", **values)


def _build(cluster: RayCluster, scenario: dict[str, Any], what: str) -> Any:
    config = _config(scenario.get("config", {}))
    if what == "headPod":
        return pods.build_head_pod(cluster, config)
    if what == "workerPods":
        return [
            pods.build_worker_pod(
                cluster,
                (cluster.spec.worker_group_specs or [])[w["group"]],
                config,
                replica_index=w.get("replica_index", 0),
                replica_name=w.get("replica_name", ""),
                host_index=w.get("host_index", 0),
            )
            for w in scenario.get("workers", [])
        ]
    builders: dict[str, Callable[[], Any]] = {
        "headService": lambda: services.build_head_service(cluster, config),
        "serveService": lambda: services.build_serve_service(cluster),
        "headlessService": lambda: services.build_headless_worker_service(cluster),
        "ingress": lambda: ingress.build_ingress(cluster),
        "serviceAccount": lambda: autoscaler.build_service_account(cluster),
        "role": lambda: autoscaler.build_role(cluster),
        "roleBinding": lambda: autoscaler.build_role_binding(cluster),
        "redisCleanupJob": lambda: gcs_ft.build_redis_cleanup_job(cluster, config),
        "desired": lambda: dataclasses.asdict(desired.cluster_totals(cluster)),
        "hash": lambda: hashing.recreate_hash(cluster),
    }
    return builders[what]()


CASES = [(name, what) for name, objects in EXPECTED.items() for what in objects]


@pytest.mark.parametrize(("scenario", "what"), CASES, ids=[f"{n}-{w}" for n, w in CASES])
def test_matches_kuberay(scenario: str, what: str) -> None:
    cluster = RayCluster.from_body(SCENARIOS[scenario]["cluster"])
    assert _build(cluster, SCENARIOS[scenario], what) == EXPECTED[scenario][what]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_builders_do_not_mutate_their_input(scenario: str) -> None:
    body = copy.deepcopy(SCENARIOS[scenario]["cluster"])
    cluster = RayCluster.from_body(body)
    before = cluster.model_dump(by_alias=True)
    for what in (*EXPECTED[scenario], "headPod"):
        _build(cluster, SCENARIOS[scenario], what)
    assert cluster.model_dump(by_alias=True) == before
    assert body == SCENARIOS[scenario]["cluster"]
