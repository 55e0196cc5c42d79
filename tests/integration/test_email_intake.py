"""Mail to the privacy address: a request when it asks for one, a triage item when it cannot."""

from __future__ import annotations

import json
import uuid
from email.message import Message
from email.utils import make_msgid
from pathlib import Path

import boto3
import pytest

import dsr.inbox.email_reading
from dsr.wiring.desk import Desk
from dsr_cli.main import main
from local_cloud.cloud import LocalCloud, SentMail
from local_cloud.http_api import LocalApi
from tests.support import wait_for_status, wait_until

EVENTS = Path(__file__).resolve().parents[2] / "events" / "email_intake"


def _triage_items(desk: Desk) -> list[dict]:
    table = boto3.resource("dynamodb").Table(desk.settings.requests_table)
    return [item for item in table.scan()["Items"] if item["pk"].startswith("TRIAGE#")]


def test_an_email_asking_for_access_becomes_one_acknowledged_request(cloud: LocalCloud, desk: Desk) -> None:
    raw = (EVENTS / "access_request.eml").read_bytes()

    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "request"
    request = desk.store.get(outcome["request_id"])
    assert [t.value for t in request.request_types] == ["access"]
    assert str(request.subject.email) == "alan@example.net"
    assert request.channel.value == "email"
    wait_for_status(desk, outcome["request_id"], "VERIFYING")
    assert any(m.to == ["alan@example.net"] and "received" in m.subject for m in cloud.outbox())


def test_a_redelivered_ses_event_does_not_make_a_second_request(cloud: LocalCloud, desk: Desk) -> None:
    raw = (EVENTS / "access_request.eml").read_bytes()
    event = cloud.ses_event_for(raw)

    first = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]
    second = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]

    assert first["request_id"] == second["request_id"]
    assert len(desk.store.open_requests()) == 1


def test_mail_failing_dmarc_is_quarantined_and_not_answered(cloud: LocalCloud, desk: Desk) -> None:
    raw = (EVENTS / "access_request.eml").read_bytes()

    outcome = cloud.receive_email(raw, verdicts={"dmarc": "FAIL", "spf": "FAIL"})["outcomes"][0]

    assert outcome["disposition"] == "quarantined"
    assert outcome["reason"] == "failed checks: dmarc, spf"
    assert desk.store.open_requests() == []
    assert cloud.outbox() == []
    assert [item["disposition"] for item in _triage_items(desk)] == ["quarantined"]


def test_an_auto_reply_is_recorded_and_never_answered(cloud: LocalCloud, desk: Desk) -> None:
    raw = (EVENTS / "auto_reply.eml").read_bytes()

    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "ignored_automatic"
    assert cloud.outbox() == []
    assert len(_triage_items(desk)) == 1


def test_mail_that_asks_for_nothing_recognisable_is_triaged_and_the_sender_is_asked(
    cloud: LocalCloud, desk: Desk
) -> None:
    raw = (
        b"From: Someone <someone@example.com>\r\nTo: privacy@desk.example\r\n"
        b"Subject: hello\r\nMessage-ID: <x1@example.com>\r\n\r\nWhat a lovely product.\r\n"
    )

    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "triage"
    assert desk.store.open_requests() == []
    [answer] = cloud.outbox()
    assert answer.to == ["someone@example.com"]
    assert "privacy request form" in answer.body


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "sender", "request_type"),
    [
        ("erasure_request_fr.eml", "amelie@example.fr", "erasure"),
        ("access_request_de.eml", "joerg@example.de", "access"),
        ("opt_out_request_es.eml", "lucia@example.es", "marketing_opt_out"),
    ],
)
def test_a_request_written_in_french_german_or_spanish_becomes_an_acknowledged_request(
    cloud: LocalCloud, desk: Desk, sample: str, sender: str, request_type: str
) -> None:
    outcome = cloud.receive_email((EVENTS / sample).read_bytes())["outcomes"][0]

    assert outcome["disposition"] == "request"
    request = desk.store.get(outcome["request_id"])
    assert [t.value for t in request.request_types] == [request_type]
    assert str(request.subject.email) == sender
    wait_until("the acknowledgement", lambda: any(m.to == [sender] for m in cloud.outbox()))


