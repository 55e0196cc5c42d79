"""The staff API behind the console: the queue, one request, and decisions."""

from typing import Annotated, Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from dsr import approval, reruns, suppression, verification
from dsr.desk import desk_from_environment
from dsr.http_errors import invalid_fields
from dsr.staff_auth import ForbiddenError, NotSignedInError, StaffGroup, StaffMember, require
from dsr.staff_views import QueueEntry, RequestDetail, queue_entry, request_detail
from dsr.store import RequestNotFoundError, TransitionRejectedError

logger = Logger()
tracer = Tracer()
app = APIGatewayRestResolver(enable_validation=True)

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


def _json(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def _staff(needed: StaffGroup) -> StaffMember:
    claims = app.current_event.request_context.authorizer.claims
    return require(claims, needed)


@app.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
def _invalid_input(error: RequestValidationError) -> Response[dict[str, Any]]:
    return Response(
        status_code=422, content_type=content_types.APPLICATION_JSON, body=invalid_fields(error.errors())
    )


@app.exception_handler(NotSignedInError)  # type: ignore[untyped-decorator]
def _not_signed_in(error: NotSignedInError) -> Response[dict[str, Any]]:
    return _json(401, {"message": str(error)})


@app.exception_handler(ForbiddenError)  # type: ignore[untyped-decorator]
def _forbidden(error: ForbiddenError) -> Response[dict[str, Any]]:
    return _json(403, {"message": str(error)})


@app.exception_handler(RequestNotFoundError)  # type: ignore[untyped-decorator]
def _not_found(error: RequestNotFoundError) -> Response[dict[str, Any]]:
    return _json(404, {"message": f"no request {error}"})


@app.get("/staff/requests")
def list_open_requests() -> list[QueueEntry]:
    _staff(StaffGroup.ANALYST)
    desk = desk_from_environment()
    return [queue_entry(request) for request in desk.store.open_requests()]


@app.get("/staff/requests/<request_id>")
def show_request(request_id: RequestId) -> RequestDetail:
    _staff(StaffGroup.ANALYST)
    desk = desk_from_environment()
    return request_detail(desk.store, desk.store.get(request_id))


@app.post("/staff/requests/<request_id>/decision")
def decide(
    request_id: RequestId, decision: Annotated[approval.StaffDecision, Body()]
) -> Response[dict[str, Any]]:
    member = _staff(StaffGroup.APPROVER)
    try:
        approval.decide(desk_from_environment(), request_id, decision, member.username)
    except approval.NothingToDecideError:
        return _json(409, {"message": "this request is not waiting for a decision"})
    except approval.DecisionConflictError as conflict:
        return _json(409, {"message": str(conflict), "decided_by": conflict.decided_by})
    return _json(200, {"request_id": request_id, "decision": decision.decision.value})


class SuppressionCheck(BaseModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[Annotated[str, Field(max_length=320)]] = Field(min_length=1, max_length=500)


@app.post("/staff/suppression/check")
def check_suppression(check: Annotated[SuppressionCheck, Body()]) -> list[dict[str, Any]]:
    """For import jobs: which of these addresses were erased or opted out, and must stay out."""
    _staff(StaffGroup.ANALYST)
    return suppression.check(desk_from_environment(), check.emails)


@app.post("/staff/requests/<request_id>/rerun")
def rerun_failed_systems(request_id: RequestId) -> Response[dict[str, Any]]:
    """Carry out again only the system tasks that failed; the others are not repeated."""
    member = _staff(StaffGroup.APPROVER)
    try:
        execution = reruns.start_rerun(desk_from_environment(), request_id, member.username)
    except (reruns.NothingToRerunError, TransitionRejectedError):
        return _json(409, {"message": "this request has no failed systems to re-run"})
    return _json(202, {"request_id": request_id, "execution": execution})


@app.post("/staff/requests/<request_id>/power-of-attorney")
def confirm_power_of_attorney(request_id: RequestId) -> Response[dict[str, Any]]:
    """Staff have examined the agent's power of attorney: the subject need not confirm directly."""
    member = _staff(StaffGroup.APPROVER)
    if not verification.confirm_power_of_attorney(desk_from_environment(), request_id, member.username):
        return _json(409, {"message": "this request is not waiting for a power of attorney to be confirmed"})
    return _json(200, {"request_id": request_id, "confirmed_by": member.username})


class TriageItem(BaseModel):
    triage_id: str
    disposition: str
    reason: str
    at: str
    sender: str | None = None
    request_id: str | None = None
    attachments: int | None = None


class TriageResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=2000, description="what was done about it")


@app.get("/staff/triage")
def list_triage() -> list[TriageItem]:
    """Mail that did not become a request: quarantined, not understood, or replies to requests."""
    _staff(StaffGroup.ANALYST)
    items = desk_from_environment().store.open_triage()
    return [TriageItem.model_validate(item) for item in items]


@app.post("/staff/triage/<triage_id>/resolution")
def resolve_triage(
    triage_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")],
    resolution: Annotated[TriageResolution, Body()],
) -> Response[dict[str, Any]]:
    member = _staff(StaffGroup.ANALYST)
    desk = desk_from_environment()
    if not desk.store.resolve_triage(triage_id, member.username, resolution.note, desk.now()):
        return _json(409, {"message": "this item is not open (resolved already, or unknown)"})
    return _json(200, {"triage_id": triage_id, "resolved_by": member.username})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
