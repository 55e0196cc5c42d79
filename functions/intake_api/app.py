"""The public API: submit a request, follow its status, verify the email address."""

from dsr.core.initialising import initialised

import hashlib
import json
import os
import uuid
from functools import lru_cache
from pathlib import Path as PathLib
from typing import Annotated, Any, Literal
from urllib.parse import parse_qs, quote

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import ConfigDict, Field

from dsr.appeals import appeals
from dsr.closing import downloads
from dsr.core.desk_model import DeskModel
from dsr.core.handler_stack import desk_handler
from dsr.core.models import Channel, NewRequest, Status
from dsr.core.readable_dates import day_text
from dsr.core.tracing import desk_tracer
from dsr.intake import proof_of_identity, throttling
from dsr.intake import submission as intake
from dsr.intake.status_tokens import status_token_matches
from dsr.notices.public_views import CODE_PROOFS, SubjectView, subject_view
from dsr.policies.deadlines import load_calendars
from dsr.policies.request_deadlines import local_day
from dsr.policies.verification import Level, load_policy
from dsr.storage.rate_limits import CODE_ATTEMPTS_PER_ADDRESS, NEW_CODES_PER_REQUEST, SUBMISSIONS_PER_ADDRESS
from dsr.storage.store import RequestNotFoundError
from dsr.verification import identity_checks as verification
from dsr.web import pages as web_pages
from dsr.web.http_errors import (
    BODY_REFUSALS,
    documented_answer,
    invalid_fields,
    with_invalid_request_schema,
)
from dsr.web.http_guards import FORM, JSON, method_not_allowed, origin_of, refusal, sent_from_another_site
from dsr.web.response_headers import policy_for_inline_page, with_security_headers
from dsr.wiring.desk import Desk, desk_from_environment
from dsr.wiring.snapshot import check_a_sample_submission, prepare_snapshot

logger = Logger()
tracer = desk_tracer()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)
API_TITLE = "Privacy request API"
API_VERSION = "1.0.0"

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
DataPointName = Literal["phone", "postal_code", "last_invoice_amount", "account_created_month"]
BODY_TYPES = {
    "/requests": JSON,
    "/requests/{request_id}/verification": JSON,
    "/requests/{request_id}/verification/account": JSON,
    "/requests/{request_id}/verification/new-code": JSON,
    "/privacy-request": FORM,
    "/status/{request_id}/verification": FORM,
    "/status/{request_id}/new-code": FORM,
    "/status/{request_id}/appeal": FORM,
    "/requests/{request_id}/appeal": JSON,
    "/download/{request_id}": FORM,
    "/download/{request_id}/code": FORM,
}
# The documented paths and their methods; API Gateway sends their other methods (ANY) for a 405.
DOCUMENTED_METHODS = {
    "/requests": ("POST",),
    "/requests/{request_id}": ("GET",),
    "/requests/{request_id}/verification": ("POST",),
    "/requests/{request_id}/verification/account": ("POST",),
    "/requests/{request_id}/verification/new-code": ("POST",),
    "/requests/{request_id}/appeal": ("POST",),
}

# A repeated submission with the same Idempotency-Key gets the first answer for 24 hours; the
# same key with a different body is refused rather than answered with the wrong receipt. The key
# is bound to the caller's address (as a keyed hash) as well: another caller who learns or guesses
# a key and the body sent with it makes a submission of their own, and never gets the first
# caller's receipt and status token.
KEYED_SUBMISSIONS = uuid.UUID("8d3c1f52-6a0e-4b7c-9f1d-2e5a7b9c0d14")
"""Namespace of the request ids named by an Idempotency-Key and the body sent with it."""
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="[key, caller]",
    payload_validation_jmespath="body_hash",
    expires_after_seconds=24 * 3600,
)


class SubmittedRequest(DeskModel):
    request_id: str
    status: str
    respond_by: str
    status_token: str = Field(description="shows the status to whoever holds it; keep it private")
    status_url: str


