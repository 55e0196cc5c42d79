"""A request waiting for staff: triage it, decide it, cancel it, confirm an agent's power of
attorney; and re-run the systems that failed once it was carried out."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.review import approval
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import (
    ACTS_ON_REQUEST,
    NOT_WAITING,
    RequestId,
    documented_answers,
    json_answer,
    signed_in,
)

router = Router()  # type: ignore[no-untyped-call]


class CancelReason(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, max_length=1000, description="why; sent to the subject")


@router.post("/staff/requests/<request_id>/decision", responses=ACTS_ON_REQUEST)
def decide(
    request_id: RequestId, decision: Annotated[approval.StaffDecision, Body()]
) -> Response[dict[str, Any]]:
    approval.decide(desk_from_environment(), request_id, decision, signed_in(router).username)
    return json_answer(200, {"request_id": request_id, "decision": decision.decision.value})


@router.post("/staff/requests/<request_id>/triage", responses=ACTS_ON_REQUEST)
def triage(
    request_id: RequestId, recommended: Annotated[approval.StaffTriage, Body()]
) -> Response[dict[str, Any]]:
    """Recommend approve or deny, with a note, for the staff member who decides (the four-eyes
    rule for erasure needs it to be someone else)."""
    approval.triage(desk_from_environment(), request_id, recommended, signed_in(router).username)
    return json_answer(200, {"request_id": request_id, "recommendation": recommended.recommendation.value})


@router.post("/staff/requests/<request_id>/cancel", responses=ACTS_ON_REQUEST)
def cancel_request(request_id: RequestId, why: Annotated[CancelReason, Body()]) -> Response[dict[str, Any]]:
    """Close a request not yet carried out without acting on it (withdrawn, spam, a test)."""
    from dsr.closing import cancellation  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    cancellation.cancel(desk_from_environment(), request_id, why.reason, signed_in(router).username)
    return json_answer(200, {"request_id": request_id, "status": "CANCELLED"})


@router.post(
    "/staff/requests/<request_id>/rerun",
    responses=documented_answers(202, takes_body=True, names_request=True, conflict=NOT_WAITING),
)
def rerun_failed_systems(request_id: RequestId) -> Response[dict[str, Any]]:
    """Carry out again only the system tasks that failed; the others are not repeated."""
    from dsr.fulfilment import reruns  # noqa: PLC0415 - as in cancel_request

    execution = reruns.start_rerun(desk_from_environment(), request_id, signed_in(router).username)
    return json_answer(202, {"request_id": request_id, "execution": execution})


@router.post("/staff/requests/<request_id>/power-of-attorney", responses=ACTS_ON_REQUEST)
def confirm_power_of_attorney(request_id: RequestId) -> Response[dict[str, Any]]:
    """Staff have examined the agent's power of attorney: the subject need not confirm directly."""
    from dsr.verification import identity_checks as verification  # noqa: PLC0415 - as in cancel_request

    member = signed_in(router)
    if not verification.confirm_power_of_attorney(desk_from_environment(), request_id, member.username):
        raise StateConflictError(
            staff_text("this request is not waiting for a power of attorney to be confirmed")
        )
    return json_answer(200, {"request_id": request_id, "confirmed_by": member.username})
