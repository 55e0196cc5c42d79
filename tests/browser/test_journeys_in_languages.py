"""A subject's journey in each language the desk speaks besides English, clicking as a person does:
the form (in the language its switch chose, the browser asked for, or the law of the place expects),
the emailed verification code, the status page, the download and the access package's own page;
and, in Spanish, an appeal against a refusal.

Every step is checked by ``Journey`` (axe-core, reflow, links) and kept as screenshots under
build/journeys/in-<language>/. What is asserted is what the person reads: the words are written
here as each language's reader sees them, not read from the catalogs, so a missing or wrong
translation fails. One local cloud serves the module; each journey has its own subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud
from local_cloud.http_api import LocalApi
from tests.browser.journey import Journey
from tests.support import (
    answer_hand_offs,
    staff_client,
    submit,
    verification_code,
    wait_for_status,
    wait_until,
)

# One worker runs every test here: they share the module's one local cloud.
pytestmark = pytest.mark.xdist_group("browser-journeys-in-languages")

PATIENCE = 60.0
expect.set_options(timeout=15_000)


class Words(NamedTuple):
    """What a subject reads in one language, as that language writes it."""

    lang: str
    """``<html lang>``."""
    form_heading: str
    get_a_copy: str
    email_label: str
    send: str
    status_heading: str
    reference: str
    status: str
    respond_by: str
    verification_subject: str
    """The verification email's subject line, before the request's short reference."""
    code_line: str
    """The line that gives the code, before its six digits."""
    confirm: str
    confirmed: str
    being_reviewed: str
    completion_subject: str
    """``{short}`` for the request's short reference."""
    download_heading: str
    email_me_a_code: str
    download_code_subject: str
    download_code_line: str
    download_code: str
    download: str
    links_heading: str
    readable_link: str
    package_heading: str
    months: str
    """The months' names, January first, separated by spaces."""
    day_pattern: str
    """How a day is written: ``{day}``, ``{month}`` and ``{year}`` filled in."""


FRENCH_MONTHS = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
FRENCH = Words(
    lang="fr",
    form_heading="Faire une demande sur vos données personnelles",
    get_a_copy="Obtenir une copie de mes données personnelles",
    email_label="Adresse e-mail",
    send="Envoyer ma demande",
    status_heading="Votre demande sur vos données personnelles",
    reference="Référence",
    status="État",
    respond_by="Nous répondrons au plus tard le",
    verification_subject="Votre code de vérification pour la demande",
    code_line="Votre code de vérification est",
    confirm="Confirmer mon adresse e-mail",
    confirmed="Adresse e-mail confirmée",
    being_reviewed="En cours d'examen",
    completion_subject="Votre demande {short} est traitée",
    download_heading="Télécharger vos données personnelles",
    email_me_a_code="M'envoyer un code",
    download_code_subject="Votre code de téléchargement pour la demande",
    download_code_line="Votre code de téléchargement est",
    download_code="Code de téléchargement",
    download="Télécharger mes données",
    links_heading="Vos données personnelles",
    readable_link="Vos données sous forme de page à lire (HTML)",
    package_heading="Vos données personnelles",
    months=FRENCH_MONTHS,
    day_pattern="{day} {month} {year}",
)
CANADIAN_FRENCH = FRENCH._replace(
    lang="fr-CA",
    form_heading="Faire une demande concernant vos renseignements personnels",
    get_a_copy="Obtenir une copie de mes renseignements personnels",
    email_label="Adresse courriel",
    status_heading="Votre demande concernant vos renseignements personnels",
    confirm="Confirmer",
    confirmed="Merci, votre identité est confirmée",
    download_heading="Télécharger vos renseignements personnels",
    download="Télécharger mes renseignements",
    links_heading="Vos renseignements personnels",
    readable_link="Vos renseignements sous forme de page à lire (HTML)",
    package_heading="Vos renseignements personnels",
)
GERMAN = Words(
    lang="de",
    form_heading="Datenschutzanfrage stellen",
    get_a_copy="Eine Kopie meiner personenbezogenen Daten erhalten",
    email_label="E-Mail-Adresse",
    send="Anfrage senden",
    status_heading="Ihre Datenschutzanfrage",
    reference="Referenznummer",
    status="Status",
    respond_by="Wir antworten bis zum",
    verification_subject="Ihr Bestätigungscode für die Datenschutzanfrage",
    code_line="Ihr Bestätigungscode lautet",
    confirm="E-Mail-Adresse bestätigen",
    confirmed="E-Mail-Adresse bestätigt",
    being_reviewed="Wird geprüft",
    completion_subject="Ihre Datenschutzanfrage {short} ist erledigt",
    download_heading="Ihre personenbezogenen Daten herunterladen",
    email_me_a_code="Code per E-Mail schicken",
    download_code_subject="Ihr Download-Code für die Datenschutzanfrage",
    download_code_line="Ihr Download-Code lautet",
    download_code="Download-Code",
    download="Meine Daten herunterladen",
    links_heading="Ihre personenbezogenen Daten",
    readable_link="Ihre Daten als Seite zum Lesen (HTML)",
    package_heading="Ihre personenbezogenen Daten",
    months="Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    day_pattern="{day}. {month} {year}",
)
SPANISH = Words(
    lang="es",
    form_heading="Hacer una solicitud sobre sus datos personales",
    get_a_copy="Obtener una copia de mis datos personales",
    email_label="Dirección de correo electrónico",
    send="Enviar mi solicitud",
    status_heading="Su solicitud sobre sus datos personales",
    reference="Referencia",
    status="Estado",
    respond_by="Responderemos a más tardar el",
    verification_subject="Su código de verificación para la solicitud de privacidad",
    code_line="Su código de verificación es",
    confirm="Confirmar mi dirección de correo electrónico",
    confirmed="Dirección de correo electrónico confirmada",
    being_reviewed="En revisión",
    completion_subject="Su solicitud de privacidad {short} se ha completado",
    download_heading="Descargar sus datos personales",
    email_me_a_code="Enviarme un código",
    download_code_subject="Su código de descarga para la solicitud de privacidad",
    download_code_line="Su código de descarga es",
    download_code="Código de descarga",
    download="Descargar mis datos",
    links_heading="Sus datos personales",
    readable_link="Sus datos como página para leer (HTML)",
    package_heading="Sus datos personales",
    months="enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    day_pattern="{day} de {month} de {year}",
)


