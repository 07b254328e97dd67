"""Building blocks shared by the RayCluster, RayJob and RayService models.

The models have two jobs: give the reconcilers typed access to KubeRay-compatible objects, and be
the single source of the CRD schemas (see :mod:`ray_operator.models.crdgen`). Pydantic only reads
the Python side; the :class:`Crd` markers carry the extra OpenAPI/CEL keywords the generator needs
and are ignored by pydantic validation.

Kubernetes core types (pod templates, services, env vars, conditions ...) are deliberately plain
dictionaries: the API server validates them when our controller creates the real objects, and
modelling core/v1 would both duplicate that work and blow up the CRD size.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from ray_operator.builders.names import COLLECTOR_CONTAINER_NAME


class Crd:
    """OpenAPI keywords merged into the generated CRD schema of the annotated type.

    ``rules`` become ``x-kubernetes-validations`` (CEL); every other keyword is copied verbatim
    (``format``, ``enum``, ``minimum``, ``maxLength``, ``nullable`` ...). Pydantic ignores it, so
    these constraints are enforced by the API server only, never when parsing in the operator.
    """

    __slots__ = ("rules", "schema")

    def __init__(self, *, rules: tuple[Rule, ...] = (), **schema: Any) -> None:
        self.rules = rules
        self.schema = schema

    def __repr__(self) -> str:
        return f"Crd(rules={self.rules!r}, **{self.schema!r})"


class Rule:
    """One CEL validation rule (``x-kubernetes-validations`` entry).

    Messages are static as a rule: the API server's cost estimate rejects even simple
    ``messageExpression`` entries on fields inside lists. ``message_expression`` is for the few rules
    that repeat a KubeRay message naming a worker group; they sit on an object above a bounded
    list, where the estimate allows it, and ``message`` stays as the fallback.
    """

    __slots__ = ("field_path", "message", "message_expression", "reason", "rule")

    def __init__(
        self,
        rule: str,
        message: str,
        *,
        reason: str = "",
        field_path: str = "",
        message_expression: str = "",
    ) -> None:
        self.rule = rule
        self.message = message
        self.reason = reason
        self.field_path = field_path
        self.message_expression = message_expression

    def to_schema(self) -> dict[str, str]:
        """The entry as it appears in the CRD (keys sorted by the YAML dumper)."""
        out = {"rule": self.rule, "message": self.message}
        if self.message_expression:
            out["messageExpression"] = self.message_expression
        if self.reason:
            out["reason"] = self.reason
        if self.field_path:
            out["fieldPath"] = self.field_path
        return out

    def __repr__(self) -> str:
        return f"Rule({self.rule!r})"


def enum(*values: str) -> Crd:
    """A string restricted to ``values`` at admission (parsing stays lenient, see module doc)."""
    return Crd(enum=list(values))


#: Quantity pattern of apimachinery's ``resource.Quantity`` (same regex KubeRay's CRDs use).
QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)"
    r"|(\.[0-9]+))))?$"
)

Int32 = Annotated[int, Crd(format="int32")]
Int64 = Annotated[int, Crd(format="int64")]
#: RFC 3339 timestamp kept as the exact string the API server returned (round-trips verbatim).
Time = Annotated[str, Crd(format="date-time")]
_INT_OR_QUANTITY: dict[str, Any] = {
    "anyOf": [{"type": "integer"}, {"type": "string"}],
    "x-kubernetes-int-or-string": True,
    "pattern": QUANTITY_PATTERN,
}
#: A Kubernetes quantity written by the operator (``"500m"``, ``"8Gi"``); the schema, like
#: KubeRay's, would also take an integer, but the operator only ever writes strings.
Quantity = Annotated[str, Crd(**_INT_OR_QUANTITY)]
#: A user-supplied quantity: a string or a plain integer, kept as given.
IntOrQuantity = Annotated[str | int, Crd(**_INT_OR_QUANTITY)]
#: A core/v1 (or other built-in) object that we pass through untouched.
KubeObject = dict[str, Any]
StrMap = dict[str, str]

MANAGED_BY_VALUES = ("ray.io/kuberay-operator", "kueue.x-k8s.io/multikueue")
#: Value of ``managedBy`` meaning "this operator reconciles the object".
MANAGED_BY_KUBERAY = MANAGED_BY_VALUES[0]

ManagedBy = Annotated[
    str,
    Crd(
        rules=(
            Rule(
                "self == oldSelf",
                "spec.managedBy is immutable; delete and recreate the object to change it",
            ),
            Rule(
                "self in ['ray.io/kuberay-operator', 'kueue.x-k8s.io/multikueue']",
                "spec.managedBy must be 'ray.io/kuberay-operator' or 'kueue.x-k8s.io/multikueue'",
            ),
        ),
    ),
]


class RayModel(BaseModel):
    """Base of every spec/status model: KubeRay JSON names, unknown fields kept verbatim."""

    model_config = ConfigDict(populate_by_name=True, extra="allow", use_attribute_docstrings=True)

    #: CEL rules attached to this object's schema by the CRD generator.
    crd_rules: ClassVar[tuple[Rule, ...]] = ()
    #: Extra OpenAPI keywords for this object's schema (e.g. ``minProperties``).
    crd_schema: ClassVar[Mapping[str, Any]] = {}


class RayResource(RayModel):
    """Common top level of RayCluster/RayJob/RayService: type meta, metadata, helpers."""

    api_version: str = Field("ray.io/v1", alias="apiVersion")
    kind: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        """Parse a Kubernetes object body (as received from the API server or kopf).

        The body is deep-copied first: the dictionary fields (pod templates, metadata ...) would
        otherwise share nested objects with ``body``, and editing a template while building a Pod
        would silently edit the caller's (e.g. kopf's) copy of the object.
        """
        return cls.model_validate(copy.deepcopy(dict(body)))

    def to_body(self) -> dict[str, Any]:
        """Dump back to a body with KubeRay's JSON names, leaving out everything not set."""
        return self.model_dump(by_alias=True, exclude_unset=True, mode="json")

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def namespace(self) -> str:
        return str(self.metadata.get("namespace") or "")

    @property
    def uid(self) -> str:
        return str(self.metadata.get("uid") or "")

    @property
    def generation(self) -> int:
        """``metadata.generation`` (0 until the API server has stored the object)."""
        return int(self.metadata.get("generation") or 0)

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.metadata.get("labels") or {})

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self.metadata.get("annotations") or {})


