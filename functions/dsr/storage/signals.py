"""Global Privacy Control signals: each browser's last signal, kept as a keyed hash of its
identifier (``GPC#BROWSER#<hash>``), and how many signals came and how many opted a person out,
per year and jurisdiction (``GPC#COUNTS#<year>``, one item per jurisdiction)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from boto3.dynamodb.conditions import Key

from dsr.storage.dynamo import Repository, query_all
from dsr.storage.keys import browser_signal_key, signal_count_key

BROWSER_RECORD_KEPT = timedelta(days=400)
"""A browser's record goes a little over a year after its last signal (the 12 months a business
waits before asking a person who opted out to opt back in, 11 CCR 7026(k), with a margin)."""


class SignalCount(NamedTuple):
    jurisdiction: str
    received: int
    opted_out: int


class SignalRecords(Repository):
    def record_browser_signal(self, browser_hash: str, at: datetime, jurisdiction: str) -> None:
        """This browser sent the signal at ``at``: its first and last time, and how often."""
        self._table.update_item(
            Key=browser_signal_key(browser_hash),
            UpdateExpression="SET first_at = if_not_exists(first_at, :at), last_at = :at, "
            "jurisdiction = :where, expires_at = :gone ADD signals :one",
            ExpressionAttributeValues={
                ":at": at.isoformat(),
                ":where": jurisdiction,
                ":gone": int((at + BROWSER_RECORD_KEPT).timestamp()),
                ":one": 1,
            },
        )

    def browser_signal(self, browser_hash: str) -> dict[str, object] | None:
        item = self._table.get_item(Key=browser_signal_key(browser_hash), ConsistentRead=True).get("Item")
        return dict(item) if item else None

    def count_signal(self, at: datetime, jurisdiction: str, *, opted_out: bool) -> None:
        self._table.update_item(
            Key=signal_count_key(at.year, jurisdiction),
            UpdateExpression="ADD received :one, opted_out :opted",
            ExpressionAttributeValues={":one": 1, ":opted": 1 if opted_out else 0},
        )

    def signal_counts(self, year: int) -> list[SignalCount]:
        """The year's counts, one per jurisdiction a signal came from, in order."""
        query = {
            "KeyConditionExpression": Key("pk").eq(signal_count_key(year, "")["pk"]),
            "ConsistentRead": True,
        }
        return [
            SignalCount(str(item["sk"]), int(item.get("received", 0)), int(item.get("opted_out", 0)))
            for item in sorted(query_all(self._table, query), key=lambda item: str(item["sk"]))
        ]
