"""Requests written to the privacy address: read the raw message, decide what it asks, or triage it.

Every message ends as exactly one of the dispositions below, whatever bytes arrive:

- ``quarantined``: SES found spam or a virus, or SPF, DKIM or DMARC failed;
- ``ignored_automatic``: auto-replies, bounces and list mail, recorded and never answered;
- ``reply``: an answer to one of the desk's own emails, recorded on the request it answers;
- ``request``: a request, read from the subject and the body (never from an attachment);
- ``triage``: anything else, with the reason, for staff; the sender is asked to use the form.

The request type is read in English, French, German and Spanish. Accents and case do not
matter: the text and the phrases are compared after Unicode NFKD decomposition, with combining
marks removed and case folded ("Löschung", "LOSCHUNG" and "löschung" read the same).
Attachments are counted and their types and sizes noted in the audit trail, never opened.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses
from enum import StrEnum
from html import unescape
from html.parser import HTMLParser
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import BaseModel, EmailStr, TypeAdapter, ValidationError

from dsr import intake, notices
from dsr.desk import Desk
from dsr.keyed_hash import normalized_email
from dsr.masking import mask_email
from dsr.models import Channel, NewRequest, PrivacyRequest, RequestType, SubjectIdentity

logger = Logger(child=True)

EMAIL_NAMESPACE = uuid.UUID("4f7a1f0e-2c1b-4f7e-9a52-8f1f5f0c2a11")

# --- what a message asks for, by language ---------------------------------------------------
#
# Each phrase matches whole words. A trailing ``*`` lets the last word go on ("rectif*" finds
# "rectification"); a leading ``*`` lets the first word be the end of a compound ("*löschung"
# finds "Datenlöschung"). Write phrases as people write them, accents included.

Phrases = Mapping[RequestType, tuple[str, ...]]

ENGLISH: Phrases = {
    RequestType.ERASURE: (
        "delete",
        "deletion",
        "erase",
        "erasure",
        "remove my",
        "forget me",
        "right to be forgotten",
    ),
    RequestType.ACCESS: ("access", "copy of my", "what data", "what personal", "subject access", "dsar"),
    RequestType.RECTIFICATION: ("correct", "correction", "rectif*", "inaccurate", "out of date"),
    RequestType.PORTABILITY: ("portab*", "machine-readable", "machine readable", "transfer my data"),
    RequestType.RESTRICTION: ("restrict*",),
    RequestType.OBJECTION: ("object to", "objection", "stop processing", "legitimate interest*"),
    RequestType.MARKETING_OPT_OUT: (
        "unsubscrib*",
        "opt out",
        "opt-out",
        "stop sending",
        "no more marketing",
    ),
}

FRENCH: Phrases = {
    RequestType.ERASURE: (
        "supprimer",
        "supprimez",
        "suppression",
        "effacer",
        "effacez",
        "effacement",
        "droit à l'oubli",
    ),
    RequestType.ACCESS: ("droit d'accès", "accès à mes", "accéder à mes", "copie de mes", "quelles données"),
    RequestType.RECTIFICATION: ("rectifier", "rectifiez", "rectification", "corriger mes", "inexact*"),
    RequestType.PORTABILITY: ("portabilité",),
    RequestType.RESTRICTION: ("limitation du traitement", "limiter le traitement"),
    RequestType.OBJECTION: ("opposition", "je m'oppose", "m'opposer"),
    RequestType.MARKETING_OPT_OUT: ("désabonn*", "désinscri*", "ne plus recevoir"),
}

GERMAN: Phrases = {
    RequestType.ERASURE: (
        "löschen",
        "loeschen",
        "*löschung",
        "*loeschung",
        "recht auf vergessenwerden",
    ),
    # "*auskunft" finds "Auskunft" and "Selbstauskunft" but not "Auskünfte" (as in
    # "für weitere Auskünfte stehe ich gern zur Verfügung").
    RequestType.ACCESS: ("*auskunft", "auskunfts*", "kopie meiner", "welche daten"),
    RequestType.RECTIFICATION: ("berichtig*",),
    RequestType.PORTABILITY: ("*übertragbarkeit", "*uebertragbarkeit"),
    RequestType.RESTRICTION: ("einschränkung der verarbeitung", "verarbeitung einschränken"),
    RequestType.OBJECTION: ("*widerspruch", "widerspreche", "widersprechen"),
    RequestType.MARKETING_OPT_OUT: ("abmelden", "abmeldung", "abbestell*", "keine werbung"),
}

SPANISH: Phrases = {
    RequestType.ERASURE: (
        "suprimir",
        "supriman",
        "supresión",
        "borrar",
        "borren",
        "eliminar",
        "eliminen",
        "derecho al olvido",
    ),
    RequestType.ACCESS: ("derecho de acceso", "acceso a mis", "acceder a mis", "copia de mis", "qué datos"),
    RequestType.RECTIFICATION: ("rectificar", "rectifiquen", "rectificación", "corregir"),
    RequestType.PORTABILITY: ("portabilidad",),
    RequestType.RESTRICTION: ("limitación del tratamiento", "limitar el tratamiento"),
    RequestType.OBJECTION: ("oposición", "me opongo", "oponerme"),
    RequestType.MARKETING_OPT_OUT: (
        "darse de baja",
        "darme de baja",
        "dar de baja",
        "cancelar la suscripción",
        "no quiero recibir",
    ),
}

PHRASES_BY_LANGUAGE: dict[str, Phrases] = {
    "English": ENGLISH,
    "French": FRENCH,
    "German": GERMAN,
    "Spanish": SPANISH,
}

# Only the start of a long body is read: a request is written at the top, not after the quote.
MAX_TEXT_READ = 100_000
# At most this many Message-IDs of In-Reply-To and References are looked up.
MAX_REFERENCES_LOOKED_UP = 10
# At most this many attachments are described one by one in the audit trail (all are counted).
MAX_ATTACHMENTS_DESCRIBED = 20

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})


def normalized_text(text: str) -> str:
    """Case folded, accents removed, apostrophes straightened, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.split())


