"""Identity verification, as the rules decide it: a single-use code bound to its request, a fixed
number of tries per code and over the request's life, data points where the request needs them,
the product's sign-in for account holders, an agent's power of attorney confirmed by staff, a
window that closes by the desk's clock, and the legal clock's rule once the subject is identified.

The test plays the state machine: it hands ``begin`` a task token, as the VerifyIdentity task
does, and then plays the subject (codes from the outbox) or staff."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest

from dsr.core.models import Channel, NewRequest, Status
from dsr.intake.status_tokens import status_token
from dsr.intake.submission import submit
from dsr.intake.throttling import TooManyAttemptsError, admit_mail
from dsr.policies.request_deadlines import deadlines_for
from dsr.policies.verification import load_policy
from dsr.storage.rate_limits import MAILS_PER_RECIPIENT
from dsr.verification import identity_checks as verification
from dsr.verification.data_points import count_matches, excluded_points, normalized
from dsr.verification.identity_checks import VerificationOutcome
from dsr.web import subject_actions
from local_cloud.product_login import DemoProductLogin
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock

ADA = "ada@example.net"
GRACE = "grace@example.org"  # holds an account (acct-1002) in the accounts store
GRACE_DETAILS = {"phone": "(202) 555-0143", "postal_code": " 94105 "}
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
CODE_IN_MAIL = re.compile(r"Your verification code is (\d{6})")


class Waiting:
    """A request whose verification task waits, with the token the state machine handed out."""

    def __init__(self, request_id: str, task_token: str) -> None:
        self.request_id = request_id
        self.task_token = task_token


def _new_request(email: str = ADA, types: tuple[str, ...] = ("objection",), **fields: object) -> NewRequest:
    return NewRequest.model_validate(
        {"request_types": list(types), "subject": {"email": email, "name": "Ada Lovelace"}, **fields}
    )


def _verifying(
    desk: DeskInMemory,
    workflow: RecordedWorkflow,
    email: str = ADA,
    types: tuple[str, ...] = ("objection",),
    **fields: object,
) -> Waiting:
    """Submitted, and the VerifyIdentity task has begun with a token of its own."""
    fields.setdefault("country", "GB")
    receipt = submit(desk, _new_request(email, types, **fields), Channel.WEB)
    token = workflow.hand_out_token()
    verification.begin(desk, receipt.request_id, token)
    return Waiting(receipt.request_id, token)


def _code(outbox: RecordedMailer, request_id: str) -> str:
    """The latest code emailed for the request."""
    codes = [
        found.group(1)
        for message in outbox.sent
        if message.request_id == request_id and (found := CODE_IN_MAIL.search(message.body))
    ]
    assert codes, "no verification code was emailed"
    return codes[-1]


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _rejections(desk: DeskInMemory, request_id: str) -> list[str]:
    """The trail's reasons for refused attempts, in order (the test moves the clock between them)."""
    return [
        str(event.detail["reason"])
        for event in desk.store.events(request_id)
        if event.action == "verification attempt" and event.outcome == "rejected"
    ]


def _events(desk: DeskInMemory, request_id: str, action: str) -> list[tuple[str, str]]:
    return [(e.actor, e.outcome) for e in desk.store.events(request_id) if e.action == action]


def _try(
    desk: DeskInMemory, clock: StoppedClock, request_id: str, code: str, **points: str
) -> VerificationOutcome:
    clock.advance(timedelta(seconds=1))  # each attempt its own moment, so the trail keeps their order
    return verification.submit_code(desk, request_id, code, points)


# --- the emailed code ---------------------------------------------------------------------------


