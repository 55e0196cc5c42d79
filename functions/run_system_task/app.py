"""Workflow task (one Map item): carry out one action in one system."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import fulfilment
from dsr.desk import desk_from_environment
from dsr.tasks import SystemTaskInput

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=SystemTaskInput)
def lambda_handler(event: SystemTaskInput, context: LambdaContext) -> dict[str, Any]:
    task = fulfilment.SystemTask(system_id=event.system_id, action=event.action)
    result = fulfilment.run_system_task(desk_from_environment(), event.request_id, task)
    return result.model_dump(mode="json")
