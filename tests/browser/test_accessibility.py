"""What axe-core in the journeys cannot see. The keyboard alone: Tab to move, Enter or Space to
press, typing into the field that has the focus; no click and no fill. A subject asks for her
data, confirms her address with the code pasted from her email and downloads the package; a
member of staff signs in and approves; staff carry out every other action of the request page
(each request brought by the API to where the action applies, and opened from the queue, found
with its status filter); staff reach and use every page of the console. Shift+Tab goes back the
way Tab came, and nothing traps the keyboard.
Everywhere the focus stops, it shows (a change the focus makes, with a contrast of 3:1 against the
page behind it), in sight and under nothing; every target is 24 by 24 px or has room around it
(WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.3, 2.4.7, 2.4.11, 1.4.11, 2.5.8 and 3.3.8). And the emails' HTML
part, as a mail program shows it.

The emails are read in the local cloud's outbox (its links opened as a person opens a link from
their mail); what the vendors answer is recorded through the staff API.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from dsr.agents.directory import register_agent
from dsr.fulfilment.fulfilment import planned_tasks
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.hand_offs import answer_hand_offs
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud
from local_cloud.cloud import LocalCloud, SentMail
from local_cloud.http_api import LocalApi
from tests.browser.accessibility import (
    WCAG_TAGS,
    Keyboard,
    accessibility_violations,
    focus_order,
    reflow_problems,
    small_targets,
)
from tests.browser.journey import confirm_card_title
from tests.support import STAFF_ANSWERED_KINDS, staff_client, submit, wait_for_status, wait_until
from tests.support import answer_hand_offs as answer_every_hand_off
from tests.unit.drp_signing import agent_key, verify_key_of

pytestmark = pytest.mark.xdist_group("browser-accessibility")

ADA = {"email": "ada@example.com", "name": "Ada Lovelace"}
ALAN = {"email": "alan@example.net", "name": "Alan Turing"}
PATIENCE = 60.0
FORM = "application/x-www-form-urlencoded"
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


def paste_into(page: Page, keys: Keyboard, field: Locator, text: str) -> None:
    """``text`` copied (from an email) and pasted into ``field`` with Ctrl+V: a code is not a
    thing to remember and retype (WCAG 3.3.8), and the field takes it whole."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("(text) => navigator.clipboard.writeText(text)", text)
    keys.tab_to(field)
    page.keyboard.press("ControlOrMeta+V")
    expect(field).to_have_value(text)


def sign_in_by_keyboard(page: Page, username: str, *, open_console: bool = True) -> None:
    """Staff sign in through the hosted page, choosing who they are by typing its first letters
    (on the console opened here, or already showing its sign-in page)."""
    keys = Keyboard(page)
    if open_console:
        page.goto("/console")
    keys.press(page.get_by_role("button", name="Continue to sign in"))
    staff_member = page.get_by_label("Demonstration staff member")
    keys.tab_to(staff_member)
    page.keyboard.type(username.split("@", maxsplit=1)[0])  # a closed list box selects the option typed
    expect(staff_member).to_have_value(username)
    keys.press(page.get_by_role("button", name="Sign in", exact=True))
    expect(page.locator("#who")).to_contain_text(username)
    # The queue, the focus on its content: the keyboard goes on from there
    expect(page.get_by_role("heading", name="Open requests")).to_be_visible()
    expect(page.locator("main")).to_be_focused()
    assert keys.faint == [], f"focus too faint to see on the sign-in pages: {keys.faint}"


