"""Fixtures: the whole application on the embedded local cloud, and a subject's journey through it.
The helpers the tests share are in support.py."""

from __future__ import annotations

import os

# As in Lambda, the environment is set before any function code is imported, so every logger
# gets the service's name (template.yaml sets it in Globals).
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "privacy-desk")

import importlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from moto import mock_aws

from dsr.wiring.desk import Desk, desk_from_environment
from dsr_cli.http_client import DeskClient
from dsr_cli.local import running_local_cloud
from local_cloud.clock import local_clock
from local_cloud.cloud import TEMPLATE_PATH, LocalCloud
from local_cloud.http_api import LocalApi
from local_cloud.template import load_template
from tests.support import staff_client


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


@pytest.fixture
def approver(local_api: LocalApi) -> DeskClient:
    return staff_client(local_api, "approver@desk.example")


@pytest.fixture
def analyst(local_api: LocalApi) -> DeskClient:
    return staff_client(local_api, "analyst@desk.example")


@pytest.fixture
def every_right_offered(local_api: LocalApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """The desk of a company that offers every kind of request everywhere, whatever the law
    (``RIGHTS_OFFERED_EVERYWHERE=all``), for tests about something else than which rights a law gives."""
    monkeypatch.setenv("RIGHTS_OFFERED_EVERYWHERE", "all")
    desk_from_environment.cache_clear()  # the functions read their settings again


@pytest.fixture
def moved_clock() -> Iterator[list[timedelta]]:
    """Lets a test move the desk's clock forward with ``advance``; puts it back afterwards."""
    moves: list[timedelta] = []
    try:
        yield moves
    finally:
        for move in moves:
            local_clock.advance(-move)