def test_a_name_in_an_encoded_header_is_kept_with_its_accents(cloud: LocalCloud, desk: Desk) -> None:
    outcome = cloud.receive_email((EVENTS / "erasure_request_fr.eml").read_bytes())["outcomes"][0]

    assert desk.store.get(outcome["request_id"]).subject.name == "Amélie Poulain"


def test_a_correction_asked_by_email_is_triaged_and_the_sender_is_asked_for_the_values(
    cloud: LocalCloud, desk: Desk
) -> None:
    raw = _mail("Correction", "Merci de rectifier mon nom de famille.")

    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "triage"
    assert outcome["reason"].startswith("asks for a correction")
    assert desk.store.open_requests() == []
    [answer] = cloud.outbox()
    assert answer.to == ["someone@example.com"]
    assert "corrected value" in answer.body


def test_an_html_only_request_is_read(cloud: LocalCloud, desk: Desk) -> None:
    outcome = cloud.receive_email((EVENTS / "html_only_request.eml").read_bytes())["outcomes"][0]

    assert outcome["disposition"] == "request"
    assert [t.value for t in desk.store.get(outcome["request_id"]).request_types] == ["erasure"]


# --- attachments -------------------------------------------------------------------------------


def test_attachments_are_noted_in_the_audit_trail_and_their_text_is_ignored(
    cloud: LocalCloud, desk: Desk
) -> None:
    event = cloud.ses_event_for((EVENTS / "with_attachment.eml").read_bytes())

    outcome = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]
    cloud.invoke("EmailIntakeFunction", event)  # SES redelivers: still noted once

    assert outcome["disposition"] == "request"
    request = desk.store.get(outcome["request_id"])
    assert [t.value for t in request.request_types] == ["access"]  # notes.txt asks erasure, opt-out...
    [noted] = [e for e in desk.store.events(request.request_id) if e.action == "attachments noted"]
    assert noted.actor == "email"
    assert noted.outcome == "3 attachments"
    assert noted.detail["types"] == "application/pdf,image/png,text/plain"
    sizes = [int(size) for size in str(noted.detail["sizes"]).split(",")]
    assert len(sizes) == 3
    assert all(size > 0 for size in sizes)
    assert noted.detail["total_bytes"] == sum(sizes)


def test_a_request_without_attachments_notes_none(cloud: LocalCloud, desk: Desk) -> None:
    outcome = cloud.receive_email((EVENTS / "access_request.eml").read_bytes())["outcomes"][0]

    actions = [e.action for e in desk.store.events(outcome["request_id"])]
    assert "request received" in actions
    assert "attachments noted" not in actions


# --- replies to the desk's own mail ----------------------------------------------------------


def _acknowledgement_to(cloud: LocalCloud, address: str) -> SentMail:
    return wait_until(
        "the acknowledgement",
        lambda: next((m for m in cloud.outbox() if m.to == [address] and "received" in m.subject), None),
    )


def _reply(desk_message_id: str, sender: str = "Alan Turing <alan@example.net>") -> bytes:
    template = (EVENTS / "reply_to_desk.eml").read_text()
    text = template.replace("{desk_message_id}", desk_message_id)
    return text.replace("From: Alan Turing <alan@example.net>", f"From: {sender}").encode()


