"""Workflow task: close the request with its outcome and tell the subject."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.closing import closing

# Most closes are completions, whose notice reads the package's link (downloads) and the results:
# loaded with the handler, not on the first event (closing loads them only where it needs them,
# so the function that marks failed executions does not).
from dsr.closing import downloads as _downloads  # noqa: F401
from dsr.core.handler_stack import desk_handler, metrics
from dsr.core.tasks import CloseTask
from dsr.fulfilment import results as _results  # noqa: F401
from dsr.wiring.desk import desk_from_environment


@desk_handler(CloseTask, environment=desk_from_environment)
def lambda_handler(event: CloseTask, context: LambdaContext) -> dict[str, Any]:
    error = f"{event.error}: {event.cause}" if event.error else None
    status = closing.close(desk_from_environment(), event.request_id, event.outcome, event.reason, error)
    metrics.add_metric(name=f"RequestsClosed_{status.value}", unit=MetricUnit.Count, value=1)
    return {"status": status.value}


initialised()
