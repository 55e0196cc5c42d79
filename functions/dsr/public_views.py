"""What the subject may see of their own request: the status and the next step, nothing more."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from dsr.appeal_rules import Appeal, AppealStatus, appeal_open_until
from dsr.models import PrivacyRequest, Status
from dsr.request_deadlines import local_day

NEXT_STEPS = {
    Status.RECEIVED: "We are preparing to confirm your email address.",
    Status.VERIFYING: "Enter the code we emailed you to confirm your email address.",
    Status.AWAITING_APPROVAL: "Our privacy team is reviewing your request.",
    Status.IN_PROGRESS: "We are carrying out your request in every system that holds your data.",
    Status.COMPLETED: "Your request is complete. We have emailed you the result.",
    Status.PARTIALLY_COMPLETED: "Part of your request is complete; our team is finishing the rest.",
    Status.DENIED: "We could not carry out your request. We have emailed you the reason.",
    Status.UNVERIFIABLE: "We could not confirm your email address. You may make a new request.",
    Status.FAILED: "Something went wrong on our side; our team has been alerted and will follow up.",
    Status.CANCELLED: "We closed this request without acting on it; we have emailed you why.",
}


APPEAL_NEXT_STEPS = {
    AppealStatus.OPEN: "We have your appeal; someone who did not take the decision is looking again.",
    AppealStatus.UPHELD: "We answered your appeal: our decision stands. We have emailed you the reasons.",
    AppealStatus.REVERSED: "We answered your appeal: we changed our decision and are doing what you asked.",
}


class AppealView(BaseModel):
    status: AppealStatus
    next_step: str
    received_on: str
    answer_by: str


class SubjectView(BaseModel):
    request_id: str
    status: Status
    next_step: str
    request_types: list[str]
    received_on: str
    respond_by: str
    can_appeal_until: str | None = Field(
        default=None, description="the last day this decision may be appealed; absent when it cannot be"
    )
    appeal: AppealView | None = None


def subject_view(
    request: PrivacyRequest, appeal: Appeal | None = None, now: datetime | None = None
) -> SubjectView:
    """The subject's view; ``appeal`` is the request's appeal if there is one, ``now`` (when given)
    decides whether the appeal window is still open."""
    until = appeal_open_until(request) if appeal is None else None
    if until is not None and now is not None and now > until:
        until = None
    return SubjectView(
        request_id=request.request_id,
        status=request.status,
        next_step=NEXT_STEPS[request.status],
        request_types=[t.value for t in request.request_types],
        received_on=local_day(request.jurisdiction, request.received_at).isoformat(),
        respond_by=local_day(request.jurisdiction, request.respond_by).isoformat(),
        can_appeal_until=local_day(request.jurisdiction, until).isoformat() if until else None,
        appeal=AppealView(
            status=appeal.status,
            next_step=APPEAL_NEXT_STEPS[appeal.status],
            received_on=local_day(request.jurisdiction, appeal.received_at).isoformat(),
            answer_by=local_day(request.jurisdiction, appeal.respond_by).isoformat(),
        )
        if appeal is not None
        else None,
    )
