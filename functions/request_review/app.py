"""Workflow task (wait for task token): keep the token until staff decide in the console."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import approval
from dsr.desk import desk_from_environment
from dsr.handler_stack import desk_handler
from dsr.tasks import WaitingTask


@desk_handler(WaitingTask, environment=desk_from_environment)
def lambda_handler(event: WaitingTask, context: LambdaContext) -> dict[str, Any]:
    approval.await_review(desk_from_environment(), event.request_id, event.task_token)
    return {"waiting_for": "staff"}


initialised()
