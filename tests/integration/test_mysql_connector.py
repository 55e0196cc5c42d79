"""The connector on a real MariaDB server (Debian's mariadb-server, one per test process, started
by local_cloud.mysql_server), a database of its own per test: the PostgreSQL connector's
behaviours in MySQL's dialect, and MariaDB's EXPLAIN showing the lookup column's index for every
statement the connector makes."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from dsr.connectors.base import StoreLayoutError, Subject
from dsr.connectors.mysql_connection import MySqlSession, connect_mysql
from dsr.connectors.sql_database import SqlConnector, database_problems
from dsr.core.registry import SystemEntry, parse_registry
from dsr_cli.registry_check import check_registry
from local_cloud import mysql_server

ADA = Subject(email="ada@example.com")

SYSTEM = """
systems:
  - id: crm-mysql
    name: Accounts and billing database
    owner: platform-team
    categories: [identifiers, billing details]
    store:
      kind: mysql
      secret_arn_env: CRM_MYSQL_SECRET_ARN
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


def system_from(text: str) -> SystemEntry:
    return parse_registry(textwrap.dedent(text)).systems[0]


class RecordingSession(MySqlSession):
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


@pytest.fixture
def database() -> str:
    return mysql_server.new_demo_database("connector")


@pytest.fixture
def session(database: str) -> Iterator[RecordingSession]:
    recording = RecordingSession(connect_mysql(mysql_server.secret_for(database)))
    yield recording
    recording.close()


def connector(session: Any, text: str = SYSTEM) -> SqlConnector:
    return SqlConnector(lambda: session, system_from(text))


def rows(session: RecordingSession, sql: str) -> list[list[Any]]:
    return MySqlSession.run(session, sql) or []


def test_export_streams_the_subjects_rows_of_every_table_as_plain_json(session: RecordingSession) -> None:
    exported = list(connector(session).export(ADA))

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
    assert len(session.streamed) == 3 and all(sql.startswith("SELECT `") for sql in session.streamed)


def test_erasure_deletes_children_first_anonymizes_kept_rows_and_leaves_others(
    session: RecordingSession,
) -> None:
    erasing = connector(session)

    assert erasing.delete(ADA) == 4
    assert erasing.rows_by_table == {"support_notes": 1, "invoices": 2, "accounts": 1}
    assert rows(session, "SELECT count(*) FROM accounts WHERE email = 'ada@example.com'") == [[0]]
    assert rows(session, "SELECT billing_name FROM invoices WHERE invoice_id IN (5001, 5002)") == [
        ["[removed]"],
        ["[removed]"],
    ]
    assert rows(session, "SELECT count(*) FROM accounts") == [[2]]  # Grace and someone else
    assert rows(session, "SELECT billing_name FROM invoices WHERE invoice_id = 5003") == [["Grace Hopper"]]
    changes = [sql.split()[0] for sql, _ in session.statements if sql.startswith(("DELETE", "UPDATE"))]
    assert changes == ["DELETE", "UPDATE", "DELETE"]  # notes, invoices, then the account


def test_erasure_carried_out_twice_changes_the_rows_once(session: RecordingSession) -> None:
    erasing = connector(session, SYSTEM.replace('erase: {anonymize: {billing_name: "[removed]"}}', ""))

    assert erasing.delete(ADA) == 4
    assert erasing.delete(ADA) == 0
    assert rows(session, "SELECT count(*) FROM invoices") == [[2]]


def test_a_failed_erasure_leaves_every_table_as_it_was(session: RecordingSession) -> None:
    # Notes are kept but refer to the account: deleting the account must fail, and the invoices
    # anonymized before it are as they were after the rollback.
    notes = "export: [note_id, written_at, body, attachment]"
    keeping = connector(session, SYSTEM.replace(notes, notes + "\n          erase: keep"))

    with pytest.raises(Exception, match="foreign key constraint fails"):
        keeping.delete(ADA)
    assert rows(session, "SELECT billing_name FROM invoices WHERE invoice_id = 5001") == [["Ada Lovelace"]]
    assert rows(session, "SELECT count(*) FROM accounts WHERE account_id = 'acct-1001'") == [[1]]


