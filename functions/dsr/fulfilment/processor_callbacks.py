"""Signed status callbacks from subprocessors: checked, mapped to one task, acted on once.

The signature is checked against the certificate pinned for the system before the body is read;
the subject request id must map to a task of *this* system; the same bytes delivered twice are
acted on once; ``completed`` settles the task (for an export, with the processor's results added
to the subject's package), ``cancelled`` settles it as failed, and any other status is noted on
the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from aws_lambda_powertools import Logger

from dsr.core.actions import Action
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import OpenDsrProcessor
from dsr.fulfilment.handoffs import HandOffNotWaitingError, settle
from dsr.fulfilment.opendsr import CallbackStatus, ProcessingStatus
from dsr.fulfilment.opendsr_callbacks import CallbackRejected, callback_fingerprint, verify_callback
from dsr.fulfilment.outcomes import Carried, OutcomeStatus
from dsr.fulfilment.processors import completed_outcome, route_of
from dsr.storage.processors import SubjectRequestLink
from dsr.wiring.desk import Desk

logger = Logger(child=True)


class CallbackAnswer(NamedTuple):
    """What the callback route answers: 200 for everything acted on or already seen."""

    http_status: int
    outcome: str


def receive_callback(
    desk: Desk, system_id: str, raw_body: bytes, headers: Mapping[str, str]
) -> CallbackAnswer:
    """Check, map and act on one status callback from the processor behind ``system_id``."""
    try:
        system = desk.registry.system(system_id)
        route = route_of(system)
    except (KeyError, TypeError):
        return CallbackAnswer(404, "no such processor")
    pinned = desk.store.pinned_certificate(system.id)
    if pinned is None:
        return CallbackAnswer(401, "no certificate pinned for this processor")
    try:
        status = verify_callback(
            raw_body,
            headers,
            expected_domain=route.domain,
            certificate_pem=pinned.pem.encode(),
            now=desk.now(),
        )
    except CallbackRejected as rejected:
        logger.warning("callback rejected", system_id=system.id, reason=rejected.reason)
        return CallbackAnswer(400 if rejected.reason == "bad-body" else 401, rejected.reason)
    task = desk.store.subject_request(status.subject_request_id)
    if task is None or task.system_id != system.id:
        logger.warning("callback for a request this processor was not sent", system_id=system.id)
        return CallbackAnswer(404, "unknown subject_request_id")
    fingerprint = callback_fingerprint(raw_body)
    if not desk.store.first_delivery(fingerprint, desk.now()):
        return CallbackAnswer(200, "already received")
    try:
        outcome = _act_on(desk, system, route, task, status)
    except Exception:
        desk.store.forget_delivery(fingerprint)  # so the processor's redelivery is acted on
        raise
    return CallbackAnswer(200, outcome)


def _act_on(
    desk: Desk, system: SystemEntry, route: OpenDsrProcessor, task: SubjectRequestLink, status: CallbackStatus
) -> str:
    request_id, action = task.request_id, Action(task.action)
    desk.audit(
        request_id,
        f"processor:{route.domain}",
        f"{action.value} status",
        status.request_status.value,
        subject_request_id=status.subject_request_id,
    )
    if status.request_status is ProcessingStatus.COMPLETED:
        carried = completed_outcome(desk, request_id, system, action, status.results_url)
    elif status.request_status is ProcessingStatus.CANCELLED:
        carried = Carried(OutcomeStatus.FAILED, 0, {"error": f"{route.domain} cancelled the request"})
    else:
        return status.request_status.value
    try:
        settled = settle(
            desk, request_id, system.id, action, carried=carried, actor=f"processor:{route.domain}"
        )
    except HandOffNotWaitingError:
        return "not waiting"
    return carried.status.value if settled else "answered already"
