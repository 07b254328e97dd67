"""Go standard-library semantics the operator must reproduce exactly (KubeRay is written in Go).

Annotations, ``rayStartParams`` and ``spec.rayVersion`` are parsed by KubeRay with ``strconv``,
``time.ParseDuration`` and apimachinery's ``version.ParseGeneric``, and error texts embed Go's
``%q`` quoting. Python's own parsers are more lenient (``int(" 7")``, ``int("5_0")``, ``int("٣")``
all succeed; ``\\s`` in a regex also matches ``\\v``), so every such value goes through here.
"""

from __future__ import annotations

import re
from typing import Final

from ray_operator.builders.goquote import go_quote

__all__ = ["go_quote"]

# --- fmt %q ---------------------------------------------------------------------------------------


# --- k8s.io/apimachinery version.ParseGeneric -----------------------------------------------------

_VERSION_RE: Final = re.compile(r"[\t\n\f\r ]*v?([0-9]+(?:\.[0-9]+)*)(.*)", re.ASCII)
_UINT64_MAX: Final = (1 << 64) - 1


def parse_generic_version(text: str) -> tuple[int, ...]:
    """Numeric components of ``text`` like k8s ``version.ParseGeneric``; ``ValueError`` with Go's text.

    KubeRay compares ``spec.rayVersion`` with this parser (auth and priority rules, probe style), so
    ``2.52`` equals ``2.52.0`` and anything after the numbers (``-rc1``) is ignored. Leading
    whitespace is RE2's ``\\s`` (``[\\t\\n\\f\\r ]``, not ``\\v``).
    """
    match = _VERSION_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"could not parse {go_quote(text)} as version")
    components = match.group(1).split(".")
    if len(components) < 2:
        raise ValueError(f"illegal version string {go_quote(text)}")
    numbers = []
    for i, comp in enumerate(components):
        if i == 0 and comp.startswith("0") and comp != "0":
            raise ValueError(f"illegal zero-prefixed version component {go_quote(comp)} in {go_quote(text)}")
        number = int(comp)
        if number > _UINT64_MAX:
            raise ValueError(
                f"illegal non-numeric version component {go_quote(comp)} in {go_quote(text)}: "
                f"strconv.ParseUint: parsing {go_quote(comp)}: value out of range"
            )
        numbers.append(number)
    return tuple(numbers)


def version_less_than(version: tuple[int, ...], minimum: tuple[int, ...]) -> bool:
    """``Version.LessThan`` of two generic versions (missing trailing components count as 0)."""
    width = max(len(version), len(minimum))
    return version + (0,) * (width - len(version)) < minimum + (0,) * (width - len(minimum))


# --- strconv and time.ParseDuration ---------------------------------------------------------------

_INT64_LIMIT: Final = 1 << 63
_INT_TEXT: Final = re.compile(r"[+-]?[0-9]+", re.ASCII)


def parse_go_int(text: str, bit_size: int = 64) -> int | None:
    """Go ``strconv.ParseInt(text, 10, bit_size)`` (``strconv.Atoi`` with the default 64); ``None`` on error.

    Only an optional ``+``/``-`` sign and ASCII digits: no spaces, no ``_`` separators, no other
    Unicode digits (all of which Python's ``int()`` accepts), and the value must fit ``bit_size`` bits.
    """
    if _INT_TEXT.fullmatch(text) is None:
        return None
    value = int(text)
    limit = 1 << (bit_size - 1)
    return value if -limit <= value < limit else None


def wrap_int32(value: int) -> int:
    """``int32(value)`` in Go: two's-complement wrap-around instead of an overflow error."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


_DURATION_UNITS: Final = {
    "ns": 1,
    "us": 1_000,
    "\u00b5s": 1_000,
    "\u03bcs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": 3600 * 1_000_000_000,
}


def parse_go_duration(text: str) -> int | None:
    """Nanoseconds of a Go duration string (``1h30m``, ``-5s``, ``0``); ``None`` where Go errors."""
    s = text
    negative = False
    if s and s[0] in "+-":
        negative = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        return None
    total = 0
    while s:
        if not (s[0] == "." or (s[0].isascii() and s[0].isdigit())):
            return None
        digits = len(s) - len(s.lstrip("0123456789"))
        whole = int(s[:digits]) if digits else 0
        if whole > _INT64_LIMIT:
            return None
        s = s[digits:]
        fraction, scale, frac_digits = 0, 1.0, 0
        if s.startswith("."):
            s = s[1:]
            frac_digits = len(s) - len(s.lstrip("0123456789"))
            overflow = False
            for ch in s[:frac_digits]:
                if overflow or fraction > (_INT64_LIMIT - 1) // 10:
                    overflow = True
                    continue
                candidate = fraction * 10 + int(ch)
                if candidate > _INT64_LIMIT:
                    overflow = True
                    continue
                fraction, scale = candidate, scale * 10
            s = s[frac_digits:]
        if not digits and not frac_digits:
            return None
        end = 0
        while end < len(s) and not (s[end] == "." or (s[end].isascii() and s[end].isdigit())):
            end += 1
        unit = _DURATION_UNITS.get(s[:end]) if end else None
        if unit is None:
            return None
        s = s[end:]
        if whole > _INT64_LIMIT // unit:
            return None
        value = whole * unit
        if fraction > 0:
            value += int(float(fraction) * (float(unit) / scale))
            if value > _INT64_LIMIT:
                return None
        total += value
        if total > _INT64_LIMIT:
            return None
    if negative:
        return -total
    return None if total > _INT64_LIMIT - 1 else total
