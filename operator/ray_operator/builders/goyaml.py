"""``sigs.k8s.io/yaml.YAMLToJSON``, which KubeRay applies to ``spec.runtimeEnvYAML``.

The result goes into ``ray job submit --runtime-env-json``, so it must match Go byte for byte.
``YAMLToJSON`` is go-yaml v2 (YAML 1.1 scalars: ``yes``/``on``/``y`` are booleans, ``0755`` is
octal, ``1_000`` is 1000, dates stay strings) followed by Go's ``json.Marshal`` (sorted keys,
HTML-safe escaping, ``1.0`` written as ``1``). PyYAML's resolver differs, so only its parser is
used and each plain scalar is resolved with go-yaml's rules. Syntax errors carry go-yaml's line
number but PyYAML's wording.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import struct
from typing import Any, Final

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner, ScannerError

from ray_operator.builders.gojson import go_float, go_string

_TAG: Final = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
_BINARY, _MERGE = _TAG + "binary", _TAG + "merge"
_PLAIN: Final = "?plain"  # marker tag of untagged, unquoted scalars
_INT64_MAX, _UINT64_MAX = (1 << 63) - 1, (1 << 64) - 1

_WORDS: Final[dict[str, Any]] = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], None),
    **dict.fromkeys([".nan", ".NaN", ".NAN"], math.nan),
    **dict.fromkeys([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], math.inf),
    **dict.fromkeys(["-.inf", "-.Inf", "-.INF"], -math.inf),
}
#: ``strconv.ParseInt(s, 0, 64)`` syntax: base prefixes, and a leading ``0`` means octal.
_GO_INT: Final = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)", re.ASCII)
_YAML_FLOAT: Final = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", re.ASCII)
_DOT_FLOAT: Final = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?", re.ASCII)
#: go-yaml's alias-bomb guard: once past 1000 decodes (100 from aliases), aliases may make up at
#: most 99% of them up to 400k decodes, falling linearly to 10% at 4M.
_ALIAS_LIMITS: Final = (400_000, 4_000_000)


class GoYAMLError(ValueError):
    """YAML that ``YAMLToJSON`` rejects (Go's text for value errors, PyYAML's for syntax errors)."""


class _Resolver(BaseResolver):
    """Tags plain scalars ``?plain`` and leaves their resolution to :func:`_resolve_plain`."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


class _Loader(Reader, Scanner, Parser, Composer, _Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Resolver.__init__(self)
        self.anchor_names: dict[int, str] = {}

    def compose_sequence_node(self, anchor: Any) -> SequenceNode:
        node = super().compose_sequence_node(anchor)
        self.anchor_names[id(node)] = anchor or ""
        return node

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node = super().compose_mapping_node(anchor)
        self.anchor_names[id(node)] = anchor or ""
        return node


def _go_int(text: str) -> int | None:
    """``ParseInt(text, 0, 64)``, else ``ParseUint(text, 0, 64)`` (no sign); ``None`` if neither."""
    if _GO_INT.fullmatch(text) is None:
        return None
    digits = text.lstrip("+-")
    base = {"0x": 16, "0o": 8, "0b": 2}.get(digits[:2].lower(), 0)
    value = int(digits[2:], base) if base else int(digits, 8 if digits[0] == "0" else 10)
    if text[0] == "-":
        return -value if value <= _INT64_MAX + 1 else None
    return value if value <= _INT64_MAX or (text[0] != "+" and value <= _UINT64_MAX) else None


def _go_float(text: str) -> float | None:
    """``strconv.ParseFloat`` of an already-checked decimal; overflow is an error in Go."""
    value = float(text)
    return None if math.isinf(value) else value


def _resolve_plain(value: str) -> Any:
    """go-yaml v2 ``resolve`` of a plain scalar; the first character decides what is tried."""
    if value in _WORDS:
        return _WORDS[value]
    if value[0] == ".":
        number = _go_float(value) if _DOT_FLOAT.fullmatch(value) else None
        return value if number is None else number
    if value[0] not in "0123456789+-":
        return value
    plain = value.replace("_", "")
    integer = _go_int(plain)
    if integer is not None:
        return integer
    number = _go_float(plain) if _YAML_FLOAT.fullmatch(plain) else None
    return value if number is None else number


def _short_tag(value: Any) -> str:
    if value is None:
        return "!!null"
    if isinstance(value, bool):
        return "!!bool"
    return "!!int" if isinstance(value, int) else "!!float" if isinstance(value, float) else "!!str"


def _resolve_tagged(tag: str, value: str) -> Any:
    """A scalar with an explicit tag: the value must fit it (unknown tags give the string)."""
    if tag == _BINARY:
        try:
            return base64.b64decode(re.sub("[\r\n]", "", value), validate=True).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError) as exc:
            raise GoYAMLError("yaml: !!binary value contains invalid base64 data") from exc
    if tag not in (_BOOL, _INT, _FLOAT, _NULL):
        return value
    resolved = _resolve_plain(value)
    wanted = "!!" + tag[len(_TAG) :]
    if _short_tag(resolved) == wanted:
        return resolved
    if wanted == "!!float" and _short_tag(resolved) == "!!int":
        return float(resolved)
    raise GoYAMLError(f"yaml: cannot decode {_short_tag(resolved)} `{value}` as a {wanted}")


