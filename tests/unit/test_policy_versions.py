"""Policies with the day they apply from: the version in force on the day of receipt, DEFAULT
before a law applies, and a request's later decisions by the version it recorded.

Expected dates are worked out by hand in the comments, not by calling the code under test.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.policies.appeal_rules import appeal_open_until
from dsr.policies.deadline_table import (
    POLICY_PATH,
    POLICY_PATH_VARIABLE,
    DeadlineError,
    DeadlinePolicies,
    parse_policies,
)
from dsr.policies.deadlines import due_dates
from dsr.policies.request_deadlines import deadlines_for, request_policy
from dsr.policies.retention import retention_months
from dsr_cli.main import main

D = date.fromisoformat
SHIPPED: dict[str, Any] = yaml.safe_load(POLICY_PATH.read_text(encoding="utf-8"))

# Virginia rewritten as if its law had changed on 1 July 2026: before, 30 days with no
# extension, no appeal and no record-keeping period; from then, the shipped rules.
VIRGINIA_BEFORE = {
    "in_force_from": "2023-01-01",
    "respond": {"within": {"amount": 30, "unit": "calendar_days"}, "source": "an earlier text"},
    "extension": None,
    "appeal": None,
}
# Alabama as enacted, applying from 1 May 2027: Virginia's rules under another name.
ALABAMA = "Alabama Personal Data Protection Act"


def document_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = copy.deepcopy(SHIPPED)
    change(document)
    return document


def table_with(change: Callable[[dict[str, Any]], None]) -> DeadlinePolicies:
    return parse_policies(yaml.safe_dump(document_with(change), sort_keys=False))


def virginia_changed(document: dict[str, Any]) -> None:
    virginia = document["policies"]["US-VA"]
    virginia["in_force_from"] = "2026-07-01"
    virginia["records"] = {"months": 36, "keep": "requests and answers", "source": "a later text"}
    virginia["earlier"] = [{**VIRGINIA_BEFORE, "records": None}]


def alabama_added(document: dict[str, Any]) -> None:
    alabama = copy.deepcopy(document["policies"]["US-VA"])
    alabama.update(name=ALABAMA, law="Ala. Act 2026-xxx", in_force_from="2027-05-01")
    document["policies"]["US-AL"] = alabama


# ------------------------------------------------------------------------------ the version in force


def test_utah_before_and_from_its_right_to_correct() -> None:
    # Receipt + 45 days: 30 June + 45 = 14 August; 1 July + 45 = 15 August (July has 31 days).
    before = due_dates("US-UT", D("2026-06-30"), "rectification")
    since = due_dates("US-UT", D("2026-07-01"), "rectification")

    assert (before.policy, before.policy_version, before.respond_by) == (
        "US-UT",
        "2023-12-31",
        D("2026-08-14"),
    )
    assert (since.policy, since.policy_version, since.respond_by) == ("US-UT", "2026-07-01", D("2026-08-15"))
    assert (
        before.rules["policy"].rule == "Utah UCPA, the version in force from 2023-12-31; received 2026-06-30"
    )
    assert "as enacted" in str(before.rules["policy"].source)
    policy = DeadlinePolicies.model_validate(SHIPPED).policy("US-UT")
    assert not policy.version_on(D("2026-06-30")).gives(RequestType.RECTIFICATION)  # type: ignore[union-attr]
    assert policy.version_on(D("2026-07-01")).gives(RequestType.RECTIFICATION)  # type: ignore[union-attr]


def test_a_request_received_the_day_before_a_new_version_keeps_the_old_clock() -> None:
    table = table_with(virginia_changed)
    # Old version: 30 days, no extension: 30 June + 30 = 30 July.
    before = due_dates("US-VA", D("2026-06-30"), table=table)
    # New version: 45 days, + 45: 1 July + 45 = 15 August; + 90 = 29 September (31 July is + 30,
    # 31 August + 61).
    since = due_dates("US-VA", D("2026-07-01"), table=table)

    assert (before.policy_version, before.respond_by, before.extended_respond_by) == (
        "2023-01-01",
        D("2026-07-30"),
        None,
    )
    assert (since.policy_version, since.respond_by, since.extended_respond_by) == (
        "2026-07-01",
        D("2026-08-15"),
        D("2026-09-29"),
    )


def test_a_law_not_yet_in_force_falls_back_to_the_default_and_says_why() -> None:
    table = table_with(alabama_added)
    # DEFAULT: acknowledged at once, 30 days: 1 December + 30 = 31 December; no extension.
    early = due_dates("US-AL", D("2026-12-01"), table=table)
    # Alabama from 1 May 2027: + 45 = 15 June (31 May is + 30).
    in_force = due_dates("US-AL", D("2027-05-01"), table=table)

    assert (early.jurisdiction, early.policy, early.policy_version) == ("US-AL", "DEFAULT", "2000-01-01")
    assert (early.acknowledge_by, early.respond_by, early.extended_respond_by) == (
        D("2026-12-01"),
        D("2026-12-31"),
        None,
    )
    assert early.rules["policy"].rule == (
        f"{ALABAMA} applies from 2027-05-01; received 2026-12-01: the company's default timeframe "
        "(Company default, the version in force from 2000-01-01)"
    )
    assert (in_force.policy, in_force.respond_by) == ("US-AL", D("2027-06-15"))


def test_a_request_before_the_gdpr_applied_runs_on_the_default() -> None:
    # 24 May 2018 + 30 days = 23 June; from 25 May 2018 one month: Monday 25 June 2018.
    assert (due_dates("EU", D("2018-05-24")).policy, due_dates("EU", D("2018-05-24")).respond_by) == (
        "DEFAULT",
        D("2018-06-23"),
    )
    assert (due_dates("EU", D("2018-05-25")).policy, due_dates("EU", D("2018-05-25")).respond_by) == (
        "EU",
        D("2018-06-25"),
    )


def test_the_version_is_chosen_by_the_local_day_of_receipt() -> None:
    # 23:30 on 30 June in Denver (MDT, UTC-6) is 05:30 on 1 July in UTC: Utah's old version.
    late_evening = deadlines_for("US-UT", [RequestType.ACCESS], datetime(2026, 7, 1, 5, 30, tzinfo=UTC))
    midnight = deadlines_for("US-UT", [RequestType.ACCESS], datetime(2026, 7, 1, 6, 0, tzinfo=UTC))

    assert late_evening.fields()["deadline_policy_version"] == "2023-12-31"
    assert midnight.fields()["deadline_policy_version"] == "2026-07-01"
    assert late_evening.fields()["deadline_policy"] == midnight.fields()["deadline_policy"] == "US-UT"


# ------------------------------------------------------------------------------ later decisions


def _request(received_at: datetime, *, recorded: bool = True) -> PrivacyRequest:
    deadlines = deadlines_for("US-VA", [RequestType.ACCESS], received_at)
    return PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="grace@example.org"),
        relationship=Relationship.ACCOUNT_HOLDER,
        jurisdiction="US-VA",
        channel=Channel.WEB,
        status=Status.DENIED,
        received_at=received_at,
        respond_by=deadlines.respond_by,
        closed_at=datetime(2026, 8, 10, 15, 0, tzinfo=UTC),
        deadline_policy=deadlines.policy if recorded else None,
        deadline_policy_version=deadlines.policy_version if recorded else None,
    )


def test_appeal_and_retention_follow_the_version_the_request_was_received_under(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deadlines.yaml"
    path.write_text(yaml.safe_dump(document_with(virginia_changed), sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(POLICY_PATH_VARIABLE, str(path))
    # Noon in Richmond on 30 June and on 1 July.
    old = _request(datetime(2026, 6, 30, 16, 0, tzinfo=UTC))
    new = _request(datetime(2026, 7, 1, 16, 0, tzinfo=UTC))

    assert (old.deadline_policy_version, new.deadline_policy_version) == ("2023-01-01", "2026-07-01")
    # Refused on 10 August 2026, after the new version began: the old one gave no appeal.
    assert appeal_open_until(old) is None
    assert appeal_open_until(new) is not None
    # No records period in the old version: the desk's 24 months; the new one says 36.
    assert (retention_months(old), retention_months(new)) == (24, 36)
    # A request stored before versions were named goes by its day of receipt.
    assert request_policy(_request(old.received_at, recorded=False)).version == "2023-01-01"


def test_a_request_whose_law_was_not_in_force_has_no_appeal_under_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deadlines.yaml"
    path.write_text(yaml.safe_dump(document_with(alabama_added), sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(POLICY_PATH_VARIABLE, str(path))
    received_at = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)

    deadlines = deadlines_for("US-AL", [RequestType.ACCESS], received_at)
    request = _request(received_at).model_copy(
        update={
            "jurisdiction": "US-AL",
            "deadline_policy": deadlines.policy,
            "deadline_policy_version": deadlines.policy_version,
            "closed_at": received_at + timedelta(days=10),
        }
    )

    assert (deadlines.policy, deadlines.policy_version) == ("DEFAULT", "2000-01-01")
    assert appeal_open_until(request) is None


# ------------------------------------------------------------------------------ the command line


def test_the_json_document_keeps_its_keys_and_adds_the_policy_to_the_rules(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["deadlines", "--jurisdiction", "US-UT", "--received", "2026-06-30", "--json"])
    document = json.loads(capsys.readouterr().out)

    assert status == 0
    assert set(document) == {
        "acknowledge_by",
        "respond_by",
        "extended_respond_by",
        "extension_notice_by",
        "rules",
    }
    assert set(document["rules"]) == {
        "acknowledge_by",
        "respond_by",
        "extended_respond_by",
        "extension_notice_by",
        "policy",
    }
    assert document["respond_by"] == "2026-08-14"
    assert document["rules"]["policy"]["rule"].startswith("Utah UCPA, the version in force from 2023-12-31")


def test_the_text_names_the_version_and_the_fallback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["deadlines", "--jurisdiction", "US-UT", "--received", "2026-07-01"])
    assert capsys.readouterr().out.startswith("US-UT: policy US-UT, version 2026-07-01\n")

    path = tmp_path / "deadlines.yaml"
    path.write_text(yaml.safe_dump(document_with(alabama_added), sort_keys=False), encoding="utf-8")
    monkeypatch.setenv(POLICY_PATH_VARIABLE, str(path))
    status = main(["deadlines", "--jurisdiction", "US-AL", "--received", "2026-12-01"])
    out = capsys.readouterr().out

    assert status == 0
    assert out.startswith("US-AL: policy DEFAULT, version 2000-01-01 (the law is not in force yet)\n")
    assert f"rule:   {ALABAMA} applies from 2027-05-01; received 2026-12-01" in out
    assert "respond by           2026-12-31 (Thursday)" in out


# ------------------------------------------------------------------------------ validation


def _earlier(code: str, *versions: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda d: d["policies"][code].update(earlier=list(versions))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            _earlier("US-VA", {"in_force_from": "2023-01-01"}),
            "policies.US-VA.earlier.0.in_force_from: 2023-01-01 is not before 2023-01-01, the day the "
            "version after it applies from",
        ),
        (
            _earlier("US-VA", {"in_force_from": "2022-01-01"}, {"in_force_from": "2022-06-01"}),
            "policies.US-VA.earlier.1.in_force_from: 2022-06-01 is not before 2022-01-01",
        ),
        (
            _earlier(
                "US-VA",
                {
                    "in_force_from": "2022-01-01",
                    "respond": {"within": {"amount": 90, "unit": "calendar_days"}, "source": "x"},
                },
            ),
            "policies.US-VA.earlier.0: as written out, extension.cap: 90 is not beyond the period of 90",
        ),
        (
            _earlier("US-VA", {"in_force_from": "2022-01-01", "respnd": None}),
            "policies.US-VA.earlier.0.respnd: Extra inputs are not permitted",
        ),
        (
            lambda d: d["policies"]["EU"].update(version="2026-11"),
            "policies.EU.version: a policy's version is named by in_force_from",
        ),
        (lambda d: d["policies"]["EU"].pop("in_force_from"), "policies.EU.in_force_from: Field required"),
        (
            lambda d: d["policies"]["EU"].update(in_force_from="2018-02-30"),
            "policies.EU.in_force_from: Input should be a valid date",
        ),
        (
            lambda d: d["policies"]["EU"]["rights"].update(types=["access", "erasure", "access"]),
            "policies.EU.rights.types: access listed more than once",
        ),
        (lambda d: d["policies"]["UK"].pop("rights"), "policies.UK.rights: Field required"),
    ],
)
def test_the_loader_names_the_version_and_field_at_fault(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    with pytest.raises(DeadlineError) as raised:
        table_with(change)
    assert expected in str(raised.value)


def test_a_day_that_does_not_exist_in_the_file_is_a_clear_error() -> None:
    text = POLICY_PATH.read_text(encoding="utf-8").replace(
        "in_force_from: 2018-05-25", "in_force_from: 2018-02-30", 1
    )
    with pytest.raises(
        DeadlineError, match=r"policies\.yaml: a date that does not exist: day is out of range"
    ):
        parse_policies(text, source="policies.yaml")
