"""What is deployed and what is not live apart: functions/ holds the functions of template.yaml and
the domain package they share, nothing else; the tools live in tools/; what only the tests and the
demonstrations need lives with the local cloud or the tests."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import dsr.core.clock
from local_cloud.template import load_template

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS = REPOSITORY / "functions"
TOOLS = REPOSITORY / "tools"
TESTS = REPOSITORY / "tests"
IMPORTS_CONFTEST = re.compile(r"from tests\.conftest import|from tests import conftest")
SHARED_PACKAGE = "dsr"
TOOL_PACKAGES = {"local_cloud", "dsr_cli", "benchmarks", "lambda_build", "vendor_apis", "catalog_extraction"}


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
    assert len(handlers) == 22
    assert _folders(FUNCTIONS) == handlers | {SHARED_PACKAGE}
    assert {path.name for path in FUNCTIONS.iterdir() if path.is_file()} == {"Makefile"}


def test_the_tools_live_in_tools_and_nowhere_in_functions() -> None:
    assert _folders(TOOLS) == TOOL_PACKAGES
    assert not TOOL_PACKAGES & _folders(FUNCTIONS)


def test_the_deployed_clock_is_the_wall_clock_and_cannot_be_moved() -> None:
    """Moving time is for demonstrations and tests: the local cloud's clock does it, not the desk's."""
    classes = {
        name
        for name, value in vars(dsr.core.clock).items()
        if isinstance(value, type) and value.__module__ == "dsr.core.clock"
    }
    assert classes == {"Clock", "SystemClock"}
    assert [name for name in vars(dsr.core.clock.SystemClock) if not name.startswith("_")] == ["now"]


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


DOMAIN = FUNCTIONS / SHARED_PACKAGE


def _domain_folders() -> set[str]:
    return {path.parent.name for path in DOMAIN.glob("*/__init__.py")}


def _contract_layers() -> set[str]:
    settings = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = settings["tool"]["importlinter"]["contracts"]
    assert contract["type"] == "layers"
    assert contract["containers"] == [SHARED_PACKAGE]
    return {name.strip() for layer in contract["layers"] for name in layer.split("|")}


def test_the_domain_packages_folders_import_downwards_only() -> None:
    """Given the layers in pyproject.toml (core at the bottom, then storage, ... the stages in the
    order a request goes through them ... staff, web and inbox on top), no module imports from a
    folder above its own: import-linter checks every import, type-only and deferred ones too."""
    checked = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 kept, 0 broken" in checked.stdout


def test_every_module_of_the_domain_package_lives_in_a_folder_that_is_a_layer() -> None:
    """A module beside the folders, or a folder left out of the contract, would escape the layers."""
    assert [path.name for path in DOMAIN.glob("*.py")] == ["__init__.py"]
    assert _domain_folders() == _contract_layers()
    # Besides the layers, two folders of data: the policies' tables, and the message catalogs.
    assert {path.name for path in DOMAIN.iterdir() if path.is_dir()} - {
        "__pycache__"
    } == _domain_folders() | {"config", "locale"}


def test_each_folder_says_what_it_owns_and_what_it_may_import_and_imports_nothing() -> None:
    """An import in a package's __init__ would load with every module of the folder, in every
    function that uses one of them: each __init__ holds its docstring and nothing else."""
    for init in [DOMAIN / "__init__.py", *sorted(DOMAIN.glob("*/__init__.py"))]:
        body = ast.parse(init.read_text(encoding="utf-8")).body
        assert len(body) == 1, init
        docstring = ast.get_docstring(ast.Module(body=body, type_ignores=[]))
        assert docstring, init
        if init.parent != DOMAIN:
            assert "May import:" in docstring, init


def test_the_readme_maps_every_folder_of_the_domain_package_and_names_only_real_places() -> None:
    readme = (REPOSITORY / "README.md").read_text(encoding="utf-8")
    layout = readme.split("### Layout", 1)[1].split("\n### ", 1)[0]
    named = set(re.findall(r"`(\w+)/`", layout))
    assert _domain_folders() <= named
    for folder in named - _domain_folders():
        assert any((place / folder).is_dir() for place in (REPOSITORY, FUNCTIONS, TOOLS)), folder
    for path in re.findall(r"`((?:functions|tools)/[\w/.]+)`", layout):
        assert (REPOSITORY / path).exists(), path


MAX_MODULE_LINES = 400


def test_no_module_in_functions_is_over_400_lines() -> None:
    """A module that long does more than one job: split it, inside its folder, by job."""
    longer = {
        str(path.relative_to(FUNCTIONS)): lines
        for path in sorted(FUNCTIONS.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert longer == {}
