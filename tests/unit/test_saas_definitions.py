"""SaaS definitions: the shipped files are valid, mistakes are named, and every request a
definition can make is one its vendor's API document allows."""

from __future__ import annotations

import hashlib

import pytest

from dsr.connectors.saas_requests import SAMPLE_VALUES, filled, form_pairs, identity_values
from dsr.core.registry import parse_registry
from dsr.core.registry_stores import RegistryError
from dsr.core.saas_definitions import (
    SAAS_DEFINITIONS_DIR,
    SaasDefinitionError,
    load_definition,
    parse_definition,
)
from vendor_apis import has_document, request_problems

SHIPPED = sorted(path.stem for path in SAAS_DEFINITIONS_DIR.glob("*.yaml"))

MINIMAL = """
tool: acme
base_url: https://api.acme.example
auth: {scheme: bearer, secret: privacy-desk/saas/acme}
rate_limit: {requests: 5, per_seconds: 1}
find:
  request: {method: GET, path: /people, query: {email: "{email}"}}
  records_at: people
"""


def test_stripe_and_intercom_are_shipped() -> None:
    assert {"stripe", "intercom"} <= set(SHIPPED)


@pytest.mark.parametrize("tool", SHIPPED)
def test_every_request_of_a_shipped_definition_passes_its_vendor_document(tool: str) -> None:
    definition = load_definition(tool)
    assert has_document(tool), f"tests/vendor_apis/{tool}/openapi.json is missing"
    values = {**identity_values(SAMPLE_VALUES["email"]), "id": SAMPLE_VALUES["id"]}
    values |= {name: f"sample-{name}" for name in [*definition.settings, *definition.find.record_values]}
    values["item_id"] = SAMPLE_VALUES["id"]  # a for_each step's record of an export
    problems = []
    for _, request in definition.requests():
        concrete = filled(request, values, {"processing_restricted": "true"} if request.values_at else None)
        problems += request_problems(
            tool,
            concrete.method,
            concrete.path,
            concrete.query,
            concrete.encoded_body(),
            concrete.content_type,
        )
    assert problems == []


def test_an_unknown_placeholder_is_named_with_where_it_is() -> None:
    text = MINIMAL.replace('"{email}"', '"{mail}"')
    with pytest.raises(SaasDefinitionError, match=r"find\.request: unknown placeholder\(s\) mail"):
        parse_definition(text, "acme.yaml")


def test_a_record_id_cannot_be_used_to_find_the_record() -> None:
    with pytest.raises(SaasDefinitionError, match="unknown placeholder"):
        parse_definition(MINIMAL.replace('"{email}"', '"{id}"'), "acme.yaml")


def test_a_misspelt_key_and_a_plain_http_url_are_refused() -> None:
    with pytest.raises(SaasDefinitionError, match="rate_limt"):
        parse_definition(MINIMAL.replace("rate_limit", "rate_limt"), "acme.yaml")
    with pytest.raises(SaasDefinitionError, match="base_url"):
        parse_definition(MINIMAL.replace("https://", "http://"), "acme.yaml")


def test_a_pagination_style_needs_what_it_reads() -> None:
    text = MINIMAL + "  pagination: {style: offset, param: offset}\n"
    with pytest.raises(SaasDefinitionError, match="pagination style offset needs count_param, total_at"):
        parse_definition(text, "acme.yaml")


def test_a_saas_system_names_a_definition_that_exists_and_carries_out_its_actions() -> None:
    system = """
systems:
  - id: billing
    name: Billing
    owner: finance
    categories: [billing details]
    store: {kind: saas, tool: TOOL}
    actions: {export: {}, erase: {method: delete}, opt_out: {set_fields: {marketing: false}}}
"""
    with pytest.raises(RegistryError, match="no SaaS definition for tool 'nosuchtool'"):
        parse_registry(system.replace("TOOL", "nosuchtool"))
    with pytest.raises(RegistryError, match="the stripe definition has no steps for opt_out"):
        parse_registry(system.replace("TOOL", "stripe"))
    registry = parse_registry(system.replace("TOOL", "intercom"))
    assert registry.system("billing").store.kind == "saas"


def test_form_bodies_use_bracketed_keys_as_stripe_reads_them() -> None:
    pairs = form_pairs({"metadata": {"restricted": True}, "expand": ["data"], "phone": None})
    assert pairs == [("metadata[restricted]", "true"), ("expand[0]", "data"), ("phone", "")]


def test_identities_are_hashed_from_the_lower_cased_address() -> None:
    values = identity_values(" Ada@Example.com ")
    assert values["email"] == "ada@example.com"
    assert values["email_md5"] == hashlib.md5(b"ada@example.com").hexdigest()
    assert values["email_sha256"] == hashlib.sha256(b"ada@example.com").hexdigest()


def test_a_path_value_is_percent_encoded() -> None:
    definition = parse_definition(MINIMAL.replace("path: /people,", 'path: "/people/{email}",'), "acme.yaml")
    concrete = filled(definition.find.request, identity_values("a/b@example.com"))
    assert concrete.path == "/people/a%2Fb%40example.com"


# ------------------------------------------------------------------------------ the checker


def test_the_checker_refuses_an_unknown_endpoint_naming_tool_and_request() -> None:
    assert request_problems("stripe", "GET", "/v1/customerz", {}) == [
        "stripe: GET /v1/customerz: the stripe API document has no path like /v1/customerz"
    ]
    (problem,) = request_problems("stripe", "PATCH", "/v1/customers/cus_1")
    assert "allows GET, POST, DELETE on /v1/customers/{customer}, not PATCH" in problem


def test_the_checker_refuses_a_field_the_document_lacks() -> None:
    body = b"metadata[restricted]=true&nmae=Ada"
    problems = request_problems(
        "stripe", "POST", "/v1/customers/cus_1", None, body, "application/x-www-form-urlencoded"
    )
    assert problems == [
        "stripe: POST /v1/customers/cus_1 (/v1/customers/{customer}): "
        "body field 'nmae' is not in the document"
    ]
    problems = request_problems(
        "intercom", "PUT", "/contacts/1", None, {"unsubscribed": True}, "application/json"
    )
    assert problems == [
        "intercom: PUT /contacts/1 (/contacts/{contact_id}): body field 'unsubscribed' is not in the document"
    ]


def test_the_checker_names_a_query_parameter_of_the_wrong_type_without_its_value() -> None:
    problems = request_problems(
        "stripe", "GET", "/v1/customers", {"email": "ada@example.com", "limit": "many"}
    )
    assert problems == [
        "stripe: GET /v1/customers (/v1/customers): query parameter 'limit' must be of type integer"
    ]
    assert not any("ada@example.com" in p for p in problems)


def test_the_checker_requires_what_the_document_requires() -> None:
    problems = request_problems(
        "intercom", "POST", "/contacts/search", None, {"pagination": {"per_page": 5}}, "application/json"
    )
    assert problems == ["intercom: POST /contacts/search (/contacts/search): body field 'query' is required"]
