"""Reading a raw message without trusting it: whatever the bytes, plain strings safe to store.

The sender, subject, body, automatic-mail signs and the Message-IDs it answers are taken out;
attachments are counted and their types and sizes noted, never opened.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from email import policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses
from html import unescape
from html.parser import HTMLParser
from typing import NamedTuple

from pydantic import ConfigDict, EmailStr, TypeAdapter, ValidationError

from dsr.inbox.email_phrases import MAX_TEXT_READ

# At most this many Message-IDs of In-Reply-To and References are looked up.
MAX_REFERENCES_LOOKED_UP = 10

# --- what the desk takes from a message -------------------------------------------------------


# What the desk takes are NamedTuples, not frozen dataclasses: as immutable, and with Python 3.12
# about a fifth of the cost to make at each cold start.


class Attachment(NamedTuple):
    content_type: str
    size: int


class Sender(NamedTuple):
    """The From address when there is exactly one and it is syntactically valid, else the problem."""

    address: str | None = None
    name: str | None = None
    problem: str | None = None


class InboundMail(NamedTuple):
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

# Built on the first address it checks, which loads email_validator (its tables take ~20 ms).
_EMAIL_ADDRESS: TypeAdapter[str] = TypeAdapter(EmailStr, config=ConfigDict(defer_build=True))
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


class MimeParts:
    """Every leaf part is readable text (plain or HTML, inline, unnamed) or an attachment.
    Forwarded messages are attachments as a whole: nothing inside them is read."""

    __slots__ = ("attached", "broken", "readable")

    def __init__(self) -> None:
        self.readable: list[Message] = []
        self.attached: list[Message] = []
        self.broken = False  # a multipart without its boundaries: nothing in it can be told apart


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
