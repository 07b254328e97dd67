"""The Helm chart installs, and its RBAC is enough for the operator to do its whole job.

The RBAC test is real: the operator runs with the token of the chart's ServiceAccount (not as
cluster admin), so any permission missing from the chart makes a reconcile fail here.
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


def helm(cluster: LocalCluster, *args: str) -> str:
    binary = ensure_toolchain(("helm",)).path("helm")
    proc = subprocess.run(
        [binary, f"--kubeconfig={cluster.kubeconfig}", *args], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def render(cluster: LocalCluster, *values: str) -> list[dict[str, Any]]:
    out = helm(cluster, "template", "rel", str(CHART), "--namespace", "ray-system", *values)
    return [doc for doc in yaml.safe_load_all(out) if doc]


def test_chart_crds_are_the_generated_crds() -> None:
    for crd in sorted((REPO / "crds").glob("*.yaml")):
        assert (CHART / "crds" / crd.name).read_bytes() == crd.read_bytes(), f"run make crds ({crd.name})"


def test_chart_lints_and_renders_both_install_modes(kube_cluster: LocalCluster) -> None:
    helm(kube_cluster, "lint", str(CHART))
    cluster_wide = {(d["kind"], d["metadata"]["name"]) for d in render(kube_cluster)}
    assert ("ClusterRole", "rel-ray-operator") in cluster_wide
    assert ("Deployment", "rel-ray-operator") in cluster_wide
    docs = render(kube_cluster, "--set", "singleNamespaceInstall=true", "--set", "watchNamespace={a,b}")
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


def test_operator_works_with_only_the_charts_rbac(crds_installed: LocalCluster, tmp_path: Path) -> None:
    namespace = "helm-rbac-test"
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
        token = crds_installed.kubectl(
            "-n", namespace, "create", "token", "rbac-ray-operator", "--duration=1h"
        ).stdout.strip()
        kubeconfig = tmp_path / "sa.kubeconfig"
        kubeconfig.write_text(
            json.dumps(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": "c",
                            "cluster": {
                                "server": crds_installed.server,
                                "certificate-authority": str(crds_installed.pki / "ca.crt"),
                            },
                        }
                    ],
                    "users": [{"name": "sa", "user": {"token": token}}],
                    "contexts": [{"name": "c", "context": {"cluster": "c", "user": "sa"}}],
                    "current-context": "c",
                }
            )
        )
        operator = OperatorProcess(
            crds_installed,
            extra_args=[
                f"--watch-namespace={namespace}",
                "--enable-leader-election=true",
                f"--leader-election-namespace={namespace}",
            ],
            env={"KUBECONFIG": str(kubeconfig)},
            kubeconfig=str(kubeconfig),
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
        assert "Forbidden" not in operator.logs(), operator.logs()[-3000:]
    finally:
        if operator is not None:
            operator.stop()
        crds_installed.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
