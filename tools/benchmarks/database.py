"""A PostgreSQL system at size, on the local cloud's embedded server, through the connector.

- Rows read per row found: one subject's lookup in a table of 1,000,000 rows, read from
  ``EXPLAIN (ANALYZE, BUFFERS)`` of the very statement the connector makes (the rows the scan
  returned, plus those it read and removed by its filter), beside the same statement on the same
  table without the index on the identity column (which the connector itself refuses to run on).
- Export memory: the peak Python memory (tracemalloc: pg8000 is pure Python, so every byte of a
  row passes through it) of exporting one subject's 200,000 rows through the server-side cursor,
  beside the same export of 20,000 rows. Bounded memory means the peak does not grow with the
  rows: the target is at most 1.5 times.
"""

from __future__ import annotations

import json
import textwrap
import tracemalloc
from collections.abc import Callable
from typing import Any

from benchmarks.figures import Figure
from dsr.connectors.base import Subject
from dsr.connectors.sql_database import SqlConnector
from dsr.core.registry import SystemEntry, parse_registry

BENCHMARK = "Database system"
TABLE_ROWS = 1_000_000
EXPORT_ROWS = 200_000
SMALL_EXPORT_ROWS = 20_000
SUBJECT = Subject(email="subject@example.com")

SYSTEM = """
systems:
  - id: bench-database
    name: Benchmark database
    owner: platform-team
    categories: [identifiers]
    store:
      kind: postgresql
      secret_arn_env: BENCH_DATABASE_SECRET_ARN
      tables:
        - table: {table}
          identity: {{column: email}}
          export: [id, email, name, amount, seen_at]
    actions:
      export: {{}}
"""


def _system(table: str) -> SystemEntry:
    return parse_registry(textwrap.dedent(SYSTEM.format(table=table))).systems[0]


def _fill(session: Any, table: str, rows: int, subject_rows: int) -> None:
    """``rows`` rows of other people, and ``subject_rows`` of the subject, indexed on email.
    ``table`` is one of this module's own names."""
    session.run(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, email text NOT NULL, name text, "
        "amount numeric(12, 2), seen_at timestamptz)"
    )
    session.run(
        f"INSERT INTO {table} SELECT g, 'person' || g || '@example.com', 'Person ' || g, g % 1000, "  # noqa: S608  # nosec B608
        "TIMESTAMPTZ '2026-01-01' + g * INTERVAL '1 second' FROM generate_series(1, :rows) AS g",
        rows=rows,
    )
    session.run(
        f"INSERT INTO {table} SELECT :offset + g, :email, 'The Subject', 12.5, now() "  # noqa: S608  # nosec B608
        "FROM generate_series(1, :rows) AS g",
        offset=rows,
        email=SUBJECT.email,
        rows=subject_rows,
    )
    session.run(f"CREATE INDEX {table}_email_idx ON {table} (email)")
    session.run(f"ANALYZE {table}")


