"""RayService faults against a real Ray head: the dashboard going away, and an operator restart.

NEW (not KubeRay): while the active cluster's dashboard does not answer (its Serve proxy still
does), the RayService stays Ready (traffic flows) but says so, in an event and in the Ready
message. And KubeRay's in-memory submission cache costs at most one re-submission per cluster
after a restart, counted by a relay between the operator and the dashboard.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from helpers import condition, create, stays, wait_until
from operator_process import OperatorProcess
from ray_operator.localcluster.cluster import LocalCluster
from rayservice_helpers import (
    READY_MESSAGE,
    STATUS_ERROR_PREFIX,
    ClusterHeads,
    TrafficSampler,
    is_ready,
    names,
    rayservice,
    rayservice_manifest,
    rs_events,
    wait_rs,
)
from serve_heads import DEAD, Relay, ServeHead, Target, http_request, serve_config

pytestmark = [pytest.mark.cluster, pytest.mark.ray, pytest.mark.timeout(300)]

RS = "faulty"


def ready_message(kube_cluster: LocalCluster, namespace: str) -> tuple[str, str]:
    ready = condition((rayservice(kube_cluster, namespace, RS) or {}).get("status") or {}, "Ready") or {}
    return str(ready.get("status")), str(ready.get("message"))


def test_relay_counts_serve_puts(serve_head: ServeHead) -> None:
    """Self-check (no operator): the relay forwards both ways and counts ``PUT /api/serve/applications/``."""
    with Relay(serve_head.dashboard_address) as relay:
        url = f"http://{relay.address}/api/serve/applications/"
        empty = {"http_options": {"host": "127.0.0.1", "port": serve_head.ray.serve_port}, "applications": []}
        assert http_request("PUT", url, empty, 60)[0] == 200
        status, body = http_request("GET", url + "?api_type=declarative", timeout=60)
        assert status == 200 and json.loads(body)["applications"] == {}
        status, body = http_request("PUT", url, {"applications": "not a list"}, 60)
        assert status == 400 and b"applications" in body, body[:300]
        assert (relay.puts, relay.status_reads) == (2, 1)
        assert http_request("PUT", url, yaml.safe_load(serve_config("via-relay")), 60)[0] == 200
        wait_until(lambda: serve_head.request()[0] == 200, 90, "the app deployed through the relay")
        assert serve_head.answer()["message"] == "via-relay" and relay.puts == 3


def test_dashboard_outage_is_reported_while_traffic_flows(
    kube_cluster: LocalCluster, namespace: str, ray_operator: OperatorProcess, serve_head: ServeHead
) -> None:
    with ClusterHeads(kube_cluster, namespace, RS, serve_head, operator=ray_operator) as ch:
        create(kube_cluster, namespace, rayservice_manifest(RS))
        body = wait_rs(kube_cluster, namespace, RS, is_ready, "RayService Ready")
        active = names(body["status"])[0]
        assert ready_message(kube_cluster, namespace) == ("True", READY_MESSAGE)
        with TrafficSampler(kube_cluster, namespace, RS, ch) as sampler:
            ch.reroute(active, dashboard=DEAD.address)  # the proxy (":serve") stays the real one

            def warnings() -> list[dict[str, Any]]:
                found = rs_events(kube_cluster, namespace, RS, "FailedToGetServeApplications")
                return [e for e in found if e["type"] == "Warning"]

            (event, *_) = wait_until(warnings, 30, "Warning FailedToGetServeApplications")
            assert str(event["note"]).startswith(STATUS_ERROR_PREFIX), event["note"]

            def says_so() -> bool:
                status, message = ready_message(kube_cluster, namespace)
                return status == "True" and message != READY_MESSAGE and "dashboard" in message.lower()

            wait_until(says_so, 30, "the Ready message mentioning the dashboard failure")
            print(f"[outage] Ready message: {ready_message(kube_cluster, namespace)[1]}")
            stays(lambda: ready_message(kube_cluster, namespace)[0] == "True", 4, "Ready=True during the outage")
            ch.reroute(active)
            wait_until(
                lambda: ready_message(kube_cluster, namespace) == ("True", READY_MESSAGE),
                30,
                "the normal Ready message",
            )
        print(f"[outage] {sampler.summary()}")
        assert sampler.bad() == [], sampler.summary()
        assert {s.selected for s in sampler.samples} == {active}
        assert is_ready(rayservice(kube_cluster, namespace, RS) or {})


def test_restart_resubmits_serve_config_at_most_once(
    kube_cluster: LocalCluster, namespace: str, restartable: OperatorProcess, serve_head: ServeHead
) -> None:
    with Relay(serve_head.dashboard_address) as relay:
        via_relay = Target(relay.address, serve_head.serve_address, serve_head)
        with ClusterHeads(kube_cluster, namespace, RS, via_relay, operator=restartable) as ch:
            create(kube_cluster, namespace, rayservice_manifest(RS))
            body = wait_rs(kube_cluster, namespace, RS, is_ready, "RayService Ready")
            active = names(body["status"])[0]
            reads = relay.status_reads
            wait_until(lambda: relay.status_reads >= reads + 3, 30, "3 more status reads (passes) once Ready")
            before = relay.puts
            assert before == 1, f"{before} PUTs of an unchanged config before the restart: {relay.counts}"

            restartable.kill()
            restartable.start()
            reads = relay.status_reads
            wait_until(lambda: relay.status_reads >= reads + 5, 60, "5 status reads by the restarted operator")
            resubmitted = relay.puts - before
            print(f"[restart] PUTs before {before}, after the restart {resubmitted}; requests {dict(relay.counts)}")
            assert resubmitted <= 1, f"{resubmitted} re-submissions of an unchanged config after the restart"
            assert ch.names == [active]
            assert is_ready(wait_rs(kube_cluster, namespace, RS, is_ready, "Ready after the restart"))
            assert serve_head.answer()["message"] == "hello"
