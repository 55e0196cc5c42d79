"""The least the data lake's workflow function imports: the workflow floor, and pyarrow's Parquet
reader and writer and the compute functions that match identities (every event reads Parquet)."""

from dsr.core.initialising import initialised  # as every handler starts (and ends, below)

from typing import Any

import boto3
import pyarrow.compute
import pyarrow.parquet
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from pydantic import BaseModel

from dsr.core.tracing import TRACED_LIBRARIES  # the list alone: aws_lambda_powertools is loaded already

PARQUET = (pyarrow.parquet.ParquetFile, pyarrow.parquet.ParquetWriter, pyarrow.compute.equal)
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
    boto3.client("s3")
    return event.model_dump()


initialised()
