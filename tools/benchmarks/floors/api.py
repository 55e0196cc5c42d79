"""The least an API function imports: a workflow function's libraries, and Powertools' REST
resolver with request validation and one route."""

from dsr.core.initialising import initialised  # as every handler starts (and ends, below)

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from pydantic import BaseModel

from dsr.core.tracing import TRACED_LIBRARIES  # the list alone: aws_lambda_powertools is loaded already

logger = Logger()
metrics = Metrics()
tracer = Tracer(patch_modules=TRACED_LIBRARIES)  # as the desk patches
app = APIGatewayRestResolver(enable_validation=True)


class Submission(BaseModel):
    request_id: str


@app.post("/submissions")
def submit(submission: Submission) -> dict[str, str]:
    boto3.client("dynamodb")
    return {"request_id": submission.request_id}


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)


initialised()
