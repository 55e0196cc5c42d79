"""Mail to the privacy address: a request when it asks for one, a triage item when it cannot."""

from __future__ import annotations

from pathlib import Path

import boto3

from dsr.desk import Desk
from local_cloud.cloud import LocalCloud
from tests.conftest import wait_for_status

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
