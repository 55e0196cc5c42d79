"""What a change did in a system of many tables or objects, in words for the request's page: the
rows per table of a database (and those the law keeps, with columns anonymized), or the subject's
rows per object of a data lake. Names and counts only, never a value of the subject's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dsr.core.staff_catalog import staff_plural, staff_text


def rows_in(fields: Mapping[str, Any]) -> str | None:
    """``rows per table: accounts 1, invoices 2 (2 of them kept, billing_name anonymized)``, or ``rows per
    object: events/day=1.parquet 2 (1 object)``, in the staff catalog's words; None for an outcome
    that recorded neither."""
    if fields.get("rows_by_table"):
        listed = ", ".join(_pairs(str(fields["rows_by_table"])))
        kept = fields.get("kept_anonymized")
        if not kept:
            return staff_text("rows per table: %(rows)s", rows=listed)
        anonymized = str(fields.get("anonymized") or "").replace(",", ", ")
        return staff_text(
            "rows per table: %(rows)s (%(kept)s of them kept, %(columns)s anonymized)",
            rows=listed,
            kept=kept,
            columns=anonymized,
        )
    if fields.get("rows_by_object"):
        listed = ", ".join(_pairs(str(fields["rows_by_object"])))
        objects = int(fields.get("objects") or 0)
        return staff_plural(
            "rows per object: %(rows)s (%(count)s object)",
            "rows per object: %(rows)s (%(count)s objects)",
            objects,
            rows=listed,
        )
    return None


def _pairs(recorded: str) -> list[str]:
    """``accounts=1,invoices=3`` as ``accounts 1``, ``invoices 3`` (an object key may hold ``=``)."""
    return [" ".join(pair.rsplit("=", 1)) for pair in recorded.split(",") if pair]
