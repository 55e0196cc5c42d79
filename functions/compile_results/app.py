"""Workflow task: gather every system's outcome and build the access package (or, after a
reviewer released a held package, build it less the redactions)."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import CompileTask
from dsr.fulfilment import package_review, results
from dsr.wiring.desk import desk_from_environment


@desk_handler(CompileTask, environment=desk_from_environment)
def lambda_handler(event: CompileTask, context: LambdaContext) -> dict[str, Any]:
    if event.released:
        return {"package_key": package_review.build_released(desk_from_environment(), event.request_id)}
    compiled = results.compile_results(desk_from_environment(), event.request_id)
    return compiled.model_dump(mode="json")


initialised()
