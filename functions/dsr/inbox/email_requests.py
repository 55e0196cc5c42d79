"""Requests written to the privacy address: decide what each message becomes.

Every message ends as exactly one of the dispositions below, whatever bytes arrive:

- ``quarantined``: SES found spam or a virus, or SPF, DKIM or DMARC failed;
- ``ignored_automatic``: auto-replies, bounces and list mail, recorded and never answered;
- ``reply``: an answer to one of the desk's own emails, recorded on the request it answers;
- ``appeal``: a reply from the subject to a refusal, opening with APPEAL (or the word of the
  subject's language, ``dsr.core.appeal_words``), where the law gives one;
- ``request``: a request, read from the subject and the body (never from an attachment);
- ``triage``: anything else, with the reason, for staff; the sender is asked to use the form.

The message is read by ``dsr.inbox.email_reading`` and what it asks for by ``dsr.inbox.email_phrases``.
Attachments are never opened: their number, types and sizes go in the audit trail.
"""

import re
import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from dsr.core.appeal_words import opens_with_appeal
from dsr.core.desk_model import DeskModel
from dsr.core.identities import SubjectIdentity
from dsr.core.keyed_hash import normalized_email
from dsr.core.languages import ENGLISH, SHIPPED_LANGUAGES, LanguageHints
from dsr.core.masking import mask_email
from dsr.core.models import Channel, NewRequest, PrivacyRequest, RequestType
from dsr.inbox.email_phrases import requested_types, written_language
from dsr.inbox.email_reading import InboundMail, failed_verdicts, read_mail
from dsr.intake import submission as intake
from dsr.intake import throttling
from dsr.intake.throttling import TooManyAttemptsError
from dsr.notices import subject_notices as notices
from dsr.wiring.desk import Desk

logger = Logger(child=True)

EMAIL_NAMESPACE = uuid.UUID("4f7a1f0e-2c1b-4f7e-9a52-8f1f5f0c2a11")
# At most this many attachments are described one by one in the audit trail (all are counted).
MAX_ATTACHMENTS_DESCRIBED = 20

# --- what becomes of a message ---------------------------------------------------------------


class Disposition(StrEnum):
    REQUEST = "request"
    QUARANTINED = "quarantined"
    IGNORED_AUTOMATIC = "ignored_automatic"
    TRIAGE = "triage"
    REPLY = "reply"
    APPEAL = "appeal"


class EmailOutcome(DeskModel):
    disposition: Disposition
    request_id: str | None = None
    triage_id: str | None = None
    reason: str | None = None


# --- deciding what to do with it ---------------------------------------------------------------


def handle_inbound(desk: Desk, raw: bytes, message_id: str, verdicts: Mapping[str, str]) -> EmailOutcome:
    """Turn one received message into a request, a reply on a request, or a triage item.

    Any byte string ends as one of the dispositions: nothing in a message's content raises out of
    here (a failing store or mail service still does, so that Lambda retries the event).
    """
    failed = failed_verdicts(verdicts)
    if failed:
        reason = f"failed checks: {', '.join(failed)}"
        return _triage(desk, message_id, Disposition.QUARANTINED, reason, None)
    try:
        mail = read_mail(raw)
    except Exception as error:  # any byte string must end as a triage item, never an error
        logger.warning("unreadable message", message_id=message_id, error=type(error).__name__)
        reason = f"the message could not be read ({type(error).__name__})"
        return _triage(desk, message_id, Disposition.TRIAGE, reason, None)
    if mail.automatic:
        return _triage(desk, message_id, Disposition.IGNORED_AUTOMATIC, mail.automatic, mail)
    replied_to = _replied_request(desk, mail)
    if replied_to is not None:
        return _appeal_by_reply(desk, message_id, mail, replied_to) or _record_reply(
            desk, message_id, mail, replied_to
        )
    return _request_or_triage(desk, message_id, mail)


def handle_missing_message(desk: Desk, message_id: str) -> EmailOutcome:
    """SES reported a message whose raw copy is not in the inbound bucket: staff must know."""
    reason = "the raw message is not in the inbound mail bucket"
    return _triage(desk, message_id, Disposition.TRIAGE, reason, None)


def _replied_request(desk: Desk, mail: InboundMail) -> PrivacyRequest | None:
    from_sent_mail = (desk.store.request_for_sent_message(sent_id) for sent_id in mail.replied_sent_ids)
    for request_id in [*mail.replied_ids, *(rid for rid in from_sent_mail if rid)]:
        request = desk.store.find(request_id)
        if request is not None:
            return request
    return None


