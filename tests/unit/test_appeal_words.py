"""The word that opens an emailed appeal, in each language: the refusal names the subject's own,
and a reply opening with any language's word (after the prefixes mail clients add) is an appeal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dsr.core.appeal_words import APPEAL_WORDS, appeal_word, opens_with_appeal
from dsr.core.identities import SubjectIdentity
from dsr.core.languages import SHIPPED_LANGUAGES
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.notices import subject_notices as notices
from dsr.notices.subject_notices import AppealInvitation


def _refused(language: str) -> PrivacyRequest:
    return PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="ada@example.com", name="Ada Lovelace"),
        relationship=Relationship.OTHER,
        jurisdiction="US-CT",
        channel=Channel.WEB,
        status=Status.DENIED,
        received_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        respond_by=datetime(2027, 1, 5, 12, 0, tzinfo=UTC),
        language=language,
    )


APPEAL = AppealInvitation(datetime(2027, 2, 1, 10, 30, tzinfo=UTC), "https://desk.example/status/x")


def test_every_shipped_language_has_its_word() -> None:
    assert set(APPEAL_WORDS) == set(SHIPPED_LANGUAGES)


def test_the_german_refusal_names_einspruch_not_the_english_word() -> None:
    denial = notices.denial(_refused("de"), "manifestly unfounded", APPEAL)
    unverifiable = notices.unverifiable(_refused("de"), APPEAL)

    for notice in (denial, unverifiable):
        assert "mit dem Wort EINSPRUCH am Anfang" in notice.body
        assert "APPEAL" not in notice.body
        assert "EINSPRUCH" in (notice.html or "")


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "beginning with the word APPEAL"),
        ("fr", "en commençant par le mot CONTESTATION"),
        ("fr_CA", "en commençant par le mot CONTESTATION"),
        ("es", "empezando con la palabra RECURSO"),
    ],
)
def test_each_refusal_names_its_own_languages_word(language: str, said: str) -> None:
    assert said in notices.denial(_refused(language), "manifestly unfounded", APPEAL).body
    assert appeal_word(language) in said


@pytest.mark.parametrize(
    "reply",
    [
        "AW: WIDERSPRUCH: Ich war bis letztes Jahr Kunde.",
        "AW: EINSPRUCH: Ich war bis letztes Jahr Kunde.",
        "AW: AW: Einspruch gegen die Ablehnung",
        "WG: widerspruch",
        "TR: Contestation de la décision",
        "RE: Recurso",
        "APPEAL: I was a customer until last year.",
        "Re: Fwd: appeal",
        "RE : APPEL, je ne suis pas d'accord",
        "TR: Appel",
        "Réf. : appel",
        "RV: APELACIÓN: no estoy de acuerdo",
        "RE: apelacion",
        "  Widerspruch\nIch bin nicht einverstanden.",
    ],
)
def test_a_reply_opening_with_any_languages_word_is_an_appeal(reply: str) -> None:
    assert opens_with_appeal(reply)


@pytest.mark.parametrize(
    "reply",
    [
        "Thank you. I do not want to appeal.",
        "AW: Vielen Dank, ich lege keinen Widerspruch ein.",
        "Widerspruchsfrist: bis wann?",
        "Einspruchsformular gefunden, danke",
        "Appellation contrôlée",
        "Re: Your privacy request",
    ],
)
def test_a_reply_that_merely_mentions_an_appeal_is_not_one(reply: str) -> None:
    assert not opens_with_appeal(reply)
