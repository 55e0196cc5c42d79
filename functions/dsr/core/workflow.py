"""The Step Functions side: start the execution named by the request, resume waiting tasks."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class WorkflowEngine:
    def __init__(self, sfn: SFNClient, state_machine_arn: str | None) -> None:
        self._sfn = sfn
        self._state_machine_arn = state_machine_arn

    def start(self, request_id: str, payload: dict[str, Any]) -> bool:
        """Start the request's execution; False if it had been started already."""
        if not self._state_machine_arn:
            raise RuntimeError("STATE_MACHINE_ARN is not set for this function")
        try:
            self._sfn.start_execution(
                stateMachineArn=self._state_machine_arn,
                name=request_id,
                input=json.dumps(payload),
            )
        except self._sfn.exceptions.ExecutionAlreadyExists:
            return False
        return True

    def start_named(self, name: str, payload: dict[str, Any]) -> None:
        """Start a further execution for the same request (a re-run), under its own name."""
        if not self._state_machine_arn:
            raise RuntimeError("STATE_MACHINE_ARN is not set for this function")
        self._sfn.start_execution(
            stateMachineArn=self._state_machine_arn, name=name, input=json.dumps(payload)
        )

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        self._sfn.send_task_success(taskToken=task_token, output=json.dumps(output))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        """End a waiting task with a named error, which the state machine's Catch routes."""
        self._sfn.send_task_failure(taskToken=task_token, error=error, cause=cause)

    def stop(self, request_id: str, cause: str) -> bool:
        """Stop the request's own execution; False if there is none, or it had ended."""
        if not self._state_machine_arn:
            raise RuntimeError("STATE_MACHINE_ARN is not set for this function")
        execution_arn = self._state_machine_arn.replace(":stateMachine:", ":execution:") + f":{request_id}"
        try:
            answer = self._sfn.describe_execution(executionArn=execution_arn)
            if answer["status"] != "RUNNING":
                return False
            self._sfn.stop_execution(executionArn=execution_arn, error="Cancelled", cause=cause[:256])
        except self._sfn.exceptions.ExecutionDoesNotExist:
            return False
        return True
