"""The demonstration data lake: product events as Parquet, one object a day under the store's
prefix (``events/date=2026-10-0N/part-0.parquet``), each of several row groups, in a versioned
bucket, so that an erasure must rewrite objects and remove the versions that held the rows.

Ada and Grace have events on most days, Alan on one (in another spelling of his address); most
rows are other people's, so a test can see that one person's erasure leaves theirs alone."""

from __future__ import annotations

import io
from typing import Any

from dsr.core.registry_stores import S3ParquetStore

DAYS = ("2026-10-01", "2026-10-02", "2026-10-03")
ROWS_PER_GROUP = 4
EVENTS = ("page_view", "sign_in", "export_report", "search")


def lake_rows() -> dict[str, list[dict[str, Any]]]:
    """Each day's rows, in the order they are written (row groups of ROWS_PER_GROUP)."""
    people = {
        "2026-10-01": ["ada@example.com", "grace@example.org", "Ada@Example.com"],
        "2026-10-02": ["grace@example.org", "ALAN@example.net "],
        "2026-10-03": ["ada@example.com", "grace@example.org"],
    }
    days: dict[str, list[dict[str, Any]]] = {}
    for day_number, day in enumerate(DAYS):
        emails = [f"visitor{day_number}{n:02d}@example.com" for n in range(8)] + people[day]
        days[day] = [
            {
                "event_time": f"{day}T{8 + n:02d}:{(7 * n) % 60:02d}:00Z",
                "user_email": email,
                "event": EVENTS[n % len(EVENTS)],
                "page": f"/app/{EVENTS[n % len(EVENTS)].replace('_', '-')}",
                "ip": f"198.51.100.{10 * day_number + n}",
                "country": ("GB", "US", "DE")[n % 3],
            }
            for n, email in enumerate(sorted(emails, key=str.casefold))
        ]
    return days


def lake_emails() -> set[str]:
    """The addresses (normalized) that have rows in the lake."""
    return {row["user_email"].strip().lower() for rows in lake_rows().values() for row in rows}


def seed_lake(s3: Any, store: S3ParquetStore) -> int:
    """Write each day's object into the (versioned) bucket; the number of rows written."""
    import pyarrow as pa  # noqa: PLC0415 - only a local cloud with a data lake loads pyarrow
    import pyarrow.parquet as pq  # noqa: PLC0415

    s3.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    written = 0
    for day, rows in lake_rows().items():
        table = pa.Table.from_pylist(rows)
        body = io.BytesIO()
        pq.write_table(table, body, row_group_size=ROWS_PER_GROUP, compression="zstd")
        key = f"{store.prefix}date={day}/part-0.parquet"
        s3.put_object(
            Bucket=store.bucket, Key=key, Body=body.getvalue(), ContentType="application/vnd.apache.parquet"
        )
        written += table.num_rows
    return written
