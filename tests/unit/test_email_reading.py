"""Reading a raw message without trusting it, and recognising mail that must never be answered."""

from __future__ import annotations

import uuid
from email.message import Message
from email.utils import make_msgid
from pathlib import Path

import pytest

from dsr.core.models import RequestType
from dsr.inbox.email_phrases import requested_types
from dsr.inbox.email_reading import (
    automatic_mail_reason,
    failed_verdicts,
    parse_message,
    read_mail,
    replied_message_request_ids,
    sender_of,
    text_of,
)

EVENTS = Path(__file__).resolve().parents[2] / "events" / "email_intake"


def _message(raw: bytes) -> Message:
    return parse_message(raw)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ("Auto-Submitted: auto-replied\n", "Auto-Submitted: auto-replied"),
        ("Precedence: bulk\n", "Precedence: bulk"),
        ("List-Id: <news.example.com>\n", "mailing list (List-Id)"),
        ("Return-Path: <>\n", "empty Return-Path (a bounce)"),
        ("Auto-Submitted: no\n", None),
    ],
)
def test_automatic_mail_is_recognised(headers: str, reason: str | None) -> None:
    raw = f"From: a@example.com\nSubject: x\n{headers}\nbody\n".encode()

    assert automatic_mail_reason(_message(raw)) == reason


def test_html_only_mail_is_read_as_text() -> None:
    raw = (
        b"From: a@example.com\nSubject: request\nContent-Type: text/html; charset=utf-8\n\n"
        b"<html><body><p>Please <b>erase</b> my data</p></body></html>\n"
    )

    assert "erase" in text_of(_message(raw))
    assert "<b>" not in text_of(_message(raw))


def test_the_style_sheet_of_an_html_mail_is_not_read() -> None:
    mail = read_mail((EVENTS / "html_only_request.eml").read_bytes())

    assert "font-family" not in mail.body
    assert requested_types(mail.subject, mail.body) == [RequestType.ERASURE]


def test_an_unknown_charset_does_not_stop_the_reading() -> None:
    raw = b"From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=klingon\n\nplease delete me\n"

    assert "delete" in text_of(_message(raw))
    assert read_mail(raw).reading_notes == ("unknown charset 'klingon'",)


def test_a_body_that_lies_about_its_charset_is_read_with_a_note() -> None:
    raw = (
        b"From: a@example.com\nContent-Type: text/plain; charset=utf-8\n\nJe veux supprimer mes donn\xe9es\n"
    )

    mail = read_mail(raw)

    assert requested_types(mail.subject, mail.body) == [RequestType.ERASURE]
    assert mail.reading_notes == ("the body is not valid utf-8",)


def test_utf8_sent_as_ascii_is_read_as_utf8() -> None:
    raw = "From: a@example.com\n\nBitte um Löschung meiner Daten\n".encode()

    mail = read_mail(raw)

    assert "Löschung" in mail.body
    assert mail.reading_notes == ()


def test_attachments_are_counted_with_types_and_sizes_and_never_read() -> None:
    mail = read_mail((EVENTS / "with_attachment.eml").read_bytes())

    assert [a.content_type for a in mail.attachments] == ["application/pdf", "image/png", "text/plain"]
    assert all(a.size > 0 for a in mail.attachments)
    assert "unsubscribe" not in mail.body
    assert requested_types(mail.subject, mail.body) == [RequestType.ACCESS]


def test_a_forwarded_message_is_one_attachment_and_its_text_is_not_read() -> None:
    raw = (
        b"From: a@example.com\nSubject: fwd\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nSee below.\n"
        b"--b\nContent-Type: message/rfc822\n\n"
        b"From: x@example.com\nSubject: please delete my data\n\nunsubscribe me\n"
        b"--b--\n"
    )

    mail = read_mail(raw)

    assert [a.content_type for a in mail.attachments] == ["message/rfc822"]
    assert requested_types(mail.subject, mail.body) == []


def test_a_named_text_file_is_an_attachment_even_when_it_is_the_only_text() -> None:
    raw = (
        b"From: a@example.com\nSubject: documents\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\nJVBERg==\n"
        b'--b\nContent-Type: text/plain; name="letter.txt"\nContent-Disposition: inline\n\n'
        b"Please delete my data.\n"
        b"--b--\n"
    )

    mail = read_mail(raw)

    assert mail.body == ""
    assert [a.content_type for a in mail.attachments] == ["application/pdf", "text/plain"]


