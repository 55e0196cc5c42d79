"""Scheduled: sweep the open requests (start what never started, close ended verification windows)."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import sweeper
from dsr.desk import desk_from_environment

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return sweeper.sweep(desk_from_environment()).model_dump()
