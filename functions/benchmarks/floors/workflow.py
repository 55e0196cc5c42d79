"""The least a workflow function imports: boto3, Powertools' logger, metrics and tracer, and one
pydantic model for its input."""

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from pydantic import BaseModel

from dsr.tracing import TRACED_LIBRARIES  # the list alone: aws_lambda_powertools is loaded already

logger = Logger()
metrics = Metrics()
tracer = Tracer(patch_modules=TRACED_LIBRARIES)  # as the desk patches


class TaskInput(BaseModel):
    request_id: str


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    task = TaskInput.model_validate(event)
    boto3.client("dynamodb")
    return task.model_dump()
