"""The connection to a system's database (PostgreSQL here; MySQL's is
``dsr.connectors.mysql_connection``'s): made on first use (never at import) from
its Secrets Manager secret (JSON: host, port, username, password, dbname, as RDS keeps it), then
kept for the life of the warm environment, one per thread (Lambda runs one event at a time; the
local cloud runs a fan-out's tasks on threads of one process).

pg8000 is pure Python: nothing to build for Lambda's architecture. Over TCP the connection is
TLS, its certificate verified; a host that is a directory is a Unix socket on the same machine
(the local cloud's embedded server), where TLS has no part.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dsr.connectors.sql_dialect import SqlSession

SecretReader = Callable[[str], str]
"""The secret's string, given its ARN (Secrets Manager's GetSecretValue)."""
Connect = Callable[[dict[str, Any]], Any]
"""A connection to the database a parsed secret names."""

_sessions: dict[tuple[str, int], Any] = {}
_lock = threading.Lock()


class DatabaseSecretError(ValueError):
    """The secret cannot be used to connect: the message says which field is wrong."""


def session_for(secret_arn: str, read_secret: SecretReader, connect: Connect | None = None) -> SqlSession:
    """This thread's connection to the database the secret names, made the first time with
    ``connect`` (by default PostgreSQL's)."""
    key = (secret_arn, threading.get_ident())
    with _lock:
        found = _sessions.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    session = (connect or connect_postgresql)(parse_secret(secret_arn, read_secret(secret_arn)))
    with _lock:
        _sessions[key] = session
    return session  # type: ignore[no-any-return]


def forget_session(secret_arn: str) -> None:
    """Drop this thread's connection (after a broken one), so the next use makes another."""
    with _lock:
        session = _sessions.pop((secret_arn, threading.get_ident()), None)
    _close(session)


def close_sessions() -> int:
    """Close every kept connection (the local cloud's stop); how many there were."""
    with _lock:
        sessions = list(_sessions.values())
        _sessions.clear()
    for session in sessions:
        _close(session)
    return len(sessions)


def _close(session: Any) -> None:
    if session is None:
        return
    try:
        session.close()
    except Exception:  # a connection already broken has nothing left to close
        return


def parse_secret(secret_arn: str, text: str) -> dict[str, Any]:
    try:
        secret = json.loads(text)
    except ValueError as error:
        raise DatabaseSecretError(f"secret {secret_arn}: not JSON") from error
    if not isinstance(secret, dict):
        raise DatabaseSecretError(f"secret {secret_arn}: not a JSON object")
    missing = [name for name in ("host", "username", "dbname") if not secret.get(name)]
    if missing:
        raise DatabaseSecretError(f"secret {secret_arn}: no {', '.join(missing)}")
    return secret


def connector_of(kind: str) -> Connect:
    """How to connect to a database of the registry's store ``kind``."""
    if kind == "mysql":
        from dsr.connectors.mysql_connection import connect_mysql  # noqa: PLC0415 - MySQL systems only

        return connect_mysql
    return connect_postgresql


def connect_postgresql(secret: dict[str, Any]) -> Any:
    import pg8000.native  # noqa: PLC0415 - loaded only by the functions that reach a database

    host = str(secret["host"])
    port = int(secret.get("port") or 5432)
    options: dict[str, Any] = {
        "user": str(secret["username"]),
        "password": secret.get("password") or None,
        "database": str(secret["dbname"]),
        "timeout": 30,
        "application_name": "privacy-rights-desk",
    }
    if host.startswith("/"):
        options["unix_sock"] = f"{host}/.s.PGSQL.{port}"
    else:
        import ssl  # noqa: PLC0415

        # RDS's certificate authorities are in no default trust store: sslrootcert names the
        # bundle shipped with the function (https://truststore.pki.rds.amazonaws.com).
        context = ssl.create_default_context(cafile=secret.get("sslrootcert") or None)
        options |= {"host": host, "port": port, "ssl_context": context}
    return pg8000.native.Connection(**options)
