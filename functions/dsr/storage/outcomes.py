"""What each system did for a request (``sk = SYS#<system>#<action>``).

The models here do not postpone their annotations (see ``dsr.core.desk_model``).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from dsr.core.desk_model import DeskModel
from dsr.core.models import AuditEvent
from dsr.storage.audit import event_item
from dsr.storage.dynamo import Repository, write_if
from dsr.storage.keys import OUTCOME_PREFIX, outcome_key, system_and_action


class StoredOutcome(DeskModel):
    """One system's outcome for one action, as stored: the system and action named, not left
    in the sort key; ``fields`` is everything the outcome recorded (status, counts, notes)."""

    model_config = ConfigDict(frozen=True)

    system_id: str
    action: str
    status: str
    records: int | None = None
    fields: dict[str, Any]

    def get(self, name: str) -> Any:
        """A recorded field, or None."""
        return self.fields.get(name)


class SystemOutcomes(Repository):
    def put_system_outcome(
        self, request_id: str, system_id: str, action: str, outcome: Mapping[str, Any], event: AuditEvent
    ) -> None:
        """A system's outcome and its line in the audit trail, in one request: a system task makes
        one write call for both (BatchWriteItem; what DynamoDB leaves unprocessed is sent again)."""
        with self._table.batch_writer() as batch:
            batch.put_item(Item={**outcome_key(request_id, system_id, action), **outcome})
            batch.put_item(Item=event_item(event))

    def note_reminder(self, request_id: str, system_id: str, action: str, at: datetime) -> bool:
        """One more reminder to whoever a waiting task waits on, and when, on its outcome; False
        (nothing written) once the outcome is no longer waiting."""
        return write_if(
            self._table.update_item,
            Key=outcome_key(request_id, system_id, action),
            UpdateExpression="SET last_reminded_at = :at ADD reminders_sent :one",
            ConditionExpression="#status = :waiting",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":one": 1, ":at": at.isoformat(), ":waiting": "waiting"},
        )

    def system_outcome(self, request_id: str, system_id: str, action: str) -> StoredOutcome | None:
        """One system's outcome for one action, as last recorded; None if none was."""
        key = outcome_key(request_id, system_id, action)
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        return _outcome(item) if item else None

    def system_outcomes(self, request_id: str) -> list[StoredOutcome]:
        """The request's outcomes, by system and then action."""
        return [_outcome(item) for item in self._query_prefix(request_id, OUTCOME_PREFIX)]


def _outcome(item: Mapping[str, Any]) -> StoredOutcome:
    system_id, action = system_and_action(item)
    records = item.get("records")
    return StoredOutcome(
        system_id=system_id,
        action=action,
        status=str(item.get("status", "")),
        records=int(records) if records is not None else None,
        fields={name: value for name, value in item.items() if name not in {"pk", "sk"}},
    )
