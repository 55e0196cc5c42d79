"""Text the company writes in the registry for subjects: a plain string (English) or one text per
language; a subject reads their language's, Canadian French falls back to French, and English
shown for want of a translation is marked as English on a page."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest

import dsr
from dsr.closing.closing import english_in_summary
from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.registry import RegistryError, load_registry, parse_registry
from dsr.core.registry_text import LocalText, subject_texts
from dsr.notices import subject_notices as notices
from dsr.notices.package_page import readable_package
from dsr.notices.rights_answers import automated_decisions_text, third_parties_text
from dsr.wiring.desk import Desk
from dsr_cli.registry_check import check_registry
from tests.unit.test_catalogs import FRENCH_LOOSE_SPACE

SHIPPED_REGISTRY = Path(dsr.__file__).parent / "config" / "systems.yaml"

REGISTRY = """systems:
  - id: invoices
    name:
      en: Invoices
      fr: Factures
      de: Rechnungen
    owner: finance
    categories: [billing details]
    store: {kind: dynamodb, table: invoices, index: ByEmail, identity_attribute: email, key_attributes: [id]}
    actions:
      export: {}
      erase: {method: delete}
    exemptions:
      - applies_to: [erase]
        reason: Tax law requires us to keep invoices for several years
        citation:
          en: 26 U.S.C. 6001
          fr: 26 U.S.C. 6001
          fr_CA: 26 U.S.C. 6001
          de: 26 U.S.C. 6001
          es: 26 U.S.C. 6001
        instead: {method: anonymize, fields: {name: "[removed]"}}
    third_parties:
      - name: Fabrikam Reseller Partners LLC
        purpose: {en: the reseller an account was bought through, fr-CA: le revendeur du compte}
