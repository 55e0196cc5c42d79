"""The local cloud's own pages (front page, outbox, the product's sign-in) as a person sees them,
on a wide screen and a phone: checked as every journey step is (see tests/browser/journey.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.browser.journey import Journey
from tests.support import submit, wait_until


def test_the_outbox_and_the_emailed_links_fit_a_phone_and_open(
    page: Page, cloud: LocalCloud, public: DeskClient
) -> None:
    account_holder = {"email": "grace@example.org", "account_id": "acct-1002"}
    request_id = submit(
        public,
        request_types=["erasure"],
        subject=account_holder,
        relationship="account_holder",
        jurisdiction="US-CA",
    ).body["request_id"]
    wait_until("the sign-in email", lambda: any(m.request_id == request_id for m in cloud.outbox()))
    journey = Journey(page, "local cloud pages")

    page.goto(cloud.base_url)
    journey.step("front page")
    page.get_by_role("link", name="Outbox").click()
    mail = page.locator("article").filter(
        has=page.get_by_role("heading", name=re.compile("Sign in to confirm"))
    )
    expect(mail).to_contain_text("grace@example.org")
    journey.step("outbox")  # a long link in an email wraps on a phone

    mail.locator("a[href*='product-login']").click()
    expect(page.get_by_role("heading", name="Sign in to your account")).to_be_visible()
    journey.step("the product's sign-in")


def test_the_form_and_the_console_load_without_a_failed_request(page: Page, cloud: LocalCloud) -> None:
    # A browser asks a page for its icon: where the page names none, it asks the site's root,
    # which API Gateway answers 403. Each page says it has no icon.
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    page.goto(f"{cloud.base_url}/privacy-request")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{cloud.base_url}/console")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")

    assert errors == []
