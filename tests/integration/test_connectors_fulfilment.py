"""Every request type carried out in every system of the demonstration registry, on the local
cloud and its seed data: the outcomes recorded (done, nothing found, exempt, failed), what the
stores hold afterwards, and what the subject is told."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import timedelta
from typing import Any

import boto3

from dsr.connectors.base import Subject
from dsr.core.actions import Action
from dsr.core.identities import Correction, SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.registry import parse_registry
from dsr.fulfilment import carrying_out, fulfilment
from dsr.fulfilment import results as system_results
from dsr.fulfilment.fulfilment import SystemTask
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.storage.packages import part_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status

ADA = "ada@example.com"
CITATION = "26 U.S.C. 6001 and IRS record-keeping rules; EU member-state tax codes"


def new_request(
    desk: Desk,
    types: list[RequestType],
    email: str = ADA,
    corrections: list[Correction] | None = None,
    **fields: Any,
) -> str:
    """A request approved and ready to carry out, recorded directly (no workflow runs)."""
    now = desk.now()
    request = PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=types,
        subject=SubjectIdentity(email=email, account_id=fields.pop("account_id", None)),
        relationship=Relationship.OTHER,
        jurisdiction="EU",
        channel=Channel.WEB,
        status=Status.AWAITING_APPROVAL,
        received_at=now,
        respond_by=now + timedelta(days=30),
        corrections=corrections or [],
        **fields,
    )
    desk.store.create(request)
    return request.request_id


def run_every_task(desk: Desk, request_id: str) -> dict[str, fulfilment.SystemResult]:
    """Every task the desk's own connectors carry out (hand-offs wait for others: test_hand_offs)."""
    planned = fulfilment.plan(desk, request_id)
    return {
        f"{task.system_id}#{task.action.value}": carrying_out.run_system_task(desk, request_id, task)
        for task in [*planned.exports, *planned.changes]
        if task.route is fulfilment.Route.CARRY_OUT
    }


def own_systems(desk: Desk) -> list[str]:
    """The systems the desk carries out itself (the rest are handed off)."""
    return [system.id for system in desk.registry.systems if not system.hands_off]


def statuses(results: dict[str, fulfilment.SystemResult]) -> dict[str, tuple[str, int]]:
    return {key: (result.status.value, result.records) for key, result in results.items()}


def stored_outcome(desk: Desk, request_id: str, system_id: str, action: str) -> dict[str, Any]:
    return next(
        o.fields
        for o in desk.store.system_outcomes(request_id)
        if (o.system_id, o.action) == (system_id, action)
    )


def table_items(table: str) -> list[dict[str, Any]]:
    return list(boto3.resource("dynamodb").Table(table).scan()["Items"])


def test_the_plan_covers_every_requested_type_exports_first(desk: Desk) -> None:
    request_id = new_request(
        desk,
        [RequestType.ERASURE, RequestType.ACCESS, RequestType.RESTRICTION, RequestType.OBJECTION],
    )

    planned = fulfilment.plan(desk, request_id)

    assert {t.action for t in planned.exports} == {Action.EXPORT}
    # The desk's own exports come first, then its own changes; others' exports are handed off
    # with the rest, after the desk's own work
    assert [t.system_id for t in planned.exports] == own_systems(desk)
    assert {t.action for t in planned.changes} <= {Action.ERASE, Action.RESTRICT, Action.OBJECT}
    assert {t.system_id for t in planned.hand_offs if t.action is Action.EXPORT} == {
        "crm-contacts",
        "payments",
        "email-provider",
        "customer-service",
    }
    changes = {(t.system_id, t.action) for t in planned.changes + planned.hand_offs}
    assert {s for s, a in changes if a is Action.ERASE} == {s.id for s in desk.registry.systems}
    assert {s for s, a in changes if a is Action.RESTRICT} == {
        "accounts",
        "platform-usage",
        "card-payments",
        "support-messenger",
        "crm-database",
        "marketing-crm",
        "newsletter",
        "help-desk",
        "crm-contacts",
        "customer-service",
    }
    assert {s for s, a in changes if a is Action.OBJECT} == {
        "accounts",
        "platform-usage",
        "marketing-leads",
        "analytics",
        "card-payments",
        "support-messenger",
        "crm-contacts",
    }
    assert planned.not_covered == []
    # And what others hold is handed to them, to wait for their answer
    assert {t.route for t in planned.hand_offs} == {fulfilment.Route.HAND_OFF}
    assert {t.route for t in planned.exports + planned.changes} == {fulfilment.Route.CARRY_OUT}
    handed_off = {t.system_id for t in planned.hand_offs}
    assert handed_off == {"crm-contacts", "payments", "email-provider", "customer-service"}


