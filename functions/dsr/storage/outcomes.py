"""What each system did for a request (``sk = SYS#<system>#<action>``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dsr.models import AuditEvent
from dsr.storage.audit import event_item
from dsr.storage.dynamo import Repository
from dsr.storage.keys import OUTCOME_PREFIX, outcome_key


class SystemOutcomes(Repository):
    def put_system_outcome(
        self, request_id: str, system_id: str, action: str, outcome: Mapping[str, Any], event: AuditEvent
    ) -> None:
        """A system's outcome and its line in the audit trail, in one request: a system task makes
        one write call for both (BatchWriteItem; what DynamoDB leaves unprocessed is sent again)."""
        with self._table.batch_writer() as batch:
            batch.put_item(Item={**outcome_key(request_id, system_id, action), **outcome})
            batch.put_item(Item=event_item(event))

    def system_outcomes(self, request_id: str) -> list[dict[str, Any]]:
        return self._query_prefix(request_id, OUTCOME_PREFIX)
