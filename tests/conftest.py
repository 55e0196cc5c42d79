"""Fixtures: the whole application on the embedded local cloud, and a subject's journey through it."""

from __future__ import annotations

import os

# As in Lambda, the environment is set before any function code is imported, so every logger
# gets the service's name (template.yaml sets it in Globals).
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "privacy-desk")

import importlib
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from moto import mock_aws

from dsr.clock import system_clock
from dsr.desk import Desk, desk_from_environment
from dsr.fulfilment import planned_tasks
from dsr_cli import hand_offs
from dsr_cli.http_client import DeskClient, HttpAnswer
from dsr_cli.local import running_local_cloud
from local_cloud.cloud import TEMPLATE_PATH, LocalCloud
from local_cloud.http_api import LocalApi
from local_cloud.template import load_template

WAIT_SECONDS = 20.0


@pytest.fixture(scope="session", autouse=True)
def _function_code_imported_once() -> None:
    """Import every handler template.yaml names before any test captures output, as each
    function's cold start would; their loggers then write to the session's output."""
    template = load_template(TEMPLATE_PATH)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            importlib.import_module(resource["Properties"]["Handler"].rpartition(".")[0])


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto alone, with fake credentials, for tests that need AWS services but no local cloud."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


@pytest.fixture
def local_api() -> Iterator[LocalApi]:
    with running_local_cloud() as api:
        yield api


@pytest.fixture
def cloud(local_api: LocalApi) -> LocalCloud:
    return local_api.cloud


@pytest.fixture
def desk(local_api: LocalApi) -> Desk:
    return desk_from_environment()


@pytest.fixture
def public(local_api: LocalApi) -> DeskClient:
    return DeskClient(local_api.cloud.base_url)


def staff_client(local_api: LocalApi, username: str) -> DeskClient:
    token = local_api.tokens.issue(username)
    return DeskClient(local_api.cloud.base_url, token)


@pytest.fixture
def approver(local_api: LocalApi) -> DeskClient:
    return staff_client(local_api, "approver@desk.example")


@pytest.fixture
def analyst(local_api: LocalApi) -> DeskClient:
    return staff_client(local_api, "analyst@desk.example")


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


STAFF_ANSWERED_KINDS = frozenset({"vendor_email", "customer_controllers"})


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


@pytest.fixture
def moved_clock() -> Iterator[list[timedelta]]:
    """Lets a test move the desk's clock forward with ``advance``; puts it back afterwards."""
    moves: list[timedelta] = []
    try:
        yield moves
    finally:
        for move in moves:
            system_clock.advance(-move)


def advance(moves: list[timedelta], by: timedelta) -> None:
    """Move the desk's clock ``by``, remembered in ``moves`` (the ``moved_clock`` fixture)."""
    system_clock.advance(by)
    moves.append(by)
