"""The deadlines one request carries: the policy table's dates (dsr.policies.deadlines), as moments in UTC.

A law counts in days of the place it protects: a request received at 23:30 in Los Angeles was
received that day there, though it is the next day in UTC. So the received date is taken in the
jurisdiction's time zone, and each due date ends at the end of that day there, stored in UTC.
People are shown the local date (``local_day``).

A request of several types runs on the strictest of their clocks: the earliest response date,
the earliest acknowledgement, and the extension that goes with the earliest response.

The policy is the version in force on the local day of receipt (DEFAULT's where the law was not
in force yet); the request records which (``deadline_policy``, ``deadline_policy_version``), and
what is decided later (appeals, retention, clock pauses) goes by that version (``request_policy``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dsr.core.models import PrivacyRequest, RequestType
from dsr.policies.deadline_table import DeadlinePolicy, policies
from dsr.policies.deadlines import DueDates, appeal_due_dates, due_dates

# Where each jurisdiction's days are counted. The EU's is Brussels (the regulation sets no zone;
# member states are within two hours of it); DEFAULT counts in UTC.
JURISDICTION_ZONES = {
    "EU": "Europe/Brussels",
    "UK": "Europe/London",
    "US-CA": "America/Los_Angeles",
    "US-VA": "America/New_York",
    "US-CO": "America/Denver",
    "US-CT": "America/New_York",
    "US-TX": "America/Chicago",
    "US-UT": "America/Denver",
    # A state's most populous zone where it spans two (Tennessee, Kentucky, Indiana, Oregon, Florida).
    "US-MT": "America/Denver",
    "US-DE": "America/New_York",
    "US-NH": "America/New_York",
    "US-NE": "America/Chicago",
    "US-TN": "America/Chicago",
    "US-MD": "America/New_York",
    "US-IN": "America/Indiana/Indianapolis",
    "US-KY": "America/New_York",
    "US-RI": "America/New_York",
    "US-OK": "America/Chicago",
    "US-LA": "America/Chicago",
    "US-OR": "America/Los_Angeles",
    "US-MN": "America/Chicago",
    "US-NJ": "America/New_York",
    "US-IA": "America/Chicago",
    "US-FL": "America/New_York",
    "US-AL": "America/Chicago",
    "US-VT": "America/New_York",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CA-QC": "America/Toronto",
    "CH": "Europe/Zurich",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "SG": "Asia/Singapore",
    "AU": "Australia/Sydney",
    "ZA": "Africa/Johannesburg",
    "TR": "Europe/Istanbul",
    "AR": "America/Argentina/Buenos_Aires",
    "IN": "Asia/Kolkata",
    "CN": "Asia/Shanghai",
    "DEFAULT": "UTC",
}


def zone_of(jurisdiction: str) -> ZoneInfo:
    return ZoneInfo(JURISDICTION_ZONES.get(jurisdiction, "UTC"))


def local_day(jurisdiction: str, moment: datetime) -> date:
    """The date a moment falls on where the jurisdiction's law counts days."""
    return moment.astimezone(zone_of(jurisdiction)).date()


def end_of_local_day(day: date | None, jurisdiction: str) -> datetime | None:
    """The last second of ``day`` where the jurisdiction counts days, in UTC."""
    if day is None:
        return None
    return datetime.combine(day, time(23, 59, 59), zone_of(jurisdiction)).astimezone(UTC)


class RequestDeadlines(NamedTuple):
    policy: str
    policy_version: str
    respond_by: datetime
    acknowledge_by: datetime | None
    target_by: datetime | None
    extended_respond_by: datetime | None
    extension_notice_by: datetime | None

    @property
    def watch_at(self) -> datetime:
        """When the desk starts to worry: the internal target if it is stricter, else the law's."""
        return min(self.respond_by, self.target_by) if self.target_by else self.respond_by

    def fields(self) -> dict[str, str | None]:
        """What the request item stores (ISO-8601 in UTC; None where the law sets nothing)."""
        moments = {
            "respond_by": self.respond_by,
            "acknowledge_by": self.acknowledge_by,
            "target_by": self.target_by,
            "extended_respond_by": self.extended_respond_by,
            "extension_notice_by": self.extension_notice_by,
            "watch_at": self.watch_at,
        }
        return {
            "deadline_policy": self.policy,
            "deadline_policy_version": self.policy_version,
            **{name: value.isoformat() if value else None for name, value in moments.items()},
        }


