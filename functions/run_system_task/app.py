"""Workflow task (one Map item): carry out one action in one system."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import fulfilment
from dsr.desk import desk_from_environment
from dsr.handler_stack import desk_handler
from dsr.tasks import SystemTaskInput


@desk_handler(SystemTaskInput, environment=desk_from_environment)
def lambda_handler(event: SystemTaskInput, context: LambdaContext) -> dict[str, Any]:
    task = fulfilment.SystemTask(system_id=event.system_id, action=event.action)
    result = fulfilment.run_system_task(desk_from_environment(), event.request_id, task)
    return result.model_dump(mode="json")


initialised()
