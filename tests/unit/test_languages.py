"""The language the desk speaks to a subject in: each rung of the choice, and what falls through."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr.core.languages import (
    SHIPPED_LANGUAGES,
    LanguageHints,
    accepted_tags,
    browser_language,
    chosen_language,
    language_name,
)
from dsr.inbox.email_phrases import written_language


def test_the_requests_preferred_language_comes_first() -> None:
    hints = LanguageHints(preferred="es", email="de", browser="fr")

    assert chosen_language(hints, "CA-QC") == "es"


def test_a_preferred_language_is_read_with_its_region_or_without_it() -> None:
    assert chosen_language(LanguageHints(preferred="fr-CA")) == "fr_CA"
    assert chosen_language(LanguageHints(preferred="fr-BE")) == "fr"
    assert chosen_language(LanguageHints(preferred="en-GB")) == "en"
    assert chosen_language(LanguageHints(preferred="DE")) == "de"


def test_without_a_preference_the_language_the_email_was_written_in() -> None:
    assert chosen_language(LanguageHints(email="de", browser="fr"), "CA-QC") == "de"


def test_a_preference_the_desk_cannot_meet_passes_to_the_next_rung() -> None:
    assert chosen_language(LanguageHints(preferred="pt-BR", email="es")) == "es"
    assert chosen_language(LanguageHints(preferred="ja", browser="de-AT, en;q=0.5")) == "de"


def test_without_either_the_browsers_accept_language_by_its_weights() -> None:
    assert chosen_language(LanguageHints(browser="en;q=0.4, es-MX;q=0.9, pt"), "CA-QC") == "es"
    assert chosen_language(LanguageHints(browser="fr-CA,fr;q=0.9")) == "fr_CA"


def test_a_language_the_browser_refuses_or_a_wildcard_is_not_chosen() -> None:
    assert accepted_tags("de;q=0, *;q=0.5, fr;q=0.2") == ["fr"]
    assert browser_language("de;q=0, *") is None


def test_without_any_hint_quebec_gets_canadian_french() -> None:
    assert chosen_language(LanguageHints(), "CA-QC") == "fr_CA"
    assert chosen_language(LanguageHints(browser="ja, zh;q=0.8"), "CA-QC") == "fr_CA"


def test_elsewhere_without_any_hint_english() -> None:
    assert chosen_language(LanguageHints(), "CA") == "en"
    assert chosen_language(LanguageHints(), "EU") == "en"
    assert chosen_language(LanguageHints(browser="xx"), None) == "en"


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80), st.text(max_size=300))
def test_whatever_is_sent_the_choice_is_a_shipped_language(preferred: str, email: str, browser: str) -> None:
    assert chosen_language(LanguageHints(preferred, email, browser), "UK") in SHIPPED_LANGUAGES


def test_staff_see_each_language_named_in_itself() -> None:
    assert language_name("fr_CA") == "Français (Canada)"
    assert language_name("de") == "Deutsch"
    assert language_name(None) == "Not recorded"


@pytest.mark.parametrize(
    ("subject", "body", "language"),
    [
        (
            "Auskunft",
            "Ich bitte um Auskunft über meine Daten und möchte, dass Sie meine Daten löschen.",
            "de",
        ),
        ("Demande", "Je souhaite exercer mon droit d'accès à mes données personnelles.", "fr"),
        ("Solicitud", "Quiero ejercer mi derecho de acceso a mis datos.", "es"),
        ("Request", "Please delete my personal data.", "en"),
        ("Hello", "How are you?", None),
    ],
)
def test_email_intake_reads_which_language_a_request_is_written_in(
    subject: str, body: str, language: str | None
) -> None:
    assert written_language(subject, body) == language
