"""Tables of a PostgreSQL or MySQL/MariaDB database (accounts, their invoices, support notes),
found through the subject's identity column or through a parent's key (an invoice's account_id,
of the subject's account).

Before its first statement the connector checks the registry's tables and columns against the
database's catalog, and that each column a subject is found by leads an index: it refuses to run
otherwise, naming the system, the registry field and the fix. Only names the catalog returned are
quoted into statements; every value is a parameter. Exports stream through a server-side cursor;
each change runs in one transaction, children's rows before their parents', and is idempotent.
The SQL that differs between databases is ``dsr.connectors.sql_dialect``'s: one connector,
a dialect per store kind.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from dsr.connectors.base import FlagValue, Record, Replacement, StoreLayoutError, Subject
from dsr.connectors.sql_dialect import MySqlDialect, PostgresDialect, SqlDialect, SqlSession
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import MySqlStore, SqlStore, SqlTable

TABLE_FIELD = "_table"
"""The field of an exported record that names the table it came from."""

DELETE = "delete"
Change = str | Mapping[str, Replacement]
"""What a change does to a table's rows: ``delete`` them, or write {column: value}."""


class CheckedTable(NamedTuple):
    spec: SqlTable
    name: str
    """schema.table, quoted from the catalog's own names."""
    columns: dict[str, str]
    """Registry column -> the catalog's name for it, quoted."""


class CheckedSystem(NamedTuple):
    tables: dict[str, CheckedTable]
    children_first: list[str]


def database_problems(system: SystemEntry, session: SqlSession) -> list[str]:
    """Everything in the system's registry entry the database does not hold as declared: tables,
    columns, and an index leading with each column a subject is found by. Empty if it can run."""
    return _check(system, session, dialect_of(_store_of(system)))[1]


def dialect_of(store: SqlStore) -> SqlDialect:
    """The SQL of the store's kind of database."""
    return MySqlDialect() if isinstance(store, MySqlStore) else PostgresDialect()


def _check(system: SystemEntry, session: SqlSession, dialect: SqlDialect) -> tuple[CheckedSystem, list[str]]:
    store = _store_of(system)
    problems: list[str] = []
    tables: dict[str, CheckedTable] = {}
    schema = store.schema_name or _current_schema(session)
    where_written = _written_columns(system)
    for index, spec in enumerate(store.tables):
        field = f"tables[{index}]"
        catalog = set(dialect.columns_of(session, schema, spec.table))
        if not catalog:
            problems.append(f"system {system.id}: schema {schema} has no table {spec.table} ({field}.table)")
            continue
        wanted = _columns_of(spec, field) + where_written.get(spec.table, [])
        for column, where in wanted:
            if column not in catalog:
                problems.append(f"system {system.id}: table {spec.table} has no column {column} ({where})")
        problems += _parent_key_problems(system.id, spec, field, tables, catalog)
        lookup = spec.lookup_column
        if lookup in catalog and not dialect.indexes_leading_with(session, schema, spec.table, lookup):
            which = "identity" if spec.identity is not None else "parent"
            problems.append(
                f"system {system.id}: table {spec.table} has no index with {lookup} first, so finding a "
                f"subject would read the whole table ({field}.{which}.column); create one: "
                f"{dialect.create_index(schema, spec.table, lookup)}"
            )
        tables[spec.table] = CheckedTable(
            spec,
            f"{dialect.quote(schema)}.{dialect.quote(spec.table)}",
            {name: dialect.quote(name) for name in catalog},
        )
    references = dialect.references_between(session, schema, list(tables)) if not problems else []
    return CheckedSystem(tables, _children_first(store, references)), problems


def _parent_key_problems(
    system_id: str, spec: SqlTable, field: str, tables: Mapping[str, CheckedTable], catalog: set[str]
) -> list[str]:
    """The parent's key column, when the parent is found and the key is not the same-named
    column already reported missing from this table."""
    parent = tables.get(spec.parent.table) if spec.parent is not None else None
    if spec.parent is None or parent is None or spec.parent.key_in_parent in parent.columns:
        return []
    if spec.parent.parent_column is None and spec.parent.column not in catalog:
        return []
    which = "parent_column" if spec.parent.parent_column else "column"
    return [
        f"system {system_id}: table {spec.parent.table} has no column {spec.parent.key_in_parent} "
        f"({field}.parent.{which})"
    ]


def _store_of(system: SystemEntry) -> SqlStore:
    if not isinstance(system.store, SqlStore):
        raise TypeError(f"system {system.id} is not a database system")
    return system.store


