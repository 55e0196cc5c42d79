"""Validation errors as the API answers them: each invalid field, where it was, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def invalid_fields(errors: Sequence[Any]) -> dict[str, Any]:
    """The body of a 422: ``detail`` lists ``loc`` (where), ``type`` (what kind) and ``msg`` (why)."""
    detail = [
        {
            "loc": list(error.get("loc", ())),
            "type": error.get("type", "invalid"),
            "msg": str(error.get("msg", "invalid value")).removeprefix("Value error, "),
        }
        for error in errors
    ]
    fields = ", ".join(".".join(str(part) for part in item["loc"][1:]) or "body" for item in detail)
    return {"message": f"Invalid request: {fields}", "detail": detail}
