"""An access package held for review: read it, redact a field or a record with a ground, take a
redaction back, release it (the approver group; ``dsr.fulfilment.package_review``)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from dsr.review.redactions import Redaction
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import (
    ACTS_ON_REQUEST,
    RequestId,
    documented_answers,
    json_answer,
    signed_in,
)

router = Router()  # type: ignore[no-untyped-call]

SystemId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
NOT_HELD = "the request has no access package waiting for review, or it was released"


@router.get("/staff/packages", responses=documented_answers())
def list_held_packages() -> Response[dict[str, Any]]:
    """The access packages waiting for review, the nearest legal date first."""
    from dsr.staff import package_views  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    held = package_views.held_packages(desk_from_environment())
    return json_answer(200, {"packages": [entry.model_dump(mode="json") for entry in held]})


@router.get(
    "/staff/requests/<request_id>/package",
    responses=documented_answers(names_request=True, conflict=NOT_HELD),
)
def show_held_package(request_id: RequestId) -> Response[dict[str, Any]]:
    """The held package: its systems' parts, the redactions made, the grounds to choose from."""
    from dsr.staff import package_views  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    held = package_views.held_package(desk_from_environment(), request_id)
    return json_answer(200, held.model_dump(mode="json"))


@router.get(
    "/staff/requests/<request_id>/package/systems/<system_id>",
    responses=documented_answers(names_request=True, conflict=NOT_HELD),
)
def show_held_part(request_id: RequestId, system_id: SystemId) -> Response[dict[str, Any]]:
    """One system's part, record by record, as it was exported (numbered from 0)."""
    from dsr.staff import package_views  # noqa: PLC0415 - as in show_held_package

    part = package_views.held_part(desk_from_environment(), request_id, system_id)
    return json_answer(200, part.model_dump(mode="json"))


@router.post("/staff/requests/<request_id>/package/redactions", responses=ACTS_ON_REQUEST)
def redact(request_id: RequestId, redaction: Annotated[Redaction, Body()]) -> Response[dict[str, Any]]:
    """Withhold a field of a record (or the whole record, without a field) on a ground."""
    from dsr.fulfilment import package_review  # noqa: PLC0415 - as in show_held_package

    package_review.redact(desk_from_environment(), request_id, redaction, signed_in(router).username)
    return json_answer(200, {"request_id": request_id, "redacted": redaction.model_dump(mode="json")})


@router.post("/staff/requests/<request_id>/package/redactions/removal", responses=ACTS_ON_REQUEST)
def take_back(request_id: RequestId, redaction: Annotated[Redaction, Body()]) -> Response[dict[str, Any]]:
    """Take a redaction back while the package is held."""
    from dsr.fulfilment import package_review  # noqa: PLC0415 - as in show_held_package

    package_review.take_back(desk_from_environment(), request_id, redaction, signed_in(router).username)
    return json_answer(200, {"request_id": request_id, "taken_back": redaction.model_dump(mode="json")})


@router.post(
    "/staff/requests/<request_id>/package/release",
    responses=documented_answers(names_request=True, conflict=NOT_HELD),
)
def release(request_id: RequestId) -> Response[dict[str, Any]]:
    """Build the package less the redactions and let the workflow tell the subject."""
    from dsr.fulfilment import package_review  # noqa: PLC0415 - as in show_held_package

    member = signed_in(router).username
    applied = package_review.release(desk_from_environment(), request_id, member)
    return json_answer(200, {"request_id": request_id, "released_by": member, "redactions": applied})
