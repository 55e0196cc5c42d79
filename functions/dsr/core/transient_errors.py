"""Naming transient AWS errors, so a state machine's Retry matches them: one step of the stack
every handler wears (``dsr.core.handler_stack``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker


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


def name_transient_aws_errors[Answer](handler: Callable[[Any, Any], Answer]) -> Callable[[Any, Any], Answer]:
    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Answer:
        try:
            return handler(event, context)
        except ClientError as error:
            if is_transient(error):
                raise AwsServiceBusy(
                    f"{error.operation_name}: {error.response['Error'].get('Code')}"
                ) from error
            raise

    return run
