"""Logging in to the API server: one login per process, shared by kopf's watches and our facade.

Why the official ``kubernetes`` package: its loaders know every kubeconfig form (exec plugins such
as ``aws eks get-token``, ``gke-gcloud-auth-plugin`` and ``kubelogin``; OIDC and the other auth
providers; token files; client certificates; ``proxy-url``) and the in-cluster account. We use
only its loaders, as kopf's ``login_via_client`` does, but into a private ``Configuration`` (never
the global default), with a kubeconfig named by ``--kubeconfig``/``$KUBECONFIG`` winning over the
in-cluster account (as client-go does), and with the result turned into one
:class:`kopf.ConnectionInfo` that kopf's watches and :class:`~ray_operator.framework.k8s.KubeClient`
both use. No key material stays on disk: the loader writes inline keys and exec-plugin keys into a
private folder that is deleted before the login returns; the data is kept in memory.

A login that cannot be performed raises :class:`LoginError` with one line naming the kubeconfig,
its context and user, and the reason (the CLI prints it and exits non-zero), instead of the
loader's habit of logging the error and going on as ``system:anonymous``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import importlib
import logging
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import kopf
import yaml

SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
DEFAULT_KUBECONFIG = "~/.kube/config"
#: Bounds one run of the loader: an exec plugin may hang (or wait for input nobody gives).
LOGIN_TIMEOUT = 60.0
#: Credentials this close to their ``expirationTimestamp`` are renewed before use.
EXPIRY_SKEW = datetime.timedelta(seconds=30)

Loader = Callable[[], kopf.ConnectionInfo]


class LoginError(RuntimeError):
    """A login that cannot be performed; the message names the kubeconfig context and user."""


# --------------------------------------------------------------------------- loading (blocking)


def load_connection_info(
    kubeconfig: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    service_account_dir: str = SERVICE_ACCOUNT_DIR,
) -> kopf.ConnectionInfo:
    """Log in as client-go would: a named kubeconfig, else the in-cluster account, else ``~/.kube/config``.

    Blocking (an exec plugin runs here): call it through :class:`Login`, which bounds it.
    """
    env = os.environ if environ is None else environ
    named = kubeconfig or env.get("KUBECONFIG")
    if named:
        return _from_kubeconfig(named)
    default = os.path.expanduser(DEFAULT_KUBECONFIG)
    if env.get("KUBERNETES_SERVICE_HOST"):
        try:
            return _in_cluster(env, service_account_dir)
        except LoginError:
            if not os.path.exists(default):
                raise
    if os.path.exists(default):
        return _from_kubeconfig(default)
    raise LoginError(
        "no Kubernetes credentials: not in a Pod (KUBERNETES_SERVICE_HOST is unset), and neither "
        "$KUBECONFIG nor ~/.kube/config exists (pass --kubeconfig)"
    )


def describe_source(kubeconfig: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Which login :func:`load_connection_info` will try, for messages that cannot ask the loader."""
    env = os.environ if environ is None else environ
    named = kubeconfig or env.get("KUBECONFIG")
    if not named and env.get("KUBERNETES_SERVICE_HOST"):
        return "the in-cluster service account"
    paths = named or DEFAULT_KUBECONFIG
    context: Any = None
    user: Any = None
    with contextlib.suppress(Exception):
        for path in paths.split(os.pathsep):
            with open(os.path.expanduser(path), encoding="utf-8") as fh:
                doc = yaml.safe_load(fh) or {}
            context = context or doc.get("current-context")
            for item in doc.get("contexts") or []:
                if item.get("name") == context and user is None:
                    user = (item.get("context") or {}).get("user")
    return _where(paths, context, user)


def _where(paths: str, context: Any, user: Any) -> str:
    return f'kubeconfig {paths} (context "{context or "?"}", user "{user or "?"}")'


def _from_kubeconfig(paths: str) -> kopf.ConnectionInfo:
    """The current context of a kubeconfig (``:``-separated files merge, as with kubectl)."""
    kube_config = _kubernetes("config.kube_config")
    where = f"kubeconfig {paths}"
    # Created by the loader only if it has inline data or exec-plugin keys to write (files 0600).
    private = os.path.join(os.path.abspath(tempfile.gettempdir()), f"ray-operator-login-{secrets.token_hex(8)}")
    try:
        with _loader_errors() as errors:
            try:
                merger = kube_config.KubeConfigMerger(paths)
                if merger.config is None:
                    raise LoginError(f"cannot log in with {where}: no such file")
                loader = kube_config.KubeConfigLoader(
                    config_dict=merger.config,
                    config_base_path=None,  # relative paths: against the folder of the file naming them
                    config_persister=merger.save_changes,  # refreshed OIDC tokens persist, as kubectl does
                    temp_file_path=private,
                )
                current = loader.current_context
                where = _where(paths, current.get("name"), (current.get("context") or {}).get("user"))
                config = _kubernetes("client").Configuration()
                loader.load_and_set(config)
            except LoginError:
                raise
            except Exception as exc:
                raise LoginError(f"cannot log in with {where}: {_reason(exc)}") from None
        if errors:  # e.g. a failing exec plugin: the loader logs it and carries on anonymously
            raise LoginError(f"cannot log in with {where}: {'; '.join(errors)}")
        namespace = (current.get("context") or {}).get("namespace")
        if not config.proxy:  # the loader reads proxy-url only since kubernetes 37
            cluster = merger.config["clusters"].get_with_name(current["context"]["cluster"])["cluster"]
            config.proxy = cluster.safe_get("proxy-url")
        return _connection_info(config, where, private, namespace, getattr(loader, "expiry", None))
    finally:
        _forget_private_files(private)


