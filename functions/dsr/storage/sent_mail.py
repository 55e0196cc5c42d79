"""The desk's own mail, so replies can find their request."""

from __future__ import annotations

from datetime import datetime

from dsr.storage.dynamo import Repository
from dsr.storage.keys import sent_mail_key

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
