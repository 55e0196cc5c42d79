"""What staff see on the console's pages: readable charts on a phone, one phrase for one thing,
no navigation before sign-in, the clock while a question waits, and the triage page."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from dsr.agents.directory import known_agent, register_agent
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.browser.test_console import _open_action, _sign_in
from tests.support import awaiting_approval
from tests.unit.drp_signing import agent_key, verify_key_of

PHONE = {"width": 390, "height": 844}

# The height of each piece of text in the page's charts, as drawn on the screen.
CHART_TEXT_HEIGHTS = """() => [...document.querySelectorAll('[role=img]')].flatMap((chart) => {
  const walker = document.createTreeWalker(chart, NodeFilter.SHOW_TEXT);
  const heights = [];
  while (walker.nextNode()) {
    if (!walker.currentNode.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    heights.push(range.getBoundingClientRect().height);
  }
  return heights;
})"""


def test_chart_text_stays_readable_on_a_phone_and_each_title_is_shown_once(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    page.set_viewport_size(PHONE)
    _sign_in(page, local_api, "admin@desk.example")

    expect(page.get_by_role("list", name="Deadlines")).to_contain_text("due within 7 days")
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("img", name="Open requests by status")).to_be_visible()
    expect(page.get_by_role("list", name="Open requests")).to_contain_text("due within 7 days")
    heights = page.evaluate(CHART_TEXT_HEIGHTS)
    assert heights and min(heights) >= 12, heights
    expect(page.get_by_text("Open requests by status", exact=True)).to_have_count(1)

    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Request metrics (CCPA 7102)")).to_be_visible()
    expect(page.get_by_role("figure", name="Requests denied in", exact=False)).to_be_visible()
    assert all(height >= 12 for height in page.evaluate(CHART_TEXT_HEIGHTS))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_sign_in_page_offers_no_navigation_until_signed_in(page: Page, local_api: LocalApi) -> None:
    page.goto(f"{local_api.cloud.base_url}/console")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Queue")).to_have_count(0)
    expect(page.get_by_role("link", name="Dashboard")).to_have_count(0)

    _sign_in(page, local_api, "analyst@desk.example")
    expect(page.get_by_role("navigation", name="Console").get_by_role("link", name="Triage")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Queue")).to_have_count(0)


# The staff catalog of a language the console could be given: some messages, one with its
# plural forms; the rest are left untranslated.
GERMAN_STAFF = {
    "language": "de",
    "plural_categories": ["one", "other"],
    "messages": {
        "Continue to sign in": "Weiter zur Anmeldung",
        "Open requests": "Offene Anfragen",
        "{count} day left": ["noch {count} Tag", "noch {count} Tage"],
    },
}


def test_the_console_shows_its_text_from_the_staff_catalog_it_is_served(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    served = json.dumps(GERMAN_STAFF)
    page.route(
        "**/console/messages.json",
        lambda route: route.fulfill(status=200, content_type="application/json", body=served),
    )

    page.goto(f"{local_api.cloud.base_url}/console")

    # A message the catalog does not hold is shown as its English text, never blank
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.get_by_role("button", name="Weiter zur Anmeldung").click()
    page.get_by_label("Demonstration staff member").select_option("analyst@desk.example")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Offene Anfragen")).to_be_visible()
    expect(page.locator("td.due").first).to_contain_text(re.compile(r"\(noch \d+ Tage\)"))
    expect(page.get_by_role("columnheader", name="Reference")).to_be_visible()


def test_an_approver_without_four_eyes_is_offered_a_decision_and_no_recommendation(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    actions = page.get_by_role("group", name="Actions")
    expect(actions.get_by_role("button", name="Approve", exact=True)).to_be_visible()
    expect(actions.get_by_role("button", name="Recommend", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    expect(
        page.get_by_role("group", name="Actions").get_by_role("button", name="Recommend", exact=True)
    ).to_be_visible()


def test_after_asking_for_information_the_page_shows_the_question_the_paused_clock_and_the_identity(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud, desk, public, request_types=["access"], jurisdiction="UK", subject={"email": "ada@example.org"}
    )
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    identity = page.get_by_role("region", name="Identity")
    identity.get_by_label("Why you need the full identity (recorded)").fill("Matching a phone call.")
    identity.get_by_role("button", name="Reveal the identity").click()
    expect(identity).to_contain_text("ada@example.org")

    ask = _open_action(page, "Ask for information")
    ask.get_by_label("Question sent to the subject").fill("Which of your two accounts do you mean?")
    ask.get_by_role("button", name="Send the question").click()
    expect(page.get_by_role("status")).to_contain_text("the clock stands still")

    asked = page.locator("dl", has=page.get_by_text("Question", exact=True))
    expect(page.get_by_role("heading", name="Information asked")).to_be_visible()
    expect(asked).to_contain_text("Which of your two accounts do you mean?")
    expect(asked).to_contain_text("by analyst@desk.example")
    expect(asked).to_contain_text("stands still until the subject answers")
    expect(page.locator("main")).to_contain_text(
        "Waiting for the subject's answer to a question: the clock stands still."
    )
    # The page was drawn again after the action: the identity just revealed is still shown.
    expect(page.get_by_role("region", name="Identity")).to_contain_text("ada@example.org")

    page.get_by_role("link", name="← Queue").click()
    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.get_by_role("region", name="Identity")).not_to_contain_text("ada@example.org")
    expect(page.get_by_role("button", name="Reveal the identity")).to_be_visible()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE])
def test_an_analyst_resolves_an_email_on_the_triage_page(
    page: Page, local_api: LocalApi, desk: Desk, viewport: dict[str, int]
) -> None:
    triage_id = str(uuid.uuid4())
    desk_from_environment().store.put_triage(
        triage_id,
        {
            "disposition": "triage",
            "reason": "the email asks for nothing the desk recognises",
            "at": "2026-12-06T10:55:00+00:00",
            "sender": "someone@example.net",
        },
        needs_staff=True,
    )
    page.set_viewport_size(viewport)
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name="Triage").click()
    table = page.get_by_role("table", name="Emails for staff to handle")
    expect(table).to_contain_text("the email asks for nothing the desk recognises")
    expect(table).to_contain_text("someone@example.net")
    expect(table).to_contain_text("2026-12-06 10:55 UTC")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    table.get_by_label("What was done about it").fill("Answered by hand: it was a newsletter reply.")
    table.get_by_role("button", name="Resolve").click()
    expect(table).to_contain_text("Resolved by analyst@desk.example")
    page.reload()
    expect(page.get_by_text("No email is waiting for staff.")).to_be_visible()


def test_timeline_moments_read_as_the_console_s_other_times_on_one_line_on_a_phone(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    page.set_viewport_size(PHONE)
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    # A staff action puts a long name beside its time in the timeline.
    recommend = _open_action(page, "Recommend")
    recommend.get_by_label("Why (for whoever decides)").fill("The details match the account.")
    recommend.get_by_role("button", name="Record the recommendation").click()
    expect(page.locator(".timeline")).to_contain_text("staff:analyst@desk.example")
    moments = page.locator(".timeline time")
    expect(moments.first).to_have_text(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$"))
    heights = moments.evaluate_all("(times) => times.map((time) => time.getBoundingClientRect().height)")
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.timeline time')).fontSize) * 1.45"
    )
    assert max(heights) < line * 1.5, (heights, line)


def test_an_admin_suspends_and_resumes_an_agent_on_the_agents_page(
    page: Page, local_api: LocalApi, desk: Desk
) -> None:
    entry = {"id": "PAGE_AGENT", "name": "Agent On The Page", "web_url": "https://page-agent.example"}
    register_agent(desk, {**entry, "verify_key": verify_key_of(agent_key(3))})
    _sign_in(page, local_api, "admin@desk.example")
    page.get_by_role("link", name="Agents").click()
    table = page.get_by_role("table", name="Authorized agents")
    expect(table).to_contain_text("Agent On The Page")

    table.get_by_role("button", name="Suspend PAGE_AGENT").click()
    expect(table.get_by_role("button", name="Resume PAGE_AGENT")).to_be_visible()
    agent = known_agent(desk, "PAGE_AGENT")
    assert agent is not None and agent.status.value == "suspended"
    table.get_by_role("button", name="Resume PAGE_AGENT").click()
    expect(table.get_by_role("button", name="Suspend PAGE_AGENT")).to_be_visible()


def test_the_agents_page_is_for_admins_only(page: Page, local_api: LocalApi) -> None:
    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name="Agents").click()
    expect(page.get_by_text("managed by the privacy-admin group")).to_be_visible()
