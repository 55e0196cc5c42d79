"""A request's evidence pack: produced on demand (for a closed request, or an open one as it
stands), kept for the record-keeping period, and linked for download. And a closed erasure's
deletion certificate, sent to its subject when staff ask."""

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.staff.evidence_files import ProducedEvidence
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import NOT_WAITING, RequestId, documented_answers, json_answer, signed_in

router = Router()  # type: ignore[no-untyped-call]


@router.post("/staff/requests/<request_id>/evidence", responses=documented_answers(names_request=True))
def produce_evidence_pack(request_id: RequestId) -> ProducedEvidence:
    """Produce the request's evidence pack (a JSON file and its PDF, the JSON's SHA-256 printed on
    the PDF); both kept encrypted, the production recorded in the trail; links to both."""
    from dsr.staff.evidence_files import produce_evidence  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    return produce_evidence(desk_from_environment(), request_id, signed_in(router).username)


@router.post(
    "/staff/requests/<request_id>/deletion-certificate",
    responses=documented_answers(names_request=True, conflict=NOT_WAITING),
)
def send_deletion_certificate(request_id: RequestId) -> Response[dict[str, Any]]:
    """Email the subject of a closed erasure its deletion certificate (in their language, the PDF
    attached): where their data was deleted, what was kept and why, and when. Once per call."""
    from dsr.closing import certificates  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    language = certificates.send_deletion_certificate(
        desk_from_environment(), request_id, signed_in(router).username
    )
    return json_answer(200, {"request_id": request_id, "sent": True, "language": language})
