"""Requests written to the privacy address: read the raw message, decide what it asks, or triage it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from enum import StrEnum
from html.parser import HTMLParser

from aws_lambda_powertools import Logger
from pydantic import BaseModel, ValidationError

from dsr import intake
from dsr.desk import Desk
from dsr.masking import mask_email
from dsr.models import Channel, NewRequest, RequestType, SubjectIdentity

logger = Logger(child=True)

EMAIL_NAMESPACE = uuid.UUID("4f7a1f0e-2c1b-4f7e-9a52-8f1f5f0c2a11")

KEYWORDS: dict[RequestType, tuple[str, ...]] = {
    RequestType.ERASURE: (
        "delete",
        "erase",
        "erasure",
        "remove my",
        "forget me",
        "right to be forgotten",
    ),
    RequestType.ACCESS: (
        "access",
        "copy of my",
        "what data",
        "what personal",
        "subject access",
        "dsar",
    ),
    RequestType.RECTIFICATION: ("correct", "rectif", "inaccurate", "out of date"),
    RequestType.PORTABILITY: ("portab", "machine-readable", "transfer my data"),
    RequestType.RESTRICTION: ("restrict",),
    RequestType.OBJECTION: ("object to", "objection", "stop processing", "legitimate interest"),
    RequestType.MARKETING_OPT_OUT: (
        "unsubscribe",
        "opt out",
        "opt-out",
        "stop sending",
        "no more marketing",
    ),
}


class Disposition(StrEnum):
    REQUEST = "request"
    QUARANTINED = "quarantined"
    IGNORED_AUTOMATIC = "ignored_automatic"
    TRIAGE = "triage"


class EmailOutcome(BaseModel):
    disposition: Disposition
    request_id: str | None = None
    triage_id: str | None = None
    reason: str | None = None


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def failed_verdicts(receipt_verdicts: Mapping[str, str]) -> list[str]:
    """SES verdicts that mean the sender cannot be trusted: spam, virus, SPF, DKIM, DMARC."""
    return sorted(name for name, status in receipt_verdicts.items() if status.upper() == "FAIL")


def automatic_mail_reason(message: EmailMessage) -> str | None:
    """Auto-replies, bounces and list mail are recorded and never answered, so no mail loops."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "list", "junk"}:
        return f"Precedence: {precedence}"
    if message.get("List-Id"):
        return "mailing list (List-Id)"
    if str(message.get("Return-Path", "x")).strip() in {"<>", ""}:
        return "empty Return-Path (a bounce)"
    if message.get_content_type() == "multipart/report":
        return "delivery status report"
    return None


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        reader = _TextOfHtml()
        reader.feed(str(content))
        content = " ".join(reader.parts)
    return str(content)


def requested_types(subject: str, body: str) -> list[RequestType]:
    text = re.sub(r"\s+", " ", f"{subject} {body}".lower())
    return [kind for kind, words in KEYWORDS.items() if any(word in text for word in words)]


def handle_inbound(desk: Desk, raw: bytes, message_id: str, verdicts: Mapping[str, str]) -> EmailOutcome:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    failed = failed_verdicts(verdicts)
    if failed:
        return _triage(desk, message_id, Disposition.QUARANTINED, f"failed checks: {', '.join(failed)}", None)
    automatic = automatic_mail_reason(message)
    if automatic:
        return _triage(desk, message_id, Disposition.IGNORED_AUTOMATIC, automatic, None)
    name, address = parseaddr(str(message.get("From", "")))
    types = requested_types(str(message.get("Subject", "")), text_of(message))
    try:
        new_request = NewRequest(
            request_types=types,
            subject=SubjectIdentity(email=address, name=name or None),
        )
    except ValidationError as error:
        reason = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        return _triage(desk, message_id, Disposition.TRIAGE, reason, address or None)
    request_id = str(uuid.uuid5(EMAIL_NAMESPACE, message_id))
    receipt = intake.submit(desk, new_request, Channel.EMAIL, request_id=request_id)
    logger.info("email request", request_id=receipt.request_id, sender=mask_email(address))
    return EmailOutcome(disposition=Disposition.REQUEST, request_id=receipt.request_id)


def _triage(
    desk: Desk, message_id: str, disposition: Disposition, reason: str, reply_to: str | None
) -> EmailOutcome:
    triage_id = str(uuid.uuid5(EMAIL_NAMESPACE, f"triage:{message_id}"))
    first_time = desk.store.put_triage(
        triage_id,
        {
            "disposition": disposition.value,
            "reason": reason,
            "message_id": message_id,
            "at": desk.now().isoformat(),
        },
    )
    if first_time and reply_to and disposition is Disposition.TRIAGE:
        desk.mailer.send(
            reply_to,
            "About your message to our privacy team",
            "We could not tell what you would like us to do with your personal data. Please use "
            f"our privacy request form at {desk.settings.public_base_url}/requests, or reply saying "
            "whether you want a copy of your data, its deletion, its correction, or to unsubscribe.\n",
            triage_id,
        )
    logger.info("email triaged", triage_id=triage_id, disposition=disposition.value)
    return EmailOutcome(disposition=disposition, triage_id=triage_id, reason=reason)
