"""The tests' Ray head: a re-export of :mod:`ray_operator.localcluster.ray_head`.

The launcher lives in the package so ``localcluster run --ray-head`` can use it too; tests keep
importing it as ``from ray_head import ...`` (``tests/`` is on pytest's pythonpath).
"""

from __future__ import annotations

import sys

from ray_operator.localcluster.ray_head import (
    RAY_BIN,
    RayHead,
    RayHeadError,
    _main,
    free_port,
    http_request,
    launch_ray_head,
    serve_available,
    start_ray_head,
)

__all__ = [
    "RAY_BIN",
    "RayHead",
    "RayHeadError",
    "free_port",
    "http_request",
    "launch_ray_head",
    "serve_available",
    "start_ray_head",
]

if __name__ == "__main__":  # manual check: python tests/ray_head.py
    sys.exit(_main())
