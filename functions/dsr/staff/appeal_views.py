"""What staff see of an appeal: the subject's statement, its own dates in the jurisdiction's days,
and the answer once given; and the queue of open appeals."""

from datetime import datetime

from dsr.core.desk_model import DeskModel
from dsr.policies.appeal_rules import Appeal
from dsr.policies.request_deadlines import local_day


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class AppealDetail(DeskModel):
    """The request's appeal: what the subject wrote, its own dates, and the answer once given."""

    status: str
    channel: str
    statement: str
    received_at: str
    respond_by: str
    respond_on: str
    """The day the appeal must be answered, where the jurisdiction counts days."""
    extended_respond_by: str | None
    extension_notice_by: str | None
    extended_at: str | None
    decision: str | None
    decision_reason: str | None
    decided_by: str | None
    decided_at: str | None
    original_decision_by: str | None


class AppealQueueEntry(DeskModel):
    request_id: str
    jurisdiction: str
    request_status: str
    received_at: str
    received_on: str
    respond_by: str
    respond_on: str
    days_left: int
    extended: bool


def appeal_detail(appeal: Appeal, jurisdiction: str) -> AppealDetail:
    return AppealDetail(
        status=appeal.status.value,
        channel=appeal.channel.value,
        statement=appeal.statement,
        received_at=appeal.received_at.isoformat(),
        respond_by=appeal.respond_by.isoformat(),
        respond_on=local_day(jurisdiction, appeal.respond_by).isoformat(),
        extended_respond_by=_moment(appeal.extended_respond_by),
        extension_notice_by=_moment(appeal.extension_notice_by),
        extended_at=_moment(appeal.extended_at),
        decision=appeal.decision.value if appeal.decision else None,
        decision_reason=appeal.decision_reason,
        decided_by=appeal.decided_by,
        decided_at=_moment(appeal.decided_at),
        original_decision_by=appeal.original_decision_by,
    )


def appeal_queue_entry(appeal: Appeal, request_status: str, now: datetime) -> AppealQueueEntry:
    place = appeal.jurisdiction
    respond_on = local_day(place, appeal.respond_by)
    return AppealQueueEntry(
        request_id=appeal.request_id,
        jurisdiction=place,
        request_status=request_status,
        received_at=appeal.received_at.isoformat(),
        received_on=local_day(place, appeal.received_at).isoformat(),
        respond_by=appeal.respond_by.isoformat(),
        respond_on=respond_on.isoformat(),
        days_left=(respond_on - local_day(place, now)).days,
        extended=appeal.extended_at is not None,
    )
