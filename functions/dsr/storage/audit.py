"""The audit trail (``sk = EVT#<epoch ms>#<uuid>``): append-only."""

from __future__ import annotations

import uuid
from typing import Any

from dsr.core.models import AuditEvent
from dsr.storage.dynamo import Repository, write_if
from dsr.storage.keys import EVENT_PREFIX, request_item_key


class AuditTrail(Repository):
    def append_event(self, event: AuditEvent) -> None:
        self._table.put_item(Item=event_item(event), ConditionExpression="attribute_not_exists(sk)")

    def write_nothing(self, request_id: str) -> None:
        """A write that cannot succeed, as costly as appending a line to a request's trail: what a
        path answering for a request that does not exist does instead, so it takes as long."""
        write_if(
            self._table.put_item,
            Item=request_item_key(request_id, f"{EVENT_PREFIX}0#stand-in"),
            ConditionExpression="attribute_exists(sk)",
        )

    def events(self, request_id: str) -> list[AuditEvent]:
        items = self._query_prefix(request_id, EVENT_PREFIX)
        return [AuditEvent.model_validate(item) for item in items]


def event_item(event: AuditEvent) -> dict[str, Any]:
    millis = int(event.at.timestamp() * 1000)
    return {
        **request_item_key(event.request_id, f"{EVENT_PREFIX}{millis:015d}#{uuid.uuid4()}"),
        **event.model_dump(mode="json"),
    }
