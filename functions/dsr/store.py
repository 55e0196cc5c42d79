"""The requests table: one item per request, plus its audit trail, task tokens and system outcomes.

Layout (single table, partition key ``pk`` = ``REQ#<request id>``):

* ``sk = REQUEST``: the request itself. While it is open it carries ``open_pk`` and
  ``due_at``, which put it in the sparse ``OpenByDue`` index; closing removes both.
* ``sk = EVT#<epoch ms>#<uuid>``: append-only audit events.
* ``sk = TOKEN#<stage>``: a Step Functions task token waiting for a person, never sent out.
* ``sk = SYS#<system>#<action>``: what one system did for the request.
* ``sk = TOKEN#HANDOFF#<system>#<action>``: a task handed to a processor, vendor or customer;
  while nobody has answered it is in the ``OpenByDue`` index (partition ``HANDOFF``, due at the
  answer-by time), so the sweeper finds overdue ones without a scan.

A closed request waits in the same index (partition ``REDUCE``, due when its download link runs
out) until the sweeper reduces its identity to the keyed hash (see ``dsr.records``).

* ``sk = UNSTARTED``: written just before a new request, removed once its execution has started;
  in the index (partition ``UNSTARTED``, due when received), so the sweeper finds the requests whose
  start failed without reading the open ones that started.
* A verification task (``TOKEN#<stage>`` with a window) waits in partition ``WINDOW``, due when its
  window ends, so the sweeper closes ended windows without reading every open request.

Short references: ``REF#<first 8 characters of the id>`` holds one item per request whose id
starts so (``sk = REQ#<request id>``), so the reference that lists, the console and emails print
finds its request, or all of them when two share it, without a scan.

Other partitions: ``OPENDSR#<subject request id>`` maps a processor's request back to exactly one
(request, system, action); ``PROCESSOR#<system>`` pins the certificate the processor's callbacks
must be signed with; ``CALLBACK#<sha-256>`` remembers callbacks already acted on.

Every decision is a conditional write, so two callers racing cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Key

from dsr.models import AuditEvent, PrivacyRequest, RequestForSystems, Status
from dsr.storage.dynamo import (
    AlreadyExistsError,
    Repository,
    batch_get,
    count_all,
    query_all,
    update_assignments,
    write_if,
)
from dsr.storage.keys import (
    EVENT_PREFIX,
    OUTCOME_PREFIX,
    callback_key,
    certificate_key,
    key_of,
    outcome_key,
    reference_key,
    reference_pk,
    request_id_of,
    request_item_key,
    request_key,
    request_pk,
    sent_mail_key,
    stage_of,
    step_key,
    subject_claim_key,
    subject_request_key,
    suppression_key,
    task_key,
    triage_key,
    unstarted_key,
)
from dsr.storage.tasks import WINDOW_PARTITION, TaskRepository

if TYPE_CHECKING:
    pass

OPEN_PARTITION = "OPEN"
TRIAGE_PARTITION = "TRIAGE"
HAND_OFF_PARTITION = "HANDOFF"
REDUCE_PARTITION = "REDUCE"
UNSTARTED_PARTITION = "UNSTARTED"
CALLBACK_MEMORY_SECONDS = 90 * 24 * 3600
SENT_MAIL_MEMORY_SECONDS = 400 * 24 * 3600  # replies can come long after; TTL removes the rest
FULL_ID_LENGTH = 36


class RequestNotFoundError(LookupError):
    """No request has that id."""


class AmbiguousReferenceError(LookupError):
    """A short reference that more than one request starts with: only the full id names one."""

    def __init__(self, reference: str, request_ids: Iterable[str]) -> None:
        self.reference = reference
        self.request_ids = sorted(request_ids)
        super().__init__(
            f"{reference} is the reference of {len(self.request_ids)} requests "
            f"({', '.join(self.request_ids)}): give the full request id"
        )


class TransitionRejectedError(RuntimeError):
    """The request was not in a state that allows the change (somebody else got there first)."""

    def __init__(self, request_id: str, allowed_from: Iterable[Status], target: Status) -> None:
        self.request_id = request_id
        self.allowed_from = tuple(allowed_from)
        self.target = target
        super().__init__(
            f"request {request_id} cannot move to {target}: not in {', '.join(self.allowed_from)}"
        )


class RequestStore(TaskRepository, Repository):
    # --- the request item ------------------------------------------------------------------

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
        sets, names, values = update_assignments(fields)
        self._table.update_item(
            Key=request_key(request_id),
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
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
        return self._move_dates(request_id, fields, "attribute_exists(paused_at)", remove="paused_at")

    def _move_dates(
        self, request_id: str, fields: Mapping[str, Any], condition: str, remove: str = ""
    ) -> bool:
        """Set an open request's new dates, with the index at its new watch time, if ``condition``."""
        sets, names, values = update_assignments(fields)
        values |= {":due": fields["watch_at"], ":open": OPEN_PARTITION}
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="SET "
            + ", ".join([*sets, "due_at = :due"])
            + (f" REMOVE {remove}" if remove else ""),
            ConditionExpression=f"open_pk = :open AND {condition}",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
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

    def has_step(self, request_id: str, step: str) -> bool:
        return "Item" in self._table.get_item(Key=step_key(request_id, step), ConsistentRead=True)

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

    def _index_keys(
        self, partition: str, before: datetime | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """The keys in one partition of ``OpenByDue`` (due before ``before``, if given), in order."""
        condition: Any = Key("open_pk").eq(partition)
        if before is not None:
            condition = condition & Key("due_at").lt(before.isoformat())
        query = {"IndexName": "OpenByDue", "KeyConditionExpression": condition}
        return [key_of(item) for item in query_all(self._table, query, limit)]

    # --- requests whose start failed, and verification windows ----------------------------------

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

    def windows_ended_before(self, before: datetime) -> list[tuple[str, str]]:
        """(request id, stage) of the tasks whose window ended before ``before``."""
        return [(request_id_of(key), stage_of(key)) for key in self._index_keys(WINDOW_PARTITION, before)]

    def requests_of_subject(self, subject_hash: str) -> list[str]:
        query = {"IndexName": "BySubject", "KeyConditionExpression": Key("subject_hash").eq(subject_hash)}
        return [request_id_of(item) for item in query_all(self._table, query)]

    def requests_received_in(self, month: str) -> list[dict[str, Any]]:
        """The requests received in ``month`` ("YYYY-MM"), in the order received, as the
        ``ByReceivedMonth`` index projects them: ids, types, status, jurisdiction and dates, no
        identity. Page after page; never a Scan."""
        query = {"IndexName": "ByReceivedMonth", "KeyConditionExpression": Key("received_month").eq(month)}
        return query_all(self._table, query)

    # --- one open request per subject and request type ---------------------------------------

    def claim_subject_type(self, subject_hash: str, request_type: str, request_id: str) -> str | None:
        """Claim a (subject, request type) pair for an open request. ``None`` when the claim is
        now ours; otherwise the id of the request that holds it."""
        key = subject_claim_key(subject_hash, request_type)
        if write_if(
            self._table.put_item,
            Item={**key, "request_id": request_id},
            ConditionExpression="attribute_not_exists(pk)",
        ):
            return None
        holder = self._table.get_item(Key=key, ConsistentRead=True).get("Item", {})
        return str(holder.get("request_id", "")) or None

    def take_over_claim(
        self, subject_hash: str, request_type: str, stale_holder: str, request_id: str
    ) -> bool:
        """Take a claim whose holder has closed (or never got recorded); one taker wins."""
        return write_if(
            self._table.update_item,
            Key=subject_claim_key(subject_hash, request_type),
            UpdateExpression="SET request_id = :new",
            ConditionExpression="request_id = :old",
            ExpressionAttributeValues={":new": request_id, ":old": stale_holder},
        )

    def release_claims(self, subject_hash: str, request_types: Iterable[str], request_id: str) -> None:
        """Give up this request's claims; a claim another request holds is left alone."""
        for request_type in request_types:
            write_if(  # a claim another request holds stays
                self._table.delete_item,
                Key=subject_claim_key(subject_hash, request_type),
                ConditionExpression="request_id = :mine",
                ExpressionAttributeValues={":mine": request_id},
            )

    # --- records: the identity let go, the record expired ------------------------------------

    def schedule_identity_reduction(self, request_id: str, after: datetime) -> None:
        """A closed request joins the sparse index (partition REDUCE) until its identity goes."""
        write_if(  # False: reduced already (a redelivered close)
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="SET open_pk = :reduce, due_at = :after",
            ConditionExpression="attribute_exists(pk) AND attribute_not_exists(identity_reduced_at)",
            ExpressionAttributeValues={":reduce": REDUCE_PARTITION, ":after": after.isoformat()},
        )

    def identity_reductions_due(self, before: datetime) -> list[str]:
        """Every closed request whose identity is due to go, page after page, earliest first."""
        return [request_id_of(key) for key in self._index_keys(REDUCE_PARTITION, before)]

    def cancel_identity_reduction(self, request_id: str) -> bool:
        """The identity is needed again (a re-run, an appeal); False if none was scheduled."""
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression="REMOVE open_pk, due_at",
            ConditionExpression="open_pk = :reduce",
            ExpressionAttributeValues={":reduce": REDUCE_PARTITION},
        )

    def reduce_identity(self, request_id: str, subject: Mapping[str, str], at: datetime) -> bool:
        """Replace the subject with what names nobody and drop the free text; once."""
        return write_if(
            self._table.update_item,
            Key=request_key(request_id),
            UpdateExpression=(
                "SET #subject = :subject, identity_reduced_at = :at "
                "REMOVE #details, corrections, #agent, resolved_account_ids, open_pk, due_at"
            ),
            ConditionExpression="open_pk = :reduce",
            ExpressionAttributeNames={"#subject": "subject", "#details": "details", "#agent": "agent"},
            ExpressionAttributeValues={
                ":subject": dict(subject),
                ":at": at.isoformat(),
                ":reduce": REDUCE_PARTITION,
            },
        )

    def expire_request_items(self, request_id: str, expires_at: int) -> int:
        """Give every item of the request (events, tasks, outcomes) the record's expiry (TTL)."""
        self._table.update_item(
            Key=reference_key(request_id),
            UpdateExpression="SET expires_at = :ttl",
            ExpressionAttributeValues={":ttl": expires_at},
        )
        query = {
            "KeyConditionExpression": Key("pk").eq(request_pk(request_id)),
            "ProjectionExpression": "pk, sk",
        }
        items = query_all(self._table, query)
        for item in items:
            self._table.update_item(
                Key=key_of(item),
                UpdateExpression="SET expires_at = :ttl",
                ExpressionAttributeValues={":ttl": expires_at},
            )
        return len(items)

    # --- suppression: erased or opted-out people must not be re-added by an import ------------

    def suppress(self, subject_hash: str, reason: str, request_id: str, at: datetime) -> None:
        self._table.update_item(
            Key=suppression_key(subject_hash),
            UpdateExpression="ADD reasons :reason SET last_request_id = :rid, updated_at = :at",
            ExpressionAttributeValues={":reason": {reason}, ":rid": request_id, ":at": at.isoformat()},
        )

    def suppression_reasons(self, subject_hash: str) -> set[str]:
        item = self._table.get_item(Key=suppression_key(subject_hash)).get("Item") or {}
        reasons = item.get("reasons")
        return {str(reason) for reason in reasons} if isinstance(reasons, set) else set()

    # --- the desk's own mail, so replies can find their request --------------------------------

    def remember_sent_message(self, sent_message_id: str, request_id: str, at: datetime) -> None:
        self._table.put_item(
            Item={
                **sent_mail_key(sent_message_id),
                "request_id": request_id,
                "sent_at": at.isoformat(),
                "expires_at": int(at.timestamp()) + SENT_MAIL_MEMORY_SECONDS,
            }
        )

    def request_for_sent_message(self, sent_message_id: str) -> str | None:
        item = self._table.get_item(Key=sent_mail_key(sent_message_id)).get("Item")
        return str(item["request_id"]) if item else None

    def find(self, request_id: str) -> PrivacyRequest | None:
        try:
            return self.get(request_id)
        except RequestNotFoundError:
            return None

    # --- the audit trail -------------------------------------------------------------------

    def append_event(self, event: AuditEvent) -> None:
        self._table.put_item(Item=_event_item(event), ConditionExpression="attribute_not_exists(sk)")

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

    # --- triage: mail that did not become a request ------------------------------------------

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

    # --- task tokens and per-system outcomes --------------------------------------------------

    def put_hand_off(self, request_id: str, stage: str, fields: Mapping[str, Any]) -> None:
        """Store a task handed to someone else, waiting in the index until answered. A retried
        invocation replaces one nobody answered; a re-run replaces one that ended failed."""
        item = {
            **task_key(request_id, stage),
            **fields,
            "open_pk": HAND_OFF_PARTITION,
            "due_at": fields["answer_by"],
        }
        if not write_if(
            self._table.put_item,
            Item=item,
            ConditionExpression="attribute_not_exists(sk) OR attribute_not_exists(decided_at) "
            "OR answer = :failed",
            ExpressionAttributeValues={":failed": "failed"},
        ):
            raise AlreadyExistsError(f"{request_id} {stage}")

    def hand_offs_due_before(self, before: datetime) -> list[dict[str, Any]]:
        """Every hand-off due before ``before`` (unanswered, or answered but not resumed), page
        after page, earliest first."""
        return self._items_at(self._index_keys(HAND_OFF_PARTITION, before))

    def _items_at(self, keys: Iterable[Mapping[str, str]]) -> list[dict[str, Any]]:
        """The items at ``keys`` as they are now (strongly consistent); one gone since is left out."""
        found = (self._table.get_item(Key=dict(key), ConsistentRead=True).get("Item") for key in keys)
        return [dict(item) for item in found if item is not None]

    def map_subject_request(
        self, subject_request_id: str, request_id: str, system_id: str, action: str
    ) -> bool:
        """Tie a processor's subject request id to one (request, system, action), before it is sent.
        True if it is (now) tied to exactly these; False if the id belongs to something else."""
        key = subject_request_key(subject_request_id)
        mine = {"request_id": request_id, "system_id": system_id, "action": action}
        if write_if(
            self._table.put_item, Item={**key, **mine}, ConditionExpression="attribute_not_exists(pk)"
        ):
            return True
        held = self._table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        return all(held.get(name) == value for name, value in mine.items())

    def subject_request(self, subject_request_id: str) -> dict[str, str] | None:
        item = self._table.get_item(Key=subject_request_key(subject_request_id), ConsistentRead=True).get(
            "Item"
        )
        return {name: str(item[name]) for name in ("request_id", "system_id", "action")} if item else None

    def pin_certificate(self, system_id: str, domain: str, pem: str, at: datetime) -> None:
        self._table.put_item(
            Item={
                **certificate_key(system_id),
                "domain": domain,
                "pem": pem,
                "fetched_at": at.isoformat(),
            }
        )

    def pinned_certificate(self, system_id: str) -> dict[str, str] | None:
        item = self._table.get_item(Key=certificate_key(system_id), ConsistentRead=True).get("Item")
        return {"domain": str(item["domain"]), "pem": str(item["pem"])} if item else None

    def first_delivery(self, fingerprint: str, at: datetime) -> bool:
        """Remember a callback's fingerprint; False if the same bytes were delivered before."""
        return write_if(
            self._table.put_item,
            Item={
                **callback_key(fingerprint),
                "received_at": at.isoformat(),
                "expires_at": int(at.timestamp()) + CALLBACK_MEMORY_SECONDS,
            },
            ConditionExpression="attribute_not_exists(pk)",
        )

    def forget_delivery(self, fingerprint: str) -> None:
        """A callback that could not be acted on is forgotten, so its redelivery is acted on."""
        self._table.delete_item(Key=callback_key(fingerprint))

    def put_system_outcome(
        self, request_id: str, system_id: str, action: str, outcome: Mapping[str, Any], event: AuditEvent
    ) -> None:
        """A system's outcome and its line in the audit trail, in one request: a system task makes
        one write call for both (BatchWriteItem; what DynamoDB leaves unprocessed is sent again)."""
        with self._table.batch_writer() as batch:
            batch.put_item(Item={**outcome_key(request_id, system_id, action), **outcome})
            batch.put_item(Item=_event_item(event))

    def system_outcomes(self, request_id: str) -> list[dict[str, Any]]:
        return self._query_prefix(request_id, OUTCOME_PREFIX)

    def _query_prefix(self, request_id: str, prefix: str) -> list[dict[str, Any]]:
        condition = Key("pk").eq(request_pk(request_id)) & Key("sk").begins_with(prefix)
        return query_all(self._table, {"KeyConditionExpression": condition, "ConsistentRead": True})


def _event_item(event: AuditEvent) -> dict[str, Any]:
    millis = int(event.at.timestamp() * 1000)
    return {
        **request_item_key(event.request_id, f"{EVENT_PREFIX}{millis:015d}#{uuid.uuid4()}"),
        **event.model_dump(mode="json"),
    }
