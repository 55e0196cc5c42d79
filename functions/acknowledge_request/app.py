"""Workflow task: send the subject the acknowledgement (once)."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.acknowledgement import acknowledge
from dsr.deadlines import load_calendars
from dsr.desk import desk_from_environment
from dsr.handler_stack import desk_handler
from dsr.snapshot import prepare_snapshot
from dsr.tasks import RequestTask


@desk_handler(RequestTask, environment=desk_from_environment)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    return {"sent": acknowledge(desk_from_environment(), event.request_id)}


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.snapshot).
prepare_snapshot(
    ("email.policy", "email.headerregistry", "email.generator", "email.contentmanager"),  # the message
    lambda: desk_from_environment().preload("store", "hasher", "mailer"),
    load_calendars,
)

initialised()