def _rows_read(session: Any, query: str, params: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    """(rows read, rows found, the scan's plan) from EXPLAIN (ANALYZE, BUFFERS)."""
    plan = session.run(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {query}", **params)[0][0]
    root = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]
    read = found = 0.0
    nodes = [root]
    while nodes:
        node = nodes.pop()
        nodes += node.get("Plans", [])
        if node["Node Type"] in {"Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan"}:
            # Per loop (a parallel scan's workers each run one): times the loops, for the whole.
            loops = float(node.get("Actual Loops", 1))
            kept = float(node["Actual Rows"]) * loops
            removed = float(node.get("Rows Removed by Filter", 0)) + float(
                node.get("Rows Removed by Index Recheck", 0)
            )
            read += kept + removed * loops
            found += kept
    return read, found, {"node": root["Node Type"], "shared_hit": root.get("Shared Hit Blocks")}


Query = tuple[str, dict[str, Any]]
Reads = Callable[[str, dict[str, Any]], tuple[float, float, dict[str, Any]]]


def reads_with_and_without_index(
    recording: Any,
    system: SystemEntry,
    lookup: Callable[[], Query],
    reads: Reads,
    drop_index: Callable[[], object],
) -> tuple[float, float, dict[str, Any], dict[str, Any]]:
    """The subject's export through the connector on ``recording``; then, for the lookup statement
    it made (``lookup``), the reads per row found (``reads``: reads, rows found, details) with the
    identity column's index and again after ``drop_index``, and the details of each."""
    exported = list(SqlConnector(lambda: recording, system).export(SUBJECT))
    if len(exported) != 1:
        raise RuntimeError(f"the lookup found {len(exported)} rows, not the subject's one")
    query, params = lookup()
    read, found, detail = reads(query, params)
    drop_index()
    unindexed_read, _, unindexed_detail = reads(query, params)
    return read / max(found, 1.0), unindexed_read / max(found, 1.0), detail, unindexed_detail


def _lookup_figure(session: Any, rows: int) -> Figure:
    _fill(session, "lookup_people", rows, 1)
    from local_cloud.database import RecordingSession  # noqa: PLC0415 - loaded only when measured

    recording = RecordingSession(session)

    def declared_query() -> Query:
        declare, params = next((sql, p) for sql, p in recording.statements if sql.startswith("DECLARE"))
        return declare.split(" CURSOR FOR ", 1)[1], params

    per_row, unindexed_per_row, plan, unindexed_plan = reads_with_and_without_index(
        recording,
        _system("lookup_people"),
        declared_query,
        lambda query, params: _rows_read(session, query, params),
        lambda: session.run("DROP INDEX lookup_people_email_idx"),
    )
    return Figure(
        benchmark=BENCHMARK,
        measure=f"Rows read per row found: one subject in a table of {rows:,} rows",
        value=per_row,
        unit="rows",
        baseline="the same statement without the index on the identity column",
        baseline_value=unindexed_per_row,
        target="1.0 (an index scan reads only the subject's rows)",
        met=per_row == 1.0,
        detail={"plan": plan, "without_index": unindexed_plan, "table_rows": rows + 1},
    )


def _peak_export_bytes(session: Any, table: str) -> tuple[int, int]:
    """(rows exported, peak bytes traced) for one subject's export, every record consumed."""
    connector = SqlConnector(lambda: session, _system(table))
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        count = sum(1 for _ in connector.export(SUBJECT))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return count, peak


def _memory_figure(session: Any, small: int, large: int) -> Figure:
    _fill(session, "export_small", 1000, small)
    _fill(session, "export_large", 1000, large)
    _peak_export_bytes(session, "export_small")  # the connector's and driver's first use, not measured
    small_count, small_peak = _peak_export_bytes(session, "export_small")
    large_count, large_peak = _peak_export_bytes(session, "export_large")
    if (small_count, large_count) != (small, large):
        raise RuntimeError(f"exported {small_count} and {large_count} rows, not {small} and {large}")
    ratio = large_peak / small_peak
    return Figure(
        benchmark=BENCHMARK,
        measure=f"Export peak memory: {large:,} rows of one subject",
        value=large_peak / 1_000_000,
        unit="MB",
        baseline=f"the same export of {small:,} rows",
        baseline_value=small_peak / 1_000_000,
        target="at most 1.5 x the baseline",
        met=ratio <= 1.5,
        detail={"rows": large, "baseline_rows": small, "fetch_batch": 500},
    )


def run(scale: float) -> list[Figure]:
    from local_cloud import database  # noqa: PLC0415 - the server starts only when measured

    name = database.new_database(database.database_name("bench"), template="")
    session = database.connect(name)
    try:
        # At the least, both exports take several of the cursor's batches.
        rows = max(20_000, round(TABLE_ROWS * scale))
        large = max(20_000, round(EXPORT_ROWS * scale))
        small = max(2_000, round(SMALL_EXPORT_ROWS * scale))
        return [_lookup_figure(session, rows), _memory_figure(session, small, large)]
    finally:
        session.close()
        database.drop_database(name)