def approve_by_keyboard(page: Page, reference: str) -> None:
    """Staff sign in through the hosted page, open the request from the queue and approve it."""
    keys = Keyboard(page)
    sign_in_by_keyboard(page, "approver@desk.example")

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
    assert small_targets(page) == []
    access = page.get_by_role("checkbox", name="Get a copy of my personal data", exact=True)
    keys.press(access, "Space")
    expect(access).to_be_checked()
    expect(page.get_by_label("Email address")).to_have_value(ADA["email"])  # kept: not typed again
    keys.type_into(page.get_by_label("Full name"), ADA["name"])
    keys.press(page.get_by_role("button", name="Send my request"))
    expect(page.get_by_role("heading", name="Your privacy request")).to_be_visible()
    reference = page.locator("dt:text-is('Reference') + dd").inner_text().strip()

    # The emailed code, pasted on the status page; the field tells a browser it is a one-time code,
    # which a phone offers from the email
    code_field = page.get_by_label("Verification code")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    assert small_targets(page) == []
    paste_into(page, keys, code_field, code_in_mail(cloud, reference, "verification code"))
    keys.press(page.get_by_role("button", name="Confirm my email address", exact=True))
    expect(page.get_by_role("status").filter(has_text="Email address confirmed")).to_be_visible()
    wait_for_status(desk, reference, "AWAITING_APPROVAL")

    approve_by_keyboard(staff_window, reference)
    answer_every_hand_off(desk, staff_client(local_api, "approver@desk.example"), reference)
    wait_for_status(desk, reference, "COMPLETED")

    # The completion email's link, a code asked for and typed, the package's link pressed
    page.goto(link_in_mail(cloud, reference, "is complete", "/download/"))
    keys.press(page.get_by_role("button", name="Email me a code"))
    code = code_in_mail(cloud, reference, "download code")
    keys.type_into(page.get_by_label("Download code"), "000000" if code != "000000" else "111111")
    keys.press(page.get_by_role("button", name="Download my data"))
    expect(page.get_by_role("alert")).to_be_focused()  # the wrong code, said where the focus is
    download_code = page.get_by_label("Download code")
    expect(download_code).to_have_attribute("autocomplete", "one-time-code")
    assert small_targets(page) == []
    # Tab into the field selects the wrong code kept there: the pasted one replaces it
    paste_into(page, keys, download_code, code)
    keys.press(page.get_by_role("button", name="Download my data"))
    expect(page.get_by_role("heading", name="Your personal data")).to_be_visible()
    assert small_targets(page) == []
    with page.expect_download() as data:
        keys.press(page.get_by_role("link", name="Your data in a format for computers (JSON)"))
    assert ADA["email"] in json.dumps(json.loads(Path(data.value.path()).read_text()))

    assert keys.faint == [], f"focus too faint to see on the subject's pages: {keys.faint}"
    assert keys.obscured == [], f"focus hidden on the subject's pages: {keys.obscured}"


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


GRACE = {"email": "grace@example.org", "name": "Grace Hopper"}
# One person for each request staff act on: a second request of the same person is joined to the first
KATHERINE = {"email": "katherine@example.org", "name": "Katherine Johnson"}
DOROTHY = {"email": "dorothy@example.org", "name": "Dorothy Vaughan"}
MARY = {"email": "mary@example.org", "name": "Mary Jackson"}
HEDY = {"email": "hedy@example.org", "name": "Hedy Lamarr"}
VIRGINIA_PROOF = {"phone": "202-555-0143", "postal_code": "94105"}


def awaiting_approval(
    local_api: LocalApi, desk: Desk, subject: dict[str, str], jurisdiction: str = "EU", **details: object
) -> Prepared:
    """A request that has proved its subject and waits for staff, prepared through the API: its id
    and the subject's status token."""
    public = DeskClient(local_api.cloud.base_url)
    answer = submit(public, subject=subject, jurisdiction=jurisdiction, **details)
    assert answer.status == 201, answer.body
    request_id = str(answer.body["request_id"])
    proof: dict[str, object] = {"code": code_in_mail(local_api.cloud, request_id, "verification code")}
    if jurisdiction.startswith("US-"):
        proof["data_points"] = VIRGINIA_PROOF
    verified = public.post(f"/requests/{request_id}/verification", proof)
    assert verified.status == 200, verified.body
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    return Prepared(request_id, str(answer.body["status_token"]))


class Prepared(NamedTuple):
    request_id: str
    status_token: str


def refused_in_virginia(
    local_api: LocalApi, desk: Desk, subject: dict[str, str] = GRACE, **details: object
) -> Prepared:
    """Grace (or ``subject``, asking ``details``) is refused in Virginia, whose law gives an appeal;
    an admin refused her, so the approver may answer the appeal (not who refused)."""
    admin = staff_client(local_api, "admin@desk.example")
    prepared = awaiting_approval(local_api, desk, subject, "US-VA", **details)
    refusal = {"decision": "deny", "reason": "We hold nothing beyond what your account shows you."}
    assert admin.post(f"/staff/requests/{prepared.request_id}/decision", refusal).status == 200
    wait_for_status(desk, prepared.request_id, "DENIED")
    return prepared


