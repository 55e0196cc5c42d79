"""The fields a vendor's answer holds, by its API document: ``kept_field_problems`` checks the
fields a SaaS definition keeps from the records of an answer against the schema of the success
answer (2xx, application/json) the document gives for the request that fetches them.

The records are followed from the answer by ``records_at`` (a dotted path), through arrays (their
items), ``$ref``, ``allOf``, ``anyOf`` and ``oneOf`` (a field any form has is there). A field of an
object that allows other properties (``additionalProperties``, as Stripe's ``metadata``), or of an
object the document says nothing of, is accepted: the document does not say it is absent.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from vendor_apis import _document, _operation, _resolved

__all__ = ["KeptFieldCheck", "kept_field_problems"]


class KeptFieldCheck(NamedTuple):
    """``problems``: (the definition's key, ``records_at`` or ``keep``; the index in ``keep`` or
    None; the problem in words). ``note``: why nothing was checked, or empty."""

    problems: list[tuple[str, int | None, str]]
    note: str


def kept_field_problems(
    tool: str, method: str, path: str, records_at: str, keep: list[str]
) -> KeptFieldCheck:
    document = _document(tool)
    found = _operation(document, path)
    operation = None if found is None else found[1].get(method.lower())
    if found is None or operation is None:
        return KeptFieldCheck([], "")  # the request itself is refused, and said so
    request = f"{method.upper()} {found[0]}"
    answer = _success_schema(document, operation)
    if answer is None:
        return KeptFieldCheck([], f"not checked: {tool}'s document describes no answer for {request}")
    records = _field(document, [answer], records_at) if records_at else [answer]
    if records is None:
        message = (
            f"{tool}'s document has no field {records_at} in the answer of {request}: "
            "correct records_at to where the answer holds the records"
        )
        return KeptFieldCheck([("records_at", None, message)], "")
    problems: list[tuple[str, int | None, str]] = [
        (
            "keep",
            index,
            f"{tool}'s document has no field {name} in the answer of {request}: "
            "correct its spelling, or remove it",
        )
        for index, name in enumerate(keep)
        if _field(document, records, name) is None
    ]
    return KeptFieldCheck(problems, "")


def _success_schema(document: dict[str, Any], operation: dict[str, Any]) -> Any:
    for status, answer in operation.get("responses", {}).items():
        content = _resolved(document, answer).get("content", {})
        if str(status).startswith("2") and "schema" in content.get("application/json", {}):
            return content["application/json"]["schema"]
    return None


def _field(document: dict[str, Any], schemas: list[Any], dotted: str) -> list[Any] | None:
    """The schemas the field at ``dotted`` may have in a value of one of ``schemas``; None if none
    of them has it."""
    for name in dotted.split("."):
        found: list[Any] = []
        for schema in schemas:
            forms = _forms(document, schema)
            found += [form["properties"][name] for form in forms if name in form.get("properties", {})]
            if not found and any(_open(form) for form in forms):
                found.append({})
        if not found:
            return None
        schemas = found
    return schemas


def _forms(document: dict[str, Any], schema: Any) -> list[dict[str, Any]]:
    """The object forms a value of ``schema`` takes (an array's: its items')."""
    schema = _resolved(document, schema)
    if not isinstance(schema, dict):
        return []
    if schema.get("type") == "array" or "items" in schema:
        return _forms(document, schema.get("items", {}))
    forms = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for member in schema.get(key, []):
            forms += _forms(document, member)
    return forms


def _open(form: dict[str, Any]) -> bool:
    """An object that allows fields it does not list, or says nothing of its fields."""
    if form.get("additionalProperties") not in (None, False):
        return True
    said = ("properties", "allOf", "anyOf", "oneOf", "items", "enum")
    return not any(key in form for key in said) and form.get("type") in (None, "object")
