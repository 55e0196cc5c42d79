"""Workflow tasks name the AWS errors worth retrying, so the state machine's Retry matches them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import RequestTask
from dsr.core.transient_errors import AwsServiceBusy


class _Context:
    function_name = "TestFunction"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:TestFunction"
    aws_request_id = "test-invocation"


def _failing_with(code: str, status: int) -> Any:
    @desk_handler(RequestTask, environment=None)
    def handler(event: RequestTask, context: Any) -> dict[str, Any]:
        raise ClientError(
            {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Query"
        )

    return handler


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", 400),
        ("TooManyRequestsException", 429),
        ("InternalServerError", 500),
        ("ServiceUnavailable", 503),
    ],
)
def test_a_throttled_or_failing_aws_call_is_raised_as_aws_service_busy(code: str, status: int) -> None:
    with pytest.raises(AwsServiceBusy, match=f"Query: {code}") as raised:
        _failing_with(code, status)({"request_id": "0f0e0d0c-0b0a-4908-8706-050403020100"}, _Context())
    assert isinstance(raised.value.__cause__, ClientError)


@pytest.mark.parametrize(
    "code", ["ConditionalCheckFailedException", "AccessDeniedException", "ValidationException"]
)
def test_an_aws_error_that_retrying_cannot_cure_keeps_its_own_name(code: str) -> None:
    with pytest.raises(ClientError) as raised:
        _failing_with(code, 400)({"request_id": "0f0e0d0c-0b0a-4908-8706-050403020100"}, _Context())
    assert raised.value.response["Error"]["Code"] == code
    assert not isinstance(raised.value, AwsServiceBusy)
