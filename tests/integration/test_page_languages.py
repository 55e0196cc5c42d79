"""The form in the person's language, over HTTP: the browser's Accept-Language, the language
switch, Quebec's French, English otherwise; and the language chosen is recorded on the request,
where staff see it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from dsr.intake.status_tokens import status_token
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.unit.test_web_pages import Page

FORM = "application/x-www-form-urlencoded"
EVENTS = Path(__file__).resolve().parents[2] / "events" / "email_intake"


def test_the_form_follows_the_browser_the_switch_and_the_place(public: DeskClient) -> None:
    german = public.call("GET", "/privacy-request", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    canadian = public.call("GET", "/privacy-request?lang=fr-CA", headers={"Accept-Language": "de"})
    quebec = public.get("/privacy-request?country=CA&region=QC")
    unknown = public.call("GET", "/privacy-request", headers={"Accept-Language": "xx-YY, tlh"})

    page = Page(german.body)
    assert page.one("html")["lang"] == "de"
    assert page.one("label", **{"for": "email"}) is not None
    assert "E-Mail-Adresse" in page.text
    assert "Anfrage senden" in page.text
    assert Page(canadian.body).one("html")["lang"] == "fr-CA"
    assert "Adresse courriel" in canadian.body
    assert 'action="/privacy-request?lang=fr-CA"' in canadian.body
    assert Page(quebec.body).one("html")["lang"] == "fr-CA"
    assert "Loi 25" in quebec.body
    assert Page(unknown.body).one("html")["lang"] == "en"
    assert "Send my request" in unknown.body


def test_a_refused_form_answers_in_the_language_it_was_shown_in(public: DeskClient, desk: Desk) -> None:
    body = urlencode([("email", "nope")]).encode()

    answer = public.call(
        "POST", "/privacy-request?lang=es", raw=body, content_type=FORM, headers={"Accept-Language": "de"}
    )

    assert answer.status == 422
    page = Page(answer.body)
    assert page.one("html")["lang"] == "es"
    assert page.text_by_id["error-summary-title"] == "Hay un problema"
    assert "Escriba una dirección de correo electrónico válida" in page.text_by_id["email-error"]
    assert desk.store.open_requests() == []


def test_the_language_of_the_form_is_recorded_and_staff_see_it(
    public: DeskClient, approver: DeskClient, desk: Desk
) -> None:
    body = urlencode([("request_types", "access"), ("email", "ada@example.com")]).encode()

    answer = public.call(
        "POST", "/privacy-request", raw=body, content_type=FORM, headers={"Accept-Language": "fr-CA,fr;q=0.8"}
    )

    assert answer.status == 200  # the status page the form redirects to, in the request's language
    assert Page(answer.body).one("html")["lang"] == "fr-CA"
    assert "Merci, nous avons bien reçu votre demande." in answer.body
    [request] = desk.store.open_requests()
    assert request.language == "fr_CA"
    shown = approver.get(f"/staff/requests/{request.request_id}").body
    assert (shown["language"], shown["language_name"]) == ("fr_CA", "Français (Canada)")
    status_url = desk.status_url(request.request_id, status_token(desk, request.request_id))
    switched = public.get(
        urlsplit(status_url)._replace(scheme="", netloc="").geturl() + "&code=123456&lang=es"
    )
    page = Page(switched.body)
    assert page.one("html")["lang"] == "es"
    assert "Su solicitud sobre sus datos personales" in switched.body
    assert page.one("input", name="code")["value"] == "123456"
    [german] = page.all("a", hreflang="de")  # the switch keeps the token and the emailed code
    assert parse_qs(urlsplit(str(german["href"])).query) == {
        "token": [status_token(desk, request.request_id)],
        "code": ["123456"],
        "lang": ["de"],
    }


def test_an_email_written_in_german_is_recorded_as_german(cloud: LocalCloud, desk: Desk) -> None:
    raw = (EVENTS / "access_request_de.eml").read_bytes()

    outcome = cloud.receive_email(raw)["outcomes"][0]

    assert outcome["disposition"] == "request"
    assert desk.store.get(outcome["request_id"]).language == "de"


def test_a_refusal_page_speaks_the_browsers_language_and_tells_nothing_more(
    public: DeskClient, desk: Desk
) -> None:
    body = urlencode([("request_types", "access"), ("email", "ada@example.com")]).encode()
    public.call("POST", "/privacy-request", raw=body, content_type=FORM, headers={"Accept-Language": "es"})
    [request] = desk.store.open_requests()
    german = {"Accept-Language": "de"}

    wrong = public.call("GET", f"/status/{request.request_id}?token=wrong", headers=german)
    missing = public.call("GET", "/status/0f8fad5b-d9cb-469f-a165-70867728950e?token=wrong", headers=german)

    assert wrong.status == missing.status == 404
    assert wrong.body == missing.body  # in the browser's language, never the request's (Spanish)
    assert Page(wrong.body).one("html")["lang"] == "de"
    assert "Nicht gefunden" in wrong.body
