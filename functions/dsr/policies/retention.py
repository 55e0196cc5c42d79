"""What a closed request keeps, for how long, and when the person's identity is let go.

A closed request keeps what the law asks of a record (California 11 CCR 7101: the dates, the
nature of the request, how it came in, the response and the basis of any denial) for the
jurisdiction's record-keeping period (24 months where the law sets none), then every item of it
expires by DynamoDB's TTL.

The identity goes sooner: once the answer has been delivered, any access package link has run
out and a refusal can no longer be appealed, the subject's email, name, phone, address, account
id, free text and corrections are removed, and only the keyed hash (``subject_hash``) that
suppression and duplicate checks use is kept. Requests that may still be worked on (partially
completed, failed) keep it until a later close. Reductions are found through the sparse index
(partition ``REDUCE``), never by a Scan.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from aws_lambda_powertools import Logger

from dsr.core.models import PrivacyRequest, Status
from dsr.policies.appeal_rules import appeal_open_until
from dsr.policies.deadline_counting import add_calendar_months
from dsr.policies.deadline_table import DeadlineError
from dsr.policies.request_deadlines import request_policy
from dsr.storage.appeals import AppealStore
from dsr.wiring.desk import Desk

logger = Logger(child=True)

DEFAULT_RETENTION_MONTHS = 24
REDUCIBLE = frozenset({Status.COMPLETED, Status.DENIED, Status.UNVERIFIABLE, Status.LINKED, Status.CANCELLED})
"""Closed for good: nothing will be carried out for these again."""

REDUCED_DOMAIN = "identity-reduced.example"


def retention_months(request: PrivacyRequest) -> int:
    try:
        records = request_policy(request).records
    except DeadlineError:
        records = None
    return records.months if records is not None and records.months else DEFAULT_RETENTION_MONTHS


def schedule(desk: Desk, request_id: str, *, keep_for_appeal: bool = True) -> bool:
    """At close: when the record expires, and (for a request closed for good) when the identity
    goes: not before an appealable refusal can no longer be appealed (the answer to an appeal
    goes to the subject's address), unless ``keep_for_appeal`` is False (it has been appealed).
    False if the request is not closed for good (it keeps its identity for now)."""
    request = desk.store.get(request_id)
    closed_at = request.closed_at or desk.now()
    kept_until = datetime.combine(
        add_calendar_months(closed_at.date(), retention_months(request)), time.max, UTC
    )
    desk.store.set_fields(
        request_id, {"records_kept_until": kept_until.isoformat(), "expires_at": int(kept_until.timestamp())}
    )
    if request.status not in REDUCIBLE:
        return False
    appeal_until = appeal_open_until(request) if keep_for_appeal else None
    reduce_after = max(closed_at, request.package_available_until or closed_at, appeal_until or closed_at)
    desk.store.schedule_identity_reduction(request_id, reduce_after)
    return True


def reduce_due_identities(desk: Desk) -> int:
    """The sweeper's part: identities whose time has come are reduced to the keyed hash."""
    reduced = 0
    for request_id in desk.store.identity_reductions_due(desk.now()):
        request = desk.store.get(request_id)
        if request.status not in REDUCIBLE or not request.subject_hash:
            desk.store.cancel_identity_reduction(request_id)  # reopened by a re-run, say
            continue
        if desk.store.reduce_identity(request_id, _reduced_subject(request), desk.now()):
            # What the subject wrote in an appeal goes with the rest of what they wrote.
            AppealStore(desk.table(desk.settings.requests_table)).forget_statement(request_id)
            desk.audit(request_id, "sweeper", "reduce identity", "only the keyed hash kept")
            desk.store.expire_request_items(request_id, int(_kept_until(request).timestamp()))
            reduced += 1
    logger.info("identities reduced", reduced=reduced)
    return reduced


def _reduced_subject(request: PrivacyRequest) -> dict[str, str]:
    # The model needs an address; this one names nobody, and cannot be turned back into one.
    return {"email": f"{str(request.subject_hash)[:32]}@{REDUCED_DOMAIN}"}


def _kept_until(request: PrivacyRequest) -> datetime:
    if request.records_kept_until is not None:
        return request.records_kept_until
    closed = (request.closed_at or request.received_at).date()
    return datetime.combine(add_calendar_months(closed, retention_months(request)), time.max, UTC)
