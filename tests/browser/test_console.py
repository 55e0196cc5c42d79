"""The staff console in a browser: sign in as each group, work the queue, decide, and stay safe
from what subjects write."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from dsr.core.identities import RecordedIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.fulfilment.fulfilment import planned_tasks
from dsr.policies.request_deadlines import end_of_local_day
from dsr.staff.reports import denial_reason
from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.browser.journey import Journey, confirm_card_title
from tests.support import (
    STAFF_ANSWERED_KINDS,
    awaiting_approval,
    submit,
    wait_for_status,
    wait_until,
)

HOSTILE_NAME = "<img src=x onerror=alert(1)>"
GROUPS = {
    "analyst@desk.example": "privacy-analyst",
    "approver@desk.example": "privacy-approver",
    "admin@desk.example": "privacy-admin",
}


def _open_action(page: Page, title: str) -> Locator:
    """Press the action's button: its form opens (and any other closes)."""
    page.get_by_role("group", name="Actions").get_by_role("button", name=title, exact=True).click()
    return page.get_by_role("region", name=title)


def _sign_in(page: Page, local_api: LocalApi, username: str) -> None:
    """Through the hosted sign-in page, as in AWS: the console sends the member there and
    exchanges the code that comes back."""
    page.goto(f"{local_api.cloud.base_url}/console")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    page.get_by_role("button", name="Continue to sign in").click()
    expect(page.get_by_role("heading", name="Sign in to the privacy desk")).to_be_visible()
    page.get_by_label("Demonstration staff member").select_option(username)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", name="Open requests")).to_be_visible()
    expect(page.locator("#who")).to_contain_text(username)


@pytest.mark.parametrize("username", list(GROUPS))
def test_each_group_signs_in_and_sees_the_queue_most_urgent_first(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, username: str
) -> None:
    later = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    sooner = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["restriction"],
        jurisdiction="KR",
        subject={"email": "alan@example.net"},
    )
    # South Korea's 10 days come before the EU's month: the Korean request comes first.
    first, second = desk.store.get(later), desk.store.get(sooner)
    expected = [r.request_id[:8] for r in sorted([first, second], key=lambda r: r.watch_at or r.respond_by)]

    _sign_in(page, local_api, username)

    expect(page.locator("#who")).to_contain_text(GROUPS[username])
    rows = page.get_by_role("table", name="Open requests, most urgent first").locator("tbody tr")
    expect(rows).to_have_count(2)
    assert [rows.nth(i).locator("td[data-label=Reference]").inner_text() for i in range(2)] == expected
    expect(page.locator(".counts")).to_contain_text("2open")


def test_an_approver_approves_one_request_and_denies_another_with_a_reason(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    approved = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    denied = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["erasure"],
        jurisdiction="EU",
        subject={"email": "alan@example.net"},
    )
    _sign_in(page, local_api, "approver@desk.example")

    page.get_by_role("link", name=approved[:8]).click()
    expect(page.locator("#request-status")).to_have_text("Awaiting approval")
    _open_action(page, "Approve").get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("Approved")
    expect(page.locator("#request-status")).not_to_have_text("Awaiting approval")
    wait_until(
        "the approval to take effect", lambda: desk.store.get(approved).status.value != "AWAITING_APPROVAL"
    )

    page.get_by_role("link", name="← Queue").click()
    page.get_by_role("link", name=denied[:8]).click()
    deny = _open_action(page, "Deny")
    expect(deny.get_by_label("Explanation sent to the subject")).to_have_accessible_description(
        re.compile(r"^The subject reads the reason in English\. Your explanation is sent after it")
    )
    deny.get_by_label("Reason").select_option("legal_obligation")
    deny.get_by_label("Explanation sent to the subject").fill(
        "Your account has an unpaid invoice under dispute."
    )
    deny.get_by_role("button", name="Deny").click()
    expect(page.get_by_role("status")).to_contain_text("Denied")
    wait_for_status(desk, denied, "DENIED")
    page.reload()
    expect(page.locator("#request-status")).to_have_text("Denied")
    expect(page.locator(".timeline")).to_contain_text("staff decision — deny")

    mail = wait_until(
        "the denial email",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == denied and "unpaid invoice" in m.body), None
        ),
    )
    assert mail.to == ["alan@example.net"]
    assert denial_reason(desk.store.events(denied)) == "legal_obligation"
    assert (
        "The law requires us to keep this data. Your account has an unpaid invoice under dispute."
        in mail.body
    )

    # The local cloud's outbox shows the same email to a person
    page.goto(f"{local_api.cloud.base_url}/_local/outbox")
    expect(page.locator("body")).to_contain_text("Your account has an unpaid invoice under dispute.")