def _phrase_pattern(phrase: str) -> str:
    compound_tail = r"\w*" if phrase.startswith("*") else ""
    stem = r"\w*" if phrase.endswith("*") else ""
    return rf"\b{compound_tail}{re.escape(normalized_text(phrase.strip('*')))}{stem}\b"


def _compile_phrases() -> dict[RequestType, re.Pattern[str]]:
    patterns: dict[RequestType, list[str]] = {}
    for phrases in PHRASES_BY_LANGUAGE.values():
        for kind, words in phrases.items():
            patterns.setdefault(kind, []).extend(_phrase_pattern(word) for word in words)
    ordered = [kind for kind in RequestType if kind in patterns]
    return {kind: re.compile("|".join(patterns[kind])) for kind in ordered}


_PATTERNS = _compile_phrases()


def requested_types(subject: str, body: str) -> list[RequestType]:
    """The request types a message asks for, in any of the languages read."""
    text = normalized_text(f"{subject} {body[:MAX_TEXT_READ]}")
    return [kind for kind, pattern in _PATTERNS.items() if pattern.search(text)]


# --- what came out of a message ---------------------------------------------------------------


class Disposition(StrEnum):
    REQUEST = "request"
    QUARANTINED = "quarantined"
    IGNORED_AUTOMATIC = "ignored_automatic"
    TRIAGE = "triage"
    REPLY = "reply"


class EmailOutcome(BaseModel):
    disposition: Disposition
    request_id: str | None = None
    triage_id: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Attachment:
    content_type: str
    size: int


@dataclass(frozen=True)
class Sender:
    """The From address when there is exactly one and it is syntactically valid, else the problem."""

    address: str | None = None
    name: str | None = None
    problem: str | None = None


@dataclass(frozen=True)
class InboundMail:
    """What the desk takes from a raw message: plain strings only, safe to store and compare."""

    sender: Sender
    subject: str = ""
    body: str = ""
    automatic: str | None = None
    replied_ids: tuple[str, ...] = ()
    replied_sent_ids: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    reading_notes: tuple[str, ...] = ()


# --- reading a raw message ------------------------------------------------------------------------
#
# The MIME tree is read with the compat32 policy, whose methods work on strings and do not fail
# on malformed headers; header values are decoded one by one, each with a fallback, because the
# standard library's structured header parser raises on some malformed input.

_EMAIL_ADDRESS: TypeAdapter[str] = TypeAdapter(EmailStr)
_READABLE_TEXT = ("text/plain", "text/html")
# The desk's own Message-IDs: make_msgid(idstring=request_id) puts the request id before the @.
_DESK_MESSAGE_ID = re.compile(
    r"<(?:[^<>@\s]*\.)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@[^<>\s]+>",
    re.IGNORECASE,
)
# Message-IDs SES gives the mail it sends: <id@email.amazonses.com> or <id@region.amazonses.com>.
_SES_MESSAGE_ID = re.compile(r"<([0-9a-z-]{20,100})@(?:[a-z0-9-]+\.)*amazonses\.com>", re.IGNORECASE)
_HEADER_DECODING_ERRORS = (HeaderParseError, LookupError, UnicodeError, ValueError)


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML body; scripts and styles are left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._hidden_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def clean_text(text: str) -> str:
    """Text safe to store: raw 8-bit bytes (lone surrogates from the parser) read as UTF-8, or
    as Windows-1252 when they are not UTF-8; any other lone surrogate replaced."""
    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(clean_text(text).split())
    return text if len(text) <= limit else f"{text[: limit - 1]}…"


