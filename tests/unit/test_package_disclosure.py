"""GDPR art. 15(1) beside the data: the package names each system's purposes, sources and
recipients, and each field as the registry labels and describes it, in the request's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsr.core.registry import load_registry
from dsr.core.registry_stores import SaasStore
from dsr.core.registry_text import LocalText, subject_texts
from dsr.fulfilment.package_building import _beside_the_data
from dsr.notices.package_page import FIELD_LABELS, readable_package

SYSTEMS = Path(__file__).parents[2] / "functions" / "dsr" / "config" / "systems.yaml"


def _page(header: dict[str, Any], records: dict[str, list[Any]], language: str) -> str:
    systems = list(records)
    return b"".join(readable_package("r-1", systems, header, records.__getitem__, language)).decode()


def test_the_package_says_why_from_where_and_to_whom_and_names_fields_as_the_registry_does() -> None:
    registry = load_registry(SYSTEMS)
    payments = next(s for s in registry.systems if s.id == "card-payments")
    accounts = next(s for s in registry.systems if s.id == "accounts")
    header = {
        "generated_at": "2027-01-05T09:30:00+00:00",
        "systems": {
            system.id: {"name": system.name, "records": 1, **_beside_the_data(system)}
            for system in (payments, accounts)
        },
    }
    records = {
        "card-payments": [{"object": "charge", "receipt_email": "ada@example.com", "created": 1767605400}],
        "accounts": [{"plan": "business"}],
    }

    german = _page(header, records, "de")

    assert "<p>Wofür wir sie verwenden:</p>" in german
    assert "<li>um Ihre Kartenzahlungen einzuziehen und sie festzuhalten</li>" in german
    assert "<p>Woher wir sie haben:</p>" in german
    assert "<p>Wer sie erhält:</p>" in german
    assert "<li>unser Zahlungsdienstleister, um Ihre Zahlungen einzuziehen</li>" in german
    assert "<dt>Beleg gesendet an</dt><dd>ada@example.com</dd>" in german
    assert "<dt>Art des Datensatzes</dt><dd>charge<br><small>eine Belastung (eine Zahlung)" in german
    assert "<dt>Erfolgt am</dt><dd>5. Januar 2026" in german
    assert "<dt>Tarif</dt><dd>business<br><small>der Tarif Ihres Kontos" in german
    assert 'lang="en"' not in german.split("<body", 1)[1]  # every label has its German words


def test_a_registry_text_without_the_language_is_shown_in_english_and_marked_so() -> None:
    header = {
        "generated_at": "2027-01-05T09:30:00+00:00",
        "systems": {
            "crm": {
                "name": "CRM",
                "records": 1,
                "purposes": [LocalText("to answer your questions")],
                "fields": {"ticket_ref": {"label": LocalText("Ticket", {"fr": "Demande"})}},
            }
        },
    }
    records = {"crm": [{"ticket_ref": "T-1"}]}

    german, french = _page(header, records, "de"), _page(header, records, "fr_CA")

    assert '<li><span lang="en">to answer your questions</span></li>' in german
    assert '<dt lang="en">Ticket</dt><dd>T-1</dd>' in german
    assert "<dt>Demande</dt><dd>T-1</dd>" in french  # Canadian French reads French's words


def test_the_registry_check_reads_every_text_beside_the_data() -> None:
    accounts = next(s for s in load_registry(SYSTEMS).systems if s.id == "accounts")

    where = [place for place, _ in subject_texts(accounts)]

    assert {"disclosure.purposes.0", "disclosure.sources.0", "disclosure.recipients.1"} <= set(where)
    assert {"disclosure.fields.plan.label", "disclosure.fields.plan.description"} <= set(where)
    assert all(not text.falls_back_to_english() for _, text in subject_texts(accounts))


def test_every_field_a_saas_tool_keeps_is_named_in_every_language_the_desk_ships() -> None:
    unnamed = []
    for system in load_registry(SYSTEMS).systems:
        if not isinstance(system.store, SaasStore):
            continue
        definition = system.store.definition()
        kept = {*definition.find.keep, *(field for step in definition.export for field in step.keep)}
        for field in sorted(kept - set(FIELD_LABELS)):
            labelled = system.disclosure.fields.get(field)
            if labelled is None or labelled.label.falls_back_to_english():
                unnamed.append(f"{system.id}: {field}")

    assert unnamed == []


def test_every_demonstration_system_says_why_and_from_where_in_every_language() -> None:
    silent = [
        system.id
        for system in load_registry(SYSTEMS).systems
        if not (system.disclosure.purposes and system.disclosure.sources)
    ]

    assert silent == []
