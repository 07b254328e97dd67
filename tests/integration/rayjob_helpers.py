"""Helpers for RayJob tests: manifests, status waits, and playing the kubelet for submitter Pods.

KWOK Pods run nothing. Where KubeRay's submitter (a Job's Pod, or the head Pod's sidecar) would
run ``ray job submit``, the tests take the exact command the operator put into the Pod, run it
for real against the Ray head on loopback (the head Service's DNS name becomes 127.0.0.1:<port>,
which is all cluster DNS would do), and then report the container's exit in the Pod status, as a
kubelet would.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from helpers import api_get, api_list, container, wait_until, worker_group
from ray_operator.localcluster.cluster import LocalCluster

RAYJOBS = "/apis/ray.io/v1/namespaces/{ns}/rayjobs"
JOBS = "/apis/batch/v1/namespaces/{ns}/jobs"

VENV_BIN = str(Path(sys.executable).parent)


def rayjob_manifest(name: str, entrypoint: str, *, workers: int = 0, **spec: Any) -> dict[str, Any]:
    """A RayJob with a small cluster (head + ``workers`` workers)."""
    groups = [worker_group(replicas=workers, min_replicas=0, max_replicas=max(workers, 1))] if workers else []
    body: dict[str, Any] = {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name},
        "spec": {
            "entrypoint": entrypoint,
            "rayClusterSpec": {
                "rayVersion": "2.52.0",
                "headGroupSpec": {"rayStartParams": {}, "template": {"spec": {"containers": [container("ray-head")]}}},
                "workerGroupSpecs": groups,
            },
            **spec,
        },
    }
    return body


def rayjob(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any] | None:
    return api_get(cluster, f"{RAYJOBS.format(ns=namespace)}/{name}")


def rj_status(cluster: LocalCluster, namespace: str, name: str) -> dict[str, Any]:
    return (rayjob(cluster, namespace, name) or {}).get("status") or {}


def wait_deployment(
    cluster: LocalCluster, namespace: str, name: str, *states: str, timeout: float = 90.0
) -> dict[str, Any]:
    """Wait until ``status.jobDeploymentStatus`` is one of ``states``; returns the status."""

    def check() -> dict[str, Any] | None:
        status = rj_status(cluster, namespace, name)
        return status if status.get("jobDeploymentStatus") in states else None

    result: dict[str, Any] = wait_until(check, timeout, f"RayJob {namespace}/{name} in {states}", interval=0.2)
    return result


def ray_job_info(dashboard_address: str, job_id: str) -> dict[str, Any] | None:
    """What the real Ray head says about a job (None if it does not know it)."""
    try:
        with urllib.request.urlopen(f"http://{dashboard_address}/api/jobs/{job_id}", timeout=5) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def submitter_pod(cluster: LocalCluster, namespace: str, job_name: str) -> dict[str, Any] | None:
    pods = api_list(cluster, f"/api/v1/namespaces/{namespace}/pods", f"job-name={job_name}")
    return pods[0] if pods else None


def run_submitter_script(
    script: str, dashboard_url: str, dashboard_address: str, env: dict[str, str], timeout: float = 180.0
) -> subprocess.CompletedProcess[str]:
    """Run a submitter container's ``bash -ce`` script for real, with cluster DNS resolved to loopback."""
    text = script.replace(dashboard_url, dashboard_address)
    full_env = {**os.environ, **env, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"}
    full_env["RAY_DASHBOARD_ADDRESS"] = full_env.get("RAY_DASHBOARD_ADDRESS", "").replace(
        dashboard_url, dashboard_address
    )
    return subprocess.run(
        ["/bin/bash", "-ce", "--", text], env=full_env, capture_output=True, text=True, timeout=timeout, check=False
    )


def container_env(spec: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: str(e.get("value", "")) for e in spec.get("env") or [] if "value" in e}


def report_container_exit(
    cluster: LocalCluster, namespace: str, pod: dict[str, Any], container_name: str, exit_code: int, *, phase: str
) -> None:
    """Play the kubelet: ``container_name`` terminated with ``exit_code``; the Pod enters ``phase``."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    statuses = copy.deepcopy((pod.get("status") or {}).get("containerStatuses") or [])
    names = [c["name"] for c in pod["spec"]["containers"]]
    by_name = {s["name"]: s for s in statuses}
    for cname in names:
        by_name.setdefault(
            cname,
            {
                "name": cname,
                "image": "i",
                "imageID": "",
                "ready": True,
                "restartCount": 0,
                "started": True,
                "state": {"running": {"startedAt": now}},
            },
        )
    by_name[container_name].update(
        ready=False,
        started=False,
        state={
            "terminated": {
                "exitCode": exit_code,
                "reason": "Completed" if exit_code == 0 else "Error",
                "startedAt": now,
                "finishedAt": now,
            }
        },
    )
    patch: dict[str, Any] = {"status": {"containerStatuses": [by_name[n] for n in names]}}
    if phase != "Running":
        patch["status"]["phase"] = phase
        patch["status"]["conditions"] = [{"type": "Ready", "status": "False", "reason": "PodCompleted"}]
    cluster.kubectl(
        "-n",
        namespace,
        "patch",
        "pod",
        pod["metadata"]["name"],
        "--subresource=status",
        "--type=merge",
        "-p",
        json.dumps(patch),
    )


def stop_ray_job(dashboard_address: str, job_id: str) -> None:
    """Stop a job on the real head (clean-up for tests that leave one running)."""
    request = urllib.request.Request(f"http://{dashboard_address}/api/jobs/{job_id}/stop", method="POST", data=b"")
    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=5).close()


def wait_ray_status(dashboard_address: str, job_id: str, *states: str, timeout: float = 60.0) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        info = ray_job_info(dashboard_address, job_id)
        return info if info is not None and info.get("status") in states else None

    result: dict[str, Any] = wait_until(check, timeout, f"Ray job {job_id} in {states}", interval=0.3)
    return result
