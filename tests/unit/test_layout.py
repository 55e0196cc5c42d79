"""What is deployed and what is not live apart: functions/ holds the functions of template.yaml and
the domain package they share, nothing else; the tools live in tools/."""

from __future__ import annotations

from pathlib import Path

from local_cloud.template import load_template

REPOSITORY = Path(__file__).resolve().parents[2]
FUNCTIONS = REPOSITORY / "functions"
TOOLS = REPOSITORY / "tools"
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
