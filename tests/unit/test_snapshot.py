"""After a restore from a snapshot nothing unique is reused: each environment resumed from the
same snapshot draws its own random numbers, and no connection opened before the snapshot is
used after it. The hooks are run as Lambda runs them, from snapshot_restore_py's registry (the
handlers, imported by the test session as each cold start would, registered them)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import snapshot_restore_py

from dsr.wiring import desk as desk_module


def _restore() -> None:
    """What Lambda does in a new environment resumed from the snapshot, before its first event."""
    for hook, args, kwargs in snapshot_restore_py.get_after_restore():
        hook(*args, **kwargs)


def test_every_snapstart_function_registered_its_hooks() -> None:
    before = {hook.__qualname__ for hook, _, _ in snapshot_restore_py.get_before_snapshot()}
    after = {hook.__qualname__ for hook, _, _ in snapshot_restore_py.get_after_restore()}

    # One of each per SnapStart function (template.yaml); nothing else registers hooks.
    assert len(snapshot_restore_py.get_before_snapshot()) >= 6
    assert before == {"load_before_snapshot"} and after == {"restore_uniqueness"}


def test_two_environments_restored_from_one_snapshot_draw_different_numbers() -> None:
    snapshot = random.getstate()  # the interpreter's state, as the snapshot holds it
    drawn = []
    for _ in range(2):
        random.setstate(snapshot)
        _restore()
        drawn.append([random.random() for _ in range(4)])

    assert drawn[0] != drawn[1]


class _KeepAliveApi(BaseHTTPRequestHandler):
    """Answers every call as DynamoDB answers ListTables, keeping the connection open; counts the
    connections it was given."""

    protocol_version = "HTTP/1.1"
    connections = 0

    def setup(self) -> None:
        super().setup()
        type(self).connections += 1

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b'{"TableNames": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""


@pytest.fixture
def keep_alive_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    _KeepAliveApi.connections = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _KeepAliveApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_no_connection_from_before_the_snapshot_is_used_after_a_restore(keep_alive_api: str) -> None:
    client = desk_module._aws("client", "dynamodb", endpoint_url=keep_alive_api)
    client.list_tables()
    client.list_tables()
    assert _KeepAliveApi.connections == 1  # the client keeps its connection between calls

    _restore()
    client.list_tables()

    assert _KeepAliveApi.connections == 2  # a new one after the restore, the old one closed
