"""Control-plane binaries built from Go modules, cached outside the repository.

There is no Docker and no download site for release binaries on our build machines, only the Go
module proxy. The pinning modules live in ``hack/toolchain/<name>/go.mod`` (+ ``go.sum``); each
``tool`` line there is one binary. They are built once into a cache directory whose name carries
the versions and a hash of the pins, so changing a pin rebuilds and nothing is ever stale.

``RAY_OPERATOR_BIN_DIR`` points at a directory of prebuilt binaries instead (no Go needed).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KUBERNETES_VERSION = "1.36.4"
ETCD_VERSION = "3.6.14"
KWOK_VERSION = "0.8.0"
HELM_VERSION = "3.21.4"

#: binary name -> pinning module directory (under hack/toolchain) and Go package
BINARIES: dict[str, tuple[str, str]] = {
    "kube-apiserver": ("k8s", "k8s.io/kubernetes/cmd/kube-apiserver"),
    "kube-controller-manager": ("k8s", "k8s.io/kubernetes/cmd/kube-controller-manager"),
    "kube-scheduler": ("k8s", "k8s.io/kubernetes/cmd/kube-scheduler"),
    "kubectl": ("k8s", "k8s.io/kubernetes/cmd/kubectl"),
    "etcd": ("etcd", "go.etcd.io/etcd/server/v3"),
    "kwok": ("kwok", "sigs.k8s.io/kwok/cmd/kwok"),
    "helm": ("helm", "helm.sh/helm/v3/cmd/helm"),
}
#: what the local cluster cannot start without (helm is only for chart tests)
REQUIRED = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl", "kwok")

BIN_DIR_ENV = "RAY_OPERATOR_BIN_DIR"
CACHE_ENV = "RAY_OPERATOR_CACHE_DIR"


class ToolchainError(RuntimeError):
    """The binaries are missing and cannot be built; the message says what to do."""


@dataclass(frozen=True)
class Toolchain:
    """Where the binaries are."""

    bin_dir: Path

    def path(self, name: str) -> str:
        """Absolute path of binary ``name``."""
        return str(self.bin_dir / name)


def cache_root() -> Path:
    """``$RAY_OPERATOR_CACHE_DIR`` or ``$XDG_CACHE_HOME/ray-operator`` (``~/.cache/ray-operator``)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ray-operator"


def find_repo_root(start: Path | None = None) -> Path:
    """The checkout holding ``hack/toolchain`` (this package is used from a source checkout)."""
    here = (start or Path(__file__)).resolve()
    for parent in [here, *here.parents]:
        if (parent / "hack" / "toolchain").is_dir():
            return parent
    cwd = Path.cwd()
    if (cwd / "hack" / "toolchain").is_dir():
        return cwd
    raise ToolchainError(
        "cannot find hack/toolchain (the Go pins for the control-plane binaries); run from a "
        f"ray-operator checkout, or set {BIN_DIR_ENV} to a directory with: {', '.join(REQUIRED)}"
    )


def _pins_digest(toolchain_dir: Path) -> str:
    digest = hashlib.sha256()
    for module in sorted({module for module, _ in BINARIES.values()}):
        for name in ("go.mod", "go.sum"):
            f = toolchain_dir / module / name
            digest.update(f"{module}/{name}\n".encode())
            digest.update(f.read_bytes() if f.exists() else b"")
    return digest.hexdigest()[:12]


def cached_bin_dir(repo_root: Path | None = None) -> Path:
    """The versioned cache directory for the current pins."""
    toolchain_dir = find_repo_root(repo_root) / "hack" / "toolchain"
    name = (
        f"k8s{KUBERNETES_VERSION}-etcd{ETCD_VERSION}-kwok{KWOK_VERSION}-helm{HELM_VERSION}"
        f"-{_pins_digest(toolchain_dir)}"
    )
    return cache_root() / "toolchain" / name / "bin"


def _missing(bin_dir: Path, names: tuple[str, ...]) -> list[str]:
    return [n for n in names if not os.access(bin_dir / n, os.X_OK)]