def test_correct_and_set_flags_write_only_the_declared_columns_of_the_subjects_rows(
    session: RecordingSession,
) -> None:
    reaching = connector(session)

    assert reaching.correct(ADA, {"accounts.name": "Augusta Ada King"}) == 1
    assert reaching.set_fields(ADA, {"accounts.processing_restricted": True}) == 1
    assert reaching.set_fields(ADA, {"accounts.marketing_opt_in": False}) == 1
    assert reaching.set_fields(ADA, {"accounts.marketing_opt_in": False}) == 1  # matched, unchanged
    assert reaching.anonymize(ADA, {"accounts.phone": None}) == 1
    assert rows(
        session,
        "SELECT name, processing_restricted, marketing_opt_in, phone FROM accounts ORDER BY account_id",
    ) == [
        ["Augusta Ada King", 1, 0, None],
        ["Grace Hopper", 0, 1, "+12025550143"],
        ["Someone Else", 0, 1, None],
    ]


def test_identities_are_values_never_sql(session: RecordingSession) -> None:
    crafted = Subject(email="x' OR '1'='1")

    assert list(connector(session).export(crafted)) == []
    assert connector(session).delete(crafted) == 0
    assert rows(session, "SELECT count(*) FROM accounts") == [[3]]


def test_an_absent_table_or_column_is_refused_naming_the_system_and_field(
    session: RecordingSession, database: str
) -> None:
    misspelt = (
        SYSTEM.replace(
            "parent: {table: accounts, column: account_id}\n          export: [invoice_id",
            "parent: {table: accounts, column: acount_id}\n          export: [invoice_id",
            1,
        )
        .replace("table: support_notes", "table: support_note")
        .replace("accounts.phone}", "accounts.phon}")
    )

    problems = database_problems(system_from(misspelt), session)

    assert problems == [
        "system crm-mysql: table accounts has no column phon (actions.rectify.fields)",
        "system crm-mysql: table invoices has no column acount_id (tables[1].parent.column)",
        f"system crm-mysql: schema {database} has no table support_note (tables[2].table)",
    ]
    with pytest.raises(StoreLayoutError, match=r"no column acount_id \(tables\[1\]\.parent\.column\)"):
        list(connector(session, misspelt).export(ADA))
    assert not [sql for sql, _ in session.statements if "FROM `" in sql]  # nothing ran


def test_a_lookup_column_without_an_index_is_refused_with_the_index_to_create(
    session: RecordingSession, database: str
) -> None:
    # InnoDB keeps the index a foreign key needs: the key goes first.
    rows(session, "ALTER TABLE invoices DROP FOREIGN KEY invoices_account_fk")
    rows(session, "ALTER TABLE invoices DROP INDEX invoices_account_id_idx")

    with pytest.raises(StoreLayoutError) as refused:
        connector(session).delete(ADA)

    assert str(refused.value) == (
        "system crm-mysql: table invoices has no index with account_id first, so finding a subject "
        "would read the whole table (tables[1].parent.column); create one: "
        f"CREATE INDEX `invoices_account_id_idx` ON `{database}`.`invoices` (`account_id`)"
    )
    assert rows(session, "SELECT count(*) FROM support_notes") == [[2]]


