"""The reviewer's journey in the console: find the held access package, withhold a field and a
record with their grounds, release it; the subject then gets the package without them."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.browser.journey import Journey
from tests.browser.test_console import _sign_in
from tests.integration.test_package_review import _held_access
from tests.support import wait_for_status


@pytest.fixture
def review_on(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's ReviewAccessPackages parameter is "true"."""
    monkeypatch.setenv("REVIEW_ACCESS_PACKAGES", "true")
    desk_from_environment.cache_clear()


@pytest.mark.usefixtures("review_on")
def test_a_reviewer_withholds_a_field_and_a_record_with_their_grounds_and_releases_the_package(
    page: Page,
    local_api: LocalApi,
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    analyst: DeskClient,
) -> None:
    request_id, _ = _held_access(cloud, desk, public, approver, analyst)
    held = approver.get(f"/staff/requests/{request_id}/package").body
    names = {part["system_id"]: part["name"] for part in held["parts"]}
    several = next(p for p in held["parts"] if p["records"] >= 2 and p["system_id"] != "accounts")
    journey = Journey(page, "package review")
    _sign_in(page, local_api, "approver@desk.example")
    waiting = page.get_by_role("link", name=f"Review request {request_id[:8]}")
    expect(waiting).to_be_visible()
    journey.step("queue with a package waiting for review")

    page.get_by_role("link", name=request_id[:8], exact=True).click()
    note = page.get_by_role("region", name="Review the package")
    expect(note).to_contain_text("the subject cannot download it until it is released")
    journey.step("request whose package is held")
    note.get_by_role("link", name="Review the access package").click()
    expect(page.get_by_role("heading", name="Review the access package")).to_be_visible()
    journey.step("the held package")

    first = page.get_by_role("region", name=f"{names['accounts']}: Record 1")
    first.get_by_label("Withhold", exact=True).select_option("name")
    ground = "Ground (the subject is told it)"
    first.get_by_label(ground).select_option(label="Another person's personal data")
    first.get_by_role("button", name="Withhold it").click()
    expect(page.get_by_role("status")).to_have_text("Field withheld: name.")
    expect(first).to_contain_text("Withheld: Another person's personal data")
    journey.step("a field withheld")

    second = page.get_by_role("region", name=f"{several['name']}: Record 2")
    second.get_by_label("Withhold", exact=True).select_option(label="the whole record")
    second.get_by_label(ground).select_option(label="Trade secret or intellectual property")
    second.get_by_role("button", name="Withhold it").click()
    expect(page.get_by_role("status")).to_have_text("Record withheld.")
    expect(second).to_contain_text("The whole record is withheld: Trade secret or intellectual property")
    journey.step("a record withheld")

    expect(page.get_by_text("2 redactions will be applied.")).to_be_visible()
    page.get_by_role("button", name="Release the package").click()
    expect(page.get_by_role("status")).to_contain_text("Released: the package is being built")
    expect(page.get_by_role("button", name="Release the package")).to_have_count(0)
    journey.step("released")

    wait_for_status(desk, request_id, "COMPLETED")
    request = desk.store.get(request_id)
    assert request.package_key is not None
    stored = desk.s3.get_object(Bucket=desk.settings.packages_bucket, Key=request.package_key)
    package = json.loads(stored["Body"].read())
    assert "name" not in package["systems"]["accounts"][0]
    assert len(package["systems"][several["system_id"]]) == several["records"] - 1
    assert package["request"]["withheld"]["systems"]["accounts"]["grounds"] == ["third_party"]
