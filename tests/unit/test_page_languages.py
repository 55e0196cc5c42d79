"""The subject's pages in the language chosen for them: every visible word from the catalogs, the
page tagged with its language, and a switch to the others that keeps the page's own choices."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from dsr.web.form_reading import FormErrors, new_request_from_form
from dsr.web.request_form import law_recognised, request_form_page
from tests.unit.test_web_pages import HOSTILE, Page, _blank_form, _form


def test_the_form_in_german_is_german_throughout() -> None:
    page = Page(request_form_page(language="de"))

    assert page.one("html")["lang"] == "de"
    assert "Datenschutzanfrage stellen" in page.text
    assert "E-Mail-Adresse" in page.text
    assert "Anfrage senden" in page.text  # the submit button
    assert "Meine personenbezogenen Daten löschen" in page.text
    assert "Email address" not in page.text


def test_the_form_in_canadian_french_says_courriel() -> None:
    page = Page(request_form_page(language="fr_CA"))

    assert page.one("html")["lang"] == "fr-CA"
    assert "Adresse courriel" in page.text
    assert "renseignements personnels" in page.text
    assert "Envoyer ma demande" in page.text


def test_the_switch_names_each_language_in_itself_and_marks_the_one_shown() -> None:
    page = Page(request_form_page(language="es"))
    links = page.all("a")

    assert [(link["hreflang"], link["lang"]) for link in links] == [
        ("en", "en"),
        ("fr", "fr"),
        ("fr-CA", "fr-CA"),
        ("de", "de"),
        ("es", "es"),
    ]
    markup = request_form_page(language="es")
    for name in ("English", "Français", "Français (Canada)", "Deutsch", "Español"):
        assert f">{name}</a>" in markup
    assert [link.get("aria-current") for link in links] == [None, None, None, None, "true"]
    assert page.one("nav")["aria-label"] == "Idioma"


def test_the_switch_keeps_the_pages_other_query_fields() -> None:
    page = Page(request_form_page(language="en", query={"country": "CA", "region": "QC", "lang": "en"}))

    for link in page.all("a"):
        query = parse_qs(urlsplit(str(link["href"])).query)
        assert query["country"] == ["CA"]
        assert query["region"] == ["QC"]
        assert query["lang"] == [link["hreflang"]]


def test_a_language_chosen_on_the_switch_is_kept_when_the_form_is_sent() -> None:
    page = Page(request_form_page(language="de", query={"lang": "de"}, offered=[]))

    post, place = page.one("form", method="post"), page.one("form", method="get")
    assert post["action"] == "/privacy-request?lang=de"
    assert place["action"] == "/privacy-request"
    assert page.one("input", type="hidden", name="lang")["value"] == "de"


def test_errors_are_written_in_the_pages_language() -> None:
    with pytest.raises(FormErrors) as raised:
        new_request_from_form(_blank_form(request_types="rectification", email="nope", name="x" * 201), "de")
    errors = raised.value.errors

    assert errors["email"].startswith("Geben Sie eine gültige E-Mail-Adresse ein")
    assert errors["name"] == "Verwenden Sie höchstens 200 Zeichen."
    page = Page(request_form_page(_blank_form(email="nope"), errors, language="de"))
    assert page.text_by_id["error-summary-title"] == "Es gibt ein Problem"
    assert "Fehler: " in page.text_by_id["email-error"]
    assert page.all("title")


def test_a_country_that_does_not_exist_is_named_in_french() -> None:
    with pytest.raises(FormErrors) as raised:
        new_request_from_form(_form(request_types="access", email="a@example.com", country="XX"), "fr")

    assert raised.value.errors["country"].startswith("XX n'est pas un code de pays")


def test_a_law_keeps_its_official_name_in_each_language() -> None:
    assert "le RGPD (UE)" in law_recognised("EU GDPR", "fr")
    assert "die DSGVO (EU)" in law_recognised("EU GDPR", "de")
    assert "el RGPD (UE)" in law_recognised("EU GDPR", "es")
    assert "la Loi 25 (Québec)" in law_recognised("Quebec Law 25", "fr_CA")
    assert "EU GDPR" in law_recognised("EU GDPR")


def test_a_translated_page_still_escapes_what_a_person_typed() -> None:
    markup = request_form_page({"name": HOSTILE}, {"email": HOSTILE}, language="fr")

    assert HOSTILE not in markup
    assert HOSTILE in Page(markup).text_by_id["email-error"]
