"""Global Privacy Control as a browser sends it: which ``Sec-GPC`` values are the signal, and what
a page the signal reached says. Apart from the jurisdictions table (``opt_out_signals``), which
only the signal's own route reads, so that every page can ask this without loading the table."""

from collections.abc import Iterable

HONORED = "Opt-Out Preference Signal Honored"
"""What the page a signal reached shows, in 11 CCR 7025(c)(6)'s words."""


def signal_sent(header_values: Iterable[str | None]) -> bool:
    """Whether the ``Sec-GPC`` header values say ``1``: each value (and each comma-separated part
    of a combined one) trimmed; any that is exactly ``1`` counts. ``0``, ``true``, ``11`` or a
    ``1`` inside other text do not."""
    return any(part.strip() == "1" for value in header_values if value for part in value.split(","))
