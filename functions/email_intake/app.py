"""SES receipt rule target: the raw message is already in S3; turn it into a request or a triage item."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler, logger, metrics
from dsr.core.languages import shipped_language
from dsr.inbox.inbound_mail import InboundMailEvent, handle_receipt
from dsr.notices import email_templates
from dsr.policies.deadlines import load_calendars
from dsr.policies.verification import load_policy
from dsr.wiring.desk import desk_from_environment
from dsr.wiring.snapshot import check_a_sample_submission, prepare_snapshot


@desk_handler(InboundMailEvent, environment=desk_from_environment)
def lambda_handler(event: InboundMailEvent, context: LambdaContext) -> dict[str, Any]:
    desk = desk_from_environment()
    outcomes = []
    for record in event.Records:
        outcome = handle_receipt(desk, record)
        metrics.add_metric(name=f"Emails_{outcome.disposition.value}", unit=MetricUnit.Count, value=1)
        logger.info(
            "inbound email handled",
            message_id=record.ses.mail.messageId,
            disposition=outcome.disposition.value,
            request_id=outcome.request_id,
            triage_id=outcome.triage_id,
        )
        outcomes.append(outcome.model_dump(mode="json"))
    return {"outcomes": outcomes}


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot).
prepare_snapshot(
    (
        *("email.policy", "email.headerregistry", "email.generator", "email.contentmanager"),
        "email_validator",  # the sender's address, checked
        "dsr.appeals.appeals",  # an appeal by email
        "babel.core",  # the language the request is answered in (dsr.core.languages)
    ),
    check_a_sample_submission,
    lambda: shipped_language(["de"]),  # the language an email is read in, chosen with Babel's data
    lambda: desk_from_environment().preload("store", "s3", "limiter", "hasher", "mailer", "workflow"),
    load_calendars,
    load_policy,
    email_templates.load_every_template,  # the emails to the subject, in every language
)

initialised()
