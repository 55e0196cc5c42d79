"""The desk's errors as the public API answers them where the answer depends on the route: JSON
on the API's routes, a page on the web pages' (which a person reads in a browser). Each kind of
refusal keeps its one status (``dsr.web.http_errors``); the errors here are answered more narrowly,
which Powertools prefers to their kind's answer."""

from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from botocore.exceptions import BotoCoreError, ClientError

from dsr.appeals.appeals import AppealRefusedError
from dsr.closing.downloads import DownloadExpiredError, NothingToDownloadError
from dsr.core.catalogs import N_, day_in_words, gettext
from dsr.core.languages import ENGLISH, LanguageHints, chosen_language, shipped_language
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.intake.status_tokens import NO_MATCH, NoMatchingRequestError
from dsr.intake.throttling import TooManyAttemptsError
from dsr.policies.rights import RightNotGivenError
from dsr.storage.store import RequestNotFoundError
from dsr.web import pages as web_pages
from dsr.web.form_reading import NOT_VALID
from dsr.web.http_errors import invalid_fields
from dsr.web.subject_actions import UnreadableStatementError, language_of
from dsr.wiring.desk import desk_from_environment
from intake_api.answers import browser_language, form_of, form_value, json_answer, page_answer

logger = Logger(child=True)
router = Router()  # type: ignore[no-untyped-call]

PAGES = ("/privacy-request", "/status/", "/download/")
"""The resources answered with pages; every other route answers JSON."""
UNAVAILABLE = N_("The privacy desk could not complete this just now. Please try again in a moment.")
APPEAL_NOT_SENT = N_("Your appeal was not sent")
NOT_GIVEN_HERE = N_(
    "%(labels)s: not a right the privacy law where you live (%(law)s) gives, nor one we offer everyone."
)
GIVEN_LATER = N_("%(label)s: %(law)s gives it from %(day)s.")
STILL_RECORDING_RETRY = N_("A request with this Idempotency-Key is still being recorded; retry.")


def _event() -> APIGatewayProxyEvent:
    return cast(APIGatewayProxyEvent, router.current_event)


def _on_a_page() -> bool:
    return str(_event().resource).startswith(PAGES)


def _status_link() -> str | None:
    """The status page of the request the page is about, for a link back; its token was checked."""
    event = _event()
    request_id = (event.path_parameters or {}).get("request_id")
    token = (event.query_string_parameters or {}).get("token") or form_value(form_of(event), "token")
    return desk_from_environment().status_url(request_id, token) if request_id and token else None


def _page_language() -> str:
    """A refusal's page is in the language chosen with ``?lang=``, else the browser's, else
    English: never the request's, which would tell a caller without its token that it exists."""
    return chosen_language(LanguageHints(browser=browser_language(_event())))


type Words = str | Callable[[str], str]
"""A refusal's message: a catalog message, or what it says in a given language."""


def _refused(
    status: int, title: str, message: Words, *, link_back: bool = False, headers: dict[str, str] | None = None
) -> Response[Any]:
    """``message`` as JSON (``{"message": ...}``, as every refusal) or as a page titled ``title``,
    both in the language the caller asks for (``?lang=``, ``Accept-Language``), else English."""
    language = _page_language()
    said = message(language) if callable(message) else gettext(language, message)
    if not _on_a_page():
        return json_answer(status, {"message": said}, headers)
    status_url = _status_link() if link_back else None
    page = web_pages.message_page(gettext(language, title), said, status_url=status_url, language=language)
    return page_answer(status, page, headers)


@router.exception_handler([NoMatchingRequestError, RequestNotFoundError])  # type: ignore[untyped-decorator]
def no_match(_error: LookupError) -> Response[Any]:
    """Whether the token was wrong or the request is missing, the answer is the same."""
    return _refused(404, N_("Not found"), NO_MATCH)


# What the 422 of a JSON body says of each refused field, by pydantic's kind of error, when the
# caller asks for another language than English (English keeps pydantic's own words).
FIELD_PROBLEMS = {
    "missing": N_("This field is required."),
    "extra_forbidden": N_("This field is not accepted."),
    "string_too_short": N_("This field cannot be empty."),
    "string_too_long": N_("Use at most %(limit)s characters."),
    "enum": N_("Use one of the values the API documentation lists."),
    "literal_error": N_("Use one of the values the API documentation lists."),
    "json_invalid": N_("The body is not valid JSON."),
}


@router.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def invalid_input(error: RequestValidationError) -> Response[Any]:
    """The 422 every API answers (``dsr.web.http_errors.invalid_fields``), its sentences in the
    language the caller asks for; where, and what kind of problem, stay as they are."""
    errors = list(error.errors())
    body = invalid_fields(errors)
    language = _page_language()
    if language != ENGLISH:
        for found, item in zip(errors, body["detail"], strict=True):
            problem = FIELD_PROBLEMS.get(str(item["type"]), NOT_VALID)
            limit = (found.get("ctx") or {}).get("max_length")
            if "%(limit)s" in problem:
                item["msg"] = (
                    gettext(language, problem, limit=limit) if limit else gettext(language, NOT_VALID)
                )
            else:
                item["msg"] = gettext(language, problem)
        fields = ", ".join(
            ".".join(str(part) for part in item["loc"][1:]) or "body" for item in body["detail"]
        )
        body["message"] = gettext(language, "Invalid request: %(fields)s", fields=fields)
    return json_answer(422, body)


