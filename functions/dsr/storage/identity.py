"""Records of closed requests: the identity let go when its time comes, the record expired."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from boto3.dynamodb.conditions import Key

from dsr.storage.dynamo import Repository, query_all, write_if
from dsr.storage.keys import key_of, reference_key, request_id_of, request_key, request_pk

REDUCE_PARTITION = "REDUCE"


class IdentityRecords(Repository):
    def schedule_identity_reduction(self, request_id: str, after: datetime) -> None:
        """A closed request joins the sparse index (partition REDUCE) until its identity goes."""
        write_if(  # False: reduced already (a redelivered close)
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="SET open_pk = :reduce, due_at = :after",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(identity_reduced_at)",
            ExpressionAttributeValues={":reduce": REDUCE_PARTITION, ":after": after.isoformat()},
        )

    def identity_reductions_due(self, before: datetime) -> list[str]:
        """Every closed request whose identity is due to go, page after page, earliest first."""
        return [request_id_of(key) for key in self._index_keys(REDUCE_PARTITION, before)]

    def cancel_identity_reduction(self, request_id: str) -> bool:
        """The identity is needed again (a re-run, an appeal); False if none was scheduled."""
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="REMOVE open_pk, due_at",
            ConditionExpression="open_pk = :reduce",
            ExpressionAttributeValues={":reduce": REDUCE_PARTITION},
        )

    def reduce_identity(self, request_id: str, subject: Mapping[str, str], at: datetime) -> bool:
        """Replace the subject with what names nobody and drop the free text; once."""
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression=(
                "SET #subject = :subject, identity_reduced_at = :at "
                "REMOVE #details, corrections, #agent, resolved_account_ids, open_pk, due_at"
            ),
            ConditionExpression="open_pk = :reduce",
            ExpressionAttributeNames={"#subject": "subject", "#details": "details", "#agent": "agent"},
            ExpressionAttributeValues={
                ":subject": dict(subject),
                ":at": at.isoformat(),
                ":reduce": REDUCE_PARTITION,
            },
        )

    def expire_request_items(self, request_id: str, expires_at: int) -> int:
        """Give every item of the request (events, tasks, outcomes) the record's expiry (TTL)."""
        self._table.update_item(
            Key=reference_key(request_id),
            UpdateExpression="SET expires_at = :ttl",
            ExpressionAttributeValues={":ttl": expires_at},
        )
        query = {
            "KeyConditionExpression": Key("pk").eq(request_pk(request_id)),
            "ProjectionExpression": "pk, sk",
        }
        items = query_all(self._table, query)
        for item in items:
            self._table.update_item(
                Key=key_of(item),
                UpdateExpression="SET expires_at = :ttl",
                ExpressionAttributeValues={":ttl": expires_at},
            )
        return len(items)
