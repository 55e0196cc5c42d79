"""Outgoing mail: a MIME message built with the standard library, sent raw through SES."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from mypy_boto3_sesv2 import SESV2Client


class Attachment(NamedTuple):
    """A file sent with a message (a deletion certificate's PDF)."""

    filename: str
    content: bytes
    content_type: str


class Mailer:
    def __init__(self, ses: SESV2Client, sender: str) -> None:
        self._ses = ses
        self._sender = sender

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        request_id: str,
        *,
        language: str | None = None,
        html: str | None = None,
        attachments: Sequence[Attachment] = (),
    ) -> str:
        """Send one message: ``body`` as its text/plain part and, when given, ``html`` as a
        text/html alternative with the same content (multipart/alternative, the plain part
        first); ``language`` (a BCP 47 tag or Babel's ``fr_CA``) as its Content-Language; each
        of ``attachments`` attached after them (multipart/mixed). The id SES gives it, which SES
        may also put in the Message-ID that replies quote."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = to
        message["Subject"] = " ".join(subject.split())  # never a line break in a header
        message["Date"] = formatdate(usegmt=True)
        message_id = make_msgid(idstring=request_id, domain=self._sender.partition("@")[2] or None)
        message["Message-ID"] = message_id
        # Marks the mail as sent by a program, so well-behaved responders do not answer it.
        message["Auto-Submitted"] = "auto-generated"
        message["X-Privacy-Request-Id"] = request_id
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
        for attachment in attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        if language:  # after the parts: making them moves or clears the Content-* headers
            message["Content-Language"] = language.replace("_", "-")
        # The recipients come from the message's own headers.
        sent = self._ses.send_email(
            FromEmailAddress=self._sender, Content={"Raw": {"Data": message.as_bytes()}}
        )
        return str(sent.get("MessageId") or message_id)
