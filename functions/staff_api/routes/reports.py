"""Figures: the dashboard staff open first, and the yearly request metrics the law asks for."""

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from dsr.staff import dashboard, reports
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import READS, json_answer

router = Router()  # type: ignore[no-untyped-call]

METRICS_ANSWERS = {
    **READS,
    200: {
        "description": "the figures, as JSON or (format=csv) as CSV",
        "content": {
            "application/json": {"model": reports.MetricsReport},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
}


@router.get("/staff/dashboard", responses=READS)
def show_dashboard(
    weeks: Annotated[int, Query(ge=1, le=52, description="how many weeks back")] = 12,
) -> dashboard.Dashboard:
    """Open requests by status, overdue and due this week; received per week; days to close."""
    desk = desk_from_environment()
    return dashboard.collect(desk.store, desk.now(), weeks)


@router.get("/staff/reports/metrics", responses=METRICS_ANSWERS)
def metrics_report(
    year: Annotated[
        int | None,
        Query(ge=2000, le=2100, description="the calendar year; this year by the desk's clock if not given"),
    ] = None,
    output: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
    jurisdiction: Annotated[str | None, Query(pattern=r"^[A-Z]{2}(-[A-Z]{2})?$|^DEFAULT$")] = None,
) -> Response[Any]:
    """The CCPA 7102 figures for requests received in the calendar year: counts only."""
    desk = desk_from_environment()
    report = reports.collect(desk.store, year or desk.now().year, jurisdiction)
    if output == "csv":
        return Response(
            status_code=200,
            content_type="text/csv; charset=utf-8",
            body=reports.to_csv(report),
            headers={"Content-Disposition": f'attachment; filename="request-metrics-{report.year}.csv"'},
        )
    return json_answer(200, report.model_dump(mode="json"))
