"""A SaaS definition's request made concrete: placeholders filled, the action's values placed, the
body encoded as the vendor reads it. The connector sends these; ``dsr registry check`` fills them
with sample values and checks them against the vendor's API document."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from dsr.core.saas_definitions import SaasRequest

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"

SAMPLE_VALUES = {"email": "sample.person@example.com", "id": "sample-id-123"}
"""What ``dsr registry check`` fills placeholders with (settings: a sample of their own name)."""


class ConcreteRequest(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None
    body_encoding: str
    declared: str = ""
    """The method and path as the definition declares them (``DELETE /v1/customers/{id}``): what an
    error names, since the filled path may hold a value of the person's."""

    @property
    def content_type(self) -> str | None:
        if self.body is None:
            return None
        return FORM_TYPE if self.body_encoding == "form" else JSON_TYPE

    def encoded_body(self) -> bytes | None:
        if self.body is None:
            return None
        if self.body_encoding == "form":
            return urlencode(form_pairs(self.body)).encode("ascii")
        return json.dumps(self.body).encode("utf-8")

    def query_string(self) -> str:
        return urlencode(list(self.query.items()))


def identity_values(email: str) -> dict[str, str]:
    """The identities a definition may find a person by: the address (trimmed and lower-cased, as
    vendors keep it) and its MD5 (Mailchimp's subscriber hash) and SHA-256 hex digests."""
    address = email.strip().lower()
    data = address.encode("utf-8")
    return {
        "email": address,
        "email_md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "email_sha256": hashlib.sha256(data).hexdigest(),
    }


def filled(
    request: SaasRequest, values: Mapping[str, str], action_values: Mapping[str, Any] | None = None
) -> ConcreteRequest:
    """``request`` with its placeholders replaced (percent-encoded in the path) and the action's
    values put into the body at ``values_at``."""
    path = _format(request.path, {k: quote(str(v), safe="") for k, v in values.items()})
    query = {name: str(_filled_value(value, values)) for name, value in request.query.items()}
    query = {name: _query_text(value) for name, value in query.items()}
    body = _filled_value(request.body, values) if request.body is not None else None
    if request.values_at is not None:
        body = dict(body or {})
        target = body
        for part in [p for p in request.values_at.split(".") if p]:
            target = target.setdefault(part, {})
        target.update(action_values or {})
    return ConcreteRequest(
        request.method, path, query, body, request.body_encoding, f"{request.method} {request.path}"
    )


def with_query(request: ConcreteRequest, name: str, value: str) -> ConcreteRequest:
    return request._replace(query={**request.query, name: value})


def with_body_value(request: ConcreteRequest, dotted: str, value: Any) -> ConcreteRequest:
    body = json.loads(json.dumps(request.body or {}))
    target = body
    *parents, last = dotted.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value
    return request._replace(body=body)


def form_pairs(body: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Nested values as bracketed keys, as Stripe reads a form: ``metadata[plan]=pro``,
    ``expand[0]=data``; true and false in words; null as an empty value (Stripe unsets a field)."""
    pairs: list[tuple[str, str]] = []
    for key, value in body.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            pairs += form_pairs(value, name)
        elif isinstance(value, list):
            pairs += form_pairs({str(i): item for i, item in enumerate(value)}, name)
        else:
            pairs.append((name, _query_text(value)))
    return pairs


def _query_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or value in ("True", "False"):
        return str(value).lower()
    return str(value)


def _filled_value(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _format(value, values)
    if isinstance(value, dict):
        return {k: _filled_value(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled_value(v, values) for v in value]
    return value


def _format(template: str, values: Mapping[str, str]) -> str:
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(literal)
        if name is not None:
            if name not in values:
                raise KeyError(f"no value for placeholder {{{name}}}")
            parts.append(str(values[name]))
    return "".join(parts)