class CodeSubmission(DeskModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^\d{6}$")
    data_points: dict[DataPointName, Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict,
        description="when the emailed code asks for them: details we hold, e.g. phone, postal_code",
    )


class VerificationAnswer(DeskModel):
    verified: bool
    message: str
    details_needed: int = Field(
        default=0, description="when the code is right but details are missing or do not match: how many"
    )
    details: list[str] = Field(
        default_factory=list, description="the names of the details we hold, to send in data_points"
    )


NO_MATCH = "No request matches that reference and token."


# What each route may answer besides its success and 422, for the OpenAPI document: each status
# with the body the API really answers it with.
UNAVAILABLE = documented_answer("a store or service failed; trying again is safe (see Retry-After)")
THROTTLED = documented_answer("too many attempts from this address or for this request (see Retry-After)")
NOT_FOUND = documented_answer("no request matches that reference and token")
CANNOT_APPEAL = documented_answer("this request cannot be appealed (the message says why)")
VERIFIED = documented_answer("the identity is confirmed", VerificationAnswer)
NOT_VERIFIED = documented_answer("the code or the details did not match", VerificationAnswer)


@app.exception_handler(throttling.TooManyAttemptsError)  # type: ignore[untyped-decorator]
def _too_many(error: throttling.TooManyAttemptsError) -> Response[dict[str, Any]]:
    return Response(
        status_code=429,
        content_type=content_types.APPLICATION_JSON,
        body={"message": str(error)},
        headers={"Retry-After": str(error.retry_after_seconds)},
    )


@app.exception_handler(ClientError)  # type: ignore[untyped-decorator]
@app.exception_handler(BotoCoreError)  # type: ignore[untyped-decorator]
@app.exception_handler(IdempotencyPersistenceLayerError)  # type: ignore[untyped-decorator]
@app.exception_handler(IdempotencyInconsistentStateError)  # type: ignore[untyped-decorator]
def _aws_unavailable(error: Exception) -> Response[dict[str, Any]]:
    """A store or service failed past its retries (the idempotency table's included): say so,
    and that trying again is safe (with the same Idempotency-Key the request is recorded once)."""
    logger.warning("an AWS call failed", error=type(error).__name__)
    return Response(
        status_code=503,
        content_type=content_types.APPLICATION_JSON,
        body={"message": "The privacy desk could not complete this just now. Please try again in a moment."},
        headers={"Retry-After": "5"},
    )


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def _invalid_input(error: RequestValidationError) -> Response[dict[str, Any]]:
    return Response(
        status_code=422, content_type=content_types.APPLICATION_JSON, body=invalid_fields(error.errors())
    )


def _submit_once() -> Any:
    import boto3  # noqa: PLC0415 - as the desk does, on first use rather than at import

    desk_from_environment()  # on a cold start, this makes the default session
    return _submit_once_with(boto3.DEFAULT_SESSION)


@lru_cache(maxsize=1)
def _submit_once_with(session: Any) -> Any:
    """One idempotent submitter per boto3 default session: for the life of a Lambda environment,
    and anew each time the local cloud starts. Its client comes from that session rather than the
    new session the persistence layer would otherwise make (about 100 ms of a cold start)."""
    persistence = DynamoDBPersistenceLayer(
        table_name=os.environ["IDEMPOTENCY_TABLE"], boto3_client=session.client("dynamodb")
    )

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="submission", config=IDEMPOTENCY, persistence_store=persistence
    )
    def submit_once(submission: dict[str, Any]) -> dict[str, Any]:
        # The same key and body name the same request, so a retry after a failure midway (the
        # request stored, the rest not) finds it and finishes it rather than making a second.
        named_by = f"{submission['key']}\n{submission['caller']}\n{submission['body_hash']}"
        request_id = str(uuid.uuid5(KEYED_SUBMISSIONS, named_by))
        return _submit(
            NewRequest.model_validate(submission["request"]),
            submission["gpc"],
            request_id,
            caller=submission["caller"],
        )

    return submit_once


def _submit(
    new_request: NewRequest,
    global_privacy_control: bool,
    request_id: str | None = None,
    *,
    caller: str | None = None,
) -> dict[str, Any]:
    """``caller``: the keyed hash of the caller's address, when already made."""
    desk = desk_from_environment()
    throttling.enforce(
        desk, SUBMISSIONS_PER_ADDRESS, caller or throttling.address_key(desk, _source_address())
    )
    receipt = intake.submit(
        desk, new_request, Channel.WEB, request_id, global_privacy_control=global_privacy_control
    )
    metrics.add_metric(name="RequestsReceived", unit=MetricUnit.Count, value=1)
    return SubmittedRequest(
        request_id=receipt.request_id,
        status=receipt.status.value,
        respond_by=receipt.respond_on.isoformat(),
        status_token=receipt.status_token,
        status_url=desk.status_url(receipt.request_id, receipt.status_token),
    ).model_dump()


