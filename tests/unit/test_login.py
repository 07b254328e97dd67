"""Every kubeconfig login, through the ``kubernetes`` package's loaders, as kopf and our facade see it.

TLS cases talk to a small HTTPS server on 127.0.0.1 that demands a client certificate signed by a
throwaway CA, so "the certificate was kept" means the handshake really presented it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import kopf
import pytest
from aiohttp import web

from ray_operator.framework import k8s
from ray_operator.framework.login import Login, LoginError, load_connection_info
from ray_operator.localcluster import pki

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ca.crt, apiserver.{crt,key} (for 127.0.0.1) and admin.{crt,key} (a client certificate)."""
    directory = tmp_path_factory.mktemp("pki")
    pki.write_cluster_pki(directory, service_ip="10.96.0.1")
    return directory


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temp directory of this test: whatever a login writes there must be gone afterwards."""
    directory = tmp_path / "tmpdir"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory


@pytest.fixture
async def tls_server(certs: Path) -> AsyncIterator[str]:
    """An HTTPS API server answering with the common name of the client certificate it got."""

    async def whoami(request: web.Request) -> web.Response:
        assert request.transport is not None
        peer = request.transport.get_extra_info("peercert") or {}
        names = [value for rdn in peer.get("subject", ()) for key, value in rdn if key == "commonName"]
        return web.json_response({"user": names[0] if names else None})

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(certs / "ca.crt"))
    ctx.load_cert_chain(str(certs / "apiserver.crt"), str(certs / "apiserver.key"))
    ctx.verify_mode = ssl.CERT_REQUIRED
    app = web.Application()
    app.router.add_get("/whoami", whoami)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def kubeconfig(path: Path, cluster: dict[str, Any], user: dict[str, Any], namespace: str | None = None) -> str:
    context: dict[str, Any] = {"cluster": "c", "user": "me"}
    if namespace:
        context["namespace"] = namespace
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": cluster}],
                "users": [{"name": "me", "user": user}],
                "contexts": [{"name": "ctx", "context": context}],
                "current-context": "ctx",
            }
        )
    )
    return str(path)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def exec_plugin(tmp_path: Path, status: dict[str, Any] | None, exit_code: int = 0) -> dict[str, Any]:
    """A kubeconfig ``exec`` user running a script that prints an ExecCredential (or fails)."""
    script = tmp_path / "plugin.py"
    script.write_text(
        "import json, os, sys\n"
        "info = json.loads(os.environ['KUBERNETES_EXEC_INFO'])\n"
        "assert info['kind'] == 'ExecCredential', info\n"
        f"if {exit_code}:\n"
        "    print('token expired; run: mycloud login', file=sys.stderr)\n"
        f"    sys.exit({exit_code})\n"
        f"print(json.dumps({{'apiVersion': info['apiVersion'], 'kind': 'ExecCredential', 'status': {status!r}}}))\n"
    )
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(script)],
            "interactiveMode": "Never",
        }
    }


async def whoami(info: kopf.ConnectionInfo) -> Any:
    kube = k8s.KubeClient(login=Login(lambda: info))
    try:
        return await kube.request("GET", "/whoami")
    finally:
        await kube.close()


# --------------------------------------------------------------------------- kubeconfig forms


def test_token_user_and_the_contexts_namespace(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", {"server": "http://127.0.0.1:1/"}, {"token": "s3cret"}, namespace="team")
    info = load_connection_info(path, environ={})
    assert (info.server, info.token, info.default_namespace) == ("http://127.0.0.1:1", "s3cret", "team")
    assert k8s.credentials_from_connection_info(info).headers == {"Authorization": "Bearer s3cret"}


def test_kubeconfig_env_var_and_token_file(tmp_path: Path) -> None:
    (tmp_path / "token").write_text("from-a-file\n")
    path = kubeconfig(tmp_path / "config", {"server": "http://127.0.0.1:1"}, {"tokenFile": "token"})
    info = load_connection_info(environ={"KUBECONFIG": path})
    assert info.token == "from-a-file"


async def test_client_certificate_paths_are_relative_to_the_kubeconfig(
    tmp_path: Path, certs: Path, tls_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kube"
    (folder / "pki").mkdir(parents=True)
    for name in ("ca.crt", "admin.crt", "admin.key"):
        (folder / "pki" / name).write_bytes((certs / name).read_bytes())
    path = kubeconfig(
        folder / "config",
        {"server": tls_server, "certificate-authority": "pki/ca.crt"},
        {"client-certificate": "pki/admin.crt", "client-key": "pki/admin.key"},
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    info = load_connection_info(path, environ={})
    assert info.certificate_path == str(folder / "pki" / "admin.crt")
    assert await whoami(info) == {"user": "ray-operator-local-admin"}


async def test_insecure_skip_tls_verify_keeps_the_client_certificate_and_leaves_no_key_on_disk(
    tmp_path: Path, certs: Path, tls_server: str, private_tmp: Path
) -> None:
    path = kubeconfig(
        tmp_path / "config",
        {"server": tls_server, "insecure-skip-tls-verify": True},
        {"client-certificate-data": b64(certs / "admin.crt"), "client-key-data": b64(certs / "admin.key")},
    )
    info = load_connection_info(path, environ={})
    assert info.insecure and info.certificate_data and info.private_key_data
    assert await whoami(info) == {"user": "ray-operator-local-admin"}
    assert leftovers(private_tmp) == []  # no ray-operator-creds-* (or any) folder with a key


async def test_exec_plugin_with_a_token(tmp_path: Path) -> None:
    user = exec_plugin(tmp_path, {"token": "from-the-plugin", "expirationTimestamp": "2099-01-01T00:00:00Z"})
    info = load_connection_info(kubeconfig(tmp_path / "config", {"server": "http://127.0.0.1:1"}, user), environ={})
    assert info.token == "from-the-plugin"
    assert info.expiration is not None and info.expiration.year == 2099  # kopf re-logs in before it


async def test_exec_plugin_with_a_client_certificate(
    tmp_path: Path, certs: Path, tls_server: str, private_tmp: Path
) -> None:
    status = {
        "clientCertificateData": (certs / "admin.crt").read_text(),
        "clientKeyData": (certs / "admin.key").read_text(),
    }
    cluster = {"server": tls_server, "certificate-authority-data": b64(certs / "ca.crt")}
    info = load_connection_info(kubeconfig(tmp_path / "config", cluster, exec_plugin(tmp_path, status)), environ={})
    assert info.token is None and info.private_key_data
    assert await whoami(info) == {"user": "ray-operator-local-admin"}
    assert leftovers(private_tmp) == []


async def test_proxy_url_is_used_by_the_facade(tmp_path: Path) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.split(b"\r\n")[0])
        body = b'{"via": "proxy"}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
        writer.write(b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        cluster = {"server": "http://127.0.0.1:9/", "proxy-url": f"http://127.0.0.1:{port}"}
        info = load_connection_info(kubeconfig(tmp_path / "config", cluster, {"token": "t"}), environ={})
        assert info.proxy_url == f"http://127.0.0.1:{port}"
        assert await whoami(info) == {"via": "proxy"}
    finally:
        server.close()
        await server.wait_closed()
    assert seen == [b"GET http://127.0.0.1:9/whoami HTTP/1.1"]


# --------------------------------------------------------------------------- failures


def test_a_failing_exec_plugin_is_one_clear_error_naming_the_user(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = kubeconfig(tmp_path / "config", {"server": "http://127.0.0.1:1"}, exec_plugin(tmp_path, None, exit_code=3))
    with caplog.at_level(logging.DEBUG), pytest.raises(LoginError) as caught:
        load_connection_info(path, environ={})
    message = str(caught.value)
    assert f'kubeconfig {path} (context "ctx", user "me")' in message
    assert "exec: process returned 3" in message and "run: mycloud login" in message
    assert "\n" not in message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # said once, by the caller


def test_a_missing_certificate_file_is_named(tmp_path: Path) -> None:
    path = kubeconfig(
        tmp_path / "config",
        {"server": "https://127.0.0.1:1", "certificate-authority": "nope/ca.crt"},
        {"token": "t"},
    )
    with pytest.raises(LoginError, match=r'user "me"\): .*does not exist: .*/nope/ca\.crt$'):
        load_connection_info(path, environ={})


def test_a_missing_kubeconfig_is_named(tmp_path: Path) -> None:
    with pytest.raises(LoginError, match=r"kubeconfig .*absent: no such file"):
        load_connection_info(str(tmp_path / "absent"), environ={})


async def test_a_hanging_loader_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", kubeconfig(tmp_path / "config", {"server": "http://127.0.0.1:1"}, {"token": "t"}))

    def hang() -> kopf.ConnectionInfo:
        import time

        time.sleep(5)
        raise AssertionError("not reached in time")

    with pytest.raises(LoginError, match=r'context "ctx", user "me".*no answer within 0\.2 s'):
        await Login(hang, timeout=0.2).current()


# --------------------------------------------------------------------------- in-cluster and precedence


@pytest.fixture
def service_account(tmp_path: Path, certs: Path) -> Path:
    directory = tmp_path / "serviceaccount"
    directory.mkdir()
    (directory / "token").write_text("pod-token")
    (directory / "namespace").write_text("ray-system")
    (directory / "ca.crt").write_bytes((certs / "ca.crt").read_bytes())
    return directory


def test_in_cluster_honours_kubernetes_service_host_and_port(service_account: Path) -> None:
    env = {"KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"}
    info = load_connection_info(environ=env, service_account_dir=str(service_account))
    assert info.server == "https://[fd00::1]:6443"
    assert (info.token, info.default_namespace) == ("pod-token", "ray-system")
    assert info.ca_path == str(service_account / "ca.crt")


async def test_a_named_kubeconfig_wins_and_never_gets_the_pods_token(tmp_path: Path, service_account: Path) -> None:
    seen: list[str | None] = []

    async def unauthorized(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.json_response({"reason": "Unauthorized"}, status=401)

    app = web.Application()
    app.router.add_get("/api", unauthorized)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    path = kubeconfig(tmp_path / "config", {"server": f"http://127.0.0.1:{port}"}, {"token": "kubeconfig-token"})
    env = {"KUBECONFIG": path, "KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"}
    login = Login(lambda: load_connection_info(environ=env, service_account_dir=str(service_account)))
    kube = k8s.KubeClient(login=login)
    try:
        with pytest.raises(k8s.ApiError):
            await kube.request("GET", "/api")  # 401, log in again, 401
    finally:
        await kube.close()
        await runner.cleanup()
    assert seen == ["Bearer kubeconfig-token", "Bearer kubeconfig-token"]
    assert login.logins == 2
