"""Workflow task (wait for task token): keep the token, email the subject a verification code."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import WaitingTask
from dsr.notices import email_templates
from dsr.policies.deadlines import load_calendars
from dsr.policies.verification import load_policy
from dsr.verification import identity_checks as verification
from dsr.wiring.desk import desk_from_environment
from dsr.wiring.snapshot import prepare_snapshot


@desk_handler(WaitingTask, environment=desk_from_environment)
def lambda_handler(event: WaitingTask, context: LambdaContext) -> dict[str, Any]:
    verification.begin(desk_from_environment(), event.request_id, event.task_token)
    return {"waiting_for": "subject"}


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot).
prepare_snapshot(
    ("email.policy", "email.headerregistry", "email.generator", "email.contentmanager"),  # the message
    lambda: desk_from_environment().preload("store", "hasher", "mailer"),
    load_calendars,
    load_policy,
    email_templates.load_every_template,  # the emails to the subject, in every language
)

initialised()
