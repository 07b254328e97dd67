"""Kubernetes resource quantities (``500m``, ``1.5``, ``2Gi``, ``1e3`` ...) with Go's exact semantics.

KubeRay derives user-visible strings from quantities: ``ray start --num-cpus`` / ``--memory``
(``Quantity.Value()``, which rounds UP to an integer), the ``--resources`` JSON
(``AsApproximateFloat64()``) and ``status.desiredCPU``/``desiredMemory``/... (``Quantity.String()`` of
sums). To produce the same bytes we model apimachinery's ``resource.Quantity`` closely: the exact
decimal value, the remembered format (binary SI, decimal SI, decimal exponent), the original text
Go keeps when it already looks canonical, and the internal (mantissa, exponent) representation that
the float conversion depends on. Values are exact :class:`~decimal.Decimal` numbers, never floats.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_UP, Decimal, Inexact, localcontext
from enum import StrEnum
from typing import Any

from ray_operator.goparse import wrap_int32


class QuantityError(ValueError):
    """The text is not a valid Kubernetes quantity."""


class Format(StrEnum):
    """How a quantity is written back, remembered from the suffix it was parsed with."""

    DECIMAL_EXPONENT = "DecimalExponent"  # 12e6
    BINARY_SI = "BinarySI"  # 12Mi
    DECIMAL_SI = "DecimalSI"  # 12M
    UNSET = ""  # the zero Quantity{} of Go; printed like DecimalExponent


_DECIMAL_SUFFIXES: dict[str, int] = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_BINARY_SUFFIXES: dict[str, int] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX_BY_EXPONENT = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
# Exponent 0 has no binary suffix: Go then prints the bare number (e.g. 1025 stays "1025").
_BINARY_SUFFIX_BY_EXPONENT = {0: "", **{exp: suffix for suffix, exp in _BINARY_SUFFIXES.items()}}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")
_INT64_MAX = (1 << 63) - 1
_MAX_INT64_DIGITS = 18  # apimachinery's maxInt64Factors
_NANO = -9
_PRECISION = 60  # decimal digits; quantities are bounded well below this


@dataclasses.dataclass(frozen=True)
class Quantity:
    """An immutable Kubernetes quantity.

    ``mantissa * 10**exponent`` is Go's internal representation (kept because
    :meth:`approximate_float` multiplies exactly those two numbers); ``text`` is the original string
    when Go would reuse it verbatim for ``String()``/JSON, else ``None``.
    """

    mantissa: int
    exponent: int
    format: Format
    text: str | None = None

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def parse(cls, raw: str | int | float) -> Quantity:
        """Parse like ``resource.ParseQuantity`` (JSON numbers are accepted as in Go's decoder)."""
        text = raw if isinstance(raw, str) else _json_number_text(raw)
        return _parse(text)

    @classmethod
    def zero(cls) -> Quantity:
        """Go's zero ``Quantity{}`` (no format), the start value of a sum."""
        return cls(0, 0, Format.UNSET)

    # -- values -------------------------------------------------------------------------------

    @property
    def value(self) -> Decimal:
        """The exact value."""
        return Decimal(f"{self.mantissa}e{self.exponent}")

    def is_zero(self) -> bool:
        return self.mantissa == 0

    def ceil(self) -> int:
        """``Quantity.Value()``: the integer value, fractions rounded up (away from zero)."""
        rounding = ROUND_CEILING if self.mantissa >= 0 else ROUND_FLOOR
        return int(self.value.to_integral_value(rounding=rounding))

    def approximate_float(self) -> float:
        """``AsApproximateFloat64()``: ``float(mantissa) * 10**exponent`` exactly as Go computes it."""
        base = float(self.mantissa)
        if self.exponent == 0:
            return base
        return base * _go_pow10(self.exponent)

    # -- arithmetic (results forget the original text, like Go) -------------------------------

    def add(self, other: Quantity) -> Quantity:
        """``q.Add(y)``: exact sum; a zero receiver takes the format of ``other``."""
        fmt = other.format if self.is_zero() else self.format
        if other.is_zero():
            return Quantity(self.mantissa, self.exponent, fmt)
        if self.is_zero():
            return Quantity(other.mantissa, other.exponent, fmt)
        exponent = min(self.exponent, other.exponent)
        mantissa = self.mantissa * 10 ** (self.exponent - exponent) + other.mantissa * 10 ** (other.exponent - exponent)
        return Quantity(mantissa, exponent, fmt)

    def mul(self, factor: int) -> Quantity:
        """``q.Mul(n)``: exact product, format kept."""
        if factor == 0 or self.is_zero():
            return Quantity(0, 0, self.format)
        return Quantity(self.mantissa * factor, self.exponent, self.format)

    # -- formatting ---------------------------------------------------------------------------

    def canonical(self) -> str:
        """The canonical form Go computes when it has no reusable original text."""
        if self.is_zero():
            return "0"
        fmt = self.format
        value = self.value
        if fmt is Format.BINARY_SI:
            if -1024 < value < 1024 or value != value.to_integral_value():
                fmt = Format.DECIMAL_SI
        elif fmt is Format.UNSET:
            fmt = Format.DECIMAL_EXPONENT
        if fmt is Format.BINARY_SI:
            number = int(value)
            power = 0
            while abs(number) >= 1024 and number % 1024 == 0:
                number //= 1024
                power += 10
            return f"{number}{_BINARY_SUFFIX_BY_EXPONENT.get(power, '')}"
        number, exponent = _strip_tens(self.mantissa, self.exponent)
        shift = exponent % 3  # floor the exponent to a multiple of 3
        number *= 10**shift
        exponent -= shift
        if fmt is Format.DECIMAL_EXPONENT:
            return f"{number}e{exponent}" if exponent else str(number)
        return f"{number}{_DECIMAL_SUFFIX_BY_EXPONENT.get(exponent, '')}"

    def __str__(self) -> str:
        """``Quantity.String()`` / the JSON form."""
        return self.text if self.text is not None else self.canonical()

    def __repr__(self) -> str:
        return f"Quantity({str(self)!r}, {self.format.value or 'unset'})"


def parse_quantity(raw: Any) -> Quantity | None:
    """Parse a quantity from a manifest value; ``None`` for missing or invalid values."""
    if raw is None or isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    try:
        return Quantity.parse(raw)
    except QuantityError:
        return None


# --- GPU / TPU resource names ---------------------------------------------------------------------

TPU_RESOURCE = "google.com/tpu"
_MIG_RESOURCE = re.compile(r"nvidia\.com/mig-\d+g\.\d+gb$", re.ASCII)


def is_gpu_resource(name: str) -> bool:
    """KubeRay's GPU rule: the name ends with ``gpu`` or is an NVIDIA MIG slice."""
    return name.endswith("gpu") or _MIG_RESOURCE.search(name) is not None


# --- sums over pod templates ----------------------------------------------------------------------


def container_resources(container: Mapping[str, Any]) -> dict[str, Quantity]:
    """Requests of one container, each resource falling back to its limit when not requested."""
    resources = container.get("resources") or {}
    out: dict[str, Quantity] = {}
    for name, raw in (resources.get("requests") or {}).items():
        q = parse_quantity(raw)
        if q is not None:
            out[name] = q
    for name, raw in (resources.get("limits") or {}).items():
        if name not in out:
            q = parse_quantity(raw)
            if q is not None:
                out[name] = q
    return out


def pod_resources(pod_spec: Mapping[str, Any]) -> dict[str, Quantity]:
    """Sum of :func:`container_resources` over the regular containers of a pod spec.

    Init containers and containers the operator injects are not counted, as in KubeRay.
    """
    total: dict[str, Quantity] = {}
    for container in pod_spec.get("containers") or ():
        for name, q in container_resources(container).items():
            total[name] = total[name].add(q) if name in total else q
    return total


def sum_resources(lists: Iterable[Mapping[str, Quantity]]) -> dict[str, Quantity]:
    """Per-resource sums; the first contribution keeps its text and format (Go's SumResourceList)."""
    total: dict[str, Quantity] = {}
    for resources in lists:
        for name, q in resources.items():
            total[name] = total[name].add(q) if name in total else q
    return total


def sum_gpus(resources: Mapping[str, Quantity]) -> Quantity:
    """Total of every non-zero GPU resource (``status.desiredGPU``); ``0`` when there is none."""
    total = Quantity.zero()
    for name in sorted(resources):
        q = resources[name]
        if is_gpu_resource(name) and not q.is_zero():
            total = total.add(q)
    return total


# --- internals ------------------------------------------------------------------------------------


def _json_number_text(number: int | float) -> str:
    if isinstance(number, int):
        return str(number)
    text = repr(number)
    return text[:-2] if text.endswith(".0") else text


def _scan(text: str) -> tuple[bool, str, str, str, str]:
    """Split ``text`` into (positive, numeric text, integer digits, fraction digits, suffix).

    Mirrors apimachinery's hand-written scanner, including what it tolerates (``1.``, ``.5``).
    """
    end = len(text)
    pos = 0
    positive = True
    if pos < end and text[0] in "+-":
        positive = text[0] == "+"
        pos += 1
    while True:  # leading zeros
        if pos >= end:
            return positive, "0", "0", "", ""
        if text[pos] != "0":
            break
        pos += 1
    start = pos
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos >= end:
        return positive, text, text[start:] or "0", "", ""
    num = text[start:pos] or "0"
    denom = ""
    if text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
        if pos >= end:
            return positive, text, num, denom, ""
    value = text[:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos >= end:
        return positive, value, num, denom, text[suffix_start:]
    if text[pos] in "+-":
        pos += 1
    while pos < end and text[pos] in _DIGITS:
        pos += 1
    if pos < end:
        raise QuantityError(f"quantity {text!r} does not match the expected format")
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int, Format]:
    """(base, exponent, format) of a suffix."""
    if suffix in _DECIMAL_SUFFIXES:
        return 10, _DECIMAL_SUFFIXES[suffix], Format.DECIMAL_SI
    if suffix in _BINARY_SUFFIXES:
        return 2, _BINARY_SUFFIXES[suffix], Format.BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        digits = suffix[1:]
        body = digits[1:] if digits[0] in "+-" else digits
        if body and all(c in _DIGITS for c in body):
            exponent = int(digits)
            if -(1 << 63) <= exponent < (1 << 63):
                return 10, wrap_int32(exponent), Format.DECIMAL_EXPONENT  # Go keeps the exponent in an int32
    raise QuantityError(f"unable to parse quantity's suffix {suffix!r}")


def _parse(text: str) -> Quantity:
    if not text:
        raise QuantityError("empty quantity")
    if text == "0":
        return Quantity(0, 0, Format.DECIMAL_SI, "0")
    positive, value_text, num, denom, suffix = _scan(text)
    base, exponent, fmt = _interpret(suffix)

    # Fast path of Go: small enough to live in an int64 mantissa with a base-10 scale >= nano.
    multiplier = 1
    if fmt is Format.BINARY_SI:
        scale = 0
        if exponent >= 0 and not denom:
            multiplier = 1 << exponent
            precision = 15 - len(num) - exponent * 3 // 10 - 1
        else:
            precision = -1
    else:
        scale = exponent
        precision = _MAX_INT64_DIGITS - (len(num) + len(denom))
    if precision >= 0:
        scale -= len(denom)
        if scale >= _NANO:
            shifted = num + denom
            digits_value = int(shifted)
            result = digits_value * multiplier
            if result <= _INT64_MAX:
                if not positive:
                    result = -result
                reuse_text = (
                    exponent % 10 == 0 and digits_value & 0x07 != 0
                    if fmt is Format.BINARY_SI
                    else scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0"
                )
                return Quantity(result, scale, fmt, text if reuse_text else None)

    # Slow path: arbitrary precision, rounded up to nano units, capped for binary SI.
    try:
        return _parse_slow(text, value_text, base, exponent, fmt)
    except ArithmeticError as exc:
        raise QuantityError(f"unable to parse numeric part of quantity {text!r}") from exc


def _parse_slow(text: str, value_text: str, base: int, exponent: int, fmt: Format) -> Quantity:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        ctx.traps[Inexact] = True  # never round silently: such quantities are rejected instead
        amount = Decimal(value_text)
        amount = amount.scaleb(exponent) if base == 10 else amount * (2**exponent)
        negative = amount < 0
        amount = abs(amount)
        if amount != 0:
            ctx.traps[Inexact] = False
            amount = amount.quantize(Decimal("1e-9"), rounding=ROUND_UP)
            if fmt is Format.BINARY_SI and amount > _INT64_MAX:
                amount = Decimal(_INT64_MAX)  # Go's cap carries scale 0
            if fmt is Format.BINARY_SI and amount < 1:
                fmt = Format.DECIMAL_SI
        if negative:
            amount = -amount
    sign, digits, exp = amount.as_tuple()
    mantissa = int("".join(map(str, digits)) or "0")
    if sign:
        mantissa = -mantissa
    assert isinstance(exp, int)
    return Quantity(mantissa, exp, fmt)


def _strip_tens(mantissa: int, exponent: int) -> tuple[int, int]:
    """Remove trailing decimal zeros from the mantissa."""
    if mantissa == 0:
        return 0, 0
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    return mantissa, exponent


def _go_pow10(n: int) -> float:
    """Go's ``math.Pow10``: table lookups of correctly rounded powers of ten."""
    if 0 <= n <= 308:
        return float(f"1e{32 * (n // 32)}") * float(f"1e{n % 32}")
    if -323 <= n < 0:
        m = -n
        return float(f"1e-{32 * (m // 32)}") / float(f"1e{m % 32}")
    return float("inf") if n > 0 else 0.0
