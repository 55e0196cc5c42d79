"""Each email of a journey in the subject's language, over the local cloud: a request mailed in
German is answered in German from the acknowledgement to the closing, with German dates; a form
request from Quebec that names no language is answered in Canadian French. Each message carries
the same content as plain text and as HTML, tagged with its language."""

from __future__ import annotations

import html
import re
from email import message_from_bytes, policy
from email.utils import make_msgid
from pathlib import Path

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud, SentMail
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status, wait_until

EVENTS = Path(__file__).resolve().parents[2] / "events" / "email_intake"
GERMAN_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
GERMAN_DATE = re.compile(rf"\b\d{{1,2}}\. ({GERMAN_MONTHS}) \d{{4}}\b")
ADA = "ada@example.com"
ADA_DETAILS = {"phone": "+44 20 7123 4567", "postal_code": "SW1A 1AA"}
ENGLISH_MONTH = re.compile(r"\b(January|February|March|May|June|July|October|December)\b")


def _german_request_from(address: str) -> bytes:
    """The German access request of the sample events, sent from ``address``."""
    mail = message_from_bytes((EVENTS / "access_request_de.eml").read_bytes(), policy=policy.default)
    del mail["From"], mail["Message-ID"]
    mail["From"] = address
    mail["Message-ID"] = make_msgid(domain="example.com")
    return mail.as_bytes()


def _mails(cloud: LocalCloud, request_id: str, to: str = ADA) -> list[SentMail]:
    """What the subject was sent about the request (not the hand-offs to vendors), oldest first."""
    return [mail for mail in cloud.outbox() if mail.request_id == request_id and mail.to == [to]]


def _html_text(markup: str) -> str:
    """What a reader of the HTML part sees: its words, without the tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def _assert_both_parts_say_the_same(mail: SentMail, tag: str) -> None:
    assert mail.language == tag
    assert mail.html is not None
    assert f'<html lang="{tag}">' in mail.html
    shown = _html_text(mail.html)
    for line in mail.body.splitlines():
        assert " ".join(line.removeprefix("- ").split()) in shown, line


def test_a_request_mailed_in_german_is_answered_in_german_from_start_to_close(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    outcome = cloud.receive_email(_german_request_from(ADA))["outcomes"][0]
    request_id = outcome["request_id"]
    wait_for_status(desk, request_id, "VERIFYING")
    code = verification_code(cloud, request_id)
    verified = public.post(f"/requests/{request_id}/verification", {"code": code, "data_points": ADA_DETAILS})
    assert verified.status == 200
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    wait_until("the closing email", lambda: len(_mails(cloud, request_id)) >= 3)

    acknowledgement, verification, closing = _mails(cloud, request_id)[:3]
    assert acknowledgement.subject == f"Wir haben Ihre Datenschutzanfrage {request_id[:8]} erhalten"
    assert "Vielen Dank. Wir haben Ihre Anfrage auf eine Kopie Ihrer personenbezogenen Daten erhalten." in (
        acknowledgement.body
    )
    assert re.search(r"Wir antworten Ihnen spätestens am " + GERMAN_DATE.pattern, acknowledgement.body)
    assert verification.subject == f"Ihr Bestätigungscode für die Datenschutzanfrage {request_id[:8]}"
    assert f"Ihr Bestätigungscode lautet {code}" in verification.body
    assert "- Telefonnummer des Kontos" in verification.body
    assert closing.subject == f"Ihre Datenschutzanfrage {request_id[:8]} ist erledigt"
    assert "Wir haben Ihre Anfrage auf eine Kopie Ihrer personenbezogenen Daten erledigt." in closing.body
    assert "Was wir getan haben:\n- " in closing.body and "What we did" not in closing.body
    assert "Datensatz in Ihren Download kopiert." in closing.body
    assert "Dritte: " in closing.body
    assert re.search(
        r"Der Link funktioniert bis zum " + GERMAN_DATE.pattern + r", \d\d:\d\d UTC", closing.body
    )
    for mail in (acknowledgement, verification, closing):
        assert f"Referenznummer: {request_id}" in mail.body or code in mail.body
        assert not ENGLISH_MONTH.search(mail.body)
        _assert_both_parts_say_the_same(mail, "de")


def test_a_form_request_from_quebec_naming_no_language_is_answered_in_canadian_french(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    receipt = submit(public, jurisdiction="CA-QC").body
    request_id = receipt["request_id"]
    code = verification_code(cloud, request_id)

    assert desk.store.get(request_id).language == "fr_CA"
    acknowledgement, verification = _mails(cloud, request_id)[:2]
    assert acknowledgement.subject == f"Nous avons bien reçu votre demande {request_id[:8]}"
    # Quebec's law speaks of "renseignements personnels", and so do its emails
    assert "Nous avons bien reçu votre demande concernant une copie de vos renseignements personnels." in (
        acknowledgement.body
    )
    assert "données personnelles" not in acknowledgement.body
    assert "cette adresse courriel" in acknowledgement.body
    assert f"Votre code de vérification est {code}" in verification.body
    for mail in (acknowledgement, verification):
        _assert_both_parts_say_the_same(mail, "fr-CA")


def test_the_outbox_page_shows_the_language_of_each_message(cloud: LocalCloud, public: DeskClient) -> None:
    submit(public, jurisdiction="CA-QC", subject={"email": "marie@example.ca"})
    wait_until("an email in French", lambda: any(m.language == "fr-CA" for m in cloud.outbox()))

    page = public.call("GET", "/_local/outbox").body

    assert "Language: Français (Canada) (fr-CA)" in page
    assert '<h2 lang="fr-CA">Nous avons bien reçu votre demande' in page


def test_mail_asking_in_german_for_a_correction_is_answered_in_german(cloud: LocalCloud) -> None:
    raw = (
        "From: Lena <lena@example.de>\r\nTo: privacy@desk.example\r\nSubject: Berichtigung\r\n"
        f"Message-ID: {make_msgid(domain='example.de')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Bitte berichtigen Sie meinen Nachnamen.\r\n"
    ).encode()

    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "triage"
    [answer] = [mail for mail in cloud.outbox() if mail.to == ["lena@example.de"]]
    assert answer.subject == "Zu Ihrer Nachricht an unser Datenschutzteam"
    assert "müssen wir wissen, welche Angaben falsch sind" in answer.body
    _assert_both_parts_say_the_same(answer, "de")
