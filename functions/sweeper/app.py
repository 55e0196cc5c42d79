"""Scheduled: sweep the open requests (start what never started, close ended verification windows,
end unanswered hand-offs) and, on the hourly schedule, watch their deadlines and publish the
deadline metrics. The five-minute schedule sends ``{"watch": false}``; any other event (the hourly
schedule, the local cloud's timer, a manual run) watches the clock too."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.metrics import Metrics, MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.desk_model import DeskModel
from dsr.core.handler_stack import desk_handler, metrics
from dsr.deadlines import sweeper
from dsr.deadlines.watch_report import WatchReport
from dsr.wiring.desk import desk_from_environment


class SweepEvent(DeskModel):
    """A schedule's event: ``{"watch": false}`` every five minutes; anything else watches the
    clock too (the hourly schedule's EventBridge event, the local cloud's timer, a manual run)."""

    watch: bool = True


@desk_handler(SweepEvent, environment=desk_from_environment)
def lambda_handler(event: SweepEvent, context: LambdaContext) -> dict[str, Any]:
    report = sweeper.sweep(desk_from_environment(), watch_clock=event.watch)
    if report.deadlines is not None:
        publish_deadline_metrics(metrics, report.deadlines)
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
