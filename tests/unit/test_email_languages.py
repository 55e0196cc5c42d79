"""Every email to a subject, in each language the desk ships: written in the request's language
(English when it has none) with its dates as that language writes them, and sent as a plain-text
part and an HTML part saying the same, both tagged with the language."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any

import pytest

from dsr.core.actions import Action
from dsr.core.identities import SubjectIdentity
from dsr.core.languages import SHIPPED_LANGUAGES, html_lang
from dsr.core.mailer import Mailer
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.fulfilment.results import describe_outcome
from dsr.notices import subject_notices as notices
from dsr.notices.rights_answers import review_text, third_parties_text
from dsr.notices.subject_notices import AppealInvitation, ComplaintInvitation, Notice
from dsr.policies.deadline_rules import Period
from dsr.policies.proofs import Proof
from tests.unit.test_mailer import CapturingSes

REQUEST_ID = "8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11"
DUE = datetime(2027, 1, 5, 12, 0, tzinfo=UTC)
UNTIL = datetime(2027, 2, 1, 10, 30, tzinfo=UTC)
STATUS_URL = "https://desk.example/status/8d5bd9a4?token=a%2Fb"
DUE_DAY = {
    "en": "5 January 2027",
    "fr": "5 janvier 2027",
    "fr_CA": "5 janvier 2027",
    "de": "5. Januar 2027",
    "es": "5 de enero de 2027",
}


def _request(language: str | None, *types: RequestType) -> PrivacyRequest:
    return PrivacyRequest(
        request_id=REQUEST_ID,
        request_types=list(types or [RequestType.ACCESS, RequestType.ERASURE]),
        subject=SubjectIdentity(email="ada@example.com", name="Ada Lovelace"),
        relationship=Relationship.OTHER,
        jurisdiction="UK",
        channel=Channel.WEB,
        status=Status.IN_PROGRESS,
        received_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        respond_by=DUE,
        language=language,
    )


APPEAL = AppealInvitation(UNTIL, STATUS_URL)
COMPLAINT = ComplaintInvitation(
    Period(amount=30, unit="calendar_days", counting="day_of_receipt"),
    "the Information Commissioner's Office (ICO)",
)
EVERY_EMAIL: dict[str, Callable[[PrivacyRequest], Notice]] = {
    "acknowledgement": lambda r: notices.acknowledgement(r, STATUS_URL, Proof.CODE_AND_DETAILS),
    "already_open": lambda r: notices.already_open(r, "11111111-2222-3333-4444-555555555555"),
    "verification_code": lambda r: notices.verification_code(
        r, "123456", STATUS_URL, 30, data_point_labels=["Phone number on the account"], data_points_needed=1
    ),
    "account_sign_in": lambda r: notices.account_sign_in(r, "https://product.example/login"),
    "completion": lambda r: notices.completion(r, "- CRM", "https://desk.example/download/x", UNTIL),
    "partly": lambda r: notices.completion(r, "- CRM", partly=True),
    "download_code": lambda r: notices.download_code(r, "654321", 15),
    "denial": lambda r: notices.denial(r, "manifestly unfounded", APPEAL),
    "denial_complaint": lambda r: notices.denial(r, "manifestly unfounded", None, COMPLAINT),
    "denial_authority": lambda r: notices.denial(r, "manifestly unfounded"),
    "unverifiable": lambda r: notices.unverifiable(r, APPEAL),
    "cancelled": lambda r: notices.cancelled(r, "withdrawn"),
    "extension": lambda r: notices.extension(r, "complex"),
    "information_requested": lambda r: notices.information_requested(r, "Which account?", False),
    "clock_paused": lambda r: notices.information_requested(r, "Which account?", True),
    "appeal_received": lambda r: notices.appeal_received(r, DUE),
    "appeal_extended": lambda r: notices.appeal_extended(r, DUE, "busy"),
    "appeal_upheld": lambda r: notices.appeal_upheld(
        r, "exempt", "the ICO", "https://ico.org.uk/make-a-complaint/"
    ),
    "appeal_granted": lambda r: notices.appeal_granted(r, "we erred"),
}
WITH_DUE_DAY = {"acknowledgement", "extension", "information_requested", "appeal_received", "appeal_extended"}


def _shown(markup: str) -> str:
    """The words a reader of the HTML part sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
