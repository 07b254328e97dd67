"""Shared fixtures: one real control plane per test run, one fresh namespace per test.

The control plane is :class:`ray_operator.localcluster.LocalCluster` (etcd, kube-apiserver,
kube-controller-manager, kube-scheduler, kwok). It is started lazily by the first test that asks
for it, so ``pytest tests/unit`` never builds or starts anything.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster

if TYPE_CHECKING:  # serve_heads imports this module: the fixtures import it lazily
    from serve_heads import ServeHead

REPO = Path(__file__).resolve().parent.parent
#: ``--ray-address-override=@file`` of the session's operator (see the ``ray_head`` fixture).
RAY_OVERRIDE_FILE = Path(tempfile.gettempdir()) / f"ray-operator-test-overrides-{os.getpid()}"


@pytest.fixture(scope="session")
def kube_cluster() -> Iterator[LocalCluster]:
    """The shared local control plane with 3 fake KWOK nodes."""
    cluster = LocalCluster(log=lambda msg: print(f"[kube_cluster] {msg}", file=sys.stderr))
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def crds_installed(kube_cluster: LocalCluster) -> LocalCluster:
    """Our CRDs from ``crds/``, applied client-side as users do, and Established."""
    kube_cluster.kubectl("apply", "-f", str(REPO / "crds"))
    kube_cluster.kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s")
    return kube_cluster


@pytest.fixture
def namespace(kube_cluster: LocalCluster, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace for one test; deleted (without waiting) afterwards."""
    base = request.node.name.lower()
    base = "".join(ch if ch.isalnum() else "-" for ch in base).strip("-")[:40].strip("-")
    name = f"t-{base}-{uuid.uuid4().hex[:5]}"
    kube_cluster.kubectl("create", "namespace", name)
    # Pods are refused until the controller-manager has made the namespace's default account.
    deadline = time.monotonic() + 30
    while kube_cluster.request("GET", f"/api/v1/namespaces/{name}/serviceaccounts/default")[0] != 200:
        assert time.monotonic() < deadline, f"no default ServiceAccount in {name} after 30s"
        time.sleep(0.05)
    try:
        yield name
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            kube_cluster.kubectl("delete", "namespace", name, "--wait=false", check=False, timeout=30)


@pytest.fixture(scope="session")
def ray_operator(crds_installed: LocalCluster) -> Iterator[OperatorProcess]:
    """The operator under test, watching the ``t-*`` test namespaces. Tests may kill and restart it."""
    # Only the test namespaces (a kopf glob): tests that run operators of their own, such as the
    # Helm chart's RBAC test, use namespaces outside this pattern.
    # Dashboards are reached through an override file that the ``ray_head`` fixture fills in once
    # (and only if) a test needs the real Ray head; the operator re-reads the file when it changes.
    if not RAY_OVERRIDE_FILE.exists():  # the Ray head may have started (and written it) already
        RAY_OVERRIDE_FILE.write_text("")
    operator = OperatorProcess(
        crds_installed,
        extra_args=[
            "--watch-namespace=t-*",
            f"--ray-address-override=@{RAY_OVERRIDE_FILE}",
            # RayService tests see a stalled upgrade reported without waiting 5 minutes.
            "--rayservice-stalled-upgrade-seconds=10",
        ],
    ).start()
    try:
        yield operator
    finally:
        code = operator.stop()
        print(f"[ray_operator] exit code {code}; log: {operator.log_path}", file=sys.stderr)


@pytest.fixture(scope="session")
def ray_head() -> Iterator[object]:
    """A real Ray head on 127.0.0.1 (``tests/ray_head.py``), started once; its process group is killed after."""
    from ray_head import start_ray_head

    head = start_ray_head(log=lambda msg: print(f"[ray_head] {msg}", file=sys.stderr))
    RAY_OVERRIDE_FILE.write_text(f"# every cluster's dashboard is the one real Ray head\n*={head.dashboard_address}\n")
    try:
        yield head
    finally:
        RAY_OVERRIDE_FILE.write_text("")
        head.stop()


@pytest.fixture
def restartable(ray_operator: OperatorProcess) -> Iterator[OperatorProcess]:
    """The shared operator, for tests that kill it: running again afterwards whatever happened."""
    try:
        yield ray_operator
    finally:
        if ray_operator.proc is None or ray_operator.proc.poll() is not None:
            ray_operator.start()


@pytest.fixture(scope="session")
def serve_head_pool() -> Iterator[list[ServeHead]]:
    """Two real Ray heads with Serve on loopback (``integration/serve_heads.py``), started once for
    every RayService test (a head takes ~5 s to start); each test resets the heads it uses."""
    from ray_head import serve_available
    from serve_heads import serve_heads

    if not serve_available():
        pytest.skip("ray[serve] is not importable")
    with serve_heads(2) as started:
        yield started


@pytest.fixture
def serve_head(serve_head_pool: list[ServeHead]) -> ServeHead:
    """The pool's first head with no Serve application and Serve on its own port."""
    serve_head_pool[0].reset()
    return serve_head_pool[0]
