"""Run the Argo CD health checks in ``argocd/`` with a real Lua, as Argo CD runs them; record test data.

Argo CD (``util/lua/lua.go``) runs a ``health.lua`` in gopher-lua, a Lua 5.1, with only the base,
``package``, ``table`` and a safe ``os`` library open (``useOpenLibs`` is off for argocd-cm
customizations): no ``string`` library, not even as string methods. :func:`health` runs the script
in lupa's Lua 5.1 with the same globals, the live object as ``obj``, and returns the table it
returns. :func:`record` writes a live object into Argo CD's test layout (``testdata/<case>.yaml``
plus its entry in ``health_test.yaml``), so the committed test data is what the operator wrote.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import lupa.lua51 as lua
import yaml

REPO = Path(__file__).resolve().parents[2]
CUSTOMIZATIONS = REPO / "argocd" / "resource_customizations"
GROUP = "ray.io"
KINDS = ("RayCluster", "RayJob", "RayService")
#: What Argo CD accepts from a health script (``isValidHealthStatusCode``).
STATUSES = frozenset({"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"})

# Globals Argo CD's VM has: gopher-lua's base library, package, table, and its "safe" os library.
_BASE = [
    *("assert", "error", "getmetatable", "ipairs", "load", "loadstring", "next", "pairs", "pcall", "print"),
    *("rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack"),
    *("xpcall", "_VERSION"),
]
_SANDBOX = """
local base, safe_os = ...
return function(source, obj)
  local env = {}
  for _, name in ipairs(base) do env[name] = _G[name] end
  env.table, env.package, env.os = table, package, safe_os
  env._G = env
  env.obj = obj
  local chunk, err = loadstring(source, "=health.lua")
  if chunk == nil then error(err, 0) end
  setfenv(chunk, env)
  return chunk()
end
"""


class HealthScriptError(Exception):
    """The script failed in Lua or returned something Argo CD would not accept."""


def script_path(kind: str) -> Path:
    return CUSTOMIZATIONS / GROUP / kind / "health.lua"


@functools.cache
def _runner() -> tuple[lua.LuaRuntime, Any]:
    runtime = lua.LuaRuntime(register_eval=False, register_builtins=False)
    # No string methods, as in Argo CD (gopher-lua sets the string metatable only with its string library).
    runtime.execute('getmetatable("").__index = nil')
    safe_os = runtime.eval("{time = os.time, date = os.date, clock = os.clock}")
    base = runtime.table_from(_BASE)
    run = runtime.execute(_SANDBOX, base, safe_os)
    return runtime, run


def _to_python(value: Any) -> Any:
    if lua.lua_type(value) == "table":
        return {k: _to_python(v) for k, v in value.items()}
    return value


def health(kind: str, obj: Mapping[str, Any], source: str | None = None) -> dict[str, str]:
    """``{"status": ..., "message": ...}`` from ``kind``'s health.lua (or ``source``) for ``obj``."""
    runtime, run = _runner()
    text = script_path(kind).read_text() if source is None else source
    try:
        result = run(text, runtime.table_from(dict(obj), recursive=True))
    except lua.LuaError as exc:
        raise HealthScriptError(f"{kind} health.lua failed: {exc}") from None
    if lua.lua_type(result) != "table":
        raise HealthScriptError(f"{kind} health.lua returned {result!r}, not a table")
    out = _to_python(result)
    if out.get("status") not in STATUSES:
        raise HealthScriptError(f"{kind} health.lua returned an invalid health status: {out!r}")
    return {"status": str(out["status"]), "message": str(out.get("message") or "")}


# --------------------------------------------------------------------------- Argo CD's test layout


def health_tests(kind: str) -> list[dict[str, Any]]:
    """The ``tests`` of ``<kind>/health_test.yaml`` (empty if there is none yet)."""
    path = CUSTOMIZATIONS / GROUP / kind / "health_test.yaml"
    if not path.exists():
        return []
    return list((yaml.safe_load(path.read_text()) or {}).get("tests") or [])


def load_case(kind: str, input_path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((CUSTOMIZATIONS / GROUP / kind / input_path).read_text())
    return loaded


def trimmed(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as recorded: kind, spec and full status; metadata cut to name, namespace, generation."""
    meta = obj.get("metadata") or {}
    out: dict[str, Any] = {
        "apiVersion": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "metadata": {k: meta[k] for k in ("name", "namespace", "generation") if k in meta},
    }
    if "spec" in obj:
        out["spec"] = obj["spec"]
    if "status" in obj:
        out["status"] = obj["status"]
    return out


def record(kind: str, case: str, obj: Mapping[str, Any], expected: Mapping[str, str]) -> None:
    """Write ``obj`` as ``testdata/<case>.yaml`` and its expected health into ``health_test.yaml``."""
    folder = CUSTOMIZATIONS / GROUP / kind
    input_path = f"testdata/{case}.yaml"
    (folder / "testdata").mkdir(parents=True, exist_ok=True)
    (folder / input_path).write_text(yaml.safe_dump(trimmed(obj), sort_keys=False))
    tests = [t for t in health_tests(kind) if t.get("inputPath") != input_path]
    expectation = {"status": expected["status"], "message": expected["message"]}
    tests.append({"healthStatus": expectation, "inputPath": input_path})
    tests.sort(key=lambda t: str(t["inputPath"]))
    (folder / "health_test.yaml").write_text(yaml.safe_dump({"tests": tests}, sort_keys=False, width=1000))
