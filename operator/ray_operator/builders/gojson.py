"""Byte-exact encoding of JSON values the way Go's ``encoding/json`` writes them.

KubeRay embeds Go-encoded JSON in places users and other tools can see: the ``--resources='{...}'``
flag of ``ray start`` and the SHA-1 spec hash on head Pods. Python's :mod:`json` differs in small
ways (``1.0`` vs ``1``, HTML escaping, separators), so these helpers reproduce Go's output.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ray_operator.builders.gostructs import OMITEMPTY, OMITZERO, STRUCTS
from ray_operator.quantity import parse_quantity

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_string(value: str) -> str:
    """A JSON string literal as Go writes it (HTML-safe escaping of ``<``, ``>``, ``&``)."""
    encoded = json.dumps(value, ensure_ascii=False)
    if any(ch in encoded for ch in _HTML_ESCAPES):
        encoded = "".join(_HTML_ESCAPES.get(ch, ch) for ch in encoded)
    return encoded


def go_float(value: float) -> str:
    """A float64 as Go's JSON encoder writes it: shortest digits, ``1`` not ``1.0``, ``1e-7``."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {value!r}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = repr(value)  # shortest round-trip digits, exponent form in this range
        if len(text) >= 4 and text[-4:-1] in ("e-0",):
            text = text[:-2] + text[-1]  # Go writes e-7, not e-07 (positive exponents keep e+21)
        return text
    return format(Decimal(repr(value)).normalize(), "f")


def go_float_map(values: Mapping[str, float]) -> str:
    """``json.Marshal(map[string]float64)``: sorted keys, no spaces."""
    items = (f"{go_string(key)}:{go_float(values[key])}" for key in sorted(values))
    return "{" + ",".join(items) + "}"


# --- schema-driven json.Marshal of Go structs -----------------------------------------------------
#
# ``type_expr`` strings come from :mod:`ray_operator.builders.gostructs`: a struct name, ``*T``,
# ``[]T``, ``map:T`` or a scalar kind. Input values are what the API server returns (dicts, lists,
# strings, numbers); ``None`` and missing keys both mean Go's zero value.

_SCALAR_ZERO = {
    "string": '""',
    "int": "0",
    "float": "0",
    "bool": "false",
    "quantity": '"0"',
    "intorstring": "0",
    "time": "null",
    "raw": "null",
    "bytes": "null",
}


def _is_empty(value: Any, type_expr: str) -> bool:
    """Go's ``omitempty`` test on the decoded Go value."""
    if value is None:
        return type_expr not in STRUCTS and type_expr not in ("quantity", "intorstring", "time", "raw")
    if type_expr.startswith("*"):
        return False
    if type_expr.startswith(("[]", "map:")) or type_expr == "bytes":
        return not value
    if type_expr == "string":
        return isinstance(value, str) and not value
    if type_expr in ("int", "float"):
        return _as_number(value) == 0
    if type_expr == "bool":
        return value is False
    return False


def _as_number(value: Any) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0


def go_marshal(value: Any, type_expr: str) -> str:
    """``json.Marshal`` of ``value`` decoded into the Go type ``type_expr``."""
    if type_expr.startswith("*"):
        return "null" if value is None else go_marshal(value, type_expr[1:])
    if value is None:
        if type_expr in STRUCTS:
            return go_marshal({}, type_expr)
        return "null" if type_expr.startswith(("[]", "map:")) else _SCALAR_ZERO[type_expr]
    if type_expr.startswith("[]"):
        return "[" + ",".join(go_marshal(item, type_expr[2:]) for item in value) + "]"
    if type_expr.startswith("map:"):
        items = (f"{go_string(str(key))}:{go_marshal(value[key], type_expr[4:])}" for key in sorted(value))
        return "{" + ",".join(items) + "}"
    if type_expr in STRUCTS:
        parts: list[str] = []
        for field in STRUCTS[type_expr]:
            name, field_type, flags = field[0], field[1], field[2]
            raw = value.get(name) if isinstance(value, Mapping) else None
            if flags & OMITEMPTY and _is_empty(raw, field_type):
                continue
            if flags & OMITZERO and raw is None:
                continue
            parts.append(f"{go_string(name)}:{go_marshal(raw, field_type)}")
        return "{" + ",".join(parts) + "}"
    return _marshal_scalar(value, type_expr)


def _marshal_scalar(value: Any, type_expr: str) -> str:
    if type_expr == "string":
        return go_string(value if isinstance(value, str) else str(value))
    if type_expr == "int":
        return str(int(_as_number(value)))
    if type_expr == "float":
        return go_float(float(_as_number(value)))
    if type_expr == "bool":
        return "true" if value is True else "false"
    if type_expr == "quantity":
        quantity = parse_quantity(value)
        return go_string(str(quantity) if quantity is not None else str(value))
    if type_expr == "intorstring":
        return go_string(value) if isinstance(value, str) else str(int(_as_number(value)))
    if type_expr == "bytes":
        return go_string(value if isinstance(value, str) else "")  # already base64 in JSON
    # time / raw: kept as received (only reachable through fields KubeRay's CRD prunes)
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def apply_crd_defaults(value: Any, type_expr: str) -> Any:
    """A copy of ``value`` with the defaults KubeRay's CRD makes the API server fill in.

    Defaults only apply inside objects that are present, as for any structural CRD schema.
    """
    type_expr = type_expr.lstrip("*")
    if value is None:
        return None
    if type_expr.startswith("[]"):
        return [apply_crd_defaults(item, type_expr[2:]) for item in value] if isinstance(value, list) else value
    if type_expr.startswith("map:"):
        if not isinstance(value, Mapping):
            return value
        return {key: apply_crd_defaults(item, type_expr[4:]) for key, item in value.items()}
    if type_expr not in STRUCTS or not isinstance(value, Mapping):
        return value
    out = dict(value)
    for field in STRUCTS[type_expr]:
        name, field_type = field[0], field[1]
        if out.get(name) is None and len(field) > 3:
            out[name] = field[3]
        elif name in out:
            out[name] = apply_crd_defaults(out[name], field_type)
    return out