def ensure_toolchain(
    names: tuple[str, ...] = REQUIRED, repo_root: Path | None = None, quiet: bool = False
) -> Toolchain:
    """Return a toolchain with ``names`` present, building what is missing from Go modules."""
    prebuilt = os.environ.get(BIN_DIR_ENV)
    if prebuilt:
        bin_dir = Path(prebuilt).expanduser().resolve()
        missing = _missing(bin_dir, names)
        if missing:
            raise ToolchainError(
                f"{BIN_DIR_ENV}={bin_dir} lacks executable(s): {', '.join(missing)}. "
                f"Put them there, or unset {BIN_DIR_ENV} to build them from Go modules."
            )
        return Toolchain(bin_dir)

    bin_dir = cached_bin_dir(repo_root)
    if not _missing(bin_dir, names):
        return Toolchain(bin_dir)
    bin_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(bin_dir.parent / ".lock"):
        missing = _missing(bin_dir, names)  # another process may have built them meanwhile
        if missing:
            _build(missing, bin_dir, find_repo_root(repo_root) / "hack" / "toolchain", quiet)
    return Toolchain(bin_dir)


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        raise ToolchainError(
            "Go is needed to build the local control plane (kube-apiserver, kube-controller-manager, "
            f"kube-scheduler, kubectl {KUBERNETES_VERSION}; etcd {ETCD_VERSION}; kwok {KWOK_VERSION}) "
            "but `go` is not on PATH. Install Go >= 1.26 (Debian: golang from backports, or "
            f"https://go.dev/dl), or set {BIN_DIR_ENV} to a directory holding those binaries."
        )
    return go


def _ldflags(module: str) -> str:
    flags = ["-s", "-w"]
    if module == "k8s":
        minor = KUBERNETES_VERSION.split(".")[1]
        # Without version stamping the binaries report v0.0.0-master and kubectl warns on skew.
        for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
            flags += [
                f"-X {pkg}.gitVersion=v{KUBERNETES_VERSION}",
                f"-X {pkg}.gitMajor=1",
                f"-X {pkg}.gitMinor={minor}",
                f"-X {pkg}.gitTreeState=clean",
                f"-X {pkg}.buildDate=1970-01-01T00:00:00Z",
            ]
    elif module == "kwok":
        flags.append(f"-X sigs.k8s.io/kwok/pkg/consts.KubeVersion={KUBERNETES_VERSION}")
    elif module == "helm":
        flags.append(f"-X helm.sh/helm/v3/internal/version.version=v{HELM_VERSION}")
    return " ".join(flags)


_NETWORK_HINTS = re.compile(
    r"dial tcp|no such host|proxy|403 Forbidden|404 Not Found|verifying module|"
    r"connection refused|i/o timeout|TLS handshake|missing go.sum entry",
)


def _build(names: list[str], bin_dir: Path, toolchain_dir: Path, quiet: bool) -> None:
    go = _go()
    by_module: dict[str, list[str]] = {}
    for name in names:
        by_module.setdefault(BINARIES[name][0], []).append(name)
    env = dict(os.environ)
    env.update({"GOWORK": "off", "CGO_ENABLED": "0"})
    env["GOFLAGS"] = (env.get("GOFLAGS", "") + " -mod=readonly -modcacherw").strip()
    bin_dir.mkdir(parents=True, exist_ok=True)
    for module, binaries in sorted(by_module.items()):
        module_dir = toolchain_dir / module
        if not (module_dir / "go.mod").exists():
            raise ToolchainError(f"missing pin file {module_dir / 'go.mod'}")
        packages = [BINARIES[b][1] for b in binaries]
        started = time.monotonic()
        if not quiet:
            print(f"[toolchain] building {', '.join(binaries)} from Go modules ...", file=sys.stderr)
        with tempfile.TemporaryDirectory(dir=bin_dir.parent) as tmp:
            out = Path(tmp)
            target = f"{out}/" if len(packages) > 1 else str(out / binaries[0])
            cmd = [go, "build", "-trimpath", "-ldflags", _ldflags(module), "-o", target, *packages]
            if module == "k8s":
                cmd[2:2] = ["-tags", "selinux,notest,grpcnotrace"]
            proc = subprocess.run(cmd, cwd=module_dir, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                tail = "\n".join(proc.stderr.strip().splitlines()[-25:])
                hint = ""
                if _NETWORK_HINTS.search(proc.stderr):
                    hint = (
                        "\nA Go module could not be fetched. The build needs the Go module proxy "
                        f"(GOPROXY={env.get('GOPROXY') or 'default'}) and the checksum database "
                        "(GOSUMDB). Make them reachable, or pre-fill GOMODCACHE, or set "
                        f"{BIN_DIR_ENV} to prebuilt binaries."
                    )
                raise ToolchainError(f"building {', '.join(binaries)} failed (in {module_dir}):\n{tail}{hint}")
            for name in binaries:
                # `go build -o dir/` names each binary after the last element of its package path
                built = out / (Path(BINARIES[name][1]).name if len(packages) > 1 else name)
                os.replace(built, bin_dir / name)
        if not quiet:
            print(
                f"[toolchain] built {', '.join(binaries)} in {time.monotonic() - started:.0f}s",
                file=sys.stderr,
            )
