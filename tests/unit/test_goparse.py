"""Go standard-library semantics: expectations are what Go's ``strconv``, ``time.ParseDuration``,
``fmt`` and apimachinery's ``version.ParseGeneric`` return for the same input."""

from __future__ import annotations

import pytest

from ray_operator.goparse import (
    go_quote,
    parse_generic_version,
    parse_go_duration,
    parse_go_int,
    version_less_than,
    wrap_int32,
)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2.53.0", (2, 53, 0)),
        ("2.53", (2, 53)),
        ("v2.9.3", (2, 9, 3)),
        (" 2.10.0-rc1", (2, 10, 0)),
        ("\t\n\f\r 2.1", (2, 1)),
        ("2.53.0.dev0", (2, 53, 0)),
        ("0.9", (0, 9)),
        ("2.09", (2, 9)),  # only the first component may not have a leading zero
    ],
)
def test_parse_generic_version(text: str, parsed: tuple[int, ...]) -> None:
    assert parse_generic_version(text) == parsed


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2", 'illegal version string "2"'),
        ("nightly", 'could not parse "nightly" as version'),
        ("", 'could not parse "" as version'),
        ("\v2.53.0", 'could not parse "\\v2.53.0" as version'),  # RE2's \s is [\t\n\f\r ], without \v
        ("2.53.0\n", 'could not parse "2.53.0\\n" as version'),  # "." does not match a newline
        ("02.53.0", 'illegal zero-prefixed version component "02" in "02.53.0"'),
        (
            "2.18446744073709551616",
            'illegal non-numeric version component "18446744073709551616" in "2.18446744073709551616": '
            'strconv.ParseUint: parsing "18446744073709551616": value out of range',
        ),
    ],
)
def test_parse_generic_version_errors(text: str, error: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_generic_version(text)
    assert str(excinfo.value) == error


def test_version_less_than_pads_missing_components() -> None:
    assert version_less_than((2, 52), (2, 52, 1))
    assert not version_less_than((2, 52), (2, 52, 0))
    assert not version_less_than((2, 53, 0, 1), (2, 53))
    assert version_less_than((2, 9, 9), (2, 10))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("+42", 42),
        ("-42", -42),
        ("007", 7),
        ("9223372036854775807", 9223372036854775807),
        ("-9223372036854775808", -9223372036854775808),
        ("9223372036854775808", None),
        ("5_0", None),  # Python's int() accepts all of these
        (" 7", None),
        ("7 ", None),
        ("7\n", None),
        ("\u0663", None),  # ARABIC-INDIC DIGIT THREE
        ("", None),
        ("+", None),
        ("1e3", None),
        ("0x10", None),
    ],
)
def test_parse_go_int_is_strconv_atoi(text: str, value: int | None) -> None:
    assert parse_go_int(text) == value


def test_parse_go_int_bit_size() -> None:
    assert parse_go_int("2147483647", 32) == 2147483647
    assert parse_go_int("-2147483648", 32) == -2147483648
    assert parse_go_int("2147483648", 32) is None
    assert parse_go_int("-2147483649", 32) is None


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("0", 0),
        ("5s", 5_000_000_000),
        ("1h30m", 5_400_000_000_000),
        ("-1.5m", -90_000_000_000),
        ("300ms", 300_000_000),
        ("1\u00b5s", 1_000),
        ("5", None),  # a unit is required except for "0"
        ("", None),
        ("5 s", None),
        ("1d", None),
    ],
)
def test_parse_go_duration(text: str, nanoseconds: int | None) -> None:
    assert parse_go_duration(text) == nanoseconds


def test_wrap_int32() -> None:
    assert wrap_int32(2**31 - 1) == 2**31 - 1
    assert wrap_int32(2**31) == -(2**31)
    assert wrap_int32(-(2**31) - 1) == 2**31 - 1
    assert wrap_int32(2**32 + 5) == 5


def test_go_quote() -> None:
    assert go_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert go_quote("tab\there\v") == '"tab\\there\\v"'
    assert go_quote("\x00\x7f\u200b") == '"\\x00\\x7f\\u200b"'
    assert go_quote("héllo 世界") == '"héllo 世界"'
