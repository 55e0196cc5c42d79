"""Journeys in the browser, clicking as a person does: each demonstration subject and each level of
verification from the form to the last email, and each staff group at work in the console.

Every step is checked by ``Journey`` (no answer of 500 or more, no script error, nothing wider than
the window at 1,280 and 390 px, no sideways scrolling at 320 px nor at 200% zoom, no violation
axe-core finds, every link answers) and kept as screenshots under build/journeys/.
The subjects read their mail in the local cloud's outbox and click the links it shows. One local
cloud serves the module; each journey works on its own subject's requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from dsr.fulfilment.fulfilment import planned_tasks
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud
from local_cloud.http_api import LocalApi
from tests.browser.conftest import PAGE_TIMEOUT_MS
from tests.browser.journey import Journey, confirm_card_title
from tests.support import (
    STAFF_ANSWERED_KINDS,
    staff_client,
    submit,
    verification_code,
    wait_for_status,
    wait_until,
)

# One worker runs every test here: they share the module's one local cloud.
pytestmark = pytest.mark.xdist_group("browser-journeys")

ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "phone": "+44 20 7123 4567", "postal": "SW1A 1AA"}
GRACE = {"email": "grace@example.org", "name": "Grace Hopper", "account": "acct-1002"}
ALAN = {"email": "alan@example.net", "name": "Alan Turing"}
# Details asked for verification that are the person's own, named for the browser (WCAG 1.3.5).
AUTOFILLED_DETAILS = {
    "Phone number on the account": "tel",
    "Postal code of the billing address": "postal-code",
}
# A person waits for mail and for the desk longer than a unit test would: CI shares two cores.
PATIENCE = 60.0


@pytest.fixture(scope="module")
def local_api() -> Iterator[LocalApi]:
    with running_local_cloud() as api:
        yield api


@pytest.fixture
def desk(local_api: LocalApi) -> Desk:
    return desk_from_environment()


@pytest.fixture
def public(local_api: LocalApi) -> DeskClient:
    return DeskClient(local_api.cloud.base_url)


@dataclass
class People:
    """A browser window for whoever takes part in a journey, each with its own session."""

    browser: Browser
    base_url: str
    opened: list[Page]

    def page(self) -> Page:
        context = self.browser.new_context(base_url=self.base_url)
        opened = context.new_page()
        opened.set_default_timeout(PAGE_TIMEOUT_MS)
        self.opened.append(opened)
        return opened


@pytest.fixture
def people(browser: Browser, local_api: LocalApi) -> Iterator[People]:
    together = People(browser, local_api.cloud.base_url, [])
    yield together
    for opened in together.opened:
        opened.context.close()


# --- what a subject does -----------------------------------------------------------------------


def fill_the_form(journey: Journey, asks: list[str], fields: dict[str, str]) -> str:
    """From the local cloud's front page to the status page; the request's reference."""
    page = journey.page
    page.goto("/")
    journey.step("front page")
    page.get_by_role("link", name="Privacy request form").click()
    expect(page.get_by_role("heading", name="Make a privacy request")).to_be_visible()
    for asked in asks:
        page.get_by_role("checkbox", name=asked, exact=True).check()
    for label, value in fields.items():
        control = page.get_by_label(label, exact=False).first
        if control.evaluate("(element) => element.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    journey.step("form filled in")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("heading", name="Your privacy request")).to_be_visible()
    reference = page.locator("dt:text-is('Reference') + dd").inner_text().strip()
    journey.step("status page after sending")
    return reference


def open_mail(journey: Journey, subject: str | re.Pattern[str]) -> Locator:
    """The outbox, reloaded as a person checks their mail until the email is there."""
    page = journey.page
    page.goto("/_local/outbox")
    mail = page.locator("article").filter(has=page.get_by_role("heading", name=subject))

    def arrived() -> bool:
        if mail.count():
            return True
        page.reload()
        return False

    wait_until(f"an email “{subject}”", arrived, PATIENCE)
    journey.step(f"outbox {subject if isinstance(subject, str) else subject.pattern}")
    return mail.first


def code_in(mail: Locator) -> str:
    found = re.search(r"code is (\d{6})", mail.locator("pre").inner_text())
    assert found, "no code in the email"
    return found.group(1)


def click_link_in(mail: Locator, journey: Journey, address_part: str) -> None:
    """Click the link in the email whose address holds ``address_part``."""
    mail.locator(f'a[href*="{address_part}"]').first.click()
    journey.page.wait_for_load_state()


def status_says(page: Page, status: str) -> None:
    expect(page.locator("dt:text-is('Status') + dd")).to_have_text(status)


def reload_until_status(page: Page, status: str) -> None:
    """A person reloads their status page until it moves on."""
    shown = page.locator("dt:text-is('Status') + dd")

    def moved_on() -> bool:
        if shown.inner_text().strip() == status:
            return True
        page.reload()
        return False

    wait_until(f"the status page to say {status}", moved_on, PATIENCE)


def see_it_complete(journey: Journey, reference: str, done: str) -> None:
    """The completion email says what was done; the status link from the first email shows the
    request complete."""
    completion = open_mail(journey, f"Your privacy request {reference[:8]} is complete")
    expect(completion).to_contain_text(done)
    receipt = open_mail(journey, f"We received your privacy request {reference[:8]}")
    click_link_in(receipt, journey, "/status/")
    status_says(journey.page, "Complete")
    journey.step("status page, complete")


def confirm_with_the_emailed_link(journey: Journey, reference: str, details: dict[str, str]) -> None:
    """The verification email's link opens the status page with the code filled in; the subject
    adds the details asked for and confirms."""
    page = journey.page
    mail = open_mail(journey, re.compile(f"verification code for privacy request {reference[:8]}"))
    code = code_in(mail)
    click_link_in(mail, journey, "/status/")
    expect(page.get_by_label("Verification code")).to_have_value(code)
    for label, purpose in AUTOFILLED_DETAILS.items():  # the browser offers the person's own
        if label in details:
            expect(page.get_by_label(label)).to_have_attribute("autocomplete", purpose)
    for label, value in details.items():
        page.get_by_label(label).fill(value)
    journey.step("status page with the emailed code")
    if details:  # asked for details as well, the form confirms the person, not only the address
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    confirm = "Confirm" if details else "Confirm my email address"
    page.get_by_role("button", name=confirm, exact=True).click()
    # Post/Redirect/Get: the status page, saying so; reloading it does not send the code again.
    confirmed = "Thank you, it is you" if details else "Email address confirmed"
    expect(page.get_by_role("status").filter(has_text=confirmed)).to_be_visible()
    reload_until_status(page, "Being reviewed")
    journey.step("email address confirmed")
    page.reload()
    expect(page.get_by_text("did not work")).to_have_count(0)
    status_says(page, "Being reviewed")
    journey.step("status page while reviewed")


# --- what staff do -----------------------------------------------------------------------------


def sign_in(journey: Journey, username: str) -> None:
    """Through the hosted sign-in page, as in AWS."""
    page = journey.page
    page.goto("/console")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    journey.step("console sign-in")
    page.get_by_role("button", name="Continue to sign in").click()
    expect(page.get_by_role("heading", name="Sign in to the privacy desk")).to_be_visible()
    page.get_by_label("Demonstration staff member").select_option(username)
    journey.step("hosted sign-in page")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Open requests")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(username)
    journey.step(f"queue as {username}")


def open_request(journey: Journey, reference: str, status: str | None = None) -> None:
    """From the queue to the request's page; with ``status``, reloaded (as staff would) until the
    request has reached it."""
    page = journey.page
    page.get_by_role("link", name="Queue").first.click()
    page.get_by_role("link", name=reference[:8]).click()
    shown = page.locator("#request-status")
    expect(shown).to_be_visible()
    if status is not None:

        def arrived() -> bool:
            if shown.inner_text().strip() == status:
                return True
            page.reload()
            expect(shown).to_be_visible()
            return False

        wait_until(f"request {reference[:8]} to be {status}", arrived, PATIENCE)
    journey.step(f"request {reference[:8]}")


def action(page: Page, title: str) -> Locator:
    """The card for one action; a console that shows one form at a time opens it with its button."""
    card = page.get_by_role("region", name=title, exact=True)
    if not card.count():
        page.get_by_role("button", name=title, exact=True).first.click()
    expect(card).to_be_visible()
    return card


def approve(journey: Journey) -> None:
    page = journey.page
    action(page, "Approve").get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    expect(page.locator("#request-status")).not_to_have_text("Awaiting approval")
    journey.step("approved")


def record_hand_off_answers(journey: Journey, desk: Desk, reference: str) -> None:
    """The vendor's and the customers' answers, recorded on the cards the console shows for them
    as the request comes to wait on each (without reloading the page)."""
    page = journey.page
    request = desk.store.get(reference)
    expected = {
        f"{task.system_id}#{task.action.value}"
        for task in planned_tasks(desk.registry, request.request_types)
        if desk.registry.system(task.system_id).store.kind in STAFF_ANSWERED_KINDS
    }
    answered: set[str] = set()

    def answer_what_waits() -> bool:
        statuses = {f"{o.system_id}#{o.action}": o.status for o in desk.store.system_outcomes(reference)}
        for task in sorted(expected - answered):
            if statuses.get(task) != "waiting":
                continue
            system_id, action_name = task.split("#")
            system_name = desk.registry.system(system_id).name
            title = confirm_card_title(system_name, action_name)
            if not page.get_by_role("button", name=title, exact=True).count():
                continue  # waiting on the desk: the page shows its card when it next reads the request
            card = action(page, title)
            card.get_by_label(re.compile("answered")).select_option("done")
            card.get_by_label("Their answer, in short").fill("Done, they wrote back today.")
            journey.step(f"answer from {system_id}")
            card.get_by_role("button", name="Record the answer").click()
            expect(page.get_by_role("status")).to_contain_text(f"Recorded the answer for {system_name}")
            answered.add(task)
        return all(task in answered or statuses.get(task) in {"done", "nothing_found"} for task in expected)

    wait_until("every hand-off to be answered", answer_what_waits, PATIENCE)
    journey.step("answers recorded")


# --- the subjects' journeys, one per verification level ------------------------------------------


def test_ada_gets_a_copy_of_her_data_with_her_code_and_two_details(people: People, desk: Desk) -> None:
    subject = Journey(people.page(), "ada access matched")
    reference = fill_the_form(
        subject,
        ["Get a copy of my personal data"],
        {"Email address": ADA["email"], "Full name": ADA["name"], "Country": "US", "State, province": "CA"},
    )
    expect(subject.page.get_by_label("Verification code")).to_be_visible()

    confirm_with_the_emailed_link(
        subject,
        reference,
        {"Phone number on the account": ADA["phone"], "Postal code of the billing address": ADA["postal"]},
    )

    staff = Journey(people.page(), "ada access matched staff")
    sign_in(staff, "approver@desk.example")
    open_request(staff, reference, "Awaiting approval")
    approve(staff)
    record_hand_off_answers(staff, desk, reference)

    completion = open_mail(subject, f"Your privacy request {reference[:8]} is complete")
    click_link_in(completion, subject, "/download/")
    page = subject.page
    expect(page.get_by_role("heading", name="Download your personal data")).to_be_visible()
    subject.step("download page")
    page.get_by_role("button", name="Email me a code").click()
    subject.step("download page, code sent")
    # The code is read in another tab, as a person keeps the download page open while reading mail.
    mailbox = Journey(page.context.new_page(), "ada access matched mailbox")
    code = code_in(open_mail(mailbox, f"Your download code for privacy request {reference[:8]}"))
    page.get_by_label("Download code").fill(code)
    page.get_by_role("button", name="Download my data").click()
    expect(page.get_by_role("heading", name="Your personal data")).to_be_visible()
    subject.step("package links")

    # The links download the package, as files to keep; the person then opens what they saved.
    with page.expect_download() as data:
        page.get_by_role("link", name="Your data in a format for computers (JSON)").click()
    assert ADA["email"] in json.dumps(json.loads(Path(data.value.path()).read_text()))
    with page.expect_download() as readable:
        page.get_by_role("link", name="Your data as a page to read (HTML)").click()
    assert readable.value.suggested_filename == "my-personal-data.html"
    saved = subject.folder / readable.value.suggested_filename
    readable.value.save_as(saved)
    page.goto(saved.as_uri())
    expect(page.locator("body")).to_contain_text(ADA["email"])
    expect(page.locator("body")).to_contain_text(ADA["name"])
    subject.step("the package, opened from the link")


def test_grace_deletes_her_data_by_signing_in_to_her_account(people: People, desk: Desk) -> None:
    subject = Journey(people.page(), "grace erasure account")
    reference = fill_the_form(
        subject,
        ["Delete my personal data"],
        {
            "Email address": GRACE["email"],
            "Full name": GRACE["name"],
            "Account ID": GRACE["account"],
            "How you know us": "I have an account with you",
            "Country": "US",
            "State, province": "CA",
        },
    )
    page = subject.page
    expect(page.get_by_label("Verification code")).to_have_count(0)

    sign_in_mail = open_mail(subject, f"Sign in to confirm your privacy request {reference[:8]}")
    click_link_in(sign_in_mail, subject, "product-login")
    expect(page.get_by_role("heading", name="Sign in to your account")).to_be_visible()
    page.get_by_label("Demonstration account holder").select_option(GRACE["account"])
    subject.step("the product's sign-in")
    page.get_by_role("button", name="Sign in and confirm").click()
    expect(page.get_by_role("heading", name="Request confirmed")).to_be_visible()
    subject.step("signed in to the product")

    staff = Journey(people.page(), "grace erasure account staff")
    sign_in(staff, "approver@desk.example")
    open_request(staff, reference, "Awaiting approval")
    approve(staff)
    record_hand_off_answers(staff, desk, reference)

    see_it_complete(subject, reference, "We have completed your request for deletion of your personal data")


def test_alan_restricts_the_use_of_his_data_with_the_emailed_code(people: People, desk: Desk) -> None:
    subject = Journey(people.page(), "alan restriction email")
    reference = fill_the_form(
        subject,
        ["Restrict how you use my data"],
        {"Email address": ALAN["email"], "Country": "GB"},
    )
    expect(subject.page.get_by_label("Verification code")).to_be_visible()
    confirm_with_the_emailed_link(subject, reference, {})

    staff = Journey(people.page(), "alan restriction email staff")
    sign_in(staff, "approver@desk.example")
    open_request(staff, reference, "Awaiting approval")
    approve(staff)
    record_hand_off_answers(staff, desk, reference)

    see_it_complete(subject, reference, "We have completed your request")


def test_alan_opts_out_of_marketing_without_proving_anything(
    people: People, local_api: LocalApi, desk: Desk
) -> None:
    subject = Journey(people.page(), "alan opt-out none")
    reference = fill_the_form(
        subject,
        ["Stop sending me marketing"],
        {"Email address": ALAN["email"], "Country": "US", "State, province": "CA"},
    )
    page = subject.page
    expect(page.get_by_label("Verification code")).to_have_count(0)
    reload_until_status(page, "Being reviewed")
    subject.step("status page while reviewed")
    assert not [m for m in local_api.cloud.outbox() if m.request_id == reference and "code" in m.subject]

    staff = Journey(people.page(), "alan opt-out none staff")
    sign_in(staff, "approver@desk.example")
    open_request(staff, reference, "Awaiting approval")
    approve(staff)
    record_hand_off_answers(staff, desk, reference)

    see_it_complete(subject, reference, "We have completed your request")


# --- staff at work, one journey per group ---------------------------------------------------------


def _verified(public: DeskClient, local_api: LocalApi, desk: Desk, **request: object) -> str:
    answer = submit(public, **request)
    assert answer.status == 201, answer.body
    request_id = str(answer.body["request_id"])
    code = verification_code(local_api.cloud, request_id)
    assert public.post(f"/requests/{request_id}/verification", {"code": code}).status == 200
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    return request_id


def test_an_analyst_reads_a_request_reveals_the_identity_with_a_reason_and_recommends(
    people: People, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    reference = _verified(
        public,
        local_api,
        desk,
        request_types=["objection"],
        jurisdiction="UK",
        subject={"email": "grace@example.org", "name": "Grace Hopper"},
    )
    staff = Journey(people.page(), "analyst")
    sign_in(staff, "analyst@desk.example")
    open_request(staff, reference)
    page = staff.page
    expect(page.get_by_role("region", name="Approve")).to_have_count(0)

    identity = page.get_by_role("region", name="Identity")
    identity.get_by_label("Why you need the full identity (recorded)").fill("Matching a phone call.")
    identity.get_by_role("button", name="Reveal the identity").click()
    expect(identity).to_contain_text("grace@example.org")
    staff.step("identity revealed")

    recommend = action(page, "Recommend")
    recommend.get_by_label("Recommendation").select_option("approve")
    recommend.get_by_label("Why (for whoever decides)").fill("The address on file confirmed it.")
    recommend.get_by_role("button", name="Record the recommendation").click()
    expect(page.locator("main")).to_contain_text("approve by analyst@desk.example")
    staff.step("recommended")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    staff.step("dashboard")


def test_an_approver_denies_extends_asks_and_approves(
    people: People, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    denied = _verified(public, local_api, desk, request_types=["portability"], jurisdiction="EU")
    asked = _verified(
        public,
        local_api,
        desk,
        request_types=["rectification"],
        jurisdiction="UK",
        subject={"email": "alan@example.net"},
        corrections=[{"field": "name", "corrected_value": "Alan M. Turing"}],
    )
    staff = Journey(people.page(), "approver")
    sign_in(staff, "approver@desk.example")
    page = staff.page

    open_request(staff, denied)
    deny = action(page, "Deny")
    deny.get_by_label("Reason").select_option("legal_obligation")
    deny.get_by_label("Explanation sent to the subject").fill("Invoices are kept for six years.")
    staff.step("deny form")
    deny.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("status")).to_contain_text("Denied")
    expect(page.locator("#request-status")).to_have_text("Denied")
    staff.step("denied")

    open_request(staff, asked)
    question = action(page, "Ask for information")
    question.get_by_label("Question sent to the subject").fill(
        "Which spelling of your name is on your passport?"
    )
    question.get_by_role("button", name="Send the question").click()
    expect(page.get_by_role("status")).to_contain_text("Question sent")
    staff.step("question sent")

    extend = action(page, "Extend")
    extend.get_by_label(re.compile("Why more time is needed")).fill(
        "We are waiting for the subject's answer."
    )
    extend.get_by_role("button", name="Extend the deadline").click()
    expect(page.get_by_role("status")).to_contain_text("Extended")
    staff.step("extended")

    answered = action(page, "Information received")
    answered.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_role("status")).to_contain_text("The clock runs again")
    approve(staff)
    record_hand_off_answers(staff, desk, asked)
    wait_for_status(desk, asked, "COMPLETED")


def test_an_admin_reads_the_dashboard_and_the_year_s_report(
    people: People, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    # Ada is refused in Virginia, whose law gives an appeal: she appeals from her status page.
    answer = submit(public, request_types=["access"], jurisdiction="US-VA")
    assert answer.status == 201, answer.body
    refused = str(answer.body["request_id"])
    code = verification_code(local_api.cloud, refused)
    details = {"phone": ADA["phone"], "postal_code": ADA["postal"]}
    assert (
        public.post(f"/requests/{refused}/verification", {"code": code, "data_points": details}).status == 200
    )
    wait_for_status(desk, refused, "AWAITING_APPROVAL")
    approver = staff_client(local_api, "approver@desk.example")
    reason = "We could not verify your identity well enough for this request. Write to us again."
    assert (
        approver.post(f"/staff/requests/{refused}/decision", {"decision": "deny", "reason": reason}).status
        == 200
    )
    wait_for_status(desk, refused, "DENIED")
    subject = Journey(people.page(), "admin appeal subject")
    subject.page.goto(f"/status/{refused}?token={answer.body['status_token']}")
    status_says(subject.page, "Refused")
    expect(subject.page.get_by_role("heading", name="Appeal this decision")).to_be_visible()
    subject.step("status page, refused, with the appeal form")
    subject.page.get_by_label("Why do you disagree?").fill("I have had an account for years.")
    subject.page.get_by_role("button", name="Send my appeal").click()
    expect(subject.page.get_by_role("heading", name="Appeal received")).to_be_visible()
    subject.step("appeal sent")

    staff = Journey(people.page(), "admin")
    sign_in(staff, "admin@desk.example")
    page = staff.page
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("img", name="Open requests by status")).to_be_visible()
    page.get_by_text("Figures").first.click()
    staff.step("dashboard")
    page.get_by_role("link", name="Reports").click()
    year = desk.now().year
    expect(page.get_by_role("table", name=f"Requests received in {year}, by type")).to_be_visible()
    expect(page.get_by_role("img", name=f"Requests denied in {year}, by reason")).to_contain_text(
        "we could not verify your identity well enough for this request"
    )
    staff.step("the year's report")
    page.get_by_role("link", name="Appeals").click()
    expect(page.get_by_role("link", name=refused[:8])).to_be_visible()
    staff.step("appeals")
    page.get_by_role("link", name="Agents").click()
    expect(page.get_by_role("table", name="Authorized agents")).to_be_visible()
    staff.step("agents")

    # Whoever refused the request is told that someone else answers the appeal: no form to send
    refuser = Journey(people.page(), "admin appeal refuser")
    sign_in(refuser, "approver@desk.example")
    refuser.page.get_by_role("link", name="Appeals").click()
    refuser.page.get_by_role("link", name=refused[:8]).click()
    expect(refuser.page.get_by_role("region", name="Answer the appeal")).to_contain_text(
        "You refused this request: another staff member answers the appeal."
    )
    expect(refuser.page.get_by_role("button", name="Answer the appeal")).to_have_count(0)
    refuser.step("the appeal, seen by whoever refused the request")
