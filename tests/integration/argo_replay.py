"""What Argo CD does to one resource on a sync and on a diff, replayed with the real kubectl.

Argo itself is not run (it needs a repo server, Redis and a controller); its two write paths are
plain ``kubectl apply`` calls that we can make ourselves:

- client-side sync: ``kubectl apply`` with the ``last-applied-configuration`` annotation;
- server-side sync (``ServerSideApply=true``): ``kubectl apply --server-side`` as field manager
  ``argocd-controller`` with ``--force-conflicts`` (gitops-engine always forces conflicts).

``RespectIgnoreDifferences=true`` is Argo's ``normalizeTargetResources``: remove the ignored paths
from the target and from the live object, take the merge patch that turns the normalised live
object back into the live one, and apply it to the normalised target. For a custom resource
whose lists have no merge key (RayCluster's ``workerGroupSpecs`` is an atomic list) that patch
carries the whole live list, which is replayed here the same way (RFC 7386 merge patches).

The diff is Argo's Server-Side Diff: a server-side dry-run apply of the target as
``argocd-controller``, then the ignored paths removed from the predicted and the live object.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import yaml

from ray_operator.localcluster.cluster import LocalCluster

ARGO_MANAGER = "argocd-controller"  # argo-cd common.ArgoCDSSAManager
_ANY = object()  # the ``[]`` of a jq path: every element of a list


def jq_path(expr: str) -> list[object]:
    """Split the simple jq paths Argo users write (``.spec.groups[].replicas``) into segments."""
    if not expr.startswith("."):
        raise ValueError(f"unsupported jq path {expr!r}: must start with '.'")
    segments: list[object] = []
    for part in expr[1:].split("."):
        name, iterate = (part[:-2], True) if part.endswith("[]") else (part, False)
        if not name or "[" in name or "|" in name:
            raise ValueError(f"unsupported jq path {expr!r}: only .a.b[].c is replayed")
        segments.append(name)
        if iterate:
            segments.append(_ANY)
    return segments


def without_paths(obj: Any, paths: list[list[object]]) -> Any:
    """A copy of ``obj`` with every path removed (missing parts are skipped, as jq ``del`` does)."""
    result = copy.deepcopy(obj)
    for path in paths:
        _delete(result, path)
    return result


def _delete(node: Any, path: list[object]) -> None:
    head, rest = path[0], path[1:]
    if head is _ANY:
        for item in node if isinstance(node, list) else ():
            _delete(item, rest) if rest else None
        return
    if not isinstance(node, dict) or head not in node:
        return
    if rest:
        _delete(node[head], rest)
    else:
        del node[head]


def merge_patch(original: Any, modified: Any) -> Any:
    """The RFC 7386 merge patch from ``original`` to ``modified`` (lists are replaced whole)."""
    if not (isinstance(original, dict) and isinstance(modified, dict)):
        return copy.deepcopy(modified)
    patch: dict[str, Any] = {key: None for key in original if key not in modified}
    for key, value in modified.items():
        if key not in original:
            patch[key] = copy.deepcopy(value)
        elif original[key] != value:
            patch[key] = merge_patch(original[key], value)
    return patch


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: apply ``patch`` to ``target`` (``None`` deletes a key)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


@dataclasses.dataclass(frozen=True)
class ArgoApp:
    """The parts of an Argo CD Application that decide how one resource is synced and diffed."""

    ignore: tuple[str, ...] = ()  # jqPathExpressions of ignoreDifferences
    respect_ignore: bool = False  # syncOptions RespectIgnoreDifferences=true
    server_side: bool = False  # syncOptions ServerSideApply=true

    @classmethod
    def load(cls, path: Path, kind: str = "RayCluster") -> ArgoApp:
        """Read an Application manifest (only the entries that apply to ``kind``)."""
        spec = yaml.safe_load(path.read_text())["spec"]
        ignore = [
            expr
            for entry in spec.get("ignoreDifferences") or ()
            if entry.get("kind") == kind
            for expr in entry.get("jqPathExpressions") or ()
        ]
        options = set((spec.get("syncPolicy") or {}).get("syncOptions") or ())
        return cls(
            ignore=tuple(ignore),
            respect_ignore="RespectIgnoreDifferences=true" in options,
            server_side="ServerSideApply=true" in options,
        )

    @property
    def paths(self) -> list[list[object]]:
        return [jq_path(expr) for expr in self.ignore]

    def target_for_sync(self, manifest: dict[str, Any], live: dict[str, Any] | None) -> dict[str, Any]:
        """What Argo applies: the manifest, with ignored fields taken from live if respected."""
        if not self.respect_ignore or live is None or not self.ignore:
            return copy.deepcopy(manifest)
        live = {k: v for k, v in live.items() if k != "status"}
        live_patch = merge_patch(without_paths(live, self.paths), live)
        result: dict[str, Any] = apply_merge_patch(without_paths(manifest, self.paths), live_patch)
        return result

    def sync(self, cluster: LocalCluster, namespace: str, manifest: dict[str, Any]) -> dict[str, Any]:
        """One Argo sync of ``manifest``; returns the object as the API server stored it."""
        target = self.target_for_sync(manifest, _live(cluster, namespace, manifest))
        out = cluster.kubectl(*self._apply_args(namespace), "-o", "json", input=json.dumps(target))
        stored: dict[str, Any] = json.loads(out.stdout)
        return stored

    def diff(self, cluster: LocalCluster, namespace: str, manifest: dict[str, Any]) -> list[str]:
        """Argo's Server-Side Diff of ``manifest``: the spec paths that are out of sync."""
        live = _live(cluster, namespace, manifest)
        assert live is not None, "diff of an object that does not exist"
        args = ["-n", namespace, "apply", "--server-side", f"--field-manager={ARGO_MANAGER}", "--force-conflicts"]
        out = cluster.kubectl(*args, "--dry-run=server", "-o", "json", "-f", "-", input=json.dumps(manifest))
        predicted = without_paths(json.loads(out.stdout).get("spec"), [p[1:] for p in self.paths if p[0] == "spec"])
        current = without_paths(live.get("spec"), [p[1:] for p in self.paths if p[0] == "spec"])
        return _differences(current, predicted, "spec")

    def _apply_args(self, namespace: str) -> list[str]:
        if self.server_side:
            return [
                "-n",
                namespace,
                "apply",
                "--server-side",
                f"--field-manager={ARGO_MANAGER}",
                "--force-conflicts",
                "-f",
                "-",
            ]
        return ["-n", namespace, "apply", "-f", "-"]


def _live(cluster: LocalCluster, namespace: str, manifest: dict[str, Any]) -> dict[str, Any] | None:
    meta = manifest["metadata"]
    group_version = manifest["apiVersion"]
    plural = manifest["kind"].lower() + "s"
    status, body = cluster.request("GET", f"/apis/{group_version}/namespaces/{namespace}/{plural}/{meta['name']}")
    if status == 404:
        return None
    assert status == 200, f"GET {meta['name']}: {status} {body}"
    result: dict[str, Any] = body
    return result


def _differences(live: Any, predicted: Any, where: str) -> list[str]:
    """Leaf paths where ``predicted`` differs from ``live`` (``where`` names the root)."""
    if isinstance(live, dict) and isinstance(predicted, dict):
        keys = sorted(set(live) | set(predicted))
        return [d for key in keys for d in _differences(live.get(key), predicted.get(key), f"{where}.{key}")]
    if isinstance(live, list) and isinstance(predicted, list) and len(live) == len(predicted):
        return [
            d for i, (a, b) in enumerate(zip(live, predicted, strict=True)) for d in _differences(a, b, f"{where}[{i}]")
        ]
    return [] if live == predicted else [f"{where}: {json.dumps(live)} -> {json.dumps(predicted)}"]
