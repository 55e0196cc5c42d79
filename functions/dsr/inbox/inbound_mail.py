"""Mail to the privacy address as SES hands it over: the receipt rule's event (with the DKIM
verdict Powertools' model leaves out), and the raw message the rule stored in S3 before it
called the function."""

from aws_lambda_powertools.utilities.parser.models import SesModel
from aws_lambda_powertools.utilities.parser.models.ses import (
    SesMessage,
    SesReceipt,
    SesReceiptVerdict,
    SesRecordModel,
)
from botocore.exceptions import ClientError

from dsr.inbox.email_requests import EmailOutcome, handle_inbound, handle_missing_message
from dsr.wiring.desk import Desk

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


def handle_receipt(desk: Desk, record: RecordWithDkim) -> EmailOutcome:
    """What one received message becomes, by SES's verdicts and the stored message."""
    receipt = record.ses.receipt
    message_id = record.ses.mail.messageId
    raw = stored_message(desk, message_id)
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


def stored_message(desk: Desk, message_id: str) -> bytes | None:
    """The message the receipt rule stored; None when it is not there (nothing to retry)."""
    try:
        found = desk.s3.get_object(
            Bucket=desk.settings.inbound_mail_bucket, Key=f"{INBOUND_PREFIX}{message_id}"
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
            return None
        raise
    body: bytes = found["Body"].read()
    return body
