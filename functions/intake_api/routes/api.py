"""The JSON API: submit a request, follow its status, show it is the subject's, appeal."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from dsr.core.catalogs import N_, gettext
from dsr.core.languages import ENGLISH, browser_language
from dsr.core.models import NewRequest
from dsr.core.tracing import desk_tracer
from dsr.notices.public_views import SubjectView, subject_view
from dsr.verification.identity_checks import VerificationOutcome
from dsr.web import subject_actions
from dsr.web.http_errors import BODY_REFUSALS, documented_answer
from dsr.web.pages import translated_next_step
from dsr.wiring.desk import desk_from_environment
from intake_api import answers, schemas, submissions
from intake_api.answers import json_answer, source_address
from intake_api.schemas import (
    CANNOT_APPEAL,
    NOT_FOUND,
    NOT_VERIFIED,
    THROTTLED,
    UNAVAILABLE,
    VERIFIED,
    AccountAssertionSubmission,
    AppealSubmission,
    CodeSubmission,
    NewCodeAsk,
    RequestId,
    SubmittedRequest,
    VerificationAnswer,
)

router = Router()  # type: ignore[no-untyped-call]
tracer = desk_tracer()

WRONG_CODE = N_("That did not work. Check what you entered, or ask for a new code if yours has expired.")
NEW_CODE_SENT = N_("We have emailed you a new code. It replaces the one before.")
NOT_WAITING_FOR_CODE = N_("This request is not waiting for a code.")
IDENTITY_CONFIRMED = N_("Thank you, your identity is confirmed.")
SEND_DETAILS = N_("Send them in data_points, with the same code.")


def _asked_language() -> str | None:
    """The language the caller asks for (``?lang=``, else ``Accept-Language``), where the desk speaks it."""
    return browser_language(answers.browser_language(router.current_event))


def _language(request_id: str) -> str:
    """An answer about a request the caller has shown is theirs is in the language they ask for,
    else the request's own (English for one recorded without)."""
    return _asked_language() or subject_actions.language_of(desk_from_environment(), request_id)


def _in_language(view: SubjectView, language: str) -> SubjectView:
    """The view with its words (what happens next, to the request and its appeal) in ``language``."""
    appeal = view.appeal
    if appeal is not None:
        appeal = appeal.model_copy(update={"next_step": gettext(language, appeal.next_step)})
    return view.model_copy(update={"next_step": translated_next_step(view, language), "appeal": appeal})


@router.post(
    "/requests",
    responses={
        201: documented_answer("recorded; the subject is acknowledged by email", SubmittedRequest),
        **BODY_REFUSALS,
        400: documented_answer(
            "the body is not UTF-8 text, or nests more than 32 levels deep; or a request type the "
            "law of the jurisdiction does not give and the company does not offer everyone "
            "(RightsOfferedEverywhere): the message names the type, the jurisdiction and the rights "
            "the person may ask for"
        ),
        409: schemas.KEY_CONFLICT,
        429: THROTTLED,
        503: UNAVAILABLE,
    },
)
@tracer.capture_method
def submit_request(new_request: Annotated[NewRequest, Body()]) -> Response[SubmittedRequest]:
    key = (router.current_event.headers.get("Idempotency-Key") or "").strip()
    return json_answer(201, submissions.submit(new_request, router.current_event, key))


@router.get(
    "/requests/<request_id>",
    responses={200: documented_answer("the request's status", SubjectView), 404: NOT_FOUND, 503: UNAVAILABLE},
)
@tracer.capture_method
def request_status(
    request_id: RequestId, token: Annotated[str, Query(min_length=10, max_length=100)]
) -> Response[SubjectView]:
    facts = subject_actions.status_for_holder(desk_from_environment(), request_id, token)
    return json_answer(200, _in_language(facts.view, _asked_language() or facts.language))


