"""Mail to the privacy address as SES hands it over: the receipt rule's event, and the raw
message the rule stored in S3 before it called the function.

The event is read into models of the fields the desk uses: the message id and SES's verdicts,
DKIM's among them (Powertools' SES model leaves it out). Powertools' model would also validate
the headers SES copies into the event, which the desk reads from the stored message instead:
loading and building it took an eighth of what the function's own code adds to a cold start."""

from typing import Annotated, Literal

from botocore.exceptions import ClientError
from pydantic import Field

from dsr.core.desk_model import DeskModel
from dsr.inbox.email_requests import EmailOutcome, handle_inbound, handle_missing_message
from dsr.wiring.desk import Desk

INBOUND_PREFIX = "inbound/"


class Verdict(DeskModel):
    status: Literal["PASS", "FAIL", "GRAY", "PROCESSING_FAILED"]


class Receipt(DeskModel):
    spamVerdict: Verdict  # noqa: N815 - SES's field names
    virusVerdict: Verdict  # noqa: N815
    spfVerdict: Verdict  # noqa: N815
    dmarcVerdict: Verdict  # noqa: N815
    dkimVerdict: Verdict | None = None  # noqa: N815


class ReceivedMail(DeskModel):
    messageId: Annotated[str, Field(min_length=1, max_length=200)]  # noqa: N815


class ReceivedMessage(DeskModel):
    mail: ReceivedMail
    receipt: Receipt


class ReceiptRecord(DeskModel):
    eventSource: Literal["aws:ses"]  # noqa: N815
    ses: ReceivedMessage


class InboundMailEvent(DeskModel):
    Records: Annotated[list[ReceiptRecord], Field(min_length=1)]


def handle_receipt(desk: Desk, record: ReceiptRecord) -> EmailOutcome:
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