def _appeal_by_reply(
    desk: Desk, message_id: str, mail: InboundMail, request: PrivacyRequest
) -> EmailOutcome | None:
    """The subject's own reply to a refusal that opens with APPEAL, while it may be appealed, is
    an appeal; the same message redelivered is recognised. Anything else, later replies about the
    appeal included, is an ordinary reply for staff (None)."""
    address = mail.sender.address
    from_subject = address is not None and normalized_email(address) == normalized_email(
        str(request.subject.email)
    )
    statement = _own_words(mail.body)
    # The appeal word opens the reply (or its subject, after any "Re:" or "AW:"), as the refusal
    # asks; a reply that merely mentions an appeal ("I do not want to appeal") is for staff.
    if not from_subject or not (opens_with_appeal(statement) or opens_with_appeal(mail.subject)):
        return None
    from dsr.appeals import appeals  # noqa: PLC0415 - only a reply that opens with APPEAL needs the appeals

    existing = appeals.appeal_of(desk, request.request_id)
    if existing is None:
        if appeals.why_not_appealable(request, desk.now()) is not None:
            return None
        try:
            appeals.lodge(
                desk, request.request_id, statement, appeals.AppealChannel.EMAIL, source_message_id=message_id
            )
        except appeals.AppealRefusedError:
            return None
    elif existing.source_message_id != message_id:
        return None
    logger.info("appeal by email", request_id=request.request_id)
    return EmailOutcome(
        disposition=Disposition.APPEAL,
        request_id=request.request_id,
        reason=f"appeal on {request.request_id}",
    )


# The line a mail client writes above the message it quotes, in the desk's languages: "On ...
# wrote:", "Am ... schrieb ...:", "Le ... a écrit :", "El ... escribió:".
_QUOTE_INTRODUCTION = re.compile(
    r"^(?:On .{1,200} wrote|Am .{1,200} schrieb.{0,200}|Le .{1,200} a écrit ?|El .{1,200} escribió):$"
)
# The line that opens a forwarded or quoted message in Outlook, in the desk's languages.
_ORIGINAL_MESSAGE = re.compile(
    r"^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)\s*-{2,}$",
    re.IGNORECASE,
)


def _own_words(body: str) -> str:
    """The reply without the quoted message below it."""
    kept = []
    for line in body.splitlines():
        stripped = line.strip()
        if (
            stripped.startswith(">")
            or _QUOTE_INTRODUCTION.match(stripped)
            or _ORIGINAL_MESSAGE.match(stripped)
            or re.match(r"^(?:From|Von|De|Da)\s?:\s", stripped)
        ):
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _record_reply(desk: Desk, message_id: str, mail: InboundMail, request: PrivacyRequest) -> EmailOutcome:
    """A reply goes to the request it answers: an audit event and a triage item for staff, no answer."""
    request_id = request.request_id
    reason = f"reply to request {request_id}"
    triage_id = _triage_id(message_id)
    fields = {**_triage_fields(desk, message_id, Disposition.REPLY, reason, mail), "request_id": request_id}
    if desk.store.put_triage(triage_id, fields, needs_staff=True):
        address = mail.sender.address
        desk.audit(
            request_id,
            "email",
            "subject replied",
            "reply recorded",
            sender=mask_email(address) if address else "unknown",
            sender_is_subject=address is not None
            and normalized_email(address) == normalized_email(str(request.subject.email)),
            triage_id=triage_id,
        )
        _note_attachments(desk, request_id, mail)
    logger.info("email reply recorded", request_id=request_id, triage_id=triage_id)
    return EmailOutcome(
        disposition=Disposition.REPLY, request_id=request_id, triage_id=triage_id, reason=reason
    )


NEEDS_CORRECTED_VALUES = "asks for a correction, which needs the corrected values (asked to use the form)"


def why_not_a_request(mail: InboundMail, types: list[RequestType]) -> str | None:
    """The reason a message asking for ``types`` cannot become a request, or None when it can."""
    if mail.sender.address is None:
        return mail.sender.problem or "no usable From address"
    if not mail.subject.strip() and not mail.body.strip():
        return "the message is empty"
    if not types:
        return "no recognisable request" if mail.body.strip() else "no recognisable request and no body"
    if RequestType.RECTIFICATION in types:
        return NEEDS_CORRECTED_VALUES
    return None


