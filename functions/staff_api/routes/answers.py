"""What the staff routes share: the path parameters they take, the answers their OpenAPI
document lists, and who is calling (the staff member the handler authorized)."""

from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from dsr.policies.request_deadlines import local_day
from dsr.staff.auth import StaffMember
from dsr.web.http_errors import BODY_REFUSALS, documented_answer

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
# A request's full id, or the short reference (its first 8 characters) the queue and emails show.
RequestIdOrReference = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$|^[0-9a-f]{8}$")]
STAFF_MEMBER = "staff_member"  # the key the handler puts the authorized caller under

# What a staff route may answer besides its success and 422, for the OpenAPI document: each
# route is refused before it runs to a caller without a staff sign-in (401) or outside its group
# (403), and a body the route cannot read (400, 413, 415).
SIGN_IN_REFUSALS = {
    401: documented_answer("no staff sign-in token, or one that is forged or expired"),
    403: documented_answer("the staff member's groups may not do this (the message says which may)"),
}
NO_SUCH_REQUEST = documented_answer("no request has this id")


def documented_answers(
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


READS = documented_answers()
NOT_WAITING = "the request is not in a state that allows this (the message says why)"
ACTS_ON_REQUEST = documented_answers(takes_body=True, names_request=True, conflict=NOT_WAITING)


def json_answer(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def response_date(jurisdiction: str, respond_by: datetime) -> dict[str, str]:
    """A new response date as the moment and as the day the subject is told (their law's day)."""
    return {
        "respond_by": respond_by.isoformat(),
        "respond_on": local_day(jurisdiction, respond_by).isoformat(),
    }


def signed_in(router: Router) -> StaffMember:
    """Who is calling: authorized for the route before it was resolved (``staff_api.routes.access``)."""
    member: StaffMember = router.context[STAFF_MEMBER]
    return member
