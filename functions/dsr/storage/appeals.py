"""Where appeals are kept: one item per appealed request, beside the request.

``pk = REQ#<request id>``, ``sk = APPEAL``. While an appeal waits for its answer it carries
``open_pk = APPEAL`` and ``due_at`` (the earlier of the internal target and the legal answer-by
date), which put it in the sparse ``OpenByDue`` index, so the sweeper finds appeals near their
deadline without a scan; answering removes both. Every change is a conditional write: a request
is appealed once, an appeal is answered once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from dsr.storage.dynamo import Repository, count_all, query_all, set_if, write_if
from dsr.storage.keys import key_of, request_item_key

if TYPE_CHECKING:
    pass

APPEAL_PARTITION = "APPEAL"
APPEAL_SK = "APPEAL"
STATEMENT_REMOVED = "(removed with the identity)"


def appeal_key(request_id: str) -> dict[str, str]:
    return request_item_key(request_id, APPEAL_SK)


class AppealExistsError(RuntimeError):
    """The request has been appealed already."""


class AppealStore(Repository):
    def create(self, request_id: str, fields: Mapping[str, Any], due_at: datetime) -> None:
        item = {
            **appeal_key(request_id),
            **fields,
            "open_pk": APPEAL_PARTITION,
            "due_at": due_at.isoformat(),
        }
        if not write_if(self._table.put_item, Item=item, ConditionExpression="attribute_not_exists(sk)"):
            raise AppealExistsError(request_id)

    def get(self, request_id: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key=appeal_key(request_id), ConsistentRead=True).get("Item")
        return dict(item) if item is not None else None

    def decide(self, request_id: str, fields: Mapping[str, Any]) -> bool:
        """Record the one answer; the appeal leaves the index. False if it was answered already."""
        return set_if(
            self._table,
            appeal_key(request_id),
            fields,
            "open_pk = :open",
            remove=["open_pk", "due_at"],
            values={":open": APPEAL_PARTITION},
        )

    def forget_statement(self, request_id: str) -> bool:
        """The subject's own words go when their identity does; False if there is no appeal."""
        return write_if(
            self._table.update_item,
            Key=appeal_key(request_id),
            UpdateExpression="SET statement = :gone",
            ConditionExpression="attribute_exists(sk)",
            ExpressionAttributeValues={":gone": STATEMENT_REMOVED},
        )

    def mark_answer_sent(self, request_id: str, at: datetime) -> None:
        write_if(
            self._table.update_item,
            Key=appeal_key(request_id),
            UpdateExpression="SET answer_sent_at = :at",
            ConditionExpression="attribute_exists(decided_at) AND attribute_not_exists(answer_sent_at)",
            ExpressionAttributeValues={":at": at.isoformat()},
        )

    def extend(self, request_id: str, fields: Mapping[str, Any], due_at: datetime) -> bool:
        """Move an open appeal's answer-by date once; False if it was extended or answered."""
        return set_if(
            self._table,
            appeal_key(request_id),
            fields,
            "open_pk = :open AND attribute_not_exists(extended_at)",
            also_set=["due_at = :due"],
            values={":open": APPEAL_PARTITION, ":due": due_at.isoformat()},
        )

    def open_due_before(self, before: datetime) -> list[dict[str, Any]]:
        """Open appeals whose watch time is before ``before``, earliest first (index, then item)."""
        query: dict[str, Any] = {
            "IndexName": "OpenByDue",
            "KeyConditionExpression": Key("open_pk").eq(APPEAL_PARTITION)
            & Key("due_at").lt(before.isoformat()),
        }
        keys = [key_of(item) for item in query_all(self._table, query)]
        found = (self._table.get_item(Key=key, ConsistentRead=True).get("Item") for key in keys)
        return [dict(item) for item in found if item is not None and item.get("open_pk") == APPEAL_PARTITION]

    def count_open(self) -> int:
        query = {"IndexName": "OpenByDue", "KeyConditionExpression": Key("open_pk").eq(APPEAL_PARTITION)}
        return count_all(self._table, query)
