"""Workflow task: gather every system's outcome and build the access package."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import RequestTask
from dsr.fulfilment import results
from dsr.wiring.desk import desk_from_environment


@desk_handler(RequestTask, environment=desk_from_environment)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    compiled = results.compile_results(desk_from_environment(), event.request_id)
    return compiled.model_dump(mode="json")


initialised()
