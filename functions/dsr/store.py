"""The requests table: one item per request, plus its audit trail, task tokens and system outcomes.

Layout (single table, partition key ``pk`` = ``REQ#<request id>``):

* ``sk = REQUEST``: the request itself. While it is open it carries ``open_pk`` and
  ``due_at``, which put it in the sparse ``OpenByDue`` index; closing removes both.
* ``sk = EVT#<epoch ms>#<uuid>``: append-only audit events.
* ``sk = TOKEN#<stage>``: a Step Functions task token waiting for a person, never sent out.
* ``sk = SYS#<system>#<action>``: what one system did for the request.

Every decision is a conditional write, so two callers racing cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from dsr.models import AuditEvent, PrivacyRequest, Status

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

OPEN_PARTITION = "OPEN"
TRIAGE_PARTITION = "TRIAGE"
SENT_MAIL_MEMORY_SECONDS = 400 * 24 * 3600  # replies can come long after; TTL removes the rest
REQUEST_SK = "REQUEST"


class RequestNotFoundError(LookupError):
    """No request has that id."""


class TransitionRejectedError(RuntimeError):
    """The request was not in a state that allows the change (somebody else got there first)."""

    def __init__(self, request_id: str, allowed_from: Iterable[Status], target: Status) -> None:
        self.request_id = request_id
        self.allowed_from = tuple(allowed_from)
        self.target = target
        super().__init__(
            f"request {request_id} cannot move to {target}: not in {', '.join(self.allowed_from)}"
        )


class AlreadyExistsError(RuntimeError):
    """The item was written before (a redelivery or a race)."""


def request_key(request_id: str) -> dict[str, str]:
    return {"pk": f"REQ#{request_id}", "sk": REQUEST_SK}


def _is_conditional_failure(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class RequestStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    # --- the request item ------------------------------------------------------------------

    def create(self, request: PrivacyRequest) -> None:
        item: dict[str, Any] = {
            **request_key(request.request_id),
            **request.model_dump(mode="json", exclude_none=True),
        }
        if request.status.is_open:
            item["open_pk"] = OPEN_PARTITION
            item["due_at"] = request.respond_by.isoformat()
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if _is_conditional_failure(error):
                raise AlreadyExistsError(request.request_id) from error
            raise

    def get(self, request_id: str) -> PrivacyRequest:
        item = self._table.get_item(Key=request_key(request_id), ConsistentRead=True).get("Item")
        if item is None:
            raise RequestNotFoundError(request_id)
        return PrivacyRequest.model_validate(item)

    def transition(
        self,
        request_id: str,
        allowed_from: Iterable[Status],
        target: Status,
        updates: Mapping[str, Any] | None = None,
    ) -> PrivacyRequest:
        """Move the request to ``target`` only if it is now in one of ``allowed_from``."""
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
        if target.is_open:  # (back) in the sparse index of open requests, due at respond_by
            values[":open"] = OPEN_PARTITION
            sets += ["open_pk = :open", "due_at = respond_by"]
        expression = "SET " + ", ".join(sets)
        if not target.is_open:
            expression += " REMOVE open_pk, due_at"
        try:
            result = self._table.update_item(
                Key=request_key(request_id),
                UpdateExpression=expression,
                ConditionExpression=f"attribute_exists(pk) AND #status IN ({','.join(placeholders)})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise TransitionRejectedError(request_id, allowed, target) from error
            raise
        return PrivacyRequest.model_validate(result["Attributes"])

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
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": value for i, value in enumerate(fields.values())}
        sets = ", ".join(f"#f{i} = :v{i}" for i in range(len(fields)))
        self._table.update_item(
            Key=request_key(request_id),
            UpdateExpression=f"SET {sets}",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def claim_once(self, request_id: str, marker: str, at: datetime) -> bool:
        """Record that a one-off step (an email, say) happened; False if it already had."""
        try:
            self._table.update_item(
                Key=request_key(request_id),
                UpdateExpression="SET #m = :at",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(#m)",
                ExpressionAttributeNames={"#m": marker},
                ExpressionAttributeValues={":at": at.isoformat()},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def open_requests_due_before(self, before: datetime, limit: int = 100) -> list[PrivacyRequest]:
        """Open requests due before ``before``, earliest first, from the sparse index only."""
        result = self._table.query(
            IndexName="OpenByDue",
            KeyConditionExpression=Key("open_pk").eq(OPEN_PARTITION) & Key("due_at").lt(before.isoformat()),
            Limit=limit,
        )
        return [self.get(_request_id_of(item)) for item in result.get("Items", [])]

    def open_requests(self, limit: int = 200) -> list[PrivacyRequest]:
        result = self._table.query(
            IndexName="OpenByDue",
            KeyConditionExpression=Key("open_pk").eq(OPEN_PARTITION),
            Limit=limit,
        )
        return [self.get(_request_id_of(item)) for item in result.get("Items", [])]

    def requests_of_subject(self, subject_hash: str) -> list[str]:
        result = self._table.query(
            IndexName="BySubject", KeyConditionExpression=Key("subject_hash").eq(subject_hash)
        )
        return [_request_id_of(item) for item in result.get("Items", [])]

    # --- one open request per subject and request type ---------------------------------------

    def claim_subject_type(self, subject_hash: str, request_type: str, request_id: str) -> str | None:
        """Claim a (subject, request type) pair for an open request. ``None`` when the claim is
        now ours; otherwise the id of the request that holds it."""
        key = {"pk": f"SUBJECT#{subject_hash}", "sk": f"OPEN#{request_type}"}
        try:
            self._table.put_item(
                Item={**key, "request_id": request_id}, ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as error:
            if not _is_conditional_failure(error):
                raise
            holder = self._table.get_item(Key=key, ConsistentRead=True).get("Item", {})
            return str(holder.get("request_id", "")) or None
        return None

    def take_over_claim(
        self, subject_hash: str, request_type: str, stale_holder: str, request_id: str
    ) -> bool:
        """Take a claim whose holder has closed (or never got recorded); one taker wins."""
        try:
            self._table.update_item(
                Key={"pk": f"SUBJECT#{subject_hash}", "sk": f"OPEN#{request_type}"},
                UpdateExpression="SET request_id = :new",
                ConditionExpression="request_id = :old",
                ExpressionAttributeValues={":new": request_id, ":old": stale_holder},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def release_claims(self, subject_hash: str, request_types: Iterable[str], request_id: str) -> None:
        """Give up this request's claims; a claim another request holds is left alone."""
        for request_type in request_types:
            try:
                self._table.delete_item(
                    Key={"pk": f"SUBJECT#{subject_hash}", "sk": f"OPEN#{request_type}"},
                    ConditionExpression="request_id = :mine",
                    ExpressionAttributeValues={":mine": request_id},
                )
            except ClientError as error:
                if not _is_conditional_failure(error):
                    raise

    # --- suppression: erased or opted-out people must not be re-added by an import ------------

    def suppress(self, subject_hash: str, reason: str, request_id: str, at: datetime) -> None:
        self._table.update_item(
            Key={"pk": f"SUPPRESS#{subject_hash}", "sk": "SUPPRESS"},
            UpdateExpression="ADD reasons :reason SET last_request_id = :rid, updated_at = :at",
            ExpressionAttributeValues={":reason": {reason}, ":rid": request_id, ":at": at.isoformat()},
        )

    def suppression_reasons(self, subject_hash: str) -> set[str]:
        item = (
            self._table.get_item(Key={"pk": f"SUPPRESS#{subject_hash}", "sk": "SUPPRESS"}).get("Item") or {}
        )
        reasons = item.get("reasons")
        return {str(reason) for reason in reasons} if isinstance(reasons, set) else set()

    # --- the desk's own mail, so replies can find their request --------------------------------

    def remember_sent_message(self, sent_message_id: str, request_id: str, at: datetime) -> None:
        self._table.put_item(
            Item={
                "pk": f"MAIL#{sent_message_id}",
                "sk": "MAIL",
                "request_id": request_id,
                "sent_at": at.isoformat(),
                "expires_at": int(at.timestamp()) + SENT_MAIL_MEMORY_SECONDS,
            }
        )

    def request_for_sent_message(self, sent_message_id: str) -> str | None:
        item = self._table.get_item(Key={"pk": f"MAIL#{sent_message_id}", "sk": "MAIL"}).get("Item")
        return str(item["request_id"]) if item else None

    def find(self, request_id: str) -> PrivacyRequest | None:
        try:
            return self.get(request_id)
        except RequestNotFoundError:
            return None

    # --- the audit trail -------------------------------------------------------------------

    def append_event(self, event: AuditEvent) -> None:
        millis = int(event.at.timestamp() * 1000)
        self._table.put_item(
            Item={
                "pk": f"REQ#{event.request_id}",
                "sk": f"EVT#{millis:015d}#{uuid.uuid4()}",
                **event.model_dump(mode="json"),
            },
            ConditionExpression="attribute_not_exists(sk)",
        )

    def events(self, request_id: str) -> list[AuditEvent]:
        items = self._query_prefix(request_id, "EVT#")
        return [AuditEvent.model_validate(item) for item in items]

    # --- triage: mail that did not become a request ------------------------------------------

    def put_triage(self, triage_id: str, fields: Mapping[str, Any], *, needs_staff: bool) -> bool:
        """Record a triage item; False if it was recorded before (a redelivery). Items that
        need staff stay in the open index (partition TRIAGE) until someone resolves them."""
        item: dict[str, Any] = {"pk": f"TRIAGE#{triage_id}", "sk": "TRIAGE", "triage_id": triage_id, **fields}
        if needs_staff:
            item["open_pk"] = TRIAGE_PARTITION
            item["due_at"] = str(fields.get("at", ""))
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def open_triage(self, limit: int = 200) -> list[dict[str, Any]]:
        """Triage items waiting for staff, oldest first, from the open index."""
        result = self._table.query(
            IndexName="OpenByDue",
            KeyConditionExpression=Key("open_pk").eq(TRIAGE_PARTITION),
            Limit=limit,
        )
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in result.get("Items", [])]
        return [self._table.get_item(Key=key, ConsistentRead=True)["Item"] for key in keys]

    def resolve_triage(self, triage_id: str, resolved_by: str, note: str, at: datetime) -> bool:
        """Take the item out of the open index; False if it was not open (resolved already)."""
        try:
            self._table.update_item(
                Key={"pk": f"TRIAGE#{triage_id}", "sk": "TRIAGE"},
                UpdateExpression=(
                    "SET resolved_by = :who, resolution = :note, resolved_at = :at REMOVE open_pk, due_at"
                ),
                ConditionExpression="attribute_exists(open_pk)",
                ExpressionAttributeValues={":who": resolved_by, ":note": note, ":at": at.isoformat()},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    # --- task tokens and per-system outcomes --------------------------------------------------

    def put_task(self, request_id: str, stage: str, fields: Mapping[str, Any]) -> None:
        """Store a waiting task; a redelivered invocation replaces a task nobody has acted on."""
        try:
            self._table.put_item(
                Item={"pk": f"REQ#{request_id}", "sk": f"TOKEN#{stage}", **fields},
                ConditionExpression="attribute_not_exists(sk) OR attribute_not_exists(decided_at)",
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise AlreadyExistsError(f"{request_id} {stage}") from error
            raise

    def get_task(self, request_id: str, stage: str) -> dict[str, Any] | None:
        key = {"pk": f"REQ#{request_id}", "sk": f"TOKEN#{stage}"}
        return self._table.get_item(Key=key, ConsistentRead=True).get("Item")

    def update_task(
        self,
        request_id: str,
        stage: str,
        update_expression: str,
        condition: str,
        values: Mapping[str, Any],
    ) -> bool:
        """A conditional change to a waiting task; False when the condition does not hold."""
        try:
            self._table.update_item(
                Key={"pk": f"REQ#{request_id}", "sk": f"TOKEN#{stage}"},
                UpdateExpression=update_expression,
                ConditionExpression=f"attribute_exists(sk) AND ({condition})",
                ExpressionAttributeValues=dict(values),
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def put_system_outcome(
        self, request_id: str, system_id: str, action: str, outcome: Mapping[str, Any]
    ) -> None:
        self._table.put_item(Item={"pk": f"REQ#{request_id}", "sk": f"SYS#{system_id}#{action}", **outcome})

    def system_outcomes(self, request_id: str) -> list[dict[str, Any]]:
        return self._query_prefix(request_id, "SYS#")

    def _query_prefix(self, request_id: str, prefix: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(f"REQ#{request_id}") & Key("sk").begins_with(prefix),
            "ConsistentRead": True,
        }
        while True:
            page = self._table.query(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _request_id_of(item: Mapping[str, Any]) -> str:
    return str(item["pk"]).removeprefix("REQ#")
