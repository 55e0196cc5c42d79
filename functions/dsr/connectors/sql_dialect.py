"""What differs between SQL databases, in one place: the catalog queries that check a registry's
tables, columns and indexes, how an identifier is quoted once the catalog has it, how a set of
identities is matched, and how rows are streamed with a server-side cursor. PostgreSQL's is
here; a MySQL dialect would answer the same questions.

Every statement takes its values as parameters (``:name``, pg8000's native style); only names
the catalog returned are ever put into a statement's text, quoted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol


class SqlSession(Protocol):
    """What the connector needs of a database connection (pg8000.native.Connection has it)."""

    @property
    def row_count(self) -> int: ...

    @property
    def columns(self) -> list[dict[str, Any]] | None: ...

    def run(self, sql: str, **params: Any) -> list[list[Any]] | None: ...


class PostgresDialect:
    name = "PostgreSQL"
    fetch_batch = 500
    cursor_name = "dsr_subject_rows"

    # --- the catalog -----------------------------------------------------------------------------

    def columns_of(self, session: SqlSession, schema: str, table: str) -> list[str]:
        """The table's columns as the catalog names them; empty if there is no such table."""
        rows = session.run(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position",
            schema=schema,
            table=table,
        )
        return [str(row[0]) for row in rows or []]

    def indexes_leading_with(self, session: SqlSession, schema: str, table: str, column: str) -> list[str]:
        """The valid, whole-table indexes whose first column is ``column``."""
        rows = session.run(
            "SELECT index_class.relname FROM pg_catalog.pg_index AS ix "
            "JOIN pg_catalog.pg_class AS table_class ON table_class.oid = ix.indrelid "
            "JOIN pg_catalog.pg_namespace AS ns ON ns.oid = table_class.relnamespace "
            "JOIN pg_catalog.pg_class AS index_class ON index_class.oid = ix.indexrelid "
            "JOIN pg_catalog.pg_attribute AS att "
            "ON att.attrelid = table_class.oid AND att.attnum = ix.indkey[0] "
            "WHERE ns.nspname = :schema AND table_class.relname = :table AND att.attname = :column "
            "AND ix.indisvalid AND ix.indpred IS NULL",
            schema=schema,
            table=table,
            column=column,
        )
        return [str(row[0]) for row in rows or []]

    def references_between(
        self, session: SqlSession, schema: str, tables: Sequence[str]
    ) -> list[tuple[str, str]]:
        """(referencing table, referenced table) for each foreign key among ``tables``."""
        rows = session.run(
            "SELECT child.relname, parent.relname FROM pg_catalog.pg_constraint AS con "
            "JOIN pg_catalog.pg_class AS child ON child.oid = con.conrelid "
            "JOIN pg_catalog.pg_class AS parent ON parent.oid = con.confrelid "
            "JOIN pg_catalog.pg_namespace AS ns ON ns.oid = child.relnamespace "
            "WHERE con.contype = 'f' AND ns.nspname = :schema "
            "AND child.relname = ANY(:tables) AND parent.relname = ANY(:tables)",
            schema=schema,
            tables=list(tables),
        )
        return [(str(child), str(parent)) for child, parent in rows or [] if child != parent]

    def create_index(self, schema: str, table: str, column: str) -> str:
        """The statement that would give ``table`` the index its lookups need."""
        name = self.quote(f"{table}_{column}_idx"[:63])
        return f"CREATE INDEX {name} ON {self.quote(schema)}.{self.quote(table)} ({self.quote(column)})"

    # --- statements ----------------------------------------------------------------------------

    @staticmethod
    def quote(identifier: str) -> str:
        """A name the catalog returned, quoted as an identifier (never a value)."""
        return '"' + identifier.replace('"', '""') + '"'

    @staticmethod
    def matches_any(column: str, parameter: str) -> str:
        """``column`` equals one of the values in the list parameter (an index scan on it)."""
        return f"{column} = ANY(:{parameter})"

    def begin(self, session: SqlSession, *, read_only: bool) -> None:
        session.run(
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"
            if read_only
            else "START TRANSACTION"
        )

    def commit(self, session: SqlSession) -> None:
        session.run("COMMIT")

    def rollback(self, session: SqlSession) -> None:
        session.run("ROLLBACK")

    def stream(self, session: SqlSession, query: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The query's rows through a server-side cursor, ``fetch_batch`` at a time: memory holds
        one batch, however many rows there are. Inside a transaction the caller began."""
        cursor = self.quote(self.cursor_name)
        session.run(f"DECLARE {cursor} NO SCROLL CURSOR FOR {query}", **params)
        while True:
            rows = session.run(f"FETCH {self.fetch_batch} FROM {cursor}") or []
            names = [column["name"] for column in session.columns or []]
            for row in rows:
                yield dict(zip(names, row, strict=True))
            last = len(rows) < self.fetch_batch
            del rows  # let this batch go before the next arrives: one batch in memory at a time
            if last:
                break
        # Closed so the next table's rows may use the name; an error ends the transaction instead.
        session.run(f"CLOSE {cursor}")
