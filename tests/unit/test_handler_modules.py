"""A function's handler module is a few lines: the wiring of its decorator stack (or its API's
routers) and one call into the domain. What it grows beyond that belongs in routes/ or dsr/."""

from __future__ import annotations

from pathlib import Path

from local_cloud.cloud import TEMPLATE_PATH
from local_cloud.template import load_template

FUNCTIONS_DIR = Path(__file__).resolve().parents[2] / "functions"
MAX_HANDLER_LINES = 60


def _handler_files() -> dict[str, Path]:
    resources = load_template(TEMPLATE_PATH)["Resources"].values()
    modules = [
        r["Properties"]["Handler"].rpartition(".")[0]
        for r in resources
        if r["Type"] == "AWS::Serverless::Function"
    ]
    return {module.split(".")[0]: FUNCTIONS_DIR / (module.replace(".", "/") + ".py") for module in modules}


def test_every_handler_module_is_at_most_60_lines() -> None:
    files = _handler_files()
    assert len(files) == 22
    too_long = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in files.items()
        if len(path.read_text(encoding="utf-8").splitlines()) > MAX_HANDLER_LINES
    }
    assert too_long == {}


def test_every_handler_wears_the_one_decorator_stack() -> None:
    # The stack's steps are not written out again beside it in any handler.
    own_steps = (
        "inject_lambda_context",
        "log_metrics",
        "capture_lambda_handler",
        "event_parser(",
        "flush_metrics",
    )
    written_out = {
        name: [step for step in own_steps if step in path.read_text(encoding="utf-8")]
        for name, path in _handler_files().items()
    }
    assert {name: steps for name, steps in written_out.items() if steps} == {}
    assert [
        name
        for name, path in _handler_files().items()
        if "@desk_handler(" not in path.read_text(encoding="utf-8")
    ] == []