def _json(status: int, body: Any) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.post(
    "/requests",
    responses={
        201: documented_answer("recorded; the subject is acknowledged by email", SubmittedRequest),
        **BODY_REFUSALS,
        409: documented_answer("the same Idempotency-Key is in use with another body, or still in progress"),
        429: THROTTLED,
        503: UNAVAILABLE,
    },
)
@tracer.capture_method
def submit_request(new_request: Annotated[NewRequest, Body()]) -> Response[SubmittedRequest]:
    event = app.current_event
    gpc = (event.headers.get("Sec-GPC") or "").strip() == "1"
    key = (event.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return _json(201, _submit(new_request, gpc))
    submission = {
        "key": key[:200],
        "caller": throttling.address_key(desk_from_environment(), _source_address()),
        "body_hash": hashlib.sha256((event.body or "").encode()).hexdigest(),
        "gpc": gpc,
        "request": new_request.model_dump(mode="json"),
    }
    try:
        return _json(201, _submit_once()(submission=submission))
    except IdempotencyValidationError as reused:
        raise ServiceError(409, "This Idempotency-Key was used with a different request.") from reused
    except IdempotencyAlreadyInProgressError as busy:
        raise ServiceError(
            409, "A request with this Idempotency-Key is still being recorded; retry."
        ) from busy


@app.get(
    "/requests/<request_id>",
    responses={200: documented_answer("the request's status", SubjectView), 404: NOT_FOUND, 503: UNAVAILABLE},
)
@tracer.capture_method
def request_status(
    request_id: RequestId, token: Annotated[str, Query(min_length=10, max_length=100)]
) -> Response[SubjectView]:
    desk = desk_from_environment()
    if not status_token_matches(desk, request_id, token):
        raise NotFoundError(NO_MATCH)
    try:
        request = desk.store.get(request_id)
    except RequestNotFoundError as missing:
        raise NotFoundError(NO_MATCH) from missing
    view = subject_view(
        request,
        appeals.appeal_of(desk, request_id),
        desk.now(),
        proof=proof_of_identity.proof_asked(desk, request),
    )
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=view)


class AppealSubmission(DeskModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=100, description="the status token of the request")
    statement: str = Field(
        min_length=1, max_length=appeals.MAX_STATEMENT_CHARACTERS, description="why the subject disagrees"
    )


@app.post(
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
    if not status_token_matches(desk, request_id, submission.token) or desk.store.find(request_id) is None:
        raise NotFoundError(NO_MATCH)
    try:
        appeal = appeals.lodge(desk, request_id, submission.statement, appeals.AppealChannel.STATUS_PAGE)
    except appeals.AppealRefusedError as refused:
        raise ServiceError(409, f"This request cannot be appealed: {refused}.") from refused
    view = subject_view(desk.store.get(request_id), appeal, desk.now())
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=view)


def _source_address() -> str:
    return str(app.current_event.request_context.identity.source_ip or "unknown")


WRONG_CODE = "That did not work. Check what you entered, or ask for a new code if yours has expired."


def _details_wanted(desk: Desk, request_id: str) -> tuple[int, list[tuple[str, str]]]:
    """How many of the details we hold the request needs, and each detail's name and label."""
    request = desk.store.get(request_id)
    points = [(name, point.label) for name, point in load_policy().data_points.points.items()]
    return proof_of_identity.requirement_for(desk, request).data_points, points


def _details_problem(
    outcome: verification.VerificationOutcome, needed: int, points: list[tuple[str, str]] | None = None
) -> str:
    """What to tell whoever sent the right code without the details the request needs: ``points``
    listed, or (on the page, which shows a field for each) "the details below"."""
    listed = "; ".join(f"{label} ({name})" for name, label in points) if points else ""
    which = (
        f"of these details, as we hold them: {listed}" if points else "of the details below, as we hold them"
    )
    if outcome is verification.VerificationOutcome.DETAILS_MISSING:
        return f"Your code is right, but to protect your data we also need {needed} {which}."
    return (
        f"Your code is right, but fewer than {needed} of the details you gave match what we hold. "
        f"Check them and send the code again with {needed} {which}."
    )