def appeal(local_api: LocalApi, refused: Prepared) -> None:
    """Grace appeals on her status page."""
    statement = urlencode({"token": refused.status_token, "statement": "I have had an account for years."})
    lodged = DeskClient(local_api.cloud.base_url).call(
        "POST", f"/status/{refused.request_id}/appeal", raw=statement.encode(), content_type=FORM
    )
    assert lodged.status == 200, lodged.body


class StaffAtTheKeyboard:
    """A member of staff on one request page, acting with the keyboard alone: Tab to the action's
    button, Enter to open its form, typing into each field, arrow keys in a list box, Space or
    Enter on the form's button."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.keys = Keyboard(page)

    def open_request(self, request_id: str, status: str) -> None:
        """From wherever staff are, Shift+Tab back to the bar's Queue link; in the queue the
        status filter, chosen by typing the status's first letters; Tab to the request's link."""
        page, keys = self.page, self.keys
        keys.tab_back_to(page.get_by_role("navigation", name="Console").get_by_role("link", name="Queue"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Open requests")).to_be_visible()
        queue = page.get_by_role("table", name="Open requests, most urgent first")
        status_filter = page.get_by_label("Status", exact=True)
        keys.tab_to(status_filter)
        page.keyboard.type(status)  # a closed list box selects the option typed
        expect(status_filter).to_have_value(re.compile(".+"))
        expect(queue.get_by_role("row").filter(has_not_text=status)).to_have_count(1)  # the header
        keys.press(queue.get_by_role("link", name=request_id[:8]))
        expect(page.locator("#request-status")).to_have_text(status)
        expect(page.locator("main")).to_be_focused()

    def open_closed_request(self, request_id: str, status: str) -> None:
        """A closed request is in no list of the console until something reopens it (an appeal):
        staff open it from a link elsewhere (an email, a colleague's note), by its address."""
        self.page.goto(f"/console#/requests/{request_id}")
        expect(self.page.locator("#request-status")).to_have_text(status)

    def act(
        self,
        action: str,
        fields: list[tuple[str, str]],
        submit_label: str,
        said: str,
        status: str,
        submit_key: str = "Space",
    ) -> None:
        """Open the action's form, fill it (arrow keys, space separated, in a list box; text typed
        elsewhere) and send it with ``submit_key`` on its button; staff then read ``said`` and the
        request's new ``status``, and the focus is at the top of the page that says them."""
        page = self.page
        self.keys.press(
            page.get_by_role("group", name="Actions").get_by_role("button", name=action, exact=True)
        )
        card = page.get_by_role("region", name=action, exact=True)
        expect(card).to_be_visible()
        for label, typed in fields:
            control = card.get_by_label(label, exact=True)
            if typed.startswith("Arrow"):
                self.keys.tab_to(control)
                for key in typed.split():
                    page.keyboard.press(key)
            else:
                self.keys.type_into(control, typed)
        self.keys.press(card.get_by_role("button", name=submit_label, exact=True), submit_key)
        expect(page.get_by_role("status").filter(has_text=said)).to_be_visible()
        expect(page.locator("#request-status")).to_have_text(status)
        expect(page.locator("main")).to_be_focused()  # not lost to <body>: Tab goes on from the top


def waiting_hand_off(desk: Desk, staff: DeskClient, request_id: str) -> dict[str, Any]:
    """A system the request was handed to whose vendor's answer staff record."""

    def found() -> dict[str, Any] | None:
        systems = staff.get(f"/staff/requests/{request_id}").body.get("systems", [])
        return next(
            (
                system
                for system in systems
                if system["status"] == "waiting"
                and system.get("waiting_on")
                and desk.registry.system(system["system_id"]).store.kind == "vendor_email"
            ),
            None,
        )

    return dict(wait_until("a vendor's hand-off waiting for staff", found, PATIENCE))


def test_staff_carry_out_every_action_on_the_request_page_with_the_keyboard_alone(
    staff_window: Page, local_api: LocalApi, desk: Desk
) -> None:
    approver = staff_client(local_api, "approver@desk.example")
    to_deny = awaiting_approval(local_api, desk, KATHERINE).request_id
    to_cancel = awaiting_approval(local_api, desk, DOROTHY, "UK").request_id
    to_recommend = awaiting_approval(local_api, desk, MARY, request_types=["erasure"]).request_id
    handed_off = awaiting_approval(local_api, desk, HEDY).request_id
    assert approver.post(f"/staff/requests/{handed_off}/decision", {"decision": "approve"}).status == 200
    refused = refused_in_virginia(local_api, desk)
    page = staff_window
    staff = StaffAtTheKeyboard(page)

    # An analyst recommends; deciding is for someone else
    sign_in_by_keyboard(page, "analyst@desk.example")
    staff.open_request(to_recommend, "Awaiting approval")
    staff.act(
        "Recommend",
        [("Recommendation", "ArrowDown"), ("Why (for whoever decides)", "The account was closed in 2019.")],
        "Record the recommendation",
        "Recommendation recorded.",
        "Awaiting approval",
    )
    assert approver.get(f"/staff/requests/{to_recommend}").body["review"]["recommendation"] == "deny"
    staff.keys.press(page.get_by_role("button", name="Sign out"))
    expect(page.get_by_role("button", name="Continue to sign in")).to_be_visible()
    sign_in_by_keyboard(page, "approver@desk.example", open_console=False)

    # The approver does the rest: refuses one request; extends, asks, records the answer and
    # cancels another
    staff.open_request(to_deny, "Awaiting approval")
    staff.act(
        "Deny",
        [("Reason", "ArrowDown"), ("Explanation sent to the subject", "Invoices are kept for six years.")],
        "Deny",
        "Denied: the subject has been sent the reason.",
        "Denied",
        "Enter",
    )

    staff.open_request(to_cancel, "Awaiting approval")
    why_more_time = "Why more time is needed (sent to the subject)"
    staff.act(
        "Extend",
        [(why_more_time, "Ten years of records to read.")],
        "Extend the deadline",
        "Extended: respond by",
        "Awaiting approval",
    )
    question = [("Question sent to the subject", "Which of your two accounts do you mean?")]
    staff.act(
        "Ask for information", question, "Send the question", "the clock stands still", "Awaiting approval"
    )
    staff.act("Information received", [], "Record the answer", "The clock runs again", "Awaiting approval")
    cancelling = [("Why (sent to the subject)", "The subject withdrew it by phone.")]
    staff.act(
        "Cancel",
        cancelling,
        "Cancel the request",
        "Cancelled: the subject has been told why.",
        "Cancelled",
        "Enter",
    )

    # The others answer "done" through the API (the desk answers some itself)
    system = waiting_hand_off(desk, approver, handed_off)
    others = {
        f"{task.system_id}#{task.action.value}": ("done", "answered in the test")
        for task in planned_tasks(desk.registry, desk.store.get(handed_off).request_types)
        if desk.registry.system(task.system_id).store.kind in STAFF_ANSWERED_KINDS
    }
    others.pop(f"{system['system_id']}#{system['action']}")
    recorded = answer_hand_offs(approver, handed_off, others, PATIENCE)
    assert all(status == 200 for status in recorded.values()), recorded
    staff.open_request(handed_off, "In progress")
    # The vendor could not: chosen in the list box with the arrow keys; the request closes
    staff.act(
        confirm_card_title(system["system_name"], system["action"]),
        [
            (f"What {system['waiting_on']} answered", "ArrowDown ArrowDown"),
            ("Their answer, in short", "Backups are locked."),
        ],
        "Record the answer",
        f"Recorded the answer for {system['system_name']}.",
        "Partially completed",
    )
    staff.act("Re-run failed systems", [], "Re-run", "Re-running the systems that failed.", "In progress")

    # The appeal of a refusal, lodged while staff have the request open, the keyboard on the page's
    # first link: drawn afresh with the appeal, the page keeps the focus (not lost to <body>); the
    # decision's list box passed through with the arrow keys
    staff.open_closed_request(refused.request_id, "Denied")
    staff.keys.tab_to(page.get_by_role("link", name="← Queue"))
    appeal(local_api, refused)
    expect(
        page.get_by_role("group", name="Actions").get_by_role("button", name="Answer the appeal")
    ).to_be_visible()
    expect(page.locator("main")).to_be_focused()
    reasons = [
        ("Decision", "ArrowDown ArrowUp"),
        ("Reasons (sent to the subject)", "The account shows all we hold."),
    ]
    answered = "Appeal answered: the refusal stands, and the subject has been sent the reasons."
    staff.act("Answer the appeal", reasons, "Send the answer", answered, "Denied", "Enter")

    assert staff.keys.faint == [], f"focus too faint to see in the console: {staff.keys.faint}"
    assert staff.keys.obscured == [], f"focus hidden in the console: {staff.keys.obscured}"


EVELYN = {"email": "evelyn@example.org", "name": "Evelyn Boyd Granville"}
KEYBOARD_AGENT = {
    "id": "KEYBOARD_AGENT",
    "name": "Agent Of The Keys",
    "web_url": "https://keys-agent.example",
}


def checked(page: Page, heading: str) -> list[str]:
    """The console page now shown, once its heading is: the focus on its content (not lost to
    <body>, nor left in the bar), no violation axe-core finds, no target too small."""
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.locator("main")).to_be_focused()
    found = accessibility_violations(page) + small_targets(page)
    return [f"{heading}: {problem}" for problem in found]


