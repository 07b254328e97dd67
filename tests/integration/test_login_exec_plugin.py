"""A kubeconfig whose user is an exec plugin works end to end; one that cannot log in stops the operator.

The plugin is a small script printing an ExecCredential with the local control plane's admin
client certificate (``clientCertificateData``/``clientKeyData``), as cloud plugins print tokens.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from helpers import raycluster_manifest, wait_pod_count
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

pytestmark = pytest.mark.cluster


def exec_kubeconfig(cluster: LocalCluster, folder: Path, fail: bool = False) -> tuple[str, Path]:
    """A kubeconfig for ``cluster`` whose user ``exec-user`` runs a plugin; returns it and the plugin's run log."""
    runs = folder / "plugin-runs"
    script = folder / "plugin.py"
    script.write_text(
        "import json, os, pathlib, sys\n"
        f"pathlib.Path({str(runs)!r}).open('a').write('run\\n')\n"
        f"if {fail}:\n"
        "    print('error: SSO session expired; run: mycloud sso login', file=sys.stderr)\n"
        "    sys.exit(1)\n"
        "info = json.loads(os.environ['KUBERNETES_EXEC_INFO'])\n"
        "status = {\n"
        f"    'clientCertificateData': pathlib.Path({str(cluster.pki / 'admin.crt')!r}).read_text(),\n"
        f"    'clientKeyData': pathlib.Path({str(cluster.pki / 'admin.key')!r}).read_text(),\n"
        "}\n"
        "print(json.dumps({'apiVersion': info['apiVersion'], 'kind': 'ExecCredential', 'status': status}))\n"
    )
    server = {"server": cluster.server, "certificate-authority": str(cluster.pki / "ca.crt")}
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "local", "cluster": server}],
        "users": [
            {
                "name": "exec-user",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1",
                        "command": sys.executable,
                        "args": [str(script)],
                        "interactiveMode": "Never",
                    }
                },
            }
        ],
        "contexts": [{"name": "exec-ctx", "context": {"cluster": "local", "user": "exec-user"}}],
        "current-context": "exec-ctx",
    }
    path = folder / "exec.kubeconfig"
    path.write_text(json.dumps(config))
    return str(path), runs


def test_exec_plugin_login_reconciles_a_raycluster_and_leaves_no_key_behind(
    crds_installed: LocalCluster, tmp_path: Path
) -> None:
    # Outside the shared operator's ``t-*`` pattern: only the operator under test can act here.
    namespace = f"login-exec-{uuid.uuid4().hex[:5]}"
    crds_installed.kubectl("create", "namespace", namespace)
    deadline = time.monotonic() + 30
    while crds_installed.request("GET", f"/api/v1/namespaces/{namespace}/serviceaccounts/default")[0] != 200:
        assert time.monotonic() < deadline, "no default ServiceAccount"
        time.sleep(0.05)
    kubeconfig, runs = exec_kubeconfig(crds_installed, tmp_path)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    operator = OperatorProcess(
        crds_installed,
        extra_args=[f"--watch-namespace={namespace}"],
        env={"KUBECONFIG": kubeconfig, "TMPDIR": str(scratch)},
        kubeconfig=kubeconfig,
    )
    try:
        operator.start()
        manifest = raycluster_manifest("exec-login", replicas=1)
        manifest["metadata"]["namespace"] = namespace
        crds_installed.kubectl("apply", "-f", "-", input=json.dumps(manifest))
        wait_pod_count(crds_installed, namespace, "exec-login", 2, timeout=60)  # head + 1 worker
        logs = operator.logs()
        assert "system:anonymous" not in logs and "Forbidden" not in logs, logs[-3000:]
        assert runs.read_text().count("run") == 1  # one login, shared by kopf's watches and the facade
    finally:
        code = operator.stop()
        crds_installed.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
    assert code == 0, operator.logs()[-3000:]
    # The plugin's private key went through temporary files only: none is left.
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_a_login_that_cannot_work_is_one_line_and_a_nonzero_exit(kube_cluster: LocalCluster, tmp_path: Path) -> None:
    kubeconfig, runs = exec_kubeconfig(kube_cluster, tmp_path, fail=True)
    operator = OperatorProcess(kube_cluster, env={"KUBECONFIG": kubeconfig}, kubeconfig=kubeconfig)
    operator.start(wait_ready=False)
    assert operator.proc is not None
    assert operator.proc.wait(timeout=60) != 0
    logs = operator.logs()
    lines = [line for line in logs.splitlines() if "cannot log in" in line]
    assert len(lines) == 1, logs
    assert 'context "exec-ctx", user "exec-user"' in lines[0]
    assert "SSO session expired" in lines[0]
    assert "Traceback" not in logs and "403" not in logs, logs
    assert runs.read_text().count("run") == 1
