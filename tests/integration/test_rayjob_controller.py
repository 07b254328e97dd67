"""The RayJob controller against the local control plane and a real Ray head on loopback.

The Kubernetes side (RayCluster, Pods, submitter Job) runs on KWOK; every dashboard call the
operator makes goes to the real Ray head through ``--ray-address-override``, so jobs really run.
"""

from __future__ import annotations

import re
from typing import Any

from helpers import api_get, create, events, patch, raycluster, wait_until
from operator_process import OperatorProcess
from ray_head import RayHead
from ray_operator.localcluster.cluster import LocalCluster
from rayjob_helpers import (
    JOBS,
    container_env,
    ray_job_info,
    rayjob,
    rayjob_manifest,
    report_container_exit,
    rj_status,
    run_submitter_script,
    submitter_pod,
    wait_deployment,
)

OK = "python -c \"print('hello from a RayJob')\""
FAIL = 'python -c "import sys; sys.exit(3)"'


def test_httpmode_runs_a_real_entrypoint_to_complete(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    create(kube_cluster, namespace, rayjob_manifest("http-ok", OK, submissionMode="HTTPMode", metadata={"a": "b"}))
    status = wait_deployment(kube_cluster, namespace, "http-ok", "Complete", "Failed", timeout=120)
    assert status["jobDeploymentStatus"] == "Complete", status
    assert status["jobStatus"] == "SUCCEEDED"
    assert (status["succeeded"], status["failed"]) == (1, 0)
    cluster_name = status["rayClusterName"]
    assert re.fullmatch(r"http-ok-[a-z0-9]{5}", cluster_name)
    assert re.fullmatch(r"http-ok-[a-z0-9]{5}", status["jobId"])
    assert status["dashboardURL"] == f"{cluster_name}-head-svc.{namespace}.svc.cluster.local:8265"
    for key in ("startTime", "endTime"):
        assert status[key] and status["rayJobInfo"][key]
    assert status["rayClusterStatus"]["state"] == "ready"

    # The job really ran on the Ray head, under the submission id the operator chose.
    info = ray_job_info(ray_head.dashboard_address, status["jobId"])
    assert info is not None and info["status"] == "SUCCEEDED" and info["metadata"] == {"a": "b"}

    rc = raycluster(kube_cluster, namespace, cluster_name)
    assert rc is not None
    labels = rc["metadata"]["labels"]
    assert labels["ray.io/originated-from-cr-name"] == "http-ok"
    assert labels["ray.io/originated-from-crd"] == "RayJob"
    assert labels["ray.io/job-submission-mode"] == "HTTPMode"
    (owner,) = rc["metadata"]["ownerReferences"]
    assert owner["kind"] == "RayJob" and owner["name"] == "http-ok" and owner["controller"] is True
    svc = api_get(kube_cluster, f"/api/v1/namespaces/{namespace}/services/http-ok-head-svc")
    assert svc is not None and svc["spec"]["selector"]["ray.io/cluster"] == cluster_name
    assert rayjob(kube_cluster, namespace, "http-ok")["metadata"]["finalizers"] == ["ray.io/rayjob-finalizer"]  # type: ignore[index]
    notes = {e["reason"]: e["note"] for e in events(kube_cluster, namespace)}
    assert notes["CreatedRayCluster"] == f"Created RayCluster {namespace}/{cluster_name}"
    assert notes["CreatedService"] == f"Created the service {namespace}/http-ok-head-svc"


def test_failing_entrypoint_is_retried_per_backoff_limit_on_fresh_clusters(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    create(kube_cluster, namespace, rayjob_manifest("http-fail", FAIL, submissionMode="HTTPMode", backoffLimit=1))
    clusters: set[str] = set()

    def finished() -> dict[str, Any] | None:
        status = rj_status(kube_cluster, namespace, "http-fail")
        if status.get("rayClusterName"):
            clusters.add(status["rayClusterName"])
        done = status.get("jobDeploymentStatus") == "Failed" and status.get("failed") == 2
        return status if done else None

    status = wait_until(finished, timeout=180, what="two failed attempts", interval=0.2)
    assert status["reason"] == "AppFailed"
    assert status["jobStatus"] == "FAILED"
    assert status["succeeded"] == 0
    assert len(clusters) == 2, clusters  # each attempt on its own cluster
    deleted = [e for e in events(kube_cluster, namespace, "DeletedRayCluster")]
    assert len(deleted) == 1 and deleted[0]["note"].startswith(f"Deleted cluster {namespace}/http-fail-")
    info = ray_job_info(ray_head.dashboard_address, status["jobId"])
    assert info is not None and info["status"] == "FAILED"


def test_k8sjobmode_submitter_command_runs_for_real_and_the_job_completes(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    create(kube_cluster, namespace, rayjob_manifest("k8s-ok", OK, runtimeEnvYAML="env_vars:\n  GREETING: hi\n"))
    job = wait_until(lambda: api_get(kube_cluster, f"{JOBS.format(ns=namespace)}/k8s-ok"), 120, "submitter Job")
    status = wait_deployment(kube_cluster, namespace, "k8s-ok", "Running", timeout=30)
    assert job["spec"]["backoffLimit"] == 2
    assert job["metadata"]["labels"] == {
        "ray.io/originated-from-cr-name": "k8s-ok",
        "ray.io/originated-from-crd": "RayJob",
        "app.kubernetes.io/created-by": "kuberay-operator",
    }
    (submitter,) = job["spec"]["template"]["spec"]["containers"]
    assert submitter["command"] == ["/bin/bash", "-ce", "--"]
    env = container_env(submitter)
    assert env["RAY_DASHBOARD_ADDRESS"] == status["dashboardURL"]
    assert env["RAY_JOB_SUBMISSION_ID"] == status["jobId"]

    # Run the operator's script as the submitter Pod would, then report its exit as a kubelet.
    done = run_submitter_script(submitter["args"][0], status["dashboardURL"], ray_head.dashboard_address, env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "hello from a RayJob" in done.stdout
    pod = wait_until(lambda: submitter_pod(kube_cluster, namespace, "k8s-ok"), 60, "submitter pod")
    report_container_exit(kube_cluster, namespace, pod, "ray-job-submitter", 0, phase="Succeeded")

    status = wait_deployment(kube_cluster, namespace, "k8s-ok", "Complete", "Failed", timeout=60)
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Complete", "SUCCEEDED"), status
    info = ray_job_info(ray_head.dashboard_address, status["jobId"])
    assert info is not None and info["runtime_env"]["env_vars"] == {"GREETING": "hi"}
    assert [e["note"] for e in events(kube_cluster, namespace, "CreatedRayJobSubmitter")] == [
        f"Created Kubernetes Job {namespace}/k8s-ok"
    ]


def test_interactive_mode_waits_for_the_job_id_then_follows_the_job(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    create(kube_cluster, namespace, rayjob_manifest("inter", OK, submissionMode="InteractiveMode"))
    status = wait_deployment(kube_cluster, namespace, "inter", "Waiting", timeout=120)
    assert not status.get("jobId")
    import subprocess

    from rayjob_helpers import VENV_BIN

    job_id = f"inter-{namespace[-5:]}"
    submitted = subprocess.run(
        [
            f"{VENV_BIN}/ray",
            "job",
            "submit",
            "--address",
            ray_head.dashboard_url,
            "--submission-id",
            job_id,
            "--",
            "python",
            "-c",
            "print(1)",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert submitted.returncode == 0, submitted.stderr
    patch(kube_cluster, namespace, "rayjob", "inter", {"spec": {"jobId": job_id}})
    status = wait_deployment(kube_cluster, namespace, "inter", "Complete", "Failed", timeout=60)
    assert (status["jobDeploymentStatus"], status["jobStatus"], status["jobId"]) == ("Complete", "SUCCEEDED", job_id)


def test_sidecar_mode_submitter_in_the_head_pod(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, ray_head: RayHead
) -> None:
    manifest = rayjob_manifest("side", OK, submissionMode="SidecarMode")
    port = int(ray_head.dashboard_address.rsplit(":", 1)[1])
    head = manifest["spec"]["rayClusterSpec"]["headGroupSpec"]
    head["template"]["spec"]["containers"][0]["ports"] = [{"name": "dashboard", "containerPort": port}]
    create(kube_cluster, namespace, manifest)
    status = wait_deployment(kube_cluster, namespace, "side", "Running", timeout=120)
    rc = raycluster(kube_cluster, namespace, status["rayClusterName"])
    assert rc is not None
    assert rc["metadata"]["annotations"]["ray.io/disable-provisioned-head-restart"] == "true"
    head_spec = rc["spec"]["headGroupSpec"]["template"]["spec"]
    assert head_spec["restartPolicy"] == "Never"
    sidecar = head_spec["containers"][-1]
    assert sidecar["name"] == "ray-job-submitter"
    # In SidecarMode the script talks to 127.0.0.1:<dashboard port>: it runs unchanged here.
    done = run_submitter_script(sidecar["args"][0], "", "", container_env(sidecar))
    assert done.returncode == 0, done.stdout + done.stderr
    (pod,) = [
        p
        for p in kube_cluster_pods(kube_cluster, namespace, status["rayClusterName"])
        if p["metadata"]["labels"]["ray.io/node-type"] == "head"
    ]
    report_container_exit(kube_cluster, namespace, pod, "ray-job-submitter", 0, phase="Running")
    status = wait_deployment(kube_cluster, namespace, "side", "Complete", "Failed", timeout=60)
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Complete", "SUCCEEDED"), status


def kube_cluster_pods(cluster: LocalCluster, namespace: str, name: str) -> list[dict[str, Any]]:
    from helpers import ray_pods

    return ray_pods(cluster, namespace, name)
