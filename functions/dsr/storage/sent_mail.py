"""The desk's own mail, so replies can find their request; and each notice a subject was sent,
by its subject line and date (never its body), for the request's evidence pack."""

from __future__ import annotations

from datetime import datetime

from dsr.core.masking import mask_email
from dsr.storage.dynamo import Repository
from dsr.storage.keys import NOTICE_PREFIX, request_item_key, sent_mail_key

SENT_MAIL_MEMORY_SECONDS = 400 * 24 * 3600  # replies can come long after; TTL removes the rest


class SentMail(Repository):
    def remember_sent_message(self, sent_message_id: str, request_id: str, at: datetime) -> None:
        self._table.put_item(
            Item={
                **sent_mail_key(sent_message_id),
                "request_id": request_id,
                "sent_at": at.isoformat(),
                "expires_at": int(at.timestamp()) + SENT_MAIL_MEMORY_SECONDS,
            }
        )

    def request_for_sent_message(self, sent_message_id: str) -> str | None:
        item = self._table.get_item(Key=sent_mail_key(sent_message_id)).get("Item")
        return str(item["request_id"]) if item else None

    def record_notice(
        self,
        request_id: str,
        at: datetime,
        *,
        sent_message_id: str,
        recipient: str,
        subject_line: str,
        language: str,
    ) -> None:
        """A notice sent about the request (to its subject, a vendor, a customer's administrator or
        staff): its subject line, language, moment and masked recipient, kept with the request for
        its evidence pack; never the body, nor the address itself."""
        millis = int(at.timestamp() * 1000)
        self._table.put_item(
            Item={
                **request_item_key(request_id, f"{NOTICE_PREFIX}{millis:015d}#{sent_message_id}"),
                "sent_at": at.isoformat(),
                "recipient": mask_email(recipient),
                "subject_line": subject_line,
                "language": language,
            }
        )

    def notices_sent(self, request_id: str) -> list[dict[str, str]]:
        """The notices sent about the request, oldest first: ``sent_at``, ``recipient`` (masked),
        ``subject_line``, ``language``."""
        items = self._query_prefix(request_id, NOTICE_PREFIX)
        fields = ("sent_at", "recipient", "subject_line", "language")
        return [{name: str(item.get(name) or "") for name in fields} for item in items]
