"""A privacy analyst reads on the request's page what an erasure did in a system of many tables
(the rows per table of the accounts and billing database, and those the law keeps) or of many
objects (the subject's rows per object of the data lake), not one bare count."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dsr.core.models import AuditEvent
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.browser.test_console import _sign_in
from tests.browser.test_every_status_in_console import _verifying_request

# As the system tasks record them (dsr.fulfilment.carrying_out): names and counts only.
DATABASE_ERASURE = {
    "status": "done",
    "records": 3,
    "rows_by_table": "accounts=1,invoices=1,support_notes=2",
    "kept_anonymized": "1",
    "anonymized": "billing_name",
}
LAKE_ERASURE = {
    "status": "done",
    "records": 3,
    "objects": "2",
    "rows_by_object": "events/day=2026-11-01/part-0.parquet=2,events/day=2026-11-02/part-0.parquet=1",
}


def test_the_database_s_rows_per_table_and_the_lake_s_rows_per_object_are_on_the_request_s_page(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "erasure")
    for system_id, outcome in (("crm-database", DATABASE_ERASURE), ("product-analytics", LAKE_ERASURE)):
        event = AuditEvent(
            request_id=request_id, at=desk.now(), actor=f"system:{system_id}", action="erase", outcome="done"
        )
        desk.store.put_system_outcome(request_id, system_id, "erase", outcome, event)
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")
    table = page.get_by_role("table", name="Systems")

    database = table.get_by_role("row").filter(has_text="Accounts and billing database")
    expect(database.locator("td").last).to_have_text(
        "rows per table: accounts 1, invoices 1, support_notes 2 (1 of them kept, billing_name anonymized)"
    )
    lake = table.get_by_role("row").filter(has_text="Product analytics events")
    expect(lake.locator("td").last).to_have_text(
        "rows per object: events/day=2026-11-01/part-0.parquet 2, events/day=2026-11-02/part-0.parquet 1 "
        "(2 objects)"
    )


def test_a_failed_system_s_error_says_what_to_do_next(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "access")
    error = "system card-payments: stripe: export.0.request answered 400 (invalid_request_error)"
    event = AuditEvent(
        request_id=request_id, at=desk.now(), actor="system:card-payments", action="export", outcome="failed"
    )
    desk.store.put_system_outcome(
        request_id, "card-payments", "export", {"status": "failed", "records": 0, "error": error}, event
    )
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")

    row = page.get_by_role("table", name="Systems").get_by_role("row").filter(has_text="Card payments")
    expect(row.locator("td").last).to_have_text(
        f"{error}. Next: fix the cause, then “Re-run failed systems” (offered once the request closes)."
    )


def test_a_waiting_hand_off_says_whom_it_waits_on_and_how_often_they_were_reminded(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "erasure")
    # As a hand-off records its wait, and the sweeper its reminders (dsr.fulfilment.hand_off_followups)
    waiting = {
        "status": "waiting",
        "records": 0,
        "waiting_on": "Helpline Outsourcing Ltd",
        "answer_by": "2026-12-21T17:00:00+00:00",
        "reminders_sent": 2,
        "last_reminded_at": "2026-12-17T18:00:00+00:00",
    }
    event = AuditEvent(
        request_id=request_id,
        at=desk.now(),
        actor="system:customer-service",
        action="erase",
        outcome="waiting",
    )
    desk.store.put_system_outcome(request_id, "customer-service", "erase", waiting, event)
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")

    row = page.get_by_role("table", name="Systems").get_by_role("row").filter(has_text="Customer service")
    expect(row.locator("td").last).to_contain_text("waiting on Helpline Outsourcing Ltd until ")
    expect(row.locator("td").last).to_contain_text("; reminded 2 times, last on ")
