"""Process wiring: the API client, kopf, the informers, the controllers and the HTTP endpoints.

The runtime builds everything from the list of controller descriptions
(:func:`all_controllers`): one informer per watched kind (fed by kopf's watches, see
:mod:`~ray_operator.framework.kopf_bridge`), one work queue and worker pool per controller, and
the subscriptions that map informer changes to queue keys. Reconcilers start only once every
informer holds a full LIST, so no reconcile acts on a half-filled cache.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
import signal
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any

import kopf

from ray_operator import metrics
from ray_operator.config import OperatorConfig
from ray_operator.controllers.caches import informer_spec
from ray_operator.controllers.raycluster import raycluster_controller
from ray_operator.controllers.rayjob import rayjob_controller
from ray_operator.controllers.rayservice import rayservice_controller
from ray_operator.dashboard.client import Dashboards
from ray_operator.framework import k8s
from ray_operator.framework.controller import Controller
from ray_operator.framework.description import ControllerContext, ControllerSpec
from ray_operator.framework.endpoints import Endpoints
from ray_operator.framework.events import EventRecorder
from ray_operator.framework.informer import Informer, Informers
from ray_operator.framework.kopf_bridge import make_settings, register_informer
from ray_operator.framework.leader import LeaderElector, default_namespace
from ray_operator.framework.scope import check_cluster_access, named_namespaces, wait_for_resources

logger = logging.getLogger(__name__)

#: A re-list replayed by kopf is pruned once no listed object arrived for this long.
RELIST_QUIET_SECONDS = 2.0
#: Every informer is LISTed and compared this often anyway (a re-list can replay nothing).
FULL_RESYNC_SECONDS = 600.0


def all_controllers(config: OperatorConfig, dashboards: Dashboards) -> list[ControllerSpec]:
    """Every controller the operator runs."""
    return [
        raycluster_controller(config),
        rayjob_controller(config, dashboards),
        rayservice_controller(config, dashboards),
    ]


def register_login(registry: kopf.OperatorRegistry, login: k8s.Login | None = None) -> None:
    """kopf's watches log in through the same :class:`~ray_operator.framework.login.Login` as our
    facade (by default the process's, which ``KubeClient.from_environment`` uses too): one source
    of truth. kopf calls the handler again after a 401 or at the credentials' expiry; the handler
    then asks for a fresh login, which the facade adopts as well."""
    shared = login or k8s.process_login()
    given: list[kopf.ConnectionInfo] = []

    # A plain registry: no kopf fallback logins next to ours. Failing logins retry briefly, then
    # stop kopf (and so the operator) instead of watching nothing.
    @kopf.on.login(registry=registry, errors=kopf.ErrorsMode.TEMPORARY, retries=3, backoff=5.0)
    async def login_handler(**_: Any) -> kopf.ConnectionInfo:
        info = await shared.refresh(given[-1]) if given else await shared.current()
        given[:] = [info]
        return info


def namespace_matcher(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    """kopf's namespace patterns (``team-*``, ``!kube-*``) as a predicate; None means all namespaces."""
    if not patterns:
        return None
    include = [p for p in patterns if not p.startswith("!")]
    exclude = [p[1:] for p in patterns if p.startswith("!")]

    def matches(namespace: str) -> bool:
        if any(fnmatch.fnmatchcase(namespace, p) for p in exclude):
            return False
        return not include or any(fnmatch.fnmatchcase(namespace, p) for p in include)

    return matches


class LeadershipLost(RuntimeError):
    """Another operator replica holds the lease now."""


class OperatorRuntime:
    """Everything one operator process runs; ``await run()`` until the stop flag is set."""

    def __init__(self, config: OperatorConfig, kube: k8s.KubeClient | None = None) -> None:
        self.config = config
        self.kube = kube or k8s.KubeClient.from_environment(qps=config.qps, burst=config.burst)
        self.registry = kopf.OperatorRegistry()
        # Named namespaces need no cluster-scoped reads: kopf's CRD and namespace scanning is off.
        self.settings = make_settings(scanning=named_namespaces(config.watch_namespaces) is None)
        self.dashboards = self._dashboards()
        self.specs = all_controllers(config, self.dashboards)
        self.informers = Informers()
        for spec in self.specs:
            for resource in spec.resources():
                if resource not in self.informers:
                    self.informers.add(Informer(informer_spec(resource)))
        self.controllers: list[Controller] = []
        for spec in self.specs:
            controller = Controller(spec.name, workers=config.reconcile_concurrency)
            recorder = EventRecorder(self.kube, spec.recorder or f"{spec.name}-controller")
            context = ControllerContext(self.kube, self.informers, recorder, controller, spec.primary)
            controller.reconcile = spec.make_reconciler(context).reconcile
            controller.watch(self.informers, spec.all_watches())
            self.controllers.append(controller)
        for informer in self.informers:
            register_informer(self.registry, self.settings, informer)
        register_login(self.registry)
        metrics.register_cluster_collector(self.informers[k8s.RAYCLUSTERS])
        metrics.register_job_collector(self.informers[k8s.RAYJOBS])
        metrics.register_service_collector(self.informers[k8s.RAYSERVICES])
        self._namespaces = namespace_matcher(config.watch_namespaces)
        self.synced = asyncio.Event()
        self.kopf_ready = asyncio.Event()
        self.stop_flag = asyncio.Event()
        self._kopf_task: asyncio.Task[None] | None = None
        self.endpoints = Endpoints(config.metrics_addr, config.health_addr, self.healthy, self.ready)
        self.started = time.monotonic()
        self.handle_signals = False  # set by the CLI, which owns the process
        self.elector: LeaderElector | None = None
        self.leading = False
        if config.enable_leader_election:
            # Losing the lease stops the controllers at once (before any other replica could take
            # it over), and the facade refuses every write unless our lease is valid by our clock.
            namespace = default_namespace(config.leader_election_namespace)
            self.elector = LeaderElector(self.kube, namespace, on_lost=self.stop)
            self.kube.write_guard = self.elector.guard

    def _dashboards(self) -> Dashboards:
        """One HTTP session for every dashboard; via the API server's proxy with our own login."""
        if not self.config.use_kubernetes_proxy:
            return Dashboards(self.config)
        creds = self.kube.credentials
        ssl_context = creds.ssl_context if isinstance(creds.ssl_context, ssl.SSLContext) else None
        return Dashboards(
            self.config, api_server=creds.server, api_headers=lambda: self.kube.credentials.headers, ssl=ssl_context
        )

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
        if not self.kopf_ready.is_set() or not self.synced.is_set():
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
                renewing.add_done_callback(lambda _: self.stop())
            await self._run_leading()
        finally:
            if renewing is not None:
                renewing.cancel()
            if self.elector is not None and self.leading and not self.elector.lost.is_set():
                await self.elector.release()
            await self.endpoints.stop()
            await self.dashboards.close()
            await self.kube.close()
        if self.elector is not None and self.elector.lost.is_set():
            raise LeadershipLost("lost the leader lease; exiting so that a fresh process rejoins as follower")

    async def _check_scope(self) -> bool:
        """Before kopf starts: named namespaces wait for the ray.io CRDs (kopf, not scanning, would
        never notice them later); patterns and all-namespaces fail early without cluster rights.
        False if stopped while waiting."""
        if named_namespaces(self.config.watch_namespaces) is None:
            await check_cluster_access(self.kube, self.config.watch_namespaces, k8s.RAYCLUSTERS)
            return True
        ray = [i.resource for i in self.informers if i.resource.group == k8s.RAYCLUSTERS.group]
        return await wait_for_resources(self.kube, ray, self.stop_flag)

    async def _run_leading(self) -> None:
        if not await self._check_scope():
            return
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
        reclaim = asyncio.create_task(self._reclaim_signals(), name="reclaim signals")
        pruner: asyncio.Task[None] | None = None
        try:
            await self._sync_informers()
            for controller in self.controllers:
                controller.start()
            pruner = asyncio.create_task(self._prune_after_relists(), name="informer pruner")
            logger.info(
                "ray-operator %s started; watching %s",
                self.config.operator_version,
                ", ".join(namespaces) if namespaces else "all namespaces",
            )
            await self._kopf_task
        finally:
            reclaim.cancel()
            if pruner is not None:
                pruner.cancel()
            for controller in self.controllers:
                await controller.stop()

    def _list_scopes(self) -> list[str] | None:
        """Namespaces to LIST one by one (exact names), or None for one cluster-wide LIST (patterns)."""
        return named_namespaces(self.config.watch_namespaces)

    async def _sync_informer(self, informer: Informer) -> None:
        await informer.sync(self.kube, self._list_scopes(), self._namespaces)

    async def _sync_informers(self) -> None:
        """The initial LIST of every informer (retried until it works: nothing runs before it)."""
        pending = list(self.informers)
        delay = 0.5
        while pending:
            results = await asyncio.gather(*(self._sync_informer(i) for i in pending), return_exceptions=True)
            failed = []
            for informer, result in zip(pending, results, strict=True):
                if isinstance(result, BaseException):
                    if not isinstance(result, Exception):
                        raise result
                    logger.warning("listing %s failed: %s; retrying", informer.resource.plural, result)
                    failed.append(informer)
            pending = failed
            if pending:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
        self.synced.set()

    async def _prune_after_relists(self) -> None:
        """After kopf replayed a re-list (HTTP 410), LIST again and drop what vanished meanwhile.

        kopf replays a re-list as type-None events and never says which objects are gone; without
        this, a Pod or RayCluster deleted while the watch was broken would stay cached for good.
        """
        last_full = time.monotonic()
        while True:
            await asyncio.sleep(RELIST_QUIET_SECONDS / 2)
            # A re-list that returns nothing at all replays nothing, so nothing says it happened:
            # a slow full LIST-and-compare catches that case (and any other missed DELETED).
            full = time.monotonic() - last_full >= FULL_RESYNC_SECONDS
            if full:
                last_full = time.monotonic()
            for informer in self.informers:
                if full or informer.relist_settled(RELIST_QUIET_SECONDS):
                    try:
                        await self._sync_informer(informer)
                    except k8s.ApiError as exc:
                        logger.warning("re-listing %s failed: %s", informer.resource.plural, exc)

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
