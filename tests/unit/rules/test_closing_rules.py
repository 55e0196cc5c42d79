"""Closing a request, as the rules decide it: the final status, the subject told once (with what
each system did, or why nothing was done), staff alerted when they must act, an execution that
ended outside any Catch marked, and a request cancelled before anything was carried out."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from dsr.closing import suppression
from dsr.closing.cancellation import NotCancellableError, cancel
from dsr.closing.closing import close, completion_summary, mark_execution_ended
from dsr.core.actions import Action
from dsr.core.models import Channel, NewRequest, Status
from dsr.core.tasks import Outcome
from dsr.fulfilment import handoffs
from dsr.fulfilment.carrying_out import record_system_failure, run_system_task
from dsr.fulfilment.fulfilment import Route, SystemTask, plan
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.fulfilment.reruns import start_rerun
from dsr.fulfilment.results import compile_results
from dsr.intake.submission import submit
from dsr.review.approval import DecisionConflictError, StaffDecision, await_review, decide
from dsr.storage.store import TransitionRejectedError
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow

ADA = "ada@example.net"
APPROVER = "approver@desk.example"
ADMIN = "admin@desk.example"

Alerts = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def alerts(desk: DeskInMemory) -> Alerts:
    """What staff were alerted of: the alerts topic's messages, through a queue subscribed to it."""
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="rules-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(TopicArn=desk.settings.alerts_topic_arn, Protocol="sqs", Endpoint=queue_arn)

    def received() -> list[dict[str, Any]]:
        answer = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        return [json.loads(message["Body"]) for message in answer.get("Messages", [])]

    return received


def _submitted(desk: DeskInMemory, *types: str, **fields: Any) -> str:
    new = NewRequest.model_validate(
        {"request_types": list(types), "subject": {"email": ADA, "name": "Ada Lovelace"}, **fields}
    )
    return submit(desk, new, Channel.WEB).request_id


def _waiting_for_staff(
    desk: DeskInMemory, workflow: RecordedWorkflow, *types: str, **fields: Any
) -> tuple[str, str]:
    request_id = _submitted(desk, *types, **fields)
    token = workflow.hand_out_token()
    await_review(desk, request_id, token)
    return request_id, token


def _in_progress(desk: DeskInMemory, workflow: RecordedWorkflow, *types: str) -> str:
    request_id, _ = _waiting_for_staff(desk, workflow, *types)
    decide(desk, request_id, StaffDecision(decision="approve"), APPROVER)
    plan(desk, request_id)
    return request_id


def _notices(outbox: RecordedMailer, request_id: str) -> list[Any]:
    return [message for message in outbox.to(ADA) if message.request_id == request_id]


def _closes(desk: DeskInMemory, request_id: str) -> list[str]:
    return [event.outcome for event in desk.store.events(request_id) if event.action == "close request"]


def _trail(desk: DeskInMemory, request_id: str) -> set[tuple[str, str, str]]:
    return {(event.actor, event.action, event.outcome) for event in desk.store.events(request_id)}


# --- completing ----------------------------------------------------------------------------------


