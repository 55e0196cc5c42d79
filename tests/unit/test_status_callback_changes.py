"""Which changes of a request its authorized agent is told of (Data Rights Protocol 2.03, 3.08):
a change of what the agent would read, and nothing else; and how a callback is posted (no
redirect followed elsewhere, the answer's code kept, the body discarded)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr.agents.exercise_status import DrpState, ExerciseStatus
from dsr.agents.status_callbacks import agent_sees_a_change, post_status
from dsr.core.identities import SubjectIdentity
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.protocol_agents import ProtocolAgentLink

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
BASE = "https://privacy.example"
REQUEST_ID = str(uuid.uuid4())


def _request(
    status: Status,
    *,
    channel: Channel = Channel.DRP,
    callback: str | None = "https://agent.example/cb",
    **fields: Any,
) -> PrivacyRequest:
    fields.setdefault("respond_by", NOW + timedelta(days=42))
    return PrivacyRequest(
        request_id=REQUEST_ID,
        request_types=[RequestType.ERASURE],
        subject=SubjectIdentity(email="ada@example.com"),
        relationship=Relationship.OTHER,
        jurisdiction="US-CA",
        channel=channel,
        status=status,
        received_at=NOW - timedelta(days=3),
        protocol_agent=ProtocolAgentLink(
            agent_id="DEMO_AGENT", agent_request_id="theirs-1", status_callback=callback, exercise="deletion"
        ),
        **fields,
    )


def _changed(old: PrivacyRequest | None, new: PrivacyRequest) -> bool:
    return agent_sees_a_change(old, new, public_base_url=BASE, now=NOW)


def test_a_new_request_is_sent_its_first_status() -> None:
    assert _changed(None, _request(Status.RECEIVED))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.RECEIVED, Status.VERIFYING),
        (Status.VERIFYING, Status.AWAITING_APPROVAL),  # need_user_verification is over
        (Status.IN_PROGRESS, Status.COMPLETED),
        (Status.AWAITING_APPROVAL, Status.CANCELLED),
        (Status.AWAITING_APPROVAL, Status.DENIED),
    ],
)
def test_a_change_of_state_or_reason_is_sent(before: Status, after: Status) -> None:
    assert _changed(_request(before), _request(after))


def test_moving_between_desk_statuses_the_agent_cannot_tell_apart_sends_nothing() -> None:
    assert not _changed(_request(Status.AWAITING_APPROVAL), _request(Status.IN_PROGRESS))


def test_an_extension_is_sent() -> None:
    before = _request(Status.IN_PROGRESS)
    after = _request(
        Status.IN_PROGRESS,
        respond_by=NOW + timedelta(days=87),
        extended_at=NOW,
        extension_reason="The account spans three archived systems.",
    )
    assert _changed(before, after)


@settings(max_examples=25, deadline=None)
@given(
    status=st.sampled_from(list(Status)),
    marker=st.sampled_from(["acknowledged_at", "workflow_started_at", "closing_notice_sent_at"]),
)
def test_a_write_the_agent_does_not_see_sends_nothing(status: Status, marker: str) -> None:
    assert not _changed(_request(status), _request(status, **{marker: NOW}))


def test_nothing_is_sent_for_a_request_of_another_channel_or_without_a_callback() -> None:
    assert not _changed(None, _request(Status.RECEIVED, channel=Channel.WEB))
    assert not _changed(None, _request(Status.RECEIVED, callback=None))


class _Agent(BaseHTTPRequestHandler):
    answers: list[tuple[int, dict[str, str]]] = []
    received: list[bytes] = []

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        status, headers = self.answers.pop(0)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "14")
        self.end_headers()
        self.wfile.write(b"not json at all"[:14])


@pytest.fixture
def agent() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Agent)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    _Agent.received.clear()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


STATUS = ExerciseStatus(request_id=REQUEST_ID, status=DrpState.OPEN, agent_request_id="theirs-1")


def test_the_status_object_is_posted_and_the_answer_code_kept(agent: str) -> None:
    _Agent.answers = [(200, {})]
    assert post_status(f"{agent}/cb", STATUS) == 200
    assert b'"status": "open"' in _Agent.received[0]


def test_a_redirect_is_not_followed(agent: str) -> None:
    _Agent.answers = [(307, {"Location": "https://elsewhere.example/steal"}), (200, {})]
    assert post_status(f"{agent}/cb", STATUS) == 307
    assert len(_Agent.received) == 1


def test_an_endpoint_that_does_not_answer_gives_no_code() -> None:
    assert post_status("http://127.0.0.1:9/cb", STATUS, timeout=0.5) is None
    assert post_status("ftp://agent.example/cb", STATUS) is None


def test_the_record_keeping_date_set_after_closing_sends_nothing() -> None:
    closed = _request(Status.CANCELLED)
    assert not _changed(closed, _request(Status.CANCELLED, records_kept_until=NOW + timedelta(days=730)))
