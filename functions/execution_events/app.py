"""EventBridge target: an execution ended FAILED, TIMED_OUT or ABORTED outside any Catch."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.closing import closing
from dsr.core.desk_model import DeskModel
from dsr.core.handler_stack import desk_handler
from dsr.wiring.desk import desk_from_environment


class ExecutionStatusChange(DeskModel):
    name: str
    status: str
    error: str | None = None
    cause: str | None = None


class ExecutionEndedEvent(EventBridgeModel):
    detail: ExecutionStatusChange


@desk_handler(ExecutionEndedEvent, environment=desk_from_environment)
def lambda_handler(event: ExecutionEndedEvent, context: LambdaContext) -> dict[str, Any]:
    request_id = event.detail.name[:36]  # re-runs are named <request id>-rerun-<n>
    marked = closing.mark_execution_ended(
        desk_from_environment(), request_id, event.detail.status, event.detail.error
    )
    return {"marked_failed": marked}


initialised()