def test_request_types_no_system_carries_out_are_reported(desk: Desk) -> None:
    only_accounts = parse_registry(
        """
systems:
  - id: accounts
    name: Platform accounts
    owner: platform
    categories: [contact details]
    store: {kind: dynamodb, table: crm-accounts, index: ByEmail, identity_attribute: email,
            key_attributes: [account_id]}
    actions: {export: {}, erase: {}}
"""
    )
    narrow_desk = dataclasses.replace(desk)
    narrow_desk.registry = only_accounts
    request_id = new_request(desk, [RequestType.ACCESS, RequestType.RESTRICTION, RequestType.OBJECTION])

    planned = fulfilment.plan(narrow_desk, request_id)

    assert planned.not_covered == ["restriction", "objection"]
    assert [t.action for t in planned.exports] == [
        Action.EXPORT
    ] and planned.changes == planned.hand_offs == []


def test_an_erasure_is_carried_out_everywhere_and_the_invoices_kept_anonymized(desk: Desk) -> None:
    request_id = new_request(desk, [RequestType.ERASURE])

    results = statuses(run_every_task(desk, request_id))

    assert results == {
        "accounts#erase": ("done", 1),
        "invoice-terms#erase": ("done", 1),
        "billing-invoices#erase": ("exempt", 2),
        "marketing-leads#erase": ("done", 1),
        "support-tickets#erase": ("done", 2),
        "job-applications#erase": ("done", 2),
        "device-logs#erase": ("done", 2),
        "product-analytics#erase": ("done", 3),
        "platform-usage#erase": ("done", 2),  # found by the account id resolved from the email
        "analytics#erase": ("done", 1),
        # over the vendors' APIs (their stand-ins)
        "card-payments#erase": ("done", 1),
        "support-messenger#erase": ("done", 1),
        # the account and its support note deleted, its two invoices kept with the name taken off
        "crm-database#erase": ("done", 2),
        "marketing-crm#erase": ("done", 1),  # HubSpot's GDPR delete
        "newsletter#erase": ("done", 2),  # Mailchimp's permanent deletion, in both her audiences
        "help-desk#erase": ("done", 1),  # Zendesk: deleted, then deleted permanently
    }
    erased = stored_outcome(desk, request_id, "crm-database", "erase")
    assert erased["rows_by_table"] == "support_notes=1,invoices=2,accounts=1"
    assert (erased["kept_anonymized"], erased["anonymized"]) == ("2", "billing_name")
    exempt = stored_outcome(desk, request_id, "billing-invoices", "erase")
    assert exempt["status"] == "exempt"
    assert exempt["citation"] == CITATION
    assert exempt["reason"].startswith("Tax law requires us to keep invoices")
    invoices = {item["invoice_id"]: item for item in table_items("billing-invoices")}
    assert len(invoices) == 3, "every invoice is kept"
    for invoice_id in ("inv-2024-0107", "inv-2025-0212"):
        kept = invoices[invoice_id]
        assert (kept["name"], kept["email"], kept["address"]) == ("[removed]", "removed@invalid", "[removed]")
        assert kept["amount"] == "49.00" and kept["account_id"] == "acct-1001"
    assert invoices["inv-2025-0318"]["name"] == "Grace Hopper"

    s3 = boto3.client("s3")
    versions = s3.list_object_versions(Bucket="job-applications", Prefix="cvs/")
    remaining = {v["Key"] for v in [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]}
    assert not any(key.startswith(f"cvs/{Subject(email=ADA).email_hash}/") for key in remaining)
    assert remaining == {f"cvs/{Subject(email='alan@example.net').email_hash}/cv.pdf"}
    logs = s3.get_object(Bucket="device-logs", Key="web/2026-10.csv")["Body"].read().decode()
    assert "ada@example.com" not in logs.lower() and "203.0.113.7" not in logs
    assert "grace@example.org" in logs and "alan@example.net" in logs
    assert [item["email"] for item in table_items("analytics-profiles") if item["email"] == ADA] == []


