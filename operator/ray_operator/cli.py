"""Entry point: ``ray-operator`` (console script) and ``python -m ray_operator``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence

from ray_operator.config import config_from_args
from ray_operator.logs import setup_logging


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags and environment, then run until SIGTERM/SIGINT."""
    config, args = config_from_args(argv)
    if args.kubeconfig:
        os.environ["KUBECONFIG"] = args.kubeconfig  # kopf's login reads it from the environment
    setup_logging(config.log_level, config.log_format)

    from ray_operator.runtime import OperatorRuntime  # after logging: kopf logs at import

    async def _run() -> None:
        runtime = OperatorRuntime(config)
        runtime.handle_signals = True
        runtime.install_signal_handlers()
        await runtime.run()

    try:
        asyncio.run(_run())
    except (RuntimeError, OSError) as exc:  # no credentials, port in use, leadership lost
        print(f"ray-operator: {exc}", file=sys.stderr)
        return 1
    return 0
