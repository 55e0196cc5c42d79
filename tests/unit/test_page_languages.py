"""The subject's pages in the language chosen for them: every visible word from the catalogs, the
page tagged with its language, and a switch to the others that keeps the page's own choices."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from dsr.closing.downloads import Redemption, Refusal, explain
from dsr.core.models import Status
from dsr.notices.public_views import SubjectView
from dsr.web.form_reading import FormErrors, new_request_from_form
from dsr.web.pages import (
    download_expired_page,
    download_links_page,
    download_page,
    message_page,
    status_page,
)
from dsr.web.request_form import law_recognised, request_form_page
from dsr.web.subject_actions import statement_problem
from tests.unit.test_web_pages import HOSTILE, REQUEST_ID, Page, _blank_form, _form, _view


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


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("ada", "Une adresse e-mail doit contenir un @."),
        ("ada@", "Il doit y avoir quelque chose après le @."),
        ("ada@example", "La partie après le @ n'est pas valide. Elle doit contenir un point."),
        (
            "a b@example.com",
            "La partie avant le @ contient des caractères interdits dans une adresse e-mail.",
        ),
        ("ada@example..com", "Une adresse e-mail ne peut pas contenir deux points de suite."),
    ],
)
def test_what_is_wrong_with_an_email_address_is_said_in_french(email: str, problem: str) -> None:
    with pytest.raises(FormErrors) as raised:
        new_request_from_form(_blank_form(email=email), "fr")

    assert (
        raised.value.errors["email"]
        == f"Saisissez une adresse e-mail valide, par exemple nom@example.com. {problem}"
    )


def test_a_problem_the_catalogs_have_no_words_for_is_left_out_rather_than_shown_in_english() -> None:
    with pytest.raises(FormErrors) as raised:
        new_request_from_form(_blank_form(email="ada@[1.2.3]"), "de")
    with pytest.raises(FormErrors) as in_english:
        new_request_from_form(_blank_form(email="ada@[1.2.3]"), "en")

    assert raised.value.errors["email"] == "Geben Sie eine gültige E-Mail-Adresse ein, etwa name@example.com."
    assert "It is not an IPv4 address" in in_english.value.errors["email"]


def test_an_appeal_without_reasons_or_with_too_many_is_refused_in_the_subjects_language() -> None:
    missing, too_long = statement_problem(""), statement_problem("x" * 4001)

    assert missing is not None and too_long is not None
    assert missing.in_language("de") == (
        "Teilen Sie uns mit, warum Sie mit unserer Entscheidung nicht einverstanden sind."
    )
    assert too_long.in_language("fr_CA") == "Vos raisons dépassent 4000 caractères\u00a0; raccourcissez-les."
    assert str(too_long) == "Your reasons are longer than 4000 characters; shorten them."


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


# --- the status page and the short answers ------------------------------------------------------


def _status_view(status: Status = Status.VERIFYING, **changes: object) -> SubjectView:
    return _view(status, **({"received_on": "2027-01-05", "respond_by": "2027-02-05"} | changes))


def test_the_status_page_in_german_translates_its_words_and_writes_dates_the_german_way() -> None:
    page = Page(status_page(_status_view(), token="t", show_code_form=True, language="de"))

    assert page.one("html")["lang"] == "de"
    assert "Ihre Datenschutzanfrage" in page.text
    assert "Wartet auf die Bestätigung Ihrer E-Mail-Adresse" in page.text  # the status
    assert "Geben Sie den Code aus unserer E-Mail ein" in page.text  # the next step
    assert "Meine personenbezogenen Daten löschen" in page.text
    assert "5. Januar 2027" in page.text
    assert "5. Februar 2027" in page.text
    assert "E-Mail-Adresse bestätigen" in page.text  # the button
    assert page.one("time", datetime="2027-01-05")


def test_a_joined_request_names_the_one_that_answers_it_in_spanish() -> None:
    view = _status_view(Status.LINKED, linked_to="r-2", next_step="joined")

    page = Page(status_page(view, token="t", show_code_form=False, language="es"))

    assert "Ya tiene una solicitud abierta para lo mismo (referencia r-2)" in page.text
    assert "Unida a otra de sus solicitudes" in page.text


def test_the_status_pages_switch_keeps_its_token_and_its_forms_keep_the_chosen_language() -> None:
    markup = status_page(
        _status_view(Status.DENIED, can_appeal_until="2027-03-01"),
        token="t0ken",
        show_code_form=True,
        language="fr",
        query={"token": "t0ken", "lang": "fr"},
    )
    page = Page(markup)

    for link in page.all("a"):
        href = urlsplit(str(link["href"]))
        assert href.path == f"/status/{REQUEST_ID}"
        assert parse_qs(href.query) == {"token": ["t0ken"], "lang": [link["hreflang"]]}
    actions = [form["action"] for form in page.all("form")]
    assert actions == [
        f"/status/{REQUEST_ID}/verification?lang=fr",
        f"/status/{REQUEST_ID}/new-code?lang=fr",
        f"/status/{REQUEST_ID}/appeal?lang=fr",
    ]
    assert "Contester cette décision" in page.text
    assert "1er mars 2027" in page.text


def test_a_short_answer_is_in_the_language_it_is_given_and_has_no_switch() -> None:
    page = Page(message_page("Recurso recibido", "Gracias.", status_url="/status/x?token=y", language="es"))

    assert page.one("html")["lang"] == "es"
    assert [link["href"] for link in page.all("a")] == ["/status/x?token=y"]
    assert "Volver al estado de su solicitud" in page.text


def test_the_download_pages_speak_the_requests_language() -> None:
    until = datetime(2026, 3, 14, 10, 32, tzinfo=UTC)

    asked = Page(download_page(REQUEST_ID, "t", until, code_sent=True, language="de"))
    links = Page(download_links_page("https://x.example/a", None, 300, language="es"))
    expired = Page(
        download_expired_page("https://desk.example/privacy-request", "p@desk.example", language="fr")
    )

    assert asked.one("html")["lang"] == "de"
    assert "14. März 2026, 10:32 UTC" in asked.text
    assert "Er funktioniert nur einmal und nur 15 Minuten lang." in asked.text
    assert "Meine Daten herunterladen" in asked.text
    assert not asked.all("a")  # no switch: the token's link is the email's
    assert "Estos enlaces funcionan durante 5 minutos" in links.text
    assert [link["href"] for link in expired.all("a")] == [
        "https://desk.example/privacy-request",
        "mailto:p@desk.example",
    ]
    assert "faites une nouvelle demande" in expired.text


def test_a_wrong_download_code_is_explained_with_the_languages_plural() -> None:
    one_left = Redemption(refusal=Refusal.WRONG_CODE, attempts_left=1)
    two_left = Redemption(refusal=Refusal.WRONG_CODE, attempts_left=2)

    assert explain(one_left) == "That code is not right. You can try 1 more time with it."
    assert explain(two_left) == "That code is not right. You can try 2 more times with it."
    assert explain(one_left, "es") == "Ese código no es correcto. Puede probarlo 1 vez más."
    assert explain(two_left, "es") == "Ese código no es correcto. Puede probarlo 2 veces más."
