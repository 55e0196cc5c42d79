"""The console names every status a request can have, in words, on the request's page and in the
status filter."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dsr.core.models import Status
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.browser.test_console import _sign_in
from tests.support import submit, wait_for_status


def test_a_request_s_page_names_its_status_in_words_whatever_it_is(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    answer = submit(public, request_types=["restriction"], jurisdiction="UK")
    assert answer.status == 201, answer.body
    request_id = str(answer.body["request_id"])
    wait_for_status(desk, request_id, "VERIFYING")
    _sign_in(page, local_api, "analyst@desk.example")
    filter_options = page.locator("select option").all_inner_texts()

    shown = {}
    for status in Status:
        desk.store.set_fields(request_id, {"status": status.value})
        page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")
        page.reload()
        expect(page.locator("#request-status")).not_to_be_empty()
        shown[status] = page.locator("#request-status").inner_text()

    raw = {status: text for status, text in shown.items() if text == status.value or not text.strip()}
    assert not raw, f"statuses shown raw or empty: {raw}"
    assert len(set(shown.values())) == len(Status), shown
    assert all(text in filter_options for text in shown.values()), (shown, filter_options)