def test_an_erasure_run_twice_erases_once_and_then_finds_nothing(desk: Desk) -> None:
    first = new_request(desk, [RequestType.ERASURE])
    run_every_task(desk, first)
    second = new_request(desk, [RequestType.ERASURE])

    results = statuses(run_every_task(desk, second))

    assert set(results.values()) == {("nothing_found", 0)}
    assert system_results.outcome_lines(desk, second)[0] == (
        "Platform accounts: we found no personal data about you here."
    )


def test_access_exports_every_system_into_the_package(desk: Desk) -> None:
    request_id = new_request(desk, [RequestType.ACCESS], email="grace@example.org")

    results = statuses(run_every_task(desk, request_id))
    compiled = system_results.compile_results(desk, request_id)

    assert results["billing-invoices#export"] == ("done", 1)
    assert results["job-applications#export"] == ("nothing_found", 0)
    assert results["device-logs#export"] == ("done", 1)
    assert compiled.outcome == "completed" and compiled.failed == 0
    assert compiled.succeeded == len(own_systems(desk))
    assert compiled.package_key is not None


def test_a_rectification_corrects_what_each_system_holds_and_names_what_it_does_not(desk: Desk) -> None:
    corrections = [
        Correction(field="phone", corrected_value="+44 20 7946 0000"),
        Correction(field="Postal address", corrected_value="10 Downing Street, London"),
        Correction(field="favourite colour", corrected_value="green"),
    ]
    request_id = new_request(desk, [RequestType.RECTIFICATION], corrections=corrections)

    results = statuses(run_every_task(desk, request_id))
    accounts_after_first = table_items("crm-accounts")
    again = statuses(run_every_task(desk, request_id))

    assert (
        results
        == again
        == {
            "accounts#rectify": ("done", 1),
            "marketing-leads#rectify": ("nothing_found", 0),
            "card-payments#rectify": ("done", 1),
            "support-messenger#rectify": ("done", 1),
            "crm-database#rectify": ("done", 1),
        }
    )
    assert table_items("crm-accounts") == accounts_after_first, "correcting twice changes nothing more"
    ada = next(item for item in accounts_after_first if item["email"] == ADA)
    assert (ada["phone"], ada["address"]) == ("+442079460000", "10 Downing Street, London")
    grace = next(item for item in accounts_after_first if item["email"] == "grace@example.org")
    assert grace["phone"] == "+12025550143"
    lines = system_results.outcome_lines(desk, request_id)
    assert lines == [
        "Platform accounts: 1 record corrected (phone and postal address); favourite colour not held here.",
        "Card payments (Stripe): 1 record corrected (phone); favourite colour and postal address "
        "not held here.",
        "Accounts and billing database: 1 record corrected (phone and postal address); "
        "favourite colour not held here.",
        "Event and marketing sign-ups: we do not hold favourite colour, phone and postal address here, "
        "so there was nothing to correct.",
        "Support messenger (Intercom): 1 record corrected (phone); favourite colour and postal address "
        "not held here.",
    ]


