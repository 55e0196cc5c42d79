"""Reading what an email asks for, and recognising mail that must never be answered."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from dsr.email_requests import automatic_mail_reason, failed_verdicts, requested_types, text_of
from dsr.models import RequestType


def _message(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize(
    ("subject", "body", "expected"),
    [
        ("Delete my account", "", [RequestType.ERASURE]),
        ("Subject access request", "", [RequestType.ACCESS]),
        ("", "Please unsubscribe me from your newsletter", [RequestType.MARKETING_OPT_OUT]),
        ("", "My phone number is inaccurate, please correct it", [RequestType.RECTIFICATION]),
        ("", "I object to processing based on legitimate interest", [RequestType.OBJECTION]),
        ("Hello", "Great product!", []),
    ],
)
def test_the_request_type_is_read_from_subject_and_body(
    subject: str, body: str, expected: list[RequestType]
) -> None:
    assert requested_types(subject, body) == expected


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


def test_an_unknown_charset_does_not_stop_the_reading() -> None:
    raw = b"From: a@example.com\nSubject: x\nContent-Type: text/plain; charset=klingon\n\nplease delete me\n"

    assert "delete" in text_of(_message(raw))


def test_only_failed_verdicts_count_against_the_sender() -> None:
    assert failed_verdicts({"spam": "PASS", "virus": "GRAY", "dkim": "FAIL", "spf": "fail"}) == [
        "dkim",
        "spf",
    ]
