"""Staff see a flood in the queue, select it in one press, and close it as spam: each request is
closed on its own, and the queue says how many were done."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.browser.journey import Journey
from tests.browser.test_console import _sign_in
from tests.support import submit, wait_for_status

FLOODED = "bulk-flood@example.com"


def test_an_approver_selects_a_flood_and_closes_it_as_spam(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    sent = [
        str(
            submit(public, subject={"email": FLOODED, "name": "Flood"}, request_types=[kind]).body[
                "request_id"
            ]
        )
        for kind in ("access", "erasure", "portability")
    ]
    for request_id in sent:
        wait_for_status(desk, request_id, "VERIFYING")
    journey = Journey(page, "bulk-queue", other_languages=False)
    _sign_in(page, local_api, "approver@desk.example")

    floods = page.get_by_role("region", name="Possible floods")
    flood = floods.get_by_role("listitem").filter(has_text="requests for one subject")
    expect(flood).to_contain_text("3 requests for one subject")
    journey.step("the queue shows the flood")
    flood.get_by_role("button", name="Select these 3 requests").click()
    for request_id in sent:
        expect(page.get_by_role("checkbox", name=f"Select request {request_id[:8]}")).to_be_checked()

    # Meanwhile another staff member closes one of them: the selection reports it, and goes on.
    withdrawn = approver.post(f"/staff/requests/{sent[0]}/cancel", {"reason": "You withdrew this request."})
    assert withdrawn.status == 200, withdrawn.body
    form = page.get_by_role("form", name="Act on the selected requests")
    form.get_by_label("Action").select_option(label="Close as spam")
    form.get_by_label("Reason, sent to each subject as written").fill(
        "These requests were sent automatically and do not come from you."
    )
    form.get_by_role("button", name="Apply to 3 selected requests").click()

    expect(page.get_by_text("2 requests done.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=sent[0][:8])).to_contain_text(
        "the request is CANCELLED; only a request not yet carried out can be cancelled"
    )
    for request_id in sent:
        wait_for_status(desk, request_id, "CANCELLED")
        expect(page.get_by_role("link", name=request_id[:8], exact=True)).to_have_count(0)
    journey.step("the flood is closed")
