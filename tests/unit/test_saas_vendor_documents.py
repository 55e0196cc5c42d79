"""The HubSpot, Mailchimp and Zendesk definitions ask only for what each vendor's published API
document offers, and the stand-ins' demonstration records are keyed as each vendor keys them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dsr.connectors.base import SaasError
from dsr.connectors.saas_http import SaasHttp
from dsr.connectors.saas_requests import SAMPLE_VALUES, filled, identity_values
from dsr.core.saas_definitions import SaasDefinitionError, load_definition, parse_definition
from local_cloud import saas_demo_records
from local_cloud.demo_data import ADA, GRACE
from vendor_apis import request_problems

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


@pytest.mark.parametrize("tool", TOOLS)
def test_every_request_of_a_definition_is_one_the_vendors_document_allows(tool: str) -> None:
    """As ``dsr registry check`` fills them: sample identities, record id and settings, and for an
    action that writes values (HubSpot's restriction) a property the account defined."""
    definition = load_definition(tool)
    values = {
        **identity_values(SAMPLE_VALUES["email"]),
        "id": SAMPLE_VALUES["id"],
        **{name: f"sample-{name}" for name in [*definition.settings, *definition.find.record_values]},
        "item_id": SAMPLE_VALUES["id"],
    }
    problems = []
    for where, request in definition.requests():
        written = {"dsr_processing_restricted": "true"} if request.values_at is not None else None
        concrete = filled(request, values, written)
        found = request_problems(
            tool,
            concrete.method,
            concrete.path,
            concrete.query_string(),
            concrete.encoded_body(),
            concrete.content_type,
        )
        problems += [f"{where}: {problem}" for problem in found]
    assert problems == []
    assert (DOCUMENTS / tool / "SOURCE.md").is_file()


def test_a_request_the_vendor_would_refuse_is_named_by_the_checker() -> None:
    """The documents are strict enough to catch a misspelt field or parameter."""
    (problem,) = request_problems(
        "mailchimp", "PATCH", "/lists/l1/members/abc", None, {"stauts": "unsubscribed"}, "application/json"
    )
    assert "body field 'stauts' is not in the document" in problem
    (problem,) = request_problems("zendesk", "GET", "/api/v2/users/1/tickets/requested", "per_page=100")
    assert "no query parameter 'per_page'" in problem
    problems = request_problems(
        "hubspot", "POST", "/crm/v3/objects/contacts/gdpr-delete", None, {"id": "1"}, "application/json"
    )
    assert sorted(p.split(": ")[-1] for p in problems) == [
        "body field 'id' is not in the document",
        "body field 'objectId' is required",
    ]


def test_the_erasure_of_a_zendesk_user_deletes_the_tickets_then_the_user_each_permanently() -> None:
    steps = [
        (step["method"], step["path"], step.get("for_each"))
        for where, step in _requests("zendesk")
        if where.startswith("erase")
    ]
    assert steps == [
        ("DELETE", "/api/v2/tickets/{item_id}", "requested_tickets"),
        ("DELETE", "/api/v2/deleted_tickets/{item_id}", "requested_tickets"),
        ("DELETE", "/api/v2/users/{id}", None),
        ("DELETE", "/api/v2/deleted_users/{id}", None),
    ]


def test_for_each_names_an_export_and_alone_gives_item_id() -> None:
    text = (DEFINITIONS / "zendesk.yaml").read_text(encoding="utf-8")
    with pytest.raises(SaasDefinitionError, match=r"for_each names an export \(requested_tickets\)"):
        parse_definition(
            text.replace("for_each: requested_tickets}", "for_each: tickets}", 1), "zendesk.yaml"
        )
    without = text.replace(", for_each: requested_tickets}", "}", 1)
    with pytest.raises(SaasDefinitionError, match=r"actions.erase.steps.0: unknown placeholder\(s\) item_id"):
        parse_definition(without, "zendesk.yaml")


def test_mailchimp_members_are_keyed_by_the_md5_of_the_lower_cased_address() -> None:
    """Ada typed her address with capitals for the newsletter; her member there has the id of her
    lower-case address, the same id as in the other audience she is in."""
    members = saas_demo_records.mailchimp_members()
    ada = [m for m in members if m["id"] == "3e3417d7ef77d5932a6734b916515ed5"]  # md5("ada@example.com")
    assert {m["list_id"] for m in ada} == {
        saas_demo_records.MAILCHIMP_LIST_ID,
        saas_demo_records.MAILCHIMP_EVENTS_LIST_ID,
    }
    assert "Ada@Example.com" in {m["email_address"] for m in ada}
    assert {m["email_address"].lower() for m in ada} == {ADA["email"]}
    assert saas_demo_records.subscriber_hash(str(GRACE["email"]).upper()) in {m["id"] for m in members}
    assert set(saas_demo_records.mailchimp_activity()) == {(m["list_id"], m["id"]) for m in members}


def test_a_record_value_is_a_placeholder_of_the_later_requests_only() -> None:
    """Mailchimp's {list_id} comes from each member found: the search cannot use it."""
    text = (DEFINITIONS / "mailchimp.yaml").read_text(encoding="utf-8")
    in_find = text.replace('query: {query: "{email}"}', 'query: {query: "{email}", list_id: "{list_id}"}')
    with pytest.raises(SaasDefinitionError, match=r"find.request: unknown placeholder\(s\) list_id"):
        parse_definition(in_find, "mailchimp.yaml")
    clash = text.replace("record_values: {list_id: list_id}", "record_values: {email: email_address}")
    with pytest.raises(SaasDefinitionError, match=r"record_values: email is already a placeholder"):
        parse_definition(clash, "mailchimp.yaml")


def test_each_tool_holds_someone_who_made_no_request() -> None:
    bystander = saas_demo_records.BYSTANDER["email"]
    assert bystander in {c["properties"]["email"] for c in saas_demo_records.hubspot_contacts()}
    assert bystander in {m["email_address"] for m in saas_demo_records.mailchimp_members()}
    assert bystander in {u["email"] for u in saas_demo_records.zendesk_users()}
    users = {u["id"] for u in saas_demo_records.zendesk_users()}
    assert {t["requester_id"] for t in saas_demo_records.zendesk_tickets()} <= users


def _mailchimp_http(environment: dict[str, str]) -> SaasHttp:
    return SaasHttp(load_definition("mailchimp"), environment, read_secret=lambda _: {})


def test_mailchimp_is_reached_in_the_data_centre_its_settings_name() -> None:
    http = _mailchimp_http({"MAILCHIMP_DATA_CENTER": "us21"})
    assert http.base_url == "https://us21.api.mailchimp.com/3.0"
    stand_in = "http://127.0.0.1:3456"
    assert _mailchimp_http({"MAILCHIMP_API_URL": stand_in}).base_url == stand_in


@pytest.mark.parametrize("data_center", ["", "evil.example/x", "us21.evil.example"])
def test_a_data_centre_that_could_name_another_host_is_refused(data_center: str) -> None:
    with pytest.raises(SaasError, match=r"^mailchimp: base URL \(MAILCHIMP_DATA_CENTER\) .*one DNS label"):
        _mailchimp_http({"MAILCHIMP_DATA_CENTER": data_center})


def test_only_settings_may_fill_a_base_url() -> None:
    text = (DEFINITIONS / "mailchimp.yaml").read_text(encoding="utf-8")
    with pytest.raises(SaasDefinitionError, match=r"base_url: unknown placeholder\(s\) email"):
        parse_definition(text.replace("https://{data_center}.api", "https://{email}.api"), "mailchimp.yaml")


@pytest.mark.parametrize("tool", sorted(path.parent.name for path in DOCUMENTS.glob("*/openapi.json")))
def test_each_vendor_document_comes_from_a_registry_package_not_a_repository_copy(tool: str) -> None:
    source = (DOCUMENTS / tool / "SOURCE.md").read_text(encoding="utf-8")
    assert "npm pack " in source or "pip download " in source, f"{tool}: SOURCE.md names no registry package"
    assert "sha256" in source, f"{tool}: SOURCE.md gives no checksum of the package"
    for copied in ("github.com", "Repository:", "Commit:", "trim.py"):
        assert copied not in source, f"{tool}: SOURCE.md names {copied!r} as where the document comes from"
