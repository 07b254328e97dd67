"""A tiny Ray Serve application for the RayService integration tests.

The answer carries the deployment's ``user_config`` message (so a ``serveConfigV2`` change is
visible in real traffic) and the GCS address of the Ray head that serves it (so a test can tell
which cluster answered). ``app_builder`` refuses to build on a head that has been marked broken:
every cluster of a RayService gets the same ``serveConfigV2`` text, so "broken on this cluster
only" must be decided on the head itself. The marker is a file named after the head's GCS port in
the directory given by the ``HELLO_BROKEN_DIR`` environment variable (set through the
application's ``runtime_env``). It is read when Serve builds the application (a fresh deploy, as a
new RayCluster gets; a ``user_config``-only change does not rebuild).
"""

from __future__ import annotations

import json
import os
from typing import Any

import ray
from ray import serve
from ray.serve import Application

DEFAULT_MESSAGE = "hello"


def broken_marker() -> str | None:
    """The marker file that makes this head refuse the app, if it exists."""
    marker_dir = os.environ.get("HELLO_BROKEN_DIR")
    if not marker_dir:
        return None
    port = ray.get_runtime_context().gcs_address.rpartition(":")[2]
    path = os.path.join(marker_dir, port)
    return path if os.path.exists(path) else None


class Hello:
    """Answers every request with its current message and the head it runs on."""

    def __init__(self) -> None:
        self.message = DEFAULT_MESSAGE
        self.gcs_address = ray.get_runtime_context().gcs_address

    def reconfigure(self, config: dict[str, Any]) -> None:
        """Serve calls this with ``user_config``: changing it needs no new replica."""
        self.message = str(config.get("message", DEFAULT_MESSAGE))

    def __call__(self, request: Any) -> str:
        return json.dumps({"message": self.message, "gcs": self.gcs_address})


#: Deployment ``Hello`` (the name ``serveConfigV2`` refers to); ``user_config`` reaches ``reconfigure``.
HELLO = serve.deployment(
    name="Hello", num_replicas=1, ray_actor_options={"num_cpus": 0.05}, user_config={"message": DEFAULT_MESSAGE}
)(Hello)


def app_builder(args: dict[str, Any]) -> Application:
    """``import_path: hello:app_builder``; fails (DEPLOY_FAILED) on a head marked broken."""
    marker = broken_marker()
    if marker is not None:
        raise RuntimeError(f"hello refuses to start on this Ray head: marker {marker} exists")
    return HELLO.bind()


app = HELLO.bind()
