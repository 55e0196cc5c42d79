"""The owner's page in the browser: a vendor answers an export through the link in its email, with
an upload (a wrong file first), and each customer holding the person answers "nothing found"
through its own link. Every step is checked by ``Journey`` (axe-core, widths, reflow, links) and
kept as screenshots under build/journeys/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud
from local_cloud.http_api import LocalApi
from tests.browser.conftest import PAGE_TIMEOUT_MS
from tests.browser.journey import Journey
from tests.support import staff_client, submit, verification_code, wait_for_status, wait_until

pytestmark = pytest.mark.xdist_group("browser-owner-page")
PATIENCE = 60.0


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    with running_local_cloud() as api:
        yield api


def _approved_access(local_api: LocalApi) -> str:
    public = DeskClient(local_api.cloud.base_url)
    desk = desk_from_environment()
    request_id = str(submit(public, request_types=["access"]).body["request_id"])
    public.post(
        f"/requests/{request_id}/verification", {"code": verification_code(local_api.cloud, request_id)}
    )
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver = staff_client(local_api, "approver@desk.example")
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    return request_id


def _waiting(desk: Desk, request_id: str, task: str) -> bool:
    return any(
        f"{o.system_id}#{o.action}" == task and o.status == "waiting"
        for o in desk.store.system_outcomes(request_id)
    )


def _page(browser: Browser, base_url: str) -> Page:
    opened = browser.new_context(base_url=base_url).new_page()
    opened.set_default_timeout(PAGE_TIMEOUT_MS)
    return opened


def _mail_to(journey: Journey, subject: str | re.Pattern[str], recipient: str) -> Locator:
    """The outbox, reloaded until the email to ``recipient`` is there, as its reader checks mail."""
    page = journey.page
    page.goto("/_local/outbox")
    mail = (
        page.locator("article")
        .filter(has=page.get_by_role("heading", name=subject))
        .filter(has_text=recipient)
    )

    def arrived() -> bool:
        if mail.count():
            return True
        page.reload()
        return False

    wait_until(f"the email to {recipient}", arrived, PATIENCE)
    journey.step(f"outbox for {recipient}")
    return mail.first


def _follow_answer_link(mail: Locator, journey: Journey) -> None:
    mail.locator('a[href*="/answer/"]').first.click()
    journey.page.wait_for_load_state()


def test_a_vendor_uploads_its_export_and_each_customer_answers_nothing_found(
    browser: Browser, local_api: LocalApi, tmp_path: Path
) -> None:
    desk = desk_from_environment()
    request_id = _approved_access(local_api)
    for task in ("customer-service#export", "crm-contacts#export"):
        wait_until(f"{task} to wait", lambda task=task: _waiting(desk, request_id, task), PATIENCE)

    # The vendor opens its email and follows the link
    vendor = Journey(_page(browser, local_api.cloud.base_url), "owner page vendor")
    mail = _mail_to(
        vendor, f"Data subject request {request_id[:8]}: action needed", "privacy@helpline.example"
    )
    _follow_answer_link(mail, vendor)
    page = vendor.page
    expect(page.get_by_role("heading", level=1)).to_contain_text("Privacy request task for")
    expect(page.locator("dt:text-is('Email address of the person') + dd")).to_have_text("ada@example.com")
    expect(page.locator("body")).not_to_contain_text("Ada Lovelace")
    vendor.step("the task")

    # A file of another type is refused, with the reason at the top of the page
    wrong = tmp_path / "tickets.pdf"
    wrong.write_bytes(b"%PDF-1.7\n1 0 obj\n")
    page.get_by_role("radio", name="Done", exact=True).check()
    page.get_by_label("The export", exact=False).set_input_files(str(wrong))
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("alert")).to_contain_text("This file is a PDF")
    vendor.refused_as_meant(422)
    vendor.step("a PDF refused")

    export = tmp_path / "tickets.jsonl"
    export.write_text('{"ticket": "T-1001", "subject": "Login trouble"}\n{"ticket": "T-1002"}\n')
    page.get_by_role("radio", name="Done", exact=True).check()
    page.get_by_label("The export", exact=False).set_input_files(str(export))
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your answer is recorded")
    expect(page.locator("main")).to_contain_text("Records: 2.")
    vendor.step("answered")

    # The link, opened again, says it was answered
    _follow_answer_link(
        _mail_to(vendor, f"Data subject request {request_id[:8]}", "privacy@helpline.example"), vendor
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("This task has been answered")
    expect(page.locator("main")).to_contain_text("answered by you on")
    vendor.step("the link used again")

    # Each customer's administrator answers through their own link: nothing found
    for admin in ("admin@northwind.example", "dpo@globex.example"):
        customer = Journey(
            _page(browser, local_api.cloud.base_url), f"owner page customer {admin.split('@')[1]}"
        )
        told = _mail_to(customer, re.compile(r"A person in your CRM made a privacy request"), admin)
        _follow_answer_link(told, customer)
        expect(customer.page.locator("dt:text-is('What the person asked for') + dd")).to_have_text(
            "A copy of their personal data"
        )
        customer.step("the task")
        customer.page.get_by_role("radio", name="Nothing found", exact=True).check()
        customer.page.get_by_role("button", name="Send the answer").click()
        expect(customer.page.get_by_role("heading", level=1)).to_have_text(
            "Thank you: your answer is recorded"
        )
        customer.step("answered")

    wait_until(
        "the request to complete", lambda: desk.store.get(request_id).status.value == "COMPLETED", PATIENCE
    )
    outcomes = {f"{o.system_id}#{o.action}": o for o in desk.store.system_outcomes(request_id)}
    assert outcomes["customer-service#export"].status == "done"
    assert outcomes["crm-contacts#export"].status == "nothing_found"
