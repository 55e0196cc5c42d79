"""Workflow task: send the subject the acknowledgement (once)."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.tasks import RequestTask
from dsr.intake.acknowledgement import acknowledge
from dsr.notices import email_templates
from dsr.policies.deadlines import load_calendars
from dsr.wiring.desk import desk_from_environment
from dsr.wiring.snapshot import prepare_snapshot


@desk_handler(RequestTask, environment=desk_from_environment)
def lambda_handler(event: RequestTask, context: LambdaContext) -> dict[str, Any]:
    return {"sent": acknowledge(desk_from_environment(), event.request_id)}


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot).
prepare_snapshot(
    ("email.policy", "email.headerregistry", "email.generator", "email.contentmanager"),  # the message
    lambda: desk_from_environment().preload("store", "hasher", "mailer"),
    load_calendars,
    email_templates.load_every_template,  # the emails to the subject, in every language
)

initialised()
