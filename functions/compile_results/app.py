"""Workflow task: gather every system's outcome and build the access package."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import fulfilment
from dsr.desk import desk_from_environment
from dsr.handler_stack import desk_handler
from dsr.tasks import RequestTask


@desk_handler(RequestTask, environment=desk_from_environment)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    compiled = fulfilment.compile_results(desk_from_environment(), event.request_id)
    return compiled.model_dump(mode="json")


initialised()
