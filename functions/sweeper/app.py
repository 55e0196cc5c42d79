"""Scheduled: sweep the open requests (start what never started, close ended verification windows,
end unanswered hand-offs) and, on the hourly schedule, watch their deadlines and publish the
deadline metrics. The five-minute schedule sends ``{"watch": false}``; any other event (the hourly
schedule, the local cloud's timer, a manual run) watches the clock too."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import sweeper
from dsr.desk import desk_from_environment
from dsr.tracing import desk_tracer
from dsr.watch_report import WatchReport

logger = Logger()
tracer = desk_tracer()
metrics = Metrics()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    report = sweeper.sweep(desk_from_environment(), watch_clock=event.get("watch") is not False)
    if report.deadlines is not None:
        publish_deadline_metrics(metrics, report.deadlines)
        metrics.flush_metrics()
        metrics.clear_metrics()  # where sending is disabled (the local cloud) a flush keeps them
    return report.model_dump()


def publish_deadline_metrics(metrics: Metrics, report: WatchReport) -> None:
    """Open requests, those due within 7 days, and those overdue; the same for appeals
    (CloudWatch, by EMF)."""
    metrics.add_metric(name="OpenRequests", unit=MetricUnit.Count, value=report.open_requests)
    metrics.add_metric(name="DueWithin7Days", unit=MetricUnit.Count, value=report.due_within_7_days)
    metrics.add_metric(name="Overdue", unit=MetricUnit.Count, value=report.overdue)
    metrics.add_metric(name="OpenAppeals", unit=MetricUnit.Count, value=report.open_appeals)
    metrics.add_metric(
        name="AppealsDueWithin7Days", unit=MetricUnit.Count, value=report.appeals_due_within_7_days
    )
    metrics.add_metric(name="AppealsOverdue", unit=MetricUnit.Count, value=report.appeals_overdue)


initialised()