def test_the_subject_is_emailed_a_code_and_a_link_and_the_request_waits(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    waiting = _verifying(desk, workflow)

    assert desk.store.get(waiting.request_id).status is Status.VERIFYING
    [mail] = [m for m in outbox.to(ADA) if "verification code" in m.subject]
    code = _code(outbox, waiting.request_id)
    assert f"&code={code}" in mail.body  # the link fills the code in
    assert f"expires in {desk.settings.verification_code_ttl_minutes} minutes" in mail.body
    assert "details" not in mail.body  # the email level asks for nothing more
    assert waiting.task_token in workflow.waiting
    assert _events(desk, waiting.request_id, "verification requested") == [
        ("workflow", "waiting for the subject")
    ]


def test_the_right_code_verifies_and_the_workflow_goes_on(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)

    outcome = _try(desk, clock, waiting.request_id, _code(outbox, waiting.request_id))

    assert outcome is VerificationOutcome.VERIFIED
    assert workflow.resumed[waiting.task_token] == {"verified": True, "level": "email"}
    assert _events(desk, waiting.request_id, "verification attempt") == [("subject", "verified")]


def test_a_wrong_code_is_refused_and_the_right_one_still_verifies(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    code = _code(outbox, waiting.request_id)

    wrong = _try(desk, clock, waiting.request_id, _wrong(code))
    right = _try(desk, clock, waiting.request_id, code)

    assert (wrong, right) == (VerificationOutcome.REJECTED, VerificationOutcome.VERIFIED)
    assert _rejections(desk, waiting.request_id) == ["wrong code"]
    assert list(workflow.resumed) == [waiting.task_token]


def test_a_used_code_cannot_be_replayed(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    code = _code(outbox, waiting.request_id)
    assert _try(desk, clock, waiting.request_id, code) is VerificationOutcome.VERIFIED

    replay = _try(desk, clock, waiting.request_id, code)

    assert replay is VerificationOutcome.REJECTED
    assert _rejections(desk, waiting.request_id) == ["already used"]
    assert len(workflow.resumed) == 1


def test_five_wrong_codes_lock_the_code_even_against_the_right_one(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    code = _code(outbox, waiting.request_id)

    tries = [_try(desk, clock, waiting.request_id, _wrong(code)) for _ in range(verification.MAX_ATTEMPTS)]
    locked = _try(desk, clock, waiting.request_id, code)

    assert tries == [VerificationOutcome.REJECTED] * verification.MAX_ATTEMPTS
    assert locked is VerificationOutcome.REJECTED
    assert _rejections(desk, waiting.request_id)[-1] == "too many attempts"
    assert desk.store.get(waiting.request_id).status is Status.VERIFYING  # a new code may be asked for
    assert waiting.task_token in workflow.waiting


def test_an_expired_code_is_refused(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    code = _code(outbox, waiting.request_id)
    clock.advance(timedelta(minutes=desk.settings.verification_code_ttl_minutes))

    assert _try(desk, clock, waiting.request_id, code) is VerificationOutcome.REJECTED
    assert _rejections(desk, waiting.request_id) == ["code expired"]
    assert waiting.task_token in workflow.waiting


def test_a_code_for_one_request_does_not_verify_another(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    second = _verifying(desk, workflow, email="grace@example.org")
    second_code = _code(outbox, second.request_id)
    while (first_code := _code(outbox, first.request_id)) == second_code:  # one in a million
        verification.issue_new_code(desk, first.request_id)

    assert _try(desk, clock, second.request_id, first_code) is VerificationOutcome.REJECTED
    assert _rejections(desk, second.request_id) == ["wrong code"]
    assert workflow.resumed == {}


def test_an_unknown_request_gets_the_same_refusal_and_no_trail(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)

    known = _try(desk, clock, waiting.request_id, _wrong(_code(outbox, waiting.request_id)))
    unknown = _try(desk, clock, UNKNOWN_ID, _code(outbox, waiting.request_id))

    assert known is unknown is VerificationOutcome.REJECTED
    assert desk.store.find(UNKNOWN_ID) is None
    assert desk.store.events(UNKNOWN_ID) == []


def test_a_retried_start_waits_on_the_newest_token_and_only_the_newest_code_works(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    first = _verifying(desk, workflow)
    first_code = _code(outbox, first.request_id)
    retried_token = workflow.hand_out_token()  # the state machine retried the task: a new token
    verification.begin(desk, first.request_id, retried_token)
    while (second_code := _code(outbox, first.request_id)) == first_code:  # one in a million
        verification.issue_new_code(desk, first.request_id)

    assert _try(desk, clock, first.request_id, first_code) is VerificationOutcome.REJECTED
    assert _try(desk, clock, first.request_id, second_code) is VerificationOutcome.VERIFIED
    assert list(workflow.resumed) == [retried_token]


# --- new codes and the request's lifetime attempts -----------------------------------------------


def test_a_new_code_replaces_the_old_one_with_fresh_tries(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    first = _code(outbox, waiting.request_id)
    for _ in range(verification.MAX_ATTEMPTS):
        _try(desk, clock, waiting.request_id, _wrong(first))

    assert verification.issue_new_code(desk, waiting.request_id) is True
    fresh = _code(outbox, waiting.request_id)

    assert len([m for m in outbox.to(ADA) if "verification code" in m.subject]) == 2
    assert _events(desk, waiting.request_id, "new verification code") == [("subject", "sent")]
    if fresh != first:
        assert _try(desk, clock, waiting.request_id, first) is VerificationOutcome.REJECTED
    assert _try(desk, clock, waiting.request_id, fresh) is VerificationOutcome.VERIFIED


def test_no_new_code_is_sent_once_the_request_is_verified(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    _try(desk, clock, waiting.request_id, _code(outbox, waiting.request_id))
    sent = len(outbox.sent)

    assert verification.issue_new_code(desk, waiting.request_id) is False
    assert verification.issue_new_code(desk, UNKNOWN_ID) is False
    assert len(outbox.sent) == sent


def test_a_new_code_is_refused_when_the_mailbox_has_had_its_days_share_and_the_old_code_still_works(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    code = _code(outbox, waiting.request_id)
    while admit_mail(desk, ADA):  # someone has had the desk mail this mailbox all day
        pass
    sent = len(outbox.sent)

    with pytest.raises(TooManyAttemptsError) as refused:
        verification.issue_new_code(desk, waiting.request_id)

    assert refused.value.retry_after_seconds == MAILS_PER_RECIPIENT.window_seconds
    assert len(outbox.sent) == sent
    assert ("rate limit", "email withheld") in _events(desk, waiting.request_id, MAILS_PER_RECIPIENT.name)
    assert _try(desk, clock, waiting.request_id, code) is VerificationOutcome.VERIFIED


def test_a_code_is_withheld_when_the_mailbox_has_had_its_days_share(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    receipt = submit(desk, _new_request(country="GB"), Channel.WEB)
    while admit_mail(desk, ADA):
        pass

    verification.begin(desk, receipt.request_id, workflow.hand_out_token())

    assert not [m for m in outbox.to(ADA) if "verification code" in m.subject]
    assert desk.store.get(receipt.request_id).status is Status.VERIFYING  # a code may be asked for later
    assert ("rate limit", "email withheld") in _events(desk, receipt.request_id, MAILS_PER_RECIPIENT.name)


def test_a_request_allows_a_fixed_number_of_wrong_codes_over_its_life_then_closes(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    answers = []
    for round_number in range(verification.MAX_LIFETIME_ATTEMPTS // verification.MAX_ATTEMPTS):
        if round_number:
            assert verification.issue_new_code(desk, waiting.request_id)
        code = _code(outbox, waiting.request_id)
        answers += [
            _try(desk, clock, waiting.request_id, _wrong(code)) for _ in range(verification.MAX_ATTEMPTS)
        ]

    assert answers == [VerificationOutcome.REJECTED] * verification.MAX_LIFETIME_ATTEMPTS
    assert workflow.failed[waiting.task_token] == (verification.FAILED, verification.LIFETIME_ATTEMPTS_USED)
    assert _events(desk, waiting.request_id, "verification ended") == [("workflow", verification.FAILED)]
    # Closed: no new code, and the last code no longer works
    assert verification.issue_new_code(desk, waiting.request_id) is False
    assert _try(desk, clock, waiting.request_id, code) is VerificationOutcome.REJECTED


# --- the window ---------------------------------------------------------------------------------


def test_the_window_closes_by_the_desks_clock_once(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    window = timedelta(seconds=desk.settings.verification_window_seconds)

    clock.advance(window - timedelta(minutes=1))
    assert verification.expire_windows(desk) == 0
    assert waiting.task_token in workflow.waiting
    clock.advance(timedelta(minutes=2))
    closed = verification.expire_windows(desk)
    again = verification.expire_windows(desk)

    assert (closed, again) == (1, 0)
    assert workflow.failed[waiting.task_token] == (
        verification.WINDOW_CLOSED,
        "the verification window ended",
    )
    assert _events(desk, waiting.request_id, "verification ended") == [
        ("workflow", verification.WINDOW_CLOSED)
    ]


def test_a_verified_request_is_let_go_of_when_its_window_ends(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    _try(desk, clock, waiting.request_id, _code(outbox, waiting.request_id))

    clock.advance(timedelta(seconds=desk.settings.verification_window_seconds + 60))

    assert verification.expire_windows(desk) == 0
    assert workflow.failed == {}
    assert _events(desk, waiting.request_id, "verification ended") == []


def test_a_request_closed_meanwhile_is_let_go_of_when_its_window_ends(
    desk: DeskInMemory, workflow: RecordedWorkflow, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    desk.store.transition(waiting.request_id, [Status.VERIFYING], Status.CANCELLED)

    clock.advance(timedelta(seconds=desk.settings.verification_window_seconds + 60))

    assert verification.expire_windows(desk) == 0
    assert workflow.failed == {}
    assert _events(desk, waiting.request_id, "verification ended") == []


def test_only_one_of_two_closers_ends_the_wait(desk: DeskInMemory, workflow: RecordedWorkflow) -> None:
    waiting = _verifying(desk, workflow)

    first = verification.close_window(desk, waiting.request_id, verification.WINDOW_CLOSED, "ended")
    second = verification.close_window(desk, waiting.request_id, verification.FAILED, "too many")

    assert (first, second) == (True, False)
    assert workflow.failed == {waiting.task_token: (verification.WINDOW_CLOSED, "ended")}


def test_a_code_sent_after_the_window_closed_is_refused(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow)
    code = _code(outbox, waiting.request_id)
    verification.close_window(desk, waiting.request_id, verification.WINDOW_CLOSED, "ended")

    assert _try(desk, clock, waiting.request_id, code) is VerificationOutcome.REJECTED
    assert _rejections(desk, waiting.request_id) == ["already used"]
    assert workflow.resumed == {}


# --- details we hold (the matched level) ---------------------------------------------------------


@pytest.mark.usefixtures("accounts")
def test_the_matched_level_asks_for_details_and_a_right_code_without_them_is_told_apart(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow, GRACE, ("access",), country="US", region="CA")
    code = _code(outbox, waiting.request_id)
    [mail] = [m for m in outbox.to(GRACE) if "verification code" in m.subject]
    assert "we also need 2 of these details" in mail.body
    assert all(point.label in mail.body for point in load_policy().data_points.points.values())

    missing = _try(desk, clock, waiting.request_id, code)
    blank = _try(desk, clock, waiting.request_id, code, phone=" ", postal_code="")

    assert missing is blank is VerificationOutcome.DETAILS_MISSING
    assert _rejections(desk, waiting.request_id) == ["the code was right; no data points were given"] * 2
    assert waiting.task_token in workflow.waiting


@pytest.mark.usefixtures("accounts")
def test_the_matched_level_needs_two_details_as_we_hold_them_however_they_are_written(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow, GRACE, ("access",), country="US", region="CA")
    code = _code(outbox, waiting.request_id)

    only_one = _try(desk, clock, waiting.request_id, code, phone="202-555-0143", postal_code="94107")
    both = _try(desk, clock, waiting.request_id, code, **GRACE_DETAILS)

    assert (only_one, both) == (VerificationOutcome.DETAILS_MISMATCHED, VerificationOutcome.VERIFIED)
    assert _rejections(desk, waiting.request_id) == ["data points did not match (1 of 2)"]
    assert workflow.resumed[waiting.task_token] == {"verified": True, "level": "matched"}


@pytest.mark.usefixtures("accounts")
def test_a_wrong_code_with_the_right_details_is_just_a_wrong_code(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow, GRACE, ("access",), country="US", region="CA")

    outcome = _try(
        desk, clock, waiting.request_id, _wrong(_code(outbox, waiting.request_id)), **GRACE_DETAILS
    )

    assert outcome is VerificationOutcome.REJECTED  # nothing says the details were right
    assert _rejections(desk, waiting.request_id) == ["wrong code"]


@pytest.mark.usefixtures("accounts")
def test_three_wrong_sets_of_details_close_the_request_as_unverifiable(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow, GRACE, ("access",), country="US", region="CA")
    code = _code(outbox, waiting.request_id)

    answers = [
        _try(desk, clock, waiting.request_id, code, phone="+14155550100", postal_code="10001")
        for _ in range(verification.MAX_DATA_POINT_FAILURES)
    ]

    assert answers == [VerificationOutcome.DETAILS_MISMATCHED] * verification.MAX_DATA_POINT_FAILURES
    assert workflow.failed[waiting.task_token] == (
        verification.FAILED,
        "the data points did not match, too many times",
    )
    assert _try(desk, clock, waiting.request_id, code, **GRACE_DETAILS) is VerificationOutcome.REJECTED


@pytest.mark.usefixtures("accounts")
def test_the_requests_last_attempt_closes_it_even_when_the_code_was_right_but_the_details_not(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow, GRACE, ("access",), country="US", region="CA")
    for _ in range(verification.MAX_LIFETIME_ATTEMPTS // verification.MAX_ATTEMPTS - 1):
        for _ in range(verification.MAX_ATTEMPTS):
            _try(desk, clock, waiting.request_id, _wrong(_code(outbox, waiting.request_id)))
        assert verification.issue_new_code(desk, waiting.request_id)
    code = _code(outbox, waiting.request_id)
    for _ in range(verification.MAX_ATTEMPTS - 1):
        _try(desk, clock, waiting.request_id, _wrong(code))

    last = _try(desk, clock, waiting.request_id, code)  # the request's last attempt: no details

    assert last is VerificationOutcome.DETAILS_MISSING
    # No attempt is left that could ever verify it: it closes now, and the subject may file again
    assert workflow.failed[waiting.task_token] == (verification.FAILED, verification.LIFETIME_ATTEMPTS_USED)
    assert verification.issue_new_code(desk, waiting.request_id) is False


@pytest.mark.usefixtures("accounts")
def test_the_field_being_corrected_is_never_used_to_verify(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(
        desk,
        workflow,
        GRACE,
        ("rectification",),
        country="US",
        region="CA",
        corrections=[{"field": "phone", "corrected_value": "+12025550199"}],
    )
    code = _code(outbox, waiting.request_id)

    # The phone number is right, but it is the field being corrected: one detail of two
    with_phone = _try(desk, clock, waiting.request_id, code, phone="+12025550143", postal_code="94105")
    without_phone = _try(
        desk, clock, waiting.request_id, code, postal_code="94105", last_invoice_amount="129.5"
    )

    assert (with_phone, without_phone) == (
        VerificationOutcome.DETAILS_MISMATCHED,
        VerificationOutcome.VERIFIED,
    )


def test_the_field_being_corrected_is_not_offered_as_a_detail_to_verify_with(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    waiting = _verifying(
        desk,
        workflow,
        GRACE,
        ("rectification",),
        country="US",
        region="CA",
        corrections=[{"field": "phone", "corrected_value": "+12025550199"}],
    )
    points = load_policy().data_points.points

    [mail] = [m for m in outbox.to(GRACE) if "verification code" in m.subject]
    page = subject_actions.status_for_holder(desk, waiting.request_id, status_token(desk, waiting.request_id))
    wanted = subject_actions.details_wanted(desk, waiting.request_id)

    assert points["phone"].label not in mail.body
    assert all(points[name].label in mail.body for name in ("postal_code", "last_invoice_amount"))
    assert "phone" not in dict(page.details_asked) and "postal_code" in dict(page.details_asked)
    assert "phone" not in dict(wanted.details) and wanted.needed == 2


@pytest.mark.usefixtures("accounts")
def test_without_the_products_login_an_account_holder_matches_details_instead(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(
        desk,
        workflow,
        GRACE,
        ("erasure",),
        country="US",
        region="CA",
        relationship="account_holder",
        subject={"email": GRACE, "account_id": "acct-1002"},
    )

    assert "we also need 3 of these details" in outbox.to(GRACE)[-1].body  # account data: three
    outcome = _try(
        desk,
        clock,
        waiting.request_id,
        _code(outbox, waiting.request_id),
        **GRACE_DETAILS,
        last_invoice_amount="$129.50",
    )
    assert outcome is VerificationOutcome.VERIFIED


@pytest.mark.parametrize(
    ("compare", "given", "held"),
    [
        ("phone", "(202) 555-0143", "+12025550143"),
        ("postal_code", "sw1a-1aa", "SW1A 1AA"),
        ("amount", "$12,50", "12.50"),
        ("amount", "1,299.00", "1299"),
        ("month", "March 2024", "2024-03"),
        ("month", "03/2024", "2024-03"),
        ("exact", "  Ada   LOVELACE ", "ada lovelace"),
    ],
)
def test_a_detail_matches_however_a_person_writes_it(compare: str, given: str, held: str) -> None:
    assert normalized(given, compare, "US") == normalized(held, compare, "US")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("compare", "given", "held"),
    [
        ("phone", "555-0143", "+12025550143"),  # a partial number
        ("postal_code", "941", "94105"),
        ("amount", "129", "129.50"),
        ("month", "2024-13", "2024-12"),
        ("exact", "Ada", "Ada Lovelace"),
    ],
)
def test_a_partial_or_unreadable_detail_never_matches(compare: str, given: str, held: str) -> None:
    assert normalized(given, compare, "US") != normalized(held, compare, "US")  # type: ignore[arg-type]


def test_a_number_given_without_its_country_is_read_in_the_country_of_the_one_we_hold() -> None:
    source = load_policy().data_points

    british = count_matches({"phone": "020 7123 4567"}, {"phone": "+442071234567"}, source, excluded=set())
    corrected = excluded_points([], source) | {"phone"}
    excluded = count_matches(
        {"phone": "+442071234567"}, {"phone": "+442071234567"}, source, excluded=corrected
    )

    assert (british, excluded) == (1, 0)


# --- the product's sign-in (account holders) -----------------------------------------------------


def test_an_account_holder_signs_in_and_an_assertion_works_once(
    desk: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    product_login: DemoProductLogin,
) -> None:
    waiting = _verifying(
        desk,
        workflow,
        GRACE,
        ("erasure",),
        country="US",
        region="CA",
        relationship="account_holder",
        subject={"email": GRACE, "account_id": "acct-1002"},
    )
    [mail] = outbox.to(GRACE)[-1:]
    assert "Sign in" in mail.subject and f"request_id={waiting.request_id}" in mail.body
    assert not CODE_IN_MAIL.search(mail.body)
    other = product_login.assertion_for(waiting.request_id, "acct-1001", GRACE, clock.now())
    assertion = product_login.assertion_for(waiting.request_id, "acct-1002", GRACE, clock.now())

    wrong = verification.submit_assertion(desk, waiting.request_id, other)
    clock.advance(timedelta(seconds=1))
    right = verification.submit_assertion(desk, waiting.request_id, assertion)
    clock.advance(timedelta(seconds=1))
    replay = verification.submit_assertion(desk, waiting.request_id, assertion)

    assert (wrong, right, replay) == (
        VerificationOutcome.REJECTED,
        VerificationOutcome.VERIFIED,
        VerificationOutcome.REJECTED,
    )
    assert workflow.resumed[waiting.task_token] == {"verified": True, "level": "account"}
    assert _rejections(desk, waiting.request_id) == ["assertion for another account", "already used"]


def test_an_assertion_for_another_request_or_expired_is_refused(
    desk: DeskInMemory,
    workflow: RecordedWorkflow,
    clock: StoppedClock,
    product_login: DemoProductLogin,
) -> None:
    account = {"relationship": "account_holder", "subject": {"email": GRACE, "account_id": "acct-1002"}}
    waiting = _verifying(desk, workflow, GRACE, ("erasure",), country="US", region="CA", **account)
    for_another = product_login.assertion_for(UNKNOWN_ID, "acct-1002", GRACE, clock.now())
    stale = product_login.assertion_for(waiting.request_id, "acct-1002", GRACE, clock.now())

    assert (
        verification.submit_assertion(desk, waiting.request_id, for_another) is VerificationOutcome.REJECTED
    )
    clock.advance(timedelta(hours=1))
    assert verification.submit_assertion(desk, waiting.request_id, stale) is VerificationOutcome.REJECTED
    assert (
        verification.submit_assertion(desk, waiting.request_id, "not-an-assertion")
        is VerificationOutcome.REJECTED
    )

    reasons = _rejections(desk, waiting.request_id)
    assert len(reasons) == 3 and all(reason.startswith("assertion refused") for reason in reasons)
    assert workflow.resumed == {}


def test_an_account_holders_request_takes_no_code_and_a_code_request_takes_no_assertion(
    desk: DeskInMemory,
    workflow: RecordedWorkflow,
    outbox: RecordedMailer,
    clock: StoppedClock,
    product_login: DemoProductLogin,
) -> None:
    account = {"relationship": "account_holder", "subject": {"email": GRACE, "account_id": "acct-1002"}}
    signing_in = _verifying(desk, workflow, GRACE, ("erasure",), country="US", region="CA", **account)
    with_code = _verifying(desk, workflow)
    assertion = product_login.assertion_for(with_code.request_id, "acct-1002", GRACE, clock.now())

    assert _try(desk, clock, signing_in.request_id, "123456") is VerificationOutcome.REJECTED
    assert verification.issue_new_code(desk, signing_in.request_id) is False
    assert (
        verification.submit_assertion(desk, with_code.request_id, assertion) is VerificationOutcome.REJECTED
    )
    assert _rejections(desk, signing_in.request_id) == ["no code was issued for this request"]
    assert _rejections(desk, with_code.request_id) == ["this request is not verified by signing in"]


# --- agents ---------------------------------------------------------------------------------------


def _agent(power_of_attorney: bool) -> dict[str, object]:
    return {
        "name": "Pat Agent",
        "email": "pat@agents.example",
        "permission_document": base64.b64encode(b"%PDF signed permission").decode(),
        "power_of_attorney": power_of_attorney,
    }


def test_an_agent_without_power_of_attorney_needs_the_subject_to_confirm(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    waiting = _verifying(desk, workflow, agent=_agent(power_of_attorney=False))

    assert [m.to for m in outbox.sent if "verification code" in m.subject] == [ADA]  # never the agent
    requested = next(e for e in desk.store.events(waiting.request_id) if e.action == "verification requested")
    assert requested.detail["path"] == "subject confirms directly"
    assert verification.confirm_power_of_attorney(desk, waiting.request_id, "approver@desk.example") is False
    assert waiting.task_token in workflow.waiting


def test_a_power_of_attorney_is_confirmed_by_staff_once_and_no_code_is_sent(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    waiting = _verifying(desk, workflow, agent=_agent(power_of_attorney=True))
    assert not [m for m in outbox.sent if "verification code" in m.subject]
    assert _events(desk, waiting.request_id, "verification requested") == [
        ("workflow", "waiting for staff to confirm the power of attorney")
    ]

    confirmed = verification.confirm_power_of_attorney(desk, waiting.request_id, "approver@desk.example")
    again = verification.confirm_power_of_attorney(desk, waiting.request_id, "approver@desk.example")

    assert (confirmed, again) == (True, False)
    assert workflow.resumed[waiting.task_token] == {"verified": True, "level": "power_of_attorney"}
    assert _events(desk, waiting.request_id, "power of attorney confirmed") == [
        ("staff:approver@desk.example", "verified")
    ]


# --- the legal clock once the subject is identified ----------------------------------------------


def test_californias_clock_keeps_running_while_the_subject_verifies(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    # A company that takes objections from everyone: California's law gives none.
    desk.settings = desk.settings.model_copy(update={"rights_offered_everywhere": "all"})
    waiting = _verifying(desk, workflow, GRACE, country="US", region="CA")
    due_before = desk.store.get(waiting.request_id).respond_by
    clock.advance(timedelta(days=3))
    assert verification.issue_new_code(desk, waiting.request_id)

    _try(desk, clock, waiting.request_id, _code(outbox, waiting.request_id))

    assert desk.store.get(waiting.request_id).respond_by == due_before
    assert _events(desk, waiting.request_id, "legal clock") == [("policy", "kept running while verifying")]


def test_the_uk_month_restarts_on_the_day_of_identification(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    waiting = _verifying(desk, workflow, country="GB")
    due_before = desk.store.get(waiting.request_id).respond_by
    clock.advance(timedelta(days=3))  # Thursday 5 March 2026: one month on is Monday 6 April (Easter)
    assert verification.issue_new_code(desk, waiting.request_id)

    _try(desk, clock, waiting.request_id, _code(outbox, waiting.request_id))

    restarted = desk.store.get(waiting.request_id)
    expected = deadlines_for(
        "UK", restarted.request_types, restarted.received_at, clock_started_at=clock.now()
    )
    assert restarted.respond_by == expected.respond_by > due_before
    assert _events(desk, waiting.request_id, "legal clock") == [("policy", "restarted on identification")]
    [watched] = desk.store.open_requests_due_before(expected.watch_at + timedelta(seconds=1))
    assert watched["due_at"] == expected.watch_at.isoformat()  # reminders follow the new date
