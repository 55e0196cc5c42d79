"""The connection to a system's MySQL or MariaDB database, from the same secret as PostgreSQL's
(JSON: host, port, username, password, dbname, as RDS keeps it), kept the same way
(``dsr.connectors.postgresql_connection.session_for``).

PyMySQL is pure Python: nothing to build for Lambda's architecture, and no libmysqlclient in the
layer. Over TCP the connection is TLS, its certificate and host name verified; a host that is a
path is the server's Unix socket on the same machine (the tests' MariaDB), where TLS has no part.
``MySqlSession`` gives the connection the shape the connector runs statements through.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class MySqlSession:
    """A PyMySQL connection as a ``dsr.connectors.sql_dialect.StreamingSqlSession``: statements
    with ``%(name)s`` parameters, rows streamed through an unbuffered cursor."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self._row_count = -1
        self._columns: list[dict[str, Any]] | None = None

    @property
    def row_count(self) -> int:
        return self._row_count

    @property
    def columns(self) -> list[dict[str, Any]] | None:
        return self._columns

    def run(self, sql: str, **params: Any) -> list[list[Any]] | None:
        with self.connection.cursor() as cursor:
            # Without parameters PyMySQL leaves the text alone (a % in it is not a placeholder).
            cursor.execute(sql, params or None)
            self._row_count = int(cursor.rowcount)
            if cursor.description is None:
                self._columns = None
                return None
            self._columns = [{"name": column[0]} for column in cursor.description]
            return [list(row) for row in cursor.fetchall()]

    def stream_rows(self, sql: str, params: Mapping[str, Any], batch: int) -> Iterator[dict[str, Any]]:
        """The query's rows, ``batch`` at a time from the server: memory holds one batch."""
        from pymysql.cursors import SSCursor  # noqa: PLC0415 - loaded with the connection

        cursor = self.connection.cursor(SSCursor)
        try:
            cursor.execute(sql, dict(params))
            names = [column[0] for column in cursor.description]
            while rows := cursor.fetchmany(batch):
                for row in rows:
                    yield dict(zip(names, row, strict=True))
        finally:
            cursor.close()  # reads what is left, so the connection can run the next statement

    def close(self) -> None:
        self.connection.close()


def connect_mysql(secret: dict[str, Any]) -> MySqlSession:
    import pymysql  # noqa: PLC0415 - loaded only by the functions that reach a MySQL database
    from pymysql.constants import CLIENT  # noqa: PLC0415

    host = str(secret["host"])
    options: dict[str, Any] = {
        "user": str(secret["username"]),
        "password": secret.get("password") or "",
        "database": str(secret["dbname"]),
        "connect_timeout": 30,
        "charset": "utf8mb4",
        # The statements the connector does not wrap in a transaction (the catalog's) end at once.
        "autocommit": True,
        # An UPDATE counts the rows it matched, as PostgreSQL does, not only those it changed.
        "client_flag": CLIENT.FOUND_ROWS,
        "program_name": "privacy-rights-desk",
    }
    if host.startswith("/"):
        options |= {"unix_socket": host, "ssl_disabled": True}
    else:
        import ssl  # noqa: PLC0415

        # RDS's certificate authorities are in no default trust store: sslrootcert names the
        # bundle shipped with the function (https://truststore.pki.rds.amazonaws.com).
        context = ssl.create_default_context(cafile=secret.get("sslrootcert") or None)
        options |= {"host": host, "port": int(secret.get("port") or 3306), "ssl": context}
    return MySqlSession(pymysql.connect(**options))