def test_a_reply_to_the_desk_is_recorded_on_its_request_and_not_answered(
    cloud: LocalCloud, desk: Desk
) -> None:
    first = cloud.receive_email((EVENTS / "access_request.eml").read_bytes())["outcomes"][0]
    acknowledgement = _acknowledgement_to(cloud, "alan@example.net")
    reply_event = cloud.ses_event_for(_reply(acknowledgement.message_id))

    outcome = cloud.invoke("EmailIntakeFunction", reply_event)["outcomes"][0]
    cloud.invoke("EmailIntakeFunction", reply_event)  # a redelivery records nothing more

    assert outcome["disposition"] == "reply"
    assert outcome["request_id"] == first["request_id"]
    assert [r.request_id for r in desk.store.open_requests()] == [first["request_id"]]
    [replied] = [e for e in desk.store.events(first["request_id"]) if e.action == "subject replied"]
    assert replied.outcome == "reply recorded"
    assert replied.detail["sender"] == "a***@e***.net"
    assert replied.detail["sender_is_subject"] is True
    [item] = [i for i in _triage_items(desk) if i["disposition"] == "reply"]
    assert item["request_id"] == first["request_id"]
    assert not [m for m in cloud.outbox() if m.request_id == outcome["triage_id"]]
    assert not [m for m in cloud.outbox() if "About your message" in m.subject]


def test_a_reply_from_someone_else_is_recorded_as_not_from_the_subject(cloud: LocalCloud, desk: Desk) -> None:
    first = cloud.receive_email((EVENTS / "access_request.eml").read_bytes())["outcomes"][0]
    acknowledgement = _acknowledgement_to(cloud, "alan@example.net")

    outcome = cloud.receive_email(_reply(acknowledgement.message_id, "Mallory <mallory@example.com>"))

    assert outcome["outcomes"][0]["disposition"] == "reply"
    [replied] = [e for e in desk.store.events(first["request_id"]) if e.action == "subject replied"]
    assert replied.detail["sender"] == "m***@e***.com"
    assert replied.detail["sender_is_subject"] is False


def test_a_reply_naming_an_unknown_request_is_read_as_new_mail(cloud: LocalCloud, desk: Desk) -> None:
    unknown = make_msgid(idstring=str(uuid.uuid4()), domain="desk.example")

    outcome = cloud.receive_email(_reply(unknown))["outcomes"][0]

    assert outcome["disposition"] == "request"
    assert [t.value for t in desk.store.get(outcome["request_id"]).request_types] == ["erasure"]


# --- what cannot be understood ---------------------------------------------------------------


def _mail(subject: str, body: str, sender: str | None = "Someone <someone@example.com>") -> bytes:
    from_line = f"From: {sender}\r\n" if sender is not None else ""
    return (
        f"{from_line}To: privacy@desk.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4()}@example.com>\r\n\r\n{body}\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("raw", "reason", "answered"),
    [
        (_mail("", ""), "the message is empty", True),
        (_mail("Hello", ""), "no recognisable request and no body", True),
        (_mail("Delete my data", "", sender=None), "no From address", False),
        (_mail("Delete my data", "", sender="Ada Lovelace"), "the From address is not a valid", False),
        (_mail("Delete my data", "", sender="a@example.com, b@example.com"), "more than one From", False),
        (
            b"From: someone@example.com\r\nContent-Type: text/plain; charset=klingon\r\n\r\nqapla'\r\n",
            "no recognisable request; unknown charset 'klingon'",
            True,
        ),
        (
            (EVENTS / "garbled.eml").read_bytes(),
            "no recognisable request and no body; the MIME structure is broken",
            True,
        ),
        (b"", "no From address", False),
        (b"\x00\xff\xfe\r\n\r\n\x80", "no From address", False),
    ],
    ids=[
        "empty",
        "subject only",
        "no From",
        "From without address",
        "two From addresses",
        "unknown charset",
        "garbled MIME",
        "zero bytes",
        "binary",
    ],
)
def test_mail_that_cannot_be_understood_is_triaged_with_the_reason(
    cloud: LocalCloud, desk: Desk, raw: bytes, reason: str, answered: bool
) -> None:
    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "triage"
    assert outcome["reason"].startswith(reason)
    assert desk.store.open_requests() == []
    [item] = _triage_items(desk)
    assert item["reason"] == outcome["reason"]
    assert len(cloud.outbox()) == (1 if answered else 0)


