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


class _CatalogDialect:
    """What every dialect does alike: the catalog's columns read by one query, the rows of a
    catalog query as names, the suggested index, identifier quoting, commit and rollback."""

    fetch_batch = 500
    columns_query = ""
    """Columns of ``table`` in ``schema``, in order (each query in the dialect's parameters)."""
    indexes_query = ""
    """Names of the indexes of ``table`` in ``schema`` whose first column is ``column``."""
    references_query = ""
    """(referencing table, referenced table) for each foreign key among the list ``tables``."""
    unique_references = False
    """The catalog may list a foreign key once a column: keep each pair of tables once, sorted."""
    quote_mark = '"'
    identifier_limit = 63
    """The longest identifier the database keeps."""

    # --- the catalog -----------------------------------------------------------------------------

    def columns_of(self, session: SqlSession, schema: str, table: str) -> list[str]:
        """The table's columns as the catalog names them; empty if there is no such table."""
        rows = session.run(self.columns_query, schema=schema, table=table)
        return [str(row[0]) for row in rows or []]

    def indexes_leading_with(self, session: SqlSession, schema: str, table: str, column: str) -> list[str]:
        """The usable indexes whose first column is ``column``."""
        rows = session.run(self.indexes_query, schema=schema, table=table, column=column)
        return [str(row[0]) for row in rows or []]

    def references_between(
        self, session: SqlSession, schema: str, tables: Sequence[str]
    ) -> list[tuple[str, str]]:
        """(referencing table, referenced table) for each foreign key among ``tables``."""
        rows = session.run(self.references_query, schema=schema, tables=list(tables))
        pairs = [(str(child), str(parent)) for child, parent in rows or [] if child != parent]
        return sorted(set(pairs)) if self.unique_references else pairs

    def create_index(self, schema: str, table: str, column: str) -> str:
        """The statement that would give ``table`` the index its lookups need."""
        name = self.quote(f"{table}_{column}_idx"[: self.identifier_limit])
        return f"CREATE INDEX {name} ON {self.quote(schema)}.{self.quote(table)} ({self.quote(column)})"

    # --- statements ----------------------------------------------------------------------------

    @classmethod
    def quote(cls, identifier: str) -> str:
        """A name the catalog returned, quoted as an identifier (never a value)."""
        mark = cls.quote_mark
        return mark + identifier.replace(mark, mark + mark) + mark

    def commit(self, session: SqlSession) -> None:
        session.run("COMMIT")

    def rollback(self, session: SqlSession) -> None:
        session.run("ROLLBACK")


class PostgresDialect(_CatalogDialect):
    name = "PostgreSQL"
    subquery_uses_index = True
    """``column IN (SELECT ...)`` is an index scan on ``column`` in a DELETE or UPDATE too."""
    cursor_name = "dsr_subject_rows"

    columns_query = (
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position"
    )
    indexes_query = (
        "SELECT index_class.relname FROM pg_catalog.pg_index AS ix "
        "JOIN pg_catalog.pg_class AS table_class ON table_class.oid = ix.indrelid "
        "JOIN pg_catalog.pg_namespace AS ns ON ns.oid = table_class.relnamespace "
        "JOIN pg_catalog.pg_class AS index_class ON index_class.oid = ix.indexrelid "
        "JOIN pg_catalog.pg_attribute AS att "
        "ON att.attrelid = table_class.oid AND att.attnum = ix.indkey[0] "
        "WHERE ns.nspname = :schema AND table_class.relname = :table AND att.attname = :column "
    )
    references_query = (
        "SELECT child.relname, parent.relname FROM pg_catalog.pg_constraint AS con "
        "JOIN pg_catalog.pg_class AS child ON child.oid = con.conrelid "
        "JOIN pg_catalog.pg_class AS parent ON parent.oid = con.confrelid "
        "JOIN pg_catalog.pg_namespace AS ns ON ns.oid = child.relnamespace "
        "WHERE con.contype = 'f' AND ns.nspname = :schema "
    )

    # --- statements ----------------------------------------------------------------------------

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


class MySqlDialect(_CatalogDialect):
    """MySQL and MariaDB, InnoDB tables: a schema is a database."""

    name = "MySQL"
    subquery_uses_index = False
    """A single-table DELETE or UPDATE reads the whole table for ``column IN (SELECT ...)``
    (MariaDB before 11.1, MySQL before 8.0.21): the connector looks the keys up first."""

    columns_query = (
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS "
        "WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s ORDER BY ORDINAL_POSITION"
    )
    indexes_query = (
        "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = %(schema)s AND TABLE_NAME = %(table)s AND COLUMN_NAME = %(column)s "
    )
    references_query = (
        "SELECT usage_.TABLE_NAME, usage_.REFERENCED_TABLE_NAME "
        "FROM information_schema.KEY_COLUMN_USAGE AS usage_ "
        "JOIN information_schema.REFERENTIAL_CONSTRAINTS AS rc "
        "ON rc.CONSTRAINT_SCHEMA = usage_.CONSTRAINT_SCHEMA "
        "AND rc.CONSTRAINT_NAME = usage_.CONSTRAINT_NAME AND rc.TABLE_NAME = usage_.TABLE_NAME "
        "WHERE usage_.TABLE_SCHEMA = %(schema)s AND usage_.REFERENCED_TABLE_SCHEMA = %(schema)s "
    )
    unique_references = True
    quote_mark = "`"
    identifier_limit = 64

    # --- statements ----------------------------------------------------------------------------

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

    def stream(self, session: SqlSession, query: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """The query's rows through an unbuffered (server-side) cursor, ``fetch_batch`` at a time."""
        if not isinstance(session, StreamingSqlSession):
            raise TypeError("a MySQL connection streams through dsr.connectors.mysql_connection.MySqlSession")
        return session.stream_rows(query, params, self.fetch_batch)


SqlDialect = PostgresDialect | MySqlDialect
