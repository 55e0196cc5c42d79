"""What staff are shown of a request: the subject's days, the queue's order, labels, and text
someone else wrote made harmless."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from dsr.core.display_text import visible_text
from dsr.core.identities import SubjectIdentity
from dsr.core.models import AuditEvent, Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.policies.request_deadlines import end_of_local_day, local_day
from dsr.staff.queue_views import IDENTITY_RELEASED, STATUS_LABELS, open_queue, queue_entry
from dsr.staff.request_views import request_detail
from dsr_cli.staff import _readable

CONSOLE = Path(__file__).parents[2] / "functions" / "staff_console" / "static" / "console.js"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _request(
    jurisdiction: str, respond_on: date, target_on: date | None = None, **fields: object
) -> PrivacyRequest:
    respond_by = end_of_local_day(respond_on, jurisdiction)
    target_by = end_of_local_day(target_on, jurisdiction)
    assert respond_by is not None
    return PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=fields.pop("request_types", [RequestType.ERASURE]),
        subject=SubjectIdentity(email="ada@example.com"),
        relationship=Relationship.CUSTOMER_CONTACT,
        jurisdiction=jurisdiction,
        channel=Channel.WEB,
        status=fields.pop("status", Status.AWAITING_APPROVAL),
        received_at=NOW,
        respond_by=respond_by,
        target_by=target_by,
        watch_at=min(respond_by, target_by) if target_by else respond_by,
        **fields,
    )


def test_staff_see_the_californian_day_the_subject_is_told_not_the_utc_day() -> None:
    request = _request("US-CA", date(2027, 1, 19))
    assert request.respond_by.date() == date(2027, 1, 20)  # 08:00 UTC the next day

    entry = queue_entry(request, NOW)

    assert entry.respond_on == local_day("US-CA", request.respond_by).isoformat() == "2027-01-19"
    assert (entry.due_on, entry.due_for, entry.time_zone) == ("2027-01-19", "law", "America/Los_Angeles")
    assert entry.legal_days_left == (date(2027, 1, 19) - date(2026, 12, 6)).days


def test_the_queue_is_ordered_by_the_day_it_shows_first() -> None:
    targeted = _request("EU", date(2027, 1, 6), target_on=date(2026, 12, 20))
    californian = _request("US-CA", date(2027, 1, 5))
    later = _request("EU", date(2027, 1, 6))

    queue = open_queue([later, californian, targeted], NOW)

    assert [entry.request_id for entry in queue] == [
        targeted.request_id,
        californian.request_id,
        later.request_id,
    ]
    assert [(entry.due_on, entry.due_for) for entry in queue] == [
        ("2026-12-20", "target"),
        ("2027-01-05", "law"),
        ("2027-01-06", "law"),
    ]


def test_an_erased_identity_is_said_to_be_erased_not_masked() -> None:
    request = _request("US-CA", date(2027, 1, 19), identity_reduced_at=NOW).model_copy(
        update={
            "status": Status.COMPLETED,
            "subject": SubjectIdentity(email="0f3c9a@identity-reduced.example"),
        }
    )

    entry = queue_entry(request, NOW)

    assert entry.identity_released
    assert entry.subject == IDENTITY_RELEASED
    assert "***" not in entry.subject


def test_every_status_has_a_label_and_a_note_for_staff() -> None:
    script = CONSOLE.read_text()
    for table in ("STATUS_LABELS", "STATUS_NOTES"):
        body = re.search(table + r" = \{(.*?)\n\};", script, re.DOTALL)
        assert body, table
        assert set(re.findall(r"^\s+([A-Z_]+):", body.group(1), re.MULTILINE)) == {s.value for s in Status}
    assert set(STATUS_LABELS) == set(Status)


def test_control_characters_are_shown_as_marks() -> None:
    assert visible_text("Eve \u202egpj.exe\x00\x1b[2J\nnext\tline") == (
        "Eve \u27e8U+202E\u27e9gpj.exe\u2400\u241b[2J\nnext\tline"
    )


def test_the_command_line_shows_what_subjects_wrote_without_obeying_it() -> None:
    shown = {
        "request_id": "4f1c2d3e-0000-4000-8000-000000000000",
        "status": "AWAITING_APPROVAL",
        "request_types": ["erasure"],
        "jurisdiction": "US-CA",
        "channel": "web",
        "subject": "\u202e***@e***.com",
        "legal_days_left": 3,
        "deadlines": {
            "respond_on": "2027-01-19",
            "target_on": None,
            "policy": "US-CA",
            "policy_version": "1",
        },
        "systems": [],
        "timeline": [
            {"at": "2026-12-06T12:00:00+00:00", "actor": "subject", "action": "note", "outcome": "a\x1b[2Jb"}
        ],
    }

    printed = _readable("show", shown)

    assert "\u202e" not in printed and "\x1b" not in printed
    assert "\u27e8U+202E\u27e9***@e***.com" in printed and "a\u241b[2Jb" in printed
    assert "respond by 2027-01-19 (US-CA time, 3d left)" in printed


def test_days_left_count_days_where_the_law_counts_them() -> None:
    # 07:00 UTC on 7 December is still 6 December in California.
    request = _request("US-CA", date(2026, 12, 8))
    assert queue_entry(request, NOW + timedelta(hours=19)).days_left == 2


class _Trail:
    """A store holding only a request's trail, and no system outcomes."""

    def __init__(self, *events: AuditEvent) -> None:
        self._events = list(events)

    def events(self, request_id: str) -> list[AuditEvent]:
        return self._events

    def system_outcomes(self, request_id: str) -> list[object]:
        return []