def _verification_answer(
    outcome: verification.VerificationOutcome, request_id: str | None = None
) -> Response[VerificationAnswer]:
    if outcome is verification.VerificationOutcome.VERIFIED:
        answer = VerificationAnswer(verified=True, message="Thank you, your identity is confirmed.")
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer)
    if outcome is verification.VerificationOutcome.REJECTED or request_id is None:
        answer = VerificationAnswer(verified=False, message=WRONG_CODE)
    else:
        needed, points = _details_wanted(desk_from_environment(), request_id)
        answer = VerificationAnswer(
            verified=False,
            message=_details_problem(outcome, needed, points)
            + " Send them in data_points, with the same code.",
            details_needed=needed,
            details=[name for name, _ in points],
        )
    # Refused rather than malformed: the request was well formed, its proof did not convince.
    return Response(status_code=403, content_type=content_types.APPLICATION_JSON, body=answer)


@app.post(
    "/requests/<request_id>/verification",
    responses={200: VERIFIED, **BODY_REFUSALS, 403: NOT_VERIFIED, 429: THROTTLED, 503: UNAVAILABLE},
)
@tracer.capture_method
def verify_email(
    request_id: RequestId, submission: Annotated[CodeSubmission, Body()]
) -> Response[VerificationAnswer]:
    desk = desk_from_environment()
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, throttling.address_key(desk, _source_address()))
    outcome = verification.submit_code(
        desk, request_id, submission.code, {str(k): v for k, v in submission.data_points.items()}
    )
    return _verification_answer(outcome, request_id)


class AccountAssertionSubmission(DeskModel):
    model_config = ConfigDict(extra="forbid")

    assertion: str = Field(min_length=10, max_length=4096, description="signed by the product's login")


@app.post(
    "/requests/<request_id>/verification/account",
    responses={200: VERIFIED, **BODY_REFUSALS, 403: NOT_VERIFIED, 429: THROTTLED, 503: UNAVAILABLE},
)
@tracer.capture_method
def verify_account(
    request_id: RequestId, submission: Annotated[AccountAssertionSubmission, Body()]
) -> Response[VerificationAnswer]:
    """The product's login vouches for an account holder (posted by the product, not in a URL)."""
    desk = desk_from_environment()
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, throttling.address_key(desk, _source_address()))
    return _verification_answer(verification.submit_assertion(desk, request_id, submission.assertion))


class NewCodeAsk(DeskModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=100, description="the status token of the request")


NEW_CODE_SENT = "We have emailed you a new code. It replaces the one before."
NOT_WAITING_FOR_CODE = "This request is not waiting for a code."


@app.post(
    "/requests/<request_id>/verification/new-code",
    responses={
        202: documented_answer("a new code is on its way to the address on file"),
        **BODY_REFUSALS,
        404: NOT_FOUND,
        409: documented_answer("the request is not waiting for a code"),
        429: THROTTLED,
        503: UNAVAILABLE,
    },
)
@tracer.capture_method
def new_verification_code(
    request_id: RequestId, ask: Annotated[NewCodeAsk, Body()]
) -> Response[dict[str, str]]:
    """Only the holder of the status token may have a code sent, so nobody can use the desk to
    mail someone else: every caller does the same work until the token is checked."""
    desk = desk_from_environment()
    if not status_token_matches(desk, request_id, ask.token):
        raise NotFoundError(NO_MATCH)
    throttling.enforce(desk, NEW_CODES_PER_REQUEST, request_id)
    if not verification.issue_new_code(desk, request_id):
        raise ServiceError(409, NOT_WAITING_FOR_CODE)
    return _json(202, {"message": NEW_CODE_SENT})


# --- the web form: plain HTML that works without JavaScript ------------------------------------


def _html(status: int, page: str, extra_headers: dict[str, str] | None = None) -> Response[str]:
    headers = {**web_pages.RESPONSE_HEADERS, **(extra_headers or {})}
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=page, headers=headers)


def _form_data() -> dict[str, list[str]]:
    return parse_qs(app.current_event.decoded_body or "", keep_blank_values=True)


def _html_status_url(request_id: str, token: str) -> str:
    return f"{desk_from_environment().settings.public_base_url}/status/{request_id}?token={quote(token)}"


@app.get("/privacy-request", include_in_schema=False)
def request_form() -> Response[str]:
    return _html(200, web_pages.request_form_page())


