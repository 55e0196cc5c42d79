"""SES receipt rule target: the raw message is already in S3; turn it into a request or a triage item."""

from dsr.initialising import initialised

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.parser.models import SesModel
from aws_lambda_powertools.utilities.parser.models.ses import (
    SesMessage,
    SesReceipt,
    SesReceiptVerdict,
    SesRecordModel,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from dsr.deadlines import load_calendars
from dsr.desk import Desk, desk_from_environment
from dsr.email_requests import EmailOutcome, handle_inbound, handle_missing_message
from dsr.snapshot import check_a_sample_submission, prepare_snapshot
from dsr.tracing import desk_tracer
from dsr.verification_policy import load_policy

logger = Logger()
tracer = desk_tracer()
metrics = Metrics()

INBOUND_PREFIX = "inbound/"


class ReceiptWithDkim(SesReceipt):
    """SES also reports a DKIM verdict, which the Powertools model leaves out."""

    dkimVerdict: SesReceiptVerdict | None = None  # noqa: N815 - SES's field name


class MessageWithDkim(SesMessage):
    receipt: ReceiptWithDkim


class RecordWithDkim(SesRecordModel):
    ses: MessageWithDkim


class InboundMailEvent(SesModel):
    Records: list[RecordWithDkim]  # type: ignore[assignment]


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=InboundMailEvent)
def lambda_handler(event: InboundMailEvent, context: LambdaContext) -> dict[str, Any]:
    desk = desk_from_environment()
    outcomes = []
    for record in event.Records:
        outcome = _handle_record(desk, record)
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


def _handle_record(desk: Desk, record: RecordWithDkim) -> EmailOutcome:
    receipt = record.ses.receipt
    message_id = record.ses.mail.messageId
    raw = _raw_message(desk, message_id)
    if raw is None:
        return handle_missing_message(desk, message_id)
    verdicts = {
        "spam": receipt.spamVerdict.status,
        "virus": receipt.virusVerdict.status,
        "spf": receipt.spfVerdict.status,
        "dkim": receipt.dkimVerdict.status if receipt.dkimVerdict else "GRAY",
        "dmarc": receipt.dmarcVerdict.status,
    }
    return handle_inbound(desk, raw, message_id, verdicts)


def _raw_message(desk: Desk, message_id: str) -> bytes | None:
    """The message the receipt rule stored; None when it is not there (nothing to retry)."""
    try:
        found = desk.s3.get_object(
            Bucket=desk.settings.inbound_mail_bucket, Key=f"{INBOUND_PREFIX}{message_id}"
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return None
        raise
    return found["Body"].read()


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.snapshot).
prepare_snapshot(
    (
        *("email.policy", "email.headerregistry", "email.generator", "email.contentmanager"),
        "email_validator",  # the sender's address, checked
        "dsr.appeals",  # an appeal by email
    ),
    check_a_sample_submission,
    lambda: desk_from_environment().preload("store", "s3", "limiter", "hasher", "mailer", "workflow"),
    load_calendars,
    load_policy,
)

initialised()
