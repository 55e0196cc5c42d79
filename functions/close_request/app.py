"""Workflow task: close the request with its outcome and tell the subject."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import closing
from dsr.desk import desk_from_environment
from dsr.task_handler import name_transient_aws_errors
from dsr.tasks import CloseTask
from dsr.tracing import desk_tracer

logger = Logger()
tracer = desk_tracer()
metrics = Metrics()


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
@name_transient_aws_errors
@event_parser(model=CloseTask)
def lambda_handler(event: CloseTask, context: LambdaContext) -> dict[str, Any]:
    error = f"{event.error}: {event.cause}" if event.error else None
    status = closing.close(desk_from_environment(), event.request_id, event.outcome, event.reason, error)
    metrics.add_metric(name=f"RequestsClosed_{status.value}", unit=MetricUnit.Count, value=1)
    return {"status": status.value}


initialised()
