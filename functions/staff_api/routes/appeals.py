"""Appeals against a refusal: the ones waiting for an answer, the answer, and more time to give it."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from dsr.appeals import appeals
from dsr.staff.appeal_views import AppealQueueEntry, appeal_queue_entry
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import ACTS_ON_REQUEST, READS, RequestId, json_answer, response_date, signed_in
from staff_api.routes.deadlines import ExtensionRequest

router = Router()  # type: ignore[no-untyped-call]


@router.get("/staff/appeals", responses=READS)
def list_open_appeals() -> list[AppealQueueEntry]:
    """Appeals waiting for an answer, the one due first at the top."""
    desk = desk_from_environment()
    return [
        appeal_queue_entry(appeal, desk.store.get(appeal.request_id).status.value, desk.now())
        for appeal in appeals.open_appeals(desk)
    ]


@router.post("/staff/requests/<request_id>/appeal/decision", responses=ACTS_ON_REQUEST)
def answer_appeal(
    request_id: RequestId, answer: Annotated[appeals.AppealAnswer, Body()]
) -> Response[dict[str, Any]]:
    """Uphold the refusal (the subject is told where to complain) or reverse it (the request is
    carried out). Answered once, by someone other than the person who refused the request."""
    decided = appeals.decide(desk_from_environment(), request_id, answer, signed_in(router).username)
    return json_answer(200, {"request_id": request_id, "appeal": decided.status.value})


@router.post("/staff/requests/<request_id>/appeal/extension", responses=ACTS_ON_REQUEST)
def extend_appeal(
    request_id: RequestId, extension: Annotated[ExtensionRequest, Body()]
) -> Response[dict[str, Any]]:
    """Extend the time to answer an appeal where the law allows it (once); the subject is told."""
    desk = desk_from_environment()
    extended = appeals.extend(desk, request_id, extension.reason, signed_in(router).username)
    return json_answer(
        200, {"request_id": request_id, **response_date(extended.jurisdiction, extended.respond_by)}
    )
