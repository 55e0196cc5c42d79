"""Waiting tasks (``sk = TOKEN#<stage>``): a Step Functions token waiting for a person, and what
that person did about it. Every change is a named, conditional operation: one caller wins.

The models here do not postpone their annotations (see ``dsr.core.desk_model``).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ConfigDict

from dsr.core.desk_model import DeskModel
from dsr.storage.dynamo import AlreadyExistsError, Repository, update_assignments, write_if
from dsr.storage.keys import request_id_of, stage_of, task_key

WINDOW_PARTITION = "WINDOW"
NOT_DECIDED = "attribute_not_exists(decided_at)"


class CodeTask(DeskModel):
    """A waiting task answered with a code sent to the subject (verification, a download): what
    checking a code reads of it, typed."""

    model_config = ConfigDict(frozen=True)

    task_token: str | None = None
    level: str | None = None
    code_mac: str | None = None
    code_expires_at: datetime | None = None
    attempts: int = 0
    lifetime_attempts: int = 0
    data_points_required: int = 0
    data_point_failures: int = 0
    decided_at: datetime | None = None
    used_at: datetime | None = None

    def expired(self, now: datetime) -> bool:
        return self.code_expires_at is None or self.code_expires_at <= now


class TaskRepository(Repository):
    def put_task(
        self,
        request_id: str,
        stage: str,
        fields: Mapping[str, Any],
        *,
        window_ends_at: datetime | None = None,
    ) -> None:
        """Store a waiting task; a redelivered invocation replaces a task nobody has acted on. A
        task with a window waits in the index until then (``windows_ended_before``)."""
        window = (
            {}
            if window_ends_at is None
            else {"open_pk": WINDOW_PARTITION, "due_at": window_ends_at.isoformat()}
        )
        if not write_if(
            self._table.put_item,
            Item={**task_key(request_id, stage), **fields, **window},
            ConditionExpression=f"attribute_not_exists(sk) OR {NOT_DECIDED}",
        ):
            raise AlreadyExistsError(f"{request_id} {stage}")

    def get_task(self, request_id: str, stage: str) -> dict[str, Any] | None:
        return self._table.get_item(Key=task_key(request_id, stage), ConsistentRead=True).get("Item")

    def code_task(self, request_id: str, stage: str) -> CodeTask | None:
        """The task as checking a code reads it; None if there is no such task."""
        item = self.get_task(request_id, stage)
        return None if item is None else CodeTask.model_validate(item)

    def claim_task(self, request_id: str, stage: str, at: datetime, **recorded: str) -> bool:
        """Decide the task once (``decided_at``), recording ``recorded`` beside it (who decided,
        what); False if it was decided before or there is no such task."""
        sets, names, values = update_assignments({"decided_at": at.isoformat(), **recorded})
        return self._change(request_id, stage, "SET " + ", ".join(sets), NOT_DECIDED, values, names=names)

    def claim_with_assertion(self, request_id: str, stage: str, fingerprint: str, at: datetime) -> bool:
        """Decide the task with a signed assertion, once: the same assertion never decides twice."""
        return self._change(
            request_id,
            stage,
            "SET decided_at = :now, assertion_fingerprint = :fp",
            f"{NOT_DECIDED} AND attribute_not_exists(assertion_fingerprint)",
            {":now": at.isoformat(), ":fp": fingerprint},
        )

    def record_triage(
        self, request_id: str, stage: str, *, by: str, recommendation: str, note: str, at: datetime
    ) -> bool:
        """A first reading's recommendation, once, while nobody has decided."""
        return self._change(
            request_id,
            stage,
            "SET triaged_at = :now, triaged_by = :who, recommendation = :recommendation, triage_note = :note",
            f"attribute_not_exists(triaged_at) AND {NOT_DECIDED}",
            {":now": at.isoformat(), ":who": by, ":recommendation": recommendation, ":note": note},
        )

    def count_attempt(
        self, request_id: str, stage: str, max_attempts: int, max_lifetime_attempts: int
    ) -> bool:
        """Count one try against the code's attempts and the task's lifetime attempts; False when
        either is used up, the task is decided, or there is no task."""
        return self._change(
            request_id,
            stage,
            "SET attempts = attempts + :one, "
            "lifetime_attempts = if_not_exists(lifetime_attempts, :zero) + :one",
            f"attempts < :max AND {NOT_DECIDED} "
            "AND (attribute_not_exists(lifetime_attempts) OR lifetime_attempts < :lifetime)",
            {":one": 1, ":zero": 0, ":max": max_attempts, ":lifetime": max_lifetime_attempts},
        )

    def count_code_use_attempt(self, request_id: str, stage: str, max_attempts: int) -> bool:
        """Count one try at a code that is used up once right (not decided): False when the
        tries are used up, the code was used, or there is no task."""
        return self._change(
            request_id,
            stage,
            "SET attempts = attempts + :one",
            "attempts < :max AND attribute_not_exists(used_at)",
            {":one": 1, ":max": max_attempts},
        )

    def use_code(self, request_id: str, stage: str, code_mac: str, at: datetime) -> bool:
        """Use the code up, once; a code replaced meanwhile by a fresh one is not used up."""
        return self._change(
            request_id,
            stage,
            "SET used_at = :now",
            "attribute_not_exists(used_at) AND code_mac = :mac",
            {":now": at.isoformat(), ":mac": code_mac},
        )

    def count_data_point_failure(self, request_id: str, stage: str) -> bool:
        return self._change(
            request_id,
            stage,
            "SET data_point_failures = data_point_failures + :one",
            "attribute_exists(sk)",
            {":one": 1},
        )

    def renew_code(self, request_id: str, stage: str, code_mac: str, code_expires_at: str) -> bool:
        """A fresh code, its tries counted from zero; False once the task is decided."""
        return self._change(
            request_id,
            stage,
            "SET code_mac = :mac, code_expires_at = :expires, attempts = :zero",
            NOT_DECIDED,
            {":mac": code_mac, ":expires": code_expires_at, ":zero": 0},
        )

    def attach_subject_request(self, request_id: str, stage: str, subject_request_id: str) -> bool:
        """The processor's subject request id, on a hand-off nobody has answered."""
        return self._change(
            request_id, stage, "SET subject_request_id = :id", NOT_DECIDED, {":id": subject_request_id}
        )

    def decide_hand_off(
        self, request_id: str, stage: str, answer: Mapping[str, Any], decided_by: str, at: datetime
    ) -> bool:
        """Record the one answer to a handed-off task; False if it had been answered already (a
        replayed callback, a second confirmation). The task stays in the index, due now, until
        ``hand_off_resumed``: a sweep finishes an answer whose resume was interrupted."""
        sets, names, values = update_assignments(answer)
        return self._change(
            request_id,
            stage,
            "SET " + ", ".join(["decided_at = :at", "decided_by = :who", "due_at = :at", *sets]),
            NOT_DECIDED,
            {":at": at.isoformat(), ":who": decided_by, **values},
            names=names,
        )

    def hand_off_resumed(self, request_id: str, stage: str, at: datetime) -> None:
        """The workflow has the answer: the task leaves the waiting index."""
        self._change(
            request_id,
            stage,
            "SET resumed_at = :at REMOVE open_pk, due_at",
            "attribute_exists(decided_at)",
            {":at": at.isoformat()},
        )

    def windows_ended_before(self, before: datetime) -> list[tuple[str, str]]:
        """(request id, stage) of the tasks whose window ended before ``before``."""
        return [(request_id_of(key), stage_of(key)) for key in self._index_keys(WINDOW_PARTITION, before)]

    def forget_window(self, request_id: str, stage: str) -> None:
        self._table.update_item(Key=task_key(request_id, stage), UpdateExpression="REMOVE open_pk, due_at")

    def _change(
        self,
        request_id: str,
        stage: str,
        update: str,
        condition: str,
        values: Mapping[str, Any],
        *,
        names: Mapping[str, str] | None = None,
    ) -> bool:
        """A conditional change to an existing task; False when the condition does not hold."""
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, stage),
            UpdateExpression=update,
            ConditionExpression=f"attribute_exists(sk) AND ({condition})",
            ExpressionAttributeValues=dict(values),
            **({"ExpressionAttributeNames": dict(names)} if names else {}),
        )
