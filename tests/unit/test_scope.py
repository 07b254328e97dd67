"""Named namespaces need no cluster-scoped RBAC; patterns without cluster rights fail at startup."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from ray_operator.framework import k8s
from ray_operator.framework.kopf_bridge import make_settings
from ray_operator.framework.scope import ScopeError, check_cluster_access, named_namespaces, wait_for_resources

RAY = [k8s.RAYCLUSTERS, k8s.RAYJOBS, k8s.RAYSERVICES]
FORBIDDEN = (
    'rayclusters.ray.io is forbidden: User "system:serviceaccount:t:op" cannot list resource '
    '"rayclusters" in API group "ray.io" at the cluster scope'
)


class ScriptedApi:
    """Answers ``request`` from a function of the path, and records every path asked for."""

    def __init__(self, answer: Callable[[str], Any]) -> None:
        self.answer = answer
        self.paths: list[str] = []

    async def request(self, method: str, path: str, **_: Any) -> Any:
        self.paths.append(path)
        result = self.answer(path)
        if isinstance(result, Exception):
            raise result
        return result


def kube(answer: Callable[[str], Any]) -> Any:
    return ScriptedApi(answer)


def test_only_exact_names_count_as_named_namespaces() -> None:
    assert named_namespaces(("a", "b")) == ["a", "b"]
    assert named_namespaces(()) is None
    for pattern in (("team-*",), ("a", "b?"), ("!kube-system",), ("[ab]",)):
        assert named_namespaces(pattern) is None


def test_kopf_scanning_is_off_only_when_asked() -> None:
    assert make_settings().scanning.disabled is False
    assert make_settings(scanning=False).scanning.disabled is True


def test_forbidden_cluster_list_is_a_clear_startup_error() -> None:
    api = kube(lambda path: k8s.Forbidden(403, "Forbidden", FORBIDDEN))
    with pytest.raises(ScopeError) as err:
        asyncio.run(check_cluster_access(api, ("team-*",), k8s.RAYCLUSTERS))
    message = str(err.value)
    assert message.startswith("--watch-namespace=team-* needs cluster-wide list/watch on rayclusters")
    assert FORBIDDEN in message and "singleNamespaceInstall=true" in message
    assert api.paths == ["/apis/ray.io/v1/rayclusters"]


def test_patterns_also_need_namespaces_all_namespaces_do_not() -> None:
    def only_namespaces_forbidden(path: str) -> Any:
        return k8s.Forbidden(403, "Forbidden", "no") if path == "/api/v1/namespaces" else {"items": []}

    asyncio.run(check_cluster_access(kube(only_namespaces_forbidden), (), k8s.RAYCLUSTERS))
    with pytest.raises(ScopeError, match="list/watch on namespaces"):
        asyncio.run(check_cluster_access(kube(only_namespaces_forbidden), ("t-*",), k8s.RAYCLUSTERS))


def test_other_errors_are_left_to_the_informers() -> None:
    api = kube(lambda path: k8s.NotFound(404, "NotFound", "the server could not find the requested resource"))
    asyncio.run(check_cluster_access(api, ("t-*",), k8s.RAYCLUSTERS))
    assert api.paths == ["/apis/ray.io/v1/rayclusters"]


def test_waits_until_discovery_serves_every_ray_resource() -> None:
    served: list[str] = []
    calls = [0]

    def discovery(path: str) -> Any:
        assert path == "/apis/ray.io/v1"
        calls[0] += 1
        if calls[0] == 1:
            return k8s.NotFound(404, "NotFound", "404 page not found")
        if calls[0] == 2:
            served.extend(["rayclusters", "rayclusters/status"])  # one CRD of three installed so far
        else:
            served.extend(["rayjobs", "rayservices"])
        return {"kind": "APIResourceList", "resources": [{"name": n} for n in served]}

    assert asyncio.run(wait_for_resources(kube(discovery), RAY, asyncio.Event(), max_delay=0.01)) is True
    assert calls[0] == 3


def test_stopping_ends_the_wait() -> None:
    async def scenario() -> bool:
        stop = asyncio.Event()
        api = kube(lambda path: k8s.NotFound(404, "NotFound", "404 page not found"))
        asyncio.get_running_loop().call_later(0.05, stop.set)
        return await wait_for_resources(api, RAY, stop, max_delay=0.01)

    assert asyncio.run(scenario()) is False
