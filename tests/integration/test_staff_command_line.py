"""``dsr staff``: the queue and the decisions from a terminal."""

from __future__ import annotations

import json

import pytest

from dsr.desk import Desk
from dsr_cli.http_client import DeskClient
from dsr_cli.main import main
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import LocalApi
from tests.conftest import submit, verification_code, wait_for_status, wait_until


def _awaiting(cloud: LocalCloud, desk: Desk, public: DeskClient, email: str) -> str:
    request_id = str(submit(public, request_types=["erasure"], subject={"email": email}).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    return request_id


def _staff(local_api: LocalApi, user: str, *arguments: str) -> list[str]:
    return ["staff", "--url", local_api.cloud.base_url, "--as", user, *arguments]


def test_staff_list_show_approve_and_deny_from_the_command_line(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _awaiting(cloud, desk, public, "ada@example.com")
    second = _awaiting(cloud, desk, public, "alan@example.net")

    assert main(_staff(local_api, "analyst@desk.example", "list")) == 0
    listed = capsys.readouterr().out
    assert first[:8] in listed and second[:8] in listed and "AWAITING_APPROVAL" in listed

    assert main(_staff(local_api, "analyst@desk.example", "--json", "show", first)) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["request_id"] == first and shown["subject"] == "a***@e***.com"

    # An analyst may not decide
    assert main(_staff(local_api, "analyst@desk.example", "approve", first)) == 1
    assert "403" in capsys.readouterr().err

    assert main(_staff(local_api, "approver@desk.example", "approve", first)) == 0
    assert (
        main(_staff(local_api, "approver@desk.example", "deny", second, "--reason", "A legal hold applies."))
        == 0
    )
    wait_for_status(desk, second, "DENIED")
    wait_until(
        "the approval to take effect", lambda: desk.store.get(first).status.value != "AWAITING_APPROVAL"
    )

    # A second decision names who made the first
    assert main(_staff(local_api, "admin@desk.example", "deny", first, "--reason", "Too late.")) == 1
    assert "decided by approver@desk.example" in capsys.readouterr().err


def test_without_a_token_the_command_says_how_to_sign_in(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", "--url", "http://127.0.0.1:9", "list"]) == 1
    assert "give --token" in capsys.readouterr().err