def _attempt(request: PrivacyRequest, outcome: str) -> AuditEvent:
    return AuditEvent(
        request_id=request.request_id, at=NOW, actor="subject", action="verification attempt", outcome=outcome
    )


def test_staff_read_each_type_in_the_words_the_subject_chose_it_by() -> None:
    request = _request(
        "US-OR",
        date(2027, 1, 20),
        request_types=[RequestType.THIRD_PARTY_LIST, RequestType.MARKETING_OPT_OUT],
    )

    entry = queue_entry(request, NOW)

    assert entry.request_type_labels == [
        "Tell me which companies you gave my personal data to",
        "Stop sending me marketing",
    ]


def test_the_verification_level_says_what_it_asks_and_whether_the_subject_gave_it() -> None:
    request = _request("US-OR", date(2027, 1, 20), status=Status.VERIFYING, verification_level="matched")

    waiting = request_detail(_Trail(_attempt(request, "rejected")), request, NOW)  # type: ignore[arg-type]
    verified = request_detail(_Trail(_attempt(request, "verified")), request, NOW)  # type: ignore[arg-type]

    assert waiting.verification_label == "matched (code and details we hold)"
    assert (waiting.verified, verified.verified) == (False, True)


def test_a_closed_request_says_when_it_closed_against_the_legal_day_and_that_no_system_was_needed() -> None:
    # Closed at 01:00 UTC on 18 January: still the 17th in Oregon, three days before the 20th.
    closed_at = datetime(2027, 1, 18, 1, 0, tzinfo=UTC)
    request = _request(
        "US-OR",
        date(2027, 1, 20),
        status=Status.COMPLETED,
        closed_at=closed_at,
        request_types=[RequestType.THIRD_PARTY_LIST],
    )

    detail = request_detail(_Trail(), request, NOW)  # type: ignore[arg-type]

    assert (detail.closed_on, detail.closed_days_before_legal) == ("2027-01-17", 3)
    assert detail.answered_without_systems
    assert not request_detail(_Trail(), _request("US-OR", date(2027, 1, 20)), NOW).answered_without_systems  # type: ignore[arg-type]


def test_the_request_page_shows_no_countdown_once_closed_and_the_local_day_received_first() -> None:
    script = CONSOLE.read_text()

    assert "open ? daysLeftText(request.legal_days_left) : closedText(request)" in script
    assert '[S_("Received"), t("{day} ({place}), at {moment}", { day: request.received_on, place,' in script


def test_staff_see_the_language_the_subject_is_answered_in_named_in_itself() -> None:
    quebec = request_detail(_Trail(), _request("CA-QC", date(2027, 1, 20), language="fr_CA"), NOW)  # type: ignore[arg-type]
    older = request_detail(_Trail(), _request("UK", date(2027, 1, 20)), NOW)  # type: ignore[arg-type]

    assert (quebec.language, quebec.language_name) == ("fr_CA", "Français (Canada)")
    assert (older.language, older.language_name) == (None, "Not recorded")
    assert '[S_("Language"), request.language_name]' in CONSOLE.read_text(encoding="utf-8")