@app.post("/privacy-request", include_in_schema=False)
def submit_request_form() -> Response[str]:
    """Errors are shown beside the fields; success redirects to the status page (a refresh
    there does not submit again)."""
    form = _form_data()
    try:
        new_request = web_pages.new_request_from_form(form)
    except web_pages.FormErrors as problems:
        return _html(422, web_pages.request_form_page(form, problems.errors))
    gpc = (app.current_event.headers.get("Sec-GPC") or "").strip() == "1"
    desk = desk_from_environment()
    throttling.enforce(desk, SUBMISSIONS_PER_ADDRESS, throttling.address_key(desk, _source_address()))
    receipt = intake.submit(desk, new_request, Channel.WEB, global_privacy_control=gpc)
    metrics.add_metric(name="RequestsReceived", unit=MetricUnit.Count, value=1)
    location = _html_status_url(receipt.request_id, receipt.status_token) + "&submitted=1"
    return _html(
        303,
        web_pages.message_page("Request received", "Taking you to its status page."),
        {"Location": location},
    )


def _status_page_for(
    request_id: str, token: str, message: str | None = None, code: str = "", status: int = 200
) -> Response[str]:
    desk = desk_from_environment()
    request = desk.store.find(request_id) if status_token_matches(desk, request_id, token) else None
    if request is None:
        return _html(404, web_pages.message_page("Not found", NO_MATCH))
    proof = proof_of_identity.proof_asked(desk, request)
    requirement = proof_of_identity.requirement_for(desk, request)
    points = [(name, point.label) for name, point in load_policy().data_points.points.items()]
    page = web_pages.status_page(
        subject_view(request, appeals.appeal_of(desk, request_id), desk.now(), proof=proof),
        token=token,
        message=message,
        # From the first moment: the code may arrive before the page is next loaded.
        show_code_form=proof in CODE_PROOFS and request.status in (Status.RECEIVED, Status.VERIFYING),
        code=code,
        data_points=points if requirement.level is Level.MATCHED else (),
        data_points_needed=requirement.data_points,
        proof=proof,
    )
    return _html(status, page)


@app.get("/status/<request_id>", include_in_schema=False)
def status_page(request_id: str) -> Response[str]:
    query = app.current_event.query_string_parameters or {}
    message = "Thank you, we have your request." if query.get("submitted") == "1" else None
    # The emailed link carries the code: the page shows it filled in; a person confirms it (a
    # mail scanner that follows links confirms nothing).
    return _status_page_for(request_id, query.get("token", ""), message, query.get("code", ""))


def _given_data_points(form: dict[str, list[str]]) -> dict[str, str]:
    return {
        name.removeprefix("point_"): values[0].strip()
        for name, values in form.items()
        if name.startswith("point_") and values and values[0].strip()
    }


@app.post("/status/<request_id>/verification", include_in_schema=False)
def verify_email_form(request_id: str) -> Response[str]:
    form = _form_data()
    token = (form.get("token") or [""])[0]
    code = (form.get("code") or [""])[0].strip()
    desk = desk_from_environment()
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, throttling.address_key(desk, _source_address()))
    if not status_token_matches(desk, request_id, token):
        return _html(404, web_pages.message_page("Not found", NO_MATCH))
    outcome = (
        verification.submit_code(desk, request_id, code, _given_data_points(form))
        if code.isdigit() and len(code) == 6
        else verification.VerificationOutcome.REJECTED
    )
    status_url = _html_status_url(request_id, token)
    if outcome is verification.VerificationOutcome.VERIFIED:
        confirmed = "Thank you, it is you" if _given_data_points(form) else "Email address confirmed"
        page = web_pages.message_page(
            confirmed, "Our privacy team will now review your request.", status_url=status_url
        )
        return _html(200, page)
    if outcome is not verification.VerificationOutcome.REJECTED:
        # The code was right: the page again, the code kept, asking for the details it lacks.
        needed, _ = _details_wanted(desk, request_id)
        return _status_page_for(request_id, token, _details_problem(outcome, needed), code, 400)
    page = web_pages.message_page(
        "That code did not work",
        "Check the code in our newest email and try again. If it has expired, ask for a new one on "
        "the status page of your request.",
        status_url=status_url,
    )
    return _html(400, page)


