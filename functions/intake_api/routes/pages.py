"""The web form and the subject's status pages: plain HTML that works without JavaScript. Each
form calls the same action of the desk as its JSON twin."""

import uuid
from collections.abc import Mapping
from typing import NamedTuple

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.core.catalogs import N_, day_in_words, gettext
from dsr.core.jurisdictions import DEFAULT, infer_jurisdiction
from dsr.core.languages import LanguageHints, chosen_language, html_lang, shipped_language
from dsr.core.models import RequestType
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.intake.throttling import TooManyAttemptsError
from dsr.policies import rights
from dsr.policies.request_deadlines import local_day
from dsr.verification.identity_checks import VerificationOutcome
from dsr.web import pages as web_pages
from dsr.web import subject_actions
from dsr.web.form_reading import FormErrors, new_request_from_form
from dsr.web.page_templates import LANGUAGE_QUERY
from dsr.web.request_form import SUBMISSION_KEY, law_recognised, request_form_page
from dsr.wiring.desk import desk_from_environment
from intake_api import submissions
from intake_api.answers import (
    browser_language,
    form_of,
    form_value,
    global_privacy_control,
    page_answer,
    source_address,
)

router = Router()  # type: ignore[no-untyped-call]

CONFIRMED = "confirmed"
"""The status page's query field after a right code: what the code (and details) confirmed."""
CONFIRMATIONS = {
    "email": N_("Email address confirmed. Our privacy team will now review your request."),
    "details": N_("Thank you, it is you. Our privacy team will now review your request."),
}


class _PlaceRights(NamedTuple):
    offered: list[RequestType] | None
    recognised: str | None
    language: str
    """The page's language: the caller's choice, else the browser's, else the place's, else English."""


def _place_rights(values: Mapping[str, str | list[str]]) -> _PlaceRights:
    """The rights the law of the place the person said they live gives, and those the company
    offers everyone (every type until they say), with which law the form recognised there; no
    list where the company offers every type everywhere."""
    desk = desk_from_environment()
    place = [values.get(name) or "" for name in ("country", "region")]
    country, region = (value if isinstance(value, str) else next(iter(value), "") for value in place)
    jurisdiction = infer_jurisdiction(country.strip().upper(), region.strip().upper())
    hints = LanguageHints(browser=browser_language(router.current_event))
    language = chosen_language(hints, jurisdiction)
    everywhere = rights.offered_everywhere(desk.settings.rights_offered_everywhere)
    if everywhere == frozenset(RequestType):
        return _PlaceRights(None, None, language)
    today = local_day(jurisdiction, desk.now())
    offered = rights.offered(jurisdiction, today, everywhere=everywhere)
    if not country.strip():
        return _PlaceRights(offered, None, language)
    in_force = rights.in_force(jurisdiction, today)
    law = None if in_force.code == DEFAULT else in_force.policy.name
    return _PlaceRights(offered, law_recognised(law, language), language)


@router.get("/privacy-request", include_in_schema=False)
def request_form() -> Response[str]:
    query = router.current_event.query_string_parameters or {}
    place = {name: query[name][:3] for name in ("country", "region") if query.get(name)}
    offered, recognised, language = _place_rights(place)
    page = request_form_page(
        place,
        submission_key=uuid.uuid4().hex,
        offered=offered,
        recognised=recognised,
        signal_sent=global_privacy_control(router.current_event),
        language=language,
        query=query,
    )
    return page_answer(200, page, {"Content-Language": html_lang(language)})


