"""``dsr registry check --database SYSTEM=URL``: a newcomer checks the registry's PostgreSQL system
against a database they can reach (the local cloud's, whose secret lives inside the local cloud's
process, or a deployed one through a tunnel), and each problem names the registry line to change
and what to do; without a database the check says how to give one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dsr.core.settings import DeskSettings
from dsr_cli.main import main
from local_cloud import database

SHIPPED_REGISTRY = Path(DeskSettings.model_fields["system_registry_path"].default)


def url_of(name: str) -> str:
    return f"postgresql://postgres@/{name}?host={database.socket_directory()}"


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_shipped_registry_checked_against_a_local_database_says_its_tables_passed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_DATABASE_SECRET_ARN", raising=False)
    name = database.new_database(database.database_name("check"))

    status = main(["registry", "check", "--database", f"crm-database={url_of(name)}"])

    printed = capsys.readouterr().out.splitlines()
    assert status == 0, printed
    assert "system crm-database: its 3 tables checked against its database: no problems" in printed


def test_a_broken_registry_and_database_name_the_lines_to_change_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_DATABASE_SECRET_ARN", raising=False)
    name = database.new_database(database.database_name("check"))
    admin = database.connect(name)
    admin.run("DROP INDEX invoices_account_id_idx")
    admin.close()
    registry = tmp_path / "systems.yaml"
    shutil.copy(SHIPPED_REGISTRY, registry)
    registry.write_text(registry.read_text().replace("issued_on, amount", "issued_onn, amount"))

    status = main(
        ["registry", "check", "--registry", str(registry), "--database", f"crm-database={url_of(name)}"]
    )

    printed = capsys.readouterr().out.splitlines()
    assert status == 1
    assert printed == [
        f"{registry}:{line_of(registry, 'issued_onn')}: system crm-database: table invoices has no column "
        "issued_onn (tables[1].export[2]); correct the name in the registry, or take it out if the "
        "database no longer has it",
        f"{registry}:{line_of(registry, 'issued_onn') - 1}: system crm-database: table invoices has no "
        "index with account_id first, so finding a subject would read the whole table "
        '(tables[1].parent.column); create one: CREATE INDEX "invoices_account_id_idx" ON '
        '"public"."invoices" ("account_id")',
    ]


def test_without_a_database_the_check_says_how_to_give_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CRM_DATABASE_SECRET_ARN", raising=False)

    status = main(["registry", "check"])

    printed = capsys.readouterr().out.splitlines()
    assert status == 0
    assert printed[-1] == (
        "system crm-database: not checked against its database: give --database "
        "crm-database=postgresql://USER@HOST:PORT/DBNAME (make run prints the local cloud's), or set "
        "CRM_DATABASE_SECRET_ARN to its secret's ARN"
    )


def test_a_database_argument_that_is_not_a_url_is_refused_saying_the_form(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = main(["registry", "check", "--database", "crm-database"])

    assert status == 1
    assert capsys.readouterr().err.strip() == (
        "dsr registry check: --database crm-database: give SYSTEM=postgresql://USER@HOST:PORT/DBNAME "
        "(or mysql://...; make run prints the local cloud's)"
    )
