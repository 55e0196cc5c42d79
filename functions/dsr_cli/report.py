"""``dsr report metrics``: the CCPA 7102 figures for a year, from the staff API, as JSON or CSV."""

from __future__ import annotations

import json
import sys
from urllib.parse import urlencode

from dsr_cli.http_client import DeskClient


def print_metrics(
    url: str, token: str, year: int | None, output_format: str = "json", jurisdiction: str | None = None
) -> int:
    """Ask the desk (an admin's token) for the year's figures (this year by the desk's clock if
    ``year`` is None) and print them as they come."""
    query: dict[str, str | int] = {"format": output_format}
    if year is not None:
        query["year"] = year
    if jurisdiction:
        query["jurisdiction"] = jurisdiction
    answer = DeskClient(url, token).get(f"/staff/reports/metrics?{urlencode(query)}")
    if answer.status != 200:
        message = answer.body.get("message") if isinstance(answer.body, dict) else answer.body
        print(f"dsr report metrics: the desk answered {answer.status}: {message}", file=sys.stderr)
        return 1
    if output_format == "csv":
        sys.stdout.write(str(answer.body))
    else:
        print(json.dumps(answer.body, indent=2))
    return 0
