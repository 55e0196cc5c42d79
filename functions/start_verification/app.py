"""Workflow task (wait for task token): keep the token, email the subject a verification code."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import verification
from dsr.desk import desk_from_environment
from dsr.task_handler import workflow_task
from dsr.tasks import WaitingTask


@workflow_task(WaitingTask)
def lambda_handler(event: WaitingTask, context: LambdaContext) -> dict[str, Any]:
    verification.begin(desk_from_environment(), event.request_id, event.task_token)
    return {"waiting_for": "subject"}
