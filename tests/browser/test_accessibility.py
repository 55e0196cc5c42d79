"""What axe-core in the journeys cannot see. The keyboard alone: Tab to move, Enter or Space to
press, typing into the field that has the focus; no click and no fill. A subject asks for her
data, confirms her address and downloads the package; a member of staff signs in and approves.
Everywhere the focus stops, it shows, with a contrast of 3:1 against the page behind it (WCAG
2.1.1, 2.4.7 and 1.4.11). And the emails' HTML part, as a mail program shows it.

The emails are read in the local cloud's outbox (its links opened as a person opens a link from
their mail); what the vendors answer is recorded through the staff API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud
from local_cloud.cloud import LocalCloud, SentMail
from local_cloud.http_api import LocalApi
from tests.browser.accessibility import WCAG_TAGS, Keyboard, accessibility_violations, reflow_problems
from tests.support import answer_hand_offs, staff_client, submit, wait_for_status, wait_until

pytestmark = pytest.mark.xdist_group("browser-accessibility")

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
ALAN = {"email": "alan@example.net", "name": "Alan Turing"}
PATIENCE = 60.0
expect.set_options(timeout=15_000)


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    with running_local_cloud() as api:
        yield api


@pytest.fixture
def desk(local_api: LocalApi) -> Desk:
    return desk_from_environment()


@pytest.fixture
def window(browser: Browser, local_api: LocalApi) -> Iterator[Page]:
    context = browser.new_context(base_url=local_api.cloud.base_url, accept_downloads=True)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


@pytest.fixture
def staff_window(browser: Browser, local_api: LocalApi) -> Iterator[Page]:
    context = browser.new_context(base_url=local_api.cloud.base_url)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    context.close()


def link_in_mail(cloud: LocalCloud, request_id: str, subject_part: str, path_part: str) -> str:
    """The address of the link holding ``path_part`` in the newest email about the request."""

    def found() -> str | None:
        for mail in reversed(cloud.outbox()):
            if mail.request_id == request_id and subject_part in mail.subject:
                link = re.search(rf"https?://\S*{re.escape(path_part)}\S*", mail.body)
                return link.group(0) if link else None
        return None

    return str(wait_until(f"an email “{subject_part}” with a link", found, PATIENCE))


def code_in_mail(cloud: LocalCloud, request_id: str, kind: str) -> str:
    return str(wait_until(f"the {kind} email", lambda: cloud.latest_code(request_id, kind), PATIENCE))


def approve_by_keyboard(page: Page, reference: str) -> None:
    """Staff sign in through the hosted page, open the request from the queue and approve it."""
    keys = Keyboard(page)
    page.goto("/console")
    keys.press(page.get_by_role("button", name="Continue to sign in"))
    staff_member = page.get_by_label("Demonstration staff member")
    keys.tab_to(staff_member)
    page.keyboard.type("approver")  # a closed list box selects the option its typed letters begin
    expect(staff_member).to_have_value("approver@desk.example")
    keys.press(page.get_by_role("button", name="Sign in", exact=True))
    expect(page.locator("#who")).to_contain_text("approver@desk.example")

    keys.press(page.get_by_role("link", name=reference[:8]))
    expect(page.locator("#request-status")).to_have_text("Awaiting approval")
    keys.press(page.get_by_role("group", name="Actions").get_by_role("button", name="Approve"))
    card = page.get_by_role("region", name="Approve", exact=True)
    expect(card).to_be_visible()
    keys.press(card.get_by_role("button", name="Approve"), "Space")
    expect(page.get_by_role("status")).to_contain_text("Approved")
    assert keys.faint == [], f"focus too faint to see in the console: {keys.faint}"


def test_a_subject_asks_confirms_and_downloads_and_staff_approve_with_the_keyboard_alone(
    window: Page, staff_window: Page, local_api: LocalApi, desk: Desk
) -> None:
    cloud = local_api.cloud
    page = window
    keys = Keyboard(page)

    # The form: where she lives first, then a check box pressed with Space, the fields typed into,
    # the button pressed with Enter
    page.goto("/privacy-request")
    keys.type_into(page.get_by_role("textbox", name="Country", exact=True), "IE")
    keys.press(page.get_by_role("button", name="Show my rights"))
    # Sent before choosing what she asks: the page opens on its list of problems, the first next
    keys.type_into(page.get_by_label("Email address"), ADA["email"])
    keys.press(page.get_by_role("button", name="Send my request"))
    expect(page.get_by_role("alert")).to_contain_text("Choose one or more")
    expect(page.get_by_role("alert")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("alert").get_by_role("link").first).to_be_focused()
    access = page.get_by_role("checkbox", name="Get a copy of my personal data", exact=True)
    keys.press(access, "Space")
    expect(access).to_be_checked()
    expect(page.get_by_label("Email address")).to_have_value(ADA["email"])  # kept: not typed again
    keys.type_into(page.get_by_label("Full name"), ADA["name"])
    keys.press(page.get_by_role("button", name="Send my request"))
    expect(page.get_by_role("heading", name="Your privacy request")).to_be_visible()
    reference = page.locator("dt:text-is('Reference') + dd").inner_text().strip()

    # The emailed code, typed on the status page
    keys.type_into(
        page.get_by_label("Verification code"), code_in_mail(cloud, reference, "verification code")
    )
    keys.press(page.get_by_role("button", name="Confirm my email address", exact=True))
    expect(page.get_by_role("status").filter(has_text="Email address confirmed")).to_be_visible()
    wait_for_status(desk, reference, "AWAITING_APPROVAL")

    approve_by_keyboard(staff_window, reference)
    answer_hand_offs(desk, staff_client(local_api, "approver@desk.example"), reference)
    wait_for_status(desk, reference, "COMPLETED")

    # The completion email's link, a code asked for and typed, the package's link pressed
    page.goto(link_in_mail(cloud, reference, "is complete", "/download/"))
    keys.press(page.get_by_role("button", name="Email me a code"))
    code = code_in_mail(cloud, reference, "download code")
    keys.type_into(page.get_by_label("Download code"), "000000" if code != "000000" else "111111")
    keys.press(page.get_by_role("button", name="Download my data"))
    expect(page.get_by_role("alert")).to_be_focused()  # the wrong code, said where the focus is
    keys.type_into(page.get_by_label("Download code"), code)
    keys.press(page.get_by_role("button", name="Download my data"))
    expect(page.get_by_role("heading", name="Your personal data")).to_be_visible()
    with page.expect_download() as data:
        keys.press(page.get_by_role("link", name="Your data in a format for computers (JSON)"))
    assert ADA["email"] in json.dumps(json.loads(Path(data.value.path()).read_text()))

    assert keys.faint == [], f"focus too faint to see on the subject's pages: {keys.faint}"


def test_the_html_part_of_the_emails_passes_axe_core_and_reflows_on_a_phone(
    browser: Browser, local_api: LocalApi
) -> None:
    """The acknowledgement and the code as a mail program shows their HTML part: WCAG A and AA
    (an email has no landmarks to ask for), and its long links wrap at 320 px and at 200% zoom."""
    cloud = local_api.cloud
    answer = submit(DeskClient(cloud.base_url), request_types=["access"], subject=ALAN, jurisdiction="EU")
    request_id = answer.body["request_id"]

    def both_sent() -> list[SentMail] | None:
        sent = [mail for mail in cloud.outbox() if mail.request_id == request_id and mail.html]
        return sent if len(sent) >= 2 else None

    mails = wait_until("the acknowledgement and the code", both_sent, PATIENCE)
    reader = browser.new_page()
    emulation = reader.context.new_cdp_session(reader)
    problems = []
    for mail in mails:
        reader.set_content(mail.html)
        found = accessibility_violations(reader, WCAG_TAGS) + reflow_problems(reader, emulation)
        problems += [f"“{mail.subject}”: {problem}" for problem in found]
    reader.context.close()
    assert problems == []