@router.exception_handler(TooManyAttemptsError)  # type: ignore[untyped-decorator]
def too_many(error: TooManyAttemptsError) -> Response[Any]:
    retry_after = {"Retry-After": str(error.retry_after_seconds)}
    if not _on_a_page() and _page_language() == ENGLISH:
        return json_answer(429, {"message": str(error)}, retry_after)
    message = N_("There have been too many attempts from here. Wait a while, then try again.")
    return _refused(429, N_("Too many attempts"), message, headers=retry_after)


@router.exception_handler(  # type: ignore[untyped-decorator]
    [ClientError, BotoCoreError, IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError]
)
def unavailable(error: Exception) -> Response[Any]:
    """A store or service failed past its retries (the idempotency table's included): say so,
    and that trying again is safe (with the same Idempotency-Key the request is recorded once)."""
    logger.warning("an AWS call failed", error=type(error).__name__)
    return _refused(503, N_("Please try again"), UNAVAILABLE, headers={"Retry-After": "5"})


@router.exception_handler(IdempotencyValidationError)  # type: ignore[untyped-decorator]
def key_reused(_error: IdempotencyValidationError) -> Response[Any]:
    return _refused(409, N_("Not sent"), N_("This Idempotency-Key was used with a different request."))


@router.exception_handler(IdempotencyAlreadyInProgressError)  # type: ignore[untyped-decorator]
def still_recording(_error: IdempotencyAlreadyInProgressError) -> Response[Any]:
    if not _on_a_page():
        return _refused(409, N_("Request being recorded"), STILL_RECORDING_RETRY)
    message = N_("We are still recording this request. Our email about it links to its status page.")
    return _refused(409, N_("Request being recorded"), message)


@router.exception_handler(AppealRefusedError)  # type: ignore[untyped-decorator]
def cannot_appeal(error: AppealRefusedError) -> Response[Any]:
    def said(language: str) -> str:
        reason = gettext(language, str(error))
        return gettext(language, "This request cannot be appealed: %(reason)s.", reason=reason)

    return _refused(409, APPEAL_NOT_SENT, said, link_back=True)


@router.exception_handler(UnreadableStatementError)  # type: ignore[untyped-decorator]
def unreadable_statement(error: UnreadableStatementError) -> Response[Any]:
    return _refused(400, APPEAL_NOT_SENT, error.in_language, link_back=True)


@router.exception_handler(RightNotGivenError)  # type: ignore[untyped-decorator]
def right_not_given(error: RightNotGivenError) -> Response[Any]:
    """A type the law where the person lives does not give, where the company honours only those:
    in English the law's version and the days it changes, as staff read them; in another language
    the same facts in the subject's words, the rights they may ask for by their API values."""

    def said(language: str) -> str:
        if language == ENGLISH:
            return str(error)
        labels = ", ".join(
            f"\u201c{gettext(language, REQUEST_TYPE_LABELS[kind])}\u201d" for kind in error.refused
        )
        law = gettext(language, error.law)
        words = [gettext(language, NOT_GIVEN_HERE, labels=labels, law=law)]
        words += [
            gettext(
                language,
                GIVEN_LATER,
                label=gettext(language, REQUEST_TYPE_LABELS[kind]),
                law=law,
                day=day_in_words(day, language),
            )
            for kind, day in error.given_from.items()
        ]
        given = ", ".join(kind.value for kind in error.given)
        words.append(gettext(language, "The rights you may ask for: %(rights)s.", rights=given))
        return " ".join(words)

    return _refused(400, N_("Not a right where you live"), said)


@router.exception_handler(NothingToDownloadError)  # type: ignore[untyped-decorator]
def nothing_to_download(error: NothingToDownloadError) -> Response[Any]:
    return _refused(404, N_("Nothing to download"), str(error), link_back=True)


@router.exception_handler(DownloadExpiredError)  # type: ignore[untyped-decorator]
def download_expired(_error: DownloadExpiredError) -> Response[Any]:
    desk = desk_from_environment()
    form_url = f"{desk.settings.public_base_url}/privacy-request"
    event = _event()
    chosen = (event.query_string_parameters or {}).get("lang")
    request_id = (event.path_parameters or {}).get("request_id", "")
    language = (shipped_language([chosen]) if chosen else None) or language_of(desk, request_id)
    page = web_pages.download_expired_page(form_url, desk.settings.privacy_mailbox, language=language)
    return page_answer(410, page)