# Each word of each heading that the browser split over two lines (a word too long for the line);
# a compound's parts are words of their own, since a line may end at its hyphen.
WORDS_BROKEN_IN_HEADINGS = """() => [...document.querySelectorAll("h1, h2, h3")].flatMap((heading) => {
  const text = heading.firstChild;
  if (!text || text.nodeType !== Node.TEXT_NODE) return [];
  const broken = [];
  for (const found of text.textContent.matchAll(/[^\\s-]+/g)) {
    const range = document.createRange();
    range.setStart(text, found.index);
    range.setEnd(text, found.index + found[0].length);
    const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
    if (lines.size > 1) broken.push(found[0]);
  }
  return broken;
})"""
NARROWEST_VALUE = """() => Math.min(...[...document.querySelectorAll("dd")].map((value) =>
  value.getBoundingClientRect().width))"""


def written(words: Words, day: date) -> str:
    # French writes the first of the month as an ordinal: "1er juin 2027"
    first = "1er" if day.day == 1 and words.lang.startswith("fr") else day.day
    return words.day_pattern.format(day=first, month=words.months.split()[day.month - 1], year=day.year)


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    with running_local_cloud() as api:
        yield api


@pytest.fixture
def desk(local_api: LocalApi) -> Desk:
    return desk_from_environment()


def _opened(browser: Browser, local_api: LocalApi, locale: str | None = None) -> Iterator[Page]:
    context = browser.new_context(base_url=local_api.cloud.base_url, locale=locale)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def english_browser(browser: Browser, local_api: LocalApi) -> Iterator[Page]:
    """Chromium as it comes, asking for English (``Accept-Language: en-US``)."""
    yield from _opened(browser, local_api)


@pytest.fixture
def german_browser(browser: Browser, local_api: LocalApi) -> Iterator[Page]:
    yield from _opened(browser, local_api, "de-DE")


@pytest.fixture
def italian_browser(browser: Browser, local_api: LocalApi) -> Iterator[Page]:
    """A browser asking for a language the desk does not speak: the place decides."""
    yield from _opened(browser, local_api, "it-IT")


# --- the steps of a journey ----------------------------------------------------------------------


def value_of(page: Page, term: str) -> Locator:
    return page.locator(f"dt:text-is('{term}') + dd")


def shows_language(page: Page, words: Words) -> None:
    expect(page.locator("html")).to_have_attribute("lang", words.lang)


