"""Per subject: the claim of one open request per request type, and the suppression list
(erased or opted-out people must not be re-added by an import)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dsr.storage.dynamo import Repository, write_if
from dsr.storage.keys import subject_claim_key, suppression_key


class SubjectRecords(Repository):
    def claim_subject_type(self, subject_hash: str, request_type: str, request_id: str) -> str | None:
        """Claim a (subject, request type) pair for an open request. ``None`` when the claim is
        now ours; otherwise the id of the request that holds it."""
        key = subject_claim_key(subject_hash, request_type)
        if write_if(
            self._table.put_item,
            Item={**key, "request_id": request_id},
            ConditionExpression="attribute_not_exists(pk)",
        ):
            return None
        holder = self._table.get_item(Key=key, ConsistentRead=True).get("Item", {})
        return str(holder.get("request_id", "")) or None

    def take_over_claim(
        self, subject_hash: str, request_type: str, stale_holder: str, request_id: str
    ) -> bool:
        """Take a claim whose holder has closed (or never got recorded); one taker wins."""
        return write_if(
            self._table.update_item,
            Key=subject_claim_key(subject_hash, request_type),
            UpdateExpression="SET request_id = :new",
            ConditionExpression="request_id = :old",
            ExpressionAttributeValues={":new": request_id, ":old": stale_holder},
        )

    def release_claims(self, subject_hash: str, request_types: Iterable[str], request_id: str) -> None:
        """Give up this request's claims; a claim another request holds is left alone."""
        for request_type in request_types:
            write_if(  # a claim another request holds stays
                self._table.delete_item,
                Key=subject_claim_key(subject_hash, request_type),
                ConditionExpression="request_id = :mine",
                ExpressionAttributeValues={":mine": request_id},
            )

    def suppress(self, subject_hash: str, reason: str, request_id: str, at: datetime) -> None:
        self._table.update_item(
            Key=suppression_key(subject_hash),
            UpdateExpression="ADD reasons :reason SET last_request_id = :rid, updated_at = :at",
            ExpressionAttributeValues={":reason": {reason}, ":rid": request_id, ":at": at.isoformat()},
        )

    def suppression_reasons(self, subject_hash: str) -> set[str]:
        item = self._table.get_item(Key=suppression_key(subject_hash)).get("Item") or {}
        reasons = item.get("reasons")
        return {str(reason) for reason in reasons} if isinstance(reasons, set) else set()
