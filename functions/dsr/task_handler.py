"""The decorators every workflow task's handler wears, in one place and in a fixed order:
logging context, then tracing, then parsing the event into its model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from pydantic import BaseModel

logger = Logger()
tracer = Tracer()

Model = TypeVar("Model", bound=BaseModel)
TaskFunction = Callable[[Model, Any], dict[str, Any]]


def workflow_task(
    model: type[Model],
) -> Callable[[TaskFunction[Model]], Callable[[Any, Any], dict[str, Any]]]:
    """``@workflow_task(RequestTask)`` on ``lambda_handler(event: RequestTask, context)``."""

    def decorate(handler: TaskFunction[Model]) -> Callable[[Any, Any], dict[str, Any]]:
        parsed = event_parser(model=model)(handler)
        traced = tracer.capture_lambda_handler(parsed)
        return logger.inject_lambda_context(traced)

    return decorate