def test_a_second_decision_is_refused_and_the_console_says_who_decided(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    _sign_in(page, local_api, "admin@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    approve = _open_action(page, "Approve")
    expect(approve).to_be_visible()

    # Meanwhile someone else decides
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    approve.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("alert")).to_contain_text("approver@desk.example")


def test_an_analyst_is_offered_no_decision(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="UK")
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()

    expect(_open_action(page, "Ask for information")).to_be_visible()
    actions = page.get_by_role("group", name="Actions")
    expect(actions.get_by_role("button", name="Approve")).to_have_count(0)
    expect(actions.get_by_role("button", name="Deny")).to_have_count(0)

    page.get_by_label("Question sent to the subject").fill("Which of your two accounts do you mean?")
    page.get_by_role("button", name="Send the question").click()
    expect(page.get_by_role("status")).to_contain_text("the clock stands still")


def test_what_a_subject_wrote_is_shown_as_text_and_runs_nothing(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["access"],
        jurisdiction="EU",
        subject={"email": "ada@example.com", "name": HOSTILE_NAME},
    )
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    failed_images: list[str] = []
    page.on("requestfailed", lambda request: failed_images.append(request.url))

    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()

    expect(page.locator("dl.facts").first).to_contain_text("<*** s*** o***")

    # Revealed in full, the name is still only text
    page.get_by_label("Why you need the full identity (recorded)").fill("Checking the name as given.")
    page.get_by_role("button", name="Reveal the identity").click()
    expect(page.get_by_role("region", name="Identity")).to_contain_text(HOSTILE_NAME)

    assert page.locator("main img").count() == 0
    assert dialogs == []
    assert not any(re.search(r"/x$", url) for url in failed_images)


def test_the_console_script_never_parses_text_as_markup() -> None:
    # Every node the console makes is built element by element with text nodes; none of the
    # calls that turn a string into markup or code appears in it.
    script = (Path(__file__).parents[2] / "functions" / "staff_console" / "static" / "console.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert "createTextNode" in script


def test_pages_carry_a_content_security_policy(local_api: LocalApi, public: DeskClient) -> None:
    import urllib.request

    with urllib.request.urlopen(f"{local_api.cloud.base_url}/console") as answer:
        policy = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert public.get("/staff/me").status == 401


def test_the_dashboard_charts_the_queue_and_the_weeks(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    _sign_in(page, local_api, "analyst@desk.example")

    page.get_by_role("link", name="Dashboard").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("img", name="Open requests by status")).to_be_visible()
    page.get_by_text("Figures").first.click()
    figures = page.get_by_role("table", name="Open requests by status (figures)")
    expect(figures).to_contain_text("Awaiting approval1")
    weeks = page.get_by_role("img", name=re.compile("Requests received per week"))
    expect(weeks.locator("progress")).to_have_count(12)


def test_revealing_the_full_identity_needs_a_reason_and_is_recorded(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["access"],
        jurisdiction="EU",
        subject={"email": "ada@example.com", "name": "Ada Lovelace"},
    )
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.locator("main")).not_to_contain_text("ada@example.com")

    page.get_by_label("Why you need the full identity (recorded)").fill(
        "The subject phoned; matching the caller."
    )
    page.get_by_role("button", name="Reveal the identity").click()

    identity = page.get_by_role("region", name="Identity")
    expect(identity).to_contain_text("ada@example.com")
    expect(identity).to_contain_text("Ada Lovelace")
    [revealed] = [e for e in desk.store.events(request_id) if e.action == "identity revealed"]
    assert revealed.actor == "staff:analyst@desk.example"
    assert revealed.detail["reason"] == "The subject phoned; matching the caller."


def test_with_four_eyes_an_erasure_is_recommended_by_one_and_decided_by_another(
    page: Page,
    local_api: LocalApi,
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FOUR_EYES_FOR_ERASURE", "true")
    desk_from_environment.cache_clear()
    request_id = awaiting_approval(cloud, desk, public, request_types=["erasure"], jurisdiction="EU")

    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.get_by_role("group", name="Actions").get_by_role("button", name="Approve")).to_have_count(0)
    recommend = _open_action(page, "Recommend")
    recommend.get_by_label("Why (for whoever decides)").fill("Matched two details; nothing holds it.")
    recommend.get_by_role("button", name="Record the recommendation").click()
    expect(page.get_by_role("region", name="Decision")).to_contain_text("another staff member decides it")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, local_api, "admin@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.locator("main")).to_contain_text("approve by approver@desk.example")
    _open_action(page, "Approve").get_by_role("button", name="Approve").click()
    expect(page.locator("#request-status")).not_to_have_text("Awaiting approval")


def test_staff_sign_in_with_a_code_and_pkce_and_no_token_ever_travels_in_an_address(
    page: Page, local_api: LocalApi
) -> None:
    addresses: list[str] = []
    page.on("framenavigated", lambda frame: addresses.append(frame.url))
    requested: list[str] = []  # redirects included, which a navigation does not show
    page.on("request", lambda request: requested.append(request.url))
    _sign_in(page, local_api, "analyst@desk.example")

    hosted = next(address for address in addresses if "/_local/oauth2/authorize?" in address)
    asked = parse_qs(urlsplit(hosted).query)
    assert asked["response_type"] == ["code"] and asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43 and len(asked["state"][0]) >= 16
    back = next(address for address in addresses if "/console?" in address)
    assert set(parse_qs(urlsplit(back).query)) == {"code", "state"}
    token = page.evaluate("sessionStorage.getItem('privacy-desk-staff-token')")
    assert token and all(token not in address for address in addresses + requested)
    # The code is out of the address bar, and the verifier out of the tab once used.
    assert "code=" not in page.url
    assert page.evaluate("sessionStorage.getItem('privacy-desk-sign-in')") is None

    # Signing out ends the hosted page's session too, and comes back to the console.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('privacy-desk-staff-token')") is None
    logout = next(address for address in requested if "/_local/logout?" in address)
    assert parse_qs(urlsplit(logout).query)["logout_uri"] == [f"{local_api.cloud.base_url}/console"]


def test_the_console_opened_at_another_address_sends_staff_to_the_one_sign_in_returns_to(
    page: Page, local_api: LocalApi
) -> None:
    # What the tab keeps for a sign-in belongs to one origin: the one the hosted page returns to.
    console = f"{local_api.cloud.base_url}/console"
    page.goto(console.replace("127.0.0.1", "localhost"))

    expect(page.get_by_text(f"Staff sign in at {console}")).to_be_visible()
    page.get_by_role("link", name="Go to the console's address").click()
    expect(page.get_by_role("button", name="Continue to sign in")).to_be_visible()
    assert page.url.startswith(console)


def test_a_code_this_tab_did_not_ask_for_signs_nobody_in(page: Page, local_api: LocalApi) -> None:
    # Someone else's code (a forged link, an answer to another tab): the state does not match.
    page.goto(f"{local_api.cloud.base_url}/console?code=someone-elses-code&state=forged-state-value")

    expect(page.get_by_text("does not belong to a sign-in started in this tab")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('privacy-desk-staff-token')") is None
    assert "code=" not in page.url


def test_a_cancelled_sign_in_says_so_and_signs_nobody_in(page: Page, local_api: LocalApi) -> None:
    page.goto(f"{local_api.cloud.base_url}/console")
    page.get_by_role("button", name="Continue to sign in").click()
    page.get_by_role("button", name="Cancel").click()

    expect(page.get_by_text("Sign-in was not completed: it was cancelled or refused")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('privacy-desk-staff-token')") is None


def test_an_admin_reads_the_year_s_metrics_and_an_analyst_is_told_they_are_for_admins(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    approver.post(
        f"/staff/requests/{request_id}/decision", {"decision": "deny", "reason": "Not from a consumer."}
    )
    wait_for_status(desk, request_id, "DENIED")
    year = desk.store.get(request_id).received_at.year
    signal = public.call(
        "POST", "/signals/gpc", {"browser_id": "a-browser-nobody-knows"}, headers={"Sec-GPC": "1"}
    )
    assert signal.status == 202

    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("alert")).to_contain_text("for the privacy-admin group")

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, local_api, "admin@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/reports?year={year}")
    table = page.get_by_role("table", name=f"Requests received in {year}, by type")
    cells = table.get_by_role("row", name=re.compile(r"^Get a copy of my personal data \d")).locator("td")
    expect(cells.nth(0)).to_have_text("1")  # received
    expect(cells.nth(3)).to_have_text("1")  # denied
    expect(cells.nth(1)).to_have_text("0")  # complied with in whole
    expect(page.get_by_role("img", name=f"Requests denied in {year}, by reason")).to_contain_text(
        "not from a consumer"
    )
    signals = page.get_by_role(
        "table", name=f"Global Privacy Control signals received in {year}, by jurisdiction"
    )
    expect(signals.get_by_role("row", name="DEFAULT")).to_contain_text("1")
    expect(signals.get_by_role("row", name="DEFAULT").locator("td")).to_have_text(["1", "0"])
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    assert download.value.suggested_filename == f"request-metrics-{year}.csv"


# --- what staff see: the days, the order, the layout -----------------------------------------------

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


def _page_fits(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_staff_see_the_due_day_the_subject_was_told(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    # In California a due date ends at midnight there: 08:00 UTC the next day. The subject is
    # told the Californian day; staff see the same one, and which time it is in.
    answer = submit(public, request_types=["erasure"], jurisdiction="US-CA")
    request_id, subject_day = str(answer.body["request_id"]), str(answer.body["respond_by"])[:10]
    utc_day = desk.store.get(request_id).respond_by.date().isoformat()
    assert utc_day != subject_day

    _sign_in(page, local_api, "analyst@desk.example")
    row = page.get_by_role("row", name=re.compile(request_id[:8]))
    expect(row.locator("td").nth(2)).to_have_text(subject_day)  # the legal date
    expect(row).not_to_contain_text(utc_day)
    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.locator("#respond-on")).to_contain_text(f"{subject_day} (US-CA time")
    expect(page.locator("main")).not_to_contain_text(utc_day)


def test_a_request_page_says_which_rights_the_law_gives_and_which_are_voluntary(
    page: Page, local_api: LocalApi, public: DeskClient
) -> None:
    # Iowa's law gives no right to correct; the company's privacy policy promises it to everyone.
    answer = submit(
        public,
        request_types=["access", "rectification"],
        jurisdiction="US-IA",
        corrections=[{"field": "name", "corrected_value": "Augusta Ada King"}],
    )
    request_id = str(answer.body["request_id"])

    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    rights = page.locator("#rights-asked li")

    expect(rights).to_have_text(
        [
            "Get a copy of my personal data: a legal right: Iowa ICDPA, the version in force from 2025-01-01",
            "Correct my personal data: honoured voluntarily: "
            "Iowa ICDPA, the version in force from 2025-01-01 gives no such right",
        ]
    )


def _open_request(
    desk: Desk,
    jurisdiction: str,
    respond_on: date,
    target_on: date | None = None,
    name: str | None = None,
    request_types: tuple[RequestType, ...] = (RequestType.ACCESS,),
) -> str:
    """An open request with the given legal day (and internal target), written as intake would."""
    request_id = str(uuid.uuid4())
    respond_by = end_of_local_day(respond_on, jurisdiction)
    target_by = end_of_local_day(target_on, jurisdiction)
    assert respond_by is not None
    desk.store.create(
        PrivacyRequest(
            request_id=request_id,
            request_types=list(request_types),
            # As stored: intake now refuses such a name, but a record kept from before may hold one.
            subject=RecordedIdentity(email=f"s{request_id[:8]}@example.com", name=name),
            relationship=Relationship.CUSTOMER_CONTACT,
            jurisdiction=jurisdiction,
            channel=Channel.WEB,
            status=Status.AWAITING_APPROVAL,
            received_at=desk.now(),
            respond_by=respond_by,
            target_by=target_by,
            watch_at=min(respond_by, target_by) if target_by else respond_by,
        )
    )
    return request_id


def test_the_queue_is_in_the_order_of_the_days_it_shows(page: Page, local_api: LocalApi, desk: Desk) -> None:
    day = desk.now().date() + timedelta(days=30)
    # Due the next day by law, but the desk's own target comes four days sooner: it goes first,
    # and says why; the Californian request due on the day itself comes before the later ones.
    targeted = _open_request(desk, "EU", day + timedelta(days=1), target_on=day - timedelta(days=3))
    later_eu = _open_request(desk, "EU", day + timedelta(days=1))
    californian = _open_request(desk, "US-CA", day)
    later_utc = _open_request(desk, "DEFAULT", day + timedelta(days=1))

    _sign_in(page, local_api, "analyst@desk.example")
    rows = page.get_by_role("table", name="Open requests, most urgent first").locator("tbody tr")
    expect(rows).to_have_count(4)
    shown = [
        (rows.nth(i).locator("td").nth(0).inner_text(), rows.nth(i).locator("td").nth(1).inner_text())
        for i in range(4)
    ]
    assert [reference for reference, _ in shown][:2] == [targeted[:8], californian[:8]]
    assert {reference for reference, _ in shown[2:]} == {later_eu[:8], later_utc[:8]}
    due_days = [due[:10] for _, due in shown]
    assert due_days == sorted(due_days)
    assert due_days[:2] == [(day - timedelta(days=3)).isoformat(), day.isoformat()]
    assert "internal target" in shown[0][1]
    expect(rows.nth(0).locator("td").nth(2)).to_have_text((day + timedelta(days=1)).isoformat())


def _staff_answered(desk: Desk, request_types: list[RequestType]) -> list[str]:
    return [
        confirm_card_title(desk.registry.system(task.system_id).name, task.action.value)
        for task in planned_tasks(desk.registry, request_types)
        if desk.registry.system(task.system_id).store.kind in STAFF_ANSWERED_KINDS
    ]


def test_after_approve_the_page_shows_the_hand_offs_without_a_reload(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(cloud, desk, public, request_types=["access"], jurisdiction="EU")
    expected = _staff_answered(desk, [RequestType.ACCESS])
    assert expected, "the registry hands some access tasks to vendors or customers"
    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    _open_action(page, "Approve").get_by_role("button", name="Approve").click()

    actions = page.get_by_role("group", name="Actions")
    for title in expected:
        expect(actions.get_by_role("button", name=title)).to_be_visible(timeout=60_000)
    expect(page.locator("#request-status")).to_have_text("In progress")
    assert navigations == []  # no reload: the page read the request again by itself
    # One form at a time: opening a second closes the first
    first = _open_action(page, expected[0])
    expect(first).to_be_visible()
    if len(expected) > 1:
        second = _open_action(page, expected[1])
        expect(second).to_be_visible()
        expect(first).to_be_hidden()


def test_console_pages_fit_the_window_on_a_desktop_and_a_phone(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["access", "erasure"],
        jurisdiction="EU",
        subject={"email": "ada@example.com", "name": "Ada Augusta King Countess of Lovelace"},
    )
    _sign_in(page, local_api, "admin@desk.example")
    for name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for hash_ in ("#/", "#/dashboard", "#/reports", "#/appeals"):
            page.goto(f"{local_api.cloud.base_url}/console{hash_}")
            expect(page.locator("main h1")).to_be_visible()
            page.wait_for_load_state("networkidle")
            scroll_width, window_width = _page_fits(page)
            assert scroll_width <= window_width, (name, hash_, scroll_width)
        page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")
        expect(page.locator("#request-status")).to_have_text("Awaiting approval")
        page.screenshot(path=f"/tmp/console-request-{width}.png", full_page=True)
        buttons = page.get_by_role("group", name="Actions").get_by_role("button")
        titles = [buttons.nth(i).inner_text() for i in range(buttons.count())]
        assert {"Approve", "Deny", "Ask for information", "Cancel"} <= set(titles)
        for title in titles:
            form = _open_action(page, title)
            expect(form).to_be_visible()
            # One form at a time
            expect(page.locator(".action-panels > section:not([hidden])")).to_have_count(1)
            scroll_width, window_width = _page_fits(page)
            assert scroll_width <= window_width, (name, title, scroll_width)
            for control in form.locator("select, textarea").all():
                box, card = control.bounding_box(), form.bounding_box()
                assert box and card and box["x"] + box["width"] <= card["x"] + card["width"], (name, title)
            if title == "Deny":
                page.screenshot(path=f"/tmp/console-deny-{width}.png", full_page=True)
        page.goto(f"{local_api.cloud.base_url}/console#/")
        expect(page.locator("main h1")).to_have_text("Open requests")
        page.screenshot(path=f"/tmp/console-queue-{width}.png", full_page=True)


def test_the_report_opens_on_the_desk_s_current_year(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    submit(public, request_types=["access"], jurisdiction="EU")
    year = desk.now().year
    _sign_in(page, local_api, "admin@desk.example")

    page.get_by_role("link", name="Reports").click()

    table = page.get_by_role("table", name=f"Requests received in {year}, by type")
    expect(
        table.get_by_role("row", name=re.compile(r"^Get a copy of my personal data \d")).locator("td").nth(0)
    ).to_have_text("1")
    expect(page.get_by_label("Calendar year")).to_have_value(str(year))


BIDI_NAME = "Eve \u202egpj.exe\x00 Mallory"


def test_bidirectional_and_control_characters_are_shown_not_obeyed(
    page: Page, local_api: LocalApi, desk: Desk
) -> None:
    request_id = _open_request(desk, "EU", desk.now().date() + timedelta(days=30), name=BIDI_NAME)
    desk.audit(request_id, "subject", "note", "wrote \u202eten.elpmaxe\u202c back")
    _sign_in(page, local_api, "analyst@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    page.get_by_label("Why you need the full identity (recorded)").fill("Checking the name as given.")
    page.get_by_role("button", name="Reveal the identity").click()

    identity = page.get_by_role("region", name="Identity")
    expect(identity).to_contain_text("Eve \u27e8U+202E\u27e9gpj.exe\u2400 Mallory")
    expect(page.locator(".timeline")).to_contain_text(
        "wrote \u27e8U+202E\u27e9ten.elpmaxe\u27e8U+202C\u27e9 back"
    )
    text = page.locator("main").inner_text()
    assert "\u202e" not in text and "\x00" not in text
    # Each piece of what someone wrote is isolated from the words around it
    isolated = identity.locator("bdi", has_text="Mallory")
    expect(isolated).to_have_count(1)
    assert isolated.evaluate("node => getComputedStyle(node).unicodeBidi") == "isolate"


def test_an_approver_s_journey_through_the_console_on_a_desktop_and_a_phone(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["access"],
        jurisdiction="EU",
        subject={"email": "ada@example.com", "name": "Ada Augusta King, Countess of Lovelace"},
    )
    hand_offs = _staff_answered(desk, [RequestType.ACCESS])
    journey = Journey(page, "staff console")
    _sign_in(page, local_api, "approver@desk.example")
    journey.step("queue")

    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.locator("#request-status")).to_have_text("Awaiting approval")
    journey.step("request awaiting approval")
    for title in ("Deny", "Ask for information", "Approve"):
        expect(_open_action(page, title)).to_be_visible()
        journey.step(f"{title} form")

    page.get_by_role("region", name="Approve").get_by_role("button", name="Approve").click()
    actions = page.get_by_role("group", name="Actions")
    expect(actions.get_by_role("button", name=hand_offs[0])).to_be_visible(timeout=60_000)
    journey.step("request in progress, waiting on vendors and customers")

    answer = _open_action(page, hand_offs[0])
    answer.get_by_label("Their answer, in short").fill("Done on their side; nothing kept.")
    answer.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded the answer")
    expect(actions.get_by_role("button", name=hand_offs[0])).to_have_count(0)
    journey.step("an answer recorded")

    for link, heading in (("Dashboard", "Dashboard"), ("Appeals", "Appeals waiting for an answer")):
        page.get_by_role("link", name=link, exact=True).click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        journey.step(link.lower())


def test_an_approver_answers_a_profiling_review_and_the_page_shows_the_answer_sent(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud,
        desk,
        public,
        request_types=["profiling_review"],
        jurisdiction="EU",
        details="Why was I refused invoice terms?",
    )
    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()
    expect(page.get_by_text("Why was I refused invoice terms?")).to_be_visible()
    actions = page.get_by_role("group", name="Actions")
    expect(actions.get_by_role("button", name="Approve", exact=True)).to_have_count(0)

    answer = _open_action(page, "Answer the profiling review")
    answer.get_by_label("Why the decision was made").fill("Two invoices were paid late.")
    answer.get_by_label(re.compile("What the review found")).fill("One was our error; terms are now offered.")
    answer.get_by_role("button", name="Approve with this answer").click()

    expect(page.get_by_role("status")).to_contain_text("Approved")
    wait_for_status(desk, request_id, "COMPLETED")
    page.reload()
    expect(page.get_by_text("Found: One was our error; terms are now offered.", exact=False)).to_be_visible()


def test_a_profiling_review_reads_as_the_subject_asked_it_and_closes_without_a_countdown(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = awaiting_approval(
        cloud, desk, public, request_types=["profiling_review"], jurisdiction="EU", details="Why no terms?"
    )
    received_on = desk.store.get(request_id).received_at.date().isoformat()  # Brussels: the same day
    _sign_in(page, local_api, "approver@desk.example")
    label = "Question an automated decision about me and have it reviewed"
    expect(page.get_by_role("row").filter(has_text=request_id[:8])).to_contain_text(label)

    page.get_by_role("link", name=request_id[:8]).click()
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text(label)
    expect(facts).to_contain_text("email (the code we emailed): verified")
    expect(facts).to_contain_text(f"{received_on} (EU time), at ")
    answer = _open_action(page, "Answer the profiling review")
    answer.get_by_label("Why the decision was made").fill("Two invoices were paid late.")
    answer.get_by_label(re.compile("What the review found")).fill("Kept: both were late.")
    answer.get_by_role("button", name="Approve with this answer").click()

    wait_for_status(desk, request_id, "COMPLETED")
    expect(page.locator("#request-status")).to_have_text("Completed")
    expect(page.locator("#respond-on")).to_contain_text("the legal date")
    expect(page.locator("#respond-on")).not_to_contain_text("left")
    expect(page.locator("#main")).not_to_contain_text("being sent")
    expect(page.locator("#main")).to_contain_text("Closed: answered, without asking any system.")
    expect(page.locator("#main")).to_contain_text(
        "No system needed to be asked: the review is the staff's answer."
    )


def test_approving_a_third_party_list_says_the_registry_answers_it(
    page: Page, local_api: LocalApi, desk: Desk
) -> None:
    respond_on = desk.now().date() + timedelta(days=40)
    request_id = _open_request(desk, "US-OR", respond_on, request_types=(RequestType.THIRD_PARTY_LIST,))
    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()

    approve = _open_action(page, "Approve")

    expect(approve).to_contain_text("No system is asked: the list of third parties comes from the registry.")
    expect(approve).not_to_contain_text("every system")


def test_approving_names_the_systems_the_plan_reaches_and_what_the_registry_answers(
    page: Page, local_api: LocalApi, desk: Desk
) -> None:
    respond_on = desk.now().date() + timedelta(days=40)
    kinds = (RequestType.ACCESS, RequestType.THIRD_PARTY_LIST)
    request_id = _open_request(desk, "US-OR", respond_on, request_types=kinds)
    names = {system.id: system.name for system in desk.registry.systems}
    reached = list(dict.fromkeys(names[task.system_id] for task in planned_tasks(desk.registry, kinds)))
    _sign_in(page, local_api, "approver@desk.example")
    page.get_by_role("link", name=request_id[:8]).click()

    approve = _open_action(page, "Approve")

    expect(approve).to_contain_text(
        f"The request is carried out in {len(reached)} systems: {', '.join(reached)}."
    )
    expect(approve).to_contain_text("Besides, the list of third parties comes from the registry.")
