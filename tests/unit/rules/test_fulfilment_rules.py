"""Carrying a request out, as the rules decide it: the plan (the desk's own exports, then its own
changes, then what others hold), each system task's outcome in the small registry's own tables
and bucket, failures recorded for a re-run, and tasks handed to a vendor, to customers or to a
processor, each ended by exactly one answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from dsr.closing.closing import close
from dsr.core.actions import Action
from dsr.core.models import Channel, NewRequest, Status
from dsr.core.registry import load_registry
from dsr.core.tasks import Outcome
from dsr.fulfilment import handoffs
from dsr.fulfilment.carrying_out import record_system_failure, run_system_task
from dsr.fulfilment.fulfilment import Route, SystemTask, plan
from dsr.fulfilment.opendsr import CallbackStatus, ProcessingStatus, status_document
from dsr.fulfilment.opendsr_client import TransientProcessorError
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.fulfilment.processor_callbacks import receive_callback
from dsr.fulfilment.reruns import NothingToRerunError, plan_rerun, start_rerun
from dsr.fulfilment.results import compile_results
from dsr.intake.submission import submit
from dsr.review.approval import StaffDecision, await_review, decide
from dsr.storage.store import TransitionRejectedError
from local_cloud.bucket_owners import BucketOwnerCheck
from local_cloud.opendsr_processor import DemoOpenDsrProcessor, generate_identity, sign
from local_cloud.template import ACCOUNT_ID
from tests.unit.rules.conftest import SMALL_REGISTRY, DeskInMemory
from tests.unit.rules.fakes import RecordedWorkflow, StoppedClock

ADA = "ada@example.net"
ANALYST = "analyst@desk.example"


def _approved(desk: DeskInMemory, workflow: RecordedWorkflow, *types: str, **fields: Any) -> str:
    """A request staff approved, waiting for the state machine to plan it."""
    new = NewRequest.model_validate(
        {"request_types": list(types), "subject": {"email": fields.pop("email", ADA)}, **fields}
    )
    request_id = submit(desk, new, Channel.WEB).request_id
    await_review(desk, request_id, workflow.hand_out_token())
    decide(desk, request_id, StaffDecision(decision="approve"), "approver@desk.example")
    workflow.resumed.clear()  # the review is behind it: what follows is fulfilment's
    return request_id


def _run(desk: DeskInMemory, request_id: str, system_id: str, action: Action) -> tuple[str, int]:
    result = run_system_task(desk, request_id, SystemTask(system_id=system_id, action=action))
    return result.status.value, result.records


def _outcome(desk: DeskInMemory, request_id: str, system_id: str, action: Action) -> dict[str, Any]:
    return next(
        o.fields
        for o in desk.store.system_outcomes(request_id)
        if (o.system_id, o.action) == (system_id, action.value)
    )


def _items(table: str) -> dict[str, dict[str, Any]]:
    items = boto3.resource("dynamodb").Table(table).scan()["Items"]
    return {
        "#".join(str(item[k]) for k in sorted(item) if k in {"account_id", "invoice_id", "at"}): item
        for item in items
    }


def _hand_off(
    desk: DeskInMemory, workflow: RecordedWorkflow, request_id: str, system_id: str, action: Action
) -> str:
    token = workflow.hand_out_token()
    task = SystemTask(system_id=system_id, action=action, route=Route.HAND_OFF)
    handoffs.hand_off(desk, request_id, task, token)
    return token


# --- planning ------------------------------------------------------------------------------------


def test_the_plan_runs_the_desks_exports_first_then_its_changes_then_hands_off_the_rest(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure", "access")

    planned = plan(systems, request_id)

    assert [(t.system_id, t.action) for t in planned.exports] == [
        (system, Action.EXPORT) for system in ("accounts", "invoices", "usage", "tickets")
    ]
    assert [(t.system_id, t.action) for t in planned.changes] == [
        (system, Action.ERASE) for system in ("accounts", "invoices", "usage", "tickets")
    ]
    assert {(t.system_id, t.action) for t in planned.hand_offs} == {
        (system, action)
        for system in ("helpline", "crm-contacts", "payments")
        for action in (Action.EXPORT, Action.ERASE)
    }
    assert planned.not_covered == []
    assert systems.store.get(request_id).status is Status.IN_PROGRESS
    planned_event = next(e for e in systems.store.events(request_id) if e.action == "plan systems")
    assert planned_event.outcome == "14 system tasks"


def test_a_hand_off_waits_its_systems_answer_days_and_two_more_as_a_backstop(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "restriction")

    planned = plan(systems, request_id)

    assert [(t.system_id, t.wait_seconds) for t in planned.hand_offs] == [("helpline", (10 + 2) * 24 * 3600)]
    assert [t.system_id for t in planned.changes] == ["accounts"]


def test_a_request_type_no_system_carries_out_is_named_as_not_covered(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "access", "objection")

    planned = plan(systems, request_id)

    assert planned.not_covered == ["objection"]
    covered = next(e for e in systems.store.events(request_id) if e.action == "plan systems")
    assert covered.detail["not_covered"] == "objection"


def test_a_request_staff_have_not_approved_is_not_planned(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    new = NewRequest.model_validate({"request_types": ["erasure"], "subject": {"email": ADA}})
    request_id = submit(systems, new, Channel.WEB).request_id

    with pytest.raises(TransitionRejectedError):
        plan(systems, request_id)

    assert systems.store.get(request_id).status is Status.RECEIVED


def test_planning_finds_the_subjects_account_so_systems_keyed_by_account_find_them_too(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)

    assert systems.store.get(request_id).resolved_account_ids == ["acct-1"]
    assert _run(systems, request_id, "usage", Action.ERASE) == ("done", 2)
    assert list(_items("rules-usage")) == ["acct-2#2026-02-01T11:00:00Z"]  # Grace's usage is kept


def test_an_account_id_the_subject_typed_finds_nothing_of_that_account(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    # Ada claims Grace's account id; only the product vouching for it would make it count
    request_id = _approved(systems, workflow, "erasure", subject={"email": ADA, "account_id": "acct-2"})
    plan(systems, request_id)

    _run(systems, request_id, "usage", Action.ERASE)

    assert "acct-2#2026-02-01T11:00:00Z" in _items("rules-usage")


# --- carrying out, in the desk's own systems -----------------------------------------------------


def test_an_access_request_copies_each_systems_records_into_the_subjects_package(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "access")
    plan(systems, request_id)

    assert _run(systems, request_id, "accounts", Action.EXPORT) == ("done", 1)
    assert _run(systems, request_id, "tickets", Action.EXPORT) == (
        "done",
        2,
    )  # either spelling of her address

    assert _outcome(systems, request_id, "accounts", Action.EXPORT)["in_package"] == "true"
    copied = [json.loads(line) for line in systems.packages.part_lines(request_id, "tickets")]
    assert sorted(record["ticket"] for record in copied) == ["t1", "t3"]
    trail = {(e.actor, e.action, e.outcome) for e in systems.store.events(request_id)}
    assert ("system:accounts", "export", "done") in trail


def test_a_system_that_holds_nothing_of_the_subject_answers_nothing_found(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "access", email="nobody@example.net")
    plan(systems, request_id)

    assert _run(systems, request_id, "accounts", Action.EXPORT) == ("nothing_found", 0)
    assert _run(systems, request_id, "tickets", Action.EXPORT) == ("nothing_found", 0)
    assert "in_package" not in _outcome(systems, request_id, "accounts", Action.EXPORT)


def test_an_erasure_deletes_the_subjects_records_and_no_one_elses(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)

    assert _run(systems, request_id, "accounts", Action.ERASE) == ("done", 1)
    assert _run(systems, request_id, "tickets", Action.ERASE) == ("done", 2)

    assert list(_items("rules-accounts")) == ["acct-2"]
    tickets = boto3.client("s3").get_object(Bucket="rules-tickets", Key="tickets/2026-02.jsonl")
    assert [json.loads(line)["ticket"] for line in tickets["Body"].iter_lines()] == ["t2"]


def test_an_erasure_run_again_finds_nothing_the_second_time(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _run(systems, request_id, "accounts", Action.ERASE)

    assert _run(systems, request_id, "accounts", Action.ERASE) == ("nothing_found", 0)


def test_invoices_the_law_keeps_are_anonymized_and_the_reason_and_law_recorded(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)

    assert _run(systems, request_id, "invoices", Action.ERASE) == ("exempt", 2)

    invoices = _items("rules-invoices")
    assert len(invoices) == 3, "every invoice is kept"
    assert {
        (invoices[i]["name"], invoices[i]["email"], invoices[i]["amount"]) for i in ("inv-1", "inv-2")
    } == {
        ("[removed]", "removed@invalid", "49.00"),
        ("[removed]", "removed@invalid", "12.00"),
    }
    assert invoices["inv-3"]["name"] == "Grace Hopper"
    exempt = _outcome(systems, request_id, "invoices", Action.ERASE)
    assert exempt["citation"] == "Taxes Management Act 1970, s.12B"
    assert exempt["reason"] == "Tax law requires us to keep invoices for six years"
    assert (exempt["carried_out"], exempt["anonymized"]) == ("anonymized", "name,email")


def test_a_restriction_marks_the_subjects_records_and_leaves_them_in_place(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "restriction")
    plan(systems, request_id)

    assert _run(systems, request_id, "accounts", Action.RESTRICT) == ("done", 1)

    accounts = _items("rules-accounts")
    assert accounts["acct-1"]["processing_restricted"] is True
    assert "processing_restricted" not in accounts["acct-2"]


def test_a_correction_is_written_where_the_field_is_held_and_the_rest_named_as_not_held(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    corrections = [
        {"field": "Name", "corrected_value": "Augusta Ada King"},
        {"field": "postal-address", "corrected_value": "12 St James's Square, London"},
    ]
    request_id = _approved(systems, workflow, "rectification", corrections=corrections)
    plan(systems, request_id)

    # Rectification is declared by accounts alone
    assert _run(systems, request_id, "accounts", Action.RECTIFY) == ("done", 1)

    assert _items("rules-accounts")["acct-1"]["name"] == "Augusta Ada King"
    corrected = _outcome(systems, request_id, "accounts", Action.RECTIFY)
    assert (corrected["corrected"], corrected["not_held"]) == ("name", "postal_address")


# --- failures ------------------------------------------------------------------------------------


def test_a_store_that_cannot_be_reached_raises_for_the_state_machine_to_retry(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    boto3.client("dynamodb").delete_table(TableName="rules-invoices")

    with pytest.raises(ClientError):
        run_system_task(systems, request_id, SystemTask(system_id="invoices", action=Action.ERASE))

    assert not [o for o in systems.store.system_outcomes(request_id) if o.system_id == "invoices"]


def test_a_task_that_failed_after_its_retries_is_recorded_for_staff_to_rerun(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    error = "ResourceNotFoundException: " + "x" * 1000

    result = record_system_failure(
        systems, request_id, SystemTask(system_id="invoices", action=Action.ERASE), error
    )

    assert (result.status, result.records) == (OutcomeStatus.FAILED, 0)
    failed = _outcome(systems, request_id, "invoices", Action.ERASE)
    assert failed["status"] == "failed" and failed["error"] == error[:500]
    assert ("system:invoices", "erase", "failed") in {
        (e.actor, e.action, e.outcome) for e in systems.store.events(request_id)
    }


def test_a_system_whose_copy_failed_is_not_erased_until_a_rerun_has_made_the_copy(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "access", "erasure")
    plan(systems, request_id)
    record_system_failure(
        systems, request_id, SystemTask(system_id="accounts", action=Action.EXPORT), "vendor answered 500"
    )
    held = _items("rules-accounts")

    assert _run(systems, request_id, "accounts", Action.ERASE) == ("failed", 0)

    assert _items("rules-accounts") == held  # nothing erased that was never copied
    error = _outcome(systems, request_id, "accounts", Action.ERASE)["error"]
    assert error.startswith("system accounts: not erased, because its records could not be copied"), error
    # Once the copy is made (as re-running the failed systems does, exports first), it is erased.
    assert _run(systems, request_id, "accounts", Action.EXPORT)[0] == "done"
    assert _run(systems, request_id, "accounts", Action.ERASE)[0] == "done"
    assert len(_items("rules-accounts")) < len(held)


# --- compiling -----------------------------------------------------------------------------------


def test_a_request_every_system_answered_compiles_complete_with_one_package(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "access")
    plan(systems, request_id)
    for system_id in ("accounts", "invoices", "usage", "tickets"):
        _run(systems, request_id, system_id, Action.EXPORT)

    compiled = compile_results(systems, request_id)

    assert (compiled.outcome, compiled.succeeded, compiled.failed) == ("completed", 4, 0)
    assert compiled.package_key is not None
    package = systems.s3.get_object(Bucket=systems.settings.packages_bucket, Key=compiled.package_key)
    document = json.loads(package["Body"].read())
    assert sorted(document["systems"]) == ["accounts", "invoices", "tickets", "usage"]
    assert len(document["systems"]["invoices"]) == 2


def test_a_failed_or_unanswered_task_leaves_the_request_partial(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _run(systems, request_id, "accounts", Action.ERASE)
    record_system_failure(systems, request_id, SystemTask(system_id="usage", action=Action.ERASE), "boom")
    _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    compiled = compile_results(systems, request_id)

    assert (compiled.outcome, compiled.succeeded, compiled.failed) == ("partial", 1, 2)
    assert compiled.package_key is None


# --- re-running what failed ----------------------------------------------------------------------


def test_a_rerun_plans_only_the_failed_tasks_and_starts_its_own_execution(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _run(systems, request_id, "accounts", Action.ERASE)
    record_system_failure(systems, request_id, SystemTask(system_id="usage", action=Action.ERASE), "boom")
    close(systems, request_id, Outcome.PARTIAL, error="1 system failed")

    name = start_rerun(systems, request_id, "approver@desk.example")

    assert name == f"{request_id}-rerun-1"
    assert workflow.started[name] == {"request_id": request_id, "rerun": True, "appeal_granted": False}
    assert systems.store.get(request_id).status is Status.IN_PROGRESS
    replanned = plan_rerun(systems, request_id)
    assert [(t.system_id, t.action) for t in replanned.changes] == [("usage", Action.ERASE)]
    assert replanned.exports == replanned.hand_offs == []
    with pytest.raises(NothingToRerunError):  # started once: it is in progress now
        start_rerun(systems, request_id, "admin@desk.example")


# --- handed to a vendor --------------------------------------------------------------------------


def test_a_vendor_is_emailed_what_to_do_for_whom_and_by_when_and_the_task_waits(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any, clock: StoppedClock
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)

    token = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    [mail] = outbox.to("privacy@helpline.example")
    assert "delete all personal data" in mail.body and ADA in mail.body
    assert ADA not in mail.subject and request_id[:8] in mail.subject
    assert mail.subject.endswith("action needed by 12 March 2026")  # ten days on
    assert "By when: 12 March 2026 at the latest." in mail.body
    waiting = _outcome(systems, request_id, "helpline", Action.ERASE)
    assert (waiting["status"], waiting["waiting_on"]) == ("waiting", "Helpline Ltd")
    assert token in workflow.waiting and not workflow.resumed


def test_a_hand_off_delivered_again_keeps_the_newest_token_and_does_not_email_twice(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    newest = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)
    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.ERASE,
        answer=OutcomeStatus.DONE,
        note="deleted",
        staff_member=ANALYST,
    )

    assert len(outbox.to("privacy@helpline.example")) == 1
    assert list(workflow.resumed) == [newest]


def test_a_hand_off_delivered_again_after_its_answer_is_answered_at_once_with_it(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    first = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)
    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.ERASE,
        answer=OutcomeStatus.NOTHING_FOUND,
        note="none",
        staff_member=ANALYST,
    )

    retried = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    assert workflow.resumed == {
        first: {"status": "nothing_found", "records": 0},
        retried: {"status": "nothing_found", "records": 0},
    }
    assert len(outbox.to("privacy@helpline.example")) == 1
    assert _outcome(systems, request_id, "helpline", Action.ERASE)["status"] == "nothing_found"


def test_staff_record_the_vendors_answer_once_and_the_workflow_goes_on(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    token = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.ERASE,
        answer=OutcomeStatus.DONE,
        note="3 calls deleted",
        staff_member=ANALYST,
    )
    with pytest.raises(handoffs.HandOffAnsweredError) as again:
        handoffs.confirm(
            systems,
            request_id,
            "helpline",
            Action.ERASE,
            answer=OutcomeStatus.FAILED,
            note="late",
            staff_member="admin@desk.example",
        )

    assert workflow.resumed == {token: {"status": "done", "records": 0}}
    assert again.value.details == {"decided_by": f"staff:{ANALYST}"}
    done = _outcome(systems, request_id, "helpline", Action.ERASE)
    assert (done["status"], done["confirmed_by"], done["answer_note"]) == (
        "done",
        f"staff:{ANALYST}",
        "3 calls deleted",
    )


def test_a_vendor_that_could_not_act_fails_the_task_with_its_reason(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "restriction")
    plan(systems, request_id)
    token = _hand_off(systems, workflow, request_id, "helpline", Action.RESTRICT)

    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.RESTRICT,
        answer=OutcomeStatus.FAILED,
        note="vendor refused",
        staff_member=ANALYST,
    )

    assert workflow.resumed[token] == {"status": "failed", "records": 0}
    assert _outcome(systems, request_id, "helpline", Action.RESTRICT)["error"] == "vendor refused"


def test_an_answer_is_only_done_nothing_found_or_failed_and_only_for_a_task_handed_off(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    with pytest.raises(ValueError, match="an answer is one of done, failed, nothing_found"):
        handoffs.confirm(
            systems,
            request_id,
            "helpline",
            Action.ERASE,
            answer=OutcomeStatus.EXEMPT,
            note="x",
            staff_member=ANALYST,
        )
    with pytest.raises(handoffs.HandOffNotWaitingError):  # the desk carries accounts out itself
        handoffs.confirm(
            systems,
            request_id,
            "accounts",
            Action.ERASE,
            answer=OutcomeStatus.DONE,
            note="x",
            staff_member=ANALYST,
        )
    assert _outcome(systems, request_id, "helpline", Action.ERASE)["status"] == "waiting"


def test_an_unanswered_hand_off_ends_failed_once_its_answer_by_time_has_passed(
    systems: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    token = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)

    clock.advance(timedelta(days=9))
    assert handoffs.expire_overdue(systems) == 0  # not yet due
    clock.advance(timedelta(days=1, seconds=1))
    assert handoffs.expire_overdue(systems) == 1
    assert handoffs.expire_overdue(systems) == 0  # a second sweep changes nothing

    assert workflow.resumed == {token: {"status": "failed", "records": 0}}
    failed = _outcome(systems, request_id, "helpline", Action.ERASE)
    assert failed["error"].startswith("no answer from Helpline Ltd by ")
    assert failed["timed_out"] == "true"
    with pytest.raises(handoffs.HandOffAnsweredError):
        handoffs.confirm(
            systems,
            request_id,
            "helpline",
            Action.ERASE,
            answer=OutcomeStatus.DONE,
            note="late",
            staff_member=ANALYST,
        )


def test_an_answer_that_comes_after_the_workflow_stopped_waiting_is_still_recorded(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    token = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)
    workflow.waiting.discard(token)  # the state machine's own timeout ended the task

    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.ERASE,
        answer=OutcomeStatus.DONE,
        note="done late",
        staff_member=ANALYST,
    )

    assert _outcome(systems, request_id, "helpline", Action.ERASE)["status"] == "done"


def test_a_hand_off_that_failed_to_ask_is_abandoned_and_cannot_be_answered_after(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)
    task = SystemTask(system_id="helpline", action=Action.ERASE, route=Route.HAND_OFF)

    # The state machine's Catch: the task failed after its retries
    record_system_failure(systems, request_id, task, "States.Timeout: no answer")
    handoffs.abandon(systems, request_id, "helpline", Action.ERASE, "States.Timeout: no answer")

    assert _outcome(systems, request_id, "helpline", Action.ERASE)["status"] == "failed"
    with pytest.raises(handoffs.HandOffNotWaitingError):
        handoffs.confirm(
            systems,
            request_id,
            "helpline",
            Action.ERASE,
            answer=OutcomeStatus.DONE,
            note="x",
            staff_member=ANALYST,
        )
    assert handoffs.expire_overdue(systems) == 0


def test_a_rerun_asks_the_vendor_again_in_a_new_email(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)
    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.ERASE,
        answer=OutcomeStatus.FAILED,
        note="refused",
        staff_member=ANALYST,
    )

    again = _hand_off(systems, workflow, request_id, "helpline", Action.ERASE)  # the re-run's hand-off

    assert len(outbox.to("privacy@helpline.example")) == 2
    assert _outcome(systems, request_id, "helpline", Action.ERASE)["status"] == "waiting"
    assert again in workflow.waiting


# --- handed to the customers whose CRM holds the person ------------------------------------------


def test_every_customer_holding_the_person_is_told_and_no_record_of_theirs_changed(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)

    token = _hand_off(systems, workflow, request_id, "crm-contacts", Action.ERASE)

    told = sorted(m.to for m in outbox.sent if "in your CRM" in m.subject)
    assert told == ["admin@northwind.example", "dpo@globex.example", "it@globex.example"]
    body = next(m.body for m in outbox.sent if m.to == "dpo@globex.example")
    assert "Dear administrator of Globex" in body and "we have not changed your records" in body
    assert "the deletion of their personal data" in body
    assert len(boto3.resource("dynamodb").Table("rules-contacts").scan()["Items"]) == 3
    assert token in workflow.waiting
    passed = next(e for e in systems.store.events(request_id) if e.action == "erase passed to customers")
    assert (passed.detail["customers"], passed.detail["customers_told"]) == (2, 2)


def test_customers_are_told_once_when_the_hand_off_is_delivered_again_and_again_on_a_rerun(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    _hand_off(systems, workflow, request_id, "crm-contacts", Action.ERASE)

    _hand_off(systems, workflow, request_id, "crm-contacts", Action.ERASE)  # delivered again
    assert len(outbox.to("dpo@globex.example")) == 1

    handoffs.confirm(
        systems,
        request_id,
        "crm-contacts",
        Action.ERASE,
        answer=OutcomeStatus.FAILED,
        note="no answer",
        staff_member=ANALYST,
    )
    _hand_off(systems, workflow, request_id, "crm-contacts", Action.ERASE)  # the re-run asks again
    assert len(outbox.to("dpo@globex.example")) == 2


def test_a_person_no_customer_holds_is_answered_nothing_found_at_once(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: Any
) -> None:
    request_id = _approved(systems, workflow, "erasure", email="grace@example.org")
    plan(systems, request_id)

    token = _hand_off(systems, workflow, request_id, "crm-contacts", Action.ERASE)

    assert workflow.resumed == {token: {"status": "nothing_found", "records": 0}}
    assert not [m for m in outbox.sent if "in your CRM" in m.subject]
    assert _outcome(systems, request_id, "crm-contacts", Action.ERASE)["status"] == "nothing_found"


def test_customers_with_no_administrator_to_tell_fail_the_task_with_the_reason(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _approved(systems, workflow, "erasure", email="alan@example.net")
    plan(systems, request_id)

    token = _hand_off(systems, workflow, request_id, "crm-contacts", Action.ERASE)

    assert workflow.resumed[token]["status"] == "failed"
    failed = _outcome(systems, request_id, "crm-contacts", Action.ERASE)
    assert failed["error"] == "1 customers hold the person; none has an administrator to tell"


# --- handed to a processor over OpenDSR ----------------------------------------------------------


@pytest.fixture
def payments(
    systems: DeskInMemory, clock: StoppedClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DemoOpenDsrProcessor]:
    """The payment provider, on the loopback interface; it accepts requests and never calls back,
    so the test sends its callbacks."""
    holdings = {ADA: [{"card_last4": "4242"}, {"charge": "49.00"}]}
    # The demonstration processor calls back on the loopback interface only (never, here)
    systems.settings = systems.settings.model_copy(update={"public_base_url": "http://127.0.0.1:9"})
    with DemoOpenDsrProcessor(
        "payments.example", never_answer=True, clock=clock.now, holdings=holdings
    ) as processor:
        monkeypatch.setenv("RULES_PAYMENTS_OPENDSR_URL", processor.base_url)
        yield processor


def _callback(
    desk: DeskInMemory, key: Any, subject_request_id: str, status: ProcessingStatus, **fields: Any
) -> Any:
    body = status_document(
        CallbackStatus(subject_request_id=subject_request_id, request_status=status, **fields)
    )
    headers = {"X-OpenDSR-Processor-Domain": "payments.example", "X-OpenDSR-Signature": sign(key, body)}
    return receive_callback(desk, "payments", body, headers)


def _sent_to_payments(desk: DeskInMemory, workflow: RecordedWorkflow, *types: str) -> tuple[str, str, str]:
    request_id = _approved(desk, workflow, *types)
    plan(desk, request_id)
    action = Action.EXPORT if "access" in types else Action.ERASE
    token = _hand_off(desk, workflow, request_id, "payments", action)
    task = desk.store.get_task(request_id, handoffs.stage("payments", action)) or {}
    return request_id, token, str(task["subject_request_id"])


def test_a_processor_is_sent_the_request_once_and_its_signed_completion_ends_the_wait(
    systems: DeskInMemory, workflow: RecordedWorkflow, payments: DemoOpenDsrProcessor
) -> None:
    request_id, token, srid = _sent_to_payments(systems, workflow, "erasure")

    assert payments.status_of(srid) is not None  # the processor holds the request
    answer = _callback(systems, payments._signing_key, srid, ProcessingStatus.COMPLETED)
    replayed = _callback(systems, payments._signing_key, srid, ProcessingStatus.COMPLETED)

    assert (answer.http_status, answer.outcome) == (200, "done")
    assert replayed.outcome in {"already received", "answered already"}
    assert workflow.resumed == {token: {"status": "done", "records": 0}}
    assert _outcome(systems, request_id, "payments", Action.ERASE)["confirmed_by"] == "payments.example"
    sent = [e for e in systems.store.events(request_id) if e.action == "erase sent to processor"]
    assert [e.detail["subject_request_id"] for e in sent] == [srid]


def test_a_forged_callback_or_one_for_another_request_changes_nothing(
    systems: DeskInMemory, workflow: RecordedWorkflow, payments: DemoOpenDsrProcessor, clock: StoppedClock
) -> None:
    request_id, token, srid = _sent_to_payments(systems, workflow, "erasure")
    forger, _ = generate_identity("payments.example", "rsa", clock.now(), timedelta(days=1))

    forged = _callback(systems, forger, srid, ProcessingStatus.COMPLETED)
    unknown = _callback(
        systems, payments._signing_key, "9b2f1c3e-3c4d-4e5f-8a6b-7c8d9e0f1a2b", ProcessingStatus.COMPLETED
    )

    assert (forged.http_status, forged.outcome) == (401, "bad-signature")
    assert (unknown.http_status, unknown.outcome) == (404, "unknown subject_request_id")
    assert _outcome(systems, request_id, "payments", Action.ERASE)["status"] == "waiting"
    assert token in workflow.waiting


def test_a_processor_that_cancels_fails_the_task_with_its_reason(
    systems: DeskInMemory, workflow: RecordedWorkflow, payments: DemoOpenDsrProcessor
) -> None:
    request_id, token, srid = _sent_to_payments(systems, workflow, "erasure")

    answer = _callback(systems, payments._signing_key, srid, ProcessingStatus.CANCELLED)

    assert (answer.http_status, answer.outcome) == (200, "failed")
    assert workflow.resumed[token]["status"] == "failed"
    assert (
        _outcome(systems, request_id, "payments", Action.ERASE)["error"]
        == "payments.example cancelled the request"
    )


def test_a_processors_results_join_the_subjects_package(
    systems: DeskInMemory, workflow: RecordedWorkflow, payments: DemoOpenDsrProcessor
) -> None:
    request_id, token, srid = _sent_to_payments(systems, workflow, "access")
    payments._advance(srid, ProcessingStatus.COMPLETED)  # done at its end: its results are ready

    answer = _callback(
        systems,
        payments._signing_key,
        srid,
        ProcessingStatus.COMPLETED,
        results_url=f"{payments.base_url}/results/{srid}",
    )

    assert answer.outcome == "done"
    assert workflow.resumed[token] == {"status": "done", "records": 2}
    copied = [json.loads(line) for line in systems.packages.part_lines(request_id, "payments")]
    assert copied == [{"card_last4": "4242"}, {"charge": "49.00"}]


def test_a_processor_that_refuses_for_now_is_asked_again_on_the_retry_under_the_same_id(
    systems: DeskInMemory, workflow: RecordedWorkflow, payments: DemoOpenDsrProcessor
) -> None:
    request_id = _approved(systems, workflow, "erasure")
    plan(systems, request_id)
    payments.fail_next(1)  # 503 to the first request

    with pytest.raises(TransientProcessorError):
        _hand_off(systems, workflow, request_id, "payments", Action.ERASE)
    retried = _hand_off(systems, workflow, request_id, "payments", Action.ERASE)  # the state machine's retry

    task = systems.store.get_task(request_id, handoffs.stage("payments", Action.ERASE)) or {}
    srid = str(task["subject_request_id"])
    assert (task["task_token"], task["attempt"]) == (retried, 1)
    assert payments.status_of(srid) is not None
    sent = [e for e in systems.store.events(request_id) if e.action == "erase sent to processor"]
    assert [e.detail["subject_request_id"] for e in sent] == [srid]


def test_a_rerun_asks_the_processor_about_the_request_it_has_and_takes_its_late_completion(
    systems: DeskInMemory, workflow: RecordedWorkflow, payments: DemoOpenDsrProcessor, clock: StoppedClock
) -> None:
    request_id, _, srid = _sent_to_payments(systems, workflow, "erasure")
    clock.advance(timedelta(days=31))
    assert handoffs.expire_overdue(systems) == 1  # silent past its 30 days
    payments._advance(srid, ProcessingStatus.COMPLETED)  # it finished after all

    rerun = _hand_off(systems, workflow, request_id, "payments", Action.ERASE)

    assert workflow.resumed[rerun] == {"status": "done", "records": 0}
    task = systems.store.get_task(request_id, handoffs.stage("payments", Action.ERASE)) or {}
    assert (task["subject_request_id"], task["attempt"]) == (srid, 2)
    assert _outcome(systems, request_id, "payments", Action.ERASE)["confirmed_by"] == "payments.example"
    assert len([e for e in systems.store.events(request_id) if e.action == "erase sent to processor"]) == 1


def test_an_account_id_that_is_not_a_plain_id_is_left_out_and_the_trail_says_so(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    systems.dynamodb.Table("rules-accounts").put_item(Item={"account_id": "../acct-2", "email": ADA})
    request_id = _approved(systems, workflow, "erasure")

    plan(systems, request_id)

    assert systems.store.get(request_id).resolved_account_ids == ["acct-1"]
    resolved = next(e for e in systems.store.events(request_id) if e.action == "resolve identities")
    assert resolved.outcome == "1 account ids, 1 left out (not a plain id)"


def test_a_bucket_another_account_owns_fails_the_task_at_once_saying_what_to_check(
    systems: DeskInMemory, workflow: RecordedWorkflow, tmp_path: Path
) -> None:
    # The registry expects another account to own the tickets bucket; S3 refuses (AccessDenied)
    foreign = SMALL_REGISTRY.replace(
        "identity_attribute: requester_email}",
        "identity_attribute: requester_email, owner_account: '999999999999'}",
    )
    (tmp_path / "foreign.yaml").write_text(foreign, encoding="utf-8")
    systems.registry = load_registry(tmp_path / "foreign.yaml")
    owners = BucketOwnerCheck(ACCOUNT_ID)
    systems.s3.meta.events.register("before-parameter-build.s3", owners.on_before_parameter_build)
    systems.s3.meta.events.register("before-call.s3", owners.on_before_call)  # type: ignore[arg-type]
    request_id = _approved(systems, workflow, "access")
    plan(systems, request_id)

    assert _run(systems, request_id, "tickets", Action.EXPORT) == (
        "failed",
        0,
    )  # not raised: a retry changes nothing

    assert owners.refused == [("rules-tickets", "999999999999")]
    error = _outcome(systems, request_id, "tickets", Action.EXPORT)["error"]
    assert error.startswith("system tickets: S3 refused access to bucket rules-tickets (AccessDenied)")
    assert "owned by account 999999999999 (owner_account in systems.yaml)" in error
