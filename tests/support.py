"""Helpers the tests share: submitting a request, waiting for what the desk does, staff answers,
and moving the local cloud's clock. The fixtures are in conftest.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.fulfilment.fulfilment import planned_tasks
from dsr.policies.request_deadlines import deadlines_for
from dsr.wiring.desk import Desk
from dsr_cli import hand_offs
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi

if TYPE_CHECKING:
    from dsr.connectors.saas import SaasConnector
    from local_cloud.saas_standins import SaasStandIn

WAIT_SECONDS = 60.0  # a wait that ends early costs nothing; a slow machine needs the room
STAFF_ANSWERED_KINDS = frozenset({"vendor_email", "customer_controllers", "system_owner"})


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


def awaiting_approval(cloud: LocalCloud, desk: Desk, public: DeskClient, **request: Any) -> str:
    """A request (``submit``'s defaults, with ``request`` over them) whose subject proved the code
    we emailed, now waiting for staff: its id."""
    answer = submit(public, **request)
    assert answer.status == 201, answer.body
    request_id = str(answer.body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    return request_id


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


WATCHED_EMAIL = "ada.lovelace@example.com"
WATCHED_NAME = "Ada Lovelace"
WATCHED_DETAILS = "Please include the notes about my Analytical Engine account"


def open_request_due_in(
    desk: Desk,
    due_in: timedelta,
    *,
    target_in: timedelta | None = None,
    extension_notice_in: timedelta | None = None,
    extended: bool = False,
) -> str:
    """An open request waiting for staff (so no other sweep acts on it), its deadline fields set
    ``due_in`` from now (and the internal target, the extension notice, an extension granted)."""
    now = desk.now()
    request_id = str(uuid.uuid4())
    respond_by = now + due_in
    received = now - timedelta(days=20)
    desk.store.create(
        PrivacyRequest(
            request_id=request_id,
            request_types=[RequestType.ACCESS, RequestType.ERASURE],
            subject=SubjectIdentity(email=WATCHED_EMAIL, name=WATCHED_NAME),
            relationship=Relationship.ACCOUNT_HOLDER,
            jurisdiction="UK",
            channel=Channel.WEB,
            status=Status.AWAITING_APPROVAL,
            received_at=received,
            respond_by=respond_by,
            details=WATCHED_DETAILS,
        )
    )
    target_by = now + target_in if target_in is not None else None
    fields: dict[str, Any] = {
        "respond_by": respond_by.isoformat(),
        "due_at": min(target_by or respond_by, respond_by).isoformat(),
        "deadline_policy": "UK",
        "deadline_policy_version": deadlines_for(
            "UK", [RequestType.ACCESS], now - timedelta(days=20)
        ).policy_version,
    }
    if target_by is not None:
        fields["target_by"] = target_by.isoformat()
    if extension_notice_in is not None:
        fields["extension_notice_by"] = (now + extension_notice_in).isoformat()
    if extended:
        fields["extended_at"] = now.isoformat()
    desk.store.set_fields(request_id, fields)
    return request_id


def stand_in_connector(stand_in: SaasStandIn, action: str | None = None) -> SaasConnector:
    """The tool's connector as the function builds it, pointed at the stand-in with its
    account's settings and credentials (loaded by the tests that reach a stand-in, not by every
    test that imports this module)."""
    from dsr.connectors.saas import SaasConnector
    from dsr.connectors.saas_http import SaasHttp
    from dsr.core.saas_definitions import load_definition
    from local_cloud.saas_standins.running import stand_in_environment

    definition = load_definition(stand_in.tool)
    environment = stand_in_environment(stand_in)
    secret = stand_in.vendor.secret
    http = SaasHttp(definition, environment, read_secret=lambda _: secret, sleep=time.sleep)
    return SaasConnector(http, environment, action)
