"""The connection to a database system: made from its secret when first used, TLS with the
certificate verified over the network, a Unix socket on the same machine, and one per thread."""

from __future__ import annotations

import json
import ssl
import textwrap
from types import SimpleNamespace
from typing import Any

import pg8000.native
import pymysql
import pytest

from dsr.connectors import postgresql_connection
from dsr.connectors.mysql_connection import MySqlSession
from dsr.connectors.postgresql_connection import DatabaseSecretError, connector_of, parse_secret, session_for
from dsr.connectors.selection import database_session
from dsr.core.registry import parse_registry

SECRET = {"host": "crm.cluster-abc.eu-west-1.rds.amazonaws.com", "port": 5432, "username": "desk",
          "password": "pw", "dbname": "crm"}  # fmt: skip


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The options each connection is made with (no server is reached)."""
    options: list[dict[str, Any]] = []
    monkeypatch.setattr(pg8000.native, "Connection", lambda **given: options.append(given) or object())
    monkeypatch.setattr(postgresql_connection, "_sessions", {})
    return options


def test_a_network_host_is_reached_over_tls_with_its_certificate_checked(made: list[dict[str, Any]]) -> None:
    session_for("arn:secret:crm", lambda _: json.dumps(SECRET))

    (options,) = made
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert (options["host"], options["user"], options["database"]) == (SECRET["host"], "desk", "crm")


def test_a_socket_directory_is_reached_without_tls(made: list[dict[str, Any]]) -> None:
    session_for("arn:secret:local", lambda _: json.dumps({**SECRET, "host": "/tmp/pg"}))

    (options,) = made
    assert options["unix_sock"] == "/tmp/pg/.s.PGSQL.5432" and "ssl_context" not in options


def test_one_connection_is_kept_and_the_secret_read_once(made: list[dict[str, Any]]) -> None:
    reads: list[str] = []

    def read(arn: str) -> str:
        reads.append(arn)
        return json.dumps(SECRET)

    first, second = session_for("arn:secret:crm", read), session_for("arn:secret:crm", read)

    assert first is second and len(made) == 1 and reads == ["arn:secret:crm"]


def test_a_secret_without_a_host_is_refused_naming_the_field() -> None:
    with pytest.raises(DatabaseSecretError, match="secret arn:secret:crm: no host"):
        parse_secret("arn:secret:crm", json.dumps({**SECRET, "host": ""}))


@pytest.fixture
def made_mysql(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The options each MySQL connection is made with (no server is reached)."""
    options: list[dict[str, Any]] = []
    monkeypatch.setattr(pymysql, "connect", lambda **given: options.append(given) or object())
    monkeypatch.setattr(postgresql_connection, "_sessions", {})
    return options


def test_a_mysql_network_host_is_reached_over_tls_with_its_certificate_checked(
    made_mysql: list[dict[str, Any]],
) -> None:
    mysql = {**SECRET, "port": None}

    session = session_for("arn:secret:shop", lambda _: json.dumps(mysql), connect=connector_of("mysql"))

    (options,) = made_mysql
    context = options["ssl"]
    assert isinstance(session, MySqlSession)
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    assert (options["host"], options["port"], options["user"], options["database"]) == (
        SECRET["host"],
        3306,
        "desk",
        "crm",
    )
    assert not options.get("ssl_disabled")


def test_a_mysql_socket_is_reached_without_tls(made_mysql: list[dict[str, Any]]) -> None:
    socket = {**SECRET, "host": "/tmp/mariadb/mysqld.sock"}

    session_for("arn:secret:local-shop", lambda _: json.dumps(socket), connect=connector_of("mysql"))

    (options,) = made_mysql
    assert options["unix_socket"] == "/tmp/mariadb/mysqld.sock" and options["ssl_disabled"] is True
    assert "ssl" not in options and "host" not in options


def test_a_mysql_systems_task_connects_with_pymysql_through_its_secret(
    made_mysql: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    system = parse_registry(
        textwrap.dedent("""
        systems:
          - id: shop-db
            name: Shop database
            owner: platform-team
            categories: [identifiers]
            store:
              kind: mysql
              secret_arn_env: SHOP_DATABASE_SECRET_ARN
              tables:
                - table: customers
                  identity: {column: email}
                  export: [email]
            actions:
              export: {}
        """)
    ).systems[0]
    monkeypatch.setenv("SHOP_DATABASE_SECRET_ARN", "arn:secret:shop")
    desk = SimpleNamespace(secret_string=lambda arn: json.dumps({**SECRET, "dbname": "shop"}))

    session = database_session(desk, system.id, system.store)  # type: ignore[arg-type]

    assert isinstance(session, MySqlSession)
    assert [(options["host"], options["database"]) for options in made_mysql] == [(SECRET["host"], "shop")]