def parse_message(raw: bytes) -> Message:
    return BytesParser(policy=compat32).parsebytes(raw)


def read_mail(raw: bytes) -> InboundMail:
    """Everything the desk uses from a message. May raise on input the parser cannot read."""
    message = parse_message(raw)
    parts = mime_parts(message)
    body, notes = _body_text(parts.readable)
    if parts.broken:
        notes.append("the MIME structure is broken, so the body was not read")
    return InboundMail(
        sender=sender_of(message),
        subject=header_text(message, "Subject"),
        body=body,
        automatic=automatic_mail_reason(message),
        replied_ids=replied_message_request_ids(message),
        replied_sent_ids=replied_sent_message_ids(message),
        attachments=tuple(_attachment(part) for part in parts.attached),
        reading_notes=tuple(notes),
    )


def _raw_headers(message: Message, name: str) -> list[str]:
    return [clean_text(str(value)) for key, value in message.raw_items() if key.lower() == name.lower()]


def header_text(message: Message, name: str, default: str = "") -> str:
    """The first header of that name, unfolded, with encoded words (=?utf-8?q?...?=) decoded."""
    values = _raw_headers(message, name)
    return decoded_words(values[0]) if values else default


def decoded_words(value: str) -> str:
    value = " ".join(value.split())
    try:
        return clean_text(str(make_header(decode_header(value))))
    except _HEADER_DECODING_ERRORS:
        return value


def syntactically_valid_address(text: str) -> str | None:
    """The address if it is one we can write back to (plain ASCII, valid syntax), else None."""
    try:
        address = _EMAIL_ADDRESS.validate_python(text)
    except ValidationError:
        return None
    return address if address.isascii() else None


def sender_of(message: Message) -> Sender:
    values = _raw_headers(message, "From")
    addresses = _addresses(values[0]) if len(values) == 1 else []
    if len(values) > 1 or len(addresses) > 1:
        return Sender(problem="more than one From address")
    if not addresses:
        return Sender(problem="no From address")
    name, addr_spec = addresses[0]
    address = syntactically_valid_address(clean_text(addr_spec))
    if address is None:
        return Sender(problem="the From address is not a valid email address")
    return Sender(address=address, name=decoded_words(clean_text(name)).strip()[:200] or None)


def _addresses(value: str) -> list[tuple[str, str]]:
    """(display name, address) of each mailbox in a From header."""
    try:
        header = policy.default.header_factory("From", value)
        found = [(a.display_name, a.addr_spec) for a in getattr(header, "addresses", ())]
    except Exception:  # the structured parser fails on some malformed headers; read it simply
        found = getaddresses([value])
    return [(name, address) for name, address in found if address]


def failed_verdicts(receipt_verdicts: Mapping[str, str]) -> list[str]:
    """SES verdicts that mean the sender cannot be trusted: spam, virus, SPF, DKIM, DMARC."""
    return sorted(name for name, status in receipt_verdicts.items() if status.upper() == "FAIL")


def automatic_mail_reason(message: Message) -> str | None:
    """Auto-replies, bounces and list mail are recorded and never answered, so no mail loops."""
    auto = header_text(message, "Auto-Submitted", "no").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {_short(auto)}"
    precedence = header_text(message, "Precedence").strip().lower()
    if precedence in {"bulk", "list", "junk"}:
        return f"Precedence: {precedence}"
    if header_text(message, "List-Id"):
        return "mailing list (List-Id)"
    if header_text(message, "Return-Path", "x").strip() in {"<>", ""}:
        return "empty Return-Path (a bounce)"
    if message.get_content_type() == "multipart/report":
        return "delivery status report"
    return None


def replied_message_request_ids(message: Message) -> tuple[str, ...]:
    """Request ids in the desk's Message-IDs that the message answers: In-Reply-To first, then
    References from the most recent."""
    in_reply_to = _DESK_MESSAGE_ID.findall(" ".join(_raw_headers(message, "In-Reply-To")))
    references = _DESK_MESSAGE_ID.findall(" ".join(_raw_headers(message, "References")))
    found = [*in_reply_to, *reversed(references)]
    return tuple(dict.fromkeys(rid.lower() for rid in found))[:MAX_REFERENCES_LOOKED_UP]


