"""The four-eyes rule for erasure: one staff member triages, another decides."""

from __future__ import annotations

import pytest

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import (
    awaiting_approval,
    staff_client,
    wait_until,
)


@pytest.fixture
def four_eyes(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOUR_EYES_FOR_ERASURE", "true")
    desk_from_environment.cache_clear()  # the functions read their settings again


@pytest.mark.usefixtures("four_eyes")
def test_an_erasure_is_decided_by_someone_other_than_its_triager(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    admin = staff_client(local_api, "admin@desk.example")
    request_id = awaiting_approval(cloud, desk, public, request_types=["erasure"])
    base = f"/staff/requests/{request_id}"

    untriaged = approver.post(f"{base}/decision", {"decision": "approve"})
    assert untriaged.status == 409
    assert "after another staff member has triaged it" in untriaged.body["message"]

    triaged = approver.post(
        f"{base}/triage", {"recommendation": "approve", "note": "Identity matched; no hold."}
    )
    assert triaged.status == 200
    again = admin.post(f"{base}/triage", {"recommendation": "deny", "note": "Second opinion."})
    assert (again.status, again.body["triaged_by"]) == (409, "approver@desk.example")

    own = approver.post(f"{base}/decision", {"decision": "approve"})
    assert own.status == 403
    assert "another staff member must decide it" in own.body["message"]

    decided = admin.post(f"{base}/decision", {"decision": "approve"})
    assert decided.status == 200
    wait_until(
        "the erasure to go ahead", lambda: desk.store.get(request_id).status.value != "AWAITING_APPROVAL"
    )
    review = admin.get(base).body["review"]
    assert review == {
        "triaged_by": "approver@desk.example",
        "recommendation": "approve",
        "triage_note": "Identity matched; no hold.",
        "decided_by": "admin@desk.example",
        "decision": "approve",
        "four_eyes": True,
    }
    actions = [(e.actor, e.action) for e in desk.store.events(request_id)]
    assert ("staff:approver@desk.example", "triaged") in actions


@pytest.mark.usefixtures("four_eyes")
def test_the_rule_covers_erasure_only(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"])
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200


def test_without_the_rule_an_erasure_is_decided_at_once(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["erasure"])
    assert approver.get(f"/staff/requests/{request_id}").body["review"]["four_eyes"] is False
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
