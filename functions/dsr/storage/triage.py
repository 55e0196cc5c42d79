"""Triage: mail that did not become a request, waiting for staff in the open index."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dsr.storage.dynamo import Repository, write_if
from dsr.storage.keys import triage_key

TRIAGE_PARTITION = "TRIAGE"


class TriageRepository(Repository):
    def put_triage(self, triage_id: str, fields: Mapping[str, Any], *, needs_staff: bool) -> bool:
        """Record a triage item; False if it was recorded before (a redelivery). Items that
        need staff stay in the open index (partition TRIAGE) until someone resolves them."""
        item: dict[str, Any] = {**triage_key(triage_id), "triage_id": triage_id, **fields}
        if needs_staff:
            item["open_pk"] = TRIAGE_PARTITION
            item["due_at"] = str(fields.get("at", ""))
        return write_if(self._table.put_item, Item=item, ConditionExpression="attribute_not_exists(pk)")

    def open_triage(self) -> list[dict[str, Any]]:
        """Every triage item waiting for staff, oldest first, from the open index page after page."""
        return self._items_at(self._index_keys(TRIAGE_PARTITION))

    def resolve_triage(self, triage_id: str, resolved_by: str, note: str, at: datetime) -> bool:
        """Take the item out of the open index; False if it was not open (resolved already)."""
        return write_if(
            self._table.update_item,
            Key=triage_key(triage_id),
            UpdateExpression=(
                "SET resolved_by = :who, resolution = :note, resolved_at = :at REMOVE open_pk, due_at"
            ),
            ConditionExpression="attribute_exists(open_pk)",
            ExpressionAttributeValues={":who": resolved_by, ":note": note, ":at": at.isoformat()},
        )
