"""``dsr local drp-agent``: the local cloud's demonstration agent from a terminal. It sends a
signed request and prints the status the desk answered, asks for a request's status, revokes it,
lists the callbacks it received; bodies the desk must refuse (a tampered signature, an expired
body, a replay) are refused, each with the desk's reason, and a desk that is not running is said
so in one line."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
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


GRACES_CLAIMS = (
    *("--regime", "ccpa", "--email-verified", "--phone", "+12025550143"),
    *("--street", "1 Market Street", "--locality", "San Francisco", "--region", "CA"),
    *("--postal-code", "94105", "--country", "US"),
)


@pytest.mark.parametrize(
    ("claims", "status", "verified_by_agent"),
    [
        # The verified email and two details that match the records: verified by the agent.
        (GRACES_CLAIMS, "AWAITING_APPROVAL", True),
        # The verified email alone falls short of a deletion's two details: the person is asked.
        (("--regime", "ccpa", "--email-verified"), "VERIFYING", False),
    ],
)
def test_an_agents_verified_claims_count_toward_the_proof_a_deletion_needs(
    cloud: LocalCloud,
    desk: Desk,
    claims: tuple[str, ...],
    status: str,
    verified_by_agent: bool,
    approver: DeskClient,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(_agent(cloud, "exercise", "--exercise", "deletion", *PERSON, *claims)) == 0
    request_id = json.loads(capsys.readouterr().out)["request_id"]

    # Verification has started and decided: either the agent's claims sufficed, or the person is asked.
    decided = (
        ("agent DEMO_PRIVACY_AGENT", "verification attempt")
        if verified_by_agent
        else ("workflow", "verification requested")
    )

    def trail() -> set[tuple[str, str]]:
        return {(event.actor, event.action) for event in desk.store.events(request_id)}

    wait_until("verification to decide", lambda: decided in trail(), 60.0)
    wait_until(f"the request {status}", lambda: desk.store.get(request_id).status.value == status, 60.0)
    assert (("agent DEMO_PRIVACY_AGENT", "verification attempt") in trail()) is verified_by_agent
    told = "in_progress" if verified_by_agent else "in_progress/need_user_verification"

    def last_told() -> str:
        received = [callback["status"] for callback in cloud.drp_agent.callbacks(request_id)]
        return (
            "/".join(filter(None, (received[-1]["status"], received[-1].get("reason")))) if received else ""
        )

    wait_until(f"the agent told {told}", lambda: last_told() == told, 60.0)
    assert desk.store.get(request_id).status.value == status  # and it stays there: nothing failed
    seen = approver.get(f"/staff/requests/{request_id}").body
    assert seen["verified_by_agent"] == ("DEMO_PRIVACY_AGENT" if verified_by_agent else None)


def test_the_verification_link_opens_for_its_own_request_only(
    cloud: LocalCloud, desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_agent(cloud, "exercise", "--exercise", "deletion", *PERSON)) == 0
    request_id = json.loads(capsys.readouterr().out)["request_id"]
    wait_until(
        "the person to be needed", lambda: desk.store.get(request_id).status.value == "VERIFYING", 60.0
    )
    assert main(_agent(cloud, "status", request_id)) == 0
    link = json.loads(capsys.readouterr().out)["user_verification_url"]
    # The agent adds where to come back to and the request's id (Data Rights Protocol 3.02.1).
    back = urllib.parse.quote("https://agent.example/done", safe="")

    def opened(request_named: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"{link}&redirect_to={back}&request_id={request_named}") as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as refused:
            return refused.code, refused.read().decode()

    status, page = opened(request_id)
    assert status == 200 and "Verification code" in page
    status, page = opened("00000000-0000-4000-8000-000000000000")
    assert status == 400 and "This link is for another request" in page
