"""Staff review, as the rules decide it: the workflow waits with its token kept, one decision wins
and resumes it, a denial carries its reason, and where four eyes apply an erasure is triaged by
one staff member and decided by another."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from dsr.closing.closing import mark_execution_ended
from dsr.core.models import Channel, NewRequest, Status
from dsr.core.refusals import NotPermittedError
from dsr.intake.submission import submit
from dsr.review.approval import (
    DecisionConflictError,
    FourEyesError,
    NothingToDecideError,
    SelfReviewError,
    StaffDecision,
    StaffTriage,
    TriageConflictError,
    await_review,
    decide,
    triage,
)
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedWorkflow

APPROVER = "approver@desk.example"
ADMIN = "admin@desk.example"
APPROVE = StaffDecision(decision="approve")
RECOMMEND_APPROVAL = StaffTriage(recommendation="approve", note="Identity matched; no legal hold.")


def _waiting_for_staff(desk: DeskInMemory, workflow: RecordedWorkflow, *types: str) -> tuple[str, str]:
    """A request the workflow has handed to staff: its id and the task token the workflow waits on."""
    new = NewRequest.model_validate(
        {"request_types": list(types) or ["access"], "subject": {"email": "ada@example.net"}}
    )
    request_id = submit(desk, new, Channel.WEB).request_id
    token = workflow.hand_out_token()
    await_review(desk, request_id, token)
    return request_id, token


def _trail(desk: DeskInMemory, request_id: str) -> list[tuple[str, str, str]]:
    return [(event.actor, event.action, event.outcome) for event in desk.store.events(request_id)]


@pytest.fixture
def four_eyes(desk: DeskInMemory) -> DeskInMemory:
    """The company turned on the four-eyes rule for erasure (``FOUR_EYES_FOR_ERASURE``)."""
    desk.settings = desk.settings.model_copy(update={"four_eyes_for_erasure": True})
    return desk


# --- waiting for staff -------------------------------------------------------------------------


def test_a_request_waits_for_staff_with_nothing_decided_and_the_trail_says_so(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow)

    assert desk.store.get(request_id).status is Status.AWAITING_APPROVAL
    assert ("workflow", "staff review requested", "waiting for staff") in _trail(desk, request_id)
    assert token in workflow.waiting and not workflow.resumed


def test_a_redelivered_review_task_is_answered_on_the_newest_token(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, first = _waiting_for_staff(desk, workflow)
    newest = workflow.hand_out_token()
    await_review(desk, request_id, newest)  # Lambda delivered the task again, with a fresh token

    decide(desk, request_id, APPROVE, APPROVER)

    assert list(workflow.resumed) == [newest]
    assert first not in workflow.resumed


def test_a_decision_taken_while_the_review_task_is_retried_answers_the_retry(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    # Given the review task's invocation failed after keeping its token: the state machine
    # retries it, and the old token no longer waits
    request_id, old = _waiting_for_staff(desk, workflow)
    workflow.waiting.discard(old)

    # When staff deny it before the retry arrives, the denial stands (no error for staff)
    decide(desk, request_id, StaffDecision(decision="deny", reason="A test request."), ADMIN)

    # Then the retried task, with its fresh token, is answered with that denial at once
    retried = workflow.hand_out_token()
    await_review(desk, request_id, retried)
    assert workflow.resumed == {
        retried: {"decision": "deny", "reason": "A test request.", "decided_by": ADMIN}
    }
    assert desk.store.get(request_id).status is Status.AWAITING_APPROVAL  # until the denial closes it
    assert (f"staff:{ADMIN}", "staff decision", "deny") in _trail(desk, request_id)


# --- deciding ------------------------------------------------------------------------------------


def test_an_approval_resumes_the_workflow_with_the_decision_and_who_took_it(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow)

    decide(desk, request_id, APPROVE, APPROVER)

    assert workflow.resumed[token] == {"decision": "approve", "reason": None, "decided_by": APPROVER}
    assert (f"staff:{APPROVER}", "staff decision", "approve") in _trail(desk, request_id)
    assert desk.store.get_task(request_id, "approval")["decided_by"] == APPROVER  # type: ignore[index]


def test_a_denial_takes_its_reason_to_the_workflow_and_the_trail(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow)

    decide(
        desk, request_id, StaffDecision(decision="deny", reason="A duplicate of an earlier request."), ADMIN
    )

    assert workflow.resumed[token]["decision"] == "deny"
    assert workflow.resumed[token]["reason"] == "A duplicate of an earlier request."
    denial = next(e for e in desk.store.events(request_id) if e.action == "staff decision")
    assert (denial.outcome, denial.detail["reason"]) == ("deny", "A duplicate of an earlier request.")


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_a_denial_without_a_reason_is_refused_before_anything_is_decided(reason: str | None) -> None:
    with pytest.raises(ValidationError, match="a denial needs a reason"):
        StaffDecision(decision="deny", reason=reason)


def test_a_decision_is_nothing_but_approve_or_deny() -> None:
    with pytest.raises(ValidationError):
        StaffDecision.model_validate({"decision": "maybe"})
    with pytest.raises(ValidationError):
        StaffDecision.model_validate({"decision": "approve", "approved_by": "someone else"})


def test_of_two_decisions_the_first_wins_and_the_second_learns_who_took_it(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow)
    decide(desk, request_id, APPROVE, APPROVER)

    with pytest.raises(DecisionConflictError) as lost:
        decide(desk, request_id, StaffDecision(decision="deny", reason="hold"), ADMIN)

    assert lost.value.decided_by == APPROVER
    assert lost.value.details == {"decided_by": APPROVER}
    assert workflow.resumed == {token: {"decision": "approve", "reason": None, "decided_by": APPROVER}}
    assert [e.outcome for e in desk.store.events(request_id) if e.action == "staff decision"] == ["approve"]


def test_a_request_never_handed_to_staff_has_nothing_to_decide(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    new = NewRequest.model_validate({"request_types": ["access"], "subject": {"email": "ada@example.net"}})
    request_id = submit(desk, new, Channel.WEB).request_id

    with pytest.raises(NothingToDecideError, match="not waiting for a decision"):
        decide(desk, request_id, APPROVE, APPROVER)
    with pytest.raises(NothingToDecideError):
        triage(desk, request_id, RECOMMEND_APPROVAL, APPROVER)
    assert desk.store.get(request_id).status is Status.RECEIVED
    assert not workflow.resumed


def test_a_request_whose_review_timed_out_cannot_be_decided_or_triaged(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    # The state machine's review timeout ends the execution; the request is closed failed.
    request_id, token = _waiting_for_staff(desk, workflow)
    mark_execution_ended(desk, request_id, "TIMED_OUT", "States.Timeout")

    with pytest.raises(NothingToDecideError):
        decide(desk, request_id, APPROVE, APPROVER)
    with pytest.raises(NothingToDecideError):
        triage(desk, request_id, RECOMMEND_APPROVAL, APPROVER)

    assert desk.store.get(request_id).status is Status.FAILED
    assert token not in workflow.resumed
    assert not [e for e in desk.store.events(request_id) if e.action in {"staff decision", "triaged"}]


# --- four eyes for erasure -----------------------------------------------------------------------


def test_with_four_eyes_an_erasure_nobody_triaged_cannot_be_decided(
    four_eyes: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(four_eyes, workflow, "erasure")

    with pytest.raises(FourEyesError, match="after another staff member has triaged it") as refused:
        decide(four_eyes, request_id, APPROVE, APPROVER)

    assert not refused.value.same_person
    assert four_eyes.store.get(request_id).status is Status.AWAITING_APPROVAL
    assert token in workflow.waiting and not workflow.resumed


def test_with_four_eyes_the_triager_may_not_decide_the_erasure_themselves(
    four_eyes: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, _ = _waiting_for_staff(four_eyes, workflow, "erasure")
    triage(four_eyes, request_id, RECOMMEND_APPROVAL, APPROVER)

    with pytest.raises(SelfReviewError, match="another staff member must decide it") as refused:
        decide(four_eyes, request_id, APPROVE, APPROVER)

    assert isinstance(refused.value, NotPermittedError)  # answered 403, not 409
    assert not workflow.resumed
    assert four_eyes.store.get_task(request_id, "approval")["triaged_by"] == APPROVER  # type: ignore[index]


def test_with_four_eyes_another_staff_member_decides_the_triaged_erasure(
    four_eyes: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(four_eyes, workflow, "erasure", "access")
    triage(four_eyes, request_id, RECOMMEND_APPROVAL, APPROVER)

    decide(four_eyes, request_id, APPROVE, ADMIN)

    assert workflow.resumed[token]["decided_by"] == ADMIN
    trail = _trail(four_eyes, request_id)
    assert (f"staff:{APPROVER}", "triaged", "recommends approve") in trail
    assert (f"staff:{ADMIN}", "staff decision", "approve") in trail
    triaged = next(e for e in four_eyes.store.events(request_id) if e.action == "triaged")
    assert triaged.detail["note"] == "Identity matched; no legal hold."


def test_a_second_triage_is_refused_naming_the_first_triager(
    four_eyes: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, _ = _waiting_for_staff(four_eyes, workflow, "erasure")
    triage(four_eyes, request_id, RECOMMEND_APPROVAL, APPROVER)

    with pytest.raises(TriageConflictError) as second:
        triage(four_eyes, request_id, StaffTriage(recommendation="deny", note="Second opinion."), ADMIN)

    assert second.value.details == {"triaged_by": APPROVER}
    task = four_eyes.store.get_task(request_id, "approval") or {}
    assert (task["triaged_by"], task["recommendation"]) == (APPROVER, "approve")


def test_a_decided_request_can_no_longer_be_triaged(desk: DeskInMemory, workflow: RecordedWorkflow) -> None:
    request_id, _ = _waiting_for_staff(desk, workflow, "erasure")
    decide(desk, request_id, APPROVE, APPROVER)

    with pytest.raises(NothingToDecideError):
        triage(desk, request_id, RECOMMEND_APPROVAL, ADMIN)

    assert "triaged_by" not in (desk.store.get_task(request_id, "approval") or {})


def test_a_triage_needs_a_note_for_the_one_who_decides() -> None:
    with pytest.raises(ValidationError):
        StaffTriage.model_validate({"recommendation": "approve", "note": ""})


def test_four_eyes_cover_erasure_only(four_eyes: DeskInMemory, workflow: RecordedWorkflow) -> None:
    request_id, token = _waiting_for_staff(four_eyes, workflow, "access", "restriction")

    decide(four_eyes, request_id, APPROVE, APPROVER)

    assert workflow.resumed[token]["decided_by"] == APPROVER


def test_without_four_eyes_an_erasure_is_decided_at_once(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id, token = _waiting_for_staff(desk, workflow, "erasure")

    decide(desk, request_id, APPROVE, APPROVER)

    assert workflow.resumed[token]["decision"] == "approve"
