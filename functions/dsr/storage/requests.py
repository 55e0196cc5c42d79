"""The request item (``sk = REQUEST``), its short reference and its one-off steps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from dsr.core.models import PrivacyRequest, RequestForSystems, Status
from dsr.core.refusals import NoSuchItemError, StateConflictError
from dsr.storage.dynamo import AlreadyExistsError, Repository, query_all, set_if, write_if
from dsr.storage.keys import reference_key, reference_pk, request_key, step_key

OPEN_PARTITION = "OPEN"
FULL_ID_LENGTH = 36


class RequestNotFoundError(LookupError, NoSuchItemError):
    """No request has that id."""

    def __init__(self, request_id: str) -> None:
        self.request_id = request_id
        super().__init__(f"no request {request_id}")


class AmbiguousReferenceError(LookupError, StateConflictError):
    """A short reference that more than one request starts with: only the full id names one."""

    def __init__(self, reference: str, request_ids: Iterable[str]) -> None:
        self.reference = reference
        self.request_ids = sorted(request_ids)
        super().__init__(
            f"{reference} is the reference of {len(self.request_ids)} requests "
            f"({', '.join(self.request_ids)}): give the full request id"
        )

    @property
    def details(self) -> dict[str, Any]:
        return {"request_ids": self.request_ids}


class TransitionRejectedError(RuntimeError):
    """The request was not in a state that allows the change (somebody else got there first)."""

    def __init__(self, request_id: str, allowed_from: Iterable[Status], target: Status) -> None:
        self.request_id = request_id
        self.allowed_from = tuple(allowed_from)
        self.target = target
        super().__init__(
            f"request {request_id} cannot move to {target}: not in {', '.join(self.allowed_from)}"
        )


class RequestRepository(Repository):
    def create(self, request: PrivacyRequest) -> None:
        item: dict[str, Any] = {
            **request_key(request.request_id),
            **request.model_dump(mode="json", exclude_none=True),
        }
        item["received_month"] = str(item["received_at"])[:7]  # "YYYY-MM" (UTC): the ByReceivedMonth index
        if request.status.is_open:
            item["open_pk"] = OPEN_PARTITION
            item["due_at"] = (request.watch_at or request.respond_by).isoformat()
        # The reference first: a retry after a failure below finds the request already referenced.
        self._table.put_item(Item={**reference_key(request.request_id), "request_id": request.request_id})
        if not write_if(self._table.put_item, Item=item, ConditionExpression="attribute_not_exists(pk)"):
            raise AlreadyExistsError(request.request_id)

    def get(self, request_id: str) -> PrivacyRequest:
        item = self._table.get_item(Key=request_key(request_id), ConsistentRead=True).get("Item")
        if item is None:
            raise RequestNotFoundError(request_id)
        return PrivacyRequest.model_validate(item)

    def find(self, request_id: str) -> PrivacyRequest | None:
        try:
            return self.get(request_id)
        except RequestNotFoundError:
            return None

    def resolve(self, id_or_reference: str) -> str:
        """The full id of the one request named by its id or its short reference; a reference
        that several requests share is refused (``AmbiguousReferenceError``), never guessed."""
        if len(id_or_reference) == FULL_ID_LENGTH:
            return id_or_reference
        found = query_all(
            self._table,
            {"KeyConditionExpression": Key("pk").eq(reference_pk(id_or_reference)), "ConsistentRead": True},
        )
        request_ids = [str(item["request_id"]) for item in found]
        existing = [request_id for request_id in request_ids if self.find(request_id) is not None]
        if not existing:
            raise RequestNotFoundError(id_or_reference)
        if len(existing) > 1:
            raise AmbiguousReferenceError(id_or_reference, existing)
        return existing[0]

    def get_for_systems(self, request_id: str) -> RequestForSystems:
        """Only what a system task needs of the request (``RequestForSystems``), read by a
        projection: the rest of the record stays in the table."""
        names = {f"#a{index}": name for index, name in enumerate(RequestForSystems.model_fields)}
        item = self._table.get_item(
            Key=request_key(request_id),
            ConsistentRead=True,
            ProjectionExpression=", ".join(names),
            ExpressionAttributeNames=names,
        ).get("Item")
        if item is None:
            raise RequestNotFoundError(request_id)
        return RequestForSystems.model_validate(item)

    def transition(
        self,
        request_id: str,
        allowed_from: Iterable[Status],
        target: Status,
        updates: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
    ) -> PrivacyRequest:
        """Move the request to ``target`` only if it is now in one of ``allowed_from``, setting
        ``updates`` and removing the fields named in ``remove`` in the same write."""
        allowed = list(allowed_from)
        names = {"#status": "status"}
        values: dict[str, Any] = {":target": target.value}
        sets = ["#status = :target"]
        for index, (field, value) in enumerate((updates or {}).items()):
            names[f"#f{index}"] = field
            values[f":v{index}"] = value
            sets.append(f"#f{index} = :v{index}")
        placeholders = []
        for index, status in enumerate(allowed):
            values[f":from{index}"] = status.value
            placeholders.append(f":from{index}")
        names.update({f"#r{index}": field for index, field in enumerate(remove)})
        removed = [name for name in names if name.startswith("#r")]
        if target.is_open:  # (back) in the sparse index of open requests, due at its watch time
            values[":open"] = OPEN_PARTITION
            due = ":due" if updates and "watch_at" in updates else "if_not_exists(watch_at, respond_by)"
            if due == ":due":
                values[":due"] = (updates or {})["watch_at"]
            sets += ["open_pk = :open", f"due_at = {due}"]
        else:
            removed += ["open_pk", "due_at"]
        expression = "SET " + ", ".join(sets)
        if removed:
            expression += " REMOVE " + ", ".join(removed)
        changed: dict[str, Any] = {}
        if not write_if(
            lambda **arguments: changed.update(self._table.update_item(**arguments)["Attributes"]),
            Key=request_key(request_id),
            UpdateExpression=expression,
            ConditionExpression=f"attribute_exists(pk) AND #status IN ({','.join(placeholders)})",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        ):
            raise TransitionRejectedError(request_id, allowed, target)
        return PrivacyRequest.model_validate(changed)

    def get_item_fields(self, request_id: str) -> dict[str, Any]:
        """The request item as stored, with the bookkeeping fields the model leaves out."""
        item = self._table.get_item(Key=request_key(request_id), ConsistentRead=True).get("Item")
        if item is None:
            raise RequestNotFoundError(request_id)
        return dict(item)

    def remove_fields(self, request_id: str, names: Iterable[str]) -> None:
        names = list(names)
        self._table.update_item(
            Key=request_key(request_id),
            UpdateExpression="REMOVE " + ", ".join(f"#r{i}" for i in range(len(names))),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={f"#r{i}": name for i, name in enumerate(names)},
        )

    def set_fields(self, request_id: str, fields: Mapping[str, Any]) -> None:
        if not set_if(self._table, request_key(request_id), fields, "attribute_exists(pk)"):
            raise RequestNotFoundError(request_id)

    def assign(self, request_id: str, assignee: str, by: str, at: datetime) -> bool:
        """Give an open request to ``assignee`` (in place of whoever had it); False if it is closed."""
        fields = {"assigned_to": assignee, "assigned_by": by, "assigned_at": at.isoformat()}
        return set_if(
            self._table, request_key(request_id), fields, "open_pk = :open", values={":open": OPEN_PARTITION}
        )

    def record_extension(self, request_id: str, fields: Mapping[str, str]) -> bool:
        """Extend an open request once: the new date, the reason and who; the index follows the new
        date. False if it was extended or closed meanwhile."""
        return self._move_dates(request_id, fields, "attribute_not_exists(extended_at)")

    def pause_clock(self, request_id: str, at: datetime) -> bool:
        """Stop an open request's clock; False if it was stopped already or the request closed."""
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="SET paused_at = :at",
            ConditionExpression="open_pk = :open AND attribute_not_exists(paused_at)",
            ExpressionAttributeValues={":at": at.isoformat(), ":open": OPEN_PARTITION},
        )

    def resume_clock(self, request_id: str, paused_days: int, dates: Mapping[str, str]) -> bool:
        """Start the clock again with the recomputed dates; False if it was not paused."""
        fields = {**dates, "paused_days": paused_days}
        return self._move_dates(request_id, fields, "attribute_exists(paused_at)", remove=("paused_at",))

    def _move_dates(
        self, request_id: str, fields: Mapping[str, Any], condition: str, remove: Iterable[str] = ()
    ) -> bool:
        """Set an open request's new dates, with the index at its new watch time, if ``condition``."""
        return set_if(
            self._table,
            request_key(request_id),
            fields,
            f"open_pk = :open AND {condition}",
            also_set=["due_at = :due"],
            remove=remove,
            values={":due": fields["watch_at"], ":open": OPEN_PARTITION},
        )

    def claim_once(self, request_id: str, marker: str, at: datetime) -> bool:
        """Record that a one-off step (an email, say) happened; False if it already had."""
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="SET #m = :at",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(#m)",
            ExpressionAttributeNames={"#m": marker},
            ExpressionAttributeValues={":at": at.isoformat()},
        )

    def claim_step(self, request_id: str, step: str, at: datetime) -> bool:
        """Record a one-off step of the request on its own item (an email to a vendor, say);
        False if it was recorded before."""
        return write_if(
            self._table.put_item,
            Item={**step_key(request_id, step), "at": at.isoformat()},
            ConditionExpression="attribute_not_exists(sk)",
        )

    def release_step(self, request_id: str, step: str) -> None:
        """Forget a step claimed before it was done, because doing it failed: it can be claimed again."""
        self._table.delete_item(Key=step_key(request_id, step))

    def has_step(self, request_id: str, step: str) -> bool:
        return "Item" in self._table.get_item(Key=step_key(request_id, step), ConsistentRead=True)
