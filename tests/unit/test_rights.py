"""The rights a jurisdiction's law gives, version by version: Utah's right to correct from
1 July 2026 (H.B. 418), and what the desk does with a type the law does not give."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.policies import rights
from dsr.policies.request_deadlines import deadlines_for

CORRECT = RequestType.RECTIFICATION


LAW_ONLY: frozenset[RequestType] = frozenset()
# What the shipped privacy policy promises everyone (its section 4): review, correct, delete, unsubscribe.
PROMISED = rights.offered_everywhere("access,rectification,erasure,marketing_opt_out")


def test_utah_gives_the_right_to_correct_from_the_first_of_july_2026() -> None:
    assert CORRECT not in rights.offered("US-UT", date(2026, 6, 30), everywhere=LAW_ONLY)
    assert CORRECT in rights.offered("US-UT", date(2026, 7, 1), everywhere=LAW_ONLY)
    assert CORRECT in rights.offered("US-UT", date(2026, 6, 30), everywhere=PROMISED)


def test_a_person_is_offered_their_laws_rights_and_what_the_company_promises_everyone() -> None:
    eu = rights.offered("EU", date(2026, 12, 1), everywhere=PROMISED)
    california = rights.offered("US-CA", date(2027, 1, 5), everywhere=PROMISED)

    assert RequestType.OBJECTION in eu and RequestType.SALE_SHARING_OPT_OUT not in eu
    assert RequestType.ADMT_OPT_OUT in california and RequestType.OBJECTION not in california
    assert RequestType.RECTIFICATION in rights.offered("US-UT", date(2026, 6, 30), everywhere=PROMISED)
    assert rights.offered("US-UT", date(2026, 6, 30), everywhere=rights.offered_everywhere("all")) == list(
        RequestType
    )


def test_the_setting_names_a_type_the_desk_does_not_know() -> None:
    with pytest.raises(ValueError, match="unknown request type delete_everything; known: access"):
        rights.offered_everywhere("access,delete_everything")
    assert rights.offered_everywhere("") == frozenset()


def test_a_type_the_law_does_not_give_is_refused_naming_it_and_the_jurisdiction() -> None:
    with pytest.raises(rights.RightNotGivenError) as refused:
        rights.check_given("US-UT", [RequestType.ACCESS, CORRECT], date(2026, 6, 30), everywhere=LAW_ONLY)

    assert str(refused.value) == (
        "rectification: not a right Utah UCPA gives in US-UT (the version in force from 2023-12-31; "
        "rectification from 2026-07-01), nor one the company offers everyone; the rights you may ask "
        "for: access, portability, erasure, marketing_opt_out, sale_sharing_opt_out"
    )
    rights.check_given("US-UT", [CORRECT], date(2026, 7, 1), everywhere=LAW_ONLY)
    rights.check_given("US-UT", [CORRECT], date(2026, 6, 30), everywhere=PROMISED)


def _correction(received_at: datetime) -> PrivacyRequest:
    deadlines = deadlines_for("US-UT", [CORRECT], received_at)
    return PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=[CORRECT],
        subject=SubjectIdentity(email="grace@example.org"),
        relationship=Relationship.ACCOUNT_HOLDER,
        jurisdiction="US-UT",
        channel=Channel.EMAIL,
        status=Status.AWAITING_APPROVAL,
        received_at=received_at,
        respond_by=deadlines.respond_by,
        deadline_policy=deadlines.policy,
        deadline_policy_version=deadlines.policy_version,
    )


def test_staff_are_told_whether_the_right_was_the_laws_when_the_request_came_in() -> None:
    # Noon in Salt Lake City (MDT, UTC-6) on 30 June and on 1 July 2026.
    [before] = rights.bases(_correction(datetime(2026, 6, 30, 18, 0, tzinfo=UTC)))
    [since] = rights.bases(_correction(datetime(2026, 7, 1, 18, 0, tzinfo=UTC)))

    assert before == (
        CORRECT,
        False,
        "honoured voluntarily: Utah UCPA, the version in force from 2023-12-31 gives no such right",
    )
    assert since == (CORRECT, True, "a legal right: Utah UCPA, the version in force from 2026-07-01")