def _current_schema(session: SqlSession) -> str:
    """The connection's own database (MySQL's schema), when the registry names none."""
    rows = session.run("SELECT DATABASE()") or []
    return str(rows[0][0]) if rows and rows[0][0] is not None else ""


def _columns_of(spec: SqlTable, field: str) -> list[tuple[str, str]]:
    wanted = [(column, f"{field}.export[{i}]") for i, column in enumerate(spec.export)]
    if spec.identity is not None:
        wanted.append((spec.identity.column, f"{field}.identity.column"))
    if spec.parent is not None:
        wanted.append((spec.parent.column, f"{field}.parent.column"))
    if not isinstance(spec.erase, str):
        wanted += [(column, f"{field}.erase.anonymize") for column in spec.erase.anonymize]
    return wanted


def _written_columns(system: SystemEntry) -> dict[str, list[tuple[str, str]]]:
    """table -> (column, registry field) for each table.column an action of the system writes."""
    written: dict[str, list[tuple[str, str]]] = {}
    for where, names in system.written_attributes():
        for name in names:
            table, column = name.split(".", 1)
            written.setdefault(table, []).append((column, where))
    return written


def _children_first(store: SqlStore, references: list[tuple[str, str]]) -> list[str]:
    """The tables in an order that deletes each table's rows before the rows they refer to: the
    declared parents, and the catalog's foreign keys among the declared tables."""
    refers_to: dict[str, set[str]] = {table.table: set() for table in store.tables}
    for table in store.tables:
        if table.parent is not None:
            refers_to[table.table].add(table.parent.table)
    for child, parent in references:
        refers_to[child].add(parent)
    ordered: list[str] = []
    remaining = [table.table for table in reversed(store.tables)]
    while remaining:
        # A table goes next when no table still waiting refers to it.
        ready = next(
            (t for t in remaining if not any(t in refers_to[o] for o in remaining if o != t)),
            remaining[0],  # a cycle of foreign keys: the declared order decides
        )
        ordered.append(ready)
        remaining.remove(ready)
    return ordered


# Statements below are made of the catalog's names, quoted, and parameters (S608, B608 read
# only that they are strings put together).


