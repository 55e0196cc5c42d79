"""The public API: submit a request, follow its status, verify the email address."""

import hashlib
import os
from functools import cache
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
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
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from dsr import intake, verification
from dsr.desk import desk_from_environment
from dsr.http_errors import invalid_fields
from dsr.http_guards import JSON, refusal
from dsr.models import Channel, NewRequest
from dsr.public_views import SubjectView, subject_view
from dsr.store import RequestNotFoundError

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)
app.enable_swagger(path="/swagger", title="Privacy request API")

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
BODY_TYPES = {"/requests": JSON, "/requests/{request_id}/verification": JSON}

# A repeated submission with the same Idempotency-Key gets the first answer for 24 hours; the
# same key with a different body is refused rather than answered with the wrong receipt.
IDEMPOTENCY = IdempotencyConfig(
    event_key_jmespath="key", payload_validation_jmespath="body_hash", expires_after_seconds=24 * 3600
)


class SubmittedRequest(BaseModel):
    request_id: str
    status: str
    respond_by: str
    status_token: str = Field(description="shows the status to whoever holds it; keep it private")
    status_url: str


class CodeSubmission(BaseModel):
    code: str = Field(pattern=r"^\d{6}$")


class VerificationAnswer(BaseModel):
    verified: bool
    message: str


NO_MATCH = "No request matches that reference and token."


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def _invalid_input(error: RequestValidationError) -> Response[dict[str, Any]]:
    return Response(
        status_code=422, content_type=content_types.APPLICATION_JSON, body=invalid_fields(error.errors())
    )


@cache
def _submit_once() -> Any:
    persistence = DynamoDBPersistenceLayer(table_name=os.environ["IDEMPOTENCY_TABLE"])

    @idempotent_function(  # type: ignore[untyped-decorator]
        data_keyword_argument="submission", config=IDEMPOTENCY, persistence_store=persistence
    )
    def submit_once(submission: dict[str, Any]) -> dict[str, Any]:
        return _submit(NewRequest.model_validate(submission["request"]), submission["gpc"])

    return submit_once


def _submit(new_request: NewRequest, global_privacy_control: bool) -> dict[str, Any]:
    desk = desk_from_environment()
    receipt = intake.submit(desk, new_request, Channel.WEB, global_privacy_control=global_privacy_control)
    metrics.add_metric(name="RequestsReceived", unit=MetricUnit.Count, value=1)
    return SubmittedRequest(
        request_id=receipt.request_id,
        status=receipt.status.value,
        respond_by=receipt.respond_by.date().isoformat(),
        status_token=receipt.status_token,
        status_url=desk.status_url(receipt.request_id, receipt.status_token),
    ).model_dump()


def _json(status: int, body: Any) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


@app.post(
    "/requests",
    responses={
        201: {"description": "recorded; the subject is acknowledged by email"},
        409: {"description": "the same Idempotency-Key is in use with another body, or still in progress"},
        413: {"description": "the body is too large"},
        415: {"description": "the body is not JSON"},
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


@app.get("/requests/<request_id>")
@tracer.capture_method
def request_status(
    request_id: RequestId, token: Annotated[str, Query(min_length=10, max_length=100)]
) -> Response[SubjectView]:
    desk = desk_from_environment()
    if not intake.status_token_matches(desk, request_id, token):
        raise NotFoundError(NO_MATCH)
    try:
        view = subject_view(desk.store.get(request_id))
    except RequestNotFoundError as missing:
        raise NotFoundError(NO_MATCH) from missing
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=view)


@app.post("/requests/<request_id>/verification")
@tracer.capture_method
def verify_email(
    request_id: RequestId, submission: Annotated[CodeSubmission, Body()]
) -> Response[VerificationAnswer]:
    outcome = verification.submit_code(desk_from_environment(), request_id, submission.code)
    if outcome is verification.VerificationOutcome.VERIFIED:
        answer = VerificationAnswer(verified=True, message="Thank you, your email address is confirmed.")
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=answer)
    answer = VerificationAnswer(
        verified=False,
        message="That code did not work. Check it, or ask for a new one if it has expired.",
    )
    return Response(status_code=400, content_type=content_types.APPLICATION_JSON, body=answer)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=app.get_openapi_json_schema(title="Privacy request API", version="1.0.0"),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = refusal(event, BODY_TYPES)
    if refused is not None:
        return refused
    IDEMPOTENCY.register_lambda_context(context)
    return app.resolve(event, context)