def test_every_statement_the_connector_makes_uses_the_index_on_the_lookup_column(
    session: RecordingSession,
) -> None:
    """Enough rows that reading the table would be chosen if it were cheaper, then MariaDB's
    EXPLAIN of each statement the connector ran: no table read whole, the lookup column's index
    the key of each."""
    rows(
        session,
        "INSERT INTO accounts (account_id, email, name) "  # MariaDB's sequence engine: seq_1_to_N
        "SELECT concat('bulk-', seq), concat('person', seq, '@example.com'), concat('Person ', seq) "
        "FROM seq_1_to_20000",
    )
    for table, extra, value in (
        ("invoices", "issued_on, amount", "'2026-01-01', 1"),
        ("support_notes", "written_at, body", "now(), 'note'"),
    ):
        key = "invoice_id" if table == "invoices" else "note_id"
        rows(
            session,
            f"INSERT INTO {table} ({key}, account_id, {extra}) "
            f"SELECT 100000 + seq, concat('bulk-', seq % 20000 + 1), {value} FROM seq_1_to_40000",
        )
    rows(session, "ANALYZE TABLE accounts, invoices, support_notes")
    reaching = connector(session)
    list(reaching.export(ADA))
    reaching.set_fields(ADA, {"accounts.processing_restricted": True})
    reaching.delete(ADA)

    lookup_indexes = {"accounts_email_idx", "invoices_account_id_idx", "support_notes_account_id_idx"}
    explained = 0
    for sql, params in session.statements:
        if not sql.startswith(("SELECT `", "DELETE", "UPDATE")):
            continue
        with session.connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            names = [column[0] for column in cursor.description]
            plan = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        assert all(step["type"] != "ALL" and step["key"] in lookup_indexes for step in plan), (sql, plan)
        explained += 1
    # Three exports, one flag, three erasures; and for each found by its parent, the parent's keys.
    assert explained == 3 + 1 + 3 + 2 * 2


def test_dsr_registry_check_checks_a_mysql_system_against_its_catalog(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: RecordingSession, database: str
) -> None:
    rows(session, "ALTER TABLE invoices DROP FOREIGN KEY invoices_account_fk")
    rows(session, "ALTER TABLE invoices DROP INDEX invoices_account_id_idx")
    registry = tmp_path / "systems.yaml"
    registry.write_text(textwrap.dedent(SYSTEM).replace("billing_name]", "biling_name]"))
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with mock_aws():
        secret = boto3.client("secretsmanager").create_secret(
            Name="crm-mysql", SecretString=json.dumps(mysql_server.secret_for(database))
        )
        monkeypatch.setenv("CRM_MYSQL_SECRET_ARN", secret["ARN"])
        out = io.StringIO()
        status = check_registry(registry, None, out)

    export_line = next(
        i for i, line in enumerate(registry.read_text().splitlines(), 1) if "biling_name]" in line
    )
    assert status == 1
    assert out.getvalue().splitlines() == [
        f"{registry}:{export_line}: system crm-mysql: table invoices has no column biling_name "
        "(tables[1].export[5]); correct the name in the registry, or take it out if the database no "
        "longer has it",
        f"{registry}:{export_line - 1}: system crm-mysql: table invoices has no index with account_id "
        "first, so finding a subject would read the whole table (tables[1].parent.column); create one: "
        f"CREATE INDEX `invoices_account_id_idx` ON `{database}`.`invoices` (`account_id`)",
    ]


def test_a_foreign_key_in_the_catalog_orders_the_deletes_whatever_the_declared_order(
    session: RecordingSession,
) -> None:
    rows(
        session,
        "CREATE TABLE logins (login_id bigint PRIMARY KEY, email varchar(255) NOT NULL, "
        "account_id varchar(64) NOT NULL, INDEX logins_email_idx (email), "
        "FOREIGN KEY (account_id) REFERENCES accounts (account_id)) ENGINE=InnoDB",
    )
    rows(session, "INSERT INTO logins VALUES (1, 'ada@example.com', 'acct-1001')")
    # logins is found by its own email column and declared first, so the declared order alone
    # would delete it last: only the catalog's foreign key says its rows must go first.
    system = SYSTEM.replace(
        "      tables:\n",
        "      tables:\n"
        "        - table: logins\n"
        "          identity: {column: email}\n"
        "          export: [login_id]\n",
    )

    erasing = connector(session, system)

    assert erasing.delete(ADA) == 5
    order = list(erasing.rows_by_table)
    assert order.index("logins") < order.index("accounts"), order
    assert rows(session, "SELECT count(*) FROM logins") == [[0]]
