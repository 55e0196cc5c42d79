"""An appeal as stored, and who may appeal until when (from the deadline policy table); no AWS call.

Virginia, Colorado, Connecticut and Texas require a process to appeal a refusal to act on a
request, answered within the law's time and naming the Attorney General's complaint route when
the refusal stands. A refusal here is a denial by staff, or a request closed because the person
could not be verified. The laws ask that the process be open for a reasonable period after the
decision and set none: the policy table's ``open_for_days`` (60 by default) is the company's.
"""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from pydantic import ConfigDict

from dsr.core.catalogs import N_
from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest, Status
from dsr.policies.deadline_rules import AppealRule, Period
from dsr.policies.deadline_table import DeadlineError, policies
from dsr.policies.request_deadlines import end_of_local_day, local_day, request_policy

APPEALABLE = frozenset({Status.DENIED, Status.UNVERIFIABLE})
"""Closed without acting on the request: the outcomes a subject may appeal."""


class AppealChannel(StrEnum):
    STATUS_PAGE = "status_page"
    EMAIL = "email"


class AppealStatus(StrEnum):
    OPEN = "OPEN"
    UPHELD = "UPHELD"
    """The refusal stands."""
    REVERSED = "REVERSED"
    """The refusal was withdrawn; the request is carried out."""


class AppealDecision(StrEnum):
    UPHOLD = "uphold"
    REVERSE = "reverse"


class Appeal(DeskModel):
    """One request's appeal, as stored."""

    model_config = ConfigDict(extra="ignore")

    request_id: str
    jurisdiction: str
    request_types: list[str] = []
    status: AppealStatus
    channel: AppealChannel
    statement: str
    received_at: datetime
    respond_by: datetime
    extended_respond_by: datetime | None = None
    extension_notice_by: datetime | None = None
    extended_at: datetime | None = None
    extension_reason: str | None = None
    decision: AppealDecision | None = None
    decision_reason: str | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    answer_sent_at: datetime | None = None
    original_decision_by: str | None = None
    source_message_id: str | None = None
    """For an appeal by email: the message that lodged it (a redelivery is recognised by it)."""


def appeal_policy(request: PrivacyRequest) -> AppealRule | None:
    """The appeal rule of the request's law, in the version the request runs on; None where the
    law gives no appeal clock."""
    try:
        appeal = request_policy(request).appeal
    except DeadlineError:
        return None
    return appeal if appeal is not None and appeal.within is not None else None


class ComplaintRoutes(NamedTuple):
    """Where a person refused may turn under a law that makes the controller handle complaints
    (the UK, DPA 2018 s.164A): the controller, which acknowledges a complaint within a period,
    and the regulator."""

    acknowledge_within: Period
    regulator: str
    """As the policy table names it (English: the notice reads it from the catalogs)."""


def complaint_routes(request: PrivacyRequest, refused_at: datetime) -> ComplaintRoutes | None:
    """Both routes, where the law in force on the day of the refusal gives a complaint to the
    controller (a complaint follows the refusal, so the version of that day counts); else None."""
    try:
        day = local_day(request.jurisdiction, refused_at)
        appeal = policies().in_force(request.jurisdiction, day).policy.appeal
    except DeadlineError:
        return None
    if appeal is None or appeal.acknowledge is None or appeal.regulator is None:
        return None
    return ComplaintRoutes(appeal.acknowledge.within, appeal.regulator.name)


def appeal_open_until(request: PrivacyRequest) -> datetime | None:
    """The last moment the request may be appealed (the end of that day where its law counts
    days); None if it is not an appealable outcome under a law that gives an appeal."""
    appeal = appeal_policy(request)
    if appeal is None or request.status not in APPEALABLE or request.closed_at is None:
        return None
    last_day = local_day(request.jurisdiction, request.closed_at) + timedelta(days=appeal.open_for_days)
    return end_of_local_day(last_day, request.jurisdiction)


def why_not_appealable(request: PrivacyRequest, now: datetime) -> str | None:
    """Why the request cannot be appealed now, in words for the subject; None if it can."""
    if appeal_policy(request) is None:
        return N_(
            "the law that applies to this request gives no appeal to us; you may complain to the regulator"
        )
    if request.status not in APPEALABLE:
        if request.status.is_open:
            return N_("this request is still being worked on; it can be appealed once we have answered")
        return N_("we carried out this request; there is no refusal to appeal")
    until = appeal_open_until(request)
    if until is None or now > until:
        return N_("the time to appeal this decision has passed")
    return None
