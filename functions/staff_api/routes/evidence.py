"""A request's evidence pack: produced on demand (for a closed request, or an open one as it
stands), kept for the record-keeping period, and linked for download."""

from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.staff.evidence_files import ProducedEvidence
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import RequestId, documented_answers, signed_in

router = Router()  # type: ignore[no-untyped-call]


@router.post("/staff/requests/<request_id>/evidence", responses=documented_answers(names_request=True))
def produce_evidence_pack(request_id: RequestId) -> ProducedEvidence:
    """Produce the request's evidence pack (a JSON file and its PDF, the JSON's SHA-256 printed on
    the PDF); both kept encrypted, the production recorded in the trail; links to both."""
    from dsr.staff.evidence_files import produce_evidence  # noqa: PLC0415 - see routes.LOADED_BY_ONE_ROUTE

    return produce_evidence(desk_from_environment(), request_id, signed_in(router).username)
