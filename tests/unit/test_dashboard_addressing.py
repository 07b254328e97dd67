"""Where dashboard and Serve-proxy traffic goes: override syntax, precedence, the override file, URLs."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from ray_operator.dashboard import addressing as a


def test_parse_inline_entries() -> None:
    parsed = a.parse_overrides(
        " ns/c=127.0.0.1:8265 , *=127.0.0.1:9000,ns/*:serve=[::1]:8000, ns/c:serve=localhost:8001"
    )
    assert parsed == {
        "ns/c": "127.0.0.1:8265",
        "*": "127.0.0.1:9000",
        "ns/*:serve": "[::1]:8000",
        "ns/c:serve": "localhost:8001",
    }
    assert a.parse_overrides("") == {}
    assert a.parse_overrides("\n# only a comment\n") == {}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("ns/c", "is not KEY=HOST:PORT"),
        ("=127.0.0.1:1", "is not KEY=HOST:PORT"),
        ("ns/c=", "is not KEY=HOST:PORT"),
        ("c=127.0.0.1:1", "bad key 'c'"),
        ("ns/c/d=127.0.0.1:1", "bad key"),
        ("*/c=127.0.0.1:1", "bad key"),
        ("ns/c:dash=127.0.0.1:1", "bad key"),
        ("ns/c=127.0.0.1", "bad address '127.0.0.1'"),
        ("ns/c=http://127.0.0.1:8265", "bad address"),
        ("ns/c=127.0.0.1:0", "bad address"),
        ("ns/c=127.0.0.1:70000", "bad address"),
        ("ns/c=::1:8265", "bad address"),
        ("*=127.0.0.1:1,*=127.0.0.1:2", "'*' given twice"),
    ],
)
def test_parse_rejects(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=r"^--ray-address-override: ") as err:
        a.parse_overrides(text)
    assert error in str(err.value)


def test_dashboard_precedence() -> None:
    overrides = {"ns/c": "h1:1", "ns/*": "h2:2", "*": "h3:3"}
    assert a.dashboard_override(overrides, "ns", "c") == "h1:1"
    assert a.dashboard_override(overrides, "ns", "d") == "h2:2"
    assert a.dashboard_override(overrides, "other", "c") == "h3:3"
    assert a.dashboard_override({"ns/c": "h1:1"}, "other", "c") is None
    assert a.dashboard_override({}, "ns", "c") is None
    # serve keys never address a dashboard
    assert a.dashboard_override({"*:serve": "h:1"}, "ns", "c") is None


def test_serve_precedence_and_derived_address() -> None:
    overrides = {"ns/c:serve": "s1:1", "ns/*:serve": "s2:2", "*:serve": "s3:3", "*": "dash:8265"}
    assert a.serve_override(overrides, "ns", "c", 8000) == "s1:1"
    assert a.serve_override(overrides, "ns", "d", 8000) == "s2:2"
    assert a.serve_override(overrides, "x", "c", 8000) == "s3:3"
    assert a.serve_override(overrides, "ns", "", 8000) == "s2:2"  # cluster unknown: namespace and global keys
    # No serve key: the dashboard override's host with the Pod's own port.
    assert a.serve_override({"ns/c": "127.0.0.1:8265"}, "ns", "c", 8123) == "127.0.0.1:8123"
    assert a.serve_override({"*": "[::1]:8265"}, "ns", "c", 8000) == "[::1]:8000"
    assert a.serve_override({"ns/c": "127.0.0.1:8265"}, "ns", "other", 8000) is None


def test_urls() -> None:
    assert (
        a.direct_dashboard_url("c-head-svc.ns.svc.cluster.local:8265") == "http://c-head-svc.ns.svc.cluster.local:8265"
    )
    assert (
        a.proxy_dashboard_url("https://10.0.0.1:6443/", "ns", "c-head-svc")
        == "https://10.0.0.1:6443/api/v1/namespaces/ns/services/c-head-svc:dashboard/proxy"
    )
    assert a.direct_serve_proxy_url("10.1.1.1", 8000) == "http://10.1.1.1:8000/"
    assert (
        a.proxy_serve_proxy_url("https://k:6443", "ns", "pod-1", 8000)
        == "https://k:6443/api/v1/namespaces/ns/pods/pod-1:8000/proxy/"
    )
    assert (a.DIRECT_TIMEOUT, a.PROXY_TIMEOUT) == (2.0, 10.0)


def _rewrite(path: Path, text: str) -> None:
    """Write and move the mtime forward, so a same-size rewrite within one tick is still seen."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_override_file_is_re_read_when_it_changes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "overrides"
    _rewrite(path, "# test clusters\nns/c=127.0.0.1:1\n\n*=127.0.0.1:2, ns/*:serve=127.0.0.1:3\n")
    overrides = a.load_overrides(f"@{path}")
    assert isinstance(overrides, a.OverrideFile)
    assert dict(overrides) == {"ns/c": "127.0.0.1:1", "*": "127.0.0.1:2", "ns/*:serve": "127.0.0.1:3"}
    assert a.dashboard_override(overrides, "ns", "c") == "127.0.0.1:1"

    _rewrite(path, "ns/c=127.0.0.1:9\n")
    assert a.dashboard_override(overrides, "ns", "c") == "127.0.0.1:9"
    assert a.dashboard_override(overrides, "other", "c") is None

    # A broken edit keeps the last good entries (and warns once).
    with caplog.at_level(logging.WARNING, logger=a.__name__):
        _rewrite(path, "ns/c=oops\n")
        assert a.dashboard_override(overrides, "ns", "c") == "127.0.0.1:9"
        assert a.dashboard_override(overrides, "ns", "c") == "127.0.0.1:9"
    assert len([r for r in caplog.records if "bad address 'oops'" in r.getMessage()]) == 1

    path.unlink()
    assert a.dashboard_override(overrides, "ns", "c") == "127.0.0.1:9"
    _rewrite(path, "ns/c=127.0.0.1:10\n")
    assert a.dashboard_override(overrides, "ns", "c") == "127.0.0.1:10"


def test_load_overrides_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        a.load_overrides(f"@{tmp_path / 'missing'}")
    with pytest.raises(ValueError, match="needs a file path"):
        a.load_overrides("@")
    bad = tmp_path / "bad"
    bad.write_text("nonsense\n")
    with pytest.raises(ValueError, match=f"^@{bad}: 'nonsense' is not KEY=HOST:PORT"):
        a.load_overrides(f"@{bad}")
    assert a.load_overrides("  ") == {}
    assert a.load_overrides("*=127.0.0.1:8265") == {"*": "127.0.0.1:8265"}
