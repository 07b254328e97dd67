"""Process wiring: the API client, kopf, the controllers and the HTTP endpoints.

kopf watches (with server-side label selectors for pods) and calls our thin handlers, which
only update stores and enqueue keys; :class:`~ray_operator.framework.controller.Controller` workers run
the reconcilers. kopf's own machinery (peering, progress annotations, posting handler errors as
events) is switched off: we keep no state on the objects and report through status and events.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from typing import Any

import kopf

from ray_operator import metrics
from ray_operator.config import OperatorConfig
from ray_operator.framework import k8s
from ray_operator.framework.controller import Controller
from ray_operator.framework.endpoints import Endpoints
from ray_operator.framework.events import EventRecorder
from ray_operator.framework.leader import LeaderElector, default_namespace
from ray_operator.handlers import raycluster as raycluster_handlers
from ray_operator.reconcilers.raycluster import RayClusterReconciler
from ray_operator.stores import IndexPodSource, ObjectStore

logger = logging.getLogger(__name__)

#: Only Ray's own pods are watched and cached (KubeRay narrows its cache the same way).
RAY_POD_SELECTOR = "ray.io/node-type in (head,worker,redis-cleanup)"


def make_settings(config: OperatorConfig) -> kopf.OperatorSettings:
    """kopf settings for a level-based operator that leaves no traces on the objects."""
    settings = kopf.OperatorSettings()
    settings.peering.standalone = True
    settings.posting.enabled = False
    settings.watching.server_timeout = 300
    settings.watching.client_timeout = 330
    settings.watching.connect_timeout = 30
    settings.watching.reconnect_backoff = 1.0
    settings.watching.label_selectors["pods"] = RAY_POD_SELECTOR
    settings.persistence.finalizer = "ray-operator.ray.io/kopf-finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix="ray-operator.ray.io")
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix="ray-operator.ray.io", key="last-handled-configuration"
    )
    settings.networking.request_timeout = 60
    # kopf keeps one worker task per watched object for this long after its last event; our
    # handlers are instant, so a short idle time keeps memory flat with thousands of pods.
    settings.queueing.idle_timeout = 1.0
    settings.queueing.exit_timeout = 1.0
    return settings


def register_login(registry: kopf.OperatorRegistry) -> None:
    """kopf finds credentials the same way our API facade does (a Pod's account, else kubeconfig)."""

    @kopf.on.login(registry=registry)
    def login(**kwargs: Any) -> kopf.ConnectionInfo | None:
        return k8s.discover_connection_info()


class LeadershipLost(RuntimeError):
    """Another operator replica holds the lease now."""


class OperatorRuntime:
    """Everything one operator process runs; ``await run()`` until the stop flag is set."""

    def __init__(self, config: OperatorConfig, kube: k8s.KubeClient | None = None) -> None:
        self.config = config
        self.kube = kube or k8s.KubeClient.from_environment(qps=config.qps, burst=config.burst)
        self.registry = kopf.OperatorRegistry()
        self.settings = make_settings(config)
        self.clusters = ObjectStore()
        self.pods = IndexPodSource()
        self.cluster_recorder = EventRecorder(self.kube, "raycluster-controller")
        self.raycluster = RayClusterReconciler(
            kube=self.kube,
            config=config,
            recorder=self.cluster_recorder,
            clusters=self.clusters,
            pods=self.pods,
        )
        self.cluster_controller = Controller(
            "raycluster", self.raycluster.reconcile, workers=config.reconcile_concurrency
        )
        self.controllers = [self.cluster_controller]
        raycluster_handlers.register(self.registry, self.clusters, self.pods, self.cluster_controller)
        register_login(self.registry)
        metrics.register_cluster_collector(self.clusters)
        self.kopf_ready = asyncio.Event()
        self.stop_flag = asyncio.Event()
        self._kopf_task: asyncio.Task[None] | None = None
        self.endpoints = Endpoints(config.metrics_addr, config.health_addr, self.healthy, self.ready)
        self.started = time.monotonic()
        self.handle_signals = False  # set by the CLI, which owns the process
        self.elector: LeaderElector | None = None
        self.leading = False
        if config.enable_leader_election:
            self.elector = LeaderElector(self.kube, default_namespace(config.leader_election_namespace))

    def healthy(self) -> tuple[bool, str]:
        if self._kopf_task is not None and self._kopf_task.done():
            return False, "watch loop exited"
        dead = [c.name for c in self.controllers if not c.alive()]
        if dead:
            return False, f"controller workers stopped: {', '.join(dead)}"
        return True, "ok"

    def ready(self) -> tuple[bool, str]:
        if self.elector is not None and not self.leading:
            return True, "standby"  # a follower is healthy; it just waits for the lease
        ok, detail = self.healthy()
        if not ok:
            return ok, detail
        if not self.kopf_ready.is_set():
            return False, "starting"
        return True, "ok"

    async def run(self) -> None:
        """Serve endpoints, win leadership if asked to, then watch and reconcile until stopped.

        Raises :class:`LeadershipLost` if another replica took the lease over.
        """
        await self.endpoints.start()
        renewing: asyncio.Task[None] | None = None
        try:
            if self.elector is not None:
                acquiring = asyncio.create_task(self.elector.acquire())
                stopping = asyncio.create_task(self.stop_flag.wait())
                await asyncio.wait({acquiring, stopping}, return_when=asyncio.FIRST_COMPLETED)
                stopping.cancel()
                if not acquiring.done():
                    acquiring.cancel()
                    return
                self.leading = True
                renewing = asyncio.create_task(self.elector.keep_renewing())
                renewing.add_done_callback(lambda _: self.stop_flag.set())
            await self._run_leading()
        finally:
            if renewing is not None:
                renewing.cancel()
            if self.elector is not None and self.leading and not self.elector.lost.is_set():
                await self.elector.release()
            await self.endpoints.stop()
            await self.kube.close()
        if self.elector is not None and self.elector.lost.is_set():
            raise LeadershipLost("lost the leader lease; exiting so that a fresh process rejoins as follower")

    async def _run_leading(self) -> None:
        for controller in self.controllers:
            controller.start()
        namespaces = list(self.config.watch_namespaces)
        kwargs: dict[str, Any] = {"namespaces": namespaces} if namespaces else {"clusterwide": True}
        self._kopf_task = asyncio.create_task(
            kopf.operator(
                registry=self.registry,
                settings=self.settings,
                standalone=True,
                stop_flag=self.stop_flag,
                ready_flag=self.kopf_ready,
                **kwargs,
            ),
            name="kopf",
        )
        logger.info(
            "ray-operator %s started; watching %s",
            self.config.operator_version,
            ", ".join(namespaces) if namespaces else "all namespaces",
        )
        reclaim = asyncio.create_task(self._reclaim_signals(), name="reclaim signals")
        try:
            await self._kopf_task
        finally:
            reclaim.cancel()
            for controller in self.controllers:
                await controller.stop()

    def install_signal_handlers(self) -> None:
        """SIGTERM/SIGINT stop the operator: controllers first, then kopf's watches."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)

    async def _reclaim_signals(self) -> None:
        """kopf installs its own signal handlers when it starts; ours must win, or a SIGTERM
        leaves our workers running and kopf waits 5 s for them as "hung" tasks."""
        if not self.handle_signals:
            return
        await self.kopf_ready.wait()
        self.install_signal_handlers()

    def stop(self) -> None:
        """Stop reconciling at once, then let kopf close its watches."""
        for controller in self.controllers:
            controller.cancel()
        self.stop_flag.set()
