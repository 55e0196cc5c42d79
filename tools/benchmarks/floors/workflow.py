"""The least a workflow function imports: boto3, Powertools' logger, metrics and tracer, and its
parser with one pydantic model for the input (12 of the desk's 13 functions that are not behind
API Gateway parse their event with it)."""

from dsr.core.initialising import initialised  # as every handler starts (and ends, below)

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from pydantic import BaseModel

from dsr.core.tracing import TRACED_LIBRARIES  # the list alone: aws_lambda_powertools is loaded already

logger = Logger()
metrics = Metrics()
tracer = Tracer(patch_modules=TRACED_LIBRARIES)  # as the desk patches


class TaskInput(BaseModel):
    request_id: str


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=TaskInput)
def lambda_handler(event: TaskInput, context: Any) -> dict[str, Any]:
    boto3.client("dynamodb")
    return event.model_dump()


initialised()
