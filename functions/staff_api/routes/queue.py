"""Who is signed in, the queue of open requests, one request's page, and its subject's identity
in full (for a reason, audited)."""

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import ConfigDict, Field

from dsr.appeals import appeals
from dsr.core.desk_model import DeskModel
from dsr.review import approval
from dsr.staff.queue_views import QueueEntry, open_queue
from dsr.staff.request_views import RequestDetail, RevealedIdentity, request_detail, revealed_identity
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import (
    READS,
    RequestId,
    RequestIdOrReference,
    documented_answers,
    signed_in,
)

router = Router()  # type: ignore[no-untyped-call]


class SignedIn(DeskModel):
    username: str
    groups: list[str]
    may: list[str] = Field(description="what the console offers this staff member")


class RevealReason(DeskModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=5, max_length=500, description="why the full identity is needed; audited")


@router.get("/staff/me", responses=READS)
def who_am_i() -> SignedIn:
    member = signed_in(router)
    return SignedIn(
        username=member.username, groups=sorted(g.value for g in member.groups), may=member.abilities()
    )


@router.get("/staff/requests", responses=READS)
def list_open_requests() -> list[QueueEntry]:
    """Open requests, most urgent first: by the day each is due (its internal target where that
    comes first), as days in its jurisdiction."""
    desk = desk_from_environment()
    return open_queue(desk.store.open_requests(), desk.now())


@router.get(
    "/staff/requests/<request_id>",
    responses=documented_answers(
        names_request=True, conflict="the short reference names several requests (request_ids)"
    ),
)
def show_request(request_id: RequestIdOrReference) -> RequestDetail:
    # Only this route plans the systems (what an approval would ask): loaded on first use.
    from dsr.fulfilment.fulfilment import planned_tasks  # noqa: PLC0415 - loaded by this route alone

    desk = desk_from_environment()
    request_id = desk.store.resolve(request_id)
    request = desk.store.get(request_id)
    return request_detail(
        desk.store,
        request,
        desk.now(),
        appeals.appeal_of(desk, request_id),
        desk.store.get_task(request_id, approval.STAGE),
        four_eyes=approval.four_eyes_applies(desk, request_id),
        system_names={system.id: system.name for system in desk.registry.systems},
        planned_system_ids=[task.system_id for task in planned_tasks(desk.registry, request.request_types)],
    )


@router.post(
    "/staff/requests/<request_id>/identity", responses=documented_answers(takes_body=True, names_request=True)
)
def reveal_identity(request_id: RequestId, why: Annotated[RevealReason, Body()]) -> RevealedIdentity:
    """The subject's identity in full, for a reason; the trail records who saw it, and why."""
    member = signed_in(router)
    desk = desk_from_environment()
    request = desk.store.get(request_id)
    desk.audit(
        request_id, f"staff:{member.username}", "identity revealed", "shown to staff", reason=why.reason
    )
    return revealed_identity(request)
