"""Checks made before a request body is even parsed: the method, the body's size, its content
type, and (for JSON) how deeply it nests, as a parser would otherwise recurse until it fails."""

from __future__ import annotations

import base64
import json
from collections.abc import Collection, Mapping
from typing import Any
from urllib.parse import urlsplit

MAX_BODY_BYTES = 512 * 1024
MAX_JSON_DEPTH = 32  # the desk's own documents nest four or five levels
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


def method_not_allowed(
    event: Mapping[str, Any], taken: Mapping[str, Collection[str]]
) -> dict[str, Any] | None:
    """A 405 with the methods the path takes (Allow) for a method it does not take, or None.

    ``taken`` maps a route's resource path to its methods; API Gateway sends the path's other
    methods here through its ANY route.
    """
    methods = taken.get(str(event.get("resource", "")))
    method = str(event.get("httpMethod", ""))
    if methods is None or method in methods:
        return None
    allowed = ", ".join(sorted(methods))
    answer = _answer(405, f"This address does not take {method}; it takes {allowed}.")
    answer["headers"]["Allow"] = allowed
    return answer


def refusal(event: Mapping[str, Any], accepted: Mapping[str, str]) -> dict[str, Any] | None:
    """A 413, 415 or 400 answer for a body we will not read, or None to go on.

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
    problem = _unreadable(event, expected)
    return _answer(400, problem) if problem else None


def _unreadable(event: Mapping[str, Any], content_type: str) -> str | None:
    if not _is_text(event):
        return "The request body is not UTF-8 text."
    if content_type == JSON and json_depth(_text(event)) > MAX_JSON_DEPTH:
        return f"The request body nests deeper than {MAX_JSON_DEPTH} levels."
    return None


def json_depth(text: str) -> int:
    """How deeply objects and arrays nest in ``text``, counted without parsing it (brackets
    inside strings do not count)."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def _text(event: Mapping[str, Any]) -> str:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body).decode("utf-8")
    return str(body)


def _is_text(event: Mapping[str, Any]) -> bool:
    if not event.get("isBase64Encoded"):
        return True
    try:
        base64.b64decode(event.get("body") or "").decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, as a browser writes an Origin header."""
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def sent_from_another_site(event: Mapping[str, Any], site_origin: str) -> bool:
    """True when a browser says the call comes from a page of another site. Sec-Fetch-Site is
    asked first: anything but ``same-origin`` (or ``none``, typed by the visitor) is another
    site's page. Without it, an Origin, else a Referer, naming another origin. ``Origin: null``
    alone says nothing: browsers send it from the desk's own pages too, which ask for no
    referrer. Calls that carry none of these (scripts, the command line) are not browsers
    posting on a visitor's behalf and go on."""
    fetch_site = _header(event, "sec-fetch-site").strip().lower()
    if fetch_site:
        return fetch_site not in {"same-origin", "none"}
    origin = _header(event, "origin").strip().lower()
    if origin and origin != "null":
        return origin != site_origin
    referer = _header(event, "referer").strip()
    return bool(referer) and origin_of(referer) != site_origin
