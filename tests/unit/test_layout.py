"""What is deployed and what is not live apart: functions/ holds the functions of template.yaml and
the domain package they share, nothing else; the tools live in tools/; what only the tests and the
demonstrations need lives with the local cloud or the tests."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

import dsr.clock
from local_cloud.template import load_template

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS = REPOSITORY / "functions"
TOOLS = REPOSITORY / "tools"
TESTS = REPOSITORY / "tests"
IMPORTS_CONFTEST = re.compile(r"from tests\.conftest import|from tests import conftest")
SHARED_PACKAGE = "dsr"
TOOL_PACKAGES = {"local_cloud", "dsr_cli", "benchmarks", "lambda_build"}


def _folders(root: Path) -> set[str]:
    """The folders a checkout has (not the caches and install metadata git ignores)."""
    return {
        path.name
        for path in root.iterdir()
        if path.is_dir() and path.name != "__pycache__" and not path.name.endswith(".egg-info")
    }


def _handler_packages() -> set[str]:
    resources = load_template(REPOSITORY / "template.yaml")["Resources"]
    return {
        resource["Properties"]["Handler"].split(".", 1)[0]
        for resource in resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def test_every_folder_in_functions_is_a_deployed_function_or_the_shared_domain_package() -> None:
    handlers = _handler_packages()
    assert len(handlers) == 17
    assert _folders(FUNCTIONS) == handlers | {SHARED_PACKAGE}
    assert {path.name for path in FUNCTIONS.iterdir() if path.is_file()} == {"Makefile"}


def test_the_tools_live_in_tools_and_nowhere_in_functions() -> None:
    assert _folders(TOOLS) == TOOL_PACKAGES
    assert not TOOL_PACKAGES & _folders(FUNCTIONS)


def test_the_deployed_clock_is_the_wall_clock_and_cannot_be_moved() -> None:
    """Moving time is for demonstrations and tests: the local cloud's clock does it, not the desk's."""
    classes = {
        name
        for name, value in vars(dsr.clock).items()
        if isinstance(value, type) and value.__module__ == "dsr.clock"
    }
    assert classes == {"Clock", "SystemClock"}
    assert [name for name in vars(dsr.clock.SystemClock) if not name.startswith("_")] == ["now"]


def test_conftest_holds_fixtures_only_and_no_test_imports_from_it() -> None:
    conftest = ast.parse((TESTS / "conftest.py").read_text(encoding="utf-8"))
    helpers = [
        node.name
        for node in conftest.body
        if isinstance(node, ast.FunctionDef)
        and not any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)
    ]
    assert helpers == []
    importing = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if path != Path(__file__).resolve() and IMPORTS_CONFTEST.search(path.read_text(encoding="utf-8"))
    )
    assert importing == []


def test_a_package_added_to_functions_or_tools_is_installed_by_the_next_make() -> None:
    """The editable install finds the packages of both folders by name, once: a new function's
    folder must be installed again before the local cloud can import its handler."""
    for folder in ("functions", "tools"):
        planned = subprocess.run(
            ["make", "--dry-run", f"--what-if={folder}", ".venv/.installed-stamp"],
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "pip install --quiet -e" in planned, folder
