"""A postgresql or mysql system in the registry: its tables are found one way each, parents come
first, and what an action writes names a declared table's column; each kind's SQL is its
dialect's. Values exported are plain JSON."""

from __future__ import annotations

import json
import textwrap
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from dsr.connectors.sql_database import dialect_of, json_plain
from dsr.core.registry import parse_registry
from dsr.core.registry_stores import MySqlStore, PostgresStore, RegistryError

ENTRY = """
systems:
  - id: crm-database
    name: Accounts database
    owner: platform-team
    categories: [identifiers]
    store:
      kind: postgresql
      secret_arn_env: CRM_DATABASE_SECRET_ARN
      tables:
        - table: accounts
          identity: {column: email}
          export: [account_id, email]
        - table: invoices
          parent: {table: accounts, column: account_id}
          export: [invoice_id]
    actions:
      export: {}
      erase: {method: delete}
      restrict:
        set_fields: {accounts.processing_restricted: true}
"""


def parsed(text: str) -> object:
    return parse_registry(textwrap.dedent(text))


KINDS = pytest.mark.parametrize("kind", ["postgresql", "mysql"])


def of_kind(kind: str, text: str = ENTRY) -> str:
    return text.replace("kind: postgresql", f"kind: {kind}")


def test_each_kind_of_database_has_its_own_sql_and_default_schema() -> None:
    postgres = parse_registry(ENTRY).system("crm-database").store
    mysql = parse_registry(of_kind("mysql")).system("crm-database").store

    assert isinstance(postgres, PostgresStore) and postgres.schema_name == "public"
    assert isinstance(mysql, MySqlStore) and mysql.schema_name is None  # the secret's dbname
    assert dialect_of(postgres).create_index("public", "invoices", "account_id") == (
        'CREATE INDEX "invoices_account_id_idx" ON "public"."invoices" ("account_id")'
    )
    assert dialect_of(mysql).create_index("crm", "invoices", "account_id") == (
        "CREATE INDEX `invoices_account_id_idx` ON `crm`.`invoices` (`account_id`)"
    )
    assert dialect_of(mysql).quote("odd`name") == "`odd``name`"


@KINDS
def test_a_database_system_declares_its_tables_and_their_lookups(kind: str) -> None:
    registry = parse_registry(of_kind(kind))
    store = registry.system("crm-database").store

    assert [table.lookup_column for table in store.tables] == ["email", "account_id"]  # type: ignore[union-attr]


@KINDS
def test_a_child_table_before_its_parent_is_refused(kind: str) -> None:
    reordered = of_kind(kind).replace("table: accounts, column", "table: invoices_parent, column")
    with pytest.raises(
        RegistryError, match=r"tables\[1\]\.parent\.table: invoices_parent must be declared before"
    ):
        parsed(reordered)


@KINDS
def test_a_table_found_both_ways_or_neither_is_refused(kind: str) -> None:
    neither = of_kind(kind).replace("          identity: {column: email}\n", "")
    with pytest.raises(RegistryError, match="table accounts: give exactly one of identity and parent"):
        parsed(neither)


@KINDS
def test_an_action_writes_a_column_named_with_its_table(kind: str) -> None:
    bare = of_kind(kind).replace("accounts.processing_restricted", "processing_restricted")
    with pytest.raises(
        RegistryError,
        match=r"actions.restrict.set_fields: processing_restricted must name a declared table's",
    ):
        parsed(bare)


@KINDS
def test_a_name_that_is_not_a_plain_identifier_is_refused(kind: str) -> None:
    crafted = of_kind(kind).replace("export: [invoice_id]", 'export: ["invoice_id; DROP TABLE accounts"]')
    with pytest.raises(RegistryError, match=r"tables\.1\.export\.0"):
        parsed(crafted)


def test_database_values_become_plain_json() -> None:
    row = {
        "at": datetime(2026, 10, 12, 9, 30, tzinfo=UTC),
        "on": date(2026, 10, 1),
        "amount": Decimal("49.00"),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "blob": b"\x00\xff",
        "tags": ["a", Decimal("1.5")],
    }

    assert json.loads(json.dumps(json_plain(row))) == {
        "at": "2026-10-12T09:30:00+00:00",
        "on": "2026-10-01",
        "amount": "49.00",
        "id": "12345678-1234-5678-1234-567812345678",
        "blob": "AP8=",
        "tags": ["a", "1.5"],
    }
