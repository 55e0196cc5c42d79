"""Taking a request in: record it first, then start exactly one execution named by its id."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime, timedelta

from aws_lambda_powertools import Logger
from pydantic import BaseModel

from dsr import notices
from dsr.desk import Desk
from dsr.keyed_hash import normalized_email
from dsr.masking import mask_email
from dsr.models import Channel, NewRequest, PrivacyRequest, Status
from dsr.store import AlreadyExistsError

logger = Logger(child=True)


class Receipt(BaseModel):
    request_id: str
    status: Status
    respond_by: datetime
    status_token: str


def respond_by(received_at: datetime, desk: Desk) -> datetime:
    return received_at + timedelta(days=desk.settings.response_days)


def submit(desk: Desk, new_request: NewRequest, channel: Channel, request_id: str | None = None) -> Receipt:
    """Record the request, then start its execution.

    A caller that can be redelivered (email) passes an id derived from what it received, so the
    second delivery finds the first request instead of making another.
    """
    received_at = desk.now()
    request = PrivacyRequest(
        request_id=request_id or str(uuid.uuid4()),
        request_types=list(dict.fromkeys(new_request.request_types)),
        subject=new_request.subject,
        relationship=new_request.relationship,
        jurisdiction=new_request.jurisdiction,
        channel=channel,
        status=Status.RECEIVED,
        received_at=received_at,
        respond_by=respond_by(received_at, desk),
        details=new_request.details,
    )
    subject_hash = desk.hasher.digest(normalized_email(str(request.subject.email)))
    try:
        desk.store.create(request, subject_hash)
    except AlreadyExistsError:
        existing = desk.store.get(request.request_id)
        logger.info("redelivered submission", request_id=existing.request_id)
        return Receipt(
            request_id=existing.request_id,
            status=existing.status,
            respond_by=existing.respond_by,
            status_token=status_token(desk, existing.request_id),
        )
    desk.audit(
        request.request_id,
        actor=f"subject via {channel.value}",
        action="request received",
        outcome="recorded",
        types=",".join(request.request_types),
    )
    logger.info(
        "request recorded",
        request_id=request.request_id,
        subject=mask_email(str(request.subject.email)),
        channel=channel.value,
    )
    start_workflow(desk, request.request_id)
    return Receipt(
        request_id=request.request_id,
        status=request.status,
        respond_by=request.respond_by,
        status_token=status_token(desk, request.request_id),
    )


def workflow_input(desk: Desk, request_id: str) -> dict[str, object]:
    """The execution's input: the id and the waiting windows, nothing personal."""
    return {
        "request_id": request_id,
        "timeouts": {
            "verification_seconds": desk.settings.verification_window_seconds,
            "review_seconds": desk.settings.review_window_seconds,
        },
    }


def start_workflow(desk: Desk, request_id: str) -> bool:
    """Start the request's execution. A failure leaves the request RECEIVED for the reconciler."""
    try:
        started = desk.workflow.start(request_id, workflow_input(desk, request_id))
    except Exception:
        logger.exception("could not start the workflow; the reconciler will retry", request_id=request_id)
        desk.audit(request_id, "intake", "start workflow", "deferred to the reconciler")
        return False
    if started:
        desk.audit(request_id, "intake", "start workflow", "started")
    desk.store.claim_once(request_id, "workflow_started_at", desk.now())
    return started


def status_token(desk: Desk, request_id: str) -> str:
    """The subject's key to the status page: a keyed hash of the id, so it can be re-derived
    for any later email and nothing secret is stored beside the request."""
    digest = desk.hasher.digest(f"status:{request_id}")
    return base64.urlsafe_b64encode(base64.b64decode(digest)).decode().rstrip("=")


def status_token_matches(desk: Desk, request_id: str, token: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return False
    return desk.hasher.matches(f"status:{request_id}", base64.b64encode(raw).decode())


def acknowledge(desk: Desk, request_id: str) -> bool:
    """Send the acknowledgement once: reference, what happens next, due date, status link."""
    request = desk.store.get(request_id)
    if request.acknowledged_at is not None:
        return False
    notice = notices.acknowledgement(request, desk.status_url(request_id, status_token(desk, request_id)))
    desk.mailer.send(str(request.subject.email), notice.subject, notice.body, request_id)
    desk.store.claim_once(request_id, "acknowledged_at", desk.now())
    desk.audit(request_id, "workflow", "acknowledge", "acknowledgement sent")
    return True
