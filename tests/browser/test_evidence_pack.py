"""A privacy analyst presses "Evidence pack" on a request's page: the page shows the JSON file's
checksum and links to the JSON file and the PDF, and the JSON file behind the link matches it.
On a closed erasure's page, "Send deletion certificate" emails the subject its certificate."""

from __future__ import annotations

import hashlib

from playwright.sync_api import Page, expect

from dsr.core.models import AuditEvent
from dsr.wiring.desk import Desk
from dsr_cli.evidence import download
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.browser.test_console import _sign_in
from tests.browser.test_every_status_in_console import _verifying_request


def test_the_evidence_pack_button_shows_the_checksum_and_links_the_files(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "erasure")
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")

    page.get_by_role("button", name="Evidence pack", exact=True).click()

    produced = page.locator("#evidence-produced")
    expect(produced).to_contain_text("the request is still open")
    checksum = page.locator("#evidence-sha256").inner_text()
    assert len(checksum) == 64
    json_link = page.get_by_role("link", name="JSON file")
    expect(page.get_by_role("link", name="PDF (prints the checksum)")).to_be_visible()
    content = download(str(json_link.get_attribute("href")))
    assert hashlib.sha256(content).hexdigest() == checksum
    # The trail records the pack; the page, drawn again as the request changes, keeps it shown.
    expect(page.locator("ol.timeline")).to_contain_text("evidence pack")
    expect(page.locator("#evidence-sha256")).to_have_text(checksum)


def test_a_closed_erasure_s_page_sends_the_deletion_certificate_when_staff_press_the_button(
    page: Page, local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "erasure")
    event = AuditEvent(
        request_id=request_id, at=desk.now(), actor="system:accounts", action="erase", outcome="done"
    )
    desk.store.put_system_outcome(request_id, "accounts", "erase", {"status": "done", "records": 1}, event)
    desk.store.set_fields(request_id, {"status": "COMPLETED", "closed_at": desk.now().isoformat()})
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")

    page.get_by_role("button", name="Send deletion certificate", exact=True).click()

    expect(page.locator("#certificate-sent")).to_contain_text(
        "Deletion certificate sent to the subject, in en"
    )
    sent = [m for m in cloud.outbox() if m.request_id == request_id and m.attachments]
    assert [m.attachments for m in sent] == [[f"deletion-certificate-{request_id[:8]}.pdf"]]
    assert "Platform accounts: " in sent[0].body


def test_an_open_request_s_page_offers_no_deletion_certificate(
    page: Page, local_api: LocalApi, desk: Desk, public: DeskClient
) -> None:
    request_id = _verifying_request(public, desk, "erasure")
    _sign_in(page, local_api, "analyst@desk.example")
    page.goto(f"{local_api.cloud.base_url}/console#/requests/{request_id}")

    expect(page.get_by_role("button", name="Evidence pack", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Send deletion certificate")).to_have_count(0)