def test_restriction_and_objection_set_each_systems_flags(desk: Desk) -> None:
    request_id = new_request(desk, [RequestType.RESTRICTION, RequestType.OBJECTION])

    results = statuses(run_every_task(desk, request_id))

    assert results == {
        "accounts#restrict": ("done", 1),
        "accounts#object": ("done", 1),
        "marketing-leads#object": ("done", 1),
        "analytics#object": ("done", 1),
        "platform-usage#restrict": ("done", 2),
        "platform-usage#object": ("done", 2),
        "card-payments#restrict": ("done", 1),
        "card-payments#object": ("done", 1),
        "support-messenger#restrict": ("done", 1),
        "support-messenger#object": ("done", 1),
        "crm-database#restrict": ("done", 1),
        "marketing-crm#restrict": ("done", 1),
        "newsletter#restrict": ("done", 2),
        "help-desk#restrict": ("done", 1),
    }
    account = next(item for item in table_items("crm-accounts") if item["email"] == ADA)
    assert account["processing_restricted"] is True and account["legitimate_interest_processing"] is False
    profiles = {item["email"]: item for item in table_items("analytics-profiles")}
    assert profiles[ADA]["tracking_consent"] is False
    assert profiles["grace@example.org"]["tracking_consent"] is True


def test_exempt_and_nothing_found_are_successes_and_a_failure_makes_it_partial(desk: Desk) -> None:
    request_id = new_request(desk, [RequestType.ERASURE], email="grace@example.org")
    run_every_task(desk, request_id)
    assert system_results.compile_results(desk, request_id).outcome == "completed"

    carrying_out.record_system_failure(
        desk, request_id, SystemTask(system_id="analytics", action=Action.ERASE), "Boom: unavailable"
    )
    compiled = system_results.compile_results(desk, request_id)

    assert (compiled.outcome, compiled.failed) == ("partial", 1)
    assert compiled.succeeded == len(own_systems(desk)) - 1


def test_what_the_subject_is_told_names_each_outcome_without_personal_data(desk: Desk) -> None:
    request_id = new_request(desk, [RequestType.ERASURE])
    run_every_task(desk, request_id)
    carrying_out.record_system_failure(
        desk, request_id, SystemTask(system_id="device-logs", action=Action.ERASE), "Boom"
    )

    lines = system_results.outcome_lines(desk, request_id)

    assert lines == [
        "Platform accounts: 1 record deleted.",
        "Website analytics: 1 record deleted.",
        "Invoices: we keep 2 records because tax law requires us to keep invoices for several years "
        f"({CITATION}), with your name, email and address removed from them.",
        "Card payments (Stripe): 1 record deleted.",
        "Accounts and billing database: 2 records deleted; 2 records kept, with your billing name "
        "removed from them.",
        "Device and IP data: the deletion is not yet done; our team is on it.",
        "Help desk (Zendesk): 1 record deleted.",
        "Invoice terms decisions: 1 record deleted.",
        "Job applications: 2 records deleted.",
        "Marketing CRM (HubSpot): 1 record deleted.",
        "Event and marketing sign-ups: 1 record deleted.",
        "Mailing lists (Mailchimp): 2 records deleted.",
        "Platform usage by account: 2 records deleted.",
        "Product analytics events: 3 records deleted.",
        "Support messenger (Intercom): 1 record deleted.",
        "Support and training records: 2 records deleted.",
    ]
    told = "\n".join(lines).lower()
    assert all(personal not in told for personal in ["ada@", "lovelace", "203.0.113.7", "+44"])


def test_a_store_found_by_account_needs_an_account_the_product_vouched_for(desk: Desk) -> None:
    by_account = parse_registry(
        """
systems:
  - id: uploads
    name: Uploads
    owner: platform
    categories: [files]
    store: {kind: s3_objects, bucket: job-applications, key_template: "uploads/{account_id}/"}
    actions: {export: {}, erase: {}}
"""
    )
    uploads_desk = dataclasses.replace(desk)
    uploads_desk.registry = by_account
    task = SystemTask(system_id="uploads", action=Action.ERASE)
    claimed = new_request(desk, [RequestType.ERASURE], account_id="acct-1001")
    vouched = new_request(desk, [RequestType.ERASURE], account_id="acct-1001", verification_level="account")

    unverified = carrying_out.run_system_task(uploads_desk, claimed, task)
    verified = carrying_out.run_system_task(uploads_desk, vouched, task)

    assert unverified.status is OutcomeStatus.FAILED
    assert "account_id" in stored_outcome(desk, claimed, "uploads", "erase")["error"]
    assert verified.status is OutcomeStatus.NOTHING_FOUND


