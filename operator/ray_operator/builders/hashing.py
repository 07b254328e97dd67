"""Spec hashes KubeRay stores on objects to detect spec changes.

``GenerateJsonHash``: base32 ("extended hex" alphabet, with padding) of the SHA-1 of Go's
``json.Marshal`` of the object. The head Pod carries the hash of the RayCluster spec (minus the
fields the autoscaler and external schedulers change) in ``ray.io/upgrade-strategy-recreate-hash``;
RayService uses the same function for ``ray.io/hash-without-replicas-and-workers-to-delete``.

To get the same bytes as KubeRay we encode the spec with the Go struct layouts of
:mod:`~ray_operator.builders.gostructs` after applying the defaults and pruning of KubeRay's CRD
(our own CRD keeps pod templates schemaless, so the stored objects differ slightly).
Known differences: ``metav1.Time``/raw-extension values (unreachable through KubeRay's pruned CRD)
are encoded as received, and values that Go could not even decode (e.g. a string in an integer
field) are encoded leniently instead of failing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders.gojson import apply_crd_defaults, go_marshal
from ray_operator.models import RayCluster

SPEC_TYPE: Final = "ray.RayClusterSpec"


def go_json_hash(value: Any, type_expr: str) -> str:
    """``GenerateJsonHash``: base32hex(SHA-1(json.Marshal(value))), with ``=`` padding."""
    digest = hashlib.sha1(go_marshal(value, type_expr).encode(), usedforsecurity=False).digest()
    return base64.b32hexencode(digest).decode()


def spec_body(cluster: RayCluster) -> dict[str, Any]:
    """The RayCluster spec as JSON, as received from the API server."""
    return cluster.spec.model_dump(by_alias=True, exclude_unset=True, mode="json")


def _mute_template(template: Any) -> None:
    spec = template.get("spec") if isinstance(template, dict) else None
    if isinstance(spec, dict):
        spec.pop("tolerations", None)
        spec.pop("schedulingGates", None)


def hash_without_replicas_and_workers_to_delete(spec: Mapping[str, Any]) -> str:
    """KubeRay's ``GenerateHashWithoutReplicasAndWorkersToDelete`` of a RayCluster spec body.

    Replicas, min/max replicas, ``workersToDelete``, tolerations, scheduling gates and
    ``upgradeStrategy`` are excluded: autoscalers and queueing systems (Kueue) change them without the
    cluster needing new Pods. ``spec`` is not modified: :func:`apply_crd_defaults` returns new
    containers for every struct on the paths changed below.
    """
    body = apply_crd_defaults(spec, SPEC_TYPE)
    head = body.get("headGroupSpec")
    if isinstance(head, dict):
        if head.get("rayStartParams") is None:
            head["rayStartParams"] = {}
        _mute_template(head.get("template"))
    for group in body.get("workerGroupSpecs") or ():
        if not isinstance(group, dict):
            continue
        if group.get("rayStartParams") is None:
            group["rayStartParams"] = {}
        for key in ("replicas", "minReplicas", "maxReplicas"):
            group.pop(key, None)
        if isinstance(group.get("scaleStrategy"), dict):
            group["scaleStrategy"].pop("workersToDelete", None)
        _mute_template(group.get("template"))
    body.pop("upgradeStrategy", None)
    return go_json_hash(body, SPEC_TYPE)


def recreate_hash(cluster: RayCluster) -> str:
    """Value of the head Pod annotation ``ray.io/upgrade-strategy-recreate-hash``."""
    return hash_without_replicas_and_workers_to_delete(spec_body(cluster))