def _in_cluster(env: Mapping[str, str], service_account_dir: str) -> kopf.ConnectionInfo:
    """The Pod's own account, at ``https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT``."""
    where = "the in-cluster service account"
    config = _kubernetes("client").Configuration()
    try:
        _kubernetes("config.incluster_config").InClusterConfigLoader(
            token_filename=os.path.join(service_account_dir, "token"),
            cert_filename=os.path.join(service_account_dir, "ca.crt"),
            try_refresh_token=False,  # we re-run the loader on a 401 instead
            environ=env,
        ).load_and_set(config)
    except Exception as exc:
        raise LoginError(f"cannot log in with {where}: {_reason(exc)}") from None
    namespace = None
    with contextlib.suppress(OSError), open(os.path.join(service_account_dir, "namespace"), encoding="utf-8") as fh:
        namespace = fh.read().strip() or None
    return _connection_info(config, where, None, namespace, None)


def _connection_info(
    config: Any, where: str, private: str | None, namespace: str | None, expiry: Any
) -> kopf.ConnectionInfo:
    """What kopf's ``login_via_client`` extracts, plus proxy, namespace, expiry and in-memory keys."""
    header = config.get_api_key_with_prefix("BearerToken") or config.get_api_key_with_prefix("authorization")
    parts = header.split(" ", 1) if header else []
    scheme, token = (None, None) if not parts else (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    token = token.strip() or None if token else None  # token files end with a newline; client-go trims it
    if scheme and scheme.lower() == "bearer":
        scheme = "Bearer"
    material: dict[str, Any] = {}
    for field, path, label in (
        ("ca", config.ssl_ca_cert, "certificate authority"),
        ("certificate", config.cert_file, "client certificate"),
        ("private_key", config.key_file, "client key"),
    ):
        if not path:
            continue
        if not os.path.isfile(path):
            raise LoginError(f"cannot log in with {where}: {label} {path} does not exist")
        if private and os.path.dirname(os.path.abspath(path)) == private:
            with open(path, encoding="ascii", errors="replace") as fh:
                pem = fh.read()
            material[f"{field}_data"] = pem[pem.find("-----BEGIN") :] if "-----BEGIN" in pem else pem
        else:
            material[f"{field}_path"] = path
    if isinstance(expiry, datetime.datetime) and expiry.tzinfo is None:
        expiry = expiry.replace(tzinfo=datetime.UTC)
    info = kopf.ConnectionInfo(
        server=str(config.host).rstrip("/"),
        insecure=not config.verify_ssl,
        username=config.username or None,
        password=config.password or None,
        scheme=scheme,
        token=token,
        default_namespace=namespace,
        proxy_url=config.proxy or None,
        expiration=expiry if isinstance(expiry, datetime.datetime) else None,
        **material,
    )
    if info.server.startswith("https"):
        try:
            info.as_ssl_context()  # a mismatched key or a bad PEM: fail now, with the names
        except (OSError, ValueError) as exc:
            raise LoginError(f"cannot log in with {where}: {_reason(exc)}") from None
    return info


def _kubernetes(module: str) -> Any:
    """A module of the (untyped, and heavy: imported on first login) ``kubernetes`` package."""
    return importlib.import_module(f"kubernetes.{module}")


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


@contextlib.contextmanager
def _loader_errors() -> Iterator[list[str]]:
    """Collect (and keep out of our logs) what the kubernetes loaders log as errors in this thread.

    ``_load_from_exec_plugin`` logs a failing plugin with ``logging.error`` and returns as if the
    user had no credentials; the caller turns the collected messages into one :class:`LoginError`.
    """
    errors: list[str] = []
    thread = threading.get_ident()

    def capture(record: logging.LogRecord) -> bool:
        if record.thread == thread and record.levelno >= logging.ERROR and "kubernetes" in record.pathname:
            errors.append(_reason(Exception(record.getMessage())))
            return False
        return True

    loggers = [logging.getLogger(), logging.getLogger("kubernetes")]
    for lg in loggers:
        lg.addFilter(capture)
    try:
        yield errors
    finally:
        for lg in loggers:
            lg.removeFilter(capture)


def _forget_private_files(private: str) -> None:
    """Delete the loader's files (keys among them) and its cache entries that point at them."""
    with contextlib.suppress(ImportError):
        cache = getattr(_kubernetes("config.kube_config"), "_temp_files", None)
        if isinstance(cache, dict):
            for key, path in list(cache.items()):
                if os.path.dirname(os.path.abspath(str(path))) == private:
                    cache.pop(key, None)
    shutil.rmtree(private, ignore_errors=True)


# --------------------------------------------------------------------------- the shared login


class Login:
    """The process's one login: kopf's ``on.login`` handler and the facade read the same info.

    ``refresh(stale)`` re-runs the loader only if ``stale`` is still the current info, so a 401
    seen by kopf and by the facade at the same moment runs an exec plugin once, and both pick up
    the new credentials. The loader runs in a daemon thread bounded by ``timeout`` (a hung plugin
    neither blocks the event loop nor keeps the process from exiting).
    """

    def __init__(self, loader: Loader | None = None, *, timeout: float = LOGIN_TIMEOUT) -> None:
        self._loader: Loader = loader or load_connection_info
        self.timeout = timeout
        self.info: kopf.ConnectionInfo | None = None
        self.logins = 0  # runs of the loader that succeeded
        self._lock = asyncio.Lock()

    def login_now(self) -> kopf.ConnectionInfo:
        """Blocking first login (bounded by ``timeout``), for code that must fail before it starts."""
        if self.info is None or expired(self.info):
            self.info = self._count(_run_blocking(self._loader, self.timeout))
        return self.info

    async def current(self) -> kopf.ConnectionInfo:
        """The current info, logging in first if there is none or it has expired."""
        info = self.info
        if info is not None and not expired(info):
            return info
        return await self.refresh(info)

    async def refresh(self, stale: kopf.ConnectionInfo | None = None) -> kopf.ConnectionInfo:
        """Log in again because ``stale`` was refused, unless someone already replaced it."""
        async with self._lock:
            info = self.info
            if info is not None and info is not stale and not expired(info):
                return info
            self.info = self._count(await _run_in_thread(self._loader, self.timeout))
            return self.info

    def _count(self, info: kopf.ConnectionInfo) -> kopf.ConnectionInfo:
        self.logins += 1
        return info


def expired(info: kopf.ConnectionInfo) -> bool:
    """Whether credentials with an ``expirationTimestamp`` are (nearly) out of date."""
    when = info.expiration
    if when is None:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return when - EXPIRY_SKEW <= datetime.datetime.now(datetime.UTC)


def _timed_out(timeout: float) -> LoginError:
    return LoginError(
        f"cannot log in with {describe_source()}: no answer within {timeout:g} s "
        "(an exec plugin that hangs or waits for input?)"
    )


def _run_blocking(loader: Loader, timeout: float) -> kopf.ConnectionInfo:
    result: list[kopf.ConnectionInfo] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(loader())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=run, name="kube-login", daemon=True)
    thread.start()
    thread.join(timeout)
    if failure:
        raise failure[0]
    if not result:
        raise _timed_out(timeout)
    return result[0]