def deadlines_for(
    jurisdiction: str,
    request_types: Iterable[RequestType],
    received_at: datetime,
    *,
    country: str | None = None,
    region: str | None = None,
    clock_started_at: datetime | None = None,
    paused_days: int = 0,
) -> RequestDeadlines:
    """The request's deadlines under ``jurisdiction``; ``clock_started_at`` where the law restarts
    the clock (UK: identification received), ``paused_days`` where it stood still (UK: waiting
    for clarification)."""
    received = local_day(jurisdiction, received_at)
    started = local_day(jurisdiction, clock_started_at) if clock_started_at else None
    kinds: list[RequestType | None] = list(dict.fromkeys(request_types)) or [None]
    per_type = [
        due_dates(
            jurisdiction, received, kind, country, region, clock_started=started, paused_days=paused_days
        )
        for kind in kinds
    ]
    strictest: DueDates = min(per_type, key=lambda d: d.respond_by)
    acknowledge = min((d.acknowledge_by for d in per_type if d.acknowledge_by), default=None)
    target = min((d.internal_target for d in per_type if d.internal_target), default=None)
    return RequestDeadlines(
        policy=strictest.policy,
        policy_version=strictest.policy_version,
        respond_by=_required(end_of_local_day(strictest.respond_by, jurisdiction)),
        acknowledge_by=end_of_local_day(acknowledge, jurisdiction),
        target_by=end_of_local_day(target, jurisdiction),
        extended_respond_by=end_of_local_day(strictest.extended_respond_by, jurisdiction),
        extension_notice_by=end_of_local_day(strictest.extension_notice_by, jurisdiction),
    )


def recounted(
    request: PrivacyRequest, *, clock_started_at: datetime | None = None, paused_days: int | None = None
) -> RequestDeadlines:
    """The request's deadlines counted again: from a new start of the clock (identification
    received), or with more days it stood still; otherwise as the request has them."""
    return deadlines_for(
        request.jurisdiction,
        request.request_types,
        request.received_at,
        country=request.country,
        region=request.region,
        clock_started_at=clock_started_at or request.clock_started_at,
        paused_days=request.paused_days if paused_days is None else paused_days,
    )


def _required(moment: datetime | None) -> datetime:
    if moment is None:
        raise ValueError("a response date is always set")
    return moment


class AppealDeadlines(NamedTuple):
    respond_by: datetime
    extended_respond_by: datetime | None
    extension_notice_by: datetime | None


def request_policy(request: PrivacyRequest) -> DeadlinePolicy:
    """The policy version the request runs on: the one it recorded, else (a request recorded
    before versions were named) the one in force on the local day it was received. Raises
    ``DeadlineError`` if the table no longer has its jurisdiction."""
    table = policies()
    code = request.deadline_policy or request.jurisdiction
    recorded = request.deadline_policy_version
    named = table.policy(code).version_named(recorded) if recorded else None
    if named is not None:
        return named
    return table.in_force(code, local_day(request.jurisdiction, request.received_at)).policy


def appeal_deadlines_for(
    jurisdiction: str,
    appeal_received_at: datetime,
    *,
    country: str | None = None,
    region: str | None = None,
    policy: DeadlinePolicy | None = None,
) -> AppealDeadlines | None:
    """When an appeal received at ``appeal_received_at`` must be answered under ``policy`` (the
    request's version; by default the one in force on the day of the appeal); None where the law
    sets no appeal clock. Counted from the appeal, not the request."""
    appealed = local_day(jurisdiction, appeal_received_at)
    dates = appeal_due_dates(jurisdiction, appealed, country, region, policy=policy)
    if dates.respond_by is None:
        return None
    return AppealDeadlines(
        respond_by=_required(end_of_local_day(dates.respond_by, jurisdiction)),
        extended_respond_by=end_of_local_day(dates.extended_respond_by, jurisdiction),
        extension_notice_by=end_of_local_day(dates.extension_notice_by, jurisdiction),
    )
