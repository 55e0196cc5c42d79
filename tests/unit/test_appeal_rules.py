"""Who may appeal, until when, and when the answer is due: by the request's law."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dsr.appeals.appeals import regulator_named
from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.notices.subject_notices import AppealInvitation, appeal_upheld, denial, unverifiable
from dsr.policies.appeal_rules import appeal_open_until, why_not_appealable
from dsr.policies.deadline_table import policy_for
from dsr.policies.request_deadlines import appeal_deadlines_for, local_day

CLOSED = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def _request(jurisdiction: str, status: Status, closed_at: datetime | None = CLOSED) -> PrivacyRequest:
    return PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="grace@example.org"),
        relationship=Relationship.ACCOUNT_HOLDER,
        jurisdiction=jurisdiction,
        channel=Channel.WEB,
        status=status,
        received_at=CLOSED - timedelta(days=20),
        respond_by=CLOSED + timedelta(days=25),
        closed_at=closed_at,
    )


@pytest.mark.parametrize("jurisdiction", ["US-VA", "US-CO", "US-CT", "US-TX"])
@pytest.mark.parametrize("status", [Status.DENIED, Status.UNVERIFIABLE])
def test_a_refusal_under_a_law_with_an_appeal_may_be_appealed_for_60_days(
    jurisdiction: str, status: Status
) -> None:
    request = _request(jurisdiction, status)
    until = appeal_open_until(request)

    assert until is not None
    assert local_day(jurisdiction, until) == local_day(jurisdiction, CLOSED) + timedelta(days=60)
    assert why_not_appealable(request, until) is None
    assert (
        why_not_appealable(request, until + timedelta(seconds=1))
        == "the time to appeal this decision has passed"
    )


@pytest.mark.parametrize("jurisdiction", ["EU", "UK", "US-CA", "US-UT", "BR", "CA", "CA-QC", "DEFAULT"])
def test_where_the_law_gives_no_appeal_to_the_company_there_is_none(jurisdiction: str) -> None:
    request = _request(jurisdiction, Status.DENIED)

    assert appeal_open_until(request) is None
    assert "gives no appeal" in str(why_not_appealable(request, CLOSED))


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (Status.COMPLETED, "there is no refusal to appeal"),
        (Status.IN_PROGRESS, "it can be appealed once we have answered"),
        (Status.AWAITING_APPROVAL, "it can be appealed once we have answered"),
    ],
)
def test_only_a_refusal_is_appealable(status: Status, why: str) -> None:
    request = _request("US-VA", status, closed_at=CLOSED if not status.is_open else None)

    assert appeal_open_until(request) is None
    assert why in str(why_not_appealable(request, CLOSED))


@pytest.mark.parametrize(
    ("jurisdiction", "days", "extended_days"),
    [("US-VA", 60, None), ("US-CO", 45, 105), ("US-CT", 60, None), ("US-TX", 60, None)],
)
def test_the_answer_is_due_by_the_laws_clock_from_the_appeal(
    jurisdiction: str, days: int, extended_days: int | None
) -> None:
    # Lodged late on 31 March in the state's time: already 1 April in UTC.
    appealed_at = datetime(2026, 4, 1, 3, 30, tzinfo=UTC)
    appeal_day = date(2026, 3, 31)
    assert local_day(jurisdiction, appealed_at) == appeal_day

    deadlines = appeal_deadlines_for(jurisdiction, appealed_at)

    assert deadlines is not None
    assert local_day(jurisdiction, deadlines.respond_by) == appeal_day + timedelta(days=days)
    if extended_days is None:
        assert deadlines.extended_respond_by is None
    else:
        assert deadlines.extended_respond_by is not None
        assert local_day(jurisdiction, deadlines.extended_respond_by) == appeal_day + timedelta(
            days=extended_days
        )


def test_no_appeal_clock_where_the_law_has_none() -> None:
    assert appeal_deadlines_for("EU", CLOSED) is None


@pytest.mark.parametrize("jurisdiction", ["US-VA", "US-CO", "US-CT", "US-TX"])
def test_every_appeal_state_names_its_attorney_general_and_a_complaint_address(jurisdiction: str) -> None:
    appeal = policy_for(jurisdiction).appeal
    assert appeal is not None and appeal.regulator is not None
    assert "Attorney General" in appeal.regulator.name
    assert appeal.regulator.complaint_url.startswith("https://")


def test_the_refusal_says_how_and_until_when_to_appeal_only_where_it_may_be() -> None:
    request = _request("US-VA", Status.DENIED)
    invitation = AppealInvitation(
        datetime(2026, 5, 10, 3, 59, tzinfo=UTC), "https://desk.example/status/x?token=t"
    )

    with_appeal = denial(request, "no reason", invitation).body
    without = denial(request, "no reason").body

    assert "You may appeal this decision until 9 May 2026" in with_appeal  # the local day in Virginia
    assert "https://desk.example/status/x?token=t" in with_appeal
    assert "APPEAL" not in without
    assert "complain to your data protection authority" in without
    assert "You may appeal" in unverifiable(request, invitation).body
    assert "You may appeal" not in unverifiable(request).body


@pytest.mark.parametrize(
    ("jurisdiction", "regulator"),
    [
        ("US-MT", "the Montana Attorney General"),
        ("US-OR", "the Oregon Department of Justice (Attorney General)"),
    ],
)
def test_a_regulator_without_a_verified_complaint_page_is_named_alone(
    jurisdiction: str, regulator: str
) -> None:
    request = _request(jurisdiction, Status.DENIED)
    assert regulator_named(request) == (regulator, None)
    assert (regulator_named(_request("US-VA", Status.DENIED))[1] or "").startswith("https://")
    # The notice says where to look, in the subject's language.
    upheld = appeal_upheld(request, "exempt", *regulator_named(request)).body
    assert f"you may complain to {regulator}: (see the regulator's website)" in upheld