def _string_map() -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "string"}}


def embedded_metadata() -> dict[str, Any]:
    """``metadata`` of an embedded object: the fields KubeRay's CRDs keep, nothing else."""
    return {
        "type": "object",
        "properties": {
            "annotations": _string_map(),
            "finalizers": {"type": "array", "items": {"type": "string"}},
            "labels": _string_map(),
            "name": {"type": "string"},
            "namespace": {"type": "string"},
        },
    }


def embedded_object() -> Crd:
    """Schema for an embedded built-in object (e.g. a core/v1 Service): typed metadata, rest kept."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"metadata": embedded_metadata()},
        "x-kubernetes-preserve-unknown-fields": True,
    }
    return Crd(**schema)


def pod_template(where: str, *, first: str = "runs Ray") -> Crd:
    """Schema for an embedded ``core/v1.PodTemplateSpec`` (see docs/api.md, "pod templates").

    Only the parts the operator relies on are typed: ``metadata`` keeps exactly the fields KubeRay's
    CRDs keep (labels, annotations, finalizers, name, namespace) and every container must have a
    name (unique, as in core/v1) and an image. The rest of ``spec`` is preserved as-is and is
    validated by the API server when the operator creates the Pod with ``fieldValidation=Strict``.
    ``where`` and ``first`` (what the first container does) only shape the error message.
    """
    return Crd(
        type="object",
        properties={
            "metadata": embedded_metadata(),
            "spec": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "required": ["containers"],
                "properties": {
                    "restartPolicy": {"type": "string"},
                    "containers": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                            "required": ["name", "image"],
                            "properties": {"name": {"type": "string"}, "image": {"type": "string"}},
                        },
                    },
                },
            },
        },
        rules=(
            Rule(
                "has(self.spec) && size(self.spec.containers) > 0",
                f"{where}.spec.containers must list at least one container (the first one {first})",
            ),
        ),
    )


def _conditions_schema() -> dict[str, Any]:
    return {
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
        "items": {
            "type": "object",
            "required": ["lastTransitionTime", "message", "reason", "status", "type"],
            "properties": {
                "lastTransitionTime": {"type": "string", "format": "date-time"},
                "message": {"type": "string"},
                "observedGeneration": {"type": "integer", "format": "int64"},
                "reason": {"type": "string"},
                "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
                "type": {"type": "string"},
            },
        },
    }


#: ``status.conditions``: metav1.Conditions (dictionaries), one per ``type``.
Conditions = Annotated[list[dict[str, Any]], Crd(**_conditions_schema())]

#: A core/v1 PodTemplateSpec kept as a dictionary.
PodTemplate = dict[str, Any]
#: A core/v1 Service (or other built-in object with metadata) kept as a dictionary.
EmbeddedObject = Annotated[dict[str, Any], embedded_object()]


def _restart_policy_ok(template: str) -> str:
    """CEL: the pod template's restartPolicy is unset, empty or ``Never``."""
    return f"{template}.?spec.?restartPolicy.orValue('') in ['', 'Never']"


