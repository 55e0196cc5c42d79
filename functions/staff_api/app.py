"""The staff API behind the console: the queue, one request, and decisions."""

from dsr.core.initialising import initialised

import json
from datetime import datetime
from functools import lru_cache
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BeforeValidator, ConfigDict, Field

from dsr.appeals import appeals
from dsr.core.actions import Action
from dsr.core.desk_model import DeskModel
from dsr.core.handler_stack import desk_handler
from dsr.core.tracing import desk_tracer
from dsr.deadlines import clock_pauses
from dsr.policies.deadlines import load_calendars
from dsr.policies.request_deadlines import local_day
from dsr.policies.verification import load_policy
from dsr.review import approval
from dsr.staff import dashboard, reports
from dsr.staff.auth import (
    ROUTE_GROUPS,
    ForbiddenError,
    NotSignedInError,
    StaffMember,
    authorize_route,
    staff_member_from,
)
from dsr.staff.request_views import (
    AppealQueueEntry,
    QueueEntry,
    RequestDetail,
    RevealedIdentity,
    appeal_queue_entry,
    open_queue,
    request_detail,
    revealed_identity,
)
from dsr.storage.store import TransitionRejectedError
from dsr.web.http_errors import BODY_REFUSALS, answer_refusals, documented_answer, with_invalid_request_schema
from dsr.web.http_guards import JSON, refusal
from dsr.web.response_headers import with_security_headers
from dsr.wiring.desk import desk_from_environment
from dsr.wiring.snapshot import prepare_snapshot

tracer = desk_tracer()
app = APIGatewayRestResolver(enable_validation=True)

API_TITLE = "Privacy desk staff API"
API_VERSION = "1.0.0"
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
# A request's full id, or the short reference (its first 8 characters) the queue and emails show.
RequestIdOrReference = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$|^[0-9a-f]{8}$")]
# A body sent to a staff route must be JSON: checked for size, type and depth before parsing.
STAFF_BODIES = {resource: JSON for method, resource in ROUTE_GROUPS if method == "POST"}


# What a staff route may answer besides its success and 422, for the OpenAPI document: each
# route is refused before it runs to a caller without a staff sign-in (401) or outside its group
# (403), and a body the route cannot read (400, 413, 415).
SIGN_IN_REFUSALS = {
    401: documented_answer("no staff sign-in token, or one that is forged or expired"),
    403: documented_answer("the staff member's groups may not do this (the message says which may)"),
}
NO_SUCH_REQUEST = documented_answer("no request has this id")


def _answers(
    success: int = 200, *, takes_body: bool = False, names_request: bool = False, conflict: str | None = None
) -> dict[int, Any]:
    """A route's documented answers: ``success`` with the route's return type, and its refusals."""
    answers: dict[int, Any] = {success: {"description": "done"}, **SIGN_IN_REFUSALS}
    if takes_body:
        answers.update(BODY_REFUSALS)
    if names_request:
        answers[404] = NO_SUCH_REQUEST
    if conflict:
        answers[409] = documented_answer(conflict)
    return answers


READS = _answers()
NOT_WAITING = "the request is not in a state that allows this (the message says why)"
ACTS_ON_REQUEST = _answers(takes_body=True, names_request=True, conflict=NOT_WAITING)


