"""Checks one concrete HTTP request against a vendor's own published API description.

``request_problems(tool, method, path, query, body, content_type)`` answers, as sentences, what the
vendor's OpenAPI document (``tests/vendor_apis/<tool>/openapi.json``, trimmed from the vendor's
published document as its SOURCE.md says) would refuse: a path or method it does not have, a query
parameter or body field it does not describe, a required one missing, a value of the wrong type
or form. An empty list: the document allows the request. Each sentence names the tool, the
request (method and path) and the field; none repeats a value, which may be personal data.

Used by the SaaS stand-ins of the local cloud (they refuse what the vendor would), by
``dsr registry check`` (every request a definition can make) and by the tests.

The document's schemas are checked with openapi-schema-validator (OpenAPI 3.0 and 3.1 keywords:
``nullable``, ``readOnly``...); paths are matched, and query strings and form-encoded bodies
decoded (Stripe's bracketed keys, ``metadata[plan]=pro``, as the document's ``deepObject`` style
says), here. An object schema that lists its properties and says nothing of others is read as
allowing only those: a field the document does not describe is reported, not passed silently.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

DOCUMENTS_DIR = Path(__file__).resolve().parents[2] / "tests" / "vendor_apis"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
_BRACKETS = re.compile(r"\[([^\]]*)\]")

__all__ = ["DOCUMENTS_DIR", "FORM", "JSON", "has_document", "request_problems"]


def has_document(tool: str) -> bool:
    return (DOCUMENTS_DIR / tool / "openapi.json").is_file()


def request_problems(  # noqa: PLR0917 - a request's parts, in the order they are written
    tool: str,
    method: str,
    path: str,
    query: Mapping[str, Any] | str | None = None,
    body: Mapping[str, Any] | bytes | str | None = None,
    content_type: str | None = None,
) -> list[str]:
    """What ``tool``'s document would refuse in this request; empty if nothing.

    ``query``: a mapping (values as sent, or lists of them) or the raw query string. ``body``: the
    decoded body (a mapping) or its raw bytes, read as ``content_type`` says."""
    document = _document(tool)
    method = method.upper()
    request = f"{tool}: {method} {path}"
    found = _operation(document, path)
    if found is None:
        return [f"{request}: the {tool} API document has no path like {path}"]
    template, item = found
    operation = item.get(method.lower())
    if operation is None:
        allowed = ", ".join(m.upper() for m in ("get", "post", "put", "patch", "delete") if m in item)
        return [f"{request}: the {tool} API document allows {allowed} on {template}, not {method}"]
    request = f"{tool}: {method} {path} ({template})"
    parameters = [
        _resolved(document, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]
    ]
    problems = _query_problems(document, request, parameters, _query_mapping(query))
    problems += _body_problems(document, request, operation, body, content_type)
    return problems


# ------------------------------------------------------------------------------ documents


@cache
def _document(tool: str) -> dict[str, Any]:
    path = DOCUMENTS_DIR / tool / "openapi.json"
    if not path.is_file():
        raise LookupError(f"{tool}: no API document at {path}")
    document = json.loads(path.read_text(encoding="utf-8"))
    _close_described_objects(document)
    return dict(document)


def _close_described_objects(node: Any, in_all_of: bool = False) -> None:
    """An object schema that lists properties and says nothing of others allows only those."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node and not in_all_of:
            node["additionalProperties"] = False
        for key, value in node.items():
            if key == "allOf" and isinstance(value, list):
                for member in value:
                    _close_described_objects(member, in_all_of=True)
            else:
                _close_described_objects(value)
    elif isinstance(node, list):
        for item in node:
            _close_described_objects(item)


def _resolved(document: dict[str, Any], node: Any) -> Any:
    """``node``, or what its ``$ref`` (a pointer into the document) names."""
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _operation(document: dict[str, Any], path: str) -> tuple[str, dict[str, Any]] | None:
    """The path template ``path`` fills, preferring the one with the most literal segments."""
    segments = path.split("/")
    best: tuple[int, str] | None = None
    for template in document["paths"]:
        parts = template.split("/")
        if len(parts) != len(segments):
            continue
        literal = 0
        for part, segment in zip(parts, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                if not segment:
                    break
            elif part != segment:
                break
            else:
                literal += 1
        else:
            if best is None or literal > best[0]:
                best = (literal, template)
    return None if best is None else (best[1], document["paths"][best[1]])


# ------------------------------------------------------------------------------ query


def _query_mapping(query: Mapping[str, Any] | str | None) -> dict[str, Any]:
    if query is None:
        return {}
    if isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=True)
    else:
        pairs = [(k, item) for k, v in query.items() for item in (v if isinstance(v, list) else [v])]
    values: dict[str, Any] = {}
    for key, value in pairs:
        _put(values, key, value)
    return values


def _put(values: dict[str, Any], key: str, value: Any) -> None:
    """``a[b][c]=v`` as ``{"a": {"b": {"c": v}}}``; ``a[]=v`` and repeated keys as lists."""
    name, _, rest = key.partition("[")
    parts = [name, *_BRACKETS.findall("[" + rest)] if rest else [name]
    node: Any = values
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following = None if last else parts[index + 1]
        if isinstance(node, list):
            if last:
                node.append(value)
                return
            node.append({} if following else [])
            node = node[-1]
            continue
        if last:
            if part in node:
                existing = node[part]
                node[part] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                node[part] = value
            return
        if part not in node or not isinstance(node[part], (dict, list)):
            node[part] = [] if following in ("", None) or (following or "").isdigit() else {}
        node = node[part]


