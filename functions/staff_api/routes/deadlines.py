"""A request's clock: extend its deadline, stop the clock while the subject is asked for
information, and start it again when they answer."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel
from dsr.deadlines import clock_pauses
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import ACTS_ON_REQUEST, RequestId, json_answer, response_date, signed_in

router = Router()  # type: ignore[no-untyped-call]


class ExtensionRequest(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=10, max_length=1000, description="why more time is needed; sent to the subject"
    )


class InformationRequest(DeskModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=10, max_length=2000, description="what the subject is asked; sent to them"
    )
    because: clock_pauses.AskedBecause = Field(
        default=clock_pauses.AskedBecause.CLARIFICATION,
        description="clarification; authentication (the request cannot be authenticated with what "
        "the subject gave); or suspected_fraud (fraud is suspected and the request cannot be "
        "authenticated without more); the clock stands still only where the request's law says so "
        "for that reason",
    )


@router.post("/staff/requests/<request_id>/extension", responses=ACTS_ON_REQUEST)
def extend_deadline(
    request_id: RequestId, extension: Annotated[ExtensionRequest, Body()]
) -> Response[dict[str, Any]]:
    """Extend the response date as far as the request's law allows (once); the subject is told."""
    from dsr.deadlines import extensions  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    desk = desk_from_environment()
    extended = extensions.extend(desk, request_id, extension.reason, signed_in(router).username)
    return json_answer(
        200, {"request_id": request_id, **response_date(extended.jurisdiction, extended.respond_by)}
    )


@router.post("/staff/requests/<request_id>/information-request", responses=ACTS_ON_REQUEST)
def ask_for_information(
    request_id: RequestId, asked: Annotated[InformationRequest, Body()]
) -> Response[dict[str, Any]]:
    """Ask the subject for what is needed; the clock stands still meanwhile where the law says so."""
    paused = clock_pauses.ask_for_information(
        desk_from_environment(), request_id, asked.question, signed_in(router).username, asked.because
    )
    return json_answer(200, {"request_id": request_id, "clock": "paused" if paused else "running"})


@router.post("/staff/requests/<request_id>/information-received", responses=ACTS_ON_REQUEST)
def information_received(request_id: RequestId) -> Response[dict[str, Any]]:
    """The subject answered: the clock runs again and the dates move by the days it stood still."""
    desk = desk_from_environment()
    request = clock_pauses.information_received(desk, request_id, signed_in(router).username)
    return json_answer(
        200,
        {
            "request_id": request_id,
            **response_date(request.jurisdiction, request.respond_by),
            "paused_days": request.paused_days,
        },
    )
