"""The HubSpot, Mailchimp and Zendesk definitions carried out by the connector against their
stand-ins, over HTTP: export, erase, opt out and restrict, each a second time changing nothing.
The stand-ins refuse whatever the vendor's API document would, so these requests are ones the
vendor would accept."""

from __future__ import annotations

import pytest

from dsr.connectors.base import Subject
from dsr.connectors.saas import RECORD_SET
from local_cloud import saas_demo_records
from local_cloud.demo_data import ADA, ALAN, GRACE
from local_cloud.saas_standins import SaasStandIn
from tests.support import stand_in_connector as connector

NOBODY = Subject(email="nobody@example.com")


def _refused(stand_in: SaasStandIn) -> list[tuple[str, str, int]]:
    """The requests the stand-in refused as its vendor's document would (400 or 401)."""
    return [(e.method, e.path, e.status) for e in stand_in.log if e.status in (400, 401)]


# ------------------------------------------------------------------------------ HubSpot


@pytest.mark.parametrize("stand_in", ["hubspot"], indirect=True)
def test_hubspot_exports_the_contact_and_its_subscriptions(stand_in: SaasStandIn) -> None:
    records = list(connector(stand_in).export(Subject(email=ADA["email"])))
    person, *subscriptions = records
    assert person["properties"]["email"] == ADA["email"]
    assert person["properties"]["phone"] == ADA["phone"]
    assert {r[RECORD_SET] for r in subscriptions} == {"subscriptions"}
    assert {(r["name"], r["status"]) for r in subscriptions} == {
        ("Product news", "SUBSCRIBED"),
        ("Service notices", "SUBSCRIBED"),
    }
    assert list(connector(stand_in).export(NOBODY)) == []
    assert _refused(stand_in) == []


@pytest.mark.parametrize("stand_in", ["hubspot"], indirect=True)
def test_hubspot_opts_out_restricts_and_erases_once(stand_in: SaasStandIn) -> None:
    grace = Subject(email=GRACE["email"])
    vendor = stand_in.vendor
    assert connector(stand_in, "opt_out").set_fields(grace, {}) == 1
    assert connector(stand_in, "opt_out").set_fields(grace, {}) == 0  # HubSpot: 400, already unsubscribed
    assert vendor.subscribed[GRACE["email"]] == set()  # type: ignore[attr-defined]
    restricted = {"dsr_processing_restricted": "true"}
    assert connector(stand_in, "restrict").set_fields(grace, restricted) == 1
    assert vendor.contacts["502"]["properties"]["dsr_processing_restricted"] == "true"  # type: ignore[attr-defined]
    assert connector(stand_in).delete(grace) == 1
    assert connector(stand_in).delete(grace) == 0
    assert connector(stand_in).delete(NOBODY) == 0
    emails = {c["properties"]["email"] for c in vendor.contacts.values()}  # type: ignore[attr-defined]
    assert GRACE["email"] not in emails and ADA["email"] in emails
    assert [e for e in _refused(stand_in) if e[0] != "POST" or "unsubscribe" not in e[1]] == []


# ------------------------------------------------------------------------------ Mailchimp


@pytest.mark.parametrize("stand_in", ["mailchimp"], indirect=True)
def test_mailchimp_exports_the_persons_membership_of_every_audience(stand_in: SaasStandIn) -> None:
    """Ada signed up for the newsletter as Ada@Example.com and for an event as ada@example.com:
    one search finds both members (the same id, the subscriber hash, in two lists)."""
    records = list(connector(stand_in).export(Subject(email=ADA["email"])))
    members = [r for r in records if r[RECORD_SET] == "person"]
    assert {(m["list_id"], m["email_address"]) for m in members} == {
        (saas_demo_records.MAILCHIMP_LIST_ID, "Ada@Example.com"),
        (saas_demo_records.MAILCHIMP_EVENTS_LIST_ID, "ada@example.com"),
    }
    assert {m["id"] for m in members} == {saas_demo_records.subscriber_hash(ADA["email"])}
    assert members[0]["merge_fields"]["PHONE"] == ADA["phone"]
    assert [r[RECORD_SET] for r in records].count("activity") == 2
    assert {r["name"] for r in records if r[RECORD_SET] == "tags"} == {
        "customers",
        "newsletter",
        "event-2025",
    }
    assert list(connector(stand_in).export(NOBODY)) == []
    assert _refused(stand_in) == []


