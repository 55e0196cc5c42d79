"""Checks made before a request body is even parsed: its size and its content type."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

MAX_BODY_BYTES = 512 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _answer(status: int, message: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON},
        "body": json.dumps({"message": message}),
        "isBase64Encoded": False,
    }


def _header(event: Mapping[str, Any], name: str) -> str:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name:
            return str(value)
    return ""


def body_size(event: Mapping[str, Any]) -> int:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return len(base64.b64decode(body, validate=False))
    return len(str(body).encode())


def refusal(event: Mapping[str, Any], accepted: Mapping[str, str]) -> dict[str, Any] | None:
    """A 413 or 415 answer for a body we will not read, or None to go on.

    ``accepted`` maps a route's resource path to the content type its body must have.
    """
    if event.get("httpMethod") not in {"POST", "PUT", "PATCH"}:
        return None
    if body_size(event) > MAX_BODY_BYTES:
        return _answer(413, f"The request body is larger than {MAX_BODY_BYTES // 1024} KiB.")
    expected = accepted.get(str(event.get("resource", "")))
    if expected is None:
        return None
    given = _header(event, "content-type").split(";", 1)[0].strip().lower()
    if given != expected:
        return _answer(415, f"Send the body as {expected}, not {given or 'an unnamed type'}.")
    if not _is_text(event):
        return _answer(400, "The request body is not UTF-8 text.")
    return None


def _is_text(event: Mapping[str, Any]) -> bool:
    if not event.get("isBase64Encoded"):
        return True
    try:
        base64.b64decode(event.get("body") or "").decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return True
