"""The public API: submit a request, follow its status, verify the email address."""

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from dsr import intake, verification
from dsr.desk import desk_from_environment
from dsr.http_errors import invalid_fields
from dsr.models import Channel, NewRequest
from dsr.public_views import SubjectView, subject_view
from dsr.store import RequestNotFoundError

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayRestResolver(enable_validation=True)
app.enable_swagger(path="/swagger", title="Privacy request API")

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


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


@app.post("/requests", responses={201: {"description": "recorded and acknowledged"}})
@tracer.capture_method
def submit_request(new_request: Annotated[NewRequest, Body()]) -> Response[SubmittedRequest]:
    desk = desk_from_environment()
    receipt = intake.submit(desk, new_request, Channel.WEB)
    metrics.add_metric(name="RequestsReceived", unit=MetricUnit.Count, value=1)
    body = SubmittedRequest(
        request_id=receipt.request_id,
        status=receipt.status.value,
        respond_by=receipt.respond_by.date().isoformat(),
        status_token=receipt.status_token,
        status_url=desk.status_url(receipt.request_id, receipt.status_token),
    )
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=body)


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
    return app.resolve(event, context)
