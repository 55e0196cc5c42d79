"""Outgoing mail cannot be made to carry headers a sender slipped into a subject or an address."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from dsr.core.mailer import Mailer
from dsr.notices.email_markup import html_version


class CapturingSes:
    def __init__(self) -> None:
        self.raw: list[bytes] = []

    def send_email(self, **arguments: Any) -> dict[str, str]:
        self.raw.append(arguments["Content"]["Raw"]["Data"])
        return {"MessageId": "sent-1"}


@pytest.mark.parametrize(
    "subject",
    [
        "Your request\r\nBcc: thief@example.net",
        "Your request\nBcc: thief@example.net",
        "Your request\rBcc: thief@example.net",
        "Your request\r\n\r\nA body of the attacker's choosing",
    ],
)
def test_a_line_break_in_a_subject_cannot_add_a_header_or_a_body(subject: str) -> None:
    ses = CapturingSes()
    Mailer(ses, "privacy@desk.example").send("ada@example.com", subject, "The real body.", "req-1")  # type: ignore[arg-type]

    sent = message_from_bytes(ses.raw[0], policy=policy.default)
    assert sent["Bcc"] is None
    assert "\n" not in str(sent["Subject"]) and "\r" not in str(sent["Subject"])
    assert sent.get_content().strip() == "The real body."
    assert list(sent.keys()).count("Subject") == 1


@pytest.mark.parametrize(
    "address", ["ada@example.com\r\nBcc: thief@example.net", "ada@example.com\nCc: x@y.z"]
)
def test_a_line_break_in_an_address_is_refused(address: str) -> None:
    ses = CapturingSes()
    with pytest.raises(ValueError):
        Mailer(ses, "privacy@desk.example").send(address, "Subject", "Body", "req-1")  # type: ignore[arg-type]
    assert ses.raw == []


def test_markup_a_subject_wrote_reaches_the_html_part_as_the_characters_typed() -> None:
    # A name or an explanation with markup reaches the recipient as the characters typed: the
    # plain part carries it as it is, and the HTML part escapes it, so no mail program runs it.
    hostile = '<img src=x onerror=alert(1)><a href="javascript:alert(2)">click</a>'
    body = f"Name: {hostile}\n"
    ses = CapturingSes()
    Mailer(ses, "privacy@desk.example").send(
        "ada@example.com",
        f"About {hostile}",
        body,
        "req-1",
        language="en",
        html=html_version("About", body, "en"),
    )  # type: ignore[arg-type]

    sent = message_from_bytes(ses.raw[0], policy=policy.default)
    assert [part.get_content_type() for part in sent.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert hostile in sent.get_body(preferencelist=("plain",)).get_content()
    html_part = sent.get_body(preferencelist=("html",)).get_content()
    assert "<img" not in html_part and '<a href="javascript' not in html_part
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_part


def test_a_message_without_html_is_one_plain_part_tagged_with_its_language() -> None:
    ses = CapturingSes()
    Mailer(ses, "privacy@desk.example").send(
        "ada@example.com", "Subject", "Body\n", "req-1", language="fr_CA"
    )  # type: ignore[arg-type]

    sent = message_from_bytes(ses.raw[0], policy=policy.default)
    assert [part.get_content_type() for part in sent.walk()] == ["text/plain"]
    assert sent["Content-Language"] == "fr-CA"


def test_every_email_the_desk_sends_goes_through_the_one_plain_text_mailer() -> None:
    functions = Path(__file__).parents[2] / "functions"
    senders = sorted(
        str(path.relative_to(functions))
        for path in functions.rglob("*.py")
        if ".send_email(" in path.read_text(encoding="utf-8")
    )
    assert senders == ["dsr/core/mailer.py"]
