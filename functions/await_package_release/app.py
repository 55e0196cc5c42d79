"""Workflow task (wait for task token): keep the token until a reviewer releases the access package."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import WaitingTask
from dsr.fulfilment import package_review
from dsr.wiring.desk import desk_from_environment


@desk_handler(WaitingTask, environment=desk_from_environment)
def lambda_handler(event: WaitingTask, context: LambdaContext) -> dict[str, Any]:
    package_review.await_release(desk_from_environment(), event.request_id, event.task_token)
    return {"waiting_for": "package review"}


initialised()