@app.post("/status/<request_id>/new-code", include_in_schema=False)
def new_code_form(request_id: str) -> Response[str]:
    """The status page's "Email me a new code": the answer is the status page again."""
    token = _form_value(_form_data(), "token")
    desk = desk_from_environment()
    if not status_token_matches(desk, request_id, token):
        return _html(404, web_pages.message_page("Not found", NO_MATCH))
    try:
        throttling.enforce(desk, NEW_CODES_PER_REQUEST, request_id)
        sent = verification.issue_new_code(desk, request_id)
    except throttling.TooManyAttemptsError as refused:
        message = "We have sent several codes already. Use the latest one, or ask again later."
        answer = _status_page_for(request_id, token, message)
        answer.status_code = 429
        answer.headers["Retry-After"] = str(refused.retry_after_seconds)
        return answer
    message = (
        "We have emailed you a new code; the one before no longer works."
        if sent
        else "This request is not waiting for a code."
    )
    return _status_page_for(request_id, token, message)


@app.post("/status/<request_id>/appeal", include_in_schema=False)
def appeal_form(request_id: str) -> Response[str]:
    form = _form_data()
    token = _form_value(form, "token")
    statement = _form_value(form, "statement")
    desk = desk_from_environment()
    if not status_token_matches(desk, request_id, token) or desk.store.find(request_id) is None:
        return _html(404, web_pages.message_page("Not found", NO_MATCH))
    status_url = _html_status_url(request_id, token)
    if not statement or len(statement) > appeals.MAX_STATEMENT_CHARACTERS:
        problem = (
            "Tell us why you disagree with our decision."
            if not statement
            else f"Your reasons are longer than {appeals.MAX_STATEMENT_CHARACTERS} characters; shorten them."
        )
        return _html(400, web_pages.message_page("Your appeal was not sent", problem, status_url=status_url))
    try:
        appeal = appeals.lodge(desk, request_id, statement, appeals.AppealChannel.STATUS_PAGE)
    except appeals.AppealRefusedError as refused:
        message = f"This request cannot be appealed: {refused}."
        return _html(409, web_pages.message_page("Your appeal was not sent", message, status_url=status_url))
    answer_by = day_text(local_day(appeal.jurisdiction, appeal.respond_by))
    page = web_pages.message_page(
        "Appeal received",
        f"We have emailed you a confirmation. We will answer your appeal by {answer_by}.",
        status_url=status_url,
    )
    return _html(200, page)


# --- downloading the access package: the emailed link, a fresh code, then short-lived links ---------


def _form_value(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def _open_download(request_id: str, token: str) -> downloads.Download | Response[str]:
    """The download if its window is open; otherwise the page to answer with: the status page's
    404 for a wrong token (it never tells whether the request exists), the expired page past the
    window, or "nothing to download"."""
    desk = desk_from_environment()
    download = downloads.find(desk, request_id, token)
    if download is None:
        return _html(404, web_pages.message_page("Not found", NO_MATCH))
    if download.window is downloads.Window.NOTHING:
        page = web_pages.message_page(
            "Nothing to download",
            "There is no copy of personal data to download for this request.",
            status_url=_html_status_url(request_id, token),
        )
        return _html(404, page)
    if download.window is downloads.Window.CLOSED or download.available_until is None:
        form_url = f"{desk.settings.public_base_url}/privacy-request"
        return _html(410, web_pages.download_expired_page(form_url, desk.settings.privacy_mailbox))
    return download


def _download_page(
    download: downloads.Download, status: int = 200, *, code_sent: bool, problem: str | None = None
) -> Response[str]:
    page = web_pages.download_page(
        download.request_id,
        download.token,
        download.available_until or desk_from_environment().now(),
        code_sent=code_sent,
        problem=problem,
        code_minutes=downloads.CODE_TTL_MINUTES,
    )
    return _html(status, page)


@app.get("/download/<request_id>", include_in_schema=False)
def download_start(request_id: str) -> Response[str]:
    """The link in the completion email: offers to email a fresh code."""
    token = (app.current_event.query_string_parameters or {}).get("token", "")
    found = _open_download(request_id, token)
    if isinstance(found, Response):
        return found
    return _download_page(found, code_sent=False)


@app.post("/download/<request_id>/code", include_in_schema=False)
def download_send_code(request_id: str) -> Response[str]:
    """Email a fresh code to the address on file (never one typed here)."""
    found = _open_download(request_id, _form_value(_form_data(), "token"))
    if isinstance(found, Response):
        return found
    try:
        downloads.send_code(desk_from_environment(), found)
    except throttling.TooManyAttemptsError as refused:
        problem = "We have sent several codes in the last hour. Use the latest one, or ask again later."
        answer = _download_page(found, 429, code_sent=True, problem=problem)
        answer.headers["Retry-After"] = str(refused.retry_after_seconds)
        return answer
    return _download_page(found, code_sent=True)


@app.post("/download/<request_id>", include_in_schema=False)
def download_with_code(request_id: str) -> Response[str]:
    """A right code is answered with links to the package that work for 5 minutes."""
    form = _form_data()
    desk = desk_from_environment()
    throttling.enforce(desk, CODE_ATTEMPTS_PER_ADDRESS, throttling.address_key(desk, _source_address()))
    found = _open_download(request_id, _form_value(form, "token"))
    if isinstance(found, Response):
        return found
    redemption = downloads.redeem(desk, found, _form_value(form, "code"))
    if redemption.links is not None:
        links = redemption.links
        return _html(200, web_pages.download_links_page(links.readable, links.data, links.seconds))
    retry = redemption.refusal is downloads.Refusal.WRONG_CODE and redemption.attempts_left > 0
    return _download_page(found, 400, code_sent=retry, problem=downloads.explain(redemption))


# --- the API's own documentation ----------------------------------------------------------------
# Built when first asked for, not at import: the OpenAPI models Powertools describes the API with
# take about 90 ms to import, a cost no submission should pay at a cold start.


@lru_cache(maxsize=1)
def _openapi_document() -> str:
    return with_invalid_request_schema(app.get_openapi_json_schema(title=API_TITLE, version=API_VERSION))


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=_openapi_document())


