"""Workflow task: close the request with its outcome and tell the subject."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import closing
from dsr.desk import desk_from_environment
from dsr.tasks import CloseTask

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=CloseTask)
def lambda_handler(event: CloseTask, context: LambdaContext) -> dict[str, Any]:
    error = f"{event.error}: {event.cause}" if event.error else None
    status = closing.close(desk_from_environment(), event.request_id, event.outcome, event.reason, error)
    return {"status": status.value}
