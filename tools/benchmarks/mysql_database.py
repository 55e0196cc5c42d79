"""A MySQL system at size, on the tests' MariaDB server (``local_cloud.mysql_server``), through
the connector.

- Reads per row found: one subject's lookup in a table of 1,000,000 rows, from MariaDB's
  ``Handler_read_*`` status counters around the very statement the connector makes (each is a
  request to the storage engine for a row: an index lookup, the next entry of the index, the next
  row of a table read whole; the request that finds the end of the range counts too), beside the
  same statement on the same table without the index on the identity column (which the connector
  itself refuses to run on).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

from benchmarks.database import SUBJECT, reads_with_and_without_index
from benchmarks.figures import Figure
from dsr.connectors.mysql_connection import MySqlSession, connect_mysql
from dsr.core.registry import parse_registry

BENCHMARK = "MySQL database system"
TABLE_ROWS = 1_000_000

SYSTEM = """
systems:
  - id: bench-mysql
    name: Benchmark database
    owner: platform-team
    categories: [identifiers]
    store:
      kind: mysql
      secret_arn_env: BENCH_MYSQL_SECRET_ARN
      tables:
        - table: lookup_people
          identity: {column: email}
          export: [id, email, name, amount, seen_at]
    actions:
      export: {}
"""


class _Recording(MySqlSession):
    """The connection, keeping the queries the connector streams."""

    def __init__(self, session: MySqlSession) -> None:
        super().__init__(session.connection)
        self.streamed: list[tuple[str, dict[str, Any]]] = []

    def stream_rows(self, sql: str, params: Mapping[str, Any], batch: int) -> Iterator[dict[str, Any]]:
        self.streamed.append((sql, dict(params)))
        return super().stream_rows(sql, params, batch)


def _fill(session: MySqlSession, rows: int) -> None:
    """``rows`` rows of other people and one of the subject, indexed on email (MariaDB's
    sequence engine numbers them)."""
    session.run(
        "CREATE TABLE lookup_people (id bigint PRIMARY KEY, email varchar(255) NOT NULL, "
        "name varchar(255), amount decimal(12, 2), seen_at datetime(6), "
        "INDEX lookup_people_email_idx (email)) ENGINE=InnoDB"
    )
    session.run(
        f"INSERT INTO lookup_people SELECT seq, concat('person', seq, '@example.com'), "  # noqa: S608  # nosec B608
        "concat('Person ', seq), seq % 1000, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND "
        f"FROM seq_1_to_{int(rows)}"
    )
    session.run(
        "INSERT INTO lookup_people VALUES (%(id)s, %(email)s, 'The Subject', 12.5, now(6))",
        id=rows + 1,
        email=SUBJECT.email,
    )
    session.run("ANALYZE TABLE lookup_people")


def _reads(session: MySqlSession, query: str, params: dict[str, Any]) -> tuple[int, int, dict[str, int]]:
    """(row requests to the engine, rows found, the counters that moved) for one run of ``query``."""
    session.run("FLUSH STATUS")
    found = len(session.run(query, **params) or [])
    counters = {
        str(name): int(value)
        for name, value in session.run("SHOW SESSION STATUS LIKE 'Handler_read%%'") or []
        if int(value)
    }
    return sum(counters.values()), found, counters


def _lookup_figure(session: MySqlSession, rows: int) -> Figure:
    _fill(session, rows)
    recording = _Recording(session)
    per_row, unindexed_per_row, counters, unindexed_counters = reads_with_and_without_index(
        recording,
        parse_registry(textwrap.dedent(SYSTEM)).systems[0],
        lambda: recording.streamed[0],
        lambda query, params: _reads(session, query, params),
        lambda: session.run("ALTER TABLE lookup_people DROP INDEX lookup_people_email_idx"),
    )
    return Figure(
        benchmark=BENCHMARK,
        measure=f"Reads per row found (Handler_read_*): one subject in a table of {rows:,} rows",
        value=per_row,
        unit="reads",
        baseline="the same statement without the index on the identity column",
        baseline_value=unindexed_per_row,
        target="2.0 (one index lookup, one read that ends the range)",
        met=per_row <= 2.0,
        detail={"counters": counters, "without_index": unindexed_counters, "table_rows": rows + 1},
    )


def run(scale: float) -> list[Figure]:
    from local_cloud import mysql_server  # noqa: PLC0415 - the server starts only when measured

    name = mysql_server.new_database(mysql_server.database_name("bench"))
    session = connect_mysql(mysql_server.secret_for(name))
    try:
        return [_lookup_figure(session, max(20_000, round(TABLE_ROWS * scale)))]
    finally:
        session.run(f"DROP DATABASE `{name}`")
        session.close()
