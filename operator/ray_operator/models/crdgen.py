"""Generate the ``ray.io`` CRDs from the pydantic models.

Usage::

    python -m ray_operator.models.crdgen --out crds/      # (re)write crds/*.yaml
    python -m ray_operator.models.crdgen --check crds/    # exit 1 if crds/ is stale

The generator walks ``model_fields`` rather than post-processing ``model_json_schema()``: the
Kubernetes dialect (structural schemas, no ``$ref``/``anyOf``, ``x-kubernetes-*`` keywords) is
far from JSON Schema, and a direct walk is shorter than undoing what pydantic emits. Rules:

* ``X | None`` is just ``X`` (absent means unset; ``nullable`` only via an explicit marker);
* a scalar Python default becomes the CRD ``default`` (so Python defaults == CRD defaults);
* ``dict[str, Any]`` is an opaque object (``x-kubernetes-preserve-unknown-fields``);
* :class:`~ray_operator.models.common.Crd` markers add keywords; a marker that sets ``type`` (or
  is int-or-string) replaces the derived schema entirely (pod templates, embedded objects,
  quantities);
* field docstrings become ``description``.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ray_operator.models.common import Crd, RayModel, RayResource
from ray_operator.models.raycluster import RayCluster
from ray_operator.models.rayjob import RayJob
from ray_operator.models.rayservice import RayService

GROUP = "ray.io"
VERSION = "v1"
HEADER = "# Generated from ray_operator/models by `python -m ray_operator.models.crdgen`. DO NOT EDIT.\n"
#: kubectl's client-side apply stores the whole object in this annotation, capped at 256 KiB.
LAST_APPLIED_LIMIT = 262_144


def _column(name: str, type_: str, path: str, priority: int = 0) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name, "type": type_, "jsonPath": path}
    if priority:
        column["priority"] = priority
    return column


_AGE = _column("age", "date", ".metadata.creationTimestamp")

#: kind -> (model, plural, printer columns); columns and their order as in KubeRay.
KINDS: dict[str, tuple[type[RayResource], str, list[dict[str, Any]]]] = {
    "RayCluster": (
        RayCluster,
        "rayclusters",
        [
            _column("desired workers", "integer", ".status.desiredWorkerReplicas"),
            _column("available workers", "integer", ".status.availableWorkerReplicas"),
            _column("cpus", "string", ".status.desiredCPU"),
            _column("memory", "string", ".status.desiredMemory"),
            _column("gpus", "string", ".status.desiredGPU"),
            _column("tpus", "string", ".status.desiredTPU", priority=1),
            _column("status", "string", ".status.state"),
            _AGE,
            _column("head pod IP", "string", ".status.head.podIP", priority=1),
            _column("head service IP", "string", ".status.head.serviceIP", priority=1),
        ],
    ),
    "RayJob": (
        RayJob,
        "rayjobs",
        [
            _column("job status", "string", ".status.jobStatus"),
            _column("deployment status", "string", ".status.jobDeploymentStatus"),
            _column("ray cluster name", "string", ".status.rayClusterName"),
            _column("start time", "string", ".status.startTime"),
            _column("end time", "string", ".status.endTime"),
            _AGE,
        ],
    ),
    "RayService": (
        RayService,
        "rayservices",
        [
            _column("service status", "string", ".status.serviceStatus"),
            _column("num serve endpoints", "string", ".status.numServeEndpoints"),
        ],
    ),
}

_SCALARS: dict[type, str] = {bool: "boolean", int: "integer", float: "number", str: "string"}


def _unwrap(annotation: Any) -> tuple[Any, list[Crd]]:
    """Strip ``Annotated`` and ``| None`` layers, collecting Crd markers outermost-last."""
    markers: list[Crd] = []
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            inner, *meta = get_args(annotation)
            markers[:0] = [m for m in meta if isinstance(m, Crd)]
            annotation = inner
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            if len(members) != 1:  # e.g. `str | int`: only a replacing Crd marker can describe it
                return annotation, markers
            annotation = members[0]
        else:
            return annotation, markers


def _replaces(marker: Crd) -> bool:
    """A marker that is a complete schema on its own (it sets the type, or is int-or-string)."""
    return "type" in marker.schema or "x-kubernetes-int-or-string" in marker.schema


def schema_for(annotation: Any, outer: Sequence[object] = ()) -> dict[str, Any]:
    """The structural OpenAPI schema of a Python type used in the models.

    ``outer`` is extra ``Annotated`` metadata that pydantic has already split off the type.
    """
    base, markers = _unwrap(annotation)
    markers += [m for m in outer if isinstance(m, Crd)]
    replaced = any(_replaces(m) for m in markers)
    schema = {} if replaced else _base_schema(base)
    for marker in markers:
        if _replaces(marker):
            schema = {}
        schema.update(marker.schema)
        if marker.rules:
            rules = schema.setdefault("x-kubernetes-validations", [])
            rules.extend(rule.to_schema() for rule in marker.rules)
    return schema


def _base_schema(base: Any) -> dict[str, Any]:
    if isinstance(base, type) and issubclass(base, BaseModel):
        if not issubclass(base, RayModel):
            raise TypeError(f"{base.__name__}: only RayModel subclasses can be part of a CRD")
        return object_schema(base)
    if base in _SCALARS:
        return {"type": _SCALARS[base]}
    origin, args = get_origin(base), get_args(base)
    if origin in (Union, types.UnionType):
        raise TypeError(f"unions other than `X | None` need a Crd marker with a full schema: {base}")
    if origin is list:
        return {"type": "array", "items": schema_for(args[0])}
    if origin is dict:
        if args[1] is Any:
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        return {"type": "object", "additionalProperties": schema_for(args[1])}
    raise TypeError(f"no CRD schema for {base!r}")


def field_schema(field: FieldInfo) -> dict[str, Any]:
    """Schema of one model field: its type plus description and default."""
    # pydantic moves the Annotated metadata of the field's own type into field.metadata
    schema = schema_for(field.annotation, field.metadata)
    if field.description:
        schema["description"] = describe(field.description)
    if field.default is not PydanticUndefined and isinstance(field.default, bool | int | float | str):
        schema["default"] = field.default
    return schema


def describe(doc: str) -> str:
    """A docstring as a CRD description: first paragraph, one line, Markdown-style code quotes."""
    paragraph = doc.strip().split("\n\n")[0]
    return " ".join(paragraph.split()).replace("``", "`")


def object_schema(model: type[RayModel]) -> dict[str, Any]:
    """Schema of a model: one property per field (by JSON name), required = no Python default."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        properties[key] = field_schema(field)
        if field.is_required():
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if model.__doc__:
        schema["description"] = describe(model.__doc__)
    if required:
        schema["required"] = sorted(required)
    schema.update(model.crd_schema)
    if model.crd_rules:
        schema["x-kubernetes-validations"] = [rule.to_schema() for rule in model.crd_rules]
    return schema


