"""Floods in the queue: which open requests staff see grouped as one campaign, and which not."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from dsr.core.identities import SubjectIdentity
from dsr.core.models import AgentRecord, Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.protocol_agents import ProtocolAgentLink
from dsr.staff.floods import flood_groups

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _request(hours_in: float, **fields: Any) -> PrivacyRequest:
    received = START + timedelta(hours=hours_in)
    return PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email=fields.pop("email", f"{uuid.uuid4().hex[:8]}@example.com")),
        relationship=Relationship.CUSTOMER_CONTACT,
        jurisdiction="EU",
        channel=Channel.WEB,
        status=Status.VERIFYING,
        received_at=received,
        respond_by=received + timedelta(days=30),
        **fields,
    )


def test_requests_for_one_subject_a_few_hours_apart_are_one_group_and_a_week_later_another() -> None:
    first_wave = [_request(hours, subject_hash="h-1") for hours in (0, 5, 20, 30)]
    week_later = [_request(24 * 7 + hours, subject_hash="h-1") for hours in (0, 1, 2)]
    others = [_request(1, subject_hash="h-2"), _request(2, subject_hash="h-2")]  # two are not a flood

    groups = flood_groups([*week_later, *others, *first_wave])

    assert [(g.kind.value, g.count) for g in groups] == [("subject", 4), ("subject", 3)]
    assert groups[0].request_ids == [r.request_id for r in first_wave]
    assert groups[0].first_received_at == START.isoformat()
    assert groups[0].last_received_at == (START + timedelta(hours=30)).isoformat()


def test_the_same_words_with_other_numbers_and_spacing_are_one_campaign_and_name_nobody() -> None:
    words = "Delete ALL my data now, under article {n}!!   I demand a reply."
    alike = [_request(n, details=words.format(n=n)) for n in (1, 2, 3)]
    short = [_request(n, details="Delete my data.") for n in (1, 2, 3)]  # too common to mean a campaign

    groups = flood_groups([*alike, *short])

    assert [(g.kind.value, g.request_ids) for g in groups] == [("words", [r.request_id for r in alike])]
    assert "Delete" not in groups[0].model_dump_json()


def test_an_authorized_agent_sending_many_is_grouped_but_a_protocol_agent_is_not() -> None:
    agent = AgentRecord(name="A. Gent", email="Agent@Example.com", permission_document_key="evidence/x")
    by_email = [
        _request(n, agent=agent.model_copy(update={"email": email}))
        for n, email in ((1, "agent@example.com"), (2, " AGENT@example.com"), (3, "agent@example.com"))
    ]
    link = ProtocolAgentLink(agent_id="DEMO_PRIVACY_AGENT", exercise="deletion")
    by_protocol = [_request(n, protocol_agent=link) for n in (1, 2, 3, 4)]

    groups = flood_groups([*by_email, *by_protocol])

    assert [(g.kind.value, g.count) for g in groups] == [("agent", 3)]
    assert "agent@example.com" not in groups[0].model_dump_json().lower()
