"""Helpers the tests share: submitting a request, waiting for what the desk does, staff answers,
and moving the local cloud's clock. The fixtures are in conftest.py."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from dsr.fulfilment.fulfilment import planned_tasks
from dsr.wiring.desk import Desk
from dsr_cli import hand_offs
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi

WAIT_SECONDS = 20.0
STAFF_ANSWERED_KINDS = frozenset({"vendor_email", "customer_controllers"})


def staff_client(local_api: LocalApi, username: str) -> DeskClient:
    token = local_api.tokens.issue(username)
    return DeskClient(local_api.cloud.base_url, token)


def wait_until(what: str, probe: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    """Poll ``probe`` until it returns something truthy, failing the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"waited {seconds:.0f}s for {what}")


def verification_code(cloud: LocalCloud, request_id: str) -> str:
    return str(wait_until("the verification code email", lambda: cloud.latest_code(request_id)))


def status_of(desk: Desk, request_id: str) -> str:
    return desk.store.get(request_id).status.value


def wait_for_status(desk: Desk, request_id: str, status: str) -> None:
    wait_until(f"request {request_id} to reach {status}", lambda: status_of(desk, request_id) == status)


def submit(public: DeskClient, **overrides: Any) -> HttpAnswer:
    payload: dict[str, Any] = {
        "request_types": ["access"],
        "subject": {"email": "ada@example.com", "name": "Ada Lovelace"},
    }
    payload.update(overrides)
    if "jurisdiction" not in payload and "country" not in payload:
        # Under the GDPR control of the address on file is the proof (an emailed code alone);
        # tests of the stricter levels state their jurisdiction.
        payload["jurisdiction"] = "EU"
    return public.post("/requests", payload)


def answer_hand_offs(desk: Desk, staff: DeskClient, request_id: str, answer: str = "done") -> None:
    """Staff record the vendor's and the customers' answer ("done" unless said) for every task the
    request hands to them, once each is waiting (the processors answer by themselves)."""
    request = desk.store.get(request_id)
    tasks = {
        f"{task.system_id}#{task.action.value}": (answer, "answered in the test")
        for task in planned_tasks(desk.registry, request.request_types)
        if desk.registry.system(task.system_id).store.kind in STAFF_ANSWERED_KINDS
    }
    results = hand_offs.answer_hand_offs(staff, request_id, tasks, seconds=WAIT_SECONDS)
    assert all(status == 200 for status in results.values()), results


def advance(moves: list[timedelta], by: timedelta) -> None:
    """Move the desk's clock ``by``, remembered in ``moves`` (the ``moved_clock`` fixture)."""
    local_clock.advance(by)
    moves.append(by)