def fill_the_form(journey: Journey, words: Words, email: str, name: str, place: tuple[str, str]) -> str:
    """The form, already in the person's language, to the status page; the request's reference."""
    page = journey.page
    shows_language(page, words)
    expect(page.get_by_role("heading", name=words.form_heading)).to_be_visible()
    page.get_by_role("checkbox", name=words.get_a_copy, exact=True).check()
    page.get_by_label(words.email_label, exact=True).fill(email)
    page.locator("#name").fill(name)
    page.locator("#country").fill(place[0])
    page.locator("#region").fill(place[1])
    journey.step("form filled in")
    page.get_by_role("button", name=words.send).click()
    expect(page.get_by_role("heading", name=words.status_heading)).to_be_visible()
    shows_language(page, words)
    reference = value_of(page, words.reference).inner_text().strip()
    # The day we will answer by, as the language writes it, and the day it stands for.
    respond_by = value_of(page, words.respond_by).locator("time")
    day = date.fromisoformat(str(respond_by.get_attribute("datetime")))
    expect(respond_by).to_have_text(written(words, day))
    journey.step("status page after sending")
    return reference


def open_mail(page: Page, subject: str) -> Locator:
    """The outbox, reloaded as a person checks their mail until the email is there."""
    page.goto("/_local/outbox")
    mail = page.locator("article").filter(has=page.get_by_role("heading", name=subject))

    def arrived() -> bool:
        if mail.count():
            return True
        page.reload()
        return False

    wait_until(f"an email “{subject}”", arrived, PATIENCE)
    return mail.first


def code_in(mail: Locator, line: str) -> str:
    found = re.search(re.escape(line) + r" (\d{6})", mail.locator("pre").inner_text())
    assert found, f"no “{line}” in the email"
    return found.group(1)


def confirm_with_the_emailed_code(
    journey: Journey, words: Words, reference: str, details: dict[str, str]
) -> None:
    page = journey.page
    mail = open_mail(page, f"{words.verification_subject} {reference[:8]}")
    expect(mail.locator("pre")).to_have_attribute("lang", words.lang)
    code = code_in(mail, words.code_line)
    mail.locator('a[href*="/status/"]').first.click()
    expect(page.get_by_role("heading", name=words.status_heading)).to_be_visible()
    expect(page.locator("#code")).to_have_value(code)
    for field, value in details.items():
        page.locator(f"#point_{field}").fill(value)
    journey.step("status page with the emailed code")
    page.get_by_role("button", name=words.confirm, exact=True).click()
    expect(page.get_by_role("status").filter(has_text=words.confirmed)).to_be_visible()

    def reviewed() -> bool:
        if value_of(page, words.status).inner_text().strip() == words.being_reviewed:
            return True
        page.reload()
        return False

    wait_until("the status page to say the request is reviewed", reviewed, PATIENCE)
    shows_language(page, words)
    journey.step("email address confirmed")


def approved_and_done(local_api: LocalApi, desk: Desk, reference: str) -> None:
    """Staff approve and record the vendors' answers (the console's own journeys click these)."""
    approver = staff_client(local_api, "approver@desk.example")
    assert approver.post(f"/staff/requests/{reference}/decision", {"decision": "approve"}).status == 200
    answer_hand_offs(desk, approver, reference)


def download_and_read_the_package(journey: Journey, words: Words, reference: str) -> None:
    page = journey.page
    completion = open_mail(page, words.completion_subject.format(short=reference[:8]))
    completion.locator('a[href*="/download/"]').first.click()
    expect(page.get_by_role("heading", name=words.download_heading)).to_be_visible()
    shows_language(page, words)
    journey.step("download page")
    page.get_by_role("button", name=words.email_me_a_code).click()
    journey.step("download page, code sent")
    # The code is read in another tab, as a person keeps the download page open while reading mail.
    mailbox = page.context.new_page()
    code = code_in(
        open_mail(mailbox, f"{words.download_code_subject} {reference[:8]}"), words.download_code_line
    )
    mailbox.close()
    page.get_by_label(words.download_code).fill(code)
    page.get_by_role("button", name=words.download).click()
    expect(page.get_by_role("heading", name=words.links_heading)).to_be_visible()
    journey.step("package links")
    with page.expect_download() as readable:
        page.get_by_role("link", name=words.readable_link).click()
    saved = journey.folder / readable.value.suggested_filename
    readable.value.save_as(saved)
    page.goto(saved.as_uri())
    shows_language(page, words)
    expect(page.get_by_role("heading", name=words.package_heading, level=1)).to_be_visible()
    # On a phone a heading's long words (German's) stay whole, and each value has room to be read.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(WORDS_BROKEN_IN_HEADINGS) == []
    assert page.evaluate(NARROWEST_VALUE) >= 300, "a value is squeezed beside its label"
    page.set_viewport_size({"width": 1280, "height": 800})
    # The day it was prepared, written as the language writes it.
    prepared = written(words, desk_from_environment().now().date())
    expect(page.locator("main > p").first).to_contain_text(prepared)
    journey.step("the package, opened from the link")


