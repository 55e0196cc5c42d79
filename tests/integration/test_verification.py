"""Email verification: single-use codes bound to one request, limited attempts, expiry."""

from __future__ import annotations

from datetime import timedelta

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from tests.support import status_of, submit, verification_code, wait_for_status


def _verifying_request(
    cloud: LocalCloud, desk: Desk, public: DeskClient, email: str = "ada@example.com"
) -> tuple[str, str]:
    request_id = submit(public, subject={"email": email}).body["request_id"]
    code = verification_code(cloud, request_id)
    wait_for_status(desk, request_id, "VERIFYING")
    return request_id, code


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_code_then_right_code_verifies(cloud: LocalCloud, desk: Desk, public: DeskClient) -> None:
    request_id, code = _verifying_request(cloud, desk, public)

    wrong = public.post(f"/requests/{request_id}/verification", {"code": _wrong(code)})
    right = public.post(f"/requests/{request_id}/verification", {"code": code})

    assert (wrong.status, wrong.body["verified"]) == (403, False)
    assert (right.status, right.body["verified"]) == (200, True)
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")


def test_a_used_code_cannot_be_replayed(cloud: LocalCloud, desk: Desk, public: DeskClient) -> None:
    request_id, code = _verifying_request(cloud, desk, public)
    assert public.post(f"/requests/{request_id}/verification", {"code": code}).status == 200

    replay = public.post(f"/requests/{request_id}/verification", {"code": code})

    assert replay.status == 403
    outcomes = [e.detail.get("reason") for e in desk.store.events(request_id) if e.outcome == "rejected"]
    assert outcomes == ["already used"]


def test_five_wrong_codes_lock_the_code_even_against_the_right_one(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id, code = _verifying_request(cloud, desk, public)
    for _ in range(5):
        assert public.post(f"/requests/{request_id}/verification", {"code": _wrong(code)}).status == 403

    locked = public.post(f"/requests/{request_id}/verification", {"code": code})

    assert locked.status == 403
    assert status_of(desk, request_id) == "VERIFYING"


def test_a_code_for_one_request_does_not_verify_another(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    first, first_code = _verifying_request(cloud, desk, public)
    second, second_code = _verifying_request(cloud, desk, public, email="grace@example.org")
    if first_code == second_code:  # one in a million; the binding is what matters
        return

    crossed = public.post(f"/requests/{second}/verification", {"code": first_code})

    assert crossed.status == 403
    assert status_of(desk, second) == "VERIFYING"
    assert status_of(desk, first) == "VERIFYING"


def test_an_expired_code_is_refused(cloud: LocalCloud, desk: Desk, public: DeskClient) -> None:
    request_id, code = _verifying_request(cloud, desk, public)
    local_clock.advance(timedelta(minutes=desk.settings.verification_code_ttl_minutes + 1))
    try:
        expired = public.post(f"/requests/{request_id}/verification", {"code": code})
    finally:
        local_clock.advance(-timedelta(minutes=desk.settings.verification_code_ttl_minutes + 1))

    assert expired.status == 403
    reasons = [e.detail.get("reason") for e in desk.store.events(request_id) if e.outcome == "rejected"]
    assert reasons == ["code expired"]


def test_unknown_and_known_requests_get_the_same_refusal(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id, code = _verifying_request(cloud, desk, public)

    known = public.post(f"/requests/{request_id}/verification", {"code": _wrong(code)})
    unknown = public.post("/requests/00000000-0000-4000-8000-000000000000/verification", {"code": code})

    assert (known.status, known.body) == (unknown.status, unknown.body)
