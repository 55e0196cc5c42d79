"""Rate windows and lockouts (``pk = RATE#<rule>#<key>``; the rules are in ``dsr.storage.rate_limits``).

* ``sk = W#<window start, epoch seconds>``: ``count`` attempts allowed in that window.
* ``sk = LOCK``: ``until`` (epoch seconds): the key is refused until then, whatever the window.

Both carry ``expires_at``, so TTL removes them once they no longer matter; nothing here relies on
an item being gone. Counting is one conditional write, so racing callers never pass the limit.
"""

from __future__ import annotations

from typing import Final

from dsr.storage.dynamo import Repository, write_if

LOCK_SK: Final = "LOCK"


class RateWindows(Repository):
    def locked_until(self, pk: str, at: int) -> int | None:
        """When the running lockout of ``pk`` ends, or None if none runs at ``at``."""
        item = self._table.get_item(Key={"pk": pk, "sk": LOCK_SK}, ConsistentRead=True).get("Item")
        if item is None:
            return None
        until = int(str(item["until"]))
        return until if until > at else None

    def count(self, pk: str, window_seconds: int, limit: int, window_end: int) -> bool:
        """Add one to the window's count if it is below ``limit``; False if it is not."""
        return write_if(
            self._table.update_item,
            Key={"pk": pk, "sk": f"W#{window_end - window_seconds}"},
            UpdateExpression="ADD #count :one SET expires_at = :expires",
            ConditionExpression="attribute_not_exists(pk) OR #count < :limit",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":one": 1, ":limit": limit, ":expires": window_end},
        )

    def lock(self, pk: str, until: int, at: int) -> bool:
        """Start a lockout ending at ``until``; False if one is running already (another caller
        started it), so only one attempt per lockout reports ``locked_now``."""
        return write_if(
            self._table.put_item,
            Item={"pk": pk, "sk": LOCK_SK, "until": until, "expires_at": until},
            ConditionExpression="attribute_not_exists(pk) OR #until <= :now",
            ExpressionAttributeNames={"#until": "until"},
            ExpressionAttributeValues={":now": at},
        )
