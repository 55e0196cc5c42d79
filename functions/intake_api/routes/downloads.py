"""Downloading the access package: the emailed link, a fresh code, then short-lived links. A
link past its window, or for a request with nothing to download, is answered by
``intake_api.refusals`` from the desk's errors (``downloads.open_download``)."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.closing import downloads
from dsr.core.catalogs import N_, gettext
from dsr.core.languages import shipped_language
from dsr.intake import throttling
from dsr.web import pages as web_pages
from dsr.web import subject_actions
from dsr.wiring.desk import desk_from_environment
from intake_api.answers import form_of, form_value, page_answer, source_address

router = Router()  # type: ignore[no-untyped-call]


def page_language(request_id: str) -> str:
    """The download's pages are in the language the subject chose (``?lang=``) where the desk
    speaks it, else in the request's."""
    chosen = (router.current_event.query_string_parameters or {}).get("lang")
    found = shipped_language([chosen]) if chosen else None
    return found or subject_actions.language_of(desk_from_environment(), request_id)


def _download_page(
    download: downloads.Download, status: int = 200, *, code_sent: bool, problem: str | None = None
) -> Response[str]:
    """``problem``: a message id, said in the page's language."""
    language = page_language(download.request_id)
    markup = web_pages.download_page(
        download.request_id,
        download.token,
        download.available_until or desk_from_environment().now(),
        code_sent=code_sent,
        problem=gettext(language, problem) if problem else None,
        code_minutes=downloads.CODE_TTL_MINUTES,
        language=language,
    )
    return page_answer(status, markup)


@router.get("/download/<request_id>", include_in_schema=False)
def download_start(request_id: str) -> Response[str]:
    """The link in the completion email: offers to email a fresh code."""
    token = (router.current_event.query_string_parameters or {}).get("token", "")
    return _download_page(
        downloads.open_download(desk_from_environment(), request_id, token), code_sent=False
    )


@router.post("/download/<request_id>/code", include_in_schema=False)
def download_send_code(request_id: str) -> Response[str]:
    """Email a fresh code to the address on file (never one typed here)."""
    desk = desk_from_environment()
    download = downloads.open_download(desk, request_id, form_value(form_of(router.current_event), "token"))
    try:
        downloads.send_code(desk, download)
    except throttling.TooManyAttemptsError as refused:  # the page the subject was on, saying so
        problem = N_("We have sent several codes in the last hour. Use the latest one, or ask again later.")
        answer = _download_page(download, 429, code_sent=True, problem=problem)
        answer.headers["Retry-After"] = str(refused.retry_after_seconds)
        return answer
    return _download_page(download, code_sent=True)


@router.post("/download/<request_id>", include_in_schema=False)
def download_with_code(request_id: str) -> Response[str]:
    """A right code is answered with links to the package that work for 5 minutes."""
    event = router.current_event
    form = form_of(event)
    desk = desk_from_environment()
    caller = subject_actions.caller_key(desk, source_address(event))
    token, code = form_value(form, "token"), form_value(form, "code")
    download, redemption = downloads.redeem_within_limits(desk, request_id, token, code, caller=caller)
    if redemption.links is not None:
        links = redemption.links
        language = page_language(request_id)
        markup = web_pages.download_links_page(links.readable, links.data, links.seconds, language=language)
        return page_answer(200, markup)
    retry = redemption.refusal is downloads.Refusal.WRONG_CODE and redemption.attempts_left > 0
    language = page_language(request_id)
    problem = downloads.explain(redemption, language)
    markup = web_pages.download_page(
        download.request_id,
        download.token,
        download.available_until or desk.now(),
        code_sent=retry,
        problem=problem,
        code_minutes=downloads.CODE_TTL_MINUTES,
        language=language,
    )
    return page_answer(400, markup)