def go_to(page: Page, keys: Keyboard, link: str) -> None:
    """Shift+Tab back from the page's content to the bar's link, and Enter."""
    bar = page.get_by_role("navigation", name="Console")
    keys.tab_back_to(bar.get_by_role("link", name=link, exact=True))
    page.keyboard.press("Enter")


def find_in_the_queue(page: Page, keys: Keyboard, jurisdiction: str, request_id: str) -> None:
    """The queue's two filters chosen by typing, the request's link pressed."""
    where = page.get_by_label("Jurisdiction", exact=True)
    keys.tab_to(where)
    page.keyboard.type(jurisdiction)
    expect(where).to_have_value(jurisdiction)
    status = page.get_by_label("Status", exact=True)
    keys.tab_back_to(status)
    page.keyboard.type("Awaiting approval")
    expect(status).to_have_value("AWAITING_APPROVAL")
    keys.press(page.get_by_role("link", name=request_id[:8]))


def open_and_close_forms(page: Page, keys: Keyboard) -> None:
    """A form opened and closed again (with Escape; with its Close button): the keyboard goes back
    to the button that opened it; the identity revealed, the focus on what it shows."""
    actions = page.get_by_role("group", name="Actions")
    for action, close in (("Extend", "Escape"), ("Ask for information", "Close")):
        opener = actions.get_by_role("button", name=action, exact=True)
        keys.press(opener)
        card = page.get_by_role("region", name=action, exact=True)
        expect(card).to_be_visible()
        if close == "Escape":
            page.keyboard.press("Escape")
        else:
            keys.press(card.get_by_role("button", name="Close"))
        expect(card).to_be_hidden()
        expect(opener).to_be_focused()
        expect(opener).to_have_attribute("aria-expanded", "false")
    identity = page.get_by_role("region", name="Identity")
    keys.type_into(identity.get_by_label("Why you need the full identity (recorded)"), "A call from them.")
    page.keyboard.press("Enter")
    expect(identity).to_contain_text(EVELYN["email"])
    expect(identity.locator("#identity-shown")).to_be_focused()


