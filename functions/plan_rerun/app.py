"""Workflow task (a re-run's first step): plan only the system tasks that failed."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import reruns
from dsr.desk import desk_from_environment
from dsr.handler_stack import desk_handler
from dsr.tasks import RequestTask


@desk_handler(RequestTask, environment=desk_from_environment)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    return reruns.plan_rerun(desk_from_environment(), event.request_id).model_dump(mode="json")


initialised()