async def _run_in_thread(loader: Loader, seconds: float) -> kopf.ConnectionInfo:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[kopf.ConnectionInfo] = loop.create_future()

    def settle(value: kopf.ConnectionInfo | None, exc: BaseException | None) -> None:
        if future.done():
            return
        if isinstance(exc, StopIteration):  # a Future refuses StopIteration itself
            exc = RuntimeError(f"login loader raised {exc!r}")
        if exc is not None:
            future.set_exception(exc)
        else:
            assert value is not None
            future.set_result(value)

    def run() -> None:
        try:
            value, exc = loader(), None
        except BaseException as error:
            value, exc = None, error
        with contextlib.suppress(RuntimeError):  # the loop closed while we ran
            loop.call_soon_threadsafe(settle, value, exc)

    threading.Thread(target=run, name="kube-login", daemon=True).start()
    try:
        return await asyncio.wait_for(future, seconds)  # a timeout cancels the future; run() is ignored
    except TimeoutError:
        raise _timed_out(seconds) from None


_PROCESS_LOGIN: Login | None = None


def process_login() -> Login:
    """The login of this process (what ``--kubeconfig``/``$KUBECONFIG`` or the Pod give)."""
    global _PROCESS_LOGIN
    if _PROCESS_LOGIN is None:
        _PROCESS_LOGIN = Login()
    return _PROCESS_LOGIN
