"""Review before release, through the local cloud: an access package held after its parts are
written, the subject told it is being prepared and unable to download it, a reviewer redacting a
field and a record with their grounds, and one release that lets the workflow tell the subject."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status, wait_until


@pytest.fixture
def review_on(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """The deployment's ReviewAccessPackages parameter is "true"."""
    monkeypatch.setenv("REVIEW_ACCESS_PACKAGES", "true")
    desk_from_environment.cache_clear()  # the functions read their settings again


def _held_access(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> tuple[str, str]:
    """Ada's access request, carried out, its package held: (request id, status token)."""
    receipt = submit(public).body
    request_id, token = receipt["request_id"], receipt["status_token"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    wait_until(
        "the request to wait for staff",
        lambda: any(e.action == "staff review requested" for e in desk.store.events(request_id)),
    )
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    answer_hand_offs(desk, analyst, request_id)
    wait_until(
        "the package to wait for its reviewer",
        lambda: (desk.store.package_review(request_id) or {}).get("task_token"),
    )
    return request_id, token


def _mails(cloud: LocalCloud, request_id: str, subject_part: str) -> list[Any]:
    return [m for m in cloud.outbox() if m.request_id == request_id and subject_part in m.subject]


def _out_of_the_subjects_reach(
    cloud: LocalCloud, desk: Desk, public: DeskClient, request_id: str, token: str
) -> None:
    """Held: the subject reads that it is being prepared, and there is nothing to download."""
    status = public.get(f"/requests/{request_id}?token={token}")
    assert status.body["status"] == "IN_PROGRESS"
    assert status.body["next_step"].startswith("Your copy is being prepared")
    assert public.get(f"/download/{request_id}?token={token}").status == 404
    assert desk.store.get(request_id).package_key is None
    assert _mails(cloud, request_id, "is complete") == []


@pytest.mark.usefixtures("review_on")
def test_a_held_package_is_redacted_and_released_by_a_reviewer_and_only_then_reaches_the_subject(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id, token = _held_access(cloud, desk, public, approver, analyst)
    base = f"/staff/requests/{request_id}/package"

    _out_of_the_subjects_reach(cloud, desk, public, request_id, token)

    # An analyst can neither read the held package nor redact or release it
    assert analyst.get(base).status == 403
    first_field = {"system_id": "accounts", "record": 0, "field": "name", "ground": "third_party"}
    assert analyst.post(f"{base}/redactions", first_field).status == 403
    assert analyst.post(f"{base}/release", {}).status == 403

    # The reviewer finds it among the packages waiting, reads each part, and redacts a field and a
    # whole record, each with its ground
    waiting = approver.get("/staff/packages").body["packages"]
    assert request_id in [entry["request_id"] for entry in waiting]
    held = approver.get(base)
    assert held.status == 200, held.body
    parts = {part["system_id"]: part["records"] for part in held.body["parts"]}
    assert parts["accounts"] >= 1
    several = next(system for system, count in parts.items() if count >= 2 and system != "accounts")
    records = approver.get(f"{base}/systems/{several}").body["records"]
    assert len(records) == parts[several]
    name = approver.get(f"{base}/systems/accounts").body["records"][0]["name"]
    assert approver.post(f"{base}/redactions", first_field).status == 200
    whole = {"system_id": several, "record": 1, "ground": "trade_secret"}
    assert approver.post(f"{base}/redactions", whole).status == 200
    assert approver.post(f"{base}/redactions", whole).status == 409  # once
    shown = approver.get(base).body["redactions"]
    assert [(r["system_id"], r["field"], r["ground"], r["by"]) for r in shown] == [
        ("accounts", "name", "third_party", "approver@desk.example"),
        (several, None, "trade_secret", "approver@desk.example"),
    ]

    # The release: once
    released = approver.post(f"{base}/release", {})
    assert released.status == 200, released.body
    assert released.body["redactions"] == 2
    again = approver.post(f"{base}/release", {})
    assert again.status == 409 and again.body["released_by"] == "approver@desk.example"
    assert approver.post(f"{base}/redactions", {**first_field, "field": "email"}).status == 409

    assert request_id not in [e["request_id"] for e in approver.get("/staff/packages").body["packages"]]

    # The workflow goes on and tells the subject as it does without review
    wait_for_status(desk, request_id, "COMPLETED")
    wait_until("the completion email", lambda: _mails(cloud, request_id, "is complete"))
    request = desk.store.get(request_id)
    assert request.package_key is not None
    stored = desk.s3.get_object(Bucket=desk.settings.packages_bucket, Key=request.package_key)
    package = json.loads(stored["Body"].read())
    assert "name" not in package["systems"]["accounts"][0]
    assert name not in json.dumps(package["systems"]["accounts"])
    assert len(package["systems"][several]) == parts[several] - 1
    assert records[1] not in package["systems"][several]
    withheld = package["request"]["withheld"]["systems"]
    assert withheld["accounts"]["grounds"] == ["third_party"]
    assert (withheld[several]["records"], withheld[several]["grounds"]) == (1, ["trade_secret"])

    # The trail: who redacted what, on what ground, and who released, never a value
    trail = [e for e in desk.store.events(request_id) if e.action.startswith("package")]
    assert [(e.action, e.outcome) for e in trail if e.action != "package review requested"] == [
        ("package redacted", "third_party"),
        ("package redacted", "trade_secret"),
        ("package released", "released"),
    ]
    assert name not in json.dumps([e.model_dump(mode="json") for e in trail])