class SqlConnector:
    """A database system's tables, in the SQL of its store's kind (``dialect_of``)."""

    def __init__(
        self,
        connect: Callable[[], SqlSession],
        system: SystemEntry,
        discard: Callable[[], None] = lambda: None,
    ) -> None:
        self._connect = connect
        self._discard = discard
        self._system = system
        self._store = _store_of(system)
        self._dialect = dialect_of(self._store)
        self._checked: CheckedSystem | None = None
        self.rows_by_table: dict[str, int] = {}
        """The rows the last change affected in each table, for the outcome's details."""
        self.kept_anonymized: dict[str, tuple[int, list[str]]] = {}
        """Of the last erasure: per table kept rather than deleted, the rows and the columns
        anonymized."""

    # --- the connector's actions ---------------------------------------------------------------

    def export(self, subject: Subject | str) -> Iterator[Record]:
        session, checked = self._ready()
        subject = Subject.of(subject)
        self._dialect.begin(session, read_only=True)
        try:
            for spec in self._store.tables:
                table = checked.tables[spec.table]
                condition, params = self._subject_rows(session, checked, spec, subject)
                if condition is None:
                    continue
                columns = ", ".join(table.columns[column] for column in spec.export)
                query = f"SELECT {columns} FROM {table.name} WHERE {condition}"  # noqa: S608  # nosec B608
                for row in self._dialect.stream(session, query, params):
                    yield {TABLE_FIELD: spec.table, **{k: json_plain(v) for k, v in row.items()}}
        except BaseException:
            self._roll_back(session)
            raise
        self._dialect.commit(session)

    def delete(self, subject: Subject) -> int:
        """Each table as its ``erase`` says: rows deleted, or kept with columns anonymized (told
        apart in ``kept_anonymized``)."""
        changes: dict[str, Change] = {}
        for spec in self._store.tables:
            if spec.erase == DELETE:
                changes[spec.table] = DELETE
            elif not isinstance(spec.erase, str):
                changes[spec.table] = spec.erase.anonymize
        changed = self._change(subject, changes)
        self.kept_anonymized = {
            table: (count, list(change))
            for table, count in self.rows_by_table.items()
            if count and not isinstance(change := changes[table], str)
        }
        return changed

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        return self._change(subject, _by_table(replacements))

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        return self._change(subject, _by_table(values))

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        return self._change(subject, _by_table(fields))

    # --- how ------------------------------------------------------------------------------------

    def _ready(self) -> tuple[SqlSession, CheckedSystem]:
        """The connection (made on first use) and the tables, checked against its catalog once."""
        session = self._connect()
        if self._checked is None:
            checked, problems = _check(self._system, session, self._dialect)
            if problems:
                raise StoreLayoutError("; ".join(problems))
            self._checked = checked
        return session, self._checked

    def _change(self, subject: Subject, changes: Mapping[str, Change]) -> int:
        """Each table's change, children first, in one transaction: all of them or none."""
        session, checked = self._ready()
        counts: dict[str, int] = {}
        self.kept_anonymized = {}
        self._dialect.begin(session, read_only=False)
        try:
            for name in checked.children_first:
                change = changes.get(name)
                spec = checked.tables[name].spec
                condition, params = (
                    self._subject_rows(session, checked, spec, subject) if name in changes else (None, {})
                )
                if change is None or condition is None:
                    continue
                session.run(self._statement(checked.tables[name], change, condition, params), **params)
                counts[name] = max(session.row_count, 0)
        except BaseException:
            self._roll_back(session)
            raise
        self._dialect.commit(session)
        self.rows_by_table = counts
        return sum(counts.values())

    def _roll_back(self, session: SqlSession) -> None:
        """End the failed transaction; a connection that cannot even roll back is broken, and
        is dropped so that the workflow's retry connects afresh."""
        try:
            self._dialect.rollback(session)
        except Exception:  # the error being raised says what went wrong
            self._discard()

    def _statement(self, table: CheckedTable, change: Change, condition: str, params: dict[str, Any]) -> str:
        if isinstance(change, str):
            return f"DELETE FROM {table.name} WHERE {condition}"  # noqa: S608  # nosec B608
        assignments = []
        for index, (column, value) in enumerate(change.items()):
            params[f"value{index}"] = value
            assignments.append(f"{table.columns[column]} = {self._dialect.parameter(f'value{index}')}")
        return f"UPDATE {table.name} SET {', '.join(assignments)} WHERE {condition}"  # noqa: S608  # nosec B608

    def _subject_rows(
        self, session: SqlSession, checked: CheckedSystem, spec: SqlTable, subject: Subject
    ) -> tuple[str | None, dict[str, Any]]:
        """The WHERE condition that finds the subject's rows of ``spec`` and its parameters; None
        when the subject has no identity of the kind the table (or its parent) is found by."""
        table = checked.tables[spec.table]
        if spec.identity is not None:
            parameter = spec.identity.holds
            identities = subject.email_spellings() if parameter == "email" else subject.account_ids()
            if not identities:
                return None, {}
            column = table.columns[spec.identity.column]
            return self._dialect.matches_any(column, parameter), {parameter: identities}
        if spec.parent is None:
            raise StoreLayoutError(f"table {spec.table}: found neither by identity nor by parent")
        parent = checked.tables[spec.parent.table]
        condition, params = self._subject_rows(session, checked, parent.spec, subject)
        if condition is None:
            return None, {}
        key = parent.columns[spec.parent.key_in_parent]
        keys = f"SELECT {key} FROM {parent.name} WHERE {condition}"  # noqa: S608  # nosec B608
        column = table.columns[spec.parent.column]
        if self._dialect.subquery_uses_index:
            return f"{column} IN ({keys})", params
        # MySQL's single-table UPDATE and DELETE read every row for `IN (subquery)`: the parent's
        # keys are found first (by its index), then this table's rows by its own index.
        found = [row[0] for row in session.run(keys, **params) or []]
        if not found:
            return None, {}
        return self._dialect.matches_any(column, "parent_keys"), {"parent_keys": found}


def _by_table(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """{"accounts.name": v} -> {"accounts": {"name": v}}: the registry names table.column."""
    grouped: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        table, column = name.split(".", 1)
        grouped.setdefault(table, {})[column] = value
    return grouped


def _base64(value: bytes | bytearray | memoryview) -> str:
    return base64.b64encode(bytes(value)).decode("ascii")


_JSON_FORMS: dict[type, Callable[[Any], Any]] = {
    datetime: datetime.isoformat,
    date: date.isoformat,
    time: time.isoformat,
    Decimal: str,
    UUID: str,
    timedelta: str,
    bytes: _base64,
    bytearray: _base64,
    memoryview: _base64,
}


def json_plain(value: Any) -> Any:
    """A database value as plain JSON: dates and times ISO 8601, numerics as exact decimal text,
    bytes as base64, UUIDs and intervals as text; lists and objects value by value."""
    if isinstance(value, list | tuple):
        return [json_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): json_plain(item) for key, item in value.items()}
    form = _JSON_FORMS.get(type(value))
    return value if form is None else form(value)
