"""Each SaaS definition carried out by the connector against its stand-in, over HTTP: the
stand-in refuses whatever the vendor's API document would, so a request that passes here is one
the vendor would accept."""

from __future__ import annotations

import pytest

from dsr.connectors.base import SaasError, Subject
from dsr.connectors.saas import RECORD_SET, SaasConnector
from dsr.connectors.saas_http import SaasHttp
from dsr.core.saas_definitions import load_definition
from local_cloud.demo_data import ADA, ALAN, GRACE
from local_cloud.saas_standins import SaasStandIn
from tests.support import stand_in_connector as connector

NOBODY = Subject(email="nobody@example.com")


@pytest.mark.parametrize("stand_in", ["stripe"], indirect=True)
def test_stripe_exports_the_customer_with_every_page_of_charges_and_invoices(stand_in: SaasStandIn) -> None:
    records = list(connector(stand_in).export(Subject(email=ADA["email"])))
    sets = [r[RECORD_SET] for r in records]
    assert sets == ["person", "charges", "charges", "charges", "invoices"]
    assert records[0]["email"] == ADA["email"] and records[0]["name"] == ADA["name"]
    assert all("ada" not in str(r).lower() or r[RECORD_SET] != "person" or r is records[0] for r in records)
    # three charges at two a page: the cursor was followed
    assert [e.path for e in stand_in.log].count("/v1/charges") == 2
    assert all(e.status == 200 for e in stand_in.log)


@pytest.mark.parametrize("stand_in", ["stripe"], indirect=True)
def test_stripe_restricts_in_metadata_then_erases_once(stand_in: SaasStandIn) -> None:
    grace = Subject(email=GRACE["email"])
    assert connector(stand_in, "restrict").set_fields(grace, {"processing_restricted": "true"}) == 1
    (customer,) = [c for c in stand_in.vendor.customers.values() if c["email"] == GRACE["email"]]  # type: ignore[attr-defined]
    assert customer["metadata"] == {"processing_restricted": "true"}
    assert connector(stand_in).correct(grace, {"name": "Grace B. Hopper"}) == 1
    assert customer["name"] == "Grace B. Hopper"
    assert connector(stand_in).delete(grace) == 1
    assert connector(stand_in).delete(grace) == 0
    assert connector(stand_in).delete(NOBODY) == 0
    remaining = {c["email"] for c in stand_in.vendor.customers.values()}  # type: ignore[attr-defined]
    assert GRACE["email"] not in remaining and ADA["email"] in remaining


@pytest.mark.parametrize("stand_in", ["intercom"], indirect=True)
def test_intercom_finds_the_contact_by_email_in_any_case_and_pages_conversations(
    stand_in: SaasStandIn,
) -> None:
    records = list(connector(stand_in).export(Subject(email=ADA["email"])))
    assert [r[RECORD_SET] for r in records] == ["person", "conversations", "conversations", "conversations"]
    assert {r["title"] for r in records[1:]} == {"Billing question", "Export my data", "Password reset"}
    assert list(connector(stand_in).export(NOBODY)) == []


@pytest.mark.parametrize("stand_in", ["intercom"], indirect=True)
def test_intercom_opts_out_restricts_and_erases(stand_in: SaasStandIn) -> None:
    alan = Subject(email=ALAN["email"])
    assert connector(stand_in, "opt_out").set_fields(alan, {"unsubscribed_from_emails": True}) == 1
    assert connector(stand_in, "restrict").set_fields(alan, {"processing_restricted": True}) == 1
    (contact,) = [c for c in stand_in.vendor.contacts.values() if c["email"] == ALAN["email"]]  # type: ignore[attr-defined]
    assert contact["unsubscribed_from_emails"] is True
    assert contact["custom_attributes"] == {"processing_restricted": True}
    assert connector(stand_in).delete(alan) == 1
    assert connector(stand_in).delete(alan) == 0


@pytest.mark.parametrize("stand_in", ["intercom"], indirect=True)
def test_a_request_the_document_refuses_fails_naming_the_tool_and_status_not_the_person(
    stand_in: SaasStandIn,
) -> None:
    # opt_out's values go to the top of the body: a field Intercom does not describe is refused
    with pytest.raises(SaasError) as refused:
        connector(stand_in, "opt_out").set_fields(Subject(email=ADA["email"]), {"marketing_ok": False})
    assert (
        str(refused.value)
        == "intercom: actions.opt_out.steps.0 (PUT /contacts/{id}) answered 400 (parameter_invalid)"
    )
    assert stand_in.log[-1].status == 400


@pytest.mark.parametrize("stand_in", ["stripe"], indirect=True)
def test_429_is_retried_after_retry_after_and_counted(stand_in: SaasStandIn) -> None:
    stand_in.fail_every(3, retry_after="0.2")
    records = list(connector(stand_in).export(Subject(email=ADA["email"])))
    assert len(records) == 5
    throttled = [e for e in stand_in.log if e.status == 429]
    assert throttled
    # the request after each 429 came no sooner than Retry-After
    for before, after in zip(stand_in.log, stand_in.log[1:], strict=False):
        if before.status == 429:
            assert after.at - before.at >= 0.19


@pytest.mark.parametrize("stand_in", ["stripe"], indirect=True)
def test_a_wrong_key_fails_with_401_naming_the_tool(stand_in: SaasStandIn) -> None:
    definition = load_definition("stripe")
    environment = {"STRIPE_API_URL": stand_in.base_url}
    http = SaasHttp(definition, environment, read_secret=lambda _: {"api_key": "sk_wrong"})
    with pytest.raises(SaasError, match=r"^stripe: find.request \(GET /v1/customers\) answered 401"):
        list(SaasConnector(http, environment).export(Subject(email=ADA["email"])))