def _request_or_triage(desk: Desk, message_id: str, mail: InboundMail) -> EmailOutcome:
    types = requested_types(mail.subject, mail.body)
    problem = why_not_a_request(mail, types)
    new_request = None
    if problem is None:
        new_request, problem = _new_request(mail, types)
    if new_request is None:
        reason = "; ".join([problem or "not a request", *mail.reading_notes])
        return _triage(desk, message_id, Disposition.TRIAGE, reason, mail)
    request_id = str(uuid.uuid5(EMAIL_NAMESPACE, message_id))
    seen_before = desk.store.find(request_id) is not None
    try:
        hints = LanguageHints(email=written_language(mail.subject, mail.body))
        receipt = intake.submit(desk, new_request, Channel.EMAIL, request_id=request_id, language_hints=hints)
    except TooManyAttemptsError:
        # Never dropped: a person over the daily limit may still mean it, so staff look at it.
        reason = "more requests from this sender than the daily limit: held for staff to review"
        return _triage(desk, message_id, Disposition.TRIAGE, reason, mail)
    if not seen_before:
        _note_attachments(desk, receipt.request_id, mail)
    logger.info("email request", request_id=receipt.request_id, sender=mask_email(str(mail.sender.address)))
    return EmailOutcome(disposition=Disposition.REQUEST, request_id=receipt.request_id)


MAX_DETAILS = 4000


def _new_request(mail: InboundMail, types: list[RequestType]) -> tuple[NewRequest | None, str | None]:
    details = _decision_questioned(mail, types)
    try:
        subject = SubjectIdentity(email=str(mail.sender.address), name=mail.sender.name)
        try:
            new_request = NewRequest(request_types=types, subject=subject, details=details)
        except ValidationError as error:
            if details is None or any(e["loc"][:1] != ("details",) for e in error.errors()):
                raise
            # Characters the desk refuses in free text: staff read the message itself instead.
            new_request = NewRequest(request_types=types, subject=subject)
    except ValidationError as error:  # the fields named, never the values
        fields = sorted({".".join(map(str, e["loc"])) or "request" for e in error.errors()})
        return None, f"could not be made a request (invalid: {', '.join(fields)})"
    return new_request, None


def _decision_questioned(mail: InboundMail, types: list[RequestType]) -> str | None:
    """For a profiling review, the subject's own words (the decision they question), which staff
    answer; nothing for other requests, whose body the desk does not keep on the request."""
    if RequestType.PROFILING_REVIEW not in types:
        return None
    words = _own_words(mail.body)[:MAX_DETAILS].strip()
    return words or None


def _note_attachments(desk: Desk, request_id: str, mail: InboundMail) -> None:
    """Attachments are never opened: their number, types and sizes go in the audit trail."""
    count = len(mail.attachments)
    if not count:
        return
    described = mail.attachments[:MAX_ATTACHMENTS_DESCRIBED]
    desk.audit(
        request_id,
        "email",
        "attachments noted",
        f"{count} attachment{'s' if count != 1 else ''}",
        types=",".join(a.content_type for a in described),
        sizes=",".join(str(a.size) for a in described),
        total_bytes=sum(a.size for a in mail.attachments),
    )


def _triage_id(message_id: str) -> str:
    return str(uuid.uuid5(EMAIL_NAMESPACE, f"triage:{message_id}"))


def _triage_fields(
    desk: Desk, message_id: str, disposition: Disposition, reason: str, mail: InboundMail | None
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "disposition": disposition.value,
        "reason": reason,
        "message_id": message_id,
        "at": desk.now().isoformat(),
    }
    if mail is not None:
        address = mail.sender.address
        fields["sender"] = mask_email(address) if address else "unknown"
        fields["attachments"] = len(mail.attachments)
    return fields


def _reply_language(mail: InboundMail | None) -> str:
    """The language a message the desk could not act on is answered in: the one it was written
    in, when the desk reads and writes it, else English."""
    written = written_language(mail.subject, mail.body) if mail is not None else None
    return written if written in SHIPPED_LANGUAGES else ENGLISH


def _triage(
    desk: Desk, message_id: str, disposition: Disposition, reason: str, mail: InboundMail | None
) -> EmailOutcome:
    """Record the message for staff. Only a person with a valid address, whose mail was neither
    automatic nor quarantined, is asked (once) to use the form."""
    triage_id = _triage_id(message_id)
    first_time = desk.store.put_triage(
        triage_id,
        _triage_fields(desk, message_id, disposition, reason, mail),
        needs_staff=disposition is not Disposition.IGNORED_AUTOMATIC,
    )
    reply_to = mail.sender.address if mail is not None else None
    if (
        first_time
        and reply_to
        and disposition is Disposition.TRIAGE
        and throttling.admit_mail(desk, reply_to)
    ):
        form_url = f"{desk.settings.public_base_url}/requests"
        notice = notices.email_not_understood(
            form_url, correction=reason.startswith(NEEDS_CORRECTED_VALUES), language=_reply_language(mail)
        )
        desk.mailer.send(
            reply_to, notice.subject, notice.body, triage_id, language=notice.language, html=notice.html
        )
    logger.info("email triaged", triage_id=triage_id, disposition=disposition.value)
    return EmailOutcome(disposition=disposition, triage_id=triage_id, reason=reason)
