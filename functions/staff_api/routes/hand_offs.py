"""A vendor's or a customer's answer to a task handed to them, recorded by staff."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import BeforeValidator, ConfigDict, Field

from dsr.core.actions import Action
from dsr.core.desk_model import DeskModel
from dsr.core.staff_catalog import staff_text
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import ACTS_ON_REQUEST, RequestId, json_answer, signed_in

router = Router()  # type: ignore[no-untyped-call]


def _a_number_not_text(value: object) -> object:
    """JSON's integers (5, and 5.0 as JSON Schema counts it), not "5" or true as Python would."""
    if isinstance(value, str | bool):
        raise ValueError(staff_text("a number, not text or true/false"))  # noqa: TRY004 - pydantic reports ValueError
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


@router.post(
    "/staff/requests/<request_id>/systems/<system_id>/<action>/confirmation", responses=ACTS_ON_REQUEST
)
def confirm_hand_off(
    request_id: RequestId,
    system_id: Annotated[str, Path(pattern=r"^[a-z][a-z0-9-]{1,62}$")],
    action: Annotated[Action, Path()],
    answer: Annotated[HandOffAnswer, Body()],
) -> Response[dict[str, Any]]:
    """Record a vendor's or a customer's answer to a task handed to them; the workflow goes on."""
    from dsr.fulfilment import handoffs  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE
    from dsr.fulfilment.outcomes import OutcomeStatus  # noqa: PLC0415 - as handoffs

    handoffs.confirm(
        desk_from_environment(),
        request_id,
        system_id,
        action,
        answer=OutcomeStatus(answer.answer),
        note=answer.note,
        staff_member=signed_in(router).username,
        records=answer.records,
    )
    return json_answer(
        200,
        {"request_id": request_id, "system_id": system_id, "action": action.value, "answer": answer.answer},
    )
