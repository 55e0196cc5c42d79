"""Workflow task (wait for task token): keep the token, email the subject a verification code."""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr import verification
from dsr.desk import desk_from_environment
from dsr.tasks import WaitingTask

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@event_parser(model=WaitingTask)
def lambda_handler(event: WaitingTask, context: LambdaContext) -> dict[str, Any]:
    verification.begin(desk_from_environment(), event.request_id, event.task_token)
    return {"waiting_for": "subject"}
