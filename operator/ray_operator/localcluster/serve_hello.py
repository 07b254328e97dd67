"""A Ray Serve application for ``make run RAY_HEAD=1`` (examples/rayservice-local-ray-head.yaml).

KWOK Pods run nothing, so ``make run`` has no image to import an application from: the local
Ray head runs with this virtualenv, where this module is importable as
``ray_operator.localcluster.serve_hello:app``. Never imported by the operator itself.
"""

from __future__ import annotations

from typing import Any

from ray import serve


@serve.deployment(num_replicas=1, ray_actor_options={"num_cpus": 0.1}, user_config={"greeting": "hello"})
class Hello:
    """Greets; ``user_config.greeting`` changes the answer without a new replica."""

    def __init__(self) -> None:
        self.greeting = "hello"

    def reconfigure(self, config: dict[str, Any]) -> None:
        self.greeting = str(config.get("greeting", "hello"))

    def __call__(self, request: Any) -> str:
        return f"{self.greeting} from a RayService served by ray-operator\n"


app = Hello.bind()  # type: ignore[attr-defined]
