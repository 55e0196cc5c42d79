"""Appeals, as the rules decide them over the requests table: a refusal appealed once, on time,
where the law gives an appeal; answered once by someone other than the one who refused; upheld
with the regulator named, or reversed and carried out; extended once where the law allows; the
subject's address kept until the answer is sent. (Who may appeal until when, without the table:
tests/unit/test_appeal_rules.py.)"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from dsr.appeals.appeals import (
    AppealAnswer,
    AppealChannel,
    AppealDecision,
    AppealRefusedError,
    AppealStatus,
    NoOpenAppealError,
    SameDeciderError,
    appeal_of,
    decide,
    extend,
    lodge,
    open_appeals,
)
from dsr.closing.closing import close
from dsr.core.models import Channel, NewRequest, Status
from dsr.core.refusals import NotPermittedError
from dsr.core.tasks import Outcome
from dsr.intake.submission import submit
from dsr.policies.request_deadlines import local_day
from dsr.policies.retention import reduce_due_identities
from dsr.review.approval import StaffDecision, await_review
from dsr.review.approval import decide as decide_review
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock

GRACE = "grace@example.org"
APPROVER = "approver@desk.example"
ADMIN = "admin@desk.example"
REASONS = "Your account was closed in 2019; we found your records after all."
UPHOLD = AppealAnswer(decision=AppealDecision.UPHOLD, reason="We hold no account for you.")
REVERSE = AppealAnswer(decision=AppealDecision.REVERSE, reason=REASONS)


def _refused(desk: DeskInMemory, workflow: RecordedWorkflow, region: str = "VA", country: str = "US") -> str:
    """A request the approver denied, closed and the subject told; under Virginia's law by default."""
    new = NewRequest.model_validate(
        {"request_types": ["access"], "subject": {"email": GRACE}, "country": country, "region": region}
        if country == "US"
        else {"request_types": ["access"], "subject": {"email": GRACE}, "country": country}
    )
    request_id = submit(desk, new, Channel.WEB).request_id
    await_review(desk, request_id, workflow.hand_out_token())
    decide_review(
        desk, request_id, StaffDecision(decision="deny", reason="We hold no account for you."), APPROVER
    )
    close(desk, request_id, Outcome.DENIED, reason="We hold no account for you.")
    return request_id


def _lodged(desk: DeskInMemory, workflow: RecordedWorkflow, region: str = "VA") -> str:
    request_id = _refused(desk, workflow, region)
    lodge(desk, request_id, "I have had an account for years.", AppealChannel.STATUS_PAGE)
    return request_id


def _mail(outbox: RecordedMailer, starting: str) -> list[Any]:
    return [message for message in outbox.to(GRACE) if message.subject.startswith(starting)]


def _actions(desk: DeskInMemory, request_id: str) -> list[str]:
    return [event.action for event in desk.store.events(request_id)]


# --- lodging -------------------------------------------------------------------------------------


