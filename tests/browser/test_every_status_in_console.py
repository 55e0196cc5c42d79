"""The console names every status a request can have, in words, on the request's page and in the
status filter."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dsr.core.models import AuditEvent, Channel, Relationship, Status
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.http_api import LocalApi
from tests.browser.test_console import _sign_in
from tests.support import submit, wait_for_status


def _verifying_request(public: DeskClient, desk: Desk, request_type: str) -> str:
    """A UK request waiting for its subject's code: the one the tests below dress up."""
    answer = submit(public, request_types=[request_type], jurisdiction="UK")
    assert answer.status == 201, answer.body
    request_id = str(answer.body["request_id"])
    wait_for_status(desk, request_id, "VERIFYING")
    return request_id


def _open_request(page: Page, local_api: LocalApi, request_id: str) -> None:
    """The request's page, read afresh from the desk."""
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")
    page.reload()
    expect(page.locator("#request-status")).not_to_be_empty()


def test_a_request_s_page_names_its_status_in_words_whatever_it_is(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "restriction")
    _sign_in(page, local_api, "analyst@desk.example")
    filter_options = page.locator("select option").all_inner_texts()

    shown = {}
    for status in Status:
        desk.store.set_fields(request_id, {"status": status.value})
        _open_request(page, local_api, request_id)
        shown[status] = page.locator("#request-status").inner_text()

    raw = {status: text for status, text in shown.items() if text == status.value or not text.strip()}
    assert not raw, f"statuses shown raw or empty: {raw}"
    assert len(set(shown.values())) == len(Status), shown
    assert all(text in filter_options for text in shown.values()), (shown, filter_options)


def test_a_request_s_systems_say_what_each_did_in_words(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "erasure")
    systems = [system.id for system in desk.registry.systems][: len(OutcomeStatus)]
    for system_id, outcome in zip(systems, OutcomeStatus, strict=True):
        event = AuditEvent(
            request_id=request_id, at=desk.now(), actor=f"system:{system_id}", action="erase", outcome=outcome
        )
        desk.store.put_system_outcome(request_id, system_id, "erase", {"status": outcome.value}, event)
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")
    table = page.get_by_role("table", name="Systems")
    expect(table.get_by_role("row")).to_have_count(len(OutcomeStatus) + 1)

    shown = table.locator("tbody tr td:nth-child(3)").all_inner_texts()
    assert not {"nothing_found", "exempt", "waiting"} & set(shown), shown
    assert "they hold nothing" in shown
    assert len(set(shown)) == len(OutcomeStatus), shown


def test_a_request_s_page_says_how_the_subject_knows_us_and_how_it_came_in_words(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "restriction")
    _sign_in(page, local_api, "analyst@desk.example")

    def fact(term: str) -> str:
        return page.locator(f"dl.facts dt:text-is('{term}') + dd").inner_text()

    shown: dict[str, str] = {}
    for relationship, channel in zip(
        Relationship, [*Channel, *[Channel.WEB] * len(Relationship)], strict=False
    ):
        desk.store.set_fields(request_id, {"relationship": relationship.value, "channel": channel.value})
        _open_request(page, local_api, request_id)
        shown[relationship.value] = fact("Relationship")
        shown[channel.value] = fact("Channel")

    raw = {code: text for code, text in shown.items() if "_" in text or (text == code and code != "email")}
    assert not raw, f"shown as codes: {raw}"


def test_where_no_law_applies_the_console_says_the_company_policy_allows_no_extension(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    extension: dict[str, str] = {}
    _sign_in(page, local_api, "analyst@desk.example")
    for jurisdiction in ("DEFAULT", "CA-QC"):
        answer = submit(public, request_types=["erasure"], jurisdiction=jurisdiction)
        assert answer.status == 201, answer.body
        request_id = str(answer.body["request_id"])
        _open_request(page, local_api, request_id)
        extension[jurisdiction] = page.locator(
            "dl.facts dt:text-is('Extension possible to') + dd"
        ).inner_text()

    assert extension == {"DEFAULT": "the company's policy allows none", "CA-QC": "the law allows none"}
