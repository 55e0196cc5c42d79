"""``dsr deadlines``: a request's due dates under one jurisdiction, with the rule and source of each."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import TextIO

from dsr.policies.deadline_table import DeadlineError, policies
from dsr.policies.deadlines import DueDates, as_json, due_dates

LABELS = {
    "acknowledge_by": "acknowledge by",
    "respond_by": "respond by",
    "extended_respond_by": "extended respond by",
    "extension_notice_by": "extension notice by",
}
USAGE_ERROR = 2


def print_deadlines(
    jurisdiction: str,
    received: str,
    request_type: str | None = None,
    country: str | None = None,
    region: str | None = None,
    *,
    json_output: bool = False,
    out: TextIO | None = None,
) -> int:
    """Print the deadlines; a bad jurisdiction, date or type is an error on stderr (status 2)."""
    out = out or sys.stdout
    try:
        table = policies()
        code = jurisdiction.strip().upper()
        table.policy(code)
        dates = due_dates(code, _received(received), request_type, country, region, table=table)
    except DeadlineError as error:
        print(f"dsr deadlines: {error}", file=sys.stderr)
        return USAGE_ERROR
    if json_output:
        print(json.dumps(as_json(dates), indent=2), file=out)
    else:
        print(_as_text(dates), file=out)
    return 0


def _received(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DeadlineError(f"--received {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31") from None


def _as_text(dates: DueDates) -> str:
    kind = dates.request_type.value if dates.request_type else "any (the general rules)"
    applied = dates.rules["policy"]
    heading = f"{dates.jurisdiction}: policy {dates.policy}, version {dates.policy_version}"
    lines = [
        heading if dates.policy == dates.jurisdiction else f"{heading} (the law is not in force yet)",
        f"  rule:   {applied.rule}",
        f"  law:    {applied.source}",
        f"received {_day(dates.received)}; request type: {kind}",
        f"days off: {dates.holidays}",
    ]
    if dates.clock_started != dates.received:
        lines.append(f"clock restarted {_day(dates.clock_started)}")
    lines.append("")
    for key, label in LABELS.items():
        due: date | None = getattr(dates, key)
        explanation = dates.rules[key]
        lines.append(f"{label:<21}{_day(due) if due else 'none'}")
        lines.append(f"  rule:   {explanation.rule}")
        if explanation.source:
            lines.append(f"  source: {explanation.source}")
    lines.append("")
    target = dates.internal_target
    lines.append(f"{'internal target':<21}{_day(target) if target else 'none'}")
    lines.append(f"  rule:   {dates.rules['internal_target'].rule}")
    basis = "the internal target" if target and dates.reminder_basis == target else "the legal due date"
    if target and target > dates.respond_by:
        basis += ", which comes before the company's target: the law's date governs"
    lines.append(f"{'reminders go by':<21}{_day(dates.reminder_basis)} ({basis})")
    return "\n".join(lines)


def _day(value: date) -> str:
    return f"{value.isoformat()} ({value.strftime('%A')})"