def test_broken_mime_is_not_read_and_says_so() -> None:
    mail = read_mail((EVENTS / "garbled.eml").read_bytes())

    assert mail.body == ""
    assert "the MIME structure is broken, so the body was not read" in mail.reading_notes
    assert mail.sender.address == "someone@example.com"


def test_the_desk_s_own_message_ids_name_the_request_replied_to() -> None:
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    newest = make_msgid(idstring=second, domain="desk.example")
    raw = (
        f"From: a@example.com\nIn-Reply-To: {newest}\n"
        f"References: <other@example.com> {make_msgid(idstring=first, domain='desk.example')} {newest}\n"
        "\nthanks\n"
    ).encode()

    assert replied_message_request_ids(_message(raw)) == (second, first)


@pytest.mark.parametrize(
    "message_id",
    [
        pytest.param("<thread-1@example.com>", id="another-thread"),
        # Named, not shown: the workers running the suite in parallel must collect the same names.
        pytest.param(f"<x{uuid.uuid4()}@example.com>", id="longer-run"),  # not our shape
        pytest.param(f"<{uuid.uuid4()}.extra@example.com>", id="id-not-before-at"),
        pytest.param(str(uuid.uuid4()), id="not-a-message-id"),
    ],
)
def test_other_message_ids_name_no_request(message_id: str) -> None:
    raw = f"From: a@example.com\nIn-Reply-To: {message_id}\n\nthanks\n".encode()

    assert replied_message_request_ids(_message(raw)) == ()


@pytest.mark.parametrize(
    ("from_header", "address", "problem"),
    [
        ("Ada Lovelace <ada@example.com>", "ada@example.com", None),
        ("ada@example.com", "ada@example.com", None),
        ("Ada <ada@example.com>, Grace <grace@example.org>", None, "more than one From address"),
        ("Ada Lovelace", None, "the From address is not a valid email address"),
        ("<>", None, "the From address is not a valid email address"),
        ("ada@localhost", None, "the From address is not a valid email address"),
        ("jöhn@example.com", None, "the From address is not a valid email address"),
        (None, None, "no From address"),
    ],
)
def test_only_one_valid_from_address_is_a_usable_sender(
    from_header: str | None, address: str | None, problem: str | None
) -> None:
    header = f"From: {from_header}\n" if from_header is not None else ""
    sender = sender_of(_message(f"{header}Subject: x\n\nbody\n".encode()))

    assert (sender.address, sender.problem) == (address, problem)


def test_a_raw_utf8_display_name_is_read_as_utf8() -> None:
    sender = sender_of(_message("From: Jörg Müller <joerg@example.de>\n\nx\n".encode()))

    assert sender.name == "Jörg Müller"


@pytest.mark.parametrize(
    ("raw", "address"),
    [
        (b"From: .x/ <g^5@Z.V.cD>\r\nSubject: W\r\n\r\nplease delete my data\r\n", "g^5@z.v.cd"),
        (b"From: \xc3\x96\xc2\xa5@\r\nSubject: x\r\n\r\nwhat data do you hold\r\n", None),
        (b'From: "\r\nSubject: x\r\n\r\nhi\r\n', None),
    ],
    ids=["AttributeError in the stdlib", "IndexError (8-bit)", "IndexError (lone quote)"],
)
def test_from_headers_that_break_the_standard_parser_are_still_read(raw: bytes, address: str | None) -> None:
    mail = read_mail(raw)

    assert mail.sender.address == address
    assert mail.subject


def test_html_that_breaks_the_standard_html_parser_is_still_read() -> None:
    raw = b"From: ada@example.com\r\nContent-Type: text/html\r\n\r\n<![foo[ x ]]> <b>delete</b> my data\r\n"

    mail = read_mail(raw)

    assert requested_types(mail.subject, mail.body) == [RequestType.ERASURE]
    assert "<b>" not in mail.body


def test_raw_latin1_in_a_header_is_read() -> None:
    mail = read_mail(b"From: ada@example.com\r\nSubject: L\xf6schung\r\n\r\n")

    assert mail.subject == "L\u00f6schung"
    assert requested_types(mail.subject, mail.body) == [RequestType.ERASURE]


def test_only_failed_verdicts_count_against_the_sender() -> None:
    assert failed_verdicts({"spam": "PASS", "virus": "GRAY", "dkim": "FAIL", "spf": "fail"}) == [
        "dkim",
        "spf",
    ]
