"""A second request of the same type from the same subject, as the rules decide it: taken in and
asked for proof like any other, so nothing tells an outsider that the address asked before, and
joined to the subject's open request only once the address is proven. Never worked twice, and
never joined to a request that is closed or whose subject has not proven the address."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

from dsr.closing import closing
from dsr.core.models import Channel, NewRequest, Status
from dsr.core.tasks import Outcome
from dsr.intake import duplicates
from dsr.intake.submission import submit
from dsr.verification import identity_checks as verification
from dsr.verification.identity_checks import VerificationOutcome
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock

ADA = "ada@example.net"
CODE_IN_MAIL = re.compile(r"Your verification code is (\d{6})")


class Waiting:
    """A request whose verification task waits, with the token the state machine handed out."""

    def __init__(self, request_id: str, task_token: str) -> None:
        self.request_id = request_id
        self.task_token = task_token


def _verifying(
    desk: DeskInMemory,
    workflow: RecordedWorkflow,
    email: str = ADA,
    types: tuple[str, ...] = ("access",),
    **fields: object,
) -> Waiting:
    """Submitted from the UK (the address alone proves the subject), and waiting for the code."""
    new_request = NewRequest.model_validate(
        {"request_types": list(types), "subject": {"email": email}, "country": "GB", **fields}
    )
    receipt = submit(desk, new_request, Channel.WEB)
    token = workflow.hand_out_token()
    verification.begin(desk, receipt.request_id, token)
    return Waiting(receipt.request_id, token)


def _verify(desk: DeskInMemory, outbox: RecordedMailer, clock: StoppedClock, waiting: Waiting) -> None:
    clock.advance(timedelta(seconds=1))
    codes = [
        found.group(1)
        for message in outbox.sent
        if message.request_id == waiting.request_id and (found := CODE_IN_MAIL.search(message.body))
    ]
    assert verification.submit_code(desk, waiting.request_id, codes[-1]) is VerificationOutcome.VERIFIED


def _joined_mail(outbox: RecordedMailer, request_id: str) -> list[str]:
    return [m.body for m in outbox.sent if m.request_id == request_id and "is joined to" in m.subject]


def _status(desk: DeskInMemory, waiting: Waiting) -> Status:
    return desk.store.get(waiting.request_id).status


def test_a_second_request_is_taken_in_and_asked_for_proof_like_anyone_elses(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)

    second = _verifying(desk, workflow)
    stranger = _verifying(desk, workflow, email="alan@example.com")

    assert _status(desk, second) is _status(desk, stranger) is Status.VERIFYING
    assert {second.request_id, stranger.request_id} <= set(workflow.started)
    second_mail, stranger_mail = (
        [m.subject.replace(w.request_id[:8], "…") for m in outbox.sent if m.request_id == w.request_id]
        for w in (second, stranger)
    )
    assert second_mail == stranger_mail  # the same emails, in the same words
    assert _joined_mail(outbox, second.request_id) == []


def test_once_verified_a_second_request_is_joined_to_the_open_one_and_the_subject_told_which(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    second = _verifying(desk, workflow)

    _verify(desk, outbox, clock, second)

    linked = desk.store.get(second.request_id)
    assert (linked.status, linked.linked_to) == (Status.LINKED, first.request_id)
    assert linked.closed_at == clock.now()
    assert workflow.failed[second.task_token][0] == duplicates.LINKED_ERROR  # the workflow ends there
    assert second.task_token not in workflow.resumed
    [joined] = _joined_mail(outbox, second.request_id)
    assert first.request_id in joined and "do not need to do anything more" in joined
    open_ids = {request.request_id for request in desk.store.open_requests()}
    assert first.request_id in open_ids and second.request_id not in open_ids
    assert [
        (e.action, e.outcome) for e in desk.store.events(first.request_id) if e.action.startswith("dup")
    ] == [("duplicate submission", "linked")]
    assert ("link to open request", "linked") in {
        (e.action, e.outcome) for e in desk.store.events(second.request_id)
    }


def test_a_joined_request_gets_no_second_closing_notice_and_its_window_is_let_go_of(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    second = _verifying(desk, workflow)
    _verify(desk, outbox, clock, second)
    sent = len(outbox.sent)

    clock.advance(timedelta(seconds=desk.settings.verification_window_seconds + 60))

    assert verification.expire_windows(desk) == 0  # both were verified: nothing closes
    assert len(outbox.sent) == sent
    assert desk.store.get(second.request_id).closing_notice_sent_at is not None
    assert desk.store.get(second.request_id).records_kept_until is not None


def test_the_same_address_written_differently_is_the_same_subject(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    second = _verifying(desk, workflow, email=" ADA@Example.NET ")

    _verify(desk, outbox, clock, second)

    assert desk.store.get(second.request_id).linked_to == first.request_id


def test_a_request_of_another_type_or_asking_for_more_goes_on_to_review(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow, types=("access",))
    _verify(desk, outbox, clock, first)
    erasure = _verifying(desk, workflow, types=("erasure",))
    access_and_more = _verifying(desk, workflow, types=("access", "objection"))

    _verify(desk, outbox, clock, erasure)
    _verify(desk, outbox, clock, access_and_more)

    for request in (erasure, access_and_more):
        assert workflow.resumed[request.task_token]["verified"] is True
        assert desk.store.get(request.request_id).linked_to is None
        assert _joined_mail(outbox, request.request_id) == []


def test_another_subjects_request_of_the_same_type_is_never_joined(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    tagged = _verifying(desk, workflow, email="ada+desk@example.net")  # another address, another subject

    _verify(desk, outbox, clock, tagged)

    assert workflow.resumed[tagged.task_token]["verified"] is True
    assert desk.store.get(tagged.request_id).status is Status.VERIFYING


def test_a_second_request_that_is_never_verified_is_never_joined(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    second = _verifying(desk, workflow)

    clock.advance(timedelta(seconds=desk.settings.verification_window_seconds + 60))
    verification.expire_windows(desk)

    assert workflow.failed[second.task_token][0] == verification.WINDOW_CLOSED
    assert desk.store.get(second.request_id).linked_to is None
    assert _joined_mail(outbox, second.request_id) == []
    assert "duplicate submission" not in [e.action for e in desk.store.events(first.request_id)]


def test_after_the_first_request_closes_a_new_one_goes_on_and_a_third_is_joined_to_it(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    desk.store.transition(first.request_id, [Status.VERIFYING], Status.AWAITING_APPROVAL)
    closing.close(desk, first.request_id, Outcome.DENIED, "The account was closed in 2019.")
    second = _verifying(desk, workflow)
    third = _verifying(desk, workflow)

    _verify(desk, outbox, clock, second)
    _verify(desk, outbox, clock, third)

    assert workflow.resumed[second.task_token]["verified"] is True
    assert desk.store.get(third.request_id).linked_to == second.request_id


def test_a_claim_whose_holder_closed_without_giving_it_up_is_taken_over(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    desk.store.transition(first.request_id, [Status.VERIFYING], Status.FAILED)  # its close never finished
    second = _verifying(desk, workflow)
    third = _verifying(desk, workflow)

    _verify(desk, outbox, clock, second)
    _verify(desk, outbox, clock, third)

    assert workflow.resumed[second.task_token]["verified"] is True
    assert desk.store.get(second.request_id).linked_to is None
    assert desk.store.get(third.request_id).linked_to == second.request_id


def test_every_further_request_is_joined_to_the_one_open_request(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    later = [_verifying(desk, workflow) for _ in range(3)]

    for request in later:
        _verify(desk, outbox, clock, request)

    assert {desk.store.get(r.request_id).linked_to for r in later} == {first.request_id}
    joined = [e for e in desk.store.events(first.request_id) if e.action == "duplicate submission"]
    assert sorted(str(e.detail["linked_request"]) for e in joined) == sorted(r.request_id for r in later)


def test_a_duplicate_confirmed_by_power_of_attorney_is_joined_too(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    _verify(desk, outbox, clock, first)
    agent = {
        "name": "Pat Agent",
        "email": "pat@agents.example",
        "permission_document": base64.b64encode(b"%PDF power of attorney").decode(),
        "power_of_attorney": True,
    }
    by_agent = _verifying(desk, workflow, agent=agent)

    assert verification.confirm_power_of_attorney(desk, by_agent.request_id, "approver@desk.example")

    assert desk.store.get(by_agent.request_id).linked_to == first.request_id
    assert workflow.failed[by_agent.task_token][0] == duplicates.LINKED_ERROR


def test_a_request_verified_before_the_earlier_one_goes_on_and_the_earlier_is_joined_to_it(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    earlier = _verifying(desk, workflow)
    later = _verifying(desk, workflow)

    _verify(desk, outbox, clock, later)  # the earlier one's code is still unused
    _verify(desk, outbox, clock, earlier)

    assert workflow.resumed[later.task_token]["verified"] is True
    assert desk.store.get(later.request_id).linked_to is None
    assert desk.store.get(earlier.request_id).linked_to == later.request_id
    assert _joined_mail(outbox, later.request_id) == []
    [joined] = _joined_mail(outbox, earlier.request_id)
    assert later.request_id in joined


def test_a_proven_request_is_not_lost_when_the_earlier_one_is_never_verified(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    # Someone else may have sent the earlier request from the subject's address: only the later
    # one's sender proved control of it.
    earlier = _verifying(desk, workflow)
    later = _verifying(desk, workflow)

    _verify(desk, outbox, clock, later)
    clock.advance(timedelta(seconds=desk.settings.verification_window_seconds + 60))
    verification.expire_windows(desk)

    assert workflow.failed[earlier.task_token][0] == verification.WINDOW_CLOSED
    assert workflow.resumed[later.task_token] == {"verified": True, "level": "email"}
    assert desk.store.get(later.request_id).status.is_open
    assert _joined_mail(outbox, later.request_id) == []


def test_a_request_whose_wait_ended_without_proof_carries_no_other_while_it_closes(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    earlier = _verifying(desk, workflow)
    later = _verifying(desk, workflow)
    # The earlier one's window has closed; the closing stage has not yet marked it UNVERIFIABLE
    verification.close_window(desk, earlier.request_id, verification.WINDOW_CLOSED, "ended")

    _verify(desk, outbox, clock, later)

    assert workflow.resumed[later.task_token] == {"verified": True, "level": "email"}
    assert desk.store.get(later.request_id).linked_to is None
