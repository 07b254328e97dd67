"""The RayService reconciler's Serve side: head Pod serve label, Serve applications, Services.

KubeRay's ``updateHeadPodServeLabel``, ``reconcileServe`` (with the per-cluster submission cache),
``reconcileServices`` and ``calculateNumServeEndpointsFromSlices``, with KubeRay's events. Where
KubeRay aborts the whole pass on a dashboard error (so the status never says why an upgrade
waits), these steps record what went wrong on the pass and let the status be computed.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Final

from ray_operator.builders import names, services
from ray_operator.builders import rayservice as build
from ray_operator.builders import serve_config as serve
from ray_operator.builders.rayjob import dashboard_url
from ray_operator.config import GATE_STATUS_CONDITIONS
from ray_operator.controllers.caches import BY_CLUSTER, BY_SERVICE
from ray_operator.dashboard.client import DashboardError
from ray_operator.framework import conditions as cond
from ray_operator.framework import k8s
from ray_operator.framework.controller import RetryLater
from ray_operator.framework.events import UPDATE
from ray_operator.framework.reconciler import Note
from ray_operator.models import RayCluster
from ray_operator.reconcilers.auth_token import AuthTokens
from ray_operator.reconcilers.rayservice.clusters import ClusterSteps, Pass

logger = logging.getLogger(__name__)

CREATED_SERVICE = Note("CreatedService", "Created the service {namespace}/{name}")
FAILED_SERVICE = Note("FailedToCreateService", "Failed to create the service {namespace}/{name}, {error}")
UPDATED_SERVICE = Note("UpdatedService", "Updated the service {namespace}/{name}")
FAILED_UPDATE_SERVICE = Note("FailedToUpdateService", "Failed to update the service {namespace}/{name}, {error}")

#: Ours: posted when a cluster's Serve status cannot be read (KubeRay only logs it).
REASON_FAILED_TO_GET_SERVE: Final = "FailedToGetServeApplications"
#: KubeRay's LRU of submitted configs holds 1000 RayServices.
SERVE_CACHE_SIZE: Final = 1000
_MESSAGE_LIMIT: Final = 300


def _name(body: Mapping[str, Any] | None) -> str:
    return str(((body or {}).get("metadata") or {}).get("name") or "")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 3] + "..."


def apps_summary(apps: Mapping[str, Any]) -> str:
    """``app: STATUS: message`` for every application that is not RUNNING (for our messages)."""
    parts = []
    for app_name, app in sorted(apps.items()):
        app_status = str((app or {}).get("status") or "")
        if app_status == "RUNNING":
            continue
        message = str((app or {}).get("message") or "")
        parts.append(f"{app_name}: {app_status}" + (f": {_short(message)}" if message else ""))
    return ", ".join(parts)


class ServeSteps(ClusterSteps):
    """Mixin of the RayService reconciler: everything that talks to Ray, and the Services."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens = AuthTokens(self.kube)
        #: KubeRay's ``ServeConfigs``: "<ns>/<rs>" -> {cluster name -> last submitted serveConfigV2}.
        self._serve_configs: OrderedDict[str, dict[str, str]] = OrderedDict()

    # ------------------------------------------------------------------ submission cache (3.5.4)

    def _cache(self, run: Pass) -> dict[str, str] | None:
        key = f"{run.namespace}/{run.name}"
        found = self._serve_configs.get(key)
        if found is not None:
            self._serve_configs.move_to_end(key)
        return found

    def cached_config(self, run: Pass, cluster: str) -> str:
        return (self._cache(run) or {}).get(cluster, "")

    def remember_config(self, run: Pass, cluster: str) -> None:
        text = serve.cacheable_serve_config(run.body)
        if text is None:
            return
        key = f"{run.namespace}/{run.name}"
        self._serve_configs.setdefault(key, {})[cluster] = text
        self._serve_configs.move_to_end(key)
        while len(self._serve_configs) > SERVE_CACHE_SIZE:
            self._serve_configs.popitem(last=False)

    def clean_serve_cache(self, run: Pass, active: str, pending: str) -> None:
        """``cleanUpServeConfigCache``: forget clusters that are neither active nor pending."""
        cache = self._cache(run)
        for cluster in [c for c in cache or () if c not in (active, pending)]:
            cache.pop(cluster, None)  # type: ignore[union-attr]

    def forget(self, namespace: str, name: str) -> None:
        self._serve_configs.pop(f"{namespace}/{name}", None)
        self.tokens.forget(namespace, name)

    # ------------------------------------------------------------------ the head Pod (3.6)

    def head_pod(self, namespace: str, cluster: str) -> dict[str, Any] | None:
        for pod in self.informers[k8s.PODS].by_index(BY_CLUSTER, (namespace, cluster)):
            labels = (pod.get("metadata") or {}).get("labels") or {}
            if labels.get(names.LABEL_NODE_TYPE) == names.NODE_TYPE_HEAD:
                return pod
        return None

    async def update_head_pod_serve_label(self, run: Pass, cluster: Mapping[str, Any] | None, *, pending: bool) -> None:
        """``ray.io/serve`` on the head Pod: ``"true"`` iff its Serve proxy answers ``/-/healthz``.

        No head Pod: KubeRay's error (the pass stops) for the active cluster; for the pending one
        we note what the upgrade waits for and go on, so the status can say so.
        """
        if cluster is None:
            return
        cluster_name = _name(cluster)
        pod = self.head_pod(run.namespace, cluster_name)
        if pod is None and pending:
            run.waiting = f"waiting for the head Pod of RayCluster {run.namespace}/{cluster_name} to be created"
            return
        if pod is None:
            raise RetryLater(f"found 0 head. cluster name {cluster_name}, namespace {run.namespace}")
        exclude = serve.excludes_head_pod(run.body)
        healthy = False
        if not exclude:
            port = services.head_container_ports(RayCluster.from_body(cluster)).get(
                names.PORT_NAME_SERVE, names.PORT_SERVE
            )
            proxy = self.dashboards.serve_proxy_for_pod(
                namespace=run.namespace,
                pod=_name(pod),
                pod_ip=str((pod.get("status") or {}).get("podIP") or ""),
                port=int(port),
                cluster=cluster_name,
            )
            try:
                await proxy.check_health()
                healthy = True
            except DashboardError as exc:
                logger.debug("RayService %s/%s: head of %s not serving: %s", run.namespace, run.name, cluster_name, exc)
        label = serve.serve_label_value(proxy_healthy=healthy, exclude_head_pod=exclude)
        if ((pod.get("metadata") or {}).get("labels") or {}).get(names.LABEL_SERVE) == label:
            return
        note = f"the serve label to {label!r} for the Head Pod {run.namespace}/{_name(pod)}".replace("'", '"')
        try:
            await self.patch(k8s.PODS, run.namespace, _name(pod), {"metadata": {"labels": {names.LABEL_SERVE: label}}})
        except k8s.ApiError as exc:
            await self.recorder.warning(
                run.body, "FailedToUpdateHeadPodServeLabel", UPDATE, f"Failed to update {note}: {exc}"
            )
            raise RetryLater(f"failed to update the head Pod's serve label: {exc}") from exc
        await self.recorder.normal(run.body, "UpdatedHeadPodServeLabel", UPDATE, f"Updated {note}")

    # ------------------------------------------------------------------ Serve applications (3.5)

    def head_ready(self, cluster: Mapping[str, Any]) -> bool:
        if self.config.gate(GATE_STATUS_CONDITIONS):
            return cond.is_true((cluster.get("status") or {}).get("conditions") or (), "HeadPodReady")
        pod = self.head_pod(str((cluster.get("metadata") or {}).get("namespace") or ""), _name(cluster))
        if pod is None:
            return False
        pod_status = pod.get("status") or {}
        return pod_status.get("phase") == "Running" and cond.is_true(pod_status.get("conditions") or (), "Ready")

    async def reconcile_serve(
        self, run: Pass, cluster: Mapping[str, Any], *, pending: bool
    ) -> tuple[bool, dict[str, Any] | None]:
        """Submit ``serveConfigV2`` when needed and read the applications back: (ready, statuses).

        A failure is recorded on the pass (``waiting`` for the pending cluster, ``dashboard_error``
        for the active one) with a Warning event, and reported as not ready.
        """
        cluster_name = _name(cluster)
        where = f"RayCluster {run.namespace}/{cluster_name}"
        if not self.head_ready(cluster):
            if pending and not run.waiting:
                run.waiting = f"waiting for the head Pod of {where} to be ready"
            return False, None
        head_service = self.cached(
            k8s.SERVICES,
            run.namespace,
            names.head_service_name(
                cluster_name, ((cluster.get("spec") or {}).get("headGroupSpec") or {}).get("headService")
            ),
        )
        try:
            url = dashboard_url(cluster, head_service, self.config)
        except (ValueError, services.ServiceBuildError) as exc:
            if pending:
                run.waiting = f"waiting for the head Service of {where}: {exc}"
            else:
                run.dashboard_error = f"the head Service of {where} is not usable: {exc}"
            return False, None
        client = self.dashboards.for_cluster(
            namespace=run.namespace,
            cluster=cluster_name,
            dashboard_url=url,
            head_service=str((head_service or {}).get("metadata", {}).get("name") or ""),
            auth_token=await self.tokens.for_cluster(cluster),
        )
        try:
            details = await client.get_serve_details()
        except DashboardError as exc:
            message = serve.STATUS_ERROR_PREFIX + str(exc)
            await self._report_dashboard(run, cluster_name, message, pending=pending)
            return False, None
        apps = serve.applications_status(details)
        submit, reason = serve.serve_submit_decision(
            self.cached_config(run, cluster_name) or None, serve.serve_config_v2(run.body), apps
        )
        logger.debug("RayService %s/%s on %s: submit=%s (%s)", run.namespace, run.name, cluster_name, submit, reason)
        if submit:
            try:
                await client.update_deployments(serve.serve_config_json(run.body))
            except (DashboardError, serve.RayServiceBuildError) as exc:
                error = serve.SUBMIT_ERROR_PREFIX + str(exc)
                await self.recorder.warning(
                    run.body,
                    "FailedToUpdateServeApplications",
                    UPDATE,
                    f"Failed to update serve applications to the RayCluster {run.namespace}/{cluster_name}: {error}",
                )
                if pending:
                    run.waiting = f"waiting for the Serve applications to be submitted to {where}: {_short(error)}"
                else:
                    run.dashboard_error = f"the Serve applications could not be submitted to {where}: {_short(error)}"
                return False, apps
            self.remember_config(run, cluster_name)
            await self.recorder.normal(
                run.body,
                "UpdatedServeApplications",
                UPDATE,
                f"Updated serve applications to the RayCluster {run.namespace}/{cluster_name}",
            )
        ready = serve.is_serve_ready(apps)
        if pending and not ready:
            summary = apps_summary(apps) or "no application yet"
            run.waiting = f"waiting for the Serve applications of {where} to be RUNNING ({summary})"
        return ready, apps

    async def _report_dashboard(self, run: Pass, cluster: str, message: str, *, pending: bool) -> None:
        await self.recorder.warning(run.body, REASON_FAILED_TO_GET_SERVE, "Reconcile", message)
        where = f"RayCluster {run.namespace}/{cluster}"
        if pending:
            run.waiting = f"waiting for the dashboard of {where}: {_short(message)}"
        else:
            run.dashboard_error = f"the dashboard of {where} did not answer: {_short(message)}"

    # ------------------------------------------------------------------ Services (3.7)

    async def reconcile_services(self, run: Pass, target: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Head then serve Service, created or switched to ``target`` (keeping the clusterIP)."""
        head = build.rayservice_head_service(run.body, target, self.config)
        head_svc = await self._reconcile_service(run, head)
        serve_svc = await self._reconcile_service(run, build.rayservice_serve_service(run.body, target, self.config))
        return head_svc, serve_svc

    async def _reconcile_service(self, run: Pass, wanted: dict[str, Any]) -> dict[str, Any]:
        name = str(wanted["metadata"]["name"])
        existing = self.cached(k8s.SERVICES, run.namespace, name)
        if existing is None:
            existing = await self.kube.get_or_none(k8s.SERVICES, name, run.namespace)
        if existing is None:
            return await self.create(run.body, k8s.SERVICES, wanted, created=CREATED_SERVICE, failed=FAILED_SERVICE)
        if build.service_cluster_name(existing) == build.service_cluster_name(wanted):
            return existing
        current = await self.kube.get(k8s.SERVICES, name, run.namespace)
        switched = build.switched_service(current, wanted)
        if switched is None:
            return current
        return await self.replace(
            run.body, k8s.SERVICES, switched, updated=UPDATED_SERVICE, failed=FAILED_UPDATE_SERVICE
        )

    def num_serve_endpoints(self, run: Pass) -> int:
        """Distinct ready Pods behind the serve Service (its name may come from ``serveService``)."""
        custom = ((run.spec.get("serveService") or {}).get("metadata") or {}).get("name")
        service_name = str(custom or names.serve_service_name(run.name))
        slices = self.informers[k8s.ENDPOINT_SLICES].by_index(BY_SERVICE, (run.namespace, service_name))
        return serve.num_serve_endpoints(slices)


__all__ = ["REASON_FAILED_TO_GET_SERVE", "ServeSteps", "apps_summary"]