def test_a_message_the_parser_cannot_read_is_triaged_not_raised(
    cloud: LocalCloud, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parser_gives_up(raw: bytes) -> Message:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(dsr.inbox.email_reading, "parse_message", parser_gives_up)

    outcome = cloud.receive_email((EVENTS / "access_request.eml").read_bytes())["outcomes"][0]

    assert outcome == {
        "disposition": "triage",
        "request_id": None,
        "triage_id": outcome["triage_id"],
        "reason": "the message could not be read (RecursionError)",
    }
    assert cloud.outbox() == []


def test_a_message_missing_from_the_bucket_is_triaged(cloud: LocalCloud, desk: Desk) -> None:
    event = json.loads((EVENTS / "ses_receipt.json").read_text())

    outcome = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]

    assert outcome["disposition"] == "triage"
    assert outcome["reason"] == "the raw message is not in the inbound mail bucket"


# --- the sample SES receipt event ------------------------------------------------------------


def test_the_sample_ses_receipt_event_makes_a_request(cloud: LocalCloud, desk: Desk) -> None:
    event = json.loads((EVENTS / "ses_receipt.json").read_text())
    message_id = event["Records"][0]["ses"]["mail"]["messageId"]
    boto3.client("s3").put_object(
        Bucket=desk.settings.inbound_mail_bucket,
        Key=f"inbound/{message_id}",
        Body=(EVENTS / "access_request.eml").read_bytes(),
    )

    outcome = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]

    assert outcome["disposition"] == "request"
    request = desk.store.get(outcome["request_id"])
    assert [t.value for t in request.request_types] == ["access"]
    assert str(request.subject.email) == "alan@example.net"


def test_a_reply_quoting_the_message_id_ses_assigned_finds_its_request(cloud: LocalCloud, desk: Desk) -> None:
    # Given a request whose acknowledgement went out through SES, which names it by its own id
    first = cloud.receive_email((EVENTS / "access_request.eml").read_bytes())["outcomes"][0]
    wait_for_status(desk, first["request_id"], "VERIFYING")
    table = boto3.resource("dynamodb").Table(desk.settings.requests_table)
    sent = [item for item in table.scan()["Items"] if item["pk"].startswith("MAIL#")]
    assert sent, "the desk remembers the mail it sent"
    ses_id = sent[0]["pk"].removeprefix("MAIL#")

    # When the subject replies, and their mail program quotes only SES's Message-ID
    reply = (
        "From: Alan Turing <alan@example.net>\r\nTo: privacy@desk.example\r\n"
        "Subject: Re: We received your privacy request\r\n"
        f"In-Reply-To: <{ses_id}@email.amazonses.com>\r\nMessage-ID: <r1@example.net>\r\n\r\n"
        "Please also delete my account.\r\n"
    ).encode()
    outcome = cloud.receive_email(reply)["outcomes"][0]

    # Then the reply is attached to that request, and no new request is made
    assert outcome["disposition"] == "reply"
    assert "subject replied" in [e.action for e in desk.store.events(first["request_id"])]
    assert len(desk.store.open_requests()) == 1


def test_dsr_local_send_email_delivers_a_file_through_the_ses_path(
    local_api: LocalApi, desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    exit_code = main(
        [
            "local",
            "send-email",
            str(EVENTS / "access_request.eml"),
            "--json",
            "--url",
            local_api.cloud.base_url,
        ]
    )

    printed = json.loads(capsys.readouterr().out)
    assert exit_code == 0
    [outcome] = printed["outcomes"]
    assert outcome["disposition"] == "request"
    assert desk.store.get(outcome["request_id"]).channel.value == "email"
