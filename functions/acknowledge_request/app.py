"""Workflow task: send the subject the acknowledgement (once)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.desk import desk_from_environment
from dsr.intake import acknowledge
from dsr.tasks import RequestTask

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=RequestTask)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    return {"sent": acknowledge(desk_from_environment(), event.request_id)}
