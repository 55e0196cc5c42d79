"""Workflow task (one Map item): carry out one action in one Parquet data lake. A function of its
own, because pyarrow (in its own layer, DataLakeLayer) is too large for the layer every function
shares; every event reads Parquet, so the connector is loaded with the handler."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

import dsr.connectors.s3_parquet  # noqa: F401 - every event of this function reads Parquet
from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import SystemTaskInput
from dsr.fulfilment import carrying_out
from dsr.wiring.desk import desk_from_environment


@desk_handler(SystemTaskInput, environment=desk_from_environment)
def lambda_handler(event: SystemTaskInput, context: LambdaContext) -> dict[str, Any]:
    return carrying_out.run_task_of_workflow(desk_from_environment(), event)


initialised()
