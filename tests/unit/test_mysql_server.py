"""The tests' MariaDB server: without Debian's mariadb-server the tests that need it fail, saying
what to install (they are never skipped)."""

from __future__ import annotations

import shutil

import pytest

from local_cloud import mysql_server


def test_a_machine_without_mariadb_is_told_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *_args, **_kwargs: None)
    monkeypatch.setattr(mysql_server, "_server", None)

    with pytest.raises(mysql_server.MariaDbMissingError, match="apt-get install mariadb-server"):
        mysql_server.server()