@router.post("/privacy-request", include_in_schema=False)
def submit_request_form() -> Response[str]:
    """Errors are shown beside the fields; success redirects to the status page (a refresh
    there does not submit again), and the same form sent twice records one request."""
    form = form_of(router.current_event)
    key = form_value(form, SUBMISSION_KEY)
    query = router.current_event.query_string_parameters or {}
    language = _place_rights(form).language
    try:
        new_request = new_request_from_form(form, language)
        receipt = submissions.submit(
            new_request, router.current_event, submissions.form_key(key, router.current_event)
        )
    except FormErrors as problems:
        offered, recognised, _ = _place_rights(form)
        page = request_form_page(
            form,
            problems.errors,
            submission_key=key or None,
            offered=offered,
            recognised=recognised,
            signal_sent=global_privacy_control(router.current_event),
            language=language,
            query=query,
        )
        return page_answer(422, page)
    except rights.RightNotGivenError as refused:
        errors = {"request_types": _right_not_given(refused, language)}
        page = request_form_page(
            form,
            errors,
            submission_key=key or None,
            offered=refused.given,
            recognised=_place_rights(form).recognised,
            signal_sent=global_privacy_control(router.current_event),
            language=language,
            query=query,
        )
        return page_answer(422, page)
    title, message = (
        gettext(language, "Request received"),
        gettext(language, "Taking you to its status page."),
    )
    # The language chosen on the form's switch follows to the status page (the request's own may differ).
    chosen = f"&{LANGUAGE_QUERY}={html_lang(language)}" if LANGUAGE_QUERY in query else ""
    location = f"{receipt['status_url']}&submitted=1{chosen}"
    return page_answer(303, web_pages.message_page(title, message, language=language), {"Location": location})


def _right_not_given(refused: rights.RightNotGivenError, language: str) -> str:
    """Why the form refused a type: not the law's where the person lives, nor offered everyone."""
    labels = ", ".join(
        f"\u201c{gettext(language, REQUEST_TYPE_LABELS[kind])}\u201d" for kind in refused.refused
    )
    message = gettext(
        language,
        "%(labels)s: not a right the privacy law where you live (%(law)s) gives, nor one we offer everyone.",
        labels=labels,
        law=gettext(language, refused.law),
    )
    later = "".join(
        " "
        + gettext(
            language,
            "%(label)s: %(law)s gives it from %(day)s.",
            label=gettext(language, REQUEST_TYPE_LABELS[kind]),
            law=gettext(language, refused.law),
            day=day_in_words(day, language),
        )
        for kind, day in refused.given_from.items()
    )
    return f"{message}{later} {gettext(language, 'Choose from those listed.')}"


def _chosen_language() -> str | None:
    """The language switch's choice (``?lang=``), where the desk speaks it."""
    chosen = (router.current_event.query_string_parameters or {}).get(LANGUAGE_QUERY)
    return shipped_language([chosen]) if chosen else None


def _request_language(request_id: str) -> str:
    """A page about a request is in the switch's language, else in the request's own."""
    return _chosen_language() or subject_actions.language_of(desk_from_environment(), request_id)


def _status_page(
    request_id: str, token: str, message: str | None = None, code: str = "", **values: object
) -> str:
    """The status page, in the switch's language or the request's; ``message`` (a message id, with
    its ``values``) in the same."""
    facts = subject_actions.status_for_holder(desk_from_environment(), request_id, token)
    language = _chosen_language() or facts.language
    # The switch's links keep what the page was opened with: the token, and the emailed code.
    query = {"token": token} | ({"code": code} if code else {})
    query |= {LANGUAGE_QUERY: html_lang(language)} if _chosen_language() else {}
    return web_pages.status_page(
        facts.view,
        token=token,
        message=gettext(language, message, **values) if message else None,
        show_code_form=facts.shows_code_form,
        code=code,
        data_points=facts.details_asked,
        data_points_needed=facts.details_needed,
        proof=facts.proof,
        language=language,
        query=query,
    )


def _with_language(url: str) -> str:
    """``url`` keeping the language the switch chose, where it chose one."""
    chosen = _chosen_language()
    return f"{url}&{LANGUAGE_QUERY}={html_lang(chosen)}" if chosen else url


