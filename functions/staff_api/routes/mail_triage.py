"""Mail to the privacy address that did not become a request, left for staff: the open items,
and what was done about one."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import S_, staff_text
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import READS, documented_answers, json_answer, signed_in

router = Router()  # type: ignore[no-untyped-call]
NOT_OPEN = S_("this item is not open (resolved already, or unknown)")


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


@router.get("/staff/triage", responses=READS)
def list_triage() -> list[TriageItem]:
    """Mail that did not become a request: quarantined, not understood, or replies to requests."""
    items = desk_from_environment().store.open_triage()
    return [TriageItem.model_validate(item) for item in items]


@router.post(
    "/staff/triage/<triage_id>/resolution", responses=documented_answers(takes_body=True, conflict=NOT_OPEN)
)
def resolve_triage(
    triage_id: Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")],
    resolution: Annotated[TriageResolution, Body()],
) -> Response[dict[str, Any]]:
    member = signed_in(router)
    desk = desk_from_environment()
    if not desk.store.resolve_triage(triage_id, member.username, resolution.note, desk.now()):
        raise StateConflictError(staff_text(NOT_OPEN))
    return json_answer(200, {"triage_id": triage_id, "resolved_by": member.username})
