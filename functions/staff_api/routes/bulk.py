"""The queue's selection: one action on many requests, each decided on its own; and the floods
among the open requests, grouped for staff to look at together."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body

from dsr.staff.bulk_work import BulkResult, BulkWork, carry_out
from dsr.staff.floods import FloodGroup, flood_groups
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import READS, documented_answers, signed_in

router = Router()  # type: ignore[no-untyped-call]


@router.post("/staff/bulk", responses=documented_answers(takes_body=True))
def act_on_selection(work: Annotated[BulkWork, Body()]) -> list[BulkResult]:
    """Approve, deny, close as spam or as a duplicate, or assign each selected request. Each gets
    its own audit line and its own notice; one the action does not fit is reported with why."""
    return carry_out(desk_from_environment(), work, signed_in(router).username)


@router.get("/staff/floods", responses=READS)
def list_floods() -> list[FloodGroup]:
    """Open requests that look like one campaign: for one subject, from one agent, or in the same
    words, each received within a day of the one before; largest group first."""
    return flood_groups(desk_from_environment().store.open_requests())
