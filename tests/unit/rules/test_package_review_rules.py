"""Review before release, as the rules decide it: an access package held for a reviewer, fields
and records redacted on a ground, and one release that builds the package less the redactions,
says what was withheld and why, and lets the workflow go on."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from dsr.core.actions import Action
from dsr.deadlines.watch import WatchSettings, watch
from dsr.fulfilment import package_review
from dsr.fulfilment.carrying_out import run_system_task
from dsr.fulfilment.fulfilment import SystemTask, plan
from dsr.fulfilment.results import compile_results
from dsr.notices.public_views import PACKAGE_BEING_PREPARED, next_step
from dsr.review.redactions import Redaction
from dsr.review.withholding import WithholdingGround
from tests.support import open_request_due_in
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock
from tests.unit.rules.test_fulfilment_rules import _approved

REVIEWER = "approver@desk.example"


@pytest.fixture
def reviewed(systems: DeskInMemory) -> DeskInMemory:
    """The deployment holds every access package for review (``REVIEW_ACCESS_PACKAGES``)."""
    systems.settings = systems.settings.model_copy(update={"review_access_packages": True})
    return systems


def _exported(desk: DeskInMemory, workflow: RecordedWorkflow) -> str:
    request_id = _approved(desk, workflow, "access")
    plan(desk, request_id)
    for system_id in ("accounts", "invoices"):
        run_system_task(desk, request_id, SystemTask(system_id=system_id, action=Action.EXPORT))
    return request_id


def _held(desk: DeskInMemory, workflow: RecordedWorkflow) -> tuple[str, str]:
    """An access request whose package is held, the workflow waiting on the token returned."""
    request_id = _exported(desk, workflow)
    assert compile_results(desk, request_id).held_for_review
    token = workflow.hand_out_token()
    package_review.await_release(desk, request_id, token)
    return request_id, token


def _package(desk: DeskInMemory, request_id: str) -> dict[str, Any]:
    key = desk.store.get(request_id).package_key
    assert key is not None
    return json.loads(desk.s3.get_object(Bucket=desk.settings.packages_bucket, Key=key)["Body"].read())


def _page(desk: DeskInMemory, request_id: str) -> str:
    key = desk.store.get(request_id).readable_package_key
    assert key is not None
    return desk.s3.get_object(Bucket=desk.settings.packages_bucket, Key=key)["Body"].read().decode()


def _released(desk: DeskInMemory, request_id: str, by: str = REVIEWER) -> int:
    """The reviewer releases the package; the workflow goes on to build it (``BuildReleasedPackage``)."""
    applied = package_review.release(desk, request_id, by)
    package_review.build_released(desk, request_id)
    return applied


def _invoice_index(desk: DeskInMemory, request_id: str, invoice_id: str) -> int:
    records = package_review.held_records(desk, request_id, "invoices")
    return next(i for i, record in enumerate(records) if record["invoice_id"] == invoice_id)


def test_a_held_package_is_not_written_and_the_subject_reads_that_it_is_being_prepared(
    reviewed: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _held(reviewed, workflow)

    request = reviewed.store.get(request_id)
    assert request.package_key is None and request.readable_package_key is None
    assert request.package_held_at is not None
    assert next_step(request) == PACKAGE_BEING_PREPARED
    assert token in workflow.waiting  # the workflow waits for the release
    trail = {e.action: e for e in reviewed.store.events(request_id)}
    assert trail["access package held for review"].detail["systems"] == 2
    assert "package review requested" in trail


def test_without_the_setting_only_a_flagged_system_holds_the_package(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _exported(systems, workflow)
    assert not package_review.held_for_review(systems, ["accounts", "invoices"])
    flagged = systems.registry.systems[1].model_copy(update={"review_before_release": True})
    systems.registry.systems[1] = flagged
    assert flagged.id == "invoices"
    assert package_review.held_for_review(systems, ["accounts", "invoices"])
    assert not package_review.held_for_review(systems, ["accounts"])
    assert compile_results(systems, request_id).held_for_review


def test_the_released_package_lacks_what_was_redacted_and_says_how_much_and_why(
    reviewed: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _held(reviewed, workflow)
    second = _invoice_index(reviewed, request_id, "inv-2")
    first = _invoice_index(reviewed, request_id, "inv-1")

    package_review.redact(
        reviewed,
        request_id,
        Redaction(system_id="invoices", record=first, field="amount", ground=WithholdingGround.TRADE_SECRET),
        REVIEWER,
    )
    package_review.redact(
        reviewed,
        request_id,
        Redaction(system_id="invoices", record=second, ground=WithholdingGround.THIRD_PARTY),
        REVIEWER,
    )
    assert _released(reviewed, request_id) == 2

    package = _package(reviewed, request_id)
    invoices = package["systems"]["invoices"]
    assert [record["invoice_id"] for record in invoices] == ["inv-1"]
    assert "amount" not in invoices[0] and "49.00" not in json.dumps(package)
    assert "12.00" not in json.dumps(package)
    assert len(package["systems"]["accounts"]) == 1  # untouched
    # The count is what the system holds, as the completion email gives it; the statement says
    # how much of it was withheld
    assert package["request"]["systems"]["invoices"]["records"] == 2
    withheld = package["request"]["withheld"]
    assert withheld["systems"]["invoices"]["fields"] == 1
    assert withheld["systems"]["invoices"]["records"] == 1
    assert withheld["systems"]["invoices"]["grounds"] == ["third_party", "trade_secret"]
    assert withheld["systems"]["invoices"]["explained"] == (
        "Invoices: 1 field and 1 record withheld, because it is personal data about other people, "
        "whose rights we must protect too; it would reveal our trade secrets or intellectual property."
    )
    page = _page(reviewed, request_id)
    assert "Information withheld" in page and "49.00" not in page and "12.00" not in page
    assert "Invoices: 1 field and 1 record withheld" in page
    assert workflow.resumed[token] == {"released_by": REVIEWER}


def test_the_audit_trail_names_system_record_field_ground_and_reviewer_never_the_value(
    reviewed: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, _ = _held(reviewed, workflow)
    first = _invoice_index(reviewed, request_id, "inv-1")
    package_review.redact(
        reviewed,
        request_id,
        Redaction(system_id="invoices", record=first, field="name", ground=WithholdingGround.LEGAL_PRIVILEGE),
        REVIEWER,
    )
    _released(reviewed, request_id)

    lines = {e.action: e for e in reviewed.store.events(request_id)}
    redacted = lines["package redacted"]
    assert (redacted.actor, redacted.outcome) == (f"staff:{REVIEWER}", "legal_privilege")
    assert redacted.detail["system_id"] == "invoices"
    assert redacted.detail["record"] == first
    assert redacted.detail["field"] == "name"
    assert "Ada Lovelace" not in json.dumps(
        [e.model_dump(mode="json") for e in reviewed.store.events(request_id)]
    )
    assert lines["package released"].detail["redactions"] == 1


def test_a_second_release_changes_nothing_and_no_redaction_lands_after_the_release(
    reviewed: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, _ = _held(reviewed, workflow)
    _released(reviewed, request_id)
    before = _package(reviewed, request_id)

    with pytest.raises(package_review.AlreadyReleasedError, match="already released by approver"):
        package_review.release(reviewed, request_id, "admin@desk.example")
    with pytest.raises(package_review.NothingHeldError):
        package_review.redact(
            reviewed,
            request_id,
            Redaction(system_id="accounts", record=0, ground=WithholdingGround.THIRD_PARTY),
            REVIEWER,
        )
    assert _package(reviewed, request_id)["systems"] == before["systems"]
    assert [e.action for e in reviewed.store.events(request_id)].count("package released") == 1


def test_the_same_field_is_redacted_once_and_a_redaction_names_what_the_part_holds(
    reviewed: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, _ = _held(reviewed, workflow)
    redaction = Redaction(system_id="accounts", record=0, field="name", ground=WithholdingGround.SECURITY)
    package_review.redact(reviewed, request_id, redaction, REVIEWER)
    with pytest.raises(package_review.AlreadyRedactedError):
        package_review.redact(reviewed, request_id, redaction, REVIEWER)
    for wrong in (
        Redaction(system_id="usage", record=0, ground=WithholdingGround.SECURITY),
        Redaction(system_id="accounts", record=5, ground=WithholdingGround.SECURITY),
        Redaction(system_id="accounts", record=0, field="shoe_size", ground=WithholdingGround.SECURITY),
    ):
        with pytest.raises(package_review.NoSuchPartError):
            package_review.redact(reviewed, request_id, wrong, REVIEWER)

    package_review.take_back(reviewed, request_id, redaction, REVIEWER)
    _released(reviewed, request_id)
    assert _package(reviewed, request_id)["systems"]["accounts"][0]["name"] == "Ada Lovelace"
    assert "withheld" not in _package(reviewed, request_id)["request"]


def test_a_wait_task_delivered_again_keeps_the_redactions_and_after_the_release_goes_on(
    reviewed: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, first_token = _held(reviewed, workflow)
    package_review.redact(
        reviewed,
        request_id,
        Redaction(system_id="accounts", record=0, field="name", ground=WithholdingGround.THIRD_PARTY),
        REVIEWER,
    )
    fresh = workflow.hand_out_token()
    package_review.await_release(reviewed, request_id, fresh)  # a retry, with a fresh token
    assert len(reviewed.store.package_review(request_id)["redactions"]) == 1

    _released(reviewed, request_id)
    assert fresh in workflow.resumed

    again = workflow.hand_out_token()
    package_review.await_release(reviewed, request_id, again)  # delivered after the release
    assert again in workflow.resumed  # answered at once: the workflow goes on
    assert first_token in workflow.waiting  # the old token was replaced, never answered twice


def test_staff_reminded_of_a_deadline_are_told_the_package_waits_for_its_release(
    desk: DeskInMemory,
    outbox: RecordedMailer,
    clock: StoppedClock,
    staff_alerts: Callable[[], list[dict[str, Any]]],
) -> None:
    request_id = open_request_due_in(desk, timedelta(days=10))
    desk.store.set_fields(request_id, {"package_held_at": clock.now().isoformat()})
    clock.advance(timedelta(days=4))  # six days left: the 7-day reminder

    watch(desk, WatchSettings(horizon_days=8, reminder_days=(7, 2)))

    [alert] = [a for a in staff_alerts() if a["request_id"] == request_id]
    assert (alert["kind"], alert["package_held"]) == ("reminder", True)
    [mail] = [m for m in outbox.to(desk.settings.staff_alert_address) if m.request_id == request_id]
    assert "Its access package is held for review: a reviewer must release it in the console" in mail.body


def test_a_release_whose_resume_failed_is_resumed_by_releasing_again_and_then_refused(
    reviewed: DeskInMemory, workflow: RecordedWorkflow, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, token = _held(reviewed, workflow)
    resume = workflow.resume

    def unreachable(task_token: str, output: dict[str, Any]) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendTaskSuccess")

    monkeypatch.setattr(workflow, "resume", unreachable)
    with pytest.raises(ClientError):
        package_review.release(reviewed, request_id, REVIEWER)
    monkeypatch.setattr(workflow, "resume", resume)

    assert package_review.release(reviewed, request_id, "admin@desk.example") == 0
    assert workflow.resumed[token] == {"released_by": REVIEWER}  # the release recorded first
    with pytest.raises(package_review.AlreadyReleasedError):
        package_review.release(reviewed, request_id, "admin@desk.example")
    assert [e.action for e in reviewed.store.events(request_id)].count("package released") == 1