def _has_collector(template: str) -> str:
    """CEL: the pod template defines a container named like the history collector sidecar."""
    return (
        f"has({template}.spec) && has({template}.spec.containers) && "
        f"{template}.spec.containers.exists(c, c.name == '{COLLECTOR_CONTAINER_NAME}')"
    )


def embedded_cluster_rules(path: str, prefix: str, *, optional: bool = False) -> tuple[Rule, ...]:
    """KubeRay's ``ValidateRayClusterSpec`` rules that CEL can decide, for an embedded cluster spec.

    For RayJob (``path`` ``self.rayClusterSpec``, optional) and RayService
    (``self.rayClusterConfig``). ``prefix`` is how KubeRay wraps the cluster error for the owner
    (``"The RayJob spec is invalid: "``), so the admission message is the one ``status.message``
    would carry. Each rule only refuses specs KubeRay refuses whatever its feature gates: the
    conditions read fields of the spec alone, never env vars, annotations or Ray versions.
    """
    c = path
    v2 = f"{c}.?enableInTreeAutoscaling.orValue(false) && {c}.?autoscalerOptions.?version.orValue('') == 'v2'"
    # Lists are reached through has() guards, never ``.?x.orValue([])``: the fallback list has no
    # maxItems, and the cost estimate then treats the list as unbounded. For the same reason the
    # messages name the group via the three-argument ``map`` (``filter(...)[0].groupName`` also
    # loses the bounds). The worker-group twin of the collector-container rule is missing on
    # purpose: 64 groups times an unbounded ``containers`` list exceeds the budget about 40-fold.
    groups = f"{c}.workerGroupSpecs"
    no_groups = f"!has({c}.workerGroupSpecs)"
    collector = f"has({c}.historyServerOptions) && has({c}.historyServerOptions.collectorOptions)"
    no_version = f"{c}.?rayVersion.orValue('') == ''"
    rules = (
        Rule(
            f"!({v2}) || {_restart_policy_ok(f'{c}.headGroupSpec.template')}",
            f"{prefix}restartPolicy for head Pod should be Never or unset when using autoscaler V2",
        ),
        Rule(
            f"!({v2}) || {no_groups} || {groups}.all(g, {_restart_policy_ok('g.template')})",
            f"{prefix}restartPolicy for a worker group should be Never or unset when using autoscaler V2",
            message_expression=(
                f"'{prefix}restartPolicy for worker group ' + "
                f"{groups}.map(g, !({_restart_policy_ok('g.template')}), g.groupName)[0] + "
                "' should be Never or unset when using autoscaler V2'"
            ),
        ),
        Rule(
            f"!({no_version}) || {no_groups} || {groups}.all(g, !has(g.priority) || g.priority == 0)",
            f"{prefix}worker group priority is set, but RayVersion was not specified. Ray version 2.56.0 or "
            "later is required",
            message_expression=(
                f"'{prefix}worker group ' + {groups}.map(g, has(g.priority) && g.priority != 0, g.groupName)[0] + "
                "': priority is set, but RayVersion was not specified. Ray version 2.56.0 or later is required'"
            ),
        ),
        Rule(
            f"{c}.?authOptions.?mode.orValue('') != 'token' || !({no_version})",
            f"{prefix}authOptions.mode is 'token' but RayVersion was not specified. Ray version 2.52.0 or later "
            "is required",
        ),
        Rule(
            f"!({collector}) || !({_has_collector(f'{c}.headGroupSpec.template')})",
            f"{prefix}head pod template must not define a container with name '{COLLECTOR_CONTAINER_NAME}' "
            "when history server collector options are enabled",
        ),
    )
    if not optional:
        return rules
    guard = f"!has({path}) || "
    return tuple(Rule(guard + f"({r.rule})", r.message, message_expression=r.message_expression) for r in rules)
