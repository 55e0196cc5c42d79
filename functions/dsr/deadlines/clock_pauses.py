"""Asking the subject for information, and the legal clock standing still meanwhile where the law
says so for that reason: the UK GDPR while waiting for clarification; Oregon and New Jersey while
waiting for what is needed to authenticate the request (ORS 646A.576(5)(d), N.J.S.A.
56:8-166.7(e)). Elsewhere, and for other reasons, the question goes out and the clock keeps
running. Utah's fraud rule is no pause: where fraud is suspected and the request cannot be
authenticated before the 45 days end, the period does not apply at all (Utah Code
13-61-203(2)(d)), so asking moves no date and the trail says so.

Pausing and resuming are conditional writes; on resuming, the days paused are added up and every
date of the request is recomputed from the policy table, as an audit would.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from dsr.core.models import PrivacyRequest
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.notices import subject_notices as notices
from dsr.policies.deadline_table import DeadlineError
from dsr.policies.request_deadlines import local_day, recounted, request_policy
from dsr.wiring.desk import Desk


class NotWaitingError(StateConflictError):
    """The request is not in a state for this (closed, or not waiting for information)."""


class AskedBecause(StrEnum):
    """Why staff ask: the policy table's ``pauses_for`` names the reasons that stop the clock,
    ``switched_off_by`` those under which the law's period may stop applying."""

    CLARIFICATION = "clarification"
    """What the request is about is unclear."""
    AUTHENTICATION = "authentication"
    """The request cannot be authenticated with what the subject gave; more is needed."""
    SUSPECTED_FRAUD = "suspected_fraud"
    """Fraud is suspected and the request cannot be authenticated without more."""


def clock_pauses(request: PrivacyRequest, because: AskedBecause = AskedBecause.CLARIFICATION) -> bool:
    try:
        return because.value in request_policy(request).clock.pauses_for
    except DeadlineError:
        return False


def clock_switches_off(request: PrivacyRequest, because: AskedBecause) -> bool:
    """Whether the law's period stops applying if the request is still unauthenticated when it ends."""
    try:
        return because.value in request_policy(request).clock.switched_off_by
    except DeadlineError:
        return False


def days_stood_still(request: PrivacyRequest, answered_at: datetime) -> int:
    """Whole days where the law counts: asked on the 3rd and answered on the 8th is five days, or
    six where the law leaves out both the day of asking and the day of the reply (the UK: "the
    period beginning with the day on which the controller makes the request and ending with the
    day on which the controller receives the information", DPA 2018 s.54(3C))."""
    if request.paused_at is None:
        return 0
    asked = local_day(request.jurisdiction, request.paused_at)
    elapsed = (local_day(request.jurisdiction, answered_at) - asked).days
    try:
        both_ends = request_policy(request).clock.paused_days == "asking_to_reply"
    except DeadlineError:
        both_ends = False
    return elapsed + 1 if both_ends else elapsed


def ask_for_information(
    desk: Desk,
    request_id: str,
    question: str,
    staff_member: str,
    because: AskedBecause = AskedBecause.CLARIFICATION,
) -> bool:
    """Send the subject the question; True if the clock now stands still."""
    request = desk.store.get(request_id)
    if not request.status.is_open:
        raise NotWaitingError(staff_text("the request is %(status)s", status=request.status.value))
    pauses = clock_pauses(request, because)
    if pauses and not desk.store.pause_clock(request_id, desk.now()):
        raise NotWaitingError(staff_text("the request is waiting for information already"))
    desk.send_notice(
        str(request.subject.email), notices.information_requested(request, question, pauses), request_id
    )
    if pauses:
        outcome = "clock paused"
    elif clock_switches_off(request, because):
        respond_on = local_day(request.jurisdiction, request.respond_by).isoformat()
        outcome = (
            f"clock keeps running; the law's period no longer applies if the request is still "
            f"unauthenticated on {respond_on}"
        )
    else:
        outcome = "clock keeps running"
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "ask for information",
        outcome,
        because=because.value,
        question=question,
    )
    return pauses


def information_received(desk: Desk, request_id: str, staff_member: str) -> PrivacyRequest:
    """The subject answered: the clock runs again, and the dates move by the days it stood still."""
    request = desk.store.get(request_id)
    if request.paused_at is None:
        raise NotWaitingError(staff_text("the clock is not paused for this request"))
    paused_days = request.paused_days + days_stood_still(request, desk.now())
    deadlines = recounted(request, paused_days=paused_days)
    dates = {name: value for name, value in deadlines.fields().items() if value is not None}
    if request.extended_at is not None and deadlines.extended_respond_by is not None:
        dates["respond_by"] = dates["watch_at"] = deadlines.extended_respond_by.isoformat()
    if not desk.store.resume_clock(request_id, paused_days, dates):
        raise NotWaitingError(staff_text("the clock was resumed meanwhile"))
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "information received",
        "clock running again",
        paused_days=paused_days,
        respond_by=dates["respond_by"],
    )
    return desk.store.get(request_id)
