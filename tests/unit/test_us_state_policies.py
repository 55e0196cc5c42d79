"""The US states' privacy laws: which requests run on them, Florida's coverage setting, the
extension notices Colorado and Utah require, and ``dsr deadlines`` answering for every code.

Expected dates are worked out by hand in the comments, not by calling the code under test.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from dsr.core.identities import SubjectIdentity
from dsr.core.jurisdictions import JURISDICTIONS, infer_jurisdiction
from dsr.core.models import NewRequest, RequestType
from dsr.core.settings import DeskSettings
from dsr.policies.deadline_counting import HolidayCalendar
from dsr.policies.deadline_table import DeadlineError, policies, policy_for
from dsr.policies.deadlines import appeal_due_dates, due_dates
from dsr_cli.main import main

D = date.fromisoformat

NEW_STATES = (
    *("MT", "DE", "NH", "NE", "TN", "MD", "IN", "KY", "RI", "OK", "LA"),
    *("OR", "MN", "NJ", "IA", "FL", "AL", "VT"),
)


# ------------------------------------------------------------------------------ which law


@pytest.mark.parametrize("state", NEW_STATES)
def test_a_resident_of_each_state_with_a_law_runs_on_it(state: str) -> None:
    assert infer_jurisdiction("US", state) == f"US-{state}"
    assert infer_jurisdiction("us", state.lower()) == f"US-{state}"
    request = NewRequest(
        subject=SubjectIdentity(email="pat@example.com"),
        request_types=[RequestType.ACCESS],
        country="US",
        region=state,
    )
    assert request.resolved_jurisdiction() == f"US-{state}"


def test_a_state_without_a_law_runs_on_the_default() -> None:
    assert infer_jurisdiction("US", "NY") == "DEFAULT"
    assert infer_jurisdiction("US", "WA") == "DEFAULT"


def test_a_subject_may_state_a_new_jurisdiction() -> None:
    request = NewRequest(
        subject=SubjectIdentity(email="pat@example.com"),
        request_types=[RequestType.ACCESS],
        jurisdiction="US-OR",
    )
    assert request.resolved_jurisdiction() == "US-OR"


# ------------------------------------------------------------------------------ Florida


def test_florida_runs_on_the_default_unless_the_company_is_covered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLORIDA_COVERED", raising=False)
    uncovered = due_dates("US-FL", D("2026-03-10"))
    # The company's default: acknowledged at once, 30 days (9 April), no extension.
    assert (uncovered.policy, uncovered.respond_by, uncovered.extended_respond_by) == (
        "DEFAULT",
        D("2026-04-09"),
        None,
    )
    assert uncovered.rules["policy"].rule.startswith(
        "the company is not covered by Florida's law (FLORIDA_COVERED is not true)"
    )
    assert "501.702" in (uncovered.rules["policy"].source or "")

    monkeypatch.setenv("FLORIDA_COVERED", "false")
    assert due_dates("US-FL", D("2026-03-10")).policy == "DEFAULT"


@pytest.mark.parametrize(
    ("received", "respond", "extended"),
    [
        # Receipt + 45, and only 15 more (60 in all), notice within the first 45: 10 March + 21 =
        # 31 March, + 24 = 24 April; + 60: 30 April (51), 9 May. 24 December + 45 = 7 February;
        # + 60: 31 December (7), 31 January (38), 22 February. 30 April + 45 = 14 June, + 60 =
        # 29 June. 29 February 2028 + 45 = 14 April, + 60: 31 March (31), 29 April.
        ("2026-03-10", "2026-04-24", "2026-05-09"),
        ("2026-12-24", "2027-02-07", "2027-02-22"),
        ("2026-04-30", "2026-06-14", "2026-06-29"),
        ("2028-02-29", "2028-04-14", "2028-04-29"),
    ],
)
def test_a_covered_company_answers_florida_in_45_days_extended_by_only_15(
    monkeypatch: pytest.MonkeyPatch, received: str, respond: str, extended: str
) -> None:
    monkeypatch.setenv("FLORIDA_COVERED", "true")
    dates = due_dates("US-FL", D(received))
    assert dates.policy == "US-FL"
    assert (dates.respond_by, dates.extended_respond_by, dates.extension_notice_by) == (
        D(respond),
        D(extended),
        D(respond),
    )
    # Appeal: 60 days from the appeal's receipt (31 March + 60: 30 April (30), 30 May).
    assert appeal_due_dates("US-FL", D("2026-03-31")).respond_by == D("2026-05-30")


def test_a_florida_setting_that_is_neither_true_nor_false_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLORIDA_COVERED", "maybe")
    with pytest.raises(DeadlineError, match="FLORIDA_COVERED='maybe': use true or false"):
        due_dates("US-FL", D("2026-03-10"))


def test_the_florida_setting_is_a_deployment_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    names = "REQUESTS_TABLE PACKAGES_BUCKET INBOUND_MAIL_BUCKET DATA_KEY_ID IDENTITY_KEY_ID SENDER_ADDRESS"
    required = dict.fromkeys([*names.split(), "PRIVACY_MAILBOX", "PUBLIC_BASE_URL", "ALERTS_TOPIC_ARN"], "x")
    assert DeskSettings.model_validate(required).florida_covered is False
    assert DeskSettings.model_validate({**required, "FLORIDA_COVERED": "true"}).florida_covered is True


# ------------------------------------------------------------------------------ clocks


@pytest.mark.parametrize(
    ("code", "received"),
    [
        # Thursday 26 November 2026 is Thanksgiving. 12 October + 45: 31 October (19), 26 November.
        *((f"US-{state}", "2026-10-12") for state in ("MT", "DE", "NH", "NE", "TN", "MD", "IN", "KY", "RI")),
        *((f"US-{state}", "2026-10-12") for state in ("OR", "MN", "NJ", "CO", "UT", "CT")),
        # Iowa's 90 days: 28 August + 90: 31 August (3), 30 September (33), 31 October (64), 26 November.
        ("US-IA", "2026-08-28"),
    ],
)
def test_a_state_due_date_on_a_public_holiday_stands(code: str, received: str) -> None:
    # None of these laws counts business days or moves a last day off a holiday: the date stands.
    subdivision = code.removeprefix("US-")
    assert not HolidayCalendar("US", subdivision).is_working_day(D("2026-11-26"))
    dates = due_dates(code, D(received))
    assert dates.policy == code
    assert dates.respond_by == D("2026-11-26")
    assert "no weekend roll" in dates.rules["respond_by"].rule


def test_colorado_and_minnesota_appeals_give_notice_of_an_extension_within_45_days() -> None:
    # Appeal received 31 March 2026: notice by 15 May (45 days), extended answer by 14 July (105).
    for code in ("US-CO", "US-MN"):
        dates = appeal_due_dates(code, D("2026-03-31"))
        assert (dates.respond_by, dates.extension_notice_by, dates.extended_respond_by) == (
            D("2026-05-15"),
            D("2026-05-15"),
            D("2026-07-14"),
        )
        assert "45 calendar days after the appeal" in dates.rules["extension_notice_by"].rule


@pytest.mark.parametrize("code", ["US-CO", "US-UT"])
def test_colorado_and_utah_give_notice_of_an_extension_within_the_first_45_days(code: str) -> None:
    # Received 10 March 2026: + 45 = 24 April.
    dates = due_dates(code, D("2026-03-10"))
    assert dates.extension_notice_by == D("2026-04-24")
    assert "reasons" in dates.rules["extended_respond_by"].rule


def test_oregon_and_new_jersey_wait_for_authentication_and_minnesota_does_not() -> None:
    # Received 10 March 2026; 6 days waiting for what authenticates the request: 24 April + 6 = 30 April.
    for code in ("US-OR", "US-NJ"):
        assert policy_for(code).clock.pauses_for == ["authentication"]
        assert due_dates(code, D("2026-03-10"), paused_days=6).respond_by == D("2026-04-30")
    with pytest.raises(DeadlineError, match="US-MN: the clock does not pause"):
        due_dates("US-MN", D("2026-03-10"), paused_days=6)


def test_connecticut_has_a_version_from_1_july_2026() -> None:
    before = due_dates("US-CT", D("2026-06-30"))
    since = due_dates("US-CT", D("2026-07-01"))
    assert (before.policy_version, since.policy_version) == ("2023-07-01", "2026-07-01")
    assert "Public Act 25-113" in (since.rules["policy"].source or "")
    # The clocks did not change: + 45 = 14 and 15 August.
    assert (before.respond_by, since.respond_by) == (D("2026-08-14"), D("2026-08-15"))


# ------------------------------------------------------------------------------ dsr deadlines


@pytest.mark.parametrize("code", sorted(JURISDICTIONS))
def test_dsr_deadlines_answers_for_every_jurisdiction_with_rules_and_sources(
    code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["deadlines", "--jurisdiction", code, "--received", "2027-06-01", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert document["respond_by"]
    rules = document["rules"]
    assert rules["respond_by"]["rule"] and rules["respond_by"]["source"]
    assert rules["policy"]["rule"] and rules["policy"]["source"]


def test_dsr_deadlines_says_when_a_state_law_is_not_in_force_yet(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["deadlines", "--jurisdiction", "US-VT", "--received", "2027-06-01", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    # The company's default: 1 June + 30 = 1 July.
    assert document["respond_by"] == "2027-07-01"
    assert document["rules"]["policy"]["rule"].startswith(
        "Vermont Data Privacy and Online Surveillance Act applies from 2028-01-01; received 2027-06-01"
    )


# ------------------------------------------------------------------------------ rights


@pytest.mark.parametrize(
    ("code", "received", "kind", "given"),
    [
        # The list of the specific third parties: Oregon, Minnesota; Delaware and Maryland ask for
        # categories, which the desk's list of the specific third parties covers.
        ("US-OR", "2026-03-10", RequestType.THIRD_PARTY_LIST, True),
        ("US-MN", "2026-03-10", RequestType.THIRD_PARTY_LIST, True),
        ("US-DE", "2026-03-10", RequestType.THIRD_PARTY_LIST, True),
        ("US-MD", "2026-03-10", RequestType.THIRD_PARTY_LIST, True),
        ("US-VA", "2026-03-10", RequestType.THIRD_PARTY_LIST, False),
        # Questioning a profiling result: Minnesota; Connecticut from 1 July 2026 only.
        ("US-MN", "2026-03-10", RequestType.PROFILING_REVIEW, True),
        ("US-CT", "2026-06-30", RequestType.PROFILING_REVIEW, False),
        ("US-CT", "2026-07-01", RequestType.PROFILING_REVIEW, True),
        ("US-CT", "2026-07-01", RequestType.THIRD_PARTY_LIST, True),
        # Iowa gives no right to correct.
        ("US-IA", "2026-03-10", RequestType.RECTIFICATION, False),
        ("US-IA", "2026-03-10", RequestType.ERASURE, True),
    ],
)
def test_each_states_law_gives_its_own_rights(
    code: str, received: str, kind: RequestType, given: bool
) -> None:
    in_force = policies().in_force(code, D(received))
    assert in_force.code == code
    assert in_force.policy.gives(kind) is given
