"""The HubSpot, Mailchimp and Zendesk definitions ask only for what each vendor's published API
document offers, and the stand-ins' demonstration records are keyed as each vendor keys them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from local_cloud import saas_demo_records
from local_cloud.demo_data import ADA, GRACE

ROOT = Path(__file__).resolve().parents[2]
DEFINITIONS = ROOT / "functions" / "dsr" / "config" / "saas"
DOCUMENTS = ROOT / "tests" / "vendor_apis"
TOOLS = ("hubspot", "mailchimp", "zendesk")


def _requests(tool: str) -> list[tuple[str, dict[str, Any]]]:
    definition = yaml.safe_load((DEFINITIONS / f"{tool}.yaml").read_text(encoding="utf-8"))
    found = [("find", definition["find"]["request"])]
    found += [(f"export {spec['name']}", spec["request"]) for spec in definition.get("export", [])]
    for action, declared in definition.get("actions", {}).items():
        found += [(f"{action} step {i}", step) for i, step in enumerate(declared["steps"])]
    return found


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """The document's operation a request's path (with its placeholders) reaches."""
    for template, item in document["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        if re.fullmatch(pattern, concrete) and method.lower() in item:
            return dict(item[method.lower()])
    return None


@pytest.mark.parametrize("tool", TOOLS)
def test_every_request_of_a_definition_is_an_operation_of_the_vendors_document(tool: str) -> None:
    document = json.loads((DOCUMENTS / tool / "openapi.json").read_text(encoding="utf-8"))
    unknown = [
        f"{where}: {request['method']} {request['path']}"
        for where, request in _requests(tool)
        if _operation(document, request["method"], request["path"]) is None
    ]
    assert unknown == []
    assert (DOCUMENTS / tool / "SOURCE.md").is_file()


@pytest.mark.parametrize("tool", TOOLS)
def test_every_query_parameter_a_definition_sends_is_one_the_vendor_documents(tool: str) -> None:
    document = json.loads((DOCUMENTS / tool / "openapi.json").read_text(encoding="utf-8"))
    for where, request in _requests(tool):
        operation = _operation(document, request["method"], request["path"]) or {}
        documented = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        sent = {name.split("[", 1)[0] for name in request.get("query", {})}  # page[size]: deepObject page
        assert sent <= documented, where


def test_the_erasure_of_a_zendesk_user_deletes_then_deletes_permanently() -> None:
    steps = [
        (step["method"], step["path"]) for where, step in _requests("zendesk") if where.startswith("erase")
    ]
    assert steps == [("DELETE", "/api/v2/users/{id}"), ("DELETE", "/api/v2/deleted_users/{id}")]


def test_mailchimp_members_are_keyed_by_the_md5_of_the_lower_cased_address() -> None:
    """Ada typed her address with capitals; Mailchimp still finds her by her lower-case address."""
    members = {member["id"]: member for member in saas_demo_records.mailchimp_members()}
    ada = members["3e3417d7ef77d5932a6734b916515ed5"]  # md5("ada@example.com")
    assert ada["email_address"] != ADA["email"]
    assert ada["email_address"].lower() == ADA["email"]
    assert saas_demo_records.subscriber_hash(str(GRACE["email"]).upper()) in members
    assert set(saas_demo_records.mailchimp_activity()) == set(members)


def test_each_tool_holds_someone_who_made_no_request() -> None:
    bystander = saas_demo_records.BYSTANDER["email"]
    assert bystander in {c["properties"]["email"] for c in saas_demo_records.hubspot_contacts()}
    assert bystander in {m["email_address"] for m in saas_demo_records.mailchimp_members()}
    assert bystander in {u["email"] for u in saas_demo_records.zendesk_users()}
    users = {u["id"] for u in saas_demo_records.zendesk_users()}
    assert {t["requester_id"] for t in saas_demo_records.zendesk_tickets()} <= users
