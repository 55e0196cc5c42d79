"""The SQL connector on real servers, each test run for PostgreSQL (the local cloud's embedded
server) and for MariaDB (Debian's mariadb-server, started by local_cloud.mysql_server), in a
fresh copy of the demonstration database per test: what is exported and changed, what stays for
other people, idempotency, children's rows before their parents', and the registry checked
against the catalog. Each database's EXPLAIN shows the lookup column's index for every statement
the connector makes (one test per database: the plans differ in shape)."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import pytest
from moto import mock_aws

from dsr.connectors.base import StoreLayoutError, Subject
from dsr.connectors.mysql_connection import MySqlSession, connect_mysql
from dsr.connectors.sql_database import SqlConnector, database_problems, dialect_of
from dsr.connectors.sql_dialect import SqlDialect
from dsr.core.registry import SqlStore, SystemEntry, parse_registry
from dsr_cli.registry_check import check_registry
from local_cloud import database as postgresql_server
from local_cloud import mysql_server
from local_cloud.database import RecordingSession as PostgresRecordingSession

ADA = Subject(email="ada@example.com")

SYSTEM = """
systems:
  - id: crm-database
    name: Accounts and billing database
    owner: platform-team
    categories: [identifiers, billing details]
    store:
      kind: postgresql
      secret_arn_env: CRM_DATABASE_SECRET_ARN
      tables:
        - table: accounts
          identity: {column: email, holds: email}
          export: [account_id, email, name, phone, marketing_opt_in, processing_restricted, created_at]
        - table: invoices
          parent: {table: accounts, column: account_id}
          export: [invoice_id, account_id, issued_on, amount, currency, billing_name]
          erase: {anonymize: {billing_name: "[removed]"}}
        - table: support_notes
          parent: {table: accounts, column: account_id}
          export: [note_id, written_at, body, attachment]
    actions:
      export: {}
      erase: {method: delete}
      rectify:
        fields: {name: accounts.name, phone: accounts.phone}
      restrict:
        set_fields: {accounts.processing_restricted: true}
      opt_out:
        set_fields: {accounts.marketing_opt_in: false}
