"""Workflow task (a Map item's Catch): record a system task that failed after its retries."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import fulfilment
from dsr.desk import desk_from_environment
from dsr.tasks import FailedSystemTask

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=FailedSystemTask)
def lambda_handler(event: FailedSystemTask, context: LambdaContext) -> dict[str, Any]:
    task = fulfilment.SystemTask(system_id=event.system_id, action=event.action)
    result = fulfilment.record_system_failure(
        desk_from_environment(), event.request_id, task, f"{event.error}: {event.cause}"
    )
    return result.model_dump(mode="json")
