"""A request an authorized agent sent over the Data Rights Protocol: the desk keeps the agent's
link with the request, staff see who sent it, and the agent is told its status in DRP's words."""

from __future__ import annotations

from dsr.agents.exercise_status import current_exercise_status
from dsr.core.models import Channel, NewRequest
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.intake.submission import submit
from dsr.staff.request_views import request_detail
from dsr.verification import identity_checks as verification
from tests.unit.rules.conftest import PUBLIC_BASE_URL, DeskInMemory
from tests.unit.rules.fakes import RecordedWorkflow

LINK = ProtocolAgentLink(
    agent_id="CR_PERMISSION_SLIP",
    agent_name="Permission Slip",
    agent_request_id="ps-1234",
    status_callback="https://agent.example/status",
    exercise="deletion",
    regime="ccpa",
    relationships=["customer"],
)


def _deletion() -> NewRequest:
    return NewRequest.model_validate(
        {"request_types": ["erasure"], "subject": {"email": "ada@example.net"}, "jurisdiction": "US-CA"}
    )


def test_the_agents_link_is_stored_with_the_request_and_read_back(desk: DeskInMemory) -> None:
    receipt = submit(desk, _deletion(), Channel.DRP, protocol_agent=LINK)

    stored = desk.store.get(receipt.request_id)
    assert (stored.channel, stored.protocol_agent) == (Channel.DRP, LINK)
    senders = {event.actor for event in desk.store.events(receipt.request_id)}
    assert "agent CR_PERMISSION_SLIP via drp" in senders


def test_staff_see_which_agent_sent_the_request(desk: DeskInMemory) -> None:
    receipt = submit(desk, _deletion(), Channel.DRP, protocol_agent=LINK)

    detail = request_detail(desk.store, desk.store.get(receipt.request_id), desk.now())

    assert detail.protocol_agent is not None
    assert "Permission Slip (CR_PERMISSION_SLIP)" in detail.protocol_agent
    assert "ps-1234" in detail.protocol_agent


def test_the_agent_is_told_a_request_waiting_for_proof_needs_the_person(
    desk: DeskInMemory, workflow: RecordedWorkflow
) -> None:
    receipt = submit(desk, _deletion(), Channel.DRP, protocol_agent=LINK)
    verification.begin(desk, receipt.request_id, workflow.hand_out_token())  # no claim verified

    told = current_exercise_status(desk, desk.store.get(receipt.request_id)).as_drp()

    assert (told["status"], told["reason"]) == ("in_progress", "need_user_verification")
    assert told["user_verification_url"] == desk.status_url(receipt.request_id, receipt.status_token)
    assert told["user_verification_url"].startswith(f"{PUBLIC_BASE_URL}/status/")
    assert told["agent_request_id"] == "ps-1234"
    window = desk.store.get_task(receipt.request_id, "verification")
    assert window is not None
    assert told["expires_at"] == str(window["window_ends_at"]).replace("+00:00", "Z")
