"""Tasks handed to a processor, vendor or customer (``sk = TOKEN#HANDOFF#<system>#<action>``),
waiting in the open index until answered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from botocore.exceptions import ClientError

from dsr.storage.dynamo import AlreadyExistsError, Repository, is_conditional_failure, write_if
from dsr.storage.keys import task_key

HAND_OFF_PARTITION = "HANDOFF"


class DueHandOff(NamedTuple):
    """A hand-off whose time has come: unanswered by ``answer_by``, or answered (``answered``)
    but not yet resumed."""

    request_id: str
    system_id: str
    action: str
    answer_by: datetime
    answered: bool
    waiting_on: str | None

    @classmethod
    def of(cls, item: Mapping[str, Any]) -> DueHandOff:
        waiting_on = item.get("waiting_on")
        return cls(
            request_id=str(item["request_id"]),
            system_id=str(item["system_id"]),
            action=str(item["action"]),
            answer_by=datetime.fromisoformat(str(item["answer_by"])),
            answered=bool(item.get("decided_at")),
            waiting_on=None if waiting_on is None else str(waiting_on),
        )


class HandOffRepository(Repository):
    def put_hand_off(self, request_id: str, stage: str, fields: Mapping[str, Any]) -> None:
        """Store a task handed to someone else, waiting in the index until answered. A retried
        invocation replaces one nobody answered; a re-run replaces one that ended failed. It is
        due at ``due_at`` (its first reminder), or else at ``answer_by``."""
        item = {
            **task_key(request_id, stage),
            **fields,
            "open_pk": HAND_OFF_PARTITION,
            "due_at": fields.get("due_at", fields["answer_by"]),
        }
        if not write_if(
            self._table.put_item,
            Item=item,
            ConditionExpression="attribute_not_exists(sk) OR attribute_not_exists(decided_at) "
            "OR answer = :failed",
            ExpressionAttributeValues={":failed": "failed"},
        ):
            raise AlreadyExistsError(f"{request_id} {stage}")

    def hand_offs_due_before(self, before: datetime) -> list[DueHandOff]:
        """Every hand-off due before ``before`` (unanswered, or answered but not resumed), page
        after page, earliest first."""
        return [DueHandOff.of(item) for item in self._items_at(self._index_keys(HAND_OFF_PARTITION, before))]

    def keep_link(self, request_id: str, stage: str, holder: str, secret_hash: str) -> bool:
        """Keep the hash of the secret of ``holder``'s answer link on a waiting task (the secret
        itself is never stored); False when no task waits there."""
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, stage),
            UpdateExpression="SET links.#holder = :hash",
            ConditionExpression="attribute_exists(sk) AND attribute_exists(links)",
            ExpressionAttributeNames={"#holder": holder},
            ExpressionAttributeValues={":hash": secret_hash},
        )

    def record_holder_answer(
        self, request_id: str, stage: str, holder: str, answer: Mapping[str, Any]
    ) -> Mapping[str, Any] | None:
        """One holder's answer to a task several were asked (each customer told), kept once and
        only while the task waits: the task as it is after this answer, or None when the holder
        had answered already or the task was decided meanwhile."""
        try:
            changed = self._table.update_item(
                Key=task_key(request_id, stage),
                UpdateExpression="SET holder_answers.#holder = :answer",
                ConditionExpression="attribute_exists(links.#holder) AND attribute_not_exists(decided_at) "
                "AND attribute_not_exists(holder_answers.#holder)",
                ExpressionAttributeNames={"#holder": holder},
                ExpressionAttributeValues={":answer": dict(answer)},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if is_conditional_failure(error):
                return None
            raise
        return changed.get("Attributes") or {}

    def hand_off_due_at(self, request_id: str, stage: str, due_at: datetime) -> bool:
        """When the sweeper next looks at a hand-off nobody has answered (its next reminder, its
        answer-by time, or its next alert while it holds the request open); False once answered."""
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, stage),
            UpdateExpression="SET due_at = :due",
            ConditionExpression="attribute_exists(sk) AND attribute_not_exists(decided_at)",
            ExpressionAttributeValues={":due": due_at.isoformat()},
        )