@pytest.mark.parametrize("name", EVERY_EMAIL)
def test_each_email_is_in_the_requests_language_as_plain_text_and_the_same_html(
    name: str, language: str
) -> None:
    notice = EVERY_EMAIL[name](_request(language))
    english = EVERY_EMAIL[name](_request(None))

    assert notice.language == language
    assert (notice.subject != english.subject) is (language != "en")
    assert (notice.body != english.body) is (language != "en")
    assert REQUEST_ID[:8] in notice.subject
    assert notice.html is not None and f'<html lang="{html_lang(language)}">' in notice.html
    assert html.unescape(re.findall(r"<title>(.*)</title>", notice.html)[0]) == notice.subject
    shown = _shown(notice.html)
    for line in notice.body.splitlines():
        assert " ".join(line.removeprefix("- ").split()) in shown, line
    for link in re.findall(r"https://\S+[^\s.,:)]", notice.body):
        assert f'<a href="{html.escape(link)}">' in notice.html
    if name in WITH_DUE_DAY:
        assert DUE_DAY[language] in notice.body


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_the_sent_message_is_multipart_with_both_parts_and_its_content_language(language: str) -> None:
    notice = notices.verification_code(_request(language), "123456", STATUS_URL, 30)
    ses = CapturingSes()

    Mailer(ses, "privacy@desk.example").send(  # type: ignore[arg-type]
        "ada@example.com", notice.subject, notice.body, REQUEST_ID, language=notice.language, html=notice.html
    )

    sent: Any = message_from_bytes(ses.raw[0], policy=policy.default)
    assert sent.get_content_type() == "multipart/alternative"
    assert sent["Content-Language"] == html_lang(language)
    plain, markup = sent.get_body(("plain",)).get_content(), sent.get_body(("html",)).get_content()
    assert "123456" in plain and "123456" in markup
    assert STATUS_URL in plain and f'href="{html.escape(STATUS_URL)}"' in markup


@pytest.mark.parametrize(
    ("language", "period", "regulator"),
    [
        ("en", "within 30 calendar days", "complain to the Information Commissioner's Office (ICO)."),
        (
            "de",
            "innerhalb von 30 Kalendertagen",
            "das Information Commissioner's Office (ICO), die britische",
        ),
        (
            "fr_CA",
            "dans un délai de 30 jours civils",
            "l'Information Commissioner's Office (ICO), l'autorité",
        ),
        ("es", "30 días naturales", "la Information Commissioner's Office (ICO), la autoridad británica"),
    ],
)
def test_a_uk_refusal_names_the_period_and_the_regulator_in_the_subjects_language(
    language: str, period: str, regulator: str
) -> None:
    body = notices.denial(_request(language), "manifestly unfounded", None, COMPLAINT).body

    assert period in body
    assert regulator in body


def test_an_upheld_appeal_names_the_regulator_in_the_subjects_language() -> None:
    french = notices.appeal_upheld(_request("fr"), "exempt", "the Montana Attorney General", None).body
    spanish = notices.appeal_upheld(_request("es"), "exempt", None, None).body

    assert "le procureur général du Montana\u00a0: (voir le site de l'autorité)" in french
    assert (
        "la autoridad de protección de datos de su país: (consulte el sitio web de la autoridad)" in spanish
    )


def test_a_request_without_a_recorded_language_is_written_to_in_english() -> None:
    notice = notices.extension(_request(None), "complex")

    assert notice.language == "en"
    assert notice.subject == f"More time is needed for your privacy request {REQUEST_ID[:8]}"
    assert "We will now respond by 5 January 2027 at the latest." in notice.body


def test_german_and_quebec_french_words_and_dates() -> None:
    german = notices.acknowledgement(_request("de", RequestType.ACCESS), STATUS_URL)
    quebec = notices.acknowledgement(_request("fr_CA", RequestType.ACCESS), STATUS_URL)
    france = notices.acknowledgement(_request("fr", RequestType.ACCESS), STATUS_URL)

    assert german.subject == f"Wir haben Ihre Datenschutzanfrage {REQUEST_ID[:8]} erhalten"
    assert "Wir antworten Ihnen spätestens am 5. Januar 2027." in german.body
    assert "cette adresse courriel" in quebec.body and "courriel" not in france.body
    assert "Nous vous répondrons au plus tard le 5 janvier 2027." in quebec.body


def test_what_a_completion_says_of_each_system_is_in_the_requests_language() -> None:
    deleted = {"status": "done", "records": 2}
    nothing = {"status": "nothing_found", "records": 0}

    assert describe_outcome(Action.ERASE, deleted) == "2 records deleted."
    assert describe_outcome(Action.ERASE, deleted, "de") == "2 Datensätze gelöscht."
    assert describe_outcome(Action.EXPORT, {"status": "done", "records": 1}, "fr_CA") == (
        "1 enregistrement copié dans votre téléchargement."
    )
    assert (
        describe_outcome(Action.ERASE, nothing, "es")
        == "no encontramos aquí ningún dato personal sobre usted."
    )
    assert describe_outcome(Action.RESTRICT, {"status": "waiting"}, "de") == (
        "der Auftrag „Einschränkung“ wurde weitergegeben, und wir warten auf die Bestätigung."
    )
    assert third_parties_text([], from_every_system=False, language="fr") == (
        "Tiers\u00a0: nous n'avons communiqué à aucun tiers les données personnelles trouvées à votre sujet."
    )
    assert review_text(None, "de").startswith("Überprüfung der Entscheidung:")