def _query_problems(
    document: dict[str, Any], request: str, parameters: list[dict[str, Any]], query: dict[str, Any]
) -> list[str]:
    declared = {p["name"]: p for p in parameters if p.get("in") == "query"}
    problems = [
        f"{request}: the document has no query parameter {name!r}" for name in query if name not in declared
    ]
    for name, parameter in declared.items():
        if name not in query:
            if parameter.get("required"):
                problems.append(f"{request}: query parameter {name!r} is required")
            continue
        schema = parameter.get("schema", {})
        problems += _schema_problems(
            document, schema, _coerced(document, schema, query[name]), f"{request}: query parameter", name
        )
    return problems


# ------------------------------------------------------------------------------ body


def _body_problems(
    document: dict[str, Any],
    request: str,
    operation: dict[str, Any],
    body: Mapping[str, Any] | bytes | str | None,
    content_type: str | None,
) -> list[str]:
    described = _resolved(document, operation.get("requestBody"))
    empty = body is None or body in (b"", "") or (isinstance(body, Mapping) and not body)
    if described is None:
        return [] if empty else [f"{request}: the document describes no body for this request"]
    if empty:
        return [f"{request}: a body is required"] if described.get("required") else []
    media = (content_type or JSON).split(";")[0].strip().lower()
    content = described.get("content", {})
    if media not in content:
        return [f"{request}: the document takes {', '.join(content)} here, not {media}"]
    try:
        value = _decoded(body, media)
    except ValueError as error:
        return [f"{request}: the body is not {media}: {error}"]
    schema = content[media].get("schema", {})
    if media == FORM:
        value = _coerced(document, schema, value)
    return _schema_problems(document, schema, value, f"{request}: body field", "")


def _decoded(body: Mapping[str, Any] | bytes | str | None, media: str) -> Any:
    if isinstance(body, Mapping):
        return dict(body)
    text = body.decode("utf-8") if isinstance(body, bytes) else str(body)
    if media == FORM:
        return _query_mapping(text)
    return json.loads(text)


def _coerced(document: dict[str, Any], schema: Any, value: Any) -> Any:
    """A value read from a query string or form (strings) as the types its schema gives."""
    schema = _resolved(document, schema)
    if not isinstance(schema, dict):
        return value
    for option in [*schema.get("anyOf", []), *schema.get("oneOf", [])]:
        coerced = _coerced(document, _resolved(document, option), value)
        if coerced != value:
            return coerced
    if isinstance(value, (dict, list)):
        return _coerced_container(document, schema, value)
    return _coerced_text(document, schema, value) if isinstance(value, str) else value


def _coerced_container(
    document: dict[str, Any], schema: dict[str, Any], value: dict[str, Any] | list[Any]
) -> Any:
    kind = schema.get("type")
    items = schema.get("items", {})
    if isinstance(value, list):
        return [_coerced(document, items, v) for v in value] if kind == "array" else value
    if kind == "array" and all(k.isdigit() for k in value):
        return [_coerced(document, items, value[k]) for k in sorted(value, key=int)]
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    others = extra if isinstance(extra, dict) else {}
    return {k: _coerced(document, properties.get(k, others), v) for k, v in value.items()}


def _coerced_text(document: dict[str, Any], schema: dict[str, Any], value: str) -> Any:
    kind = schema.get("type")
    converted: Any = value
    if kind == "array":
        converted = [_coerced(document, schema.get("items", {}), value)]
    elif kind == "integer" and re.fullmatch(r"-?\d+", value):
        converted = int(value)
    elif kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
        converted = float(value)
    elif kind == "boolean" and value in ("true", "false"):
        converted = value == "true"
    return converted


# ------------------------------------------------------------------------------ schemas


def _schema_problems(document: dict[str, Any], schema: Any, value: Any, what: str, name: str) -> list[str]:
    from openapi_schema_validator import OAS30Validator, OAS31Validator  # noqa: PLC0415

    validator_class = OAS31Validator if str(document.get("openapi", "")).startswith("3.1") else OAS30Validator
    # The document's components beside the schema, so that its "#/components/..." refs resolve.
    rooted = {**copy.copy(_resolved(document, schema)), "components": document.get("components", {})}
    validator = validator_class(rooted)
    problems = []
    errors = list(validator.iter_errors(value))
    while errors:
        error = errors.pop(0)
        options = error.validator_value if error.validator in ("anyOf", "oneOf") else None
        if isinstance(options, list) and len(options) == 1 and error.context:
            errors[:0] = error.context  # one form only: its own problems say more
            continue
        field = ".".join(
            [name, *(str(p) for p in error.absolute_path)] if name else [str(p) for p in error.absolute_path]
        )
        problems.append(_sentence(what, field, error))
    return problems


def _sentence(what: str, field: str, error: Any) -> str:
    """The problem in words, without the value itself (it may be personal data)."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    keyword = error.validator
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        known = set(schema.get("properties", {}))
        extras = sorted(k for k in error.instance if k not in known)
        return "; ".join(f"{what} {_joined(field, k)!r} is not in the document" for k in extras)
    if keyword == "required":
        missing = [
            k for k in error.validator_value if isinstance(error.instance, dict) and k not in error.instance
        ]
        return "; ".join(f"{what} {_joined(field, k)!r} is required" for k in missing)
    label = f"{what} {field!r}" if field else what.replace(" field", "")
    if keyword == "type":
        return f"{label} must be of type {error.validator_value}"
    if keyword == "enum":
        return f"{label} must be one of {', '.join(map(str, error.validator_value))}"
    if keyword in ("anyOf", "oneOf"):
        return f"{label} matches none of the forms the document allows"
    return f"{label} breaks the document's {keyword} ({error.validator_value})"


def _joined(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key
