"""Closed requests keep their record for the law's period; the identity goes once it is not needed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dsr.policies import retention as records
from dsr.storage.store import request_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from tests.support import submit, verification_code, wait_for_status, wait_until


def _item(desk: Desk, request_id: str) -> dict:
    return desk.store._table.get_item(Key=request_key(request_id), ConsistentRead=True)["Item"]


def _denied(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, **request: object
) -> str:
    request_id = str(submit(public, **request).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(
        f"/staff/requests/{request_id}/decision",
        {"decision": "deny", "reason": "We hold nothing to restrict."},
    )
    wait_for_status(desk, request_id, "DENIED")
    wait_until("the record to be scheduled", lambda: "records_kept_until" in _item(desk, request_id))
    return request_id


@pytest.mark.usefixtures("every_right_offered")  # a restriction, which California's law does not give
def test_a_denied_requests_identity_goes_and_its_record_expires_after_the_laws_period(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _denied(
        cloud,
        desk,
        public,
        approver,
        request_types=["restriction"],
        subject={"email": "grace@example.org", "name": "Grace Hopper", "phone": "+1 202 555 0143"},
        jurisdiction="US-CA",
        details="Please stop using my data for profiling.",
    )
    closed = desk.store.get(request_id)
    assert closed.closed_at is not None and closed.records_kept_until is not None
    # California keeps the 7101 record for 24 months after the response
    assert closed.records_kept_until - closed.closed_at > timedelta(days=730)
    assert _item(desk, request_id)["expires_at"] == int(closed.records_kept_until.timestamp())

    # When the sweeper runs (no package link to wait for)
    cloud.run_schedules()

    # Then only the keyed hash names the person; what the law asks of the record stays
    reduced = desk.store.get(request_id)
    stored = str(_item(desk, request_id))
    for personal in ("grace@example.org", "Grace Hopper", "+12025550143", "profiling"):
        assert personal not in stored
    assert reduced.subject_hash == closed.subject_hash and reduced.identity_reduced_at is not None
    assert (reduced.request_types, reduced.channel, reduced.status) == (
        closed.request_types,
        closed.channel,
        closed.status,
    )
    assert (reduced.received_at, reduced.closed_at) == (closed.received_at, closed.closed_at)
    denial = [e for e in desk.store.events(request_id) if e.action == "close request"]
    assert denial and denial[0].detail["reason"] == "We hold nothing to restrict."  # the basis of the denial
    # And every item of the request expires with the record
    items = desk.store._table.query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"REQ#{request_id}"}
    )
    assert all(
        item.get("expires_at") == int(closed.records_kept_until.timestamp()) for item in items["Items"]
    )
    # A second sweep changes nothing
    cloud.run_schedules()
    assert [e.action for e in desk.store.events(request_id)].count("reduce identity") == 1


def test_an_access_requests_identity_stays_until_its_download_link_has_run_out(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    from tests.support import answer_hand_offs

    request_id = str(submit(public, request_types=["access"]).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    wait_until("the record to be scheduled", lambda: "records_kept_until" in _item(desk, request_id))
    available_until = desk.store.get(request_id).package_available_until
    assert available_until is not None

    cloud.run_schedules()
    assert str(desk.store.get(request_id).subject.email) == "ada@example.com"  # the link still works

    late = available_until - local_clock.now() + timedelta(hours=1)
    local_clock.advance(late)
    try:
        cloud.run_schedules()
    finally:
        local_clock.advance(-late)
    assert str(desk.store.get(request_id).subject.email).endswith(f"@{records.REDUCED_DOMAIN}")