def root_schema(model: type[RayResource]) -> dict[str, Any]:
    """Schema of a top-level kind: the object schema with Kubernetes' rules for the root."""
    schema = object_schema(model)
    properties = schema["properties"]
    # At the root the API server owns metadata: only `type: object` is allowed there.
    properties["metadata"] = {"type": "object"}
    for key in ("apiVersion", "kind"):
        properties[key].pop("default", None)
    return schema


def build_crd(kind: str) -> dict[str, Any]:
    """The CustomResourceDefinition of ``kind`` as a plain dictionary."""
    model, plural, columns = KINDS[kind]
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "names": {
                "categories": ["all"],
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "additionalPrinterColumns": columns,
                    "schema": {"openAPIV3Schema": root_schema(model)},
                    "subresources": {"status": {}},
                }
            ],
        },
    }


def file_name(kind: str) -> str:
    return f"{GROUP}_{KINDS[kind][1]}.yaml"


def render(crd: dict[str, Any]) -> str:
    """Deterministic YAML: keys sorted, lists in model order, long strings unwrapped."""
    body = yaml.safe_dump(crd, sort_keys=True, width=10_000, default_flow_style=False)
    return HEADER + body


def applied_size(crd: dict[str, Any]) -> int:
    """Bytes kubectl would put into ``kubectl.kubernetes.io/last-applied-configuration``."""
    return len(json.dumps(crd, separators=(",", ":"), ensure_ascii=False).encode())


def generate() -> dict[str, str]:
    """File name -> rendered YAML, for every kind."""
    return {file_name(kind): render(build_crd(kind)) for kind in KINDS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ray_operator.models.crdgen", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="crds", help="directory of the CRD files (default: crds)")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if the files differ")
    parser.add_argument("check_dir", nargs="?", help="directory to check (same as --out)")
    args = parser.parse_args(argv)
    out = Path(args.check_dir or args.out)
    stale = []
    for name, text in generate().items():
        path = out / name
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        if args.check:
            stale.append(name)
            diff = difflib.unified_diff(
                current.splitlines(),
                text.splitlines(),
                f"{path} (committed)",
                f"{path} (generated)",
                lineterm="",
                n=1,
            )
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path} ({applied_size(yaml.safe_load(text))} bytes as JSON)")
    if stale:
        print(
            f"\n{', '.join(stale)} out of date with the models; run `python -m ray_operator.models.crdgen "
            f"--out {out}` (or `make crds`) and commit the result.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
