"""For import jobs: which addresses were erased or opted out, and must stay out."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import documented_answers

router = Router()  # type: ignore[no-untyped-call]


class SuppressionCheck(DeskModel):
    model_config = ConfigDict(extra="forbid")

    emails: list[Annotated[str, Field(max_length=320)]] = Field(min_length=1, max_length=500)


@router.post("/staff/suppression/check", responses=documented_answers(takes_body=True))
def check_suppression(check: Annotated[SuppressionCheck, Body()]) -> list[dict[str, Any]]:
    """For import jobs: which of these addresses were erased or opted out, and must stay out."""
    from dsr.closing import suppression  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    return suppression.check(desk_from_environment(), check.emails)
