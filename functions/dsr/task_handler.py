"""The decorators every workflow task's handler wears, in one place and in a fixed order:
logging context, then tracing, then naming transient AWS errors, then parsing the event into its
model."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker
from pydantic import BaseModel

from dsr.tracing import desk_tracer

logger = Logger()
tracer = desk_tracer()

Model = TypeVar("Model", bound=BaseModel)
TaskFunction = Callable[[Model, Any], dict[str, Any]]


class AwsServiceBusy(Exception):  # noqa: N818 - the name the state machine's Retry matches
    """An AWS call was throttled or met a server error after the SDK's own retries: worth trying
    the whole task again later.

    Step Functions sees a Lambda error by its class name, and botocore names most errors by their
    code (``ThrottlingException``, ``InternalServerError``...), so without this a throttled
    DynamoDB call would fail the task at once instead of matching the state's Retry."""


def is_transient(error: ClientError) -> bool:
    """Throttled (by botocore's own list of throttling codes) or a server error."""
    throttled = ThrottledRetryableChecker().is_retryable(
        RetryContext(attempt_number=1, parsed_response=dict(error.response))
    )
    return throttled or int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)) >= 500


def name_transient_aws_errors(
    handler: Callable[[Any, Any], dict[str, Any]],
) -> Callable[[Any, Any], dict[str, Any]]:
    @functools.wraps(handler)
    def run(event: Any, context: Any) -> dict[str, Any]:
        try:
            return handler(event, context)
        except ClientError as error:
            if is_transient(error):
                raise AwsServiceBusy(
                    f"{error.operation_name}: {error.response['Error'].get('Code')}"
                ) from error
            raise

    return run


def workflow_task[Model: BaseModel](
    model: type[Model],
) -> Callable[[TaskFunction[Model]], Callable[[Any, Any], dict[str, Any]]]:
    """``@workflow_task(RequestTask)`` on ``lambda_handler(event: RequestTask, context)``."""

    def decorate(handler: TaskFunction[Model]) -> Callable[[Any, Any], dict[str, Any]]:
        parsed = event_parser(model=model)(handler)
        traced = tracer.capture_lambda_handler(name_transient_aws_errors(parsed))
        return logger.inject_lambda_context(traced)

    return decorate