def test_a_refusal_appealed_in_time_gets_its_own_clock_and_the_subject_is_told_when(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _refused(desk, workflow)

    appeal = lodge(desk, request_id, "I have had an account for years.", AppealChannel.STATUS_PAGE)

    assert appeal.status is AppealStatus.OPEN
    assert local_day("US-VA", appeal.respond_by) == local_day("US-VA", desk.now()) + timedelta(days=60)
    assert appeal.original_decision_by == APPROVER
    [received] = _mail(outbox, "We received your appeal")
    assert "by 1 May 2026 at the latest" in received.body
    assert [a.request_id for a in open_appeals(desk)] == [request_id]
    received_event = next(e for e in desk.store.events(request_id) if e.action == "appeal received")
    assert (received_event.actor, received_event.outcome) == ("subject", "waiting for staff")
    assert desk.store.get(request_id).status is Status.DENIED  # refused until the appeal is answered


def test_a_decision_is_appealed_once(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow)

    with pytest.raises(AppealRefusedError, match="appealed already"):
        lodge(desk, request_id, "Again.", AppealChannel.EMAIL)

    assert len(_mail(outbox, "We received your appeal")) == 1
    assert _actions(desk, request_id).count("appeal received") == 1


def test_where_the_law_gives_no_appeal_to_the_company_none_is_taken(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _refused(desk, workflow, country="GB")

    with pytest.raises(AppealRefusedError, match="gives no appeal to us; you may complain to the regulator"):
        lodge(desk, request_id, "Please look again.", AppealChannel.STATUS_PAGE)

    assert appeal_of(desk, request_id) is None


def test_an_appeal_after_its_window_is_refused(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    request_id = _refused(desk, workflow)
    clock.advance(timedelta(days=61))

    with pytest.raises(AppealRefusedError, match="the time to appeal this decision has passed"):
        lodge(desk, request_id, "Late.", AppealChannel.STATUS_PAGE)


def test_a_request_still_open_has_no_refusal_to_appeal(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    new = NewRequest.model_validate(
        {"request_types": ["access"], "subject": {"email": GRACE}, "country": "US", "region": "VA"}
    )
    request_id = submit(desk, new, Channel.WEB).request_id

    with pytest.raises(AppealRefusedError, match="still being worked on"):
        lodge(desk, request_id, "Too soon.", AppealChannel.STATUS_PAGE)


def test_what_the_subject_wrote_is_kept_without_control_characters_and_bounded(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _refused(desk, workflow)

    appeal = lodge(
        desk, request_id, "  I disagree\u202e." + "x" * 5000, AppealChannel.EMAIL, source_message_id="m-1"
    )

    assert appeal.statement.startswith("I disagree.")
    assert len(appeal.statement) == 4000
    stored = appeal_of(desk, request_id)
    assert stored is not None and (stored.channel, stored.source_message_id) == (AppealChannel.EMAIL, "m-1")


def test_an_appeal_that_says_nothing_is_still_an_appeal(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _refused(desk, workflow)

    assert lodge(desk, request_id, "  \x07 ", AppealChannel.EMAIL).statement == "(no reasons given)"


# --- answering -----------------------------------------------------------------------------------


def test_the_one_who_refused_may_not_answer_the_appeal(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow)

    with pytest.raises(SameDeciderError) as refused:
        decide(desk, request_id, UPHOLD, APPROVER)

    assert isinstance(refused.value, NotPermittedError)
    assert appeal_of(desk, request_id).status is AppealStatus.OPEN  # type: ignore[union-attr]
    assert not _mail(outbox, "The answer to your appeal")


def test_an_upheld_refusal_is_explained_and_the_regulator_named(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow)

    appeal = decide(desk, request_id, UPHOLD, ADMIN)

    assert (appeal.status, appeal.decided_by) == (AppealStatus.UPHELD, ADMIN)
    [answer] = _mail(outbox, "The answer to your appeal")
    assert "Our reasons: We hold no account for you." in answer.body
    assert "the Virginia Attorney General" in answer.body and "https://www.oag.state.va.us/" in answer.body
    assert desk.store.get(request_id).status is Status.DENIED
    assert open_appeals(desk) == []
    answered = next(e for e in desk.store.events(request_id) if e.action == "appeal answered")
    assert (answered.actor, answered.outcome) == (f"staff:{ADMIN}", "uphold")


def test_an_appeal_is_answered_once(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow)
    decide(desk, request_id, UPHOLD, ADMIN)

    with pytest.raises(NoOpenAppealError):
        decide(desk, request_id, REVERSE, "dpo@desk.example")
    with pytest.raises(NoOpenAppealError):
        decide(desk, request_id, UPHOLD, "dpo@desk.example")  # the same answer, sent already

    assert len(_mail(outbox, "The answer to your appeal")) == 1
    assert _actions(desk, request_id).count("appeal answered") == 1


def test_a_request_never_appealed_has_no_appeal_to_answer(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    request_id = _refused(desk, workflow)

    with pytest.raises(NoOpenAppealError, match="no appeal waiting for an answer"):
        decide(desk, request_id, UPHOLD, ADMIN)


def test_an_answer_needs_reasons_for_the_subject() -> None:
    with pytest.raises(ValueError, match="reason"):
        AppealAnswer.model_validate({"decision": "uphold", "reason": "   "})


def test_a_reversed_refusal_is_reopened_and_carried_out_without_asking_again(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow, region="CO")

    appeal = decide(desk, request_id, REVERSE, ADMIN)

    assert appeal.status is AppealStatus.REVERSED
    reopened = desk.store.get(request_id)
    assert reopened.status is Status.IN_PROGRESS
    assert reopened.respond_by == appeal.respond_by and reopened.closed_at is None
    assert workflow.started[f"{request_id}-appeal"] == {
        "request_id": request_id,
        "rerun": False,
        "appeal_granted": True,
    }
    [granted] = _mail(outbox, f"Your appeal on privacy request {request_id[:8]} succeeded")
    assert "we have changed it" in granted.body and REASONS in granted.body
    event = next(e for e in desk.store.events(request_id) if e.action == "request reopened")
    assert (event.actor, event.detail["previous_status"]) == (f"staff:{ADMIN}", "DENIED")


def test_a_reversal_whose_execution_did_not_start_is_put_back_and_answering_again_finishes_it(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = _lodged(desk, workflow, region="CO")
    start_named: Callable[[str, dict[str, Any]], None] = workflow.start_named

    def throttled(name: str, payload: dict[str, Any]) -> None:
        raise RuntimeError("Step Functions throttled the start")

    monkeypatch.setattr(workflow, "start_named", throttled)
    with pytest.raises(RuntimeError):
        decide(desk, request_id, REVERSE, ADMIN)

    # The refusal stands as it was, the subject not yet told
    assert desk.store.get(request_id).status is Status.DENIED
    assert not _mail(outbox, f"Your appeal on privacy request {request_id[:8]} succeeded")

    monkeypatch.setattr(workflow, "start_named", start_named)
    decide(desk, request_id, REVERSE, ADMIN)

    assert desk.store.get(request_id).status is Status.IN_PROGRESS
    assert f"{request_id}-appeal" in workflow.started
    assert len(_mail(outbox, f"Your appeal on privacy request {request_id[:8]} succeeded")) == 1
    assert _actions(desk, request_id).count("appeal answered") == 1


def test_a_refusal_for_want_of_verification_is_appealed_and_reversed_by_anyone(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    new = NewRequest.model_validate(
        {"request_types": ["access"], "subject": {"email": GRACE}, "country": "US", "region": "CO"}
    )
    request_id = submit(desk, new, Channel.WEB).request_id
    close(desk, request_id, Outcome.UNVERIFIABLE)

    appeal = lodge(desk, request_id, "It was me; the code never came.", AppealChannel.EMAIL)
    decide(desk, request_id, REVERSE, APPROVER)

    assert appeal.original_decision_by is None
    assert desk.store.get(request_id).status is Status.IN_PROGRESS
    assert f"{request_id}-appeal" in workflow.started


# --- extending -----------------------------------------------------------------------------------


def test_a_colorado_appeal_is_extended_once_and_the_subject_told_why(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow, region="CO")
    appealed_on = local_day("US-CO", desk.now())

    extended = extend(desk, request_id, "We must search archived systems.", ADMIN)

    assert local_day("US-CO", extended.respond_by) == appealed_on + timedelta(days=105)
    [notice] = _mail(outbox, "More time is needed for your appeal")
    assert "Why: We must search archived systems." in notice.body
    assert appeal_of(desk, request_id).respond_by == extended.respond_by  # type: ignore[union-attr]
    with pytest.raises(AppealRefusedError, match="extended already"):
        extend(desk, request_id, "Once more.", ADMIN)
    assert len(_mail(outbox, "More time is needed for your appeal")) == 1


def test_a_virginia_appeal_cannot_be_extended(desk: DeskInMemory, workflow: RecordedWorkflow) -> None:
    request_id = _lodged(desk, workflow, region="VA")

    with pytest.raises(AppealRefusedError, match="allows no appeal extension"):
        extend(desk, request_id, "Busy.", ADMIN)


def test_an_extension_is_refused_once_the_day_to_tell_the_subject_has_passed(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock, outbox: RecordedMailer
) -> None:
    request_id = _lodged(desk, workflow, region="CO")
    appeal = appeal_of(desk, request_id)
    assert appeal is not None and appeal.extension_notice_by is not None
    clock.advance(appeal.extension_notice_by - desk.now() + timedelta(seconds=1))

    with pytest.raises(
        AppealRefusedError, match="the last day to tell the subject of an appeal extension was"
    ):
        extend(desk, request_id, "Late.", ADMIN)

    assert not _mail(outbox, "More time is needed for your appeal")


def test_an_answered_appeal_is_not_extended(desk: DeskInMemory, workflow: RecordedWorkflow) -> None:
    request_id = _lodged(desk, workflow, region="CO")
    decide(desk, request_id, UPHOLD, ADMIN)

    with pytest.raises(NoOpenAppealError):
        extend(desk, request_id, "Too late.", ADMIN)


# --- the subject's address -----------------------------------------------------------------------


def test_the_subjects_address_is_kept_until_the_answer_and_let_go_after(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    request_id = _lodged(desk, workflow)

    # Long after the window to appeal has closed, an open appeal keeps the address to answer to
    clock.advance(timedelta(days=70))
    reduce_due_identities(desk)
    assert str(desk.store.get(request_id).subject.email) == GRACE

    # Answered, the identity goes at the next sweep, and the statement with it
    decide(desk, request_id, UPHOLD, ADMIN)
    assert reduce_due_identities(desk) == 1
    assert str(desk.store.get(request_id).subject.email) != GRACE
    assert appeal_of(desk, request_id).statement == "(removed with the identity)"  # type: ignore[union-attr]
