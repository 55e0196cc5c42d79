"""What the subject may see of their own request: the status and the next step, nothing more."""

from datetime import datetime

from pydantic import Field

from dsr.core.catalogs import N_
from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest, Status
from dsr.policies.appeal_rules import Appeal, AppealStatus, appeal_open_until
from dsr.policies.gpc_header import HONORED
from dsr.policies.proofs import CODE_PROOFS, Proof
from dsr.policies.request_deadlines import local_day

NEXT_STEPS: dict[Status, str] = {
    Status.RECEIVED: N_("We are emailing you a code to confirm your email address."),
    Status.VERIFYING: N_("Enter the code we emailed you to confirm your email address."),
    Status.AWAITING_APPROVAL: N_("Our privacy team is reviewing your request."),
    Status.IN_PROGRESS: N_("We are carrying out your request in every system that holds your data."),
    Status.COMPLETED: N_("Your request is complete. We have emailed you the result."),
    Status.PARTIALLY_COMPLETED: N_("Part of your request is complete; our team is finishing the rest."),
    Status.DENIED: N_("We could not carry out your request. We have emailed you the reason."),
    Status.UNVERIFIABLE: N_("We could not confirm your email address. You may make a new request."),
    Status.FAILED: N_("Something went wrong on our side; our team has been alerted and will follow up."),
    Status.LINKED: N_(
        "You already have an open request for the same thing, so we have joined this one to it and "
        "will answer both together; we have emailed you about it."
    ),
    Status.CANCELLED: N_("We closed this request without acting on it; we have emailed you why."),
}
"""The next step at each status: every status has one (a test walks them all). Each is the
message id of its translations (``dsr.core.catalogs``), as the status page shows it."""
PACKAGE_BEING_PREPARED = N_(
    "Your copy is being prepared: we are checking it before you can download it. We will email you "
    "as soon as it is ready."
)
"""While a reviewer reads the access package before its release (``dsr.fulfilment.package_review``)."""
LINKED_WITH_REFERENCE = N_(
    "You already have an open request for the same thing (reference %(reference)s), so we have "
    "joined this one to it and will answer both together; we have emailed you about it."
)
"""The next step of a joined request that names the request answering it."""

ANSWERED = frozenset({Status.COMPLETED, Status.DENIED, Status.UNVERIFIABLE, Status.LINKED, Status.CANCELLED})
"""Closed with our answer given: the page says when, not a date we will respond by. (A request
partly completed or held up by a failure is still being worked on.)"""


WAITING_FOR_PROOF = {
    Proof.CODE_AND_DETAILS: N_(
        "Enter the code we emailed you and the details we ask for below, to confirm it is you."
    ),
    Proof.SIGN_IN: N_(
        "Sign in to your account with the link we emailed you, to confirm the request is yours."
    ),
    Proof.POWER_OF_ATTORNEY: N_("Our privacy team is checking the power of attorney your agent sent."),
    Proof.NONE: N_("We have your request; our privacy team will review it next."),
}
"""The next step while a request waits for its proof, when the proof is not the emailed code alone."""


APPEAL_NEXT_STEPS = {
    AppealStatus.OPEN: N_("We have your appeal; someone who did not take the decision is looking again."),
    AppealStatus.UPHELD: N_("We answered your appeal: our decision stands. We have emailed you the reasons."),
    AppealStatus.REVERSED: N_(
        "We answered your appeal: we changed our decision and are doing what you asked."
    ),
}


class AppealView(DeskModel):
    status: AppealStatus
    next_step: str
    received_on: str
    answer_by: str


class SubjectView(DeskModel):
    request_id: str
    status: Status
    next_step: str
    request_types: list[str]
    received_on: str
    respond_by: str
    closed_on: str | None = Field(
        default=None,
        description="the day we closed the request with our answer; absent while it is worked on",
    )
    linked_to: str | None = Field(
        default=None, description="when LINKED: the reference of the open request that answers this one"
    )
    can_appeal_until: str | None = Field(
        default=None, description="the last day this decision may be appealed; absent when it cannot be"
    )
    appeal: AppealView | None = None
    preference_signal: str | None = Field(
        default=None,
        description="'Opt-Out Preference Signal Honored' when the request came with the browser's "
        "Global Privacy Control signal (11 CCR 7025(c)(6))",
    )


def shows_code_form(request: PrivacyRequest, proof: Proof) -> bool:
    """The status page offers the code form from the moment a request is received (the code may
    arrive before the page is next loaded) until it leaves verification, when the proof is a code."""
    return proof in CODE_PROOFS and request.status in (Status.RECEIVED, Status.VERIFYING)


def next_step(request: PrivacyRequest, proof: Proof = Proof.CODE) -> str:
    if request.status in (Status.RECEIVED, Status.VERIFYING) and proof is not Proof.CODE:
        return WAITING_FOR_PROOF[proof]
    if request.status is Status.LINKED and request.linked_to:
        return LINKED_WITH_REFERENCE % {"reference": request.linked_to}
    if request.status is Status.IN_PROGRESS and request.package_held_at and not request.package_key:
        return PACKAGE_BEING_PREPARED
    return NEXT_STEPS[request.status]


def subject_view(
    request: PrivacyRequest,
    appeal: Appeal | None = None,
    now: datetime | None = None,
    *,
    proof: Proof = Proof.CODE,
) -> SubjectView:
    """The subject's view; ``appeal`` is the request's appeal if there is one, ``now`` (when given)
    decides whether the appeal window is still open, ``proof`` what the request waits for before
    review."""
    until = appeal_open_until(request) if appeal is None else None
    if until is not None and now is not None and now > until:
        until = None
    closed_at = request.closed_at if request.status in ANSWERED else None
    return SubjectView(
        request_id=request.request_id,
        status=request.status,
        next_step=next_step(request, proof),
        request_types=[t.value for t in request.request_types],
        received_on=local_day(request.jurisdiction, request.received_at).isoformat(),
        respond_by=local_day(request.jurisdiction, request.respond_by).isoformat(),
        closed_on=local_day(request.jurisdiction, closed_at).isoformat() if closed_at else None,
        linked_to=request.linked_to if request.status is Status.LINKED else None,
        can_appeal_until=local_day(request.jurisdiction, until).isoformat() if until else None,
        appeal=AppealView(
            status=appeal.status,
            next_step=APPEAL_NEXT_STEPS[appeal.status],
            received_on=local_day(request.jurisdiction, appeal.received_at).isoformat(),
            answer_by=local_day(request.jurisdiction, appeal.respond_by).isoformat(),
        )
        if appeal is not None
        else None,
        preference_signal=HONORED if request.global_privacy_control else None,
    )
