"""Workflow task (one Map item, .waitForTaskToken): ask a processor, vendor or customer to act,
and leave the task waiting for their answer."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import HandOffTaskInput
from dsr.fulfilment import fulfilment, handoffs
from dsr.wiring.desk import desk_from_environment


@desk_handler(HandOffTaskInput, environment=desk_from_environment)
def lambda_handler(event: HandOffTaskInput, context: LambdaContext) -> dict[str, Any]:
    task = fulfilment.SystemTask(
        system_id=event.system_id, action=event.action, route=fulfilment.Route.HAND_OFF
    )
    handoffs.hand_off(desk_from_environment(), event.request_id, task, event.task_token)
    return {"handed_off": True}


initialised()