def test_a_completed_erasure_is_closed_and_the_subject_told_what_each_system_did(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")
    for system_id in ("accounts", "invoices", "tickets"):
        run_system_task(systems, request_id, SystemTask(system_id=system_id, action=Action.ERASE))
    handoffs.hand_off(
        systems,
        request_id,
        SystemTask(system_id="helpline", action=Action.ERASE, route=Route.HAND_OFF),
        workflow.hand_out_token(),
    )
    handoffs.confirm(
        systems,
        request_id,
        "helpline",
        Action.ERASE,
        answer=OutcomeStatus.DONE,
        note="done",
        staff_member=APPROVER,
    )

    status = close(systems, request_id, Outcome.COMPLETED)

    assert status is Status.COMPLETED
    closed = systems.store.get(request_id)
    assert closed.status is Status.COMPLETED and closed.closed_at == systems.now()
    [notice] = _notices(outbox, request_id)
    assert notice.subject == f"Your privacy request {request_id[:8]} is complete"
    assert "- Accounts: 1 record deleted." in notice.body
    assert "- Support tickets: 2 records deleted." in notice.body
    assert (
        "- Invoices: we keep 2 records because tax law requires us to keep invoices for six years "
        "(Taxes Management Act 1970, s.12B), with your name and email removed from them." in notice.body
    )
    assert (
        "- Telephone helpline: we passed on the deletion to Helpline Ltd, "
        "and they confirmed it was carried out." in notice.body
    )
    assert ("workflow", "notify subject", "completed notice sent") in _trail(systems, request_id)


def test_a_close_delivered_twice_tells_the_subject_once(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")
    run_system_task(systems, request_id, SystemTask(system_id="accounts", action=Action.ERASE))

    close(systems, request_id, Outcome.COMPLETED)
    assert close(systems, request_id, Outcome.COMPLETED) is Status.COMPLETED  # Lambda retried it

    assert len(_notices(outbox, request_id)) == 1
    assert systems.store.get(request_id).closing_notice_sent_at is not None


def test_an_access_completion_links_the_download_page_never_the_package_itself(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _in_progress(systems, workflow, "access")
    run_system_task(systems, request_id, SystemTask(system_id="accounts", action=Action.EXPORT))
    compiled = compile_results(systems, request_id)
    assert compiled.package_key is not None

    close(systems, request_id, Outcome.COMPLETED)

    [notice] = _notices(outbox, request_id)
    assert f"https://privacy.example/download/{request_id}?token=" in notice.body
    assert compiled.package_key not in notice.body and systems.settings.packages_bucket not in notice.body
    assert "- Accounts: 1 record copied into your download." in notice.body
    until = systems.store.get(request_id).package_available_until
    assert until is not None and (until - systems.now()).total_seconds() == 72 * 3600


def test_a_request_nobody_holds_anything_of_is_told_so(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")

    close(systems, request_id, Outcome.COMPLETED)

    assert (
        completion_summary(systems, systems.store.get(request_id))
        == "What we did:\n- we hold no personal data about you"
    )
    assert "- we hold no personal data about you" in _notices(outbox, request_id)[0].body


def test_a_completed_erasure_keeps_the_person_out_of_later_imports_and_an_access_does_not(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    erasure = _in_progress(systems, workflow, "erasure")
    close(systems, erasure, Outcome.COMPLETED)

    assert suppression.check(systems, ["someone@example.com", " Ada@Example.net "]) == [
        {"index": 1, "reasons": ["erased"]}
    ]
    assert ("workflow", "suppression list", "recorded") in _trail(systems, erasure)


def test_an_access_request_puts_nobody_on_the_suppression_list(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    access = _in_progress(systems, workflow, "access")
    close(systems, access, Outcome.COMPLETED)

    assert suppression.check(systems, [ADA]) == []


def test_a_closed_request_is_kept_as_a_record_and_leaves_the_queue_of_open_requests(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")

    close(systems, request_id, Outcome.COMPLETED)

    closed = systems.store.get(request_id)
    assert closed.records_kept_until is not None and closed.records_kept_until > systems.now()
    assert request_id not in [r.request_id for r in systems.store.open_requests()]


def test_a_request_cannot_be_completed_before_it_was_carried_out(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "erasure")

    with pytest.raises(TransitionRejectedError):
        close(desk, request_id, Outcome.COMPLETED)

    assert desk.store.get(request_id).status is Status.AWAITING_APPROVAL
    assert not _notices(outbox, request_id)


# --- partly done, failed -------------------------------------------------------------------------


def test_a_partial_close_alerts_staff_and_tells_the_subject_what_is_not_yet_done(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, alerts: Alerts
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")
    run_system_task(systems, request_id, SystemTask(system_id="accounts", action=Action.ERASE))
    record_system_failure(
        systems, request_id, SystemTask(system_id="usage", action=Action.ERASE), "throttled"
    )

    assert close(systems, request_id, Outcome.PARTIAL, error="1 system failed") is Status.PARTIALLY_COMPLETED

    [alert] = alerts()
    assert alert["Subject"] == f"Privacy request {request_id[:8]} needs attention"
    assert json.loads(alert["Message"]) == {
        "request_id": request_id,
        "outcome": "partial",
        "error": "1 system failed",
    }
    [notice] = _notices(outbox, request_id)
    assert notice.subject == f"Your privacy request {request_id[:8]} is partly complete"
    assert notice.body.startswith(
        "We have carried out your request for deletion of your personal data, except what the list "
        "below says is not yet done: our team is on it, and we will write again when it is."
    )
    assert "- Platform usage: the deletion is not yet done; our team is on it." in notice.body
    assert "- Accounts: 1 record deleted." in notice.body


def test_a_partial_close_delivered_twice_alerts_and_records_once_and_a_rerun_that_fails_again_does_again(
    systems: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, alerts: Alerts
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")
    failed = SystemTask(system_id="usage", action=Action.ERASE)
    record_system_failure(systems, request_id, failed, "throttled")

    close(systems, request_id, Outcome.PARTIAL, error="1 system failed")
    close(systems, request_id, Outcome.PARTIAL, error="1 system failed")  # Lambda retried it

    assert len(alerts()) == 1
    assert len(_notices(outbox, request_id)) == 1
    assert _closes(systems, request_id) == ["PARTIALLY_COMPLETED"]

    # A re-run that fails again is news to staff and to the subject
    start_rerun(systems, request_id, APPROVER)
    record_system_failure(systems, request_id, failed, "throttled again")
    close(systems, request_id, Outcome.PARTIAL, error="1 system failed")

    assert len(alerts()) == 2
    assert len(_notices(outbox, request_id)) == 2
    assert _closes(systems, request_id) == ["PARTIALLY_COMPLETED", "PARTIALLY_COMPLETED"]


def test_a_request_that_failed_alerts_staff_and_sends_the_subject_nothing(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, alerts: Alerts
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "access")

    close(desk, request_id, Outcome.FAILED, error="States.TaskFailed: the review task failed")

    assert desk.store.get(request_id).status is Status.FAILED
    assert not _notices(outbox, request_id)
    [alert] = alerts()
    assert json.loads(alert["Message"])["error"] == "States.TaskFailed: the review task failed"
    closing = next(e for e in desk.store.events(request_id) if e.action == "close request")
    assert (closing.outcome, closing.detail["error"]) == (
        "FAILED",
        "States.TaskFailed: the review task failed",
    )


# --- refused -------------------------------------------------------------------------------------


def test_a_denial_tells_the_subject_the_reason_and_how_to_appeal_where_the_law_gives_an_appeal(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "access", country="US", region="VA")
    decide(desk, request_id, StaffDecision(decision="deny", reason="We hold no account for you."), APPROVER)

    close(desk, request_id, Outcome.DENIED, reason="We hold no account for you.")

    [notice] = _notices(outbox, request_id)
    assert notice.subject == f"Your privacy request {request_id[:8]}: we cannot carry it out"
    assert "Reason: We hold no account for you." in notice.body
    assert "You may appeal this decision until 1 May 2026:" in notice.body
    assert f"https://privacy.example/status/{request_id}?token=" in notice.body


def test_a_denial_where_the_law_gives_no_appeal_offers_none(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "access", country="GB")

    close(desk, request_id, Outcome.DENIED, reason="Manifestly unfounded.")

    [notice] = _notices(outbox, request_id)
    assert "Reason: Manifestly unfounded." in notice.body
    assert "appeal" not in notice.body.lower()


def test_a_person_who_could_not_be_verified_is_told_the_request_was_closed(
    desk: DeskInMemory, outbox: RecordedMailer
) -> None:
    request_id = _submitted(desk, "access")

    assert close(desk, request_id, Outcome.UNVERIFIABLE) is Status.UNVERIFIABLE

    [notice] = _notices(outbox, request_id)
    assert notice.subject == f"Your privacy request {request_id[:8]} was closed"


# --- an execution that ended outside any Catch ---------------------------------------------------


def test_an_execution_that_ended_unseen_marks_the_open_request_failed_and_alerts_staff(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, alerts: Alerts
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "access")

    assert mark_execution_ended(desk, request_id, "TIMED_OUT", "States.Timeout") is True

    assert desk.store.get(request_id).status is Status.FAILED
    assert json.loads(alerts()[0]["Message"])["error"] == "execution TIMED_OUT: States.Timeout"
    assert not _notices(outbox, request_id)


def test_an_execution_that_ended_after_the_request_closed_changes_nothing(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "access")
    close(desk, request_id, Outcome.DENIED, reason="A test request.")

    assert mark_execution_ended(desk, request_id, "ABORTED", None) is False

    assert desk.store.get(request_id).status is Status.DENIED
    assert ("eventbridge", "execution aborted", "request already closed") in _trail(desk, request_id)
    assert len(_notices(outbox, request_id)) == 1


def test_an_execution_for_a_request_the_desk_does_not_know_is_ignored(desk: DeskInMemory) -> None:
    assert mark_execution_ended(desk, "00000000-0000-4000-8000-000000000000", "FAILED", "x") is False


# --- cancelling ----------------------------------------------------------------------------------


def test_a_request_waiting_for_staff_is_cancelled_its_execution_stopped_and_the_subject_told_why(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow, "erasure")

    cancel(desk, request_id, "You asked us to withdraw it.", ADMIN)

    assert desk.store.get(request_id).status is Status.CANCELLED
    assert workflow.stopped[request_id] == "cancelled by staff: You asked us to withdraw it."
    assert workflow.failed[token][0] == "Cancelled"  # nothing waits on it any more
    [notice] = _notices(outbox, request_id)
    assert notice.subject == f"Your privacy request {request_id[:8]} was closed"
    assert "Why: You asked us to withdraw it." in notice.body
    cancelled = next(e for e in desk.store.events(request_id) if e.action == "cancel request")
    assert (cancelled.actor, cancelled.outcome) == (f"staff:{ADMIN}", "execution stopped")
    assert cancelled.detail["previous_status"] == "AWAITING_APPROVAL"


def test_after_a_cancellation_a_decision_is_refused_naming_who_cancelled(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow, "erasure")
    cancel(desk, request_id, "Spam.", ADMIN)

    with pytest.raises(DecisionConflictError) as late:
        decide(desk, request_id, StaffDecision(decision="approve"), APPROVER)

    assert late.value.decided_by == ADMIN
    assert token not in workflow.resumed


def test_a_request_staff_decided_cannot_be_cancelled_after(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "erasure")
    decide(desk, request_id, StaffDecision(decision="approve"), APPROVER)

    with pytest.raises(NotCancellableError, match=f"decided already by {APPROVER}"):
        cancel(desk, request_id, "Too late.", ADMIN)

    assert request_id not in workflow.stopped
    assert not _notices(outbox, request_id)


def test_a_request_being_carried_out_cannot_be_cancelled(
    systems: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _in_progress(systems, workflow, "erasure")

    with pytest.raises(NotCancellableError, match="only a request not yet carried out can be cancelled"):
        cancel(systems, request_id, "Too late.", ADMIN)

    assert systems.store.get(request_id).status is Status.IN_PROGRESS
    assert request_id not in workflow.stopped


def test_a_request_not_yet_verified_is_cancelled_and_its_execution_stopped(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _submitted(desk, "access")

    cancel(desk, request_id, "A test request.", ADMIN)

    assert desk.store.get(request_id).status is Status.CANCELLED
    assert request_id in workflow.stopped
    assert len(_notices(outbox, request_id)) == 1
    with pytest.raises(NotCancellableError, match="the request is CANCELLED"):
        cancel(desk, request_id, "Again.", ADMIN)
    assert len(_notices(outbox, request_id)) == 1


def test_a_cancellation_interrupted_before_it_closed_the_request_is_finished_by_cancelling_again(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow, "erasure")
    transition = desk.store.transition

    def throttled(*arguments: Any, **options: Any) -> Any:
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "UpdateItem")

    monkeypatch.setattr(desk.store, "transition", throttled)
    with pytest.raises(ClientError):
        cancel(desk, request_id, "You asked us to withdraw it.", ADMIN)
    monkeypatch.setattr(desk.store, "transition", transition)

    cancel(desk, request_id, "You asked us to withdraw it.", ADMIN)

    assert desk.store.get(request_id).status is Status.CANCELLED
    assert request_id in workflow.stopped and workflow.failed[token][0] == "Cancelled"
    assert len(_notices(outbox, request_id)) == 1


@pytest.mark.parametrize("waiting_for", ["staff", "verification"])
def test_a_cancellation_interrupted_before_the_subject_was_told_is_finished_by_cancelling_again(
    desk: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    monkeypatch: pytest.MonkeyPatch,
    waiting_for: str,
) -> None:
    if waiting_for == "staff":
        request_id, token = _waiting_for_staff(desk, workflow, "erasure")
    else:
        request_id = _submitted(desk, "erasure")
        token = workflow.hand_out_token()
        desk.store.put_task(request_id, "verification", {"task_token": token})
    send = outbox.send

    def throttled(*arguments: Any, **options: Any) -> Any:
        raise ClientError(
            {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail"
        )

    monkeypatch.setattr(outbox, "send", throttled)
    with pytest.raises(ClientError):
        cancel(desk, request_id, "You asked us to withdraw it.", ADMIN)
    monkeypatch.setattr(outbox, "send", send)

    cancel(desk, request_id, "You asked us to withdraw it.", ADMIN)

    assert request_id in workflow.stopped and workflow.failed[token][0] == "Cancelled"
    [notice] = _notices(outbox, request_id)
    assert "Why: You asked us to withdraw it." in notice.body
    with pytest.raises(NotCancellableError, match="the request is CANCELLED"):  # done now: once is enough
        cancel(desk, request_id, "Again.", ADMIN)
