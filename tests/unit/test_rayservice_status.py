"""RayService status rules (reconcilers/rayservice/status.py) as pure functions of the status dict.

KubeRay's ``calculateConditions`` (3.8.4, 3.8.5), ``InconsistentRayServiceStatuses`` (3.2.8), the
suspend stages (3.9), promotion (3.8.1) and ``shouldPrepareNewCluster`` (3.4.3); the messages and
reasons are the reference's, word for word.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ray_operator.builders import rayservice as build
from ray_operator.config import OperatorConfig
from ray_operator.framework.clock import rfc3339
from ray_operator.reconcilers.rayservice import status as st
from unit.rayservice_harness import cluster_config, rayservice

T0 = 1_800_000_000.0
INIT = "RayService is initializing"


def cond(status: dict[str, Any], type_: str) -> dict[str, Any]:
    found = st.find(status, type_)
    assert found is not None, status
    return dict(found)


def brief(status: dict[str, Any], type_: str) -> tuple[str, str, str]:
    c = cond(status, type_)
    return (c["status"], c["reason"], c["message"])


def initialized(**fields: Any) -> dict[str, Any]:
    """A status after its first calculateConditions at T0, plus ``fields``."""
    status: dict[str, Any] = {"observedGeneration": 1}
    st.calculate_conditions(status, T0, timeout=None)
    status.update(fields)
    return status


def names(active: str = "", pending: str = "") -> dict[str, Any]:
    return {"activeServiceStatus": {"rayClusterName": active}, "pendingServiceStatus": {"rayClusterName": pending}}


# ---------------------------------------------------------------------------------- Ready


def test_first_pass_initializes_ready_and_upgrade_in_progress() -> None:
    status: dict[str, Any] = {"observedGeneration": 3, **names(pending="svc-a")}

    assert st.calculate_conditions(status, T0, timeout=None) is None

    assert brief(status, "Ready") == ("False", "Initializing", INIT)
    assert brief(status, "UpgradeInProgress") == ("False", "Initializing", INIT)
    assert cond(status, "Ready")["lastTransitionTime"] == rfc3339(T0)
    assert cond(status, "Ready")["observedGeneration"] == 3
    assert status["serviceStatus"] == ""


def test_serve_endpoints_make_ready_true_and_running() -> None:
    status = initialized(numServeEndpoints=2, **names(active="svc-a"))

    st.calculate_conditions(status, T0 + 5, timeout=None)

    assert brief(status, "Ready") == ("True", "NonZeroServeEndpoints", "Number of serve endpoints is greater than 0")
    assert cond(status, "Ready")["lastTransitionTime"] == rfc3339(T0 + 5)
    assert status["serviceStatus"] == "Running"


def test_ready_note_is_appended_while_endpoints_remain() -> None:
    status = initialized(numServeEndpoints=1, **names(active="svc-a"))

    st.calculate_conditions(status, T0, timeout=None, ready_note="the dashboard did not answer")

    assert cond(status, "Ready")["message"] == (
        "Number of serve endpoints is greater than 0; the dashboard did not answer"
    )


def test_zero_endpoints_only_after_having_been_ready() -> None:
    status = initialized(numServeEndpoints=0, **names(pending="svc-a"))
    st.calculate_conditions(status, T0 + 1, timeout=None)
    assert brief(status, "Ready") == ("False", "Initializing", INIT)  # never ready: still initializing

    status["numServeEndpoints"] = 1
    st.calculate_conditions(status, T0 + 2, timeout=None)
    status["numServeEndpoints"] = 0
    st.calculate_conditions(status, T0 + 3, timeout=None)

    assert brief(status, "Ready") == ("False", "ZeroServeEndpoints", "Number of serve endpoints dropped to 0")
    assert cond(status, "Ready")["lastTransitionTime"] == rfc3339(T0 + 3)
    assert status["serviceStatus"] == ""


def test_initializing_timeout_fires_at_the_deadline_with_kuberay_texts() -> None:
    status = initialized(**names(active="", pending="svc-a"))

    assert st.calculate_conditions(status, T0 + 59, timeout=60.0) is None
    assert brief(status, "Ready")[1] == "Initializing"
    assert st.initializing_deadline(status, 60.0) == T0 + 60

    note = st.calculate_conditions(status, T0 + 75, timeout=60.0)

    assert note == "RayService initializing timeout exceeded after 1m15s (configured timeout: 1m0s)"
    assert brief(status, "Ready") == (
        "False",
        "InitializingTimeout",
        "RayService failed to become ready within the configured timeout of 1m0s. Time spent initializing: 1m15s",
    )
    assert st.pending_name(status) == "" and st.active_name(status) == ""
    assert st.timed_out(status)
    assert st.initializing_deadline(status, 60.0) is None  # terminal: no more deadline
    assert st.calculate_conditions(status, T0 + 200, timeout=60.0) is None  # fires once


def test_initializing_timeout_fires_exactly_at_the_deadline() -> None:
    status = initialized(**names(pending="svc-a"))

    note = st.calculate_conditions(status, T0 + 60, timeout=60.0)  # now - since >= timeout

    assert note == "RayService initializing timeout exceeded after 1m0s (configured timeout: 1m0s)"
    assert brief(status, "Ready")[1] == "InitializingTimeout"


def test_no_timeout_without_the_annotation_or_once_ready() -> None:
    status = initialized(**names(pending="svc-a"))
    assert st.calculate_conditions(status, T0 + 10_000, timeout=None) is None
    assert not st.timed_out(status)

    status["numServeEndpoints"] = 1
    st.calculate_conditions(status, T0 + 10_001, timeout=60.0)
    status["numServeEndpoints"] = 0
    assert st.calculate_conditions(status, T0 + 20_000, timeout=60.0) is None  # ZeroServeEndpoints, not a timeout
    assert brief(status, "Ready")[1] == "ZeroServeEndpoints"


@pytest.mark.parametrize(
    ("annotation", "seconds"),
    [("30m", 1800.0), ("90", 90.0), ("1h30m", 5400.0), ("", None)],
)
def test_initializing_timeout_annotation_is_a_go_duration_or_seconds(annotation: str, seconds: float | None) -> None:
    annotations = {st.ANNOTATION_INITIALIZING_TIMEOUT: annotation} if annotation else {}
    assert st.initializing_timeout(annotations) == seconds


# ---------------------------------------------------------------------------------- UpgradeInProgress


def test_upgrade_in_progress_true_with_both_clusters_and_our_note() -> None:
    status = initialized(**names(active="svc-a", pending="svc-b"))

    st.calculate_conditions(status, T0, timeout=None, upgrade_note="waiting for X")

    assert brief(status, "UpgradeInProgress") == (
        "True",
        "BothActivePendingClustersExist",
        "Both active and pending Ray clusters exist; waiting for X",
    )
    st.calculate_conditions(status, T0, timeout=None)
    assert cond(status, "UpgradeInProgress")["message"] == "Both active and pending Ray clusters exist"


def test_upgrade_in_progress_false_with_only_an_active_cluster() -> None:
    status = initialized(**names(active="svc-a"))

    st.calculate_conditions(status, T0, timeout=None)

    assert brief(status, "UpgradeInProgress") == (
        "False",
        "NoPendingCluster",
        "Active Ray cluster exists and no pending Ray cluster",
    )


def test_upgrade_in_progress_unknown_without_clusters_unless_initializing() -> None:
    status = initialized(**names(pending="svc-a"))
    status["pendingServiceStatus"] = {}
    st.calculate_conditions(status, T0, timeout=None)
    assert brief(status, "UpgradeInProgress") == ("False", "Initializing", INIT)  # not overridden

    status.update(names(active="svc-a"))
    st.calculate_conditions(status, T0, timeout=None)
    status.update(names())
    st.calculate_conditions(status, T0, timeout=None)

    assert brief(status, "UpgradeInProgress") == (
        "Unknown",
        "NoActiveCluster",
        "No active Ray cluster exists, and the RayService is not initializing. "
        "Please open a GitHub issue in the KubeRay repository.",
    )


# ---------------------------------------------------------------------------------- the write rule


def stored() -> dict[str, Any]:
    return {
        "serviceStatus": "Running",
        "numServeEndpoints": 1,
        "conditions": [{"type": "Ready", "status": "True", "reason": "NonZeroServeEndpoints", "message": "m"}],
        "activeServiceStatus": {
            "rayClusterName": "svc-a",
            "rayClusterStatus": {"state": "ready"},
            "applicationStatuses": {
                "app": {"status": "RUNNING", "serveDeploymentStatuses": {"D": {"status": "HEALTHY"}}}
            },
        },
        "pendingServiceStatus": {},
        "lastUpdateTime": "2027-01-15T08:00:00Z",
    }


def test_the_mirrored_cluster_status_alone_is_not_worth_a_write() -> None:
    new = stored()
    new["activeServiceStatus"]["rayClusterStatus"] = {"state": "suspended", "readyWorkerReplicas": 3}
    new["pendingServiceStatus"]["rayClusterStatus"] = {"state": "ready"}
    new["lastUpdateTime"] = "2027-01-15T09:00:00Z"
    new["observedGeneration"] = 7

    assert st.worth_writing(stored(), stored()) is False
    assert st.worth_writing(stored(), new) is False


def _app(status: dict[str, Any]) -> dict[str, Any]:
    app: dict[str, Any] = status["activeServiceStatus"]["applicationStatuses"]["app"]
    return app


CHANGES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "app status": lambda s: _app(s).__setitem__("status", "DEPLOYING"),
    "app message": lambda s: _app(s).__setitem__("message", "deploying"),
    "deployment status": lambda s: _app(s)["serveDeploymentStatuses"]["D"].__setitem__("status", "UNHEALTHY"),
    "deployment message": lambda s: _app(s)["serveDeploymentStatuses"]["D"].__setitem__("message", "x"),
    "deployment added": lambda s: _app(s)["serveDeploymentStatuses"].__setitem__("E", {"status": "HEALTHY"}),
    "app renamed": lambda s: s["activeServiceStatus"].__setitem__("applicationStatuses", {"other": _app(s)}),
    "apps dropped": lambda s: s["activeServiceStatus"].pop("applicationStatuses"),
    "active name": lambda s: s["activeServiceStatus"].__setitem__("rayClusterName", "svc-b"),
    "pending name": lambda s: s["pendingServiceStatus"].__setitem__("rayClusterName", "svc-c"),
    "conditions": lambda s: s["conditions"][0].__setitem__("message", "other"),
    "endpoints": lambda s: s.__setitem__("numServeEndpoints", 2),
    "serviceStatus": lambda s: s.__setitem__("serviceStatus", ""),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_everything_else_is_worth_a_write(change: str) -> None:
    new = stored()
    CHANGES[change](new)
    assert st.worth_writing(stored(), new) is True


# ---------------------------------------------------------------------------------- suspend


def test_suspend_stages_request_waiting_complete_and_resume() -> None:
    status = initialized(numServeEndpoints=1, serviceStatus="Running", **names(active="svc-a", pending="svc-b"))
    st.calculate_conditions(status, T0, timeout=None)

    st.stage_suspend(status, 4, T0 + 1)
    assert status["observedGeneration"] == 4
    assert brief(status, "Suspending") == (
        "True",
        "SuspendRequested",
        "Spec.Suspend is true; will delete all Kubernetes resources owned by this RayService.",
    )
    assert brief(status, "Ready") == ("False", "SuspendInProgress", "RayService is suspending.")
    assert brief(status, "UpgradeInProgress") == ("False", "SuspendInProgress", "No upgrade in progress.")
    assert brief(status, "RollbackInProgress") == ("False", "SuspendInProgress", "No rollback in progress.")
    assert (status["activeServiceStatus"], status["pendingServiceStatus"]) == ({}, {})
    assert (status["numServeEndpoints"], status["serviceStatus"]) == (0, "")
    assert st.suspend_is_operative(status)

    st.suspend_waiting(status, T0 + 2)
    assert brief(status, "Suspending") == (
        "True",
        "SuspendInProgress",
        "Waiting for all Kubernetes resources owned by this RayService to be deleted.",
    )

    st.suspend_complete(status, T0 + 3)
    done = "All owned resources have been deleted."
    assert brief(status, "Suspending") == ("False", "SuspendComplete", done)
    assert brief(status, "Suspended") == ("True", "SuspendComplete", done)
    assert brief(status, "Ready") == ("False", "SuspendComplete", "RayService is suspended.")
    assert brief(status, "UpgradeInProgress") == ("False", "SuspendComplete", "No upgrade in progress.")
    assert brief(status, "RollbackInProgress") == ("False", "SuspendComplete", "No rollback in progress.")
    assert st.suspend_is_operative(status)

    st.resume(status, 5, T0 + 10)
    assert brief(status, "Suspended") == (
        "False",
        "RayServiceResumed",
        "Spec.Suspend is false; RayService has resumed.",
    )
    resumed = "RayService is initializing after resuming from suspend."
    assert brief(status, "Ready") == ("False", "Initializing", resumed)
    assert brief(status, "UpgradeInProgress") == ("False", "Initializing", resumed)
    # Removed and set again: a fresh lastTransitionTime although the status stayed False.
    assert cond(status, "Ready")["lastTransitionTime"] == rfc3339(T0 + 10)
    assert cond(status, "UpgradeInProgress")["lastTransitionTime"] == rfc3339(T0 + 10)
    assert not st.suspend_is_operative(status)
    # The initializing timeout counts from the resume.
    assert st.initializing_deadline(status, 30.0) == T0 + 40


# ---------------------------------------------------------------------------------- promotion


def test_promote_moves_pending_to_active_once_the_services_select_it() -> None:
    status = names(active="svc-a", pending="svc-b")
    status["pendingServiceStatus"]["applicationStatuses"] = {"app": {"status": "RUNNING"}}

    assert st.promote(status, "svc-b") is True

    assert status["activeServiceStatus"] == {
        "rayClusterName": "svc-b",
        "applicationStatuses": {"app": {"status": "RUNNING"}},
    }
    assert status["pendingServiceStatus"] == {}


def test_promote_is_a_no_op_while_the_services_select_the_active_cluster() -> None:
    status = names(active="svc-a", pending="svc-b")
    before = copy.deepcopy(status)

    assert st.promote(status, "svc-a") is False
    assert status == before
    assert st.promote(status, "") is False
    assert status == before


def test_promote_the_first_cluster() -> None:
    status = names(pending="svc-a")
    assert st.promote(status, "svc-a") is True
    assert (st.active_name(status), st.pending_name(status)) == ("svc-a", "")


# ---------------------------------------------------------------------------------- shouldPrepareNewCluster


def made_from(body: dict[str, Any], name: str) -> dict[str, Any]:
    return build.rayservice_cluster(body, name, OperatorConfig())


def with_head_image(body: dict[str, Any], image: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    changed["spec"]["rayClusterConfig"] = cluster_config(image=image)
    return changed


def prepare(body: dict[str, Any], active: Any, pending: Any, serving: bool = False, zero: bool = True) -> bool:
    return st.should_prepare_new_cluster(body, active, pending, pending_serving=serving, zero_downtime=zero)


def test_prepare_a_cluster_when_there_is_none() -> None:
    assert prepare(rayservice(), None, None) is True


def test_prepare_compares_with_the_pending_cluster_else_the_active_one() -> None:
    body = rayservice()
    old = made_from(body, "svc-a")
    changed = with_head_image(body, "rayproject/ray:2.42.0")
    new = made_from(changed, "svc-b")

    assert prepare(body, old, None) is False  # same spec
    assert prepare(changed, old, None) is True  # head changed: a new cluster
    assert prepare(changed, old, new) is False  # the pending cluster has it already
    assert prepare(body, old, new) is True  # compared with the pending one, not the active one
    assert prepare(changed, old, None, zero=False) is False  # zero-downtime off


def test_no_new_cluster_for_appended_worker_groups_while_serving_or_rolling_back() -> None:
    body = rayservice()
    old = made_from(body, "svc-a")
    appended = copy.deepcopy(body)
    appended["spec"]["rayClusterConfig"] = cluster_config(groups=2)
    changed = with_head_image(body, "rayproject/ray:2.42.0")

    assert prepare(appended, old, None) is False  # updated in place instead
    assert prepare(changed, old, None, serving=True) is False
    changed["status"] = {"conditions": [{"type": "RollbackInProgress", "status": "True"}]}
    assert prepare(changed, old, None) is False
