"""The Data Rights Protocol's routes as the domain answers them (dsr.agents.protocol), over the
desk's real stores in moto: key set-up, the bearer token, an exercise, its status, revocation,
replay, the agent's own request id, suspension, the rate limit and the status callback's host."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dsr.agents import protocol
from dsr.agents.directory import AgentStatus, known_agents, register_agent, set_status
from dsr.agents.protocol import DrpSettings, ProtocolError
from dsr.core.models import Status
from dsr.storage.rate_limits import CALLS_PER_AGENT
from tests.unit.drp_signing import AGENT_ID, BUSINESS_ID, agent_key, envelope, signed, verify_key_of
from tests.unit.rules.conftest import DeskInMemory

KEY = agent_key()
SETTINGS = DrpSettings(DRP_BUSINESS_ID=BUSINESS_ID)
ENTRY = {
    "id": AGENT_ID,
    "name": "Test Agent",
    "verify_key": verify_key_of(KEY),
    "web_url": "https://agent.example",
    "technical_contact": "drp@agent.example",
}


def _token(desk: DeskInMemory) -> str:
    register_agent(desk, ENTRY)
    answer = protocol.set_up_key(desk, SETTINGS, AGENT_ID, signed(KEY, envelope(desk.now())))
    assert answer["agent-id"] == AGENT_ID
    return f"Bearer {answer['token']}"


def _exercise(desk: DeskInMemory, bearer: str, **claims: object) -> dict[str, object]:
    chosen = {"exercise": "deletion", "regime": "ccpa", "email": "ada@example.net", **claims}
    body = envelope(desk.now(), **{name: value for name, value in chosen.items() if value is not None})
    return protocol.exercise(desk, SETTINGS, bearer, signed(KEY, body))


def _refused(call: object, *arguments: object, **claims: object) -> ProtocolError:
    with pytest.raises(ProtocolError) as refused:
        call(*arguments, **claims)  # type: ignore[operator]
    return refused.value


def test_key_set_up_gives_a_token_that_identifies_the_agent(desk: DeskInMemory) -> None:
    bearer = _token(desk)

    assert protocol.agent_information(desk, bearer, AGENT_ID) == {}
    assert _refused(protocol.agent_information, desk, bearer, "OTHER_AGENT").status == 403
    assert _refused(protocol.agent_information, desk, "Bearer " + "A" * 43, AGENT_ID).status == 403
    assert _refused(protocol.agent_information, desk, None, AGENT_ID).status == 401  # no token at all


def test_a_new_key_set_up_replaces_the_agents_token(desk: DeskInMemory) -> None:
    first = _token(desk)
    desk.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    second = _token(desk)

    assert protocol.agent_information(desk, second, AGENT_ID) == {}
    assert _refused(protocol.agent_information, desk, first, AGENT_ID).status == 403


def test_a_failed_key_set_up_is_403_with_no_body(desk: DeskInMemory) -> None:
    register_agent(desk, ENTRY)
    wrong_key = signed(agent_key(9), envelope(desk.now()))

    refused = _refused(protocol.set_up_key, desk, SETTINGS, AGENT_ID, wrong_key)

    assert (refused.status, refused.body) == (403, False)
    assert _refused(protocol.set_up_key, desk, SETTINGS, "UNKNOWN", wrong_key).body is False


def test_a_replayed_key_set_up_is_refused(desk: DeskInMemory) -> None:
    register_agent(desk, ENTRY)
    body = signed(KEY, envelope(desk.now()))
    protocol.set_up_key(desk, SETTINGS, AGENT_ID, body)

    assert _refused(protocol.set_up_key, desk, SETTINGS, AGENT_ID, body).status == 403


def test_a_suspended_agent_is_refused_its_token_and_key_set_up(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    assert set_status(desk, AGENT_ID, AgentStatus.SUSPENDED)

    assert _refused(protocol.agent_information, desk, bearer, AGENT_ID).status == 403
    assert _refused(_exercise, desk, bearer).status == 403
    fresh = signed(
        KEY, envelope(desk.now(), **{"expires-at": (desk.now() + timedelta(minutes=2)).isoformat()})
    )
    assert _refused(protocol.set_up_key, desk, SETTINGS, AGENT_ID, fresh).body is False
    assert [agent.status for agent in known_agents(desk)] == [AgentStatus.SUSPENDED]


def test_an_exercise_becomes_a_request_the_agent_can_follow_and_no_other_can(desk: DeskInMemory) -> None:
    bearer = _token(desk)

    told = _exercise(desk, bearer, **{"agent-request-id": "theirs-1"})

    assert told["status"] == "open"
    assert told["agent_request_id"] == "theirs-1"
    request = desk.store.get(str(told["request_id"]))
    assert request.jurisdiction == "US-CA"
    assert request.protocol_agent is not None and request.protocol_agent.exercise == "deletion"
    assert protocol.status(desk, bearer, request.request_id)["request_id"] == request.request_id
    register_agent(desk, {**ENTRY, "id": "OTHER_AGENT", "verify_key": verify_key_of(agent_key(5))})
    assert _refused(protocol.status, desk, "Bearer " + "B" * 43, request.request_id).status == 403


def test_the_same_agent_request_id_twice_finds_the_first_request(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    first = _exercise(desk, bearer, **{"agent-request-id": "theirs-2"})
    desk.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]

    again = _exercise(desk, bearer, **{"agent-request-id": "theirs-2"})

    assert again["request_id"] == first["request_id"]
    assert len(desk.store.requests_received_in(desk.now().strftime("%Y-%m"))) == 1


def test_a_replayed_exercise_is_refused_as_fatal(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    body = signed(KEY, envelope(desk.now(), exercise="deletion", email="ada@example.net"))
    protocol.exercise(desk, SETTINGS, bearer, body)

    refused = _refused(protocol.exercise, desk, SETTINGS, bearer, body)

    assert (refused.status, refused.answer()["fatal"]) == (409, True)


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({"exercise": "sale:opt-in"}, "unsupported"),
        ({"status_callback": "http://agent.example/status"}, "status_callback"),
        ({"status_callback": "https://elsewhere.example/status"}, "status_callback"),
        ({"phone_number": "020 7123 4567"}, "phone_number"),
        ({"email": None}, "email"),
    ],
)
def test_an_exercise_the_desk_cannot_take_is_400_naming_the_field(
    desk: DeskInMemory, claims: dict[str, object], named: str
) -> None:
    bearer = _token(desk)

    refused = _refused(_exercise, desk, bearer, **claims)

    assert refused.status == 400
    assert named in refused.message
    assert desk.store.requests_received_in(desk.now().strftime("%Y-%m")) == []


def test_a_callback_on_the_agents_own_host_is_kept(desk: DeskInMemory) -> None:
    told = _exercise(desk, _token(desk), status_callback="https://agent.example/drp/status")

    link = desk.store.get(str(told["request_id"])).protocol_agent
    assert link is not None and link.status_callback == "https://agent.example/drp/status"


def test_revoking_an_open_request_cancels_it(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    request_id = str(_exercise(desk, bearer)["request_id"])

    told = protocol.revoke(desk, SETTINGS, bearer, request_id, signed(KEY, {"reason": "changed my mind"}))

    assert told["status"] == "revoked"
    assert desk.store.get(request_id).status is Status.CANCELLED


def test_a_request_already_carried_out_cannot_be_revoked_and_the_answer_says_so(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    request_id = str(_exercise(desk, bearer)["request_id"])
    desk.store.transition(request_id, [Status.RECEIVED], Status.IN_PROGRESS, {})

    refused = _refused(protocol.revoke, desk, SETTINGS, bearer, request_id, signed(KEY, {"reason": "stop"}))

    assert refused.status == 409
    assert "already been carried out" in refused.message


def test_an_agent_over_its_rate_is_told_429_with_when_to_come_back(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    request_id = str(_exercise(desk, bearer)["request_id"])

    with pytest.raises(ProtocolError) as refused:
        for _ in range(CALLS_PER_AGENT.limit + 1):
            protocol.status(desk, bearer, request_id)

    assert (refused.value.status, refused.value.fatal) == (429, False)
    assert refused.value.retry_after is not None and 0 < refused.value.retry_after <= 60


def test_a_callback_to_this_machine_is_allowed_only_where_the_local_cloud_says_so(desk: DeskInMemory) -> None:
    bearer = _token(desk)
    local = {"status_callback": "http://127.0.0.1:3999/status"}

    assert _refused(_exercise, desk, bearer, **local).status == 400
    told = protocol.exercise(
        desk,
        DrpSettings(DRP_BUSINESS_ID=BUSINESS_ID, DRP_LOCAL_CALLBACKS="true"),
        bearer,
        signed(KEY, envelope(desk.now(), exercise="deletion", email="ada@example.net", **local)),
    )
    assert told["status"] == "open"