@router.get("/status/<request_id>", include_in_schema=False)
def status_page(request_id: str) -> Response[str]:
    query = router.current_event.query_string_parameters or {}
    if query.get("request_id", request_id) != request_id:
        # An authorized agent sends the person here with the request's id beside the link (Data
        # Rights Protocol 3.02.1); a link naming another request is refused before anything is shown.
        language = _chosen_language() or "en"
        return page_answer(
            400,
            web_pages.message_page(
                gettext(language, "This link is for another request"),
                gettext(
                    language,
                    "The link you followed names two different requests. Ask whoever sent it for a new one.",
                ),
                language=language,
            ),
        )
    message = N_("Thank you, we have your request.") if query.get("submitted") == "1" else None
    if query.get(CONFIRMED) in CONFIRMATIONS:
        message = CONFIRMATIONS[query[CONFIRMED]]
    # The emailed link carries the code: the page shows it filled in; a person confirms it (a
    # mail scanner that follows links confirms nothing).
    return page_answer(200, _status_page(request_id, query.get("token", ""), message, query.get("code", "")))


def _given_details(form: dict[str, list[str]]) -> dict[str, str]:
    return {
        name.removeprefix("point_"): values[0].strip()
        for name, values in form.items()
        if name.startswith("point_") and values and values[0].strip()
    }


@router.post("/status/<request_id>/verification", include_in_schema=False)
def verify_email_form(request_id: str) -> Response[str]:
    event = router.current_event
    form = form_of(event)
    token, code, details = form_value(form, "token"), form_value(form, "code"), _given_details(form)
    desk = desk_from_environment()
    caller = subject_actions.caller_key(desk, source_address(event))
    outcome = subject_actions.confirm_with_code(desk, request_id, code, details, caller=caller, token=token)
    status_url = _with_language(desk.status_url(request_id, token))
    language = _request_language(request_id)
    if outcome is VerificationOutcome.VERIFIED:
        # Post/Redirect/Get: reloading the page that follows shows the status, not a second try.
        confirmed = N_("Thank you, it is you") if details else N_("Email address confirmed")
        next_step = gettext(language, "Our privacy team will now review your request.")
        return page_answer(
            303,
            web_pages.message_page(
                gettext(language, confirmed), next_step, status_url=status_url, language=language
            ),
            {"Location": f"{status_url}&{CONFIRMED}={'details' if details else 'email'}"},
        )
    if outcome is not VerificationOutcome.REJECTED:
        # The code was right: the page again, the code kept, asking for the details it lacks.
        needed = subject_actions.details_wanted(desk, request_id).needed
        problem = subject_actions.DETAILS_PROBLEMS[outcome is VerificationOutcome.DETAILS_MISSING]
        return page_answer(400, _status_page(request_id, token, problem, code, needed=needed))
    message = gettext(
        language,
        "Check the code in our newest email and try again. If it has expired, ask for a new one on "
        "the status page of your request.",
    )
    title = gettext(language, "That code did not work")
    return page_answer(400, web_pages.message_page(title, message, status_url=status_url, language=language))


@router.post("/status/<request_id>/new-code", include_in_schema=False)
def new_code_form(request_id: str) -> Response[str]:
    """The status page's "Email me a new code": the answer is the status page again."""
    token = form_value(form_of(router.current_event), "token")
    try:
        sent = subject_actions.ask_for_new_code(desk_from_environment(), request_id, token)
    except TooManyAttemptsError as refused:  # the page the subject was on, saying so
        message = N_("We have sent several codes already. Use the latest one, or ask again later.")
        retry_after = {"Retry-After": str(refused.retry_after_seconds)}
        return page_answer(429, _status_page(request_id, token, message), retry_after)
    message = (
        N_("We have emailed you a new code; the one before no longer works.")
        if sent
        else N_("This request is not waiting for a code.")
    )
    return page_answer(200, _status_page(request_id, token, message))


@router.post("/status/<request_id>/appeal", include_in_schema=False)
def appeal_form(request_id: str) -> Response[str]:
    form = form_of(router.current_event)
    token = form_value(form, "token")
    desk = desk_from_environment()
    appeal = subject_actions.appeal(desk, request_id, token, form_value(form, "statement"))
    language = _request_language(request_id)
    message = gettext(
        language,
        "We have emailed you a confirmation. We will answer your appeal by %(day)s.",
        day=subject_actions.answer_day(appeal, language),
    )
    status_url = _with_language(desk.status_url(request_id, token))
    title = gettext(language, "Appeal received")
    return page_answer(200, web_pages.message_page(title, message, status_url=status_url, language=language))