def _json(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def _response_date(jurisdiction: str, respond_by: datetime) -> dict[str, str]:
    """A new response date as the moment and as the day the subject is told (their law's day)."""
    return {
        "respond_by": respond_by.isoformat(),
        "respond_on": local_day(jurisdiction, respond_by).isoformat(),
    }


def _staff() -> StaffMember:
    """Who is calling; the route's group was checked before the call reached its handler."""
    return staff_member_from(app.current_event.request_context.authorizer.claims)


def _refusal(event: dict[str, Any]) -> dict[str, Any] | None:
    """401 or 403 for a caller outside the route's group, before the body is even read."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims")
    try:
        authorize_route(str(event.get("httpMethod", "")), str(event.get("resource", "")), claims)
    except NotSignedInError as error:
        status, message = 401, str(error)
    except ForbiddenError as error:
        status, message = 403, str(error)
    else:
        return None
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


answer_refusals(app)


class SignedIn(DeskModel):
    username: str
    groups: list[str]
    may: list[str] = Field(description="what the console offers this staff member")


@app.get("/staff/me", responses=READS)
def who_am_i() -> SignedIn:
    member = _staff()
    return SignedIn(
        username=member.username, groups=sorted(g.value for g in member.groups), may=member.abilities()
    )


@app.get("/staff/requests", responses=READS)
def list_open_requests() -> list[QueueEntry]:
    """Open requests, most urgent first: by the day each is due (its internal target where that
    comes first), as days in its jurisdiction."""
    _staff()
    desk = desk_from_environment()
    return open_queue(desk.store.open_requests(), desk.now())


@app.get(
    "/staff/requests/<request_id>",
    responses=_answers(
        names_request=True, conflict="the short reference names several requests (request_ids)"
    ),
)
def show_request(request_id: RequestIdOrReference) -> RequestDetail:
    _staff()
    desk = desk_from_environment()
    request_id = desk.store.resolve(request_id)
    return request_detail(
        desk.store,
        desk.store.get(request_id),
        desk.now(),
        appeals.appeal_of(desk, request_id),
        desk.store.get_task(request_id, approval.STAGE),
        four_eyes=approval.four_eyes_applies(desk, request_id),
        system_names={system.id: system.name for system in desk.registry.systems},
    )


class RevealReason(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, max_length=500, description="why the full identity is needed; audited")


@app.post("/staff/requests/<request_id>/identity", responses=_answers(takes_body=True, names_request=True))
def reveal_identity(request_id: RequestId, why: Annotated[RevealReason, Body()]) -> RevealedIdentity:
    """The subject's identity in full, for a reason; the trail records who saw it, and why."""
    member = _staff()
    desk = desk_from_environment()
    request = desk.store.get(request_id)
    desk.audit(
        request_id, f"staff:{member.username}", "identity revealed", "shown to staff", reason=why.reason
    )
    return revealed_identity(request)


@app.post("/staff/requests/<request_id>/decision", responses=ACTS_ON_REQUEST)
def decide(
    request_id: RequestId, decision: Annotated[approval.StaffDecision, Body()]
) -> Response[dict[str, Any]]:
    member = _staff()
    try:
        approval.decide(desk_from_environment(), request_id, decision, member.username)
    except approval.NothingToDecideError:
        return _json(409, {"message": "this request is not waiting for a decision"})
    except approval.DecisionConflictError as conflict:
        return _json(409, {"message": str(conflict), "decided_by": conflict.decided_by})
    except approval.FourEyesError as rule:
        return _json(403 if rule.same_person else 409, {"message": str(rule)})
    return _json(200, {"request_id": request_id, "decision": decision.decision.value})


class CancelReason(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, max_length=1000, description="why; sent to the subject")


@app.post("/staff/requests/<request_id>/cancel", responses=ACTS_ON_REQUEST)
def cancel_request(request_id: RequestId, why: Annotated[CancelReason, Body()]) -> Response[dict[str, Any]]:
    """Close a request not yet carried out without acting on it (withdrawn, spam, a test)."""
    from dsr.closing import cancellation  # noqa: PLC0415 - this route's path only (see LOADED_BY_ONE_ROUTE)

    member = _staff()
    try:
        cancellation.cancel(desk_from_environment(), request_id, why.reason, member.username)
    except cancellation.NotCancellableError as refused:
        return _json(409, {"message": str(refused)})
    return _json(200, {"request_id": request_id, "status": "CANCELLED"})


@app.post("/staff/requests/<request_id>/triage", responses=ACTS_ON_REQUEST)
def triage(
    request_id: RequestId, recommended: Annotated[approval.StaffTriage, Body()]
) -> Response[dict[str, Any]]:
    """Recommend approve or deny, with a note, for the staff member who decides (the four-eyes
    rule for erasure needs it to be someone else)."""
    member = _staff()
    try:
        approval.triage(desk_from_environment(), request_id, recommended, member.username)
    except approval.NothingToDecideError:
        return _json(409, {"message": "this request is not waiting for a decision"})
    except approval.TriageConflictError as conflict:
        return _json(409, {"message": str(conflict), "triaged_by": conflict.triaged_by})
    return _json(200, {"request_id": request_id, "recommendation": recommended.recommendation.value})


class SuppressionCheck(DeskModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[Annotated[str, Field(max_length=320)]] = Field(min_length=1, max_length=500)


@app.post("/staff/suppression/check", responses=_answers(takes_body=True))
def check_suppression(check: Annotated[SuppressionCheck, Body()]) -> list[dict[str, Any]]:
    """For import jobs: which of these addresses were erased or opted out, and must stay out."""
    from dsr.closing import suppression  # noqa: PLC0415 - as in cancel_request

    _staff()
    return suppression.check(desk_from_environment(), check.emails)


@app.post(
    "/staff/requests/<request_id>/rerun",
    responses=_answers(202, takes_body=True, names_request=True, conflict=NOT_WAITING),
)
def rerun_failed_systems(request_id: RequestId) -> Response[dict[str, Any]]:
    """Carry out again only the system tasks that failed; the others are not repeated."""
    from dsr.fulfilment import reruns  # noqa: PLC0415 - as in cancel_request

    member = _staff()
    try:
        execution = reruns.start_rerun(desk_from_environment(), request_id, member.username)
    except (reruns.NothingToRerunError, TransitionRejectedError):
        return _json(409, {"message": "this request has no failed systems to re-run"})
    return _json(202, {"request_id": request_id, "execution": execution})


def _a_number_not_text(value: object) -> object:
    """JSON's integers (5, and 5.0 as JSON Schema counts it), not "5" or true as Python would."""
    if isinstance(value, str | bool):
        raise ValueError("a number, not text or true/false")  # noqa: TRY004 - pydantic reports ValueError
    return value


JsonInteger = Annotated[int, BeforeValidator(_a_number_not_text)]


class HandOffAnswer(DeskModel):
    """What the vendor or the customer answered about a task handed to them."""

    model_config = ConfigDict(extra="forbid")

    answer: Literal["done", "nothing_found", "failed"] = Field(
        description="done: they carried it out; nothing_found: they hold nothing; failed: they could not"
    )
    note: str = Field(min_length=1, max_length=2000, description="their answer, in short, for the record")
    records: JsonInteger = Field(
        default=0, ge=0, le=1_000_000, description="records they reported, if they said"
    )


@app.post("/staff/requests/<request_id>/systems/<system_id>/<action>/confirmation", responses=ACTS_ON_REQUEST)
def confirm_hand_off(
    request_id: RequestId,
    system_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{1,62}$")],
    action: Annotated[Action, Path()],
    answer: Annotated[HandOffAnswer, Body()],
) -> Response[dict[str, Any]]:
    """Record a vendor's or a customer's answer to a task handed to them; the workflow goes on."""
    from dsr.fulfilment import handoffs  # noqa: PLC0415 - as in cancel_request
    from dsr.fulfilment.outcomes import OutcomeStatus  # noqa: PLC0415 - as in cancel_request

    member = _staff()
    try:
        handoffs.confirm(
            desk_from_environment(),
            request_id,
            system_id,
            action,
            answer=OutcomeStatus(answer.answer),
            note=answer.note,
            staff_member=member.username,
            records=answer.records,
        )
    except handoffs.HandOffNotWaitingError as error:
        if error.decided_by:
            return _json(409, {"message": str(error), "decided_by": error.decided_by})
        return _json(404, {"message": str(error)})
    return _json(
        200,
        {"request_id": request_id, "system_id": system_id, "action": action.value, "answer": answer.answer},
    )


class ExtensionRequest(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=10, max_length=1000, description="why more time is needed; sent to the subject"
    )


@app.post("/staff/requests/<request_id>/extension", responses=ACTS_ON_REQUEST)
def extend_deadline(
    request_id: RequestId, extension: Annotated[ExtensionRequest, Body()]
) -> Response[dict[str, Any]]:
    """Extend the response date as far as the request's law allows (once); the subject is told."""
    from dsr.deadlines import extensions  # noqa: PLC0415 - as in cancel_request

    member = _staff()
    try:
        extended = extensions.extend(desk_from_environment(), request_id, extension.reason, member.username)
    except extensions.ExtensionRefusedError as refused:
        return _json(409, {"message": str(refused)})
    return _json(
        200, {"request_id": request_id, **_response_date(extended.jurisdiction, extended.respond_by)}
    )


@app.get("/staff/dashboard", responses=READS)
def show_dashboard(
    weeks: Annotated[int, Query(ge=1, le=52, description="how many weeks back")] = 12,
) -> dashboard.Dashboard:
    """Open requests by status, overdue and due this week; received per week; days to close."""
    _staff()
    desk = desk_from_environment()
    return dashboard.collect(desk.store, desk.now(), weeks)


@app.get("/staff/appeals", responses=READS)
def list_open_appeals() -> list[AppealQueueEntry]:
    """Appeals waiting for an answer, the one due first at the top."""
    _staff()
    desk = desk_from_environment()
    return [
        appeal_queue_entry(appeal, desk.store.get(appeal.request_id).status.value, desk.now())
        for appeal in appeals.open_appeals(desk)
    ]


@app.post("/staff/requests/<request_id>/appeal/decision", responses=ACTS_ON_REQUEST)
def answer_appeal(
    request_id: RequestId, answer: Annotated[appeals.AppealAnswer, Body()]
) -> Response[dict[str, Any]]:
    """Uphold the refusal (the subject is told where to complain) or reverse it (the request is
    carried out). Answered once, by someone other than the person who refused the request."""
    member = _staff()
    try:
        decided = appeals.decide(desk_from_environment(), request_id, answer, member.username)
    except appeals.NoOpenAppealError:
        return _json(409, {"message": "this request has no appeal waiting for an answer"})
    except appeals.SameDeciderError as same:
        return _json(403, {"message": str(same)})
    return _json(200, {"request_id": request_id, "appeal": decided.status.value})


@app.post("/staff/requests/<request_id>/appeal/extension", responses=ACTS_ON_REQUEST)
def extend_appeal(
    request_id: RequestId, extension: Annotated[ExtensionRequest, Body()]
) -> Response[dict[str, Any]]:
    """Extend the time to answer an appeal where the law allows it (once); the subject is told."""
    member = _staff()
    try:
        extended = appeals.extend(desk_from_environment(), request_id, extension.reason, member.username)
    except appeals.NoOpenAppealError:
        return _json(409, {"message": "this request has no appeal waiting for an answer"})
    except appeals.AppealRefusedError as refused:
        return _json(409, {"message": str(refused)})
    return _json(
        200, {"request_id": request_id, **_response_date(extended.jurisdiction, extended.respond_by)}
    )


class InformationRequest(DeskModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=10, max_length=2000, description="what the subject is asked; sent to them"
    )
    because: clock_pauses.AskedBecause = Field(
        default=clock_pauses.AskedBecause.CLARIFICATION,
        description="clarification, or suspected_fraud (the request cannot be authenticated without "
        "more); the clock stands still only where the request's law says so for that reason",
    )


@app.post("/staff/requests/<request_id>/information-request", responses=ACTS_ON_REQUEST)
def ask_for_information(
    request_id: RequestId, asked: Annotated[InformationRequest, Body()]
) -> Response[dict[str, Any]]:
    """Ask the subject for what is needed; the clock stands still meanwhile where the law says so."""
    member = _staff()
    try:
        paused = clock_pauses.ask_for_information(
            desk_from_environment(), request_id, asked.question, member.username, asked.because
        )
    except clock_pauses.NotWaitingError as refused:
        return _json(409, {"message": str(refused)})
    return _json(200, {"request_id": request_id, "clock": "paused" if paused else "running"})


@app.post("/staff/requests/<request_id>/information-received", responses=ACTS_ON_REQUEST)
def information_received(request_id: RequestId) -> Response[dict[str, Any]]:
    """The subject answered: the clock runs again and the dates move by the days it stood still."""
    member = _staff()
    try:
        request = clock_pauses.information_received(desk_from_environment(), request_id, member.username)
    except clock_pauses.NotWaitingError as refused:
        return _json(409, {"message": str(refused)})
    return _json(
        200,
        {
            "request_id": request_id,
            **_response_date(request.jurisdiction, request.respond_by),
            "paused_days": request.paused_days,
        },
    )


@app.post("/staff/requests/<request_id>/power-of-attorney", responses=ACTS_ON_REQUEST)
def confirm_power_of_attorney(request_id: RequestId) -> Response[dict[str, Any]]:
    """Staff have examined the agent's power of attorney: the subject need not confirm directly."""
    from dsr.verification import identity_checks as verification  # noqa: PLC0415 - as in cancel_request

    member = _staff()
    if not verification.confirm_power_of_attorney(desk_from_environment(), request_id, member.username):
        return _json(409, {"message": "this request is not waiting for a power of attorney to be confirmed"})
    return _json(200, {"request_id": request_id, "confirmed_by": member.username})


class TriageItem(DeskModel):
    triage_id: str
    disposition: str
    reason: str
    at: str
    sender: str | None = None
    request_id: str | None = None
    attachments: int | None = None


class TriageResolution(DeskModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=2000, description="what was done about it")


@app.get("/staff/triage", responses=READS)
def list_triage() -> list[TriageItem]:
    """Mail that did not become a request: quarantined, not understood, or replies to requests."""
    _staff()
    items = desk_from_environment().store.open_triage()
    return [TriageItem.model_validate(item) for item in items]


@app.post(
    "/staff/triage/<triage_id>/resolution",
    responses=_answers(takes_body=True, conflict="this item is not open (resolved already, or unknown)"),
)
def resolve_triage(
    triage_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")],
    resolution: Annotated[TriageResolution, Body()],
) -> Response[dict[str, Any]]:
    member = _staff()
    desk = desk_from_environment()
    if not desk.store.resolve_triage(triage_id, member.username, resolution.note, desk.now()):
        return _json(409, {"message": "this item is not open (resolved already, or unknown)"})
    return _json(200, {"triage_id": triage_id, "resolved_by": member.username})


METRICS_ANSWERS = {
    **READS,
    200: {
        "description": "the figures, as JSON or (format=csv) as CSV",
        "content": {
            "application/json": {"model": reports.MetricsReport},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
}


@app.get("/staff/reports/metrics", responses=METRICS_ANSWERS)
def metrics_report(
    year: Annotated[
        int | None,
        Query(ge=2000, le=2100, description="the calendar year; this year by the desk's clock if not given"),
    ] = None,
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    jurisdiction: Annotated[str | None, Query(pattern=r"^[A-Z]{2}(-[A-Z]{2})?$|^DEFAULT$")] = None,
) -> Response[Any]:
    """The CCPA 7102 figures for requests received in the calendar year: counts only."""
    _staff()
    desk = desk_from_environment()
    report = reports.collect(desk.store, year or desk.now().year, jurisdiction)
    if output == "csv":
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=reports.to_csv(report),
            headers={"Content-Disposition": f'attachment; filename="request-metrics-{report.year}.csv"'},
        )
    return _json(200, report.model_dump(mode="json"))


# --- the API's own documentation ----------------------------------------------------------------
# Built when first asked for, not at import (the OpenAPI models take about 90 ms to import).


@lru_cache(maxsize=1)
def _openapi_document() -> str:
    from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer  # noqa: PLC0415

    staff_token = HTTPBearer(
        bearerFormat="JWT", description="the ID token of the staff member's sign-in (the staff user pool)"
    )
    return with_invalid_request_schema(
        app.get_openapi_json_schema(
            title=API_TITLE,
            version=API_VERSION,
            security_schemes={"staffToken": staff_token},
            security=[{"staffToken": []}],
        )
    )


@app.get("/staff/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    """The staff routes, for any staff member: the list is not secret, but only staff call them."""
    _staff()
    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=_openapi_document())


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # Who may call first; then whether the body can be read at all; then the route.
    return with_security_headers(
        _refusal(event)
        or (refusal(event, STAFF_BODIES) if event.get("body") else None)
        or app.resolve(event, context)
    )


# Loaded by the routes that act on a request in one way, on their first call: the queue and a
# request's page, which staff open first, need none of them.
LOADED_BY_ONE_ROUTE = (
    "dsr.closing.cancellation",
    "dsr.deadlines.extensions",
    "dsr.fulfilment.fulfilment",
    "dsr.fulfilment.handoffs",
    "dsr.fulfilment.reruns",
    "dsr.closing.suppression",
    "dsr.verification.identity_checks",
)

# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot).
prepare_snapshot(
    (
        *LOADED_BY_ONE_ROUTE,
        "email_validator",  # pydantic imports it on the first email address it checks
    ),
    lambda: desk_from_environment().preload("store", "hasher", "mailer", "workflow", "packages", "registry"),
    load_calendars,
    load_policy,
    _openapi_document,
)

initialised()