def test_rectification_restriction_and_objection_run_through_the_workflow(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = submit(
        public,
        request_types=["rectification", "restriction", "objection"],
        corrections=[{"field": "name", "corrected_value": "Augusta Ada King"}],
    ).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)

    wait_for_status(desk, request_id, "COMPLETED")
    outcomes = {f"{o.system_id}#{o.action}": o.status for o in desk.store.system_outcomes(request_id)}
    assert outcomes == {
        "accounts#rectify": "done",
        "accounts#restrict": "done",
        "accounts#object": "done",
        "marketing-leads#rectify": "done",
        "marketing-leads#object": "done",
        "analytics#object": "done",
        "platform-usage#restrict": "done",
        "platform-usage#object": "done",
        "card-payments#rectify": "done",
        "card-payments#restrict": "done",
        "card-payments#object": "done",
        "support-messenger#rectify": "done",
        "support-messenger#restrict": "done",
        "support-messenger#object": "done",
        "crm-database#rectify": "done",
        "crm-database#restrict": "done",
        "marketing-crm#restrict": "done",
        "newsletter#restrict": "done",
        "help-desk#restrict": "done",
        # confirmed by staff: what the customers and the vendor answered
        "crm-contacts#rectify": "done",
        "crm-contacts#restrict": "done",
        "crm-contacts#object": "done",
        "customer-service#rectify": "done",
        "customer-service#restrict": "done",
    }
    account = next(item for item in table_items("crm-accounts") if item["email"] == ADA)
    assert account["name"] == "Augusta Ada King" and account["processing_restricted"] is True


def test_account_ids_resolved_from_the_email_find_records_that_hold_no_email(desk: Desk) -> None:
    # Given usage kept per account, without the email, for Ada's account and Grace's
    request_id = new_request(desk, [RequestType.ACCESS])

    # When Ada's access request is planned and carried out
    results = statuses(run_every_task(desk, request_id))

    # Then her account id was resolved from the accounts system, and her usage found by it alone
    assert desk.store.get(request_id).resolved_account_ids == ["acct-1001"]
    assert results["platform-usage#export"] == ("done", 2)
    part = desk.packages._s3.get_object(
        Bucket=desk.settings.packages_bucket, Key=part_key(request_id, "platform-usage")
    )
    days = [json.loads(line) for line in part["Body"].iter_lines()]
    assert {day["account_id"] for day in days} == {"acct-1001"}
    assert "resolve identities" in [e.action for e in desk.store.events(request_id)]


def test_a_person_without_an_account_resolves_nothing_and_is_not_found_by_account(desk: Desk) -> None:
    request_id = new_request(desk, [RequestType.ERASURE], email="alan@example.net")

    results = statuses(run_every_task(desk, request_id))

    assert desk.store.get(request_id).resolved_account_ids == []
    assert results["platform-usage#erase"] == ("nothing_found", 0)
    assert len(table_items("platform-usage")) == 3, "nobody's usage was touched"


def test_an_account_id_on_file_that_is_not_a_plain_id_is_left_out_of_the_search(desk: Desk) -> None:
    # Given a second account row for Ada whose id would climb out of an object prefix
    accounts = boto3.resource("dynamodb").Table("crm-accounts")
    accounts.put_item(Item={"account_id": "acct-1001/../acct-1002", "email": ADA, "name": "Ada Lovelace"})
    request_id = new_request(desk, [RequestType.ERASURE])

    results = statuses(run_every_task(desk, request_id))

    # Then only her plain account id was used: Grace's usage is untouched, the trail says why
    assert desk.store.get(request_id).resolved_account_ids == ["acct-1001"]
    assert results["platform-usage#erase"] == ("done", 2)
    assert {item["account_id"] for item in table_items("platform-usage")} == {"acct-1002"}
    resolved = next(e for e in desk.store.events(request_id) if e.action == "resolve identities")
    assert resolved.outcome == "1 account ids, 1 left out (not a plain id)"
