"""The Helm chart installs, and its RBAC is enough for the operator to do its whole job.

The RBAC tests are real: the operator runs with the token of the chart's ServiceAccount (not as
cluster admin), so any permission missing from the chart makes a reconcile fail here. With
``singleNamespaceInstall=true`` that identity has no cluster-scoped right at all.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import get_json, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster
from ray_operator.localcluster.toolchain import ensure_toolchain

pytestmark = pytest.mark.cluster

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "charts" / "ray-operator"
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding", "Namespace", "CustomResourceDefinition"}


def helm_run(cluster: LocalCluster, *args: str) -> subprocess.CompletedProcess[str]:
    binary = ensure_toolchain(("helm",)).path("helm")
    return subprocess.run(
        [binary, f"--kubeconfig={cluster.kubeconfig}", *args], capture_output=True, text=True, timeout=120
    )


def helm(cluster: LocalCluster, *args: str) -> str:
    proc = helm_run(cluster, *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def render(cluster: LocalCluster, *values: str) -> list[dict[str, Any]]:
    out = helm(cluster, "template", "rel", str(CHART), "--namespace", "ray-system", *values)
    return [doc for doc in yaml.safe_load_all(out) if doc]


def sa_kubeconfig(cluster: LocalCluster, namespace: str, account: str, path: Path) -> Path:
    """A kubeconfig that authenticates as ``namespace/account`` (a fresh token), nothing else."""
    token = cluster.kubectl("-n", namespace, "create", "token", account, "--duration=1h").stdout.strip()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "c", "cluster": {"server": cluster.server, "certificate-authority": str(cluster.pki / "ca.crt")}}
        ],
        "users": [{"name": "sa", "user": {"token": token}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "sa"}}],
        "current-context": "c",
    }
    path.write_text(json.dumps(config))
    return path


def test_chart_crds_are_the_generated_crds() -> None:
    for crd in sorted((REPO / "crds").glob("*.yaml")):
        assert (CHART / "crds" / crd.name).read_bytes() == crd.read_bytes(), f"run make crds ({crd.name})"


def test_chart_lints_and_renders_both_install_modes(kube_cluster: LocalCluster) -> None:
    helm(kube_cluster, "lint", str(CHART))
    cluster_wide = {(d["kind"], d["metadata"]["name"]) for d in render(kube_cluster)}
    assert ("ClusterRole", "rel-ray-operator") in cluster_wide
    assert ("Deployment", "rel-ray-operator") in cluster_wide
    docs = render(kube_cluster, "--set", "singleNamespaceInstall=true", "--set", "watchNamespace={a,b}")
    # A tenant with rights in its namespaces only can install this: nothing cluster-scoped at all.
    assert [d["kind"] for d in docs if d["kind"] in CLUSTER_SCOPED or "namespace" not in d["metadata"]] == []
    roles = sorted(
        (d["kind"], d["metadata"].get("namespace", "")) for d in docs if d["kind"] in ("Role", "RoleBinding")
    )
    assert roles == [("Role", "a"), ("Role", "b"), ("RoleBinding", "a"), ("RoleBinding", "b")]
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--watch-namespace=a,b" in args
    assert (
        "--feature-gates=RayClusterStatusConditions=true,RayJobDeletionPolicy=true,RayMultiHostIndexing=true,"
        "RayServiceIncrementalUpgrade=true" in args
    )
    assert not any(d["kind"] == "ServiceMonitor" for d in docs)
    single = render(kube_cluster, "--set", "singleNamespaceInstall=true", "--set", "leaderElectionEnabled=true")
    assert {(d["kind"], d["metadata"]["namespace"]) for d in single if d["kind"].startswith("Role")} == {
        ("Role", "ray-system"),
        ("RoleBinding", "ray-system"),
    }
    assert not {d["kind"] for d in single} & CLUSTER_SCOPED


WRONG_VALUES = [
    (["--set", "replicas=-1"], "at '/replicas': minimum: got -1, want 0"),
    (["--set", "replicas=two"], "at '/replicas': got string, want integer"),
    (["--set", "logging.format=xml"], "at '/logging/format': value must be one of 'text', 'json'"),
    (["--set", "image.pullPolicy=Sometimes"], "at '/image/pullPolicy': value must be one of 'Always'"),
    (["--set", "featureGates[0].name=Nope,featureGates[0].enabled=true"], "at '/featureGates/0/name'"),
    (["--set", "replica=2"], "additional properties 'replica' not allowed"),
    (["--set", "service.port=70000"], "at '/service/port': maximum: got 70,000, want 65,535"),
    (["--set", "watchNamespace={Team_A}"], "at '/watchNamespace/0': 'Team_A' does not match pattern"),
    (["--set-json", 'metrics={"enabled": "yes"}'], "at '/metrics/enabled': got string, want boolean"),
    (
        ["--set", "singleNamespaceInstall=true", "--set", "watchNamespace={team-*}"],
        'watchNamespace: "team-*" is a pattern; singleNamespaceInstall=true needs exact namespace names',
    ),
    (["--set", "replicas=2"], "replicas > 1 needs leaderElectionEnabled=true"),
]


@pytest.mark.parametrize(("values", "message"), WRONG_VALUES, ids=[" ".join(v) for v, _ in WRONG_VALUES])
def test_wrong_values_fail_with_the_schemas_message(
    kube_cluster: LocalCluster, values: list[str], message: str
) -> None:
    proc = helm_run(kube_cluster, "template", "rel", str(CHART), *values)
    assert proc.returncode != 0, proc.stdout[:500]
    assert message in proc.stderr, proc.stderr


def test_helm_install_with_a_wrong_value_creates_nothing(crds_installed: LocalCluster) -> None:
    namespace = "helm-schema-test"
    crds_installed.kubectl("create", "namespace", namespace)
    try:
        proc = helm_run(
            crds_installed, "install", "bad", str(CHART), "-n", namespace, "--skip-crds", "--set", "replicas=-1"
        )
        assert proc.returncode != 0
        assert "values don't meet the specifications of the schema" in proc.stderr, proc.stderr
        assert "at '/replicas': minimum: got -1, want 0" in proc.stderr, proc.stderr
        selector = "app.kubernetes.io/instance=bad"
        assert (
            get_json(crds_installed, "-n", namespace, "deployments,serviceaccounts,roles", "-l", selector)["items"]
            == []
        )
        assert helm(crds_installed, "list", "-n", namespace, "-q").strip() == ""
    finally:
        crds_installed.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def test_operator_works_with_only_the_charts_namespaced_rbac(crds_installed: LocalCluster, tmp_path: Path) -> None:
    namespace = "helm-rbac-test"
    account = f"system:serviceaccount:{namespace}:rbac-ray-operator"
    crds_installed.kubectl("create", "namespace", namespace)
    operator: OperatorProcess | None = None
    try:
        helm(
            crds_installed,
            "install",
            "rbac",
            str(CHART),
            "--namespace",
            namespace,
            "--skip-crds",
            "--wait=false",
            "--set",
            "singleNamespaceInstall=true",
            "--set",
            "leaderElectionEnabled=true",
        )
        release = "app.kubernetes.io/instance=rbac"
        assert get_json(crds_installed, "clusterroles,clusterrolebindings", "-l", release)["items"] == []
        for verb, resource in (("list", "namespaces"), ("list", "customresourcedefinitions"), ("list", "pods")):
            can = crds_installed.kubectl("auth", "can-i", verb, resource, "-A", f"--as={account}", check=False)
            assert can.stdout.strip() == "no", (verb, resource, can.stdout)
        kubeconfig = str(sa_kubeconfig(crds_installed, namespace, "rbac-ray-operator", tmp_path / "sa.kubeconfig"))
        operator = OperatorProcess(
            crds_installed,
            extra_args=[
                f"--watch-namespace={namespace}",
                "--enable-leader-election=true",
                f"--leader-election-namespace={namespace}",
            ],
            env={"KUBECONFIG": kubeconfig},
            kubeconfig=kubeconfig,
        ).start()
        manifest = yaml.safe_load((REPO / "examples" / "raycluster-autoscaler-v2.yaml").read_text())
        name = manifest["metadata"]["name"]
        manifest["metadata"]["namespace"] = namespace
        crds_installed.kubectl("apply", "-f", "-", input=json.dumps(manifest))

        def ready() -> bool:
            rc = get_json(crds_installed, "-n", namespace, "raycluster", name)
            return rc.get("status", {}).get("state") == "ready"

        wait_until(ready, timeout=60, what=f"{name} ready with the chart's RBAC")
        # The autoscaler's RBAC was created by the operator itself, which needs escalate-free grants.
        for kind in ("serviceaccount", "role", "rolebinding"):
            get_json(crds_installed, "-n", namespace, kind, name)
        logs = operator.logs()
        assert "Forbidden" not in logs, logs[-3000:]
        # kopf's fallback warnings ("Not enough permissions to list namespaces"...) mean it still
        # tried cluster-scoped reads: with named namespaces its scanning must be off.
        assert "Not enough permissions" not in logs, logs[-3000:]
        operator.stop()
        # The same identity asked to watch a pattern fails at once, saying what is missing.
        operator = OperatorProcess(
            crds_installed,
            extra_args=["--watch-namespace=helm-*"],
            env={"KUBECONFIG": kubeconfig},
            kubeconfig=kubeconfig,
        ).start(wait_ready=False)
        assert operator.proc is not None
        assert operator.proc.wait(timeout=30) == 1
        assert "--watch-namespace=helm-* needs cluster-wide list/watch on rayclusters" in operator.logs()
        assert "Traceback" not in operator.logs(), operator.logs()[-3000:]
    finally:
        if operator is not None:
            operator.stop()
        crds_installed.kubectl("delete", "namespace", namespace, "--wait=false", check=False)


def test_restricted_pod_security_admits_the_charts_pod(crds_installed: LocalCluster) -> None:
    """The Deployment's Pod passes Pod Security ``restricted`` on the real API server (KWOK runs it);
    the same chart without the container securityContext is refused, so the check is live."""
    namespace = "helm-psa-test"
    crds_installed.kubectl("create", "namespace", namespace)
    crds_installed.kubectl("label", "namespace", namespace, "pod-security.kubernetes.io/enforce=restricted")
    try:
        for release, extra in (("psa", []), ("loose", ["--set", "securityContext=null"])):
            helm(crds_installed, "install", release, str(CHART), "-n", namespace, "--skip-crds", "--wait=false", *extra)

        def replica_sets(release: str) -> list[dict[str, Any]]:
            items: list[dict[str, Any]] = get_json(
                crds_installed, "-n", namespace, "replicasets", "-l", f"app.kubernetes.io/instance={release}"
            )["items"]
            return items

        def refused(release: str) -> str:
            for rs in replica_sets(release):
                for cond in rs.get("status", {}).get("conditions") or []:
                    if cond["type"] == "ReplicaFailure" and "violates PodSecurity" in cond.get("message", ""):
                        return str(cond["message"])
            return ""

        def running(release: str) -> bool:
            pods = get_json(crds_installed, "-n", namespace, "pods", "-l", f"app.kubernetes.io/instance={release}")
            return any(p.get("status", {}).get("phase") == "Running" for p in pods["items"])

        wait_until(lambda: running("psa"), timeout=60, what="the chart's operator Pod admitted and running")
        assert refused("psa") == ""
        message = wait_until(lambda: refused("loose"), timeout=60, what="the loosened Pod refused")
        assert 'violates PodSecurity "restricted:latest"' in message and "runAsNonRoot" in message, message
    finally:
        crds_installed.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
