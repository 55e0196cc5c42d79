"""Global Privacy Control in a browser that sends it: a signed-in account holder on a page of the
company's own site is opted out of sale and sharing in every system that holds their data, and
the pages say "Opt-Out Preference Signal Honored". Screenshots: /tmp/gpc-*.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from dsr.connectors.selection import connector_for
from dsr.core.actions import Action
from dsr.core.keyed_hash import normalized_email
from dsr.core.models import Channel
from dsr.intake.status_tokens import status_token
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.browser.conftest import PAGE_TIMEOUT_MS
from tests.support import answer_hand_offs, wait_for_status, wait_until

GRACE = "grace@example.org"
HONORED = "Opt-Out Preference Signal Honored"
# Chromium has no switch for the signal: the page sees it as a browser that sends it shows it.
SENDS_GPC = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', "
    "{get: () => true, configurable: true});"
)


@pytest.fixture
def gpc_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(SENDS_GPC)
    opened = context.new_page()
    opened.set_default_timeout(PAGE_TIMEOUT_MS)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert errors == []


def _requests_of(desk: Desk, email: str) -> list[str]:
    return desk.store.requests_of_subject(desk.hasher.digest(normalized_email(email)))


def test_a_signed_in_person_whose_browser_sends_gpc_is_opted_out_everywhere(
    gpc_page: Page, cloud: LocalCloud, desk: Desk, approver: DeskClient
) -> None:
    gpc_page.goto(f"{cloud.base_url}/_local/company")

    expect(gpc_page.locator("#gpc-honored")).to_have_text(HONORED)
    gpc_page.screenshot(path="/tmp/gpc-company-page.png", full_page=True)
    (request_id,) = wait_until("the opt-out request", lambda: _requests_of(desk, GRACE))
    assert desk.store.get(request_id).channel is Channel.GPC
    answer_hand_offs(desk, approver, request_id)
    wait_for_status(desk, request_id, "COMPLETED")

    opted_out = 0
    for system in desk.registry.systems:
        flags = system.actions.flags(Action.OPT_OUT)
        if flags is None or system.store.kind != "dynamodb":
            continue
        for record in connector_for(desk, system).export(GRACE):
            assert {name: record.get(name) for name in flags.set_fields} == flags.set_fields, system.id
            opted_out += 1
    assert opted_out >= 1

    gpc_page.goto(desk.status_url(request_id, status_token(desk, request_id)))
    expect(gpc_page.locator("#gpc-honored")).to_have_text(HONORED)
    expect(gpc_page.get_by_text("Do not sell or share my personal data")).to_be_visible()
    gpc_page.screenshot(path="/tmp/gpc-status-page.png", full_page=True)

    gpc_page.goto(f"{cloud.base_url}/privacy-request")
    expect(gpc_page.locator("#gpc-honored")).to_have_text(HONORED)
    gpc_page.screenshot(path="/tmp/gpc-request-form.png")

    sent: list[str] = []
    gpc_page.on("request", lambda call: sent.append(call.url) if call.url.endswith("/signals/gpc") else None)
    gpc_page.goto(f"{cloud.base_url}/_local/company")  # a second visit the same day sends nothing
    expect(gpc_page.locator("#gpc-honored")).to_have_text(HONORED)
    assert sent == []
    assert _requests_of(desk, GRACE) == [request_id]


def test_a_visitor_who_types_a_known_email_is_opted_out_without_being_asked_for_more(
    gpc_page: Page, cloud: LocalCloud, desk: Desk
) -> None:
    gpc_page.goto(f"{cloud.base_url}/_local/company?account=")
    expect(gpc_page.locator("#gpc-honored")).to_have_text(HONORED)  # the browser's signal, recorded

    gpc_page.get_by_label("Email for our newsletter").fill("ada@example.com")
    gpc_page.get_by_role("button", name="Sign up").click()

    expect(gpc_page.get_by_text("Thank you.")).to_be_visible()
    (request_id,) = wait_until("Ada's opt-out request", lambda: _requests_of(desk, "ada@example.com"))
    assert desk.store.get(request_id).channel is Channel.GPC
    gpc_page.screenshot(path="/tmp/gpc-visitor-page.png", full_page=True)


def test_a_page_without_the_signal_sends_nothing_and_says_nothing(
    page: Page, cloud: LocalCloud, desk: Desk
) -> None:
    page.goto(f"{cloud.base_url}/_local/company")

    expect(page.get_by_role("heading", name="Your CRM, your customers")).to_be_visible()
    expect(page.locator("#gpc-honored")).to_be_hidden()
    page.wait_for_timeout(500)
    assert _requests_of(desk, GRACE) == []
