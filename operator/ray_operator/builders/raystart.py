"""The ``ray start`` command line of head and worker Pods, rendered byte for byte like KubeRay.

Users read the generated command from the ``KUBERAY_GEN_RAY_START_CMD`` environment variable and
compare Pods between operators, so spacing, flag order and defaults are all part of the contract:
flags are sorted, each is surrounded by single spaces (hence two spaces between flags and a trailing
space), ``true``/``false`` values become bare switches except for three flags that take an explicit
boolean.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final

from ray_operator.builders import names
from ray_operator.builders.gojson import go_float_map
from ray_operator.quantity import Quantity, is_gpu_resource, parse_quantity

#: Flags that take an explicit ``=true``/``=false`` instead of being bare switches.
EXPLICIT_BOOLEAN_FLAGS: Final = frozenset({"log-color", "include-dashboard", "include-log-monitor"})
#: Raises the open-files limit before ``ray start``; users may override it with the env var.
ULIMIT_COMMAND: Final = "ulimit -n ${RAY_START_ULIMIT_OPEN_FILES:-65536}"
#: Container resources mapped to Ray resources in the ``--resources`` JSON; the first one
#: (in resource-name order) present in the limits wins.
WELL_KNOWN_ACCELERATORS: Final = {"aws.amazon.com/neuroncore": "neuron_cores", "google.com/tpu": "TPU"}


def bash_command(*, login_shell: bool) -> list[str]:
    """``/bin/bash -c --`` (``-cl`` when the operator runs with ``ENABLE_LOGIN_SHELL=true``)."""
    return ["/bin/bash", "-cl" if login_shell else "-c", "--"]


def apply_group_resources(params: dict[str, str], resources: Mapping[str, str] | None) -> None:
    """Let the group ``resources`` field override ``num-cpus``/``memory``/``num-gpus``/``resources``.

    Unparseable quantities are skipped. KubeRay iterates a Go map here, so with several GPU keys the
    winner is random there; we take them in name order (last one wins) to stay deterministic.
    """
    if not resources:
        return
    custom: dict[str, float] = {}
    for name in sorted(resources):
        quantity = parse_quantity(resources[name])
        if quantity is None:
            continue
        lowered = name.lower()
        if lowered == "cpu":
            params["num-cpus"] = str(quantity.ceil())
        elif lowered == "memory":
            params["memory"] = str(quantity.ceil())
        elif is_gpu_resource(lowered):
            params["num-gpus"] = str(quantity.ceil())
        else:
            custom[name] = quantity.approximate_float()
    if custom:
        params["resources"] = f"'{go_float_map(custom)}'"


def apply_group_labels(params: dict[str, str], labels: Mapping[str, str] | None) -> None:
    """Group ``labels`` become ``--labels=k1=v1,k2=v2`` (keys sorted)."""
    if labels:
        params["labels"] = ",".join(f"{key}={labels[key]}" for key in sorted(labels))


def set_missing_params(params: dict[str, str], node_type: str, *, worker_address: str = "") -> None:
    """Defaults every Ray node gets; ``block`` is forced, the others only fill gaps."""
    if node_type == names.NODE_TYPE_WORKER and "address" not in params:
        params["address"] = worker_address
    if node_type == names.NODE_TYPE_HEAD:
        params.setdefault("dashboard-host", "0.0.0.0")
    params.setdefault("metrics-export-port", str(names.PORT_METRICS))
    params["block"] = "true"
    params.setdefault("dashboard-agent-listen-port", str(names.PORT_DASHBOARD_AGENT))


def _quantity(resources: Mapping[str, Any] | None, name: str) -> Quantity | None:
    q = parse_quantity((resources or {}).get(name))
    return None if q is None or q.is_zero() else q


def apply_container_resources(params: dict[str, str], container_resources: Mapping[str, Any] | None) -> None:
    """Derive ``num-cpus`` (limit, else request), ``memory`` (limit only), ``num-gpus`` and accelerators.

    Only fills flags that are still missing, so explicit rayStartParams and group resources win.
    """
    resources = container_resources or {}
    limits: Mapping[str, Any] = resources.get("limits") or {}
    requests: Mapping[str, Any] = resources.get("requests") or {}
    if "num-cpus" not in params:
        cpu = _quantity(limits, "cpu") or _quantity(requests, "cpu")
        if cpu is not None:
            params["num-cpus"] = str(cpu.ceil())
    if "memory" not in params:
        memory = _quantity(limits, "memory")
        if memory is not None:
            params["memory"] = str(memory.ceil())
    _apply_accelerators(params, limits)


def _parse_resources_param(params: Mapping[str, str]) -> dict[str, float] | None:
    """The ``resources`` flag as a dict (quotes trimmed); ``None`` when it is not valid JSON numbers."""
    if "resources" not in params:
        return {}
    text = params["resources"].strip("'\"` ")

    def reject(constant: str) -> float:
        raise ValueError(constant)

    try:
        parsed = json.loads(text, parse_int=float, parse_constant=reject)
    except ValueError:
        return None
    if not isinstance(parsed, dict):
        return None
    out: dict[str, float] = {}
    for key, value in parsed.items():
        if value is None:
            value = 0.0  # Go leaves the map value at its zero value
        if isinstance(value, bool) or not isinstance(value, float) or math.isinf(value):
            return None
        out[key] = value
    return out


def _apply_accelerators(params: dict[str, str], limits: Mapping[str, Any]) -> None:
    """``num-gpus`` from the first non-zero GPU limit; the first well-known accelerator into ``resources``.

    As in KubeRay, nothing is derived when the existing ``resources`` flag is not valid JSON.
    """
    if not limits:
        return
    ray_resources = _parse_resources_param(params)
    if ray_resources is None:
        return
    accelerator_done = any(name in ray_resources for name in WELL_KNOWN_ACCELERATORS.values())
    for key in sorted(limits):
        quantity = _quantity(limits, key)
        if quantity is None:
            continue
        if "num-gpus" not in params and is_gpu_resource(key):
            params["num-gpus"] = str(quantity.ceil())
        if not accelerator_done and key in WELL_KNOWN_ACCELERATORS:
            ray_name = WELL_KNOWN_ACCELERATORS[key]
            if ray_name not in ray_resources:
                ray_resources[ray_name] = quantity.approximate_float()
                params["resources"] = f"'{go_float_map(ray_resources)}'"
            accelerator_done = True


def render_flags(params: Mapping[str, str]) -> str:
    """`` --a=1  --b `` : sorted flags, each wrapped in single spaces, booleans as bare switches."""
    parts: list[str] = []
    for key in sorted(params):
        value = params[key]
        if value.lower() in ("true", "false") and key not in EXPLICIT_BOOLEAN_FLAGS:
            if value.lower() == "true":
                parts.append(f" --{key} ")
        else:
            parts.append(f" --{key}={value} ")
    return "".join(parts)


def ray_start_command(node_type: str, params: Mapping[str, str]) -> str:
    """``ray start --head <flags>`` or ``ray start <flags>``."""
    if node_type == names.NODE_TYPE_HEAD:
        return f"ray start --head {render_flags(params)}"
    return f"ray start {render_flags(params)}"


def container_command(
    command: Sequence[str] | None,
    args: Sequence[str] | None,
    start_command: str,
    *,
    overwrite: bool,
    login_shell: bool,
) -> tuple[list[str], list[str]] | None:
    """The Ray container's (command, args), or ``None`` to keep the user's verbatim.

    The user's command and args are kept when the Pod is annotated
    ``ray.io/overwrite-container-cmd: "true"`` or already contain ``ray start``. Otherwise they run
    first (joined with spaces around every element) and ``ray start`` follows, because ``--block``
    means nothing after it would ever run.
    """
    user = "".join(f" {part} " for part in command or ()) + "".join(f" {part} " for part in args or ())
    if overwrite or "ray start" in user:
        return None
    generated = f"{ULIMIT_COMMAND}; {start_command}"
    return bash_command(login_shell=login_shell), [f"{user} && {generated}" if user else generated]
