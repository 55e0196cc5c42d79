"""Workflow task: choose every system and action the request needs, from the system registry."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import RequestTask
from dsr.fulfilment import fulfilment
from dsr.wiring.desk import desk_from_environment


@desk_handler(RequestTask, environment=desk_from_environment)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    return fulfilment.plan(desk_from_environment(), event.request_id).model_dump(mode="json")


initialised()