@pytest.mark.parametrize("stand_in", ["mailchimp"], indirect=True)
def test_mailchimp_unsubscribes_tags_and_deletes_permanently_in_every_audience_once(
    stand_in: SaasStandIn,
) -> None:
    ada = Subject(email=ADA["email"])
    members = stand_in.vendor.members  # type: ignore[attr-defined]
    member_id = saas_demo_records.subscriber_hash(ADA["email"])
    hers = [key for key in members if key[1] == member_id]
    assert len(hers) == 2
    assert connector(stand_in, "opt_out").set_fields(ada, {}) == 2
    assert connector(stand_in, "opt_out").set_fields(ada, {}) == 2  # still members; already unsubscribed
    assert {members[key]["status"] for key in hers} == {"unsubscribed"}
    assert connector(stand_in, "restrict").set_fields(ada, {}) == 2
    assert all("processing-restricted" in {t["name"] for t in members[key]["tags"]} for key in hers)
    assert connector(stand_in).delete(ada) == 2
    assert connector(stand_in).delete(ada) == 0
    assert not any(key[1] == member_id for key in members) and len(members) == 2
    assert _refused(stand_in) == []


# ------------------------------------------------------------------------------ Zendesk


@pytest.mark.parametrize("stand_in", ["zendesk"], indirect=True)
def test_zendesk_exports_the_user_and_every_page_of_requested_tickets(stand_in: SaasStandIn) -> None:
    records = list(connector(stand_in).export(Subject(email=ADA["email"])))
    assert [r[RECORD_SET] for r in records] == ["person", *["requested_tickets"] * 3]
    assert records[0]["email"] == "ADA@example.com"
    assert {r["subject"] for r in records[1:]} == {"Importing contacts", "Training session", "Export to CSV"}
    pages = [e for e in stand_in.log if e.path.endswith("/tickets/requested")]
    assert len(pages) == 2  # two tickets a page: the cursor was followed
    assert _refused(stand_in) == []


@pytest.mark.parametrize("stand_in", ["zendesk"], indirect=True)
def test_zendesk_erases_the_users_tickets_then_the_user_each_permanently_once(stand_in: SaasStandIn) -> None:
    alan = Subject(email=ALAN["email"])
    vendor = stand_in.vendor
    assert connector(stand_in, "restrict").set_fields(alan, {}) == 1
    assert vendor.users[9002]["tags"] == ["processing_restricted"]  # type: ignore[attr-defined]
    assert connector(stand_in).delete(alan) == 1
    assert 9002 not in vendor.users and 9002 not in vendor.deleted  # type: ignore[attr-defined]
    # his ticket first (Zendesk keeps a deleted user's tickets), each deletion then made permanent
    assert 7004 not in vendor.tickets and 7004 not in vendor.deleted_tickets  # type: ignore[attr-defined]
    steps = [(e.method, e.path, e.status) for e in stand_in.log if e.method == "DELETE"]
    assert steps == [
        ("DELETE", "/api/v2/tickets/7004", 204),
        ("DELETE", "/api/v2/deleted_tickets/7004", 200),
        ("DELETE", "/api/v2/users/9002", 200),
        ("DELETE", "/api/v2/deleted_users/9002", 200),
    ]
    assert connector(stand_in).delete(alan) == 0
    assert connector(stand_in).delete(NOBODY) == 0
    assert ADA["email"].casefold() in {u["email"].casefold() for u in vendor.users.values()}  # type: ignore[attr-defined]
    assert _refused(stand_in) == []


@pytest.mark.parametrize("stand_in", ["zendesk"], indirect=True)
def test_zendesk_erasure_reads_every_page_of_tickets_before_deleting_any(stand_in: SaasStandIn) -> None:
    """Ada's three tickets take two pages: all are listed before the first is deleted, so
    deleting does not move a page's cursor past one."""
    vendor = stand_in.vendor
    assert connector(stand_in).delete(Subject(email=ADA["email"])) == 1
    assert not any(t["requester_id"] == 9001 for t in vendor.tickets.values())  # type: ignore[attr-defined]
    assert vendor.deleted_tickets == {}  # type: ignore[attr-defined]
    assert 7004 in vendor.tickets and 7006 in vendor.tickets  # type: ignore[attr-defined]
    assert _refused(stand_in) == []
