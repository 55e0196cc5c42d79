"""The status an authorized agent is told (Data Rights Protocol 1.0, 3.02-3.03): every desk
status has its DRP state, with the reason, dates and links the spec asks for."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dsr.agents.exercise_status import (
    DENIAL_LABELS,
    DrpReason,
    DrpState,
    exercise_status,
    reason_of_denial,
)
from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.review.denial_reasons import DenialReason

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
BASE = "https://privacy.example"
CONSOLE = Path(__file__).parents[2] / "functions" / "staff_console" / "static" / "console.js"


def _request(status: Status, **fields: object) -> PrivacyRequest:
    fields.setdefault("respond_by", NOW + timedelta(days=42))
    return PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="ada@example.com"),
        relationship=Relationship.OTHER,
        jurisdiction="US-CA",
        channel=Channel.DRP,
        status=status,
        received_at=NOW - timedelta(days=3),
        protocol_agent=ProtocolAgentLink(agent_id="CR_AGENT", agent_request_id="theirs-1", exercise="access"),
        **fields,
    )


EXPECTED = {
    Status.RECEIVED: (DrpState.OPEN, None),
    Status.VERIFYING: (DrpState.IN_PROGRESS, DrpReason.NEED_USER_VERIFICATION),
    Status.AWAITING_APPROVAL: (DrpState.IN_PROGRESS, None),
    Status.IN_PROGRESS: (DrpState.IN_PROGRESS, None),
    Status.COMPLETED: (DrpState.FULFILLED, None),
    Status.PARTIALLY_COMPLETED: (DrpState.FULFILLED, None),
    Status.DENIED: (DrpState.DENIED, DrpReason.NO_MATCH),
    Status.UNVERIFIABLE: (DrpState.DENIED, DrpReason.INSUF_VERIFICATION),
    Status.FAILED: (DrpState.DENIED, DrpReason.OTHER),
    Status.CANCELLED: (DrpState.REVOKED, None),
    Status.LINKED: (DrpState.IN_PROGRESS, None),
}


def test_every_desk_status_has_its_drp_state() -> None:
    assert set(EXPECTED) == set(Status)


@pytest.mark.parametrize("status", list(Status))
def test_each_desk_status_is_told_as_its_drp_state_and_reason(status: Status) -> None:
    request = _request(status)

    told = exercise_status(
        request,
        public_base_url=BASE,
        now=NOW,
        status_token="t" * 43,
        denial_reason="We hold no personal data that matches the details you gave.",
    ).as_drp()

    state, reason = EXPECTED[status]
    assert told["status"] == state.value
    assert told.get("reason") == (reason.value if reason else None)
    assert told["request_id"] == request.request_id
    assert told["agent_request_id"] == "theirs-1"
    assert told["received_at"].startswith("2026-12-04T12:00:00")
    assert told["expected_by"].startswith("2027-01-18T12:00:00")


def test_a_request_waiting_for_proof_sends_the_person_to_its_own_verification_page() -> None:
    request = _request(Status.VERIFYING)
    window_closes = NOW + timedelta(days=14)

    told = exercise_status(
        request, public_base_url=BASE, now=NOW, status_token="tok-en", verification_until=window_closes
    ).as_drp()

    assert told["user_verification_url"] == f"{BASE}/status/{request.request_id}?token=tok-en"
    assert told["expires_at"] == window_closes.isoformat().replace("+00:00", "Z")


def test_an_extended_request_is_expected_by_the_new_date_and_says_why() -> None:
    later = NOW + timedelta(days=80)
    request = _request(
        Status.IN_PROGRESS, respond_by=later, extended_at=NOW, extension_reason="many systems hold the data"
    )

    told = exercise_status(request, public_base_url=BASE, now=NOW).as_drp()

    assert told["expected_by"] == later.isoformat().replace("+00:00", "Z")
    assert "extended" in told["processing_details"]
    assert "many systems hold the data" in told["processing_details"]


def test_a_fulfilled_access_request_links_its_download_page_and_says_how_long_it_is_kept() -> None:
    kept = NOW + timedelta(days=730)
    request = _request(Status.COMPLETED, package_key="packages/x.zip", records_kept_until=kept)

    told = exercise_status(request, public_base_url=BASE, now=NOW).as_drp()

    assert told["results_url"] == f"{BASE}/download/{request.request_id}"
    assert told["expires_at"] == kept.isoformat().replace("+00:00", "Z")


def test_an_open_request_promises_no_expiry_and_no_results() -> None:
    told = exercise_status(
        _request(Status.IN_PROGRESS, package_key="p"), public_base_url=BASE, now=NOW
    ).as_drp()

    assert "expires_at" not in told
    assert "results_url" not in told


def test_a_partial_completion_names_what_was_not_done() -> None:
    told = exercise_status(
        _request(Status.PARTIALLY_COMPLETED), public_base_url=BASE, now=NOW, not_done=["Billing archive"]
    ).as_drp()

    assert "not done in Billing archive" in told["processing_details"]


def test_a_duplicate_is_told_the_status_of_the_request_it_was_joined_to() -> None:
    first = _request(Status.COMPLETED, package_key="p")
    duplicate = _request(Status.LINKED, linked_to=first.request_id)

    told = exercise_status(duplicate, public_base_url=BASE, now=NOW, linked=first).as_drp()

    assert (told["status"], told["request_id"]) == ("fulfilled", duplicate.request_id)
    assert told["agent_request_id"] == "theirs-1"
    assert "Joined to an earlier request" in told["processing_details"]


def test_a_record_past_its_keeping_date_is_expired() -> None:
    request = _request(Status.COMPLETED, records_kept_until=NOW - timedelta(seconds=1))

    assert exercise_status(request, public_base_url=BASE, now=NOW).status is DrpState.EXPIRED


@pytest.mark.parametrize(
    ("recorded", "reason"),
    [
        ("no_match", DrpReason.NO_MATCH),
        ("insufficient_verification: the agent's claims were not enough", DrpReason.INSUF_VERIFICATION),
        ("insuf_verification", DrpReason.INSUF_VERIFICATION),
        ("Suspected_Fraud. Signed from an unknown device.", DrpReason.SUSPECTED_FRAUD),
        ("The law requires us to keep this data. Tax records.", DrpReason.CLAIM_NOT_COVERED),
        ("We were busy.", DrpReason.OTHER),
        (None, DrpReason.OTHER),
    ],
)
def test_the_recorded_denial_reason_becomes_the_closest_drp_reason(
    recorded: str | None, reason: DrpReason
) -> None:
    assert reason_of_denial(recorded) is reason


def test_the_insufficient_verification_spelling_is_read_but_never_sent() -> None:
    told = exercise_status(
        _request(Status.DENIED), public_base_url=BASE, now=NOW, denial_reason="insufficient_verification"
    ).as_drp()

    assert told["reason"] == "insuf_verification"


def test_every_denial_reason_the_console_offers_is_one_the_desk_knows_and_maps_to_its_drp_reason() -> None:
    offered = re.findall(
        r'\["(\w+)", S_\("([^"]+)"\)\]', CONSOLE.read_text().split("const DENIAL_REASONS", 1)[1][:1500]
    )
    assert [code for code, _ in offered] == [reason.value for reason in DenialReason]
    for code, label in offered:
        # The code the console sends, as the audit trail records it.
        found = reason_of_denial(code)
        if code == "legal_obligation":
            assert found is DrpReason.CLAIM_NOT_COVERED
        else:
            assert found.value == code, (code, label)
        # Denials recorded before reason codes carried the English label: still read.
        if code != "other":
            assert reason_of_denial(f"{label}. More detail.") is found
    assert len(DENIAL_LABELS) == len(offered) - 1
