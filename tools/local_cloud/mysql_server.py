"""A real MariaDB server for the tests and the benchmark of the ``mysql`` store kind: Debian's
``mariadb-server`` (``mariadbd``), run as the current user on a Unix socket in a temporary
directory, no network port.

One server per process, started the first time something asks, stopped at exit; each caller gets
a database of its own (``new_database``). The local cloud never needs it: ``make run`` and
``make demo`` reach PostgreSQL alone.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess  # nosec B404 - starts the machine's own MariaDB binaries
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

INSTALL_HINT = "apt-get install mariadb-server"
SUPERUSER = "root"

_lock = threading.Lock()
_server: MariaDbServer | None = None
_numbers = itertools.count(1)


class MariaDbMissingError(RuntimeError):
    """The machine has no MariaDB server binaries."""


class MariaDbServer:
    def __init__(self, directory: Path, process: subprocess.Popen[bytes]) -> None:
        self.directory = directory
        self.socket = str(directory / "mysqld.sock")
        self.process = process

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def _binary(*names: str) -> str:
    """The first of ``names`` on PATH or in the sbin directories Debian installs servers to."""
    search = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin", "/sbin"])
    for name in names:
        found = shutil.which(name, path=search)
        if found:
            return found
    raise MariaDbMissingError(f"no {' or '.join(names)} on this machine: {INSTALL_HINT}")


def server() -> MariaDbServer:
    """This process's server, started on first use and stopped when the process exits."""
    global _server  # noqa: PLW0603 - one server per process, by design
    with _lock:
        if _server is None:
            _server = _start()
            atexit.register(_server.stop)
        return _server


def _start() -> MariaDbServer:
    mariadbd = _binary("mariadbd", "mysqld")
    install_db = _binary("mariadb-install-db", "mysql_install_db")
    directory = Path(tempfile.mkdtemp(prefix="dsr-mariadb-"))
    data = directory / "data"
    as_root = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run(  # noqa: S603 - fixed arguments, the machine's own binary  # nosec B603
        [
            install_db,
            "--no-defaults",
            f"--datadir={data}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            *as_root,
        ],
        check=True,
        capture_output=True,
    )
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [
            mariadbd,
            "--no-defaults",
            f"--datadir={data}",
            f"--socket={directory / 'mysqld.sock'}",
            f"--pid-file={directory / 'mysqld.pid'}",
            "--skip-networking",
            "--port=0",
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
            "--skip-log-bin",
            *as_root,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started = MariaDbServer(directory, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = (directory / "server.log").read_text(errors="replace")
            started.stop()
            raise RuntimeError(f"mariadbd stopped while starting:\n{text[-2000:]}")
        try:
            _connect_to(started.socket).close()
            return started
        except Exception:  # not accepting connections yet
            time.sleep(0.1)
    started.stop()
    raise RuntimeError("mariadbd did not accept connections within 60 s")


def connect(database: str | None = None, **options: Any) -> Any:
    """A PyMySQL connection to this process's server as its superuser."""
    return _connect_to(server().socket, database, **options)


def _connect_to(socket: str, database: str | None = None, **options: Any) -> Any:
    import pymysql  # noqa: PLC0415 - only where a MariaDB server is wanted

    return pymysql.connect(unix_socket=socket, user=SUPERUSER, database=database, autocommit=True, **options)


def database_name(prefix: str) -> str:
    """A name no other database of this process's server has."""
    return f"{prefix}_{os.getpid()}_{next(_numbers)}"


def new_database(name: str) -> str:
    """An empty database of this process's server."""
    admin = connect()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}`")
    finally:
        admin.close()
    return name


def secret_for(database: str) -> dict[str, Any]:
    """The database's credentials in the shape RDS keeps them in Secrets Manager; the host is the
    server's socket, so the connection skips TLS."""
    return {
        "engine": "mariadb",
        "host": server().socket,
        "username": SUPERUSER,
        "password": "",  # nosec B105 - the local server trusts its own socket
        "dbname": database,
    }


DEMO_SCHEMA = """
CREATE TABLE accounts (
    account_id varchar(64) PRIMARY KEY,
    email varchar(255) NOT NULL,
    name varchar(255),
    phone varchar(64),
    address text,
    plan varchar(32) NOT NULL DEFAULT 'team',
    marketing_opt_in boolean NOT NULL DEFAULT true,
    processing_restricted boolean NOT NULL DEFAULT false,
    created_at datetime(6) NOT NULL DEFAULT current_timestamp(6),
    INDEX accounts_email_idx (email)
) ENGINE=InnoDB;
CREATE TABLE invoices (
    invoice_id bigint PRIMARY KEY,
    account_id varchar(64),
    issued_on date NOT NULL,
    amount decimal(12, 2) NOT NULL,
    currency char(3) NOT NULL DEFAULT 'USD',
    billing_name varchar(255),
    INDEX invoices_account_id_idx (account_id),
    CONSTRAINT invoices_account_fk FOREIGN KEY (account_id) REFERENCES accounts (account_id)
        ON DELETE SET NULL
) ENGINE=InnoDB;
CREATE TABLE support_notes (
    note_id bigint PRIMARY KEY,
    account_id varchar(64) NOT NULL,
    written_at datetime(6) NOT NULL,
    body text NOT NULL,
    attachment blob,
    INDEX support_notes_account_id_idx (account_id),
    CONSTRAINT support_notes_account_fk FOREIGN KEY (account_id) REFERENCES accounts (account_id)
) ENGINE=InnoDB
"""


def new_demo_database(prefix: str) -> str:
    """A database of its own holding the demonstration schema and people, as the local cloud's
    PostgreSQL holds them (``local_cloud.database``)."""
    from local_cloud.database import DEMO_INVOICES, DEMO_NOTES, demo_accounts  # noqa: PLC0415

    name = new_database(database_name(prefix))
    connection = connect(name)
    try:
        with connection.cursor() as cursor:
            for statement in filter(str.strip, DEMO_SCHEMA.split(";")):
                cursor.execute(statement)
            for account in demo_accounts():
                cursor.execute(
                    "INSERT INTO accounts (account_id, email, name, phone, address) "
                    "VALUES (%(account)s, %(email)s, %(name)s, %(phone)s, %(address)s)",
                    account,
                )
            for invoice_id, account, issued_on, amount in DEMO_INVOICES:
                cursor.execute(
                    "INSERT INTO invoices (invoice_id, account_id, issued_on, amount, billing_name) "
                    "SELECT %s, account_id, %s, %s, name FROM accounts WHERE account_id = %s",
                    (invoice_id, issued_on, amount, account),
                )
            for note_id, account, written_at, body in DEMO_NOTES:
                cursor.execute(
                    "INSERT INTO support_notes (note_id, account_id, written_at, body, attachment) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (
                        note_id,
                        account,
                        written_at.replace("T", " ").removesuffix("Z"),
                        body,
                        b"\x89PNG screenshot",
                    ),
                )
    finally:
        connection.close()
    return name
