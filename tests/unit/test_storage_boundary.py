"""Only the storage package speaks DynamoDB: no other desk module writes expression text."""

from __future__ import annotations

import re
from pathlib import Path

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
DESK = FUNCTIONS / "dsr"
# The repositories.
STORAGE = (DESK / "storage",)
# The connectors erase people from other systems' own tables, not the desk's: each is the adapter
# to one kind of store, and speaks that store's language.
CONNECTORS = DESK / "connectors"
EXPRESSION_TEXT = re.compile(
    r"\w+Expression\b|\bKey\(|\bAttr\(|boto3\.dynamodb\.conditions"
    r"|attribute_(not_)?exists\(|if_not_exists\(|[\"'](SET|REMOVE|ADD|DELETE) [#:\w]"
)


def _outside_storage() -> list[Path]:
    handlers = sorted(FUNCTIONS.glob("*/app.py"))
    desk = [
        path
        for path in sorted(DESK.rglob("*.py"))
        if not any(path.is_relative_to(place) for place in (*STORAGE, CONNECTORS))
    ]
    return desk + handlers


def test_no_module_outside_storage_writes_a_dynamodb_expression() -> None:
    found = [
        f"{path.relative_to(FUNCTIONS)}:{number}: {line.strip()}"
        for path in _outside_storage()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if EXPRESSION_TEXT.search(line)
    ]
    assert found == []


def test_the_check_sees_the_modules_that_used_to_write_expressions() -> None:
    checked = {path.relative_to(DESK).as_posix() for path in _outside_storage() if path.is_relative_to(DESK)}
    assert {
        "verification/identity_checks.py",
        "review/approval.py",
        "closing/downloads.py",
        "deadlines/watch.py",
        "fulfilment/customer_controllers.py",
    } <= checked
