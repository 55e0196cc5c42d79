"""Requests found through the indexes: open ones by due time, unstarted ones, by subject, by month."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from dsr.core.models import PrivacyRequest
from dsr.storage.dynamo import batch_get, count_all, query_all
from dsr.storage.keys import request_id_of, request_key, unstarted_key
from dsr.storage.requests import OPEN_PARTITION, RequestRepository

UNSTARTED_PARTITION = "UNSTARTED"


class RequestIndex(RequestRepository):
    def open_requests_due_before(self, before: datetime, limit: int | None = None) -> list[dict[str, Any]]:
        """The stored items of open requests whose watch time (``due_at``) is before ``before``,
        earliest first, with the deadline fields the model leaves out. Found through the sparse
        index alone, page after page (at most ``limit`` if given), so a closed request is never
        read; one that closed since the index was read is left out."""
        return self._open_items(before, limit)

    def count_open_requests(self) -> int:
        """How many requests are open: a COUNT over the index's open partition (no item is read)."""
        query = {"IndexName": "OpenByDue", "KeyConditionExpression": Key("open_pk").eq(OPEN_PARTITION)}
        return count_all(self._table, query)

    def open_requests(self, limit: int | None = None) -> list[PrivacyRequest]:
        """Every open request (or the ``limit`` due first), earliest due first."""
        return [PrivacyRequest.model_validate(item) for item in self._open_items(None, limit)]

    def _open_items(self, before: datetime | None, limit: int | None) -> list[dict[str, Any]]:
        """The index's keys page after page, then the items a hundred at a time, in due order."""
        keys = self._index_keys(OPEN_PARTITION, before, limit)
        items = batch_get(self._table, [request_key(request_id_of(key)) for key in keys])
        return [
            items[key["pk"]]
            for key in keys
            if key["pk"] in items and items[key["pk"]].get("open_pk") == OPEN_PARTITION
        ]

    def mark_unstarted(self, request_id: str, received_at: datetime) -> None:
        """Before a new request is written: the sweeper's way to find it if its start fails."""
        self._table.put_item(
            Item={
                **unstarted_key(request_id),
                "open_pk": UNSTARTED_PARTITION,
                "due_at": received_at.isoformat(),
            }
        )

    def mark_started(self, request_id: str, at: datetime) -> bool:
        """The request's execution has started: recorded once (False if it had been), and the
        request leaves the sweeper's list of unstarted ones."""
        first = self.claim_once(request_id, "workflow_started_at", at)
        self.forget_unstarted(request_id)
        return first

    def forget_unstarted(self, request_id: str) -> None:
        self._table.delete_item(Key=unstarted_key(request_id))

    def unstarted_before(self, before: datetime) -> list[tuple[str, PrivacyRequest | None]]:
        """Requests received before ``before`` whose start was not recorded, with the request
        (None where the submission failed before the request was written)."""
        keys = self._index_keys(UNSTARTED_PARTITION, before)
        items = batch_get(self._table, [request_key(request_id_of(key)) for key in keys])
        return [
            (
                request_id_of(key),
                PrivacyRequest.model_validate(items[key["pk"]]) if key["pk"] in items else None,
            )
            for key in keys
        ]

    def requests_of_subject(self, subject_hash: str) -> list[str]:
        query = {"IndexName": "BySubject", "KeyConditionExpression": Key("subject_hash").eq(subject_hash)}
        return [request_id_of(item) for item in query_all(self._table, query)]

    def requests_received_in(self, month: str) -> list[dict[str, Any]]:
        """The requests received in ``month`` ("YYYY-MM"), in the order received, as the
        ``ByReceivedMonth`` index projects them: ids, types, status, jurisdiction and dates, no
        identity. Page after page; never a Scan."""
        query = {"IndexName": "ByReceivedMonth", "KeyConditionExpression": Key("received_month").eq(month)}
        return query_all(self._table, query)