def replied_sent_message_ids(message: Message) -> tuple[str, ...]:
    """The ids SES gave the desk's mail that the message answers (SES may put its own
    Message-ID on what it sends); each maps to a request through the table."""
    quoted = " ".join([*_raw_headers(message, "In-Reply-To"), *_raw_headers(message, "References")])
    return tuple(dict.fromkeys(_SES_MESSAGE_ID.findall(quoted)))[:MAX_REFERENCES_LOOKED_UP]


def text_of(message: Message) -> str:
    """The body a person wrote: the first plain-text part, else the first HTML part, as text."""
    return _body_text(mime_parts(message).readable)[0]


@dataclass
class MimeParts:
    """Every leaf part is readable text (plain or HTML, inline, unnamed) or an attachment.
    Forwarded messages are attachments as a whole: nothing inside them is read."""

    readable: list[Message] = field(default_factory=list)
    attached: list[Message] = field(default_factory=list)
    broken: bool = False  # a multipart without its boundaries: nothing in it can be told apart


def mime_parts(message: Message) -> MimeParts:
    parts = MimeParts()
    pending = [message]
    while pending:
        part = pending.pop()
        if part.get_content_maintype() == "multipart":
            children = part.get_payload() if part.is_multipart() else None
            if not isinstance(children, list):
                parts.broken = True
                continue
            pending.extend(child for child in reversed(children) if isinstance(child, Message))
        elif _is_attachment(part):
            parts.attached.append(part)
        else:
            parts.readable.append(part)
    return parts


def _is_attachment(part: Message) -> bool:
    if part.get_content_type() not in _READABLE_TEXT:
        return True
    return part.get_content_disposition() == "attachment" or part.get_filename() is not None


def _body_text(readable: list[Message]) -> tuple[str, list[str]]:
    plain = [part for part in readable if part.get_content_type() == "text/plain"]
    chosen = next(iter(plain or readable), None)
    if chosen is None:
        return "", []
    text, notes = _decoded(chosen)
    if chosen.get_content_type() == "text/html":
        text = _text_of_html(text)
    return text[:MAX_TEXT_READ], notes


def _text_of_html(html: str) -> str:
    reader = _TextOfHtml()
    try:
        reader.feed(html)
        reader.close()
    except AssertionError:  # html.parser gives up on some malformed markup: drop the tags instead
        return unescape(re.sub(r"<[^>]*>", " ", html))
    return " ".join(reader.parts)


def _decoded(part: Message) -> tuple[str, list[str]]:
    """The part's text in its declared charset; when that is unknown or wrong, UTF-8 with the
    undecodable bytes replaced, and a note saying so."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = clean_text(str(part.get_content_charset("us-ascii")))
    for candidate in dict.fromkeys((charset, "utf-8")):
        try:
            return data.decode(candidate), []
        except UnicodeDecodeError:
            continue
        except (LookupError, ValueError):
            return data.decode("utf-8", "replace"), [f"unknown charset {_short(charset, 40)!r}"]
    return data.decode("utf-8", "replace"), [f"the body is not valid {_short(charset, 40)}"]


def _attachment(part: Message) -> Attachment:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        size = len(payload)
    else:  # a forwarded message: its size as written
        size = len(clean_text(str(part.get_payload(0) if part.is_multipart() else "")).encode())
    return Attachment(content_type=_short(part.get_content_type(), 100), size=size)


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
        return _record_reply(desk, message_id, mail, replied_to)
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
    receipt = intake.submit(desk, new_request, Channel.EMAIL, request_id=request_id)
    if not seen_before:
        _note_attachments(desk, receipt.request_id, mail)
    logger.info("email request", request_id=receipt.request_id, sender=mask_email(str(mail.sender.address)))
    return EmailOutcome(disposition=Disposition.REQUEST, request_id=receipt.request_id)


def _new_request(mail: InboundMail, types: list[RequestType]) -> tuple[NewRequest | None, str | None]:
    try:
        subject = SubjectIdentity(email=str(mail.sender.address), name=mail.sender.name)
        new_request = NewRequest(request_types=types, subject=subject)
    except ValidationError as error:  # the fields named, never the values
        fields = sorted({".".join(map(str, e["loc"])) or "request" for e in error.errors()})
        return None, f"could not be made a request (invalid: {', '.join(fields)})"
    return new_request, None


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
    if first_time and reply_to and disposition is Disposition.TRIAGE:
        form_url = f"{desk.settings.public_base_url}/requests"
        notice = notices.email_not_understood(form_url, correction=reason.startswith(NEEDS_CORRECTED_VALUES))
        desk.mailer.send(reply_to, notice.subject, notice.body, triage_id)
    logger.info("email triaged", triage_id=triage_id, disposition=disposition.value)
    return EmailOutcome(disposition=disposition, triage_id=triage_id, reason=reason)
