"""What the subject may see of their own request: the status and the next step, nothing more."""

from __future__ import annotations

from pydantic import BaseModel

from dsr.models import PrivacyRequest, Status

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
}


class SubjectView(BaseModel):
    request_id: str
    status: Status
    next_step: str
    request_types: list[str]
    received_on: str
    respond_by: str


def subject_view(request: PrivacyRequest) -> SubjectView:
    return SubjectView(
        request_id=request.request_id,
        status=request.status,
        next_step=NEXT_STEPS[request.status],
        request_types=[t.value for t in request.request_types],
        received_on=request.received_at.date().isoformat(),
        respond_by=request.respond_by.date().isoformat(),
    )
