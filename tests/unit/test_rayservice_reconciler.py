"""RayServiceReconciler: first cluster, Serve, Services, in-place updates, errors, suspend, deletion.

Each test drives ``reconcile((ns, name))`` against an in-memory API server, the controller's
informers and stub dashboards (:mod:`rayservice_harness`) and asserts what a KubeRay user sees
(reference section 3): the status, the children, the events and the delay asked for. Upgrades
(a pending cluster next to the active one) are in ``test_rayservice_upgrade_unit.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from ray_operator.builders import rayservice as build
from ray_operator.dashboard.client import DashboardError
from ray_operator.reconcilers.rayservice.reconciler import DEFAULT_REQUEUE
from unit.rayservice_harness import (
    CONFIG,
    FAST_POLL,
    FINALIZER,
    NAME,
    NS,
    POLL,
    SERVE_CONFIG_2,
    Harness,
    cluster_config,
    normal,
    rayservice,
    require,
    warning,
)

GENERATED = re.compile(rf"{NAME}-[a-z0-9]{{5}}")
PUT_BODY = {"applications": [{"name": "app", "import_path": "m:app"}]}
STATUS_PREFIX = (
    "failed to get Serve application statuses from the dashboard. If you observe this error consistently, "
    "please check https://docs.ray.io/en/latest/cluster/kubernetes/troubleshooting/rayservice-troubleshooting.html "
    "for more details. err: "
)
SUBMIT_PREFIX = (
    "fail to create / update Serve applications. If you observe this error consistently, please check "
    '"Issue 5: Fail to create / update Serve applications." in '
    "https://docs.ray.io/en/master/cluster/kubernetes/troubleshooting/rayservice-troubleshooting.html"
    "#kuberay-raysvc-troubleshoot for more details. err: "
)


def brief(h: Harness, type_: str) -> tuple[str, str, str]:
    c = h.condition(type_)
    return (c["status"], c["reason"], c["message"])


def new_head_image(config: dict[str, Any]) -> None:
    config["headGroupSpec"]["template"]["spec"]["containers"][0]["image"] = "rayproject/ray:2.42.0"


# ---------------------------------------------------------------------------------- the first cluster


async def test_first_pass_adds_the_finalizer_and_names_a_pending_cluster_before_it_exists() -> None:
    h = Harness(rayservice())

    assert await h.reconcile() == POLL

    finalizer_patch = h.kube.find("patch", "rayservices")[0]
    assert finalizer_patch.subresource is None
    assert h.rayservice()["metadata"]["finalizers"] == [FINALIZER]
    assert GENERATED.fullmatch(h.pending), h.status()
    assert h.active == ""
    assert h.kube.find("create", "rayclusters") == []
    assert brief(h, "Ready") == ("False", "Initializing", "RayService is initializing")
    assert brief(h, "UpgradeInProgress") == ("False", "Initializing", "RayService is initializing")
    assert h.status()["observedGeneration"] == 1
    assert len(h.status_patches()) == 1


async def test_second_pass_creates_the_named_cluster_with_kuberay_labels_annotations_and_owner() -> None:
    h = Harness(rayservice(labels={"team": "a"}, annotations={"note": "n"}))
    await h.reconcile()
    name = h.pending

    assert await h.reconcile() == POLL

    (create,) = h.kube.find("create", "rayclusters")
    cluster = create.body
    assert cluster["metadata"]["name"] == name
    assert cluster["metadata"]["labels"] == {
        "team": "a",
        "ray.io/originated-from-cr-name": NAME,
        "ray.io/originated-from-crd": "RayService",
    }
    assert cluster["metadata"]["annotations"] == {
        "note": "n",
        "ray.io/hash-without-replicas-and-workers-to-delete": build.cluster_hash(h.rayservice()),
        "ray.io/num-worker-groups": "1",
        "ray.io/kuberay-version": CONFIG.operator_version,
    }
    assert cluster["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "ray.io/v1",
            "kind": "RayService",
            "name": NAME,
            "uid": h.rayservice()["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert cluster["spec"] == h.rayservice()["spec"]["rayClusterConfig"]
    assert h.events() == [normal("CreatedRayCluster", f"Created the RayCluster {NS}/{name}")]
    assert h.pending == name and h.active == ""

    await h.reconcile()
    assert len(h.kube.find("create", "rayclusters")) == 1  # created once


async def test_ready_head_gets_the_config_once_and_the_serve_label() -> None:
    h = Harness(rayservice())
    cluster = await h.pending_head_ready()
    assert h.dashboards.puts(cluster) == []

    assert await h.reconcile() == FAST_POLL  # head ready, applications not RUNNING yet

    assert h.dashboards.puts(cluster) == [PUT_BODY]
    assert h.dashboards.requests[-1]["dashboard_url"] == f"{cluster}-head-svc.{NS}.svc.cluster.local:8265"
    assert require(h.head_pod(cluster))["metadata"]["labels"]["ray.io/serve"] == "true"
    assert h.events()[-2:] == [
        normal(
            "UpdatedHeadPodServeLabel",
            f'Updated the serve label to "true" for the Head Pod {NS}/{h.head_pod_name(cluster)}',
        ),
        normal("UpdatedServeApplications", f"Updated serve applications to the RayCluster {NS}/{cluster}"),
    ]
    assert h.serve_service() is None and h.head_service() is None  # nothing serves yet
    assert h.pending == cluster and h.active == ""

    h.serve(cluster)
    await h.reconcile()

    assert h.dashboards.puts(cluster) == [PUT_BODY]  # not again
    assert h.reasons().count("UpdatedHeadPodServeLabel") == 1


async def test_running_applications_switch_the_services_promote_and_endpoints_make_it_ready() -> None:
    h = Harness(rayservice())
    cluster = await h.pending_head_ready()
    await h.reconcile()
    h.serve(cluster)

    assert await h.reconcile() == POLL

    head, serve = h.head_service(), h.serve_service()
    assert head is not None and serve is not None
    assert head["spec"]["selector"]["ray.io/cluster"] == cluster
    assert serve["spec"]["selector"] == {"ray.io/cluster": cluster, "ray.io/serve": "true"}
    assert serve["spec"]["ports"] == [{"name": "serve", "port": 8000}]
    for service in (head, serve):
        assert service["metadata"]["ownerReferences"][0]["kind"] == "RayService"
    assert h.events()[-2:] == [
        normal("CreatedService", f"Created the service {NS}/{NAME}-head-svc"),
        normal("CreatedService", f"Created the service {NS}/{NAME}-serve-svc"),
    ]
    assert (h.active, h.pending) == (cluster, "")
    assert h.status()["activeServiceStatus"]["applicationStatuses"] == {
        "app": {"status": "RUNNING", "serveDeploymentStatuses": {"D": {"status": "HEALTHY"}}}
    }
    assert brief(h, "Ready")[:2] == ("False", "Initializing")  # no endpoint yet
    assert brief(h, "UpgradeInProgress") == (
        "False",
        "NoPendingCluster",
        "Active Ray cluster exists and no pending Ray cluster",
    )

    assert h.update_endpoints() == 1
    await h.reconcile()

    assert h.status()["numServeEndpoints"] == 1
    assert brief(h, "Ready") == ("True", "NonZeroServeEndpoints", "Number of serve endpoints is greater than 0")
    assert h.status()["serviceStatus"] == "Running"


async def test_an_unhealthy_serve_proxy_labels_the_head_false() -> None:
    h = Harness(rayservice())
    cluster = await h.pending_head_ready()
    h.dashboards.unhealthy.add(cluster)

    await h.reconcile()

    assert require(h.head_pod(cluster))["metadata"]["labels"]["ray.io/serve"] == "false"
    assert (
        "Normal",
        "UpdatedHeadPodServeLabel",
        f'Updated the serve label to "false" for the Head Pod {NS}/{h.head_pod_name(cluster)}',
    ) in h.events()
    assert h.dashboards.proxy_requests[-1]["port"] == 8000


# ---------------------------------------------------------------------------------- the Serve config


async def test_nothing_changed_no_put_and_no_status_write() -> None:
    h = Harness(rayservice())
    cluster = await h.serving()
    puts, writes = len(h.dashboards.puts(cluster)), len(h.status_patches())
    h.set_cluster_status(cluster, {**require(h.cluster(cluster))["status"], "readyWorkerReplicas": 3})

    assert await h.reconcile() == POLL
    await h.reconcile()

    assert len(h.dashboards.puts(cluster)) == puts == 1
    assert len(h.status_patches()) == writes  # the mirrored cluster status alone is not written
    assert h.kube.find("replace", "rayclusters") == [] and h.kube.find("replace", "services") == []


async def test_a_changed_serve_config_is_put_again_on_the_same_cluster() -> None:
    h = Harness(rayservice())
    cluster = await h.serving()

    h.edit_spec(serveConfigV2=SERVE_CONFIG_2)
    await h.reconcile()
    await h.reconcile()

    assert h.dashboards.puts(cluster) == [PUT_BODY, {"applications": [{"name": "app", "import_path": "m:app2"}]}]
    assert h.cluster_names() == [cluster] and h.pending == ""


async def test_a_cluster_reporting_no_application_gets_the_config_again() -> None:
    h = Harness(rayservice())
    cluster = await h.serving()

    h.serve(cluster, {"applications": {}})  # the head restarted without GCS FT
    await h.reconcile()

    assert h.dashboards.puts(cluster) == [PUT_BODY, PUT_BODY]


async def test_a_failed_put_is_reported_and_retried() -> None:
    h = Harness(rayservice())
    cluster = await h.pending_head_ready()
    h.dashboards.of(cluster).put_error = DashboardError("UpdateDeployments fail: 500 Internal Server Error boom")

    await h.reconcile()

    assert (
        warning(
            "FailedToUpdateServeApplications",
            f"Failed to update serve applications to the RayCluster {NS}/{cluster}: "
            f"{SUBMIT_PREFIX}UpdateDeployments fail: 500 Internal Server Error boom",
        )
        in h.events()
    )
    h.dashboards.of(cluster).put_error = None
    await h.reconcile()
    assert h.dashboards.puts(cluster) == [PUT_BODY]  # nothing was cached: sent again


# ---------------------------------------------------------------------------------- dashboard errors


async def test_an_unreadable_dashboard_is_reported_and_the_last_statuses_kept() -> None:
    h = Harness(rayservice())
    cluster = await h.serving()
    known = h.status()["activeServiceStatus"]["applicationStatuses"]
    error = "GetServeDetails fail: 500 Internal Server Error down"
    h.dashboards.of(cluster).get_error = DashboardError(error)
    h.kube.reset()

    assert await h.reconcile() == POLL

    assert warning("FailedToGetServeApplications", STATUS_PREFIX + error) in h.events()
    status, reason, message = brief(h, "Ready")
    assert (status, reason) == ("True", "NonZeroServeEndpoints")
    assert message.startswith(
        f"Number of serve endpoints is greater than 0; the dashboard of RayCluster {NS}/{cluster} did not answer: "
        "failed to get Serve application statuses from the dashboard."
    )
    assert h.status()["activeServiceStatus"]["applicationStatuses"] == known
    assert h.kube.find("replace", "services") == [] and h.dashboards.puts(cluster) == [PUT_BODY]

    h.dashboards.of(cluster).get_error = None
    await h.reconcile()
    assert brief(h, "Ready")[2] == "Number of serve endpoints is greater than 0"


# ---------------------------------------------------------------------------------- refused specs


@pytest.mark.parametrize(
    ("body", "reason", "message"),
    [
        (
            rayservice(rayClusterDeletionDelaySeconds=-1),
            "InvalidRayServiceSpec",
            "The RayService spec is invalid: Spec.RayClusterDeletionDelaySeconds should be a non-negative "
            "integer, got -1",
        ),
        (
            rayservice("s" * 48),
            "InvalidRayServiceMetadata",
            "The RayService metadata is invalid: RayService name should be no more than 47 characters",
        ),
        (
            rayservice(
                upgradeStrategy={
                    "type": "NewClusterWithIncrementalUpgrade",
                    "clusterUpgradeOptions": {
                        "maxSurgePercent": 50,
                        "stepSizePercent": 10,
                        "intervalSeconds": 30,
                        "gatewayClassName": "istio",
                    },
                },
                rayClusterConfig={**cluster_config(), "enableInTreeAutoscaling": True},
            ),
            "InvalidRayServiceSpec",
            "The RayService spec is invalid: upgradeStrategy.type NewClusterWithIncrementalUpgrade is not "
            "supported by ray-operator yet; use NewCluster or None",
        ),
    ],
    ids=["negative-delay", "long-name", "incremental"],
)
async def test_a_refused_spec_sets_validation_failed_and_creates_nothing(
    body: dict[str, Any], reason: str, message: str
) -> None:
    h = Harness(body)

    assert await h.reconcile() is None

    assert brief(h, "Ready") == ("False", "ValidationFailed", message)
    assert warning(reason, f"{NS}/{h.name}: {message}") in h.events()
    assert h.pending == "" and h.active == ""
    assert await h.reconcile() is None
    assert h.kube.find("create", "rayclusters") == [] and h.kube.find("create", "services") == []


# ---------------------------------------------------------------------------------- suspend


async def test_suspend_stages_then_deletes_clusters_and_services_then_is_suspended() -> None:
    h = Harness(rayservice())
    cluster = await h.serving()
    h.edit_spec(suspend=True)

    assert await h.reconcile() == 0.0

    assert brief(h, "Suspending")[:2] == ("True", "SuspendRequested")
    assert brief(h, "Ready")[:2] == ("False", "SuspendInProgress")
    assert (h.active, h.pending, h.status()["numServeEndpoints"]) == ("", "", 0)
    assert h.kube.find("delete", "rayclusters") == [] and h.kube.find("delete", "services") == []

    assert await h.reconcile() == DEFAULT_REQUEUE

    assert sorted(c.name or "" for c in h.kube.find("delete", "rayclusters")) == [cluster]
    assert sorted(c.name or "" for c in h.kube.find("delete", "services")) == [f"{NAME}-head-svc", f"{NAME}-serve-svc"]
    for note in (
        f"Deleted the RayCluster {NS}/{cluster} during suspend",
        f"Deleted the Service {NS}/{NAME}-head-svc during suspend",
        f"Deleted the Service {NS}/{NAME}-serve-svc during suspend",
    ):
        assert note in [n for _, _, n in h.events()]
    assert brief(h, "Suspending") == (
        "True",
        "SuspendInProgress",
        "Waiting for all Kubernetes resources owned by this RayService to be deleted.",
    )

    h.watch_catches_up()
    await h.reconcile()

    assert brief(h, "Suspended") == ("True", "SuspendComplete", "All owned resources have been deleted.")
    assert brief(h, "Suspending")[:2] == ("False", "SuspendComplete")
    assert brief(h, "Ready") == ("False", "SuspendComplete", "RayService is suspended.")

    assert await h.reconcile() is None
    assert h.cluster_names() == [] and h.pending == ""  # nothing is created while suspended


async def suspended() -> Harness:
    h = Harness(rayservice())
    await h.serving()
    h.edit_spec(suspend=True)
    await h.reconcile()
    await h.reconcile()
    h.watch_catches_up()
    await h.reconcile()
    assert h.condition("Suspended")["status"] == "True"
    return h


async def test_resume_restarts_initializing_and_builds_a_new_cluster() -> None:
    h = await suspended()
    h.advance(100)
    h.edit_spec(suspend=False)

    await h.reconcile()

    assert brief(h, "Suspended") == ("False", "RayServiceResumed", "Spec.Suspend is false; RayService has resumed.")
    resumed = "RayService is initializing after resuming from suspend."
    assert brief(h, "Ready") == ("False", "Initializing", resumed)
    assert h.condition("Ready")["lastTransitionTime"] == "2027-01-15T08:01:40Z"
    for _ in range(3):
        await h.reconcile()
    assert GENERATED.fullmatch(h.pending) and h.cluster_names() == [h.pending]


async def test_the_resume_pass_completes_and_names_a_pending_cluster() -> None:
    h = await suspended()
    h.edit_spec(suspend=False)

    assert await h.reconcile() == POLL
    assert GENERATED.fullmatch(h.pending), h.status()


# ---------------------------------------------------------------------------------- deletion and ownership


async def test_deletion_removes_every_owned_cluster_at_once_then_the_finalizer() -> None:
    h = Harness(rayservice())
    active = await h.serving()
    h.edit_cluster_config(new_head_image)
    await h.reconcile()
    await h.reconcile()
    pending = h.pending
    assert h.cluster_names() == sorted([active, pending])
    h.delete_rayservice()

    assert await h.reconcile() == DEFAULT_REQUEUE

    assert sorted(c.name or "" for c in h.kube.find("delete", "rayclusters")) == sorted([active, pending])
    assert normal("DeletedRayCluster", f"Deleted the RayCluster {NS}/{active}") in h.events()
    assert h.rayservice()["metadata"]["finalizers"] == [FINALIZER]  # clusters still in the cache

    h.watch_catches_up()
    assert await h.reconcile() is None

    assert h.kube.peek(h.store.resource, NAME, NS) is None  # the finalizer went, and the object with it


async def test_a_rayservice_managed_by_another_controller_is_left_alone() -> None:
    h = Harness(rayservice(managedBy="kueue.x-k8s.io/multikueue"))

    assert await h.reconcile() is None

    assert h.kube.writes(include_events=True) == []
