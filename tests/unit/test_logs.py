"""Logging: the JSON formatter writes one object per line, with extra fields."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from ray_operator.logs import JsonFormatter, setup_logging


def make_record(msg: str, *args: Any, extra: dict[str, Any] | None = None, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("bad value")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("ray_operator.test", logging.WARNING, __file__, 10, msg, args, exc_info)
    record.created = 1_700_000_000.25
    record.msecs = 250.0
    for key, value in (extra or {}).items():
        setattr(record, key, value)
    return record


def test_json_formatter_standard_fields() -> None:
    line = JsonFormatter().format(make_record("reconciled %s/%s", "ns", "c"))
    assert json.loads(line) == {
        "ts": "2023-11-14T22:13:20.250Z",
        "level": "warning",
        "logger": "ray_operator.test",
        "msg": "reconciled ns/c",
    }


def test_json_formatter_includes_extra_fields() -> None:
    class Opaque:
        def __repr__(self) -> str:
            return "<opaque>"

    record = make_record(
        "x", extra={"namespace": "ns", "cluster": "c", "replicas": 3, "obj": Opaque(), "_private": "hidden"}
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["namespace"] == "ns"
    assert entry["cluster"] == "c"
    assert entry["replicas"] == 3
    assert entry["obj"] == "<opaque>"  # not JSON-serializable: repr
    assert "_private" not in entry
    for std in ("args", "levelno", "pathname", "lineno", "msecs", "created", "thread", "exc_info"):
        assert std not in entry


def test_json_formatter_is_one_line_even_with_newlines_and_tracebacks() -> None:
    record = make_record("first\nsecond ünïcode", exc=True)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["msg"] == "first\nsecond ünïcode"
    assert "ünïcode" in line  # ensure_ascii=False
    assert entry["error"].startswith("Traceback (most recent call last):")
    assert entry["error"].rstrip().endswith("ValueError: bad value")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("kopf").level, logging.getLogger("aiohttp.access").level)
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    logging.getLogger("kopf").setLevel(saved[2])
    logging.getLogger("aiohttp.access").setLevel(saved[3])


@pytest.mark.usefixtures("restore_logging")
def test_setup_logging_json_writes_one_object_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("debug", "json")
    log = logging.getLogger("ray_operator.something")
    log.info("hello %s", "world", extra={"cluster": "c1"})
    log.debug("second")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert (first["level"], first["msg"], first["cluster"], first["logger"]) == (
        "info",
        "hello world",
        "c1",
        "ray_operator.something",
    )
    assert (second["level"], second["msg"]) == ("debug", "second")
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("kopf").level == logging.WARNING
    assert logging.getLogger("aiohttp.access").level == logging.WARNING


@pytest.mark.usefixtures("restore_logging")
def test_setup_logging_text_and_kopf_level(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("ERROR", "text")
    assert len(logging.getLogger().handlers) == 1
    assert logging.getLogger("kopf").level == logging.ERROR  # never below the root level
    logging.getLogger("ray_operator.x").warning("dropped")
    logging.getLogger("ray_operator.x").error("kept")
    err = capsys.readouterr().err
    assert "dropped" not in err
    assert "ERROR   ray_operator.x: kept" in err