"""
MYSQL_SYSTEM = (
    SYSTEM.replace("id: crm-database", "id: crm-mysql")
    .replace("kind: postgresql", "kind: mysql")
    .replace("CRM_DATABASE_SECRET_ARN", "CRM_MYSQL_SECRET_ARN")
)


class MySqlRecordingSession(MySqlSession):
    """The connection, keeping every statement the connector runs and its parameters."""

    def __init__(self, session: MySqlSession) -> None:
        super().__init__(session.connection)
        self.statements: list[tuple[str, dict[str, Any]]] = []
        self.streamed: list[str] = []

    def run(self, sql: str, **params: Any) -> list[list[Any]] | None:
        self.statements.append((sql, dict(params)))
        return super().run(sql, **params)

    def stream_rows(self, sql: str, params: Mapping[str, Any], batch: int) -> Iterator[dict[str, Any]]:
        self.statements.append((sql, dict(params)))
        self.streamed.append(sql)
        return super().stream_rows(sql, params, batch)


class Database(NamedTuple):
    """One seeded database, its recording session and what its dialect says differently."""

    session: Any
    system_text: str
    schema: str
    secret: dict[str, Any]
    rows: Callable[..., list[list[Any]]]
    """Runs a statement the connector does not see (not recorded)."""
    streamed: Callable[[], list[str]]
    """The queries whose rows the connector streamed."""
    foreign_key_error: str
    drop_lookup_index: tuple[str, ...]
    """Statements that leave invoices.account_id leading no index."""
    create_logins: tuple[str, ...]
    """A logins table found by email whose rows refer to accounts by a foreign key."""

    @property
    def system_id(self) -> str:
        return self.system().id

    def system(self, text: str | None = None) -> SystemEntry:
        return parse_registry(textwrap.dedent(self.system_text if text is None else text)).systems[0]

    @property
    def dialect(self) -> SqlDialect:
        store = self.system().store
        assert isinstance(store, SqlStore)
        return dialect_of(store)

    def connector(self, text: str | None = None) -> SqlConnector:
        return SqlConnector(lambda: self.session, self.system(text))


def postgresql_database() -> Iterator[Database]:
    name = postgresql_server.new_database(postgresql_server.database_name("connector"))
    connection = postgresql_server.connect(name)
    recording = PostgresRecordingSession(connection)
    yield Database(
        session=recording,
        system_text=SYSTEM,
        schema="public",
        secret=postgresql_server.secret_for(name),
        rows=lambda sql, **params: list(connection.run(sql, **params) or []),
        streamed=lambda: [
            sql.split(" CURSOR FOR ", 1)[1] for sql, _ in recording.statements if sql.startswith("DECLARE")
        ],
        foreign_key_error="foreign key",
        drop_lookup_index=("DROP INDEX invoices_account_id_idx",),
        create_logins=(
            "CREATE TABLE logins (login_id bigint PRIMARY KEY, email text NOT NULL, "
            "account_id text NOT NULL REFERENCES accounts (account_id))",
            "CREATE INDEX logins_email_idx ON logins (email)",
        ),
    )
    connection.close()


def mysql_database() -> Iterator[Database]:
    name = mysql_server.new_demo_database("connector")
    recording = MySqlRecordingSession(connect_mysql(mysql_server.secret_for(name)))
    yield Database(
        session=recording,
        system_text=MYSQL_SYSTEM,
        schema=name,
        secret=mysql_server.secret_for(name),
        rows=lambda sql: MySqlSession.run(recording, sql) or [],
        streamed=lambda: recording.streamed,
        foreign_key_error="foreign key constraint fails",
        # InnoDB keeps the index a foreign key needs: the key goes first.
        drop_lookup_index=(
            "ALTER TABLE invoices DROP FOREIGN KEY invoices_account_fk",
            "ALTER TABLE invoices DROP INDEX invoices_account_id_idx",
        ),
        create_logins=(
            "CREATE TABLE logins (login_id bigint PRIMARY KEY, email varchar(255) NOT NULL, "
            "account_id varchar(64) NOT NULL, INDEX logins_email_idx (email), "
            "FOREIGN KEY (account_id) REFERENCES accounts (account_id)) ENGINE=InnoDB",
        ),
    )
    recording.close()


@pytest.fixture(params=["postgresql", "mysql"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    yield from postgresql_database() if request.param == "postgresql" else mysql_database()


@pytest.fixture
def postgresql() -> Iterator[Database]:
    yield from postgresql_database()


@pytest.fixture
def mysql() -> Iterator[Database]:
    yield from mysql_database()


def test_export_streams_the_subjects_rows_of_every_table_as_plain_json(db: Database) -> None:
    exported = list(db.connector().export(ADA))

    by_table: dict[str, list[dict[str, Any]]] = {}
    for record in exported:
        by_table.setdefault(record["_table"], []).append(record)
    assert [r["email"] for r in by_table["accounts"]] == ["ada@example.com"]
    assert sorted(r["invoice_id"] for r in by_table["invoices"]) == [5001, 5002]
    assert by_table["invoices"][0]["amount"] == "49.00"
    assert by_table["invoices"][0]["issued_on"] in {"2026-09-01", "2026-10-01"}
    assert by_table["support_notes"][0]["attachment"] == "iVBORyBzY3JlZW5zaG90"  # base64
    assert by_table["support_notes"][0]["written_at"].startswith("2026-10-12T09:30:00")
    assert "address" not in by_table["accounts"][0]  # only the declared columns
    streamed = db.streamed()
    assert len(streamed) == 3 and all(sql.startswith(f"SELECT {db.dialect.quote_mark}") for sql in streamed)


def test_erasure_deletes_children_first_anonymizes_kept_rows_and_leaves_others(db: Database) -> None:
    erasing = db.connector()

    assert erasing.delete(ADA) == 4
    assert erasing.rows_by_table == {"support_notes": 1, "invoices": 2, "accounts": 1}
    assert db.rows("SELECT count(*) FROM accounts WHERE email = 'ada@example.com'") == [[0]]
    assert db.rows("SELECT billing_name FROM invoices WHERE invoice_id IN (5001, 5002)") == [
        ["[removed]"],
        ["[removed]"],
    ]
    assert db.rows("SELECT count(*) FROM accounts") == [[2]]  # Grace and someone else
    assert db.rows("SELECT billing_name FROM invoices WHERE invoice_id = 5003") == [["Grace Hopper"]]
    changes = [sql.split()[0] for sql, _ in db.session.statements if sql.startswith(("DELETE", "UPDATE"))]
    assert changes == ["DELETE", "UPDATE", "DELETE"]  # notes, invoices, then the account


def test_erasure_carried_out_twice_changes_the_rows_once(db: Database) -> None:
    erasing = db.connector(db.system_text.replace('erase: {anonymize: {billing_name: "[removed]"}}', ""))

    assert erasing.delete(ADA) == 4
    assert erasing.delete(ADA) == 0
    assert db.rows("SELECT count(*) FROM invoices") == [[2]]


def test_a_failed_erasure_leaves_every_table_as_it_was(db: Database) -> None:
    # Notes are kept but refer to the account: deleting the account must fail, and the invoices
    # anonymized before it are as they were after the rollback.
    notes = "export: [note_id, written_at, body, attachment]"
    keeping = db.connector(db.system_text.replace(notes, notes + "\n          erase: keep"))

    with pytest.raises(Exception, match=db.foreign_key_error):
        keeping.delete(ADA)
    assert db.rows("SELECT billing_name FROM invoices WHERE invoice_id = 5001") == [["Ada Lovelace"]]
    assert db.rows("SELECT count(*) FROM accounts WHERE account_id = 'acct-1001'") == [[1]]


def test_correct_and_set_flags_write_only_the_declared_columns_of_the_subjects_rows(db: Database) -> None:
    reaching = db.connector()

    assert reaching.correct(ADA, {"accounts.name": "Augusta Ada King"}) == 1
    assert reaching.set_fields(ADA, {"accounts.processing_restricted": True}) == 1
    assert reaching.set_fields(ADA, {"accounts.marketing_opt_in": False}) == 1
    assert reaching.set_fields(ADA, {"accounts.marketing_opt_in": False}) == 1  # matched, unchanged
    assert reaching.anonymize(ADA, {"accounts.phone": None}) == 1
    accounts = db.rows(
        "SELECT name, processing_restricted, marketing_opt_in, phone FROM accounts ORDER BY account_id"
    )
    # MySQL's boolean is tinyint(1): PyMySQL reads 1 and 0 where pg8000 reads True and False.
    assert [
        [name, bool(restricted), bool(opt_in), phone] for name, restricted, opt_in, phone in accounts
    ] == [
        ["Augusta Ada King", True, False, None],
        ["Grace Hopper", False, True, "+12025550143"],
        ["Someone Else", False, True, None],
    ]


def test_identities_are_values_never_sql(db: Database) -> None:
    crafted = Subject(email="x' OR '1'='1")

    assert list(db.connector().export(crafted)) == []
    assert db.connector().delete(crafted) == 0
    assert db.rows("SELECT count(*) FROM accounts") == [[3]]


def test_an_absent_table_or_column_is_refused_naming_the_system_and_field(db: Database) -> None:
    misspelt = (
        db.system_text.replace(
            "parent: {table: accounts, column: account_id}\n          export: [invoice_id",
            "parent: {table: accounts, column: acount_id}\n          export: [invoice_id",
            1,
        )
        .replace("table: support_notes", "table: support_note")
        .replace("accounts.phone}", "accounts.phon}")
    )

    problems = database_problems(db.system(misspelt), db.session)

    assert problems == [
        f"system {db.system_id}: table accounts has no column phon (actions.rectify.fields)",
        f"system {db.system_id}: table invoices has no column acount_id (tables[1].parent.column)",
        f"system {db.system_id}: schema {db.schema} has no table support_note (tables[2].table)",
    ]
    with pytest.raises(StoreLayoutError, match=r"no column acount_id \(tables\[1\]\.parent\.column\)"):
        list(db.connector(misspelt).export(ADA))
    store_tables = f"FROM {db.dialect.quote(db.schema)}"
    assert not [sql for sql, _ in db.session.statements if store_tables in sql]  # nothing ran


def test_a_lookup_column_without_an_index_is_refused_with_the_index_to_create(db: Database) -> None:
    for statement in db.drop_lookup_index:
        db.rows(statement)

    with pytest.raises(StoreLayoutError) as refused:
        db.connector().delete(ADA)

    q = db.dialect.quote
    assert str(refused.value) == (
        f"system {db.system_id}: table invoices has no index with account_id first, so finding a subject "
        "would read the whole table (tables[1].parent.column); create one: "
        f"CREATE INDEX {q('invoices_account_id_idx')} ON {q(db.schema)}.{q('invoices')} ({q('account_id')})"
    )
    assert db.rows("SELECT count(*) FROM support_notes") == [[2]]


def test_dsr_registry_check_checks_a_database_system_against_its_catalog(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for statement in db.drop_lookup_index:
        db.rows(statement)
    registry = tmp_path / "systems.yaml"
    registry.write_text(textwrap.dedent(db.system_text).replace("billing_name]", "biling_name]"))
    store = db.system().store
    assert isinstance(store, SqlStore)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        secret = boto3.client("secretsmanager").create_secret(
            Name=db.system_id, SecretString=json.dumps(db.secret)
        )
        monkeypatch.setenv(store.secret_arn_env, secret["ARN"])
        out = io.StringIO()
        status = check_registry(registry, None, out)

    export_line = next(
        i for i, line in enumerate(registry.read_text().splitlines(), 1) if "biling_name]" in line
    )
    name_line = next(
        i for i, line in enumerate(registry.read_text().splitlines(), 1) if line.strip().startswith("name:")
    )
    q = db.dialect.quote
    assert status == 1
    said = out.getvalue().splitlines()
    # The system's name is English only: a warning beside the errors, which do not depend on it.
    assert [line for line in said if ": warning: " in line] == [
        f"{registry}:{name_line}: system {db.system_id}: warning: name has no fr, fr_CA, de, es "
        "text: subjects reading them are shown the English (give {en: ..., fr: ..., de: ...}; fr_CA "
        "falls back to fr)"
    ]
    assert [line for line in said if ": warning: " not in line] == [
        f"{registry}:{export_line}: system {db.system_id}: table invoices has no column biling_name "
        "(tables[1].export[5]); correct the name in the registry, or take it out if the database no "
        "longer has it",
        f"{registry}:{export_line - 1}: system {db.system_id}: table invoices has no index with account_id "
        "first, so finding a subject would read the whole table (tables[1].parent.column); create one: "
        f"CREATE INDEX {q('invoices_account_id_idx')} ON {q(db.schema)}.{q('invoices')} ({q('account_id')})",
    ]


def test_a_foreign_key_in_the_catalog_orders_the_deletes_whatever_the_declared_order(db: Database) -> None:
    for statement in db.create_logins:
        db.rows(statement)
    db.rows("INSERT INTO logins VALUES (1, 'ada@example.com', 'acct-1001')")
    # logins is found by its own email column and declared first, so the declared order alone
    # would delete it last: only the catalog's foreign key says its rows must go first.
    system = db.system_text.replace(
        "      tables:\n",
        "      tables:\n"
        "        - table: logins\n"
        "          identity: {column: email}\n"
        "          export: [login_id]\n",
    )

    erasing = db.connector(system)

    assert erasing.delete(ADA) == 5
    order = list(erasing.rows_by_table)
    assert order.index("logins") < order.index("accounts"), order
    assert db.rows("SELECT count(*) FROM logins") == [[0]]


def _run_every_statement(db: Database) -> None:
    reaching = db.connector()
    list(reaching.export(ADA))
    reaching.set_fields(ADA, {"accounts.processing_restricted": True})
    reaching.delete(ADA)


def test_postgresql_makes_every_statement_an_index_scan_on_the_lookup_column(postgresql: Database) -> None:
    """Enough rows that a sequential scan would be chosen if it were cheaper, then EXPLAIN of each
    statement the connector ran (a cursor's query, each DELETE and UPDATE)."""
    rows = postgresql.rows
    rows(
        "INSERT INTO accounts (account_id, email, name) "
        "SELECT 'bulk-' || g, 'person' || g || '@example.com', 'Person ' || g "
        "FROM generate_series(1, 20000) g",
    )
    rows(
        "INSERT INTO invoices (invoice_id, account_id, issued_on, amount) "
        "SELECT 100000 + g, 'bulk-' || (g % 20000 + 1), DATE '2026-01-01', 1 "
        "FROM generate_series(1, 40000) g",
    )
    rows(
        "INSERT INTO support_notes (note_id, account_id, written_at, body) "
        "SELECT 100000 + g, 'bulk-' || (g % 20000 + 1), now(), 'note' FROM generate_series(1, 40000) g",
    )
    rows("ANALYZE")
    _run_every_statement(postgresql)

    explained = 0
    for sql, params in postgresql.session.statements:
        statement = sql.split(" CURSOR FOR ", 1)[1] if sql.startswith("DECLARE") else sql
        if not statement.startswith(('SELECT "', "DELETE", "UPDATE")):
            continue
        plan = "\n".join(row[0] for row in rows(f"EXPLAIN {statement}", **params))
        assert "Seq Scan" not in plan, plan
        assert "Index Cond: (email = ANY(" in plan.replace("ANY (", "ANY("), plan
        explained += 1
    assert explained == 3 + 1 + 3  # three exports, one flag, three erasures


def test_mysql_makes_every_statement_use_the_index_on_the_lookup_column(mysql: Database) -> None:
    """Enough rows that reading the table would be chosen if it were cheaper, then MariaDB's
    EXPLAIN of each statement the connector ran: no table read whole, the lookup column's index
    the key of each."""
    mysql.rows(
        "INSERT INTO accounts (account_id, email, name) "  # MariaDB's sequence engine: seq_1_to_N
        "SELECT concat('bulk-', seq), concat('person', seq, '@example.com'), concat('Person ', seq) "
        "FROM seq_1_to_20000",
    )
    for table, extra, value in (
        ("invoices", "issued_on, amount", "'2026-01-01', 1"),
        ("support_notes", "written_at, body", "now(), 'note'"),
    ):
        key = "invoice_id" if table == "invoices" else "note_id"
        mysql.rows(
            f"INSERT INTO {table} ({key}, account_id, {extra}) "
            f"SELECT 100000 + seq, concat('bulk-', seq % 20000 + 1), {value} FROM seq_1_to_40000",
        )
    mysql.rows("ANALYZE TABLE accounts, invoices, support_notes")
    _run_every_statement(mysql)

    lookup_indexes = {"accounts_email_idx", "invoices_account_id_idx", "support_notes_account_id_idx"}
    explained = 0
    for sql, params in mysql.session.statements:
        if not sql.startswith(("SELECT `", "DELETE", "UPDATE")):
            continue
        with mysql.session.connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            names = [column[0] for column in cursor.description]
            plan = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        assert all(step["type"] != "ALL" and step["key"] in lookup_indexes for step in plan), (sql, plan)
        explained += 1
    # Three exports, one flag, three erasures; and for each found by its parent, the parent's keys.
    assert explained == 3 + 1 + 3 + 2 * 2
