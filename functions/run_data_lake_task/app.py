"""Workflow task (one Map item): carry out one action in one Parquet data lake. A function of its
own, because pyarrow (in its own layer, DataLakeLayer) is too large for the layer every function
shares; every event reads Parquet, so the connector is loaded with the handler."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

import dsr.connectors.s3_parquet  # noqa: F401 - every event of this function reads Parquet
from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import SystemTaskInput
from dsr.fulfilment import carrying_out, fulfilment
from dsr.wiring.desk import desk_from_environment


@desk_handler(SystemTaskInput, environment=desk_from_environment)
def lambda_handler(event: SystemTaskInput, context: LambdaContext) -> dict[str, Any]:
    task = fulfilment.SystemTask(system_id=event.system_id, action=event.action)
    result = carrying_out.run_system_task(desk_from_environment(), event.request_id, task)
    return result.model_dump(mode="json")


initialised()
