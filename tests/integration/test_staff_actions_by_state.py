"""Every staff action against a request in every state where it is not allowed: a 409 that says
why, and nothing changed. (Each action in the states that allow it is followed through the
workflow in the tests of that action.)"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.policies.request_deadlines import deadlines_for
from dsr.wiring.desk import Desk
from local_cloud.http_api import LocalApi
from tests.support import staff_client

OPEN_BEFORE_WORK = {Status.RECEIVED, Status.VERIFYING, Status.AWAITING_APPROVAL}
OPEN = {status for status in Status if status.is_open}

# action: (path under the request, body, the states in which it may be allowed)
ACTIONS: dict[str, tuple[str, dict[str, object] | None, set[Status]]] = {
    "decide": ("/decision", {"decision": "approve"}, {Status.AWAITING_APPROVAL}),
    "triage": ("/triage", {"recommendation": "approve", "note": "looks right"}, {Status.AWAITING_APPROVAL}),
    "extend": ("/extension", {"reason": "Several archived systems to search."}, OPEN),
    "ask": ("/information-request", {"question": "Which of your two accounts?"}, OPEN),
    "information received": ("/information-received", None, set()),  # only while the clock is paused
    "rerun": ("/rerun", None, {Status.PARTIALLY_COMPLETED}),
    "cancel": ("/cancel", {"reason": "The subject withdrew it."}, OPEN_BEFORE_WORK),
    "answer appeal": ("/appeal/decision", {"decision": "uphold", "reason": "It stands."}, set()),
    "extend appeal": ("/appeal/extension", {"reason": "We need to ask another team."}, set()),
    "power of attorney": ("/power-of-attorney", None, set()),
    "send deletion certificate": (
        "/deletion-certificate",
        None,
        {Status.COMPLETED, Status.PARTIALLY_COMPLETED},
    ),
    # Only a package held for review is redacted or released: none of these requests has one.
    "redact": ("/package/redactions", {"system_id": "accounts", "record": 0, "ground": "third_party"}, set()),
    "take a redaction back": (
        "/package/redactions/removal",
        {"system_id": "accounts", "record": 0, "ground": "third_party"},
        set(),
    ),
    "release package": ("/package/release", None, set()),
    "confirm": (
        "/systems/customer-service/erase/confirmation",
        {"answer": "done", "note": "they did it"},
        set(),
    ),
}


def _request_in(desk: Desk, status: Status) -> str:
    """A request recorded in ``status``, with no workflow and no waiting task behind it."""
    received = desk.now() - timedelta(days=3)
    deadlines = deadlines_for("UK", [RequestType.ERASURE], received)
    request = PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ERASURE],
        subject=SubjectIdentity(email="ada@example.com"),
        relationship=Relationship.ACCOUNT_HOLDER,
        jurisdiction="UK",
        channel=Channel.WEB,
        status=status,
        received_at=received,
        respond_by=deadlines.respond_by,
        extended_respond_by=deadlines.extended_respond_by,
        extension_notice_by=deadlines.extension_notice_by,
        watch_at=deadlines.watch_at,
        closed_at=None if status.is_open else desk.now(),
    )
    desk.store.create(request)
    return request.request_id


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_action_outside_its_states_is_refused_and_changes_nothing(
    local_api: LocalApi, desk: Desk, action: str
) -> None:
    admin = staff_client(local_api, "admin@desk.example")  # every group's rights: only the state refuses
    path, body, allowed = ACTIONS[action]
    refused_in = [status for status in Status if status not in allowed]
    requests = {status: _request_in(desk, status) for status in refused_in}

    for status, request_id in requests.items():
        events_before = len(desk.store.events(request_id))
        answer = admin.call("POST", f"/staff/requests/{request_id}{path}", body)
        assert answer.status in {404, 409}, f"{action} on {status.value}: {answer.status} {answer.body}"
        assert answer.body["message"], f"{action} on {status.value} says nothing"
        assert desk.store.get(request_id).status is status, f"{action} changed a {status.value} request"
        assert len(desk.store.events(request_id)) == events_before, f"{action} on {status.value} left a trace"


def test_the_table_covers_every_state_changing_staff_route(local_api: LocalApi) -> None:
    posted = {route.path for route in local_api.routes if route.method == "POST" and route.authorizer}
    per_request = {
        path.removeprefix("/staff/requests/{request_id}") for path in posted if "{request_id}/" in path
    }
    # Show the identity, or make an evidence pack of the request as it stands: no state changes.
    reads = {"/identity", "/evidence"}
    covered = {path for path, _, _ in ACTIONS.values()}
    assert per_request - reads == {
        p.replace("customer-service/erase", "{system_id}/{action}") for p in covered
    }