@router.post(
    "/requests/<request_id>/appeal",
    responses={
        201: documented_answer("the appeal is recorded; the subject is emailed", SubjectView),
        **BODY_REFUSALS,
        409: CANNOT_APPEAL,
        404: NOT_FOUND,
        503: UNAVAILABLE,
    },
)
@tracer.capture_method
def appeal_request(
    request_id: RequestId, submission: Annotated[AppealSubmission, Body()]
) -> Response[SubjectView]:
    """Appeal a refusal, where the request's law gives an appeal; answered within the law's time."""
    desk = desk_from_environment()
    appeal = subject_actions.appeal(desk, request_id, submission.token, submission.statement)
    view = subject_view(desk.store.get(request_id), appeal, desk.now())
    return json_answer(201, _in_language(view, _language(request_id)))


def _verification_answer(outcome: VerificationOutcome, request_id: str) -> Response[VerificationAnswer]:
    if outcome is VerificationOutcome.VERIFIED:
        message = gettext(_language(request_id), IDENTITY_CONFIRMED)
        return json_answer(200, VerificationAnswer(verified=True, message=message))
    # A wrong code is told in the caller's language only: it says nothing of the request.
    answer = VerificationAnswer(verified=False, message=gettext(_asked_language() or ENGLISH, WRONG_CODE))
    if outcome is not VerificationOutcome.REJECTED:
        language = _language(request_id)
        wanted = subject_actions.details_wanted(desk_from_environment(), request_id)
        problem = subject_actions.details_problem(outcome, wanted.needed, wanted.details, language)
        answer = VerificationAnswer(
            verified=False,
            message=f"{problem} {gettext(language, SEND_DETAILS)}",
            details_needed=wanted.needed,
            details=[name for name, _ in wanted.details],
        )
    # Refused rather than malformed: the request was well formed, its proof did not convince.
    return json_answer(403, answer)


@router.post(
    "/requests/<request_id>/verification",
    responses={200: VERIFIED, **BODY_REFUSALS, 403: NOT_VERIFIED, 429: THROTTLED, 503: UNAVAILABLE},
)
@tracer.capture_method
def verify_email(
    request_id: RequestId, submission: Annotated[CodeSubmission, Body()]
) -> Response[VerificationAnswer]:
    desk = desk_from_environment()
    outcome = subject_actions.confirm_with_code(
        desk,
        request_id,
        submission.code,
        {str(name): value for name, value in submission.data_points.items()},
        caller=subject_actions.caller_key(desk, source_address(router.current_event)),
    )
    return _verification_answer(outcome, request_id)


@router.post(
    "/requests/<request_id>/verification/account",
    responses={200: VERIFIED, **BODY_REFUSALS, 403: NOT_VERIFIED, 429: THROTTLED, 503: UNAVAILABLE},
)
@tracer.capture_method
def verify_account(
    request_id: RequestId, submission: Annotated[AccountAssertionSubmission, Body()]
) -> Response[VerificationAnswer]:
    """The product's login vouches for an account holder (posted by the product, not in a URL)."""
    desk = desk_from_environment()
    caller = subject_actions.caller_key(desk, source_address(router.current_event))
    outcome = subject_actions.confirm_with_login(desk, request_id, submission.assertion, caller=caller)
    if outcome is VerificationOutcome.VERIFIED:
        return _verification_answer(outcome, request_id)
    wrong = gettext(_asked_language() or ENGLISH, WRONG_CODE)
    return json_answer(403, VerificationAnswer(verified=False, message=wrong))


@router.post(
    "/requests/<request_id>/verification/new-code",
    responses={
        202: documented_answer("a new code is on its way to the address on file"),
        **BODY_REFUSALS,
        404: NOT_FOUND,
        409: schemas.NOT_WAITING,
        429: THROTTLED,
        503: UNAVAILABLE,
    },
)
@tracer.capture_method
def new_verification_code(
    request_id: RequestId, ask: Annotated[NewCodeAsk, Body()]
) -> Response[dict[str, str]]:
    """Only the holder of the status token may have a code sent (``subject_actions.ask_for_new_code``)."""
    sent = subject_actions.ask_for_new_code(desk_from_environment(), request_id, ask.token)
    language = _language(request_id)
    if not sent:
        return json_answer(409, {"message": gettext(language, NOT_WAITING_FOR_CODE)})
    return json_answer(202, {"message": gettext(language, NEW_CODE_SENT)})
