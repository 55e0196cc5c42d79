"""``dsr local drp-agent``: the local cloud's demonstration agent from a terminal. It sends a
signed request and prints the status the desk answered, asks for a request's status, revokes it,
lists the callbacks it received; bodies the desk must refuse (a tampered signature, an expired
body, a replay) are refused, each with the desk's reason, and a desk that is not running is said
so in one line."""

from __future__ import annotations

import json

import pytest

from dsr.wiring.desk import Desk
from dsr_cli.main import main
from local_cloud.cloud import LocalCloud
from tests.support import wait_until


def _agent(cloud: LocalCloud, *arguments: str) -> list[str]:
    command, *rest = arguments
    return ["local", "drp-agent", command, "--url", cloud.base_url, *rest]


PERSON = ("--email", "grace@example.org", "--name", "Grace Hopper")


def test_exercise_status_callbacks_and_revoke_from_the_command_line(
    cloud: LocalCloud, desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(_agent(cloud, "exercise", "--exercise", "deletion", *PERSON, "--agent-request-id", "cli-1")) == 0
    )
    answered = json.loads(capsys.readouterr().out)
    request_id = answered["request_id"]
    assert (answered["status"], answered["agent_request_id"]) == ("open", "cli-1")
    assert desk.store.get(request_id).protocol_agent is not None

    assert main(_agent(cloud, "status", request_id)) == 0
    assert json.loads(capsys.readouterr().out)["request_id"] == request_id

    wait_until("the first callbacks", lambda: len(cloud.drp_agent.callbacks(request_id)) >= 2, 60.0)
    assert main(_agent(cloud, "callbacks", request_id)) == 0
    listed = capsys.readouterr().out.splitlines()
    assert "answered 200  open" in listed[0] and "in_progress/need_user_verification" in listed[1]

    assert main(_agent(cloud, "revoke", request_id, "--reason", "I changed my mind")) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "revoked"
    wait_until(
        "the revoked callback",
        lambda: cloud.drp_agent.callbacks(request_id)[-1]["status"]["status"] == "revoked",
        60.0,
    )
    assert main(_agent(cloud, "callbacks", request_id, "--json")) == 0
    assert json.loads(capsys.readouterr().out)[-1]["status"]["status"] == "revoked"


@pytest.mark.parametrize(
    ("knob", "refusal"),
    [
        ("--tamper", "403 the signature does not verify"),
        ("--expired", "400 the message has expired"),
        ("--replay", "the replayed body: 409"),
    ],
)
def test_bodies_the_desk_must_refuse_are_refused_with_its_reason(
    cloud: LocalCloud, knob: str, refusal: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_agent(cloud, "exercise", "--exercise", "sale:opt-out", *PERSON, knob)) == 1
    printed = capsys.readouterr()
    assert refusal in printed.err
    assert len(printed.err.strip().splitlines()) == 1
    if knob == "--replay":  # the first sending was accepted and printed
        assert json.loads(printed.out)["status"] == "open"
    else:
        assert printed.out == ""


def test_the_address_claim_gives_the_jurisdiction_without_a_regime(
    cloud: LocalCloud, desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_agent(cloud, "exercise", "--exercise", "deletion", *PERSON, "--country", "GB")) == 0
    request_id = json.loads(capsys.readouterr().out)["request_id"]
    assert desk.store.get(request_id).jurisdiction == "UK"


def test_a_desk_that_is_not_running_is_said_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["local", "drp-agent", "status", "x", "--url", "http://127.0.0.1:9"]) == 1
    assert "is it running?" in capsys.readouterr().err
