"""The desk's pydantic models are made from annotations that pydantic need not evaluate again."""

import __future__

import ast
import importlib
import pkgutil
from pathlib import Path

from pydantic import BaseModel

import dsr

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def _desk_modules_with_models() -> dict[str, bool]:
    """Each module of the desk that makes a pydantic model: whether it postpones its annotations
    (``from __future__ import annotations``)."""
    found = {}
    for info in pkgutil.walk_packages(dsr.__path__, "dsr."):
        module = importlib.import_module(info.name)
        if any(
            isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == info.name
            for value in vars(module).values()
        ):
            found[info.name] = getattr(module, "annotations", None) is __future__.annotations
    return found


def _postpones(path: Path) -> bool:
    return any(
        isinstance(node, ast.ImportFrom)
        and node.module == "__future__"
        and any(alias.name == "annotations" for alias in node.names)
        for node in ast.parse(path.read_text()).body
    )


def test_no_module_that_makes_models_postpones_its_annotations() -> None:
    # Postponed, every field's annotation is a string, which pydantic evaluates again while it
    # makes the class: about two fifths of making a model, paid at every cold start.
    found = _desk_modules_with_models()
    assert {
        "dsr.core.models",
        "dsr.core.registry",
        "dsr.policies.deadline_table",
        "dsr.policies.deadlines",
        "dsr.staff.request_views",
    } <= set(found)
    assert sorted(name for name, postpones in found.items() if postpones) == []
    # The handlers (read, not imported: each reads its environment at import) make models too.
    handlers = sorted(FUNCTIONS.glob("*/app.py"))
    assert len(handlers) == 22
    assert [str(path.relative_to(FUNCTIONS)) for path in handlers if _postpones(path)] == []