"""


def test_a_text_is_read_in_the_subjects_language_and_as_english_by_staff() -> None:
    system = parse_registry(REGISTRY).system("invoices")

    assert system.name.in_language("de") == "Rechnungen"
    assert system.name.in_language("fr") == "Factures"
    # What staff, logs and the audit trail read: the English, as a string
    assert system.name == "Invoices"
    assert isinstance(system.name, str)
    assert system.model_dump()["name"] == "Invoices"


def test_canadian_french_falls_back_to_french_then_every_language_to_english() -> None:
    system = parse_registry(REGISTRY).system("invoices")

    assert system.name.shown_in("fr_CA") == ("Factures", "fr")
    assert system.name.shown_in("es") == ("Invoices", "en")
    # A plain string is English in every language
    assert system.exemptions[0].reason.shown_in("de") == (
        "Tax law requires us to keep invoices for several years",
        "en",
    )
    # A tag written as BCP 47 (fr-CA) is read as Babel's fr_CA; French itself has none here
    purpose = system.third_parties[0].purpose
    assert purpose.shown_in("fr_CA") == ("le revendeur du compte", "fr_CA")
    assert purpose.shown_in("fr") == ("the reseller an account was bought through", "en")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("{fr: Factures}", "systems.0.name (system 'invoices'): the English text (en) is required"),
        (
            "{en: Invoices, pt: Faturas}",
            "systems.0.name (system 'invoices'): pt is not a language the desk ships",
        ),
        (
            "{en: Invoices, de: ''}",
            "systems.0.name (system 'invoices'): String should have at least 1 character",
        ),
        (
            f"{{en: Invoices, de: {'R' * 201}}}",
            "systems.0.name (system 'invoices'): the de text is longer than 200",
        ),
        ("[Invoices]", "systems.0.name (system 'invoices'): give the text as a string (English) or as {en"),
    ],
)
def test_a_translation_the_desk_cannot_use_is_refused_naming_the_system_and_field(
    name: str, problem: str
) -> None:
    text = REGISTRY.replace(
        "    name:\n      en: Invoices\n      fr: Factures\n      de: Rechnungen\n", f"    name: {name}\n"
    )
    with pytest.raises(RegistryError) as refused:
        parse_registry(text)
    assert problem in str(refused.value)


def test_the_shipped_registry_speaks_every_shipped_language() -> None:
    registry = load_registry(SHIPPED_REGISTRY)

    untranslated = [
        (system.id, where, text.falls_back_to_english())
        for system in registry.systems
        for where, text in subject_texts(system)
        if text.falls_back_to_english()
    ]

    assert untranslated == []
    # French holds its punctuation to the word before as the catalogs do (test_catalogs.py)
    french = [
        text.in_language(language)
        for system in registry.systems
        for _, text in subject_texts(system)
        for language in ("fr", "fr_CA")
    ]
    assert [text for text in french if FRENCH_LOOSE_SPACE.search(text)] == []
    invoices = registry.system("billing-invoices")
    assert invoices.exemptions[0].reason.in_language("de").startswith("Das Steuerrecht")
    assert registry.system("device-logs").name.in_language("fr_CA").startswith("Renseignements")


def test_the_answers_to_rights_give_the_registrys_words_in_the_subjects_language() -> None:
    registry = load_registry(SHIPPED_REGISTRY)

    parties = third_parties_text(registry.third_parties(["accounts"]), from_every_system=False, language="es")
    decisions = automated_decisions_text(registry.automated_decision_systems(), "de")

    assert "- Fabrikam Reseller Partners LLC: el revendedor autorizado" in parties
    assert "Cuentas de la plataforma" in parties
    assert "the authorized reseller" not in parties
    assert "- Entscheidungen über die Zahlung auf Rechnung" in decisions
    assert "Das Finanzteam prüft auf Anfrage jede Ablehnung" in decisions
    assert "finance team" not in decisions


def _page(language: str, name: LocalText, purpose: LocalText) -> str:
    header = {
        "generated_at": "2026-11-29T10:00:00+00:00",
        "systems": {
            "accounts": {
                "name": name,
                "categories": ["contact details"],
                "third_parties": [{"name": "Fabrikam Reseller Partners LLC", "purpose": purpose}],
            }
        },
        "nothing_found": {"tickets": LocalText("Support tickets", {"de": "Support-Tickets"})},
    }
    return b"".join(readable_package("r-1", ["accounts"], header, lambda _: iter([]), language)).decode()


def test_the_package_page_marks_english_shown_for_want_of_a_translation() -> None:
    name = LocalText("Platform accounts", {"de": "Plattformkonten", "fr": "Comptes de la plateforme"})
    purpose = LocalText("to bill the account")

    german = _page("de", name, purpose)
    spanish = _page("es", name, purpose)
    quebec = _page("fr_CA", name, purpose)

    assert "<h2>Plattformkonten</h2>" in german
    assert '<span lang="en">to bill the account</span>' in german
    assert "<li>Support-Tickets</li>" in german
    assert '<h2><span lang="en">Platform accounts</span></h2>' in spanish
    assert '<li><span lang="en">Support tickets</span></li>' in spanish
    # French shown on a Canadian French page is the page's own language: nothing to mark
    assert "<h2>Comptes de la plateforme</h2>" in quebec
    assert "<h2>Platform accounts</h2>" in _page("en", name, purpose)


def test_the_registry_check_warns_of_each_text_a_language_would_read_in_english(tmp_path: Path) -> None:
    registry = tmp_path / "systems.yaml"
    registry.write_text(REGISTRY)
    out = io.StringIO()

    status = check_registry(registry, None, out)

    lines = out.getvalue().splitlines()
    warnings = [line for line in lines if ": warning: " in line]
    assert status == 0
    assert f"{registry}:3: system invoices: warning: name has no es text" in "\n".join(warnings)
    assert any(": warning: exemptions.0.reason has no fr, fr_CA, de, es text" in w for w in warnings)
    assert any(
        line.endswith(
            "third_parties.0.purpose has no fr, de, es text: subjects reading them are shown "
            "the English (give {en: ..., fr: ..., de: ...}; fr_CA falls back to fr)"
        )
        for line in warnings
    )
    assert not any("citation" in line for line in warnings)
    assert any(": 1 systems;" in line for line in lines)  # warned of, and still usable


def test_a_completion_email_marks_the_english_it_shows_for_want_of_a_translation() -> None:
    registry = parse_registry(REGISTRY)
    request = _request("es")
    desk = cast(Desk, SimpleNamespace(registry=registry))

    in_english = english_in_summary(desk, request)
    summary = (
        "Lo que hicimos:\n- Invoices: conservamos 1 registro por este motivo: tax law requires us to "
        "keep invoices for several years (26 U.S.C. 6001)"
    )
    notice = notices.completion(request, summary, in_english=in_english)

    assert "Invoices" in in_english
    assert "tax law requires us to keep invoices for several years" in in_english
    html = notice.html or ""
    assert '<span lang="en">Invoices</span>: conservamos 1 registro' in html
    assert 'motivo: <span lang="en">tax law requires us to keep invoices for several years</span> (26' in html
    assert "<span" not in notice.body
    # German has the name's translation: nothing of it is English
    assert "Invoices" not in english_in_summary(desk, _request("de"))
    assert english_in_summary(desk, _request("en")) == []


def _request(language: str) -> PrivacyRequest:
    return PrivacyRequest(
        request_id="8d5bd9a4-3f0e-4a57-9e55-0c7f1f0e2a11",
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="ada@example.com"),
        relationship=Relationship.OTHER,
        jurisdiction="UK",
        channel=Channel.WEB,
        status=Status.COMPLETED,
        received_at=datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
        respond_by=datetime(2027, 1, 5, 12, 0, tzinfo=UTC),
        language=language,
    )
