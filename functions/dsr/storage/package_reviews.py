"""Access packages held for review (``sk = TOKEN#package review``): the workflow's token, the
redactions a reviewer made, and the release. Every change is conditional on the package not
being released yet (``decided_at``), so a redaction cannot slip in after the package was built
from the parts, and one release wins.

While held, the task waits in the ``OpenByDue`` index (partition ``HELD``, due at the request's
legal date), so the console lists the held packages, most urgent first, without a scan.

Each redaction is one entry of the ``redactions`` map, keyed by ``<system>/<record>/<field>``
(``*`` for a whole record): the system, the record's place in its part, the field, the ground and
who made it, never the value.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dsr.storage.dynamo import Repository, write_if
from dsr.storage.keys import request_id_of, task_key
from dsr.storage.tasks import NOT_DECIDED

PACKAGE_REVIEW_STAGE = "package review"
HELD_PARTITION = "HELD"
WHOLE_RECORD = "*"
HELD = f"attribute_exists(sk) AND {NOT_DECIDED}"


def redaction_key(system_id: str, record: int, field: str | None) -> str:
    return f"{system_id}/{record}/{field or WHOLE_RECORD}"


class PackageReviewRepository(Repository):
    def hold_package(self, request_id: str, task_token: str, at: datetime, respond_by: datetime) -> bool:
        """Keep the workflow's token beside any redactions made so far (a redelivered task
        replaces only the token); False once the package was released."""
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, PACKAGE_REVIEW_STAGE),
            UpdateExpression="SET task_token = :token, held_at = if_not_exists(held_at, :at), "
            "redactions = if_not_exists(redactions, :none), open_pk = :held, due_at = :due",
            ConditionExpression=NOT_DECIDED,
            ExpressionAttributeValues={
                ":token": task_token,
                ":at": at.isoformat(),
                ":none": {},
                ":held": HELD_PARTITION,
                ":due": respond_by.isoformat(),
            },
        )

    def held_packages(self) -> list[str]:
        """The requests whose package waits for review, the nearest legal date first."""
        return [request_id_of(key) for key in self._index_keys(HELD_PARTITION)]

    def package_review(self, request_id: str) -> dict[str, Any] | None:
        return self._table.get_item(Key=task_key(request_id, PACKAGE_REVIEW_STAGE), ConsistentRead=True).get(
            "Item"
        )

    def add_redaction(self, request_id: str, redaction: Mapping[str, Any]) -> bool:
        """Record one redaction, once (the same field or record is redacted once), while the
        package is held; False otherwise."""
        key = redaction_key(str(redaction["system_id"]), int(redaction["record"]), redaction.get("field"))
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, PACKAGE_REVIEW_STAGE),
            UpdateExpression="SET redactions.#key = :redaction",
            ConditionExpression=f"{HELD} AND attribute_not_exists(redactions.#key)",
            ExpressionAttributeNames={"#key": key},
            ExpressionAttributeValues={":redaction": dict(redaction)},
        )

    def remove_redaction(self, request_id: str, key: str) -> bool:
        """Take a redaction back while the package is held; False if there was none or it was released."""
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, PACKAGE_REVIEW_STAGE),
            UpdateExpression="REMOVE redactions.#key",
            ConditionExpression=f"{HELD} AND attribute_exists(redactions.#key)",
            ExpressionAttributeNames={"#key": key},
        )

    def release_package(self, request_id: str, released_by: str, at: datetime) -> bool:
        """Release the held package, once; False if it was released before or never held."""
        return write_if(
            self._table.update_item,
            Key=task_key(request_id, PACKAGE_REVIEW_STAGE),
            UpdateExpression="SET decided_at = :at, released_by = :who REMOVE open_pk, due_at",
            ConditionExpression=HELD,
            ExpressionAttributeValues={":at": at.isoformat(), ":who": released_by},
        )

    def package_resumed(self, request_id: str, at: datetime) -> None:
        """The workflow has the release."""
        self._table.update_item(
            Key=task_key(request_id, PACKAGE_REVIEW_STAGE),
            UpdateExpression="SET resumed_at = :at",
            ExpressionAttributeValues={":at": at.isoformat()},
        )

    def package_compiled(self, request_id: str, at: datetime) -> None:
        """The package was built from the parts after the release."""
        self._table.update_item(
            Key=task_key(request_id, PACKAGE_REVIEW_STAGE),
            UpdateExpression="SET compiled_at = :at",
            ExpressionAttributeValues={":at": at.isoformat()},
        )
