"""What differs between SQL databases, in one place: the catalog queries that check a registry's
tables, columns and indexes, how an identifier is quoted once the catalog has it, how a set of
identities is matched, and how rows are streamed with a server-side cursor: PostgreSQL's
(pg8000) and MySQL's or MariaDB's (PyMySQL, InnoDB tables).

Every statement takes its values as parameters (``:name`` for pg8000, ``%(name)s`` for PyMySQL);
only names the catalog returned are ever put into a statement's text, quoted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable


class SqlSession(Protocol):
    """What the connector needs of a database connection (pg8000.native.Connection has it;
    ``dsr.connectors.mysql_connection.MySqlSession`` gives a PyMySQL connection it)."""

    @property
    def row_count(self) -> int: ...

    @property
    def columns(self) -> list[dict[str, Any]] | None: ...

    def run(self, sql: str, **params: Any) -> list[list[Any]] | None: ...


@runtime_checkable
class StreamingSqlSession(SqlSession, Protocol):
    """A connection that streams a query's rows itself (PyMySQL's unbuffered cursor)."""

    def stream_rows(self, sql: str, params: Mapping[str, Any], batch: int) -> Iterator[dict[str, Any]]: ...


class PostgresDialect:
    name = "PostgreSQL"
    fetch_batch = 500
    subquery_uses_index = True
    """``column IN (SELECT ...)`` is an index scan on ``column`` in a DELETE or UPDATE too."""
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
    def parameter(name: str) -> str:
        """Where a statement takes the value of parameter ``name``."""
        return f":{name}"

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


class MySqlDialect:
    """MySQL and MariaDB, InnoDB tables: a schema is a database."""

    name = "MySQL"
    fetch_batch = 500
    subquery_uses_index = False
    """A single-table DELETE or UPDATE reads the whole table for ``column IN (SELECT ...)``
    (MariaDB before 11.1, MySQL before 8.0.21): the connector looks the keys up first."""

    # --- the catalog -----------------------------------------------------------------------------

    def columns_of(self, session: SqlSession, schema: str, table: str) -> list[str]:
        """The table's columns as the catalog names them; empty if there is no such table."""
        rows = session.run(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s ORDER BY ORDINAL_POSITION",
            schema=schema,
            table=table,
        )
        return [str(row[0]) for row in rows or []]

    def indexes_leading_with(self, session: SqlSession, schema: str, table: str, column: str) -> list[str]:
        """The B-tree (or hash) indexes whose first column is ``column``: not full-text nor spatial."""
        rows = session.run(
            "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s AND COLUMN_NAME = %(column)s "
            "AND SEQ_IN_INDEX = 1 AND INDEX_TYPE NOT IN ('FULLTEXT', 'SPATIAL')",
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
            "SELECT usage_.TABLE_NAME, usage_.REFERENCED_TABLE_NAME "
            "FROM information_schema.KEY_COLUMN_USAGE AS usage_ "
            "JOIN information_schema.REFERENTIAL_CONSTRAINTS AS rc "
            "ON rc.CONSTRAINT_SCHEMA = usage_.CONSTRAINT_SCHEMA "
            "AND rc.CONSTRAINT_NAME = usage_.CONSTRAINT_NAME AND rc.TABLE_NAME = usage_.TABLE_NAME "
            "WHERE usage_.TABLE_SCHEMA = %(schema)s AND usage_.REFERENCED_TABLE_SCHEMA = %(schema)s "
            "AND usage_.TABLE_NAME IN %(tables)s AND usage_.REFERENCED_TABLE_NAME IN %(tables)s",
            schema=schema,
            tables=list(tables),
        )
        return sorted({(str(child), str(parent)) for child, parent in rows or [] if child != parent})

    def create_index(self, schema: str, table: str, column: str) -> str:
        """The statement that would give ``table`` the index its lookups need."""
        name = self.quote(f"{table}_{column}_idx"[:64])
        return f"CREATE INDEX {name} ON {self.quote(schema)}.{self.quote(table)} ({self.quote(column)})"

    # --- statements ----------------------------------------------------------------------------

    @staticmethod
    def quote(identifier: str) -> str:
        """A name the catalog returned, quoted as an identifier (never a value)."""
        return "`" + identifier.replace("`", "``") + "`"

    @staticmethod
    def parameter(name: str) -> str:
        """Where a statement takes the value of parameter ``name``."""
        return f"%({name})s"

    @staticmethod
    def matches_any(column: str, parameter: str) -> str:
        """``column`` equals one of the values in the list parameter (PyMySQL writes a list as
        a parenthesized list of values: a range scan of the index)."""
        return f"{column} IN %({parameter})s"

    def begin(self, session: SqlSession, *, read_only: bool) -> None:
        # InnoDB's default isolation is REPEATABLE READ: one snapshot for the whole export.
        session.run("START TRANSACTION READ ONLY" if read_only else "START TRANSACTION")

    def commit(self, session: SqlSession) -> None:
        session.run("COMMIT")

    def rollback(self, session: SqlSession) -> None:
        session.run("ROLLBACK")

    def stream(self, session: SqlSession, query: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The query's rows through an unbuffered (server-side) cursor, ``fetch_batch`` at a time."""
        if not isinstance(session, StreamingSqlSession):
            raise TypeError("a MySQL connection streams through dsr.connectors.mysql_connection.MySqlSession")
        return session.stream_rows(query, params, self.fetch_batch)


SqlDialect = PostgresDialect | MySqlDialect
