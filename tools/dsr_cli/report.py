"""``dsr report metrics``: the CCPA 7102 figures for a year, from the staff API: a short table,
one JSON document (``--json``) or CSV (``--format csv``)."""

from __future__ import annotations

import json
from typing import Any, TextIO
from urllib.parse import urlencode

from dsr_cli.command import CommandError, print_json, refusal
from dsr_cli.http_client import DeskClient

COLUMNS = (
    ("request_type", "request type", 22),
    ("received", "received", 9),
    ("complied_in_whole", "complied", 9),
    ("complied_in_part", "in part", 8),
    ("denied", "denied", 7),
    ("unverifiable", "unverified", 11),
    ("pending", "pending", 8),
    ("median_days", "median days", 11),
)


def print_metrics(
    client: DeskClient,
    year: int | None,
    output_format: str = "table",
    jurisdiction: str | None = None,
    *,
    out: TextIO,
) -> int:
    """Ask the desk (an admin's token) for the year's figures (by default its current year)."""
    query: dict[str, str | int] = {"format": "csv" if output_format == "csv" else "json"}
    if year is not None:
        query["year"] = year
    if jurisdiction:
        query["jurisdiction"] = jurisdiction
    answer = client.get(f"/staff/reports/metrics?{urlencode(query)}")
    if answer.status != 200:
        raise CommandError(f"the desk refused the report: {refusal(answer)}")
    if output_format == "csv":
        out.write(str(answer.body))
    elif output_format == "json":
        print_json(answer.body, out)
    else:
        print(as_table(answer.body), file=out)
    return 0


def as_table(report: dict[str, Any]) -> str:
    """The figures per request type that had any request, and the total."""
    where = report.get("jurisdiction") or "all jurisdictions"
    heading = f"Requests received in {report['year']}, {where} (CCPA 7102 figures)"
    rows = [row for row in report["request_types"] if row["received"]]
    lines = (
        [f"{heading}: none."]
        if not rows
        else [heading, "  ".join(f"{title:<{width}}" for _, title, width in COLUMNS).rstrip()]
    )
    for row in rows:
        cells = ("-" if row[name] is None else json.dumps(row[name]).strip('"') for name, _, _ in COLUMNS)
        lines.append(
            "  ".join(f"{cell:<{width}}" for cell, (_, _, width) in zip(cells, COLUMNS, strict=True)).rstrip()
        )
    return "\n".join(lines + _signal_lines(report))


def _signal_lines(report: dict[str, Any]) -> list[str]:
    """Global Privacy Control signals by jurisdiction: received, and how many opted a person out."""
    signals = report.get("preference_signals") or []
    if not signals:
        return []
    lines = ["", f"Global Privacy Control signals in {report['year']}", "jurisdiction  received  opted out"]
    lines += [f"{row['jurisdiction']:<12}  {row['received']:<8}  {row['opted_out']}" for row in signals]
    return lines
