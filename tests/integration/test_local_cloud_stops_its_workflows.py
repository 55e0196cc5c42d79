"""A stopped local cloud leaves nothing reaching for AWS: a workflow step that was still under
way (a retry waiting, the next state about to start) is refused by the stopped cloud instead of
calling AWS's own endpoints with whatever credentials the machine holds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.endpoint
import pytest
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud


@pytest.fixture
def calls_leaving() -> Iterator[list[str]]:
    """Every request botocore would send over the network, refused here and recorded."""
    sent: list[str] = []
    real_send = botocore.endpoint.Endpoint._send

    def refuse(_endpoint: Any, request: Any) -> Any:
        sent.append(request.url)
        raise ConnectionError("this test lets nothing leave the machine")

    botocore.endpoint.Endpoint._send = refuse  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        botocore.endpoint.Endpoint._send = real_send  # type: ignore[method-assign]


def test_a_workflow_step_after_the_cloud_stopped_is_refused_without_calling_aws(
    calls_leaving: list[str],
) -> None:
    with running_local_cloud() as api:
        form = DeskClient(api.cloud.base_url).post(
            "/requests",
            {
                "request_types": ["access"],
                "subject": {"email": "stopping@example.com", "name": "Stopping"},
                "relationship": "account_holder",
                "jurisdiction": "EU",
            },
        )
        assert form.status == 201
        close_request = api.cloud.template.physical_name("CloseRequestFunction")
    calls_leaving.clear()  # the cloud's own traffic stayed inside it; from here nothing may leave

    # The next Lambda task of an execution still running, as the emulator would make it.
    lambda_client = lambda_eval_utils.boto_client_for("us-east-1", "lambda", None)
    answer = lambda_client.invoke(
        FunctionName=f"arn:aws:lambda:us-east-1:123456789012:function:{close_request}:live",
        Payload=b'{"request_id": "r-1"}',
    )

    assert answer.get("FunctionError") == "Unhandled"
    assert b"after the local cloud stopped" in answer["Payload"].read()
    assert calls_leaving == []