def resolve_in_triage(page: Page, keys: Keyboard, reason: str) -> None:
    """The note typed, Resolve pressed; the focus goes to what replaced the form."""
    row = page.get_by_role("row").filter(has_text=reason)
    keys.type_into(row.get_by_label("What was done about it"), "Answered by hand.")
    keys.press(row.get_by_role("button", name="Resolve"))
    expect(row.get_by_role("status")).to_have_text("Resolved by admin@desk.example.")
    expect(row.get_by_role("status")).to_be_focused()


def report_of_last_year(page: Page, keys: Keyboard) -> list[str]:
    """Another year typed and shown with Enter (its page checked); the CSV downloaded from its
    button."""
    year = page.get_by_label("Calendar year")
    last_year = str(int(year.input_value()) - 1)
    keys.tab_to(year)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(last_year)
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name=f"Requests received in {last_year}, by type")).to_be_visible()
    problems = checked(page, "Request metrics (CCPA 7102)")
    with page.expect_download() as csv:
        keys.press(page.get_by_role("button", name="Download as CSV"))
    assert csv.value.suggested_filename == f"request-metrics-{last_year}.csv"
    return problems


def suspend_and_resume(page: Page, keys: Keyboard, agent: str) -> None:
    """Suspended and resumed; the keyboard stays on the agent's button, drawn afresh."""
    keys.press(page.get_by_role("button", name=f"Suspend {agent}"))
    expect(page.get_by_role("button", name=f"Resume {agent}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=f"Suspend {agent}")).to_be_focused()


def test_staff_reach_and_use_every_page_of_the_console_with_the_keyboard_alone(
    staff_window: Page, local_api: LocalApi, desk: Desk
) -> None:
    # Given an email for staff to handle, an agent, an appeal waiting and a request in the queue
    reason = "the email asks for nothing the keyboard test knows"
    item = {"disposition": "triage", "reason": reason, "at": "2026-12-06T09:30:00+00:00"}
    desk.store.put_triage(str(uuid.uuid4()), item, needs_staff=True)
    register_agent(desk, {**KEYBOARD_AGENT, "verify_key": verify_key_of(agent_key(7))})
    # (Grace, whom the demonstration data holds the details Virginia asks for; an erasure, which
    # no other request of hers here is, so that it is not joined to one)
    refused = refused_in_virginia(local_api, desk, GRACE, request_types=["erasure"])
    appeal(local_api, refused)
    waiting = awaiting_approval(local_api, desk, EVELYN, "UK").request_id
    page = staff_window
    keys = Keyboard(page)

    # When an admin goes through each page of the console by keyboard, using what it offers
    sign_in_by_keyboard(page, "admin@desk.example")
    problems = checked(page, "Open requests")
    find_in_the_queue(page, keys, "UK", waiting)
    problems += checked(page, f"Request {waiting[:8]}")
    open_and_close_forms(page, keys)
    go_to(page, keys, "Triage")
    problems += checked(page, "Triage")
    resolve_in_triage(page, keys, reason)
    go_to(page, keys, "Appeals")
    problems += checked(page, "Appeals waiting for an answer")
    keys.press(page.get_by_role("link", name=refused.request_id[:8]))
    problems += checked(page, f"Request {refused.request_id[:8]}")
    expect(page.get_by_role("heading", name="Appeal", exact=True)).to_be_visible()
    go_to(page, keys, "Dashboard")
    problems += checked(page, "Dashboard")
    keys.press(page.get_by_text("Figures", exact=True).first)  # a chart's figures, opened with Enter
    expect(page.get_by_role("table", name="Open requests by status (figures)")).to_be_visible()
    go_to(page, keys, "Reports")
    problems += checked(page, "Request metrics (CCPA 7102)")
    problems += report_of_last_year(page, keys)
    go_to(page, keys, "Agents")
    problems += checked(page, "Authorized agents (Data Rights Protocol)")
    suspend_and_resume(page, keys, KEYBOARD_AGENT["id"])
    go_to(page, keys, "Queue")

    # Then each page had the focus on its content, passed axe-core, and had targets large enough;
    # the focus showed wherever it went, and was never hidden
    problems += checked(page, "Open requests")
    assert problems == []
    assert keys.faint == [], f"focus too faint to see in the console: {keys.faint}"
    assert keys.obscured == [], f"focus hidden in the console: {keys.obscured}"


def assert_shift_tab_retraces_tab(page: Page) -> None:
    """From the top of the page Tab visits each control once and leaves the page (no trap); Shift+Tab
    from there visits the same controls in the reverse order."""
    focus_order(page, "Shift+Tab")  # out of the page at its top
    forward = focus_order(page, "Tab")  # out at the bottom, or round to the first control again
    # (from the first control Shift+Tab leaves the page at its top, and comes back in at the bottom)
    backward = focus_order(page, "Shift+Tab") or focus_order(page, "Shift+Tab")
    assert len(forward) > 3, forward
    assert backward == forward[::-1], (forward, backward)


def test_shift_tab_goes_back_through_the_form_and_the_console_the_way_tab_came(
    window: Page, staff_window: Page, local_api: LocalApi, desk: Desk
) -> None:
    page = window
    keys = Keyboard(page)
    page.goto("/privacy-request")
    keys.type_into(page.get_by_role("textbox", name="Country", exact=True), "IE")
    keys.press(page.get_by_role("button", name="Show my rights"))
    expect(page.get_by_label("Email address")).to_be_visible()
    assert_shift_tab_retraces_tab(page)

    waiting = awaiting_approval(local_api, desk, {"email": "ruth@example.org", "name": "Ruth Teitelbaum"})
    staff = StaffAtTheKeyboard(staff_window)
    sign_in_by_keyboard(staff_window, "approver@desk.example")
    assert_shift_tab_retraces_tab(staff_window)
    staff.open_request(waiting.request_id, "Awaiting approval")
    staff.keys.press(staff_window.get_by_role("group", name="Actions").get_by_role("button", name="Deny"))
    expect(staff_window.get_by_role("region", name="Deny", exact=True)).to_be_visible()
    assert_shift_tab_retraces_tab(staff_window)
    assert keys.faint == [] and staff.keys.faint == []
