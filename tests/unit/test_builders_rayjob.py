"""RayJob children (RayCluster, submitter Job/sidecar, head Service, HTTP request, dashboard URL).

Expected objects and scripts were produced by running KubeRay's own code (``constructRayClusterForRayJob``,
``getSubmitterTemplate`` + ``createNewK8sJob``, ``BuildJobSubmitCommand``, ``BuildHeadServiceForRayJob``,
``ConvertRayJobToReq``) on the same inputs with a throwaway Go program, then written out here.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from typing import Any

import pytest

from ray_operator.builders import rayjob as build
from ray_operator.config import DEFAULT_FEATURE_GATES, GATE_SIDECAR_SUBMITTER_RESTART, OperatorConfig

CONFIG = OperatorConfig()
LOGIN = OperatorConfig(enable_login_shell=True)
RESTART = OperatorConfig(feature_gates={**DEFAULT_FEATURE_GATES, GATE_SIDECAR_SUBMITTER_RESTART: True})
URL = "rj-xyz12-head-svc.ns.svc.cluster.local:8265"
ADDR = "http://" + URL
OWNER = {"apiVersion": "ray.io/v1", "kind": "RayJob", "name": "rj", "uid": "uid-rj", "controller": True}
OWNER["blockOwnerDeletion"] = True
RESOURCES = {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m", "memory": "200Mi"}}
JOB_LABELS = {
    "app.kubernetes.io/created-by": "kuberay-operator",
    "ray.io/originated-from-cr-name": "rj",
    "ray.io/originated-from-crd": "RayJob",
}
RUNTIME_ENV = (
    'pip:\n  - requests==2.26.0\n  - pendulum==2.1.2\nenv_vars:\n  counter_name: "test_counter"\n  DEBUG: yes\n'
    '  RETRIES: 3\n  RATIO: 0.5\n  HTML: "<b>&</b>"\nworking_dir: "https://example.com/a.zip"\n'
    'py_modules: ["s3://bucket/mod.zip"]\nconfig:\n  setup_timeout_seconds: 600\n  eager_install: false\n'
)
RUNTIME_ENV_QUOTED = (
    r'"{\"config\":{\"eager_install\":false,\"setup_timeout_seconds\":600},\"env_vars\":{\"DEBUG\":true,'
    r"\"HTML\":\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\",\"RATIO\":0.5,\"RETRIES\":3,\"counter_name\":"
    r"\"test_counter\"},\"pip\":[\"requests==2.26.0\",\"pendulum==2.1.2\"],\"py_modules\":[\"s3://bucket/mod.zip\"],"
    r'\"working_dir\":\"https://example.com/a.zip\"}"'
)


def wait_loop(health: str, address: str) -> str:
    return (
        f"until python -c \"import urllib.request; r=urllib.request.urlopen('{health}', timeout=10); "
        f"exit(0 if b'success' in r.read() else 1)\" >/dev/null 2>&1 ; do echo \"Waiting for Ray Dashboard GCS "
        f'to become healthy at {address} ..." ; sleep 2 ; done ; '
    )


def checked_submit(address: str, job_id: str, opts: str, entrypoint: str) -> str:
    return (
        f"if ! ray job status --address {address} {job_id} >/dev/null 2>&1 ; then ray job submit --address "
        f"{address} --no-wait {opts} -- {entrypoint} ; fi ; ray job logs --address {address} --follow {job_id}"
    )


K8S_SIMPLE = wait_loop(ADDR + "/api/gcs_healthz", ADDR) + checked_submit(
    ADDR, "rj-abcde", "--submission-id rj-abcde", "python job.py"
)


def cluster_spec(**fields: Any) -> dict[str, Any]:
    head = {"rayStartParams": {}, "template": {"spec": {"containers": [{"name": "ray-head", "image": "ray:2.46.0"}]}}}
    return {"rayVersion": "2.46.0", "headGroupSpec": head, **fields}


def rayjob(name: str = "rj", mode: str = "K8sJobMode", status: dict[str, Any] | None = None, **spec: Any) -> Any:
    spec.setdefault("entrypoint", "python job.py")
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayJob",
        "metadata": {"name": name, "namespace": "ns", "uid": "uid-rj"},
        "spec": {"submissionMode": mode, **spec},
        "status": {"jobId": f"{name}-abcde", "dashboardURL": URL} if status is None else status,
    }


def cluster(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name, "namespace": "ns"},
        "spec": spec,
    }


def command(body: Any, *, sidecar: bool = False, config: OperatorConfig = CONFIG) -> str:
    status = body["status"]
    spec = body["spec"].get("rayClusterSpec") or {}
    tokens = build.submit_command(
        body, spec, dashboard_url=status.get("dashboardURL", ""), job_id=status["jobId"], sidecar=sidecar, config=config
    )
    return " ".join(tokens)


def job_for(body: Any, spec: dict[str, Any], name: str = "rj-xyz12", config: OperatorConfig = CONFIG) -> Any:
    status = body["status"]
    return build.submitter_job(
        body, cluster(name, spec), dashboard_url=status["dashboardURL"], job_id=status["jobId"], config=config
    )


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("generate", [build.new_cluster_name, build.new_job_id])
def test_generated_names_are_name_dash_five_k8s_random_chars(generate: Any) -> None:
    names = {generate("my-job") for _ in range(20)}
    assert all(re.fullmatch(r"my-job-[bcdfghjklmnpqrstvwxz2456789]{5}", n) for n in names)
    assert len(names) > 1
    assert len(generate("a" * 47)) == 53  # never truncated


# --- submit command -----------------------------------------------------------------------------------


def test_k8s_job_mode_command_with_every_option() -> None:
    body = rayjob(
        entrypoint="  python /home/ray/sample.py --x 'a b'  \n",
        runtimeEnvYAML=RUNTIME_ENV,
        metadata={"owner": "alice", "team": '<ml>&"ops"'},
        entrypointNumCpus=1,
        entrypointNumGpus=0.5,
        entrypointResources='{"custom": 1, "tpu": 0.1}',
        rayClusterSpec=cluster_spec(),
    )
    opts = (
        f"--runtime-env-json {RUNTIME_ENV_QUOTED} "
        r'--metadata-json "{\"owner\":\"alice\",\"team\":\"\\u003cml\\u003e\\u0026\\\"ops\\\"\"}" '
        "--submission-id rj-abcde --entrypoint-num-cpus 1.000000 --entrypoint-num-gpus 0.500000 "
        r'--entrypoint-resources "{\"custom\": 1, \"tpu\": 0.1}"'
    )
    expected = wait_loop(ADDR + "/api/gcs_healthz", ADDR) + checked_submit(
        ADDR, "rj-abcde", opts, "python /home/ray/sample.py --x 'a b'"
    )
    assert command(body) == expected


def test_float32_percent_f_and_existing_scheme() -> None:
    body = rayjob(
        entrypointNumCpus=1234567.1, entrypointNumGpus=0.0078125, status={"jobId": "j", "dashboardURL": "http://h:1"}
    )
    assert "--entrypoint-num-cpus 1234567.125000 --entrypoint-num-gpus 0.007812 --" in command(body)
    assert command(body).startswith(wait_loop("http://h:1/api/gcs_healthz", "http://h:1"))
    assert "--entrypoint-num" not in command(rayjob(entrypointNumCpus=0, entrypointNumGpus=-1))


def test_entrypoint_is_trimmed_like_go_strings_trimspace() -> None:
    assert command(rayjob(entrypoint="\u3000\x1cpython job.py\x1c\n")).endswith(
        "-- \x1cpython job.py\x1c ; " + (f"fi ; ray job logs --address {ADDR} --follow rj-abcde")
    )


def test_sidecar_command_uses_localhost_and_head_dashboard_port() -> None:
    spec = cluster_spec()
    spec["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"] = [
        {"name": "gcs", "containerPort": 6379},
        {"name": "dashboard", "containerPort": 8266},
    ]
    body = rayjob(
        "side", "SidecarMode", {"jobId": "side-abcde"}, rayClusterSpec=spec, runtimeEnvYAML="env_vars: {A: on}"
    )
    expected = wait_loop("http://localhost:8266/api/gcs_healthz", "http://127.0.0.1:8266") + (
        r'ray job submit --address http://127.0.0.1:8266 --runtime-env-json "{\"env_vars\":{\"A\":true}}" '
        "--submission-id side-abcde -- python job.py ;"
    )
    assert command(body, sidecar=True) == expected


def test_sidecar_command_with_restart_gate_checks_status_first() -> None:
    body = rayjob("side", "SidecarMode", {"jobId": "side-abcde"}, rayClusterSpec=cluster_spec())
    local = "http://127.0.0.1:8265"
    expected = wait_loop("http://localhost:8265/api/gcs_healthz", local) + checked_submit(
        local, "side-abcde", "--submission-id side-abcde", "python job.py"
    )
    assert command(body, sidecar=True, config=RESTART) == expected


@pytest.mark.parametrize(
    ("version", "error"),
    [
        ("2.6", None),
        ("v2.6.0", None),
        ("3", None),
        ("2.10.0+build.1", None),
        ("", None),
        ("2.5.0", "the Ray version must be at least 2.6.0 to use the metadata field"),
        ("2.7.0-rc1", "the Ray version must be at least 2.6.0 to use the metadata field"),
        ("abc", "failed to parse Ray version: abc: invalid semantic version"),
        ("2.6.0-01", "failed to parse Ray version: 2.6.0-01: version segment starts with 0"),
        (
            "99999999999999999999.0.0",
            "failed to parse Ray version: 99999999999999999999.0.0: error parsing version segment: "
            'strconv.ParseUint: parsing "99999999999999999999": value out of range',
        ),
    ],
)
def test_metadata_needs_ray_2_6(version: str, error: str | None) -> None:
    body = rayjob(metadata={"k": "v"}, rayClusterSpec=cluster_spec(rayVersion=version))
    if error is None:
        assert r'--metadata-json "{\"k\":\"v\"}"' in command(body)
        return
    with pytest.raises(build.RayJobBuildError) as info:
        command(body)
    assert str(info.value) == error
    command(rayjob(rayClusterSpec=cluster_spec(rayVersion=version)))  # no metadata: no check


def test_bad_runtime_env_yaml_is_a_build_error() -> None:
    with pytest.raises(build.RayJobBuildError, match=r"^yaml: line 1: "):  # Go: "did not find expected ',' or ']'"
        command(rayjob(runtimeEnvYAML="pip: [a\n"))


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("sidecar", [False, True])
def test_script_is_valid_bash(sidecar: bool) -> None:
    body = rayjob(runtimeEnvYAML=RUNTIME_ENV, metadata={"a": "b'c\"$d"}, entrypointResources='{"x": 1}')
    body["spec"]["rayClusterSpec"] = cluster_spec()
    script = command(body, sidecar=sidecar)
    assert subprocess.run(["bash", "-n", "-c", script], capture_output=True, timeout=10).returncode == 0


# --- submitter Job (K8sJobMode) -------------------------------------------------------------------------


def test_default_submitter_job() -> None:
    body = rayjob(rayClusterSpec=cluster_spec())
    container = {
        "name": "ray-job-submitter",
        "image": "ray:2.46.0",
        "command": ["/bin/bash", "-ce", "--"],
        "args": [K8S_SIMPLE],
        "env": [
            {"name": "PYTHONUNBUFFERED", "value": "1"},
            {"name": "RAY_DASHBOARD_ADDRESS", "value": URL},
            {"name": "RAY_JOB_SUBMISSION_ID", "value": "rj-abcde"},
        ],
        "resources": RESOURCES,
    }
    assert job_for(body, cluster_spec()) == {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "rj", "namespace": "ns", "labels": JOB_LABELS, "ownerReferences": [OWNER]},
        "spec": {
            "backoffLimit": 2,
            "template": {
                "metadata": {"labels": JOB_LABELS},
                "spec": {"containers": [container], "restartPolicy": "Never"},
            },
        },
    }


def test_template_with_command_is_kept_and_gets_env_and_token_auth() -> None:
    own = ["sh", "-c", "ray job submit --address http://$RAY_DASHBOARD_ADDRESS -- echo hi"]
    template = {
        "metadata": {"labels": {"mine": "yes", "ray.io/originated-from-crd": "x"}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "mine", "image": "i", "command": own, "env": [{"name": "PYTHONUNBUFFERED"}]}],
        },
    }
    spec = cluster_spec(authOptions={"mode": "token"})
    body = rayjob(rayClusterSpec=spec, submitterConfig={"backoffLimit": 5}, submitterPodTemplate=template)
    job = job_for(body, spec)
    assert job["spec"]["backoffLimit"] == 5
    assert job["spec"]["template"] == {
        "metadata": {"labels": {"mine": "yes", **JOB_LABELS}},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {
                    "name": "mine",
                    "image": "i",
                    "command": own,
                    "env": [
                        {"name": "PYTHONUNBUFFERED"},
                        {"name": "PYTHONUNBUFFERED", "value": "1"},
                        {"name": "RAY_DASHBOARD_ADDRESS", "value": URL},
                        {"name": "RAY_JOB_SUBMISSION_ID", "value": "rj-abcde"},
                        {"name": "RAY_AUTH_MODE", "value": "token"},
                        {
                            "name": "RAY_AUTH_TOKEN",
                            "valueFrom": {"secretKeyRef": {"name": "rj-xyz12", "key": "auth_token"}},
                        },
                    ],
                }
            ],
        },
    }
    assert body["spec"]["submitterPodTemplate"] == template  # the RayJob's template is not modified


def test_template_without_command_gets_script_login_shell_and_user_secret() -> None:
    template = {
        "spec": {
            "restartPolicy": "OnFailure",
            "containers": [{"name": "sub", "args": ["ignored"], "env": [{"name": "RAY_AUTH_MODE", "value": "token"}]}],
        }
    }
    spec = cluster_spec(authOptions={"mode": "token", "secretName": "my-secret"})
    body = rayjob(rayClusterSpec=spec, submitterConfig={"backoffLimit": 0}, submitterPodTemplate=template)
    job = job_for(body, spec, config=LOGIN)
    assert job["spec"]["backoffLimit"] == 0
    assert job["spec"]["template"]["spec"]["containers"] == [
        {
            "name": "sub",
            "command": ["/bin/bash", "-cel", "--"],
            "args": [K8S_SIMPLE],
            "env": [
                {"name": "RAY_AUTH_MODE", "value": "token"},
                {"name": "PYTHONUNBUFFERED", "value": "1"},
                {"name": "RAY_DASHBOARD_ADDRESS", "value": URL},
                {"name": "RAY_JOB_SUBMISSION_ID", "value": "rj-abcde"},
                {"name": "RAY_AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": "my-secret", "key": "auth_token"}}},
            ],
        }
    ]


def test_cluster_selector_job_uses_selected_cluster_and_k8s_token_auth() -> None:
    spec = cluster_spec(authOptions={"mode": "token", "enableK8sTokenAuth": True})
    body = rayjob(clusterSelector={"ray.io/cluster": "existing"}, metadata={"k": "v"})
    job = job_for(body, spec, name="existing")
    pod = job["spec"]["template"]["spec"]
    assert pod["volumes"] == [
        {"name": "ray-token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
    ]
    container = pod["containers"][0]
    assert container["image"] == "ray:2.46.0"
    assert r'--metadata-json "{\"k\":\"v\"}"' in container["args"][0]
    assert container["env"][3:] == [
        {"name": "RAY_AUTH_MODE", "value": "token"},
        {"name": "RAY_ENABLE_K8S_TOKEN_AUTH", "value": "true"},
    ]
    assert container["volumeMounts"] == [
        {"name": "ray-token", "mountPath": "/var/run/secrets/ray.io/serviceaccount", "readOnly": True}
    ]


# --- RayCluster -----------------------------------------------------------------------------------


def test_k8s_job_mode_cluster_copies_metadata_and_spec() -> None:
    spec = cluster_spec()
    body = rayjob(rayClusterSpec=spec)
    body["metadata"]["labels"] = {"team": "ml", "ray.io/originated-from-crd": "user"}
    body["metadata"]["annotations"] = {"note": "x"}
    assert build.rayjob_cluster(body, "rj-xyz12", CONFIG) == {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {
            "name": "rj-xyz12",
            "namespace": "ns",
            "labels": {
                "team": "ml",
                "ray.io/originated-from-cr-name": "rj",
                "ray.io/originated-from-crd": "RayJob",
                "ray.io/job-submission-mode": "K8sJobMode",
            },
            "annotations": {"note": "x"},
            "ownerReferences": [OWNER],
        },
        "spec": spec,
    }


def test_interactive_cluster_has_no_annotations() -> None:
    manifest = build.rayjob_cluster(rayjob("rj", "InteractiveMode", {}, rayClusterSpec=cluster_spec()), "c", CONFIG)
    assert manifest["metadata"]["labels"]["ray.io/job-submission-mode"] == "InteractiveMode"
    assert "annotations" not in manifest["metadata"]


def test_sidecar_cluster_appends_submitter_and_never_restarts_head() -> None:
    spec = cluster_spec(authOptions={"mode": "token"})
    spec["headGroupSpec"]["template"]["spec"]["containers"][0]["ports"] = [{"name": "dashboard", "containerPort": 8266}]
    body = rayjob("side", "SidecarMode", {"jobId": "side-abcde"}, rayClusterSpec=spec)
    before = copy.deepcopy(body)
    manifest = build.rayjob_cluster(body, "side-xyz12", CONFIG)
    assert body == before
    assert manifest["metadata"]["annotations"] == {"ray.io/disable-provisioned-head-restart": "true"}
    pod = manifest["spec"]["headGroupSpec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["containers"][0] == spec["headGroupSpec"]["template"]["spec"]["containers"][0]
    script = wait_loop("http://localhost:8266/api/gcs_healthz", "http://127.0.0.1:8266") + (
        "ray job submit --address http://127.0.0.1:8266 --submission-id side-abcde -- python job.py ;"
    )
    assert pod["containers"][1] == {
        "name": "ray-job-submitter",
        "image": "ray:2.46.0",
        "command": ["/bin/bash", "-ce", "--"],
        "args": [script],
        "env": [
            {"name": "PYTHONUNBUFFERED", "value": "1"},
            {"name": "RAY_DASHBOARD_ADDRESS"},
            {"name": "RAY_JOB_SUBMISSION_ID", "value": "side-abcde"},
            {"name": "RAY_AUTH_MODE", "value": "token"},
            {"name": "RAY_AUTH_TOKEN", "valueFrom": {"secretKeyRef": {"name": "side-xyz12", "key": "auth_token"}}},
        ],
        "resources": RESOURCES,
    }


def test_sidecar_restart_gate_sets_container_restart_policy() -> None:
    body = rayjob("side", "SidecarMode", {"jobId": "side-abcde"}, rayClusterSpec=cluster_spec())
    config = OperatorConfig(enable_login_shell=True, feature_gates=RESTART.feature_gates)
    sidecar = build.rayjob_cluster(body, "side-xyz12", config)["spec"]["headGroupSpec"]["template"]["spec"][
        "containers"
    ][1]
    assert sidecar["restartPolicy"] == "OnFailure"
    assert sidecar["command"] == ["/bin/bash", "-cel", "--"]
    assert sidecar["args"][0].endswith("ray job logs --address http://127.0.0.1:8265 --follow side-abcde")


def test_cluster_selector_job_has_no_cluster_to_build() -> None:
    with pytest.raises(build.RayJobBuildError):
        build.rayjob_cluster(rayjob(clusterSelector={"ray.io/cluster": "x"}), "x", CONFIG)


def test_token_auth_container_needs_the_secret_name() -> None:
    body = rayjob("side", "SidecarMode", rayClusterSpec=cluster_spec(authOptions={"mode": "token"}))
    spec = body["spec"]["rayClusterSpec"]
    with pytest.raises(ValueError, match="Secret"):
        build.submitter_container(body, spec, dashboard_url="", job_id="j", config=CONFIG, auth_token_secret=None)


# --- head Service and dashboard URL ---------------------------------------------------------------


def svc_meta(name: str) -> dict[str, Any]:
    labels = {
        "ray.io/originated-from-cr-name": name,
        "ray.io/originated-from-crd": "RayJob",
        "ray.io/node-type": "head",
        "ray.io/identifier": f"{name}-head",
    }
    return {"name": f"{name}-head-svc", "namespace": "ns", "labels": labels, "ownerReferences": [OWNER]}


def selector(cluster_name: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/created-by": "kuberay-operator",
        "app.kubernetes.io/name": "kuberay",
        "ray.io/cluster": cluster_name,
        "ray.io/identifier": f"{cluster_name}-head",
        "ray.io/node-type": "head",
    }


def tcp(name: str, port: int) -> dict[str, Any]:
    return {"name": name, "port": port, "appProtocol": "tcp"}


DEFAULT_PORTS = [tcp("client", 10001), tcp("dashboard", 8265), tcp("gcs-server", 6379), tcp("metrics", 8080)]
DEFAULT_PORTS.append(tcp("serve", 8000))


def test_head_service_default_is_headless() -> None:
    assert build.rayjob_head_service(rayjob(), cluster("rj-xyz12", cluster_spec()), CONFIG) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": svc_meta("rj"),
        "spec": {
            "selector": selector("rj-xyz12"),
            "ports": DEFAULT_PORTS,
            "clusterIP": "None",
            "publishNotReadyAddresses": True,
        },
    }
    switched = OperatorConfig(enable_ray_head_cluster_ip_service=True)
    spec = build.rayjob_head_service(rayjob(), cluster("rj-xyz12", cluster_spec()), switched)["spec"]
    assert "clusterIP" not in spec and "publishNotReadyAddresses" not in spec


def test_head_service_ignores_annotations_and_app_label_of_the_cluster() -> None:
    spec = cluster_spec(headServiceAnnotations={"svc": "anno"})
    head = spec["headGroupSpec"]
    head["serviceType"] = "NodePort"
    head["template"]["metadata"] = {"labels": {"app.kubernetes.io/name": "custom-app"}}
    head["template"]["spec"]["containers"][0]["ports"] = [
        {"name": "dashboard", "containerPort": 8265},
        {"containerPort": 9999},
    ]
    assert build.rayjob_head_service(rayjob(), cluster("rj-xyz12", spec), CONFIG) == {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": svc_meta("rj"),
        "spec": {
            "selector": selector("rj-xyz12"),
            "ports": [tcp("9999-port", 9999), tcp("dashboard", 8265), tcp("metrics", 8080)],
            "type": "NodePort",
        },
    }


def test_head_service_from_custom_head_service_keeps_only_its_annotations() -> None:
    spec = cluster_spec(headServiceAnnotations={"svc": "anno"})
    spec["headGroupSpec"]["headService"] = {
        "metadata": {"name": "my-head", "labels": {"l": "v"}, "annotations": {"custom": "a"}},
        "spec": {"ports": [{"name": "extra", "port": 1234}]},
    }
    service = build.rayjob_head_service(rayjob(), cluster("rj-xyz12", spec), CONFIG)
    assert service["metadata"] == {**svc_meta("rj"), "annotations": {"custom": "a"}}
    assert service["spec"]["selector"] == selector("rj-xyz12")
    assert service["spec"]["ports"][0] == {"name": "extra", "port": 1234}
    # KubeRay appends the defaults in Go map order (random); the set is what is fixed.
    assert sorted(service["spec"]["ports"][1:], key=lambda p: p["name"]) == DEFAULT_PORTS
    assert "clusterIP" not in service["spec"] and "type" not in service["spec"]


def test_dashboard_url() -> None:
    rc = cluster("rj-xyz12", cluster_spec())
    svc = {"metadata": {"name": "rj-xyz12-head-svc", "namespace": "ns"}, "spec": {"ports": [tcp("dashboard", 8266)]}}
    assert build.dashboard_url(rc, svc, CONFIG) == "rj-xyz12-head-svc.ns.svc.cluster.local:8266"
    assert build.dashboard_url(rc, svc, OperatorConfig(cluster_domain="corp")) == "rj-xyz12-head-svc.ns.svc.corp:8266"
    with pytest.raises(ValueError, match=r"^dashboard port is not found$"):
        build.dashboard_url(rc, {**svc, "spec": {"ports": [tcp("client", 10001)]}}, CONFIG)
    with pytest.raises(ValueError, match=r'^services "rj-xyz12-head-svc" not found$'):
        build.dashboard_url(rc, None, CONFIG)


# --- HTTPMode request -----------------------------------------------------------------------------------


def test_submit_request_with_everything() -> None:
    body = rayjob(
        mode="HTTPMode",
        entrypoint="  python job.py  ",
        runtimeEnvYAML=RUNTIME_ENV,
        metadata={"a": "b"},
        entrypointResources='{"custom": 1, "tpu": 0.1, "big": 1234567.1}',
        entrypointNumCpus=0.1,
        entrypointNumGpus=2,
    )
    assert build.submit_request(body, "rj-abcde") == {
        "entrypoint": "  python job.py  ",  # untrimmed, unlike the CLI
        "submission_id": "rj-abcde",
        "runtime_env": {
            "config": {"eager_install": False, "setup_timeout_seconds": 600},
            "env_vars": {"DEBUG": True, "HTML": "<b>&</b>", "RATIO": 0.5, "RETRIES": 3, "counter_name": "test_counter"},
            "pip": ["requests==2.26.0", "pendulum==2.1.2"],
            "py_modules": ["s3://bucket/mod.zip"],
            "working_dir": "https://example.com/a.zip",
        },
        "metadata": {"a": "b"},
        "entrypoint_resources": {"big": 1234567.1, "custom": 1, "tpu": 0.1},
        "entrypoint_num_cpus": 0.1,
        "entrypoint_num_gpus": 2,
    }


def test_submit_request_leaves_out_empty_fields() -> None:
    assert build.submit_request(rayjob(mode="HTTPMode", runtimeEnvYAML="# nothing\n"), "") == {
        "entrypoint": "python job.py"
    }


def test_submit_request_rejects_non_mapping_runtime_env() -> None:
    with pytest.raises(build.RayJobBuildError) as info:
        build.submit_request(rayjob(mode="HTTPMode", runtimeEnvYAML="- a\n- b\n"), "j")
    assert str(info.value) == (
        "failed to unmarshal RuntimeEnvYAML: - a\n- b\n: error unmarshaling JSON: while decoding JSON: "
        "json: cannot unmarshal array into Go value of type types.RuntimeEnvType"
    )