@app.get("/swagger", include_in_schema=False)
def api_documentation() -> Response[str]:
    """Swagger UI over the OpenAPI document, with the script and style Powertools ships."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui  # noqa: PLC0415
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html  # noqa: PLC0415

    assets = PathLib(swagger_ui.__file__).parent
    page = generate_swagger_html(
        # As Powertools does: "</" escaped, so the document cannot close the page's script element.
        _openapi_document().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )
    headers = {"Content-Security-Policy": policy_for_inline_page(page), "Cache-Control": "no-cache"}
    return Response(status_code=200, content_type="text/html; charset=utf-8", body=page, headers=headers)


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = (
        method_not_allowed(event, DOCUMENTED_METHODS)
        or refusal(event, BODY_TYPES)
        or _cross_site_refusal(event)
    )
    if refused is not None:
        return with_security_headers(refused)
    IDEMPOTENCY.register_lambda_context(context)
    return with_security_headers(app.resolve(event, context))


CROSS_SITE = (
    "This form was sent from another website. For your safety we only accept it from our own "
    "pages: open the privacy request page on our site and send it from there."
)


def _cross_site_refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """A post a page of another site made a visitor's browser send: refused with 403 before it
    is read (a form there could file or confirm a request in the visitor's name)."""
    if event.get("httpMethod") != "POST":
        return None
    site = origin_of(desk_from_environment().settings.public_base_url)
    if not sent_from_another_site(event, site):
        return None
    logger.warning("cross-site post refused", route=event.get("resource"))
    if BODY_TYPES.get(str(event.get("resource"))) == JSON:
        return {
            "statusCode": 403,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps({"message": CROSS_SITE}),
            "isBase64Encoded": False,
        }
    return {
        "statusCode": 403,
        "headers": dict(web_pages.RESPONSE_HEADERS),
        "body": web_pages.message_page("Sent from another website", CROSS_SITE),
        "isBase64Encoded": False,
    }


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot).
prepare_snapshot(
    # The verification levels' lazily imported checks, and Swagger's page.
    (
        "dsr.verification.account_assertion",
        "dsr.verification.data_points",
        "dsr.connectors.selection",
        *(f"dsr.connectors.{kind}" for kind in ("dynamodb", "s3_csv", "s3_jsonl", "s3_objects")),
        "nacl.signing",
        "aws_lambda_powertools.event_handler.openapi.swagger_ui",
    ),
    check_a_sample_submission,
    lambda: desk_from_environment().preload(
        "store", "limiter", "hasher", "mailer", "workflow", "packages", "registry"
    ),
    load_calendars,
    load_policy,
    _submit_once,
    _openapi_document,
)

initialised()
