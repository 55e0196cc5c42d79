"""The Data Rights Protocol 1.0 routes over the local cloud's HTTP, as an authorized agent calls
them: every refusal through the real route is a 4xx with the spec's error body (a failed key
set-up: 403 and no body), and one request per supported right reaches its DRP status."""

from __future__ import annotations

import base64
import http.client
import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from dsr.agents.directory import register_agent
from dsr.agents.exercise_status import current_exercise_status
from dsr.wiring.desk import Desk
from dsr_cli.main import main
from local_cloud.cloud import LOCAL_PARAMETERS, LocalCloud
from local_cloud.http_api import LocalApi
from tests.support import wait_until
from tests.unit.drp_signing import AGENT_ID, agent_key, signed, verify_key_of

BUSINESS_ID = LOCAL_PARAMETERS["DrpBusinessId"]
KEY = agent_key(7)


def _call(
    cloud: LocalCloud, method: str, path: str, body: str = "", bearer: str | None = None
) -> tuple[int, Any]:
    parts = urlsplit(cloud.base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    headers = {"Content-Type": "text/plain"}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    connection.request(method, path, body=body.encode() if body else None, headers=headers)
    answer = connection.getresponse()
    raw = answer.read()
    connection.close()
    return answer.status, json.loads(raw) if raw else None


def _envelope(desk: Desk, **claims: Any) -> dict[str, Any]:
    now = desk.now()
    return {
        "agent-id": AGENT_ID,
        "business-id": BUSINESS_ID,
        "issued-at": now.isoformat(),
        "expires-at": (now + timedelta(minutes=5)).isoformat(),
        "drp.version": "1.0",
        **claims,
    }


@pytest.fixture
def token(cloud: LocalCloud, desk: Desk) -> str:
    register_agent(
        desk,
        {
            "id": AGENT_ID,
            "name": "Test Agent",
            "verify_key": verify_key_of(KEY),
            "web_url": "https://agent.example",
        },
    )
    status, answer = _call(cloud, "POST", f"/v1/agent/{AGENT_ID}", signed(KEY, _envelope(desk)))
    assert status == 200, answer
    assert answer["agent-id"] == AGENT_ID
    assert _call(cloud, "GET", f"/v1/agent/{AGENT_ID}", bearer=answer["token"]) == (200, {})
    return str(answer["token"])


def test_every_refusal_is_a_4xx_with_the_specs_error_body(cloud: LocalCloud, desk: Desk, token: str) -> None:
    person = {"exercise": "deletion", "regime": "ccpa", "email": "ada@example.net"}
    now = desk.now()
    refusals = {
        "not base64": "%%% not base64 %%%",
        "truncated": signed(KEY, _envelope(desk, **person))[:60],
        "signed by another key": signed(agent_key(8), _envelope(desk, **person)),
        "another business": signed(KEY, _envelope(desk, **person, **{"business-id": "ELSEWHERE"})),
        "another agent": signed(KEY, _envelope(desk, **person, **{"agent-id": "OTHER"})),
        "from the future": signed(
            KEY, _envelope(desk, **person, **{"issued-at": (now + timedelta(hours=1)).isoformat()})
        ),
        "expired": signed(
            KEY, _envelope(desk, **person, **{"expires-at": (now - timedelta(seconds=1)).isoformat()})
        ),
        "valid too long": signed(
            KEY, _envelope(desk, **person, **{"expires-at": (now + timedelta(hours=1)).isoformat()})
        ),
        "oversized": "A" * 70_000,
        "not JSON": base64.b64encode(KEY.sign(b"not json").__bytes__()).decode(),
        "not an object": signed(KEY, ["deletion"]),
        "no exercise": signed(KEY, _envelope(desk, email="ada@example.net")),
        "no email": signed(KEY, _envelope(desk, exercise="deletion")),
        "an opt-in": signed(KEY, _envelope(desk, **{**person, "exercise": "sale:opt-in"})),
        "a callback elsewhere": signed(
            KEY, _envelope(desk, **person, status_callback="https://evil.example/x")
        ),
    }
    for name, body in refusals.items():
        status, answer = _call(cloud, "POST", "/v1/data-rights-request", body, bearer=token)
        assert 400 <= status < 500, (name, status, answer)
        assert set(answer) == {"code", "message", "fatal"} and answer["code"] == str(status), name
    no_token = _call(cloud, "POST", "/v1/data-rights-request", signed(KEY, _envelope(desk, **person)))
    assert (no_token[0], no_token[1]["code"]) == (401, "401")
    unknown_token = signed(KEY, _envelope(desk, **person))
    assert _call(cloud, "POST", "/v1/data-rights-request", unknown_token, bearer="A" * 43)[0] == 403
    accepted = signed(KEY, _envelope(desk, **person))
    with_trailing_slash = _call(cloud, "POST", "/v1/data-rights-request/", accepted, bearer=token)
    assert with_trailing_slash[0] == 200
    replayed = _call(cloud, "POST", "/v1/data-rights-request", accepted, bearer=token)
    assert (replayed[0], replayed[1]["fatal"]) == (409, True)
    # A failed key set-up: 403 and no body at all.
    assert _call(cloud, "POST", f"/v1/agent/{AGENT_ID}", signed(agent_key(8), _envelope(desk))) == (403, None)
    assert _call(cloud, "POST", "/v1/agent/NOBODY", signed(KEY, _envelope(desk))) == (403, None)
    assert _call(cloud, "GET", "/v1/agent/OTHER", bearer=token)[0] == 403


@pytest.mark.parametrize(
    "exercise", ["sale:opt-out", "deletion", "access", "access:categories", "access:specific"]
)
def test_each_supported_right_becomes_a_request_the_agent_follows_to_its_drp_status(
    cloud: LocalCloud, desk: Desk, token: str, exercise: str
) -> None:
    body = {"exercise": exercise, "regime": "ccpa", "email": "ada@example.net", "email_verified": True}
    status, told = _call(
        cloud, "POST", "/v1/data-rights-request", signed(KEY, _envelope(desk, **body)), bearer=token
    )
    assert status == 200, told
    request_id = told["request_id"]
    assert told["status"] in ("open", "in_progress")
    wait_until(
        "the workflow to take the request up", lambda: desk.store.get(request_id).status.value != "RECEIVED"
    )

    status, followed = _call(cloud, "GET", f"/v1/data-rights-request/{request_id}", bearer=token)

    assert status == 200
    assert followed == current_exercise_status(desk, desk.store.get(request_id)).as_drp()
    assert followed["status"] == "in_progress"
    assert followed["expected_by"]
    if desk.store.get(request_id).status.value == "VERIFYING":
        assert followed["reason"] == "need_user_verification"
        assert followed["user_verification_url"].startswith(f"{cloud.base_url}/status/{request_id}?token=")
    revoked = _call(
        cloud,
        "DELETE",
        f"/v1/data-rights-request/{request_id}",
        signed(KEY, {"reason": "no longer"}),
        bearer=token,
    )
    assert revoked[0] in (200, 409), revoked
    if revoked[0] == 200:
        assert revoked[1]["status"] == "revoked"
    else:
        assert "cannot be revoked" in revoked[1]["message"]


def test_admins_add_suspend_and_resume_agents_from_the_command_line(
    local_api: LocalApi, cloud: LocalCloud, desk: Desk, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = {
        "id": "CLI_AGENT",
        "name": "Agent From The Directory",
        "verify_key": verify_key_of(KEY),
        "web_url": "https://cli-agent.example",
        "identity_assurance_url": "https://cli-agent.example/assurance",
        "technical_contact": "tech@cli-agent.example",
        "business_contact": "privacy@cli-agent.example",
    }
    (tmp_path / "agents.json").write_text(json.dumps([entry]))
    staff = ["staff", "--url", cloud.base_url, "--as"]
    setup = signed(KEY, {**_envelope(desk), "agent-id": "CLI_AGENT"})

    assert main([*staff, "analyst@desk.example", "agents", "list"]) == 1  # admins only
    assert "403" in capsys.readouterr().err
    assert main([*staff, "admin@desk.example", "agents", "add", str(tmp_path / "agents.json")]) == 0
    assert "CLI_AGENT" in capsys.readouterr().out
    assert main([*staff, "admin@desk.example", "agents", "suspend", "CLI_AGENT"]) == 0
    assert "suspended" in capsys.readouterr().out
    assert _call(cloud, "POST", "/v1/agent/CLI_AGENT", setup) == (403, None)

    assert main([*staff, "admin@desk.example", "--json", "agents", "resume", "CLI_AGENT"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "active"
    assert _call(cloud, "POST", "/v1/agent/CLI_AGENT", setup)[0] == 200
    assert main([*staff, "admin@desk.example", "agents", "suspend", "NO_SUCH_AGENT"]) == 1
    assert "404" in capsys.readouterr().err
