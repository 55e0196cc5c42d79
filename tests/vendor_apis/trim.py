"""Trims a vendor's published OpenAPI document to what the SaaS definitions use.

    .venv/bin/python tests/vendor_apis/trim.py <tool> <the vendor's full document (JSON or YAML)>

writes ``tests/vendor_apis/<tool>/openapi.json``: the operations named in ``KEPT`` below (path and
methods, exactly as the vendor spells them), with their parameters and request bodies; their
responses keep their status codes and descriptions but not their content (the checker checks
requests, and a response schema pulls in most of a vendor's document); then every component the
kept parts reference, followed transitively. Nothing else is changed. Add an operation to
``KEPT`` when a definition starts using it, and run this again on the document SOURCE.md names.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

KEPT: dict[str, dict[str, list[str]]] = {
    "stripe": {
        "/v1/customers": ["get"],
        "/v1/customers/{customer}": ["get", "post", "delete"],
        "/v1/charges": ["get"],
        "/v1/invoices": ["get"],
    },
    "intercom": {
        "/contacts/search": ["post"],
        "/contacts/{contact_id}": ["get", "put", "delete"],
        "/conversations/search": ["post"],
    },
}


def trimmed(document: dict[str, Any], kept: dict[str, list[str]]) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for path, methods in kept.items():
        item = document["paths"][path]
        paths[path] = {key: value for key, value in item.items() if key not in METHODS}
        for method in methods:
            operation = dict(item[method])
            operation["responses"] = {
                status: {"description": answer.get("description", "")}
                for status, answer in operation.get("responses", {}).items()
            }
            paths[path][method] = operation
    out = {key: value for key, value in document.items() if key not in ("paths", "components", "webhooks")}
    out["paths"] = paths
    components: dict[str, dict[str, Any]] = {}
    pending = _refs(paths)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/", 3)
        value = document["components"][section][name]
        components.setdefault(section, {})[name] = value
        pending |= _refs(value)
    security = document.get("components", {}).get("securitySchemes")
    if security:
        components["securitySchemes"] = security
    out["components"] = {
        section: dict(sorted(items.items())) for section, items in sorted(components.items())
    }
    return out


def _refs(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for item in value.values():
            found |= _refs(item)
    elif isinstance(value, list):
        for item in value:
            found |= _refs(item)
    return found


def main(argv: list[str]) -> int:
    tool, source = argv[1], Path(argv[2])
    text = source.read_text(encoding="utf-8")
    document = json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    target = HERE / tool / "openapi.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(
        json.dumps(trimmed(document, KEPT[tool]), indent=1, sort_keys=False) + "\n", encoding="utf-8"
    )
    print(f"{target}: {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
