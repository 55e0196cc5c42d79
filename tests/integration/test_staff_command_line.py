"""``dsr staff``: the queue and the decisions from a terminal."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from dsr.desk import Desk
from dsr.records import REDUCED_DOMAIN
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


def test_staff_list_shows_the_subject_s_due_day_in_the_order_it_shows(
    local_api: LocalApi, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    # California counts days in Los Angeles: the subject is told a day that is not the UTC one.
    answer = submit(public, request_types=["erasure"], jurisdiction="US-CA")
    californian, subject_day = str(answer.body["request_id"]), str(answer.body["respond_by"])[:10]
    eu = str(submit(public, request_types=["access"], jurisdiction="EU").body["request_id"])

    assert main(_staff(local_api, "analyst@desk.example", "list")) == 0
    lines = capsys.readouterr().out.splitlines()
    [line] = [line for line in lines if line.startswith(californian[:8])]
    assert subject_day in line
    assert desk.store.get(californian).respond_by.date().isoformat() not in line
    due_days = [line.split()[1] for line in lines]
    assert due_days == sorted(due_days)
    assert {californian[:8], eu[:8]} <= {line[:8] for line in lines}

    assert main(_staff(local_api, "analyst@desk.example", "show", californian)) == 0
    assert f"respond by {subject_day} (US-CA time" in capsys.readouterr().out


def test_staff_show_says_plainly_that_an_identity_was_erased(
    local_api: LocalApi, desk: Desk, public: DeskClient, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = str(submit(public, request_types=["access"], jurisdiction="EU").body["request_id"])
    # Closed, then the identity let go as the sweeper does: only the keyed hash is kept.
    desk.store.schedule_identity_reduction(request_id, desk.now() - timedelta(seconds=1))
    assert desk.store.reduce_identity(request_id, {"email": f"{'0' * 32}@{REDUCED_DOMAIN}"}, desk.now())

    assert main(_staff(local_api, "analyst@desk.example", "show", request_id)) == 0
    shown = capsys.readouterr().out
    assert "subject identity erased after closing" in shown
    assert "***@" not in shown