def _to_float32(value: float) -> float:
    try:
        return float(struct.unpack("f", struct.pack("f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def _float32_g(value: float) -> str:
    """``strconv.FormatFloat(value, 'g', -1, 32)``: how ``YAMLToJSON`` writes a float map key."""
    single = _to_float32(value)
    if math.isnan(single) or math.isinf(single):
        return ".nan" if math.isnan(single) else ".inf" if single > 0 else "-.inf"
    if single == 0:
        return "-0" if math.copysign(1.0, single) < 0 else "0"
    text = ""
    for precision in range(9):  # the shortest digits that read back as the same float32
        text = f"{abs(single):.{precision}e}"
        if _to_float32(float(text)) == abs(single):
            break
    mantissa, _, exp_text = text.partition("e")
    digits, exponent, sign = mantissa.replace(".", ""), int(exp_text), "-" if single < 0 else ""
    if exponent < -4 or exponent >= 6:
        fraction = "." + digits[1:] if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{fraction}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    point = exponent + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}"
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _key_string(key: Any, value: Any) -> str:
    """``YAMLToJSON``'s conversion of a decoded map key to a JSON object key."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int) and key <= _INT64_MAX:
        return str(key)
    if isinstance(key, float):
        return _float32_g(key)
    shown = go_string(value) if isinstance(value, str) else repr(value)
    kind, text = ("uint64", hex(key)) if isinstance(key, int) else ("%!s(<nil>)", "<nil>")
    raise GoYAMLError(f"unsupported map key of type: {kind}, key: {text}, value: {shown}")


class _Decoder:
    """Walks PyYAML's node graph as go-yaml v2 decodes into ``interface{}``.

    An anchor and its aliases share one node object, so a node seen before is an alias expansion
    (counted for the alias-bomb guard) and a node on the current path is a cycle.
    """

    def __init__(self, anchor_names: dict[int, str]) -> None:
        self.anchor_names = anchor_names
        self.seen: set[int] = set()
        self.path: set[int] = set()
        self.decodes = self.aliased = self.alias_depth = 0

    def value(self, node: Node) -> Any:
        key = id(node)
        if key in self.path:
            raise GoYAMLError(f"yaml: anchor '{self.anchor_names.get(key, '')}' value contains itself")
        is_alias = key in self.seen
        self.seen.add(key)
        self.alias_depth += is_alias
        self.decodes += 1
        self.aliased += self.alias_depth > 0
        if self.aliased > 100 and self.decodes > 1000 and self.aliased / self.decodes > self._allowed_ratio():
            raise GoYAMLError("yaml: document contains excessive aliasing")
        self.path.add(key)
        try:
            if isinstance(node, ScalarNode):
                return _resolve_plain(node.value) if node.tag == _PLAIN else _resolve_tagged(node.tag, node.value)
            if isinstance(node, SequenceNode):
                return [self.value(item) for item in node.value]
            out: dict[str, Any] = {}
            self.fill(node, out)
            return out
        finally:
            self.path.discard(key)
            self.alias_depth -= is_alias

    def _allowed_ratio(self) -> float:
        low, high = _ALIAS_LIMITS
        return 0.99 - 0.89 * (min(max(self.decodes, low), high) - low) / (high - low)

    def fill(self, node: Node, out: dict[str, Any]) -> None:
        """Keys in document order (a later duplicate wins); ``<<`` merges map(s) in at that point."""
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == "<<" and key_node.tag in (_PLAIN, _MERGE):
                items = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                if not all(isinstance(item, MappingNode) for item in items):
                    raise GoYAMLError("yaml: map merge requires map or sequence of maps as the value")
                for item in reversed(items):  # earlier maps take precedence
                    self.fill(item, out)
                continue
            key = self.value(key_node)
            if isinstance(key, dict | list):
                raise GoYAMLError(f"yaml: invalid map key: {key!r}")
            value = self.value(value_node)
            out[_key_string(key, value)] = value


def _marshal(value: Any) -> str:
    """Go's ``json.Marshal`` of the decoded value."""
    if value is None or isinstance(value, bool):
        return "null" if value is None else "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            text = "NaN" if math.isnan(value) else "+Inf" if value > 0 else "-Inf"
            raise GoYAMLError(f"json: unsupported value: {text}")
        return go_float(value)
    if isinstance(value, str):
        return go_string(value)
    if isinstance(value, list):
        return "[" + ",".join(_marshal(item) for item in value) + "]"
    return "{" + ",".join(f"{go_string(k)}:{_marshal(value[k])}" for k in sorted(value)) + "}"


def yaml_to_json(text: str) -> str:
    """``YAMLToJSON(text)``: the first document as Go-encoded JSON (``null`` when there is none)."""
    loader = _Loader(text)
    try:
        node = loader.get_node() if loader.check_node() else None
        return _marshal(None if node is None else _Decoder(loader.anchor_names).value(node))
    except yaml.MarkedYAMLError as exc:
        # go-yaml's numbering: the problem's 0-based line (+1 for scanner errors), else the context's
        line, problem, context = 0, exc.problem_mark, exc.context_mark
        if problem is not None and problem.line:
            line = problem.line + isinstance(exc, ScannerError)
        elif context is not None:
            line = context.line
        where = f"line {line}: " if line else ""
        raise GoYAMLError(f"yaml: {where}{exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise GoYAMLError(f"yaml: {exc}") from exc
    except RecursionError as exc:
        raise GoYAMLError("yaml: exceeded max depth") from exc
    finally:
        loader.dispose()