def journey_in(
    page: Page, words: Words, person: tuple[str, str], place: tuple[str, str], local_api: LocalApi, desk: Desk
) -> Journey:
    """From the form the page shows to the package; the journey, for what a test checks besides."""
    journey = Journey(page, f"in {words.lang}", other_languages=False)
    reference = fill_the_form(journey, words, *person, place)
    assert desk.store.get(reference).language == words.lang.replace("-", "_")
    details = {"phone": "+44 20 7123 4567", "postal_code": "SW1A 1AA"} if place == ("CA", "QC") else {}
    confirm_with_the_emailed_code(journey, words, reference, details)
    approved_and_done(local_api, desk, reference)
    download_and_read_the_package(journey, words, reference)
    return journey


# --- one journey in each language ----------------------------------------------------------------


def test_french_chosen_with_the_language_switch(
    english_browser: Page, local_api: LocalApi, desk: Desk
) -> None:
    page = english_browser
    page.goto("/privacy-request")
    expect(page.get_by_role("heading", name="Make a privacy request")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Français", exact=True).click()
    journey_in(page, FRENCH, ("alan@example.net", "Alan Turing"), ("FR", ""), local_api, desk)


def test_canadian_french_for_a_request_from_quebec(
    italian_browser: Page, local_api: LocalApi, desk: Desk
) -> None:
    """Nobody chose a language and the browser asks for one the desk does not speak: Quebec's law
    expects French, and the page turns to it once the person says where they live."""
    page = italian_browser
    page.goto("/privacy-request")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#place-country").fill("CA")
    page.locator("#place-region").fill("QC")
    page.get_by_role("button", name="Show my rights").click()
    journey_in(page, CANADIAN_FRENCH, ("ada@example.com", "Ada Lovelace"), ("CA", "QC"), local_api, desk)


def test_german_from_the_browser_s_accept_language(
    german_browser: Page, local_api: LocalApi, desk: Desk
) -> None:
    page = german_browser
    page.goto("/privacy-request")
    journey_in(page, GERMAN, ("grace@example.org", "Grace Hopper"), ("DE", ""), local_api, desk)


def test_spanish_chosen_with_the_language_switch(
    english_browser: Page, local_api: LocalApi, desk: Desk
) -> None:
    page = english_browser
    page.goto("/privacy-request")
    page.get_by_role("navigation").get_by_role("link", name="Español", exact=True).click()
    journey_in(page, SPANISH, ("edsger@example.com", "Edsger Dijkstra"), ("ES", ""), local_api, desk)


ENGLISH_IN_ERRORS = re.compile(r"@-sign|characters|Enter |Choose |not valid|Check the code|did not work")
"""Words of the English errors that a page in another language must not show."""


def refused_as_expected(journey: Journey, status: int) -> None:
    """The page was answered with ``status``, as a refusal should be: Chromium logs every
    document answered 4xx as a console error, which here is no problem."""
    expected = f"the server responded with a status of {status}"
    journey.problems = [problem for problem in journey.problems if expected not in problem]


def test_a_subject_who_gets_the_form_and_the_code_wrong_in_french_is_told_so_in_french(
    english_browser: Page, local_api: LocalApi, desk: Desk
) -> None:
    """The server's own checks, as a browser that does not check the form first meets them: an
    empty form, an address without its domain's period, a name too long, then a wrong code."""
    journey = Journey(english_browser, "in fr errors", other_languages=False)
    page = journey.page
    page.goto("/privacy-request?lang=fr")
    form = page.locator("form[method=post]")
    form.evaluate("form => { form.noValidate = true }")
    page.get_by_role("button", name=FRENCH.send).click()
    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    expect(summary).to_contain_text("Choisissez une ou plusieurs des demandes proposées.")
    expect(summary).to_contain_text("Saisissez votre adresse e-mail, par exemple nom@example.com.")
    assert not ENGLISH_IN_ERRORS.search(summary.inner_text())
    refused_as_expected(journey, 422)
    journey.step("empty form refused")

    page.locator("form[method=post]").evaluate(
        "form => { form.noValidate = true; form.querySelector('#name').removeAttribute('maxlength') }"
    )
    page.get_by_role("checkbox", name=FRENCH.get_a_copy, exact=True).check()
    page.get_by_label(FRENCH.email_label, exact=True).fill("alan@exemple")
    page.locator("#name").fill("A" * 201)
    page.get_by_role("button", name=FRENCH.send).click()
    expect(summary).to_contain_text(
        "Saisissez une adresse e-mail valide, par exemple nom@example.com. La partie après le @ n'est pas "
        "valide. Elle doit contenir un point."
    )
    expect(summary).to_contain_text("Utilisez au plus 200 caractères.")
    expect(page.locator("#email-error")).to_contain_text("Erreur")
    assert not ENGLISH_IN_ERRORS.search(summary.inner_text())
    refused_as_expected(journey, 422)
    journey.step("a wrong address and a long name refused")

    public = DeskClient(local_api.cloud.base_url)
    answer = submit(public, preferred_language="fr", subject={"email": "barbara@example.org"})
    assert answer.status == 201, answer.body
    page.goto(f"/status/{answer.body['request_id']}?token={answer.body['status_token']}")
    page.locator("#code").fill("000000")
    page.get_by_role("button", name=FRENCH.confirm, exact=True).click()
    expect(page.get_by_role("heading", name="Ce code n'a pas fonctionné")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Vérifiez le code de notre dernier e-mail et réessayez.")
    shows_language(page, FRENCH)
    assert not ENGLISH_IN_ERRORS.search(page.locator("main").inner_text())
    refused_as_expected(journey, 400)
    journey.step("a wrong code refused")


def test_a_refusal_appealed_in_spanish(english_browser: Page, local_api: LocalApi, desk: Desk) -> None:
    """Refused in Virginia, whose law gives an appeal, a subject who asked for Spanish appeals from
    the status page and is told in Spanish when the answer will come."""
    public = DeskClient(local_api.cloud.base_url)
    answer = submit(
        public,
        request_types=["access"],
        jurisdiction="US-VA",
        preferred_language="es",
        subject={"email": "ada@example.com", "name": "Ada Lovelace"},
    )
    assert answer.status == 201, answer.body
    refused = str(answer.body["request_id"])
    code = verification_code(local_api.cloud, refused)
    details = {"phone": "+44 20 7123 4567", "postal_code": "SW1A 1AA"}
    assert (
        public.post(f"/requests/{refused}/verification", {"code": code, "data_points": details}).status == 200
    )
    wait_for_status(desk, refused, "AWAITING_APPROVAL")
    approver = staff_client(local_api, "approver@desk.example")
    decision = {"decision": "deny", "reason_code": "insuf_verification"}
    assert approver.post(f"/staff/requests/{refused}/decision", decision).status == 200
    wait_for_status(desk, refused, "DENIED")
    # The reason staff chose is sent in the subject's language, not in the console's English.
    refusal = wait_until(
        "the refusal",
        lambda: [m for m in local_api.cloud.outbox() if m.request_id == refused and "Motivo:" in m.body],
    )[0]
    assert "Motivo: No hemos podido verificar su identidad lo suficiente para esta solicitud." in refusal.body

    journey = Journey(english_browser, "in es appeal", other_languages=False)
    page = journey.page
    page.goto(f"/status/{refused}?token={answer.body['status_token']}")
    shows_language(page, SPANISH)
    expect(value_of(page, SPANISH.status)).to_have_text("Denegada")
    expect(page.get_by_role("heading", name="Recurrir esta decisión")).to_be_visible()
    until = page.locator("p", has_text="puede recurrir").locator("time")
    expect(until).to_have_text(written(SPANISH, date.fromisoformat(str(until.get_attribute("datetime")))))
    journey.step("status page, refused, with the appeal form")
    page.get_by_label("¿Por qué no está de acuerdo?").fill("Tengo una cuenta desde hace años.")
    page.get_by_role("button", name="Enviar mi recurso").click()
    expect(page.get_by_role("heading", name="Recurso recibido")).to_be_visible()
    answered_by = re.compile(r"Responderemos a su recurso a más tardar el \d{1,2} de [a-z]+ de \d{4}\.")
    expect(page.locator("main")).to_contain_text(answered_by)
    journey.step("appeal sent")
    page.get_by_role("link", name="Volver al estado de su solicitud").click()
    expect(value_of(page, "Su recurso")).to_be_visible()
    journey.step("status page with the appeal")
