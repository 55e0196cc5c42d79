"""The desk's own mail, so replies can find their request; and each notice a subject was sent,
by its subject line and date (never its body), for the request's evidence pack."""

from __future__ import annotations

from datetime import datetime

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
        self, request_id: str, at: datetime, sent_message_id: str, subject_line: str, language: str
    ) -> None:
        """A notice sent to the subject: its subject line, language and moment, kept with the request."""
        millis = int(at.timestamp() * 1000)
        self._table.put_item(
            Item={
                **request_item_key(request_id, f"{NOTICE_PREFIX}{millis:015d}#{sent_message_id}"),
                "sent_at": at.isoformat(),
                "subject_line": subject_line,
                "language": language,
            }
        )

    def notices_sent(self, request_id: str) -> list[dict[str, str]]:
        """The notices the subject was sent, oldest first: ``sent_at``, ``subject_line``, ``language``."""
        items = self._query_prefix(request_id, NOTICE_PREFIX)
        return [{name: str(item[name]) for name in ("sent_at", "subject_line", "language")} for item in items]
