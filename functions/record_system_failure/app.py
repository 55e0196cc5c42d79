"""Workflow task (a Map item's Catch): record a system task that failed after its retries."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import FailedSystemTask
from dsr.fulfilment import carrying_out, fulfilment, handoffs
from dsr.wiring.desk import desk_from_environment


@desk_handler(FailedSystemTask, environment=desk_from_environment)
def lambda_handler(event: FailedSystemTask, context: LambdaContext) -> dict[str, Any]:
    task = fulfilment.SystemTask(system_id=event.system_id, action=event.action)
    error = f"{event.error}: {event.cause}"
    desk = desk_from_environment()
    result = carrying_out.record_system_failure(desk, event.request_id, task, error)
    handoffs.abandon(desk, event.request_id, task.system_id, task.action, error)  # if it was waiting
    return result.model_dump(mode="json")


initialised()
