"""A request's evidence pack: what was asked, how the subject was verified, who decided, what each
system did, which notices went out and whether each deadline was met, as one JSON document.

The pack speaks of the request by its id and of its subject masked: the subject's email, name,
phone, account and address never appear, nor a value of their data (a system's outcome gives field
and table names and counts only). It reads the audit trail generically: a line another part of the
desk adds (an owner's answer, a reminder, a redaction) appears in the timeline, and a line whose
action speaks of redacting or releasing a package is listed under ``redactions`` as well.

The document is written with sorted keys and a fixed layout (``canonical_bytes``), so the same
facts give the same bytes and the SHA-256 checksum printed on the PDF verifies the JSON file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from dsr.core.models import AuditEvent, PrivacyRequest
from dsr.core.staff_catalog import staff_text
from dsr.policies.request_deadlines import local_day
from dsr.staff.evidence_masking import IdentityScrubber
from dsr.staff.request_views import VERIFICATION_LEVEL_LABELS
from dsr.storage.outcomes import StoredOutcome

PACK_FORMAT = "evidence-pack/1"
REDACTION_WORDS = ("redact", "withheld", "release")
"""Words in an audit line's action that make it part of a package's review (any part of the desk
that records redactions names its lines so)."""


def evidence_pack(
    request: PrivacyRequest,
    timeline: list[AuditEvent],
    outcomes: Iterable[StoredOutcome],
    review_task: Mapping[str, Any] | None,
    notices: Iterable[Mapping[str, Any]],
    *,
    system_names: Mapping[str, str],
    produced_at: datetime,
    produced_by: str,
) -> dict[str, Any]:
    """The evidence pack of ``request`` as it stands at ``produced_at`` (closed or not)."""
    scrub = IdentityScrubber.for_request(request)
    place = request.jurisdiction
    closed = request.closed_at is not None
    return {
        "format": PACK_FORMAT,
        "request_id": request.request_id,
        "produced_at": produced_at.isoformat(),
        "produced_by": produced_by,
        "as_of": produced_at.isoformat(),
        "closed": closed,
        "scope": "the request as closed" if closed else "the request as of the moment produced: still open",
        "request": {
            "types": [t.value for t in request.request_types],
            "status": request.status.value,
            "jurisdiction": place,
            "channel": request.channel.value,
            "relationship": request.relationship.value,
            "language": request.language,
            "subject": scrub.masked_subject(),
            "received_at": request.received_at.isoformat(),
            "received_on": local_day(place, request.received_at).isoformat(),
            "closed_at": _moment(request.closed_at),
            "closed_on": _day(place, request.closed_at),
            "linked_to": request.linked_to,
        },
        "verification": _verification(request, timeline, scrub),
        "decision": _decision(timeline, review_task, scrub),
        "systems": [_system(outcome, system_names, scrub) for outcome in outcomes],
        "redactions": [_line(e, scrub) for e in timeline if _is_redaction(e.action)],
        "notices": [_notice(notice, scrub) for notice in notices],
        "deadlines": _deadlines(request, timeline, produced_at),
        "timeline": [_line(event, scrub) for event in timeline],
    }


def _notice(notice: Mapping[str, Any], scrub: IdentityScrubber) -> dict[str, Any]:
    """A notice sent about the request: when, to whom ("subject" for the subject; another
    recipient masked), in which language, and its subject line (never its body)."""
    recipient = str(notice.get("recipient") or "")
    return {
        "sent_at": str(notice["sent_at"]),
        "to": "subject" if recipient and recipient == scrub.subject else recipient or None,
        "language": notice.get("language"),
        "subject_line": scrub.text(str(notice["subject_line"])),
    }


def canonical_bytes(pack: Mapping[str, Any]) -> bytes:
    """The JSON file's bytes: keys sorted, two-space indent, UTF-8, one final newline."""
    return (json.dumps(pack, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def checksum(content: bytes) -> str:
    """The SHA-256 of the JSON file, in hex, as ``sha256sum`` prints it."""
    return hashlib.sha256(content).hexdigest()


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _day(place: str, value: datetime | None) -> str | None:
    return local_day(place, value).isoformat() if value else None


def _line(event: AuditEvent, scrub: IdentityScrubber) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": scrub.actor(event.actor),
        "action": event.action,
        "outcome": scrub.text(event.outcome),
        "detail": {key: scrub.value(value) for key, value in event.detail.items() if value is not None},
    }


def _is_redaction(action: str) -> bool:
    return any(word in action.lower() for word in REDACTION_WORDS)


def _verification(
    request: PrivacyRequest, timeline: list[AuditEvent], scrub: IdentityScrubber
) -> dict[str, Any]:
    """The level the request needed, what it asks of the subject, and each attempt's result:
    never the code or the secret (the trail does not hold them)."""
    attempts = [e for e in timeline if e.action == "verification attempt"]
    verified = next((e for e in attempts if e.outcome == "verified"), None)
    level = request.verification_level
    return {
        "level": level,
        "method": staff_text(VERIFICATION_LEVEL_LABELS[level])
        if level in VERIFICATION_LEVEL_LABELS
        else None,
        "verified": verified is not None,
        "verified_at": verified.at.isoformat() if verified else None,
        "verified_by": scrub.actor(verified.actor) if verified else None,
        "attempts": [_line(e, scrub) for e in attempts],
    }


def _decision(
    timeline: list[AuditEvent], task: Mapping[str, Any] | None, scrub: IdentityScrubber
) -> dict[str, Any] | None:
    """The staff decision and who made it; with the four-eyes rule, who triaged it as well."""
    decided = next((e for e in reversed(timeline) if e.action == "staff decision"), None)
    if task is None and decided is None:
        return None
    task = task or {}
    return {
        "decision": str(task.get("decision") or (decided.outcome if decided else "")) or None,
        "decided_by": str(task.get("decided_by") or "") or (scrub.actor(decided.actor) if decided else None),
        "decided_at": decided.at.isoformat() if decided else _text(task.get("decided_at")),
        "reason_code": _text(task.get("reason_code")),
        "reason": scrub.text(str(task["reason"])) if task.get("reason") else None,
        "triaged_by": _text(task.get("triaged_by")),
        "recommendation": _text(task.get("recommendation")),
    }


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


_OUTCOME_LEFT_OUT = frozenset({"system_id", "action", "status", "records", "pk", "sk"})


def _system(outcome: StoredOutcome, names: Mapping[str, str], scrub: IdentityScrubber) -> dict[str, Any]:
    """What one action did in one system: its status and counts, and every other field it recorded
    (tables and their row counts, fields anonymized, the exemption and why, who confirmed it)."""
    recorded = {
        key: scrub.value(value)
        for key, value in sorted(outcome.fields.items())
        if key not in _OUTCOME_LEFT_OUT and value is not None
    }
    return {
        "system_id": outcome.system_id,
        "system_name": names.get(outcome.system_id),
        "action": outcome.action,
        "status": outcome.status,
        "records": outcome.records,
        "recorded": recorded,
    }


def _deadlines(request: PrivacyRequest, timeline: list[AuditEvent], now: datetime) -> dict[str, Any]:
    """Each clock of the request, met or missed: acknowledging, the internal target, the legal
    response date (as extended), and the notice of an extension; with the days it stood still."""
    acknowledged = request.acknowledged_at or next(
        (e.at for e in timeline if e.action == "acknowledge" and e.outcome == "acknowledgement sent"), None
    )
    respond_by = request.extended_respond_by or request.respond_by
    clocks = [
        _clock(request, "acknowledge", request.acknowledge_by, acknowledged, now),
        _clock(request, "internal target", request.target_by, request.closed_at, now),
        _clock(request, "respond", respond_by, request.closed_at, now),
    ]
    if request.extended_at is not None:
        clocks.append(
            _clock(request, "extension notice", request.extension_notice_by, request.extended_at, now)
        )
    return {
        "policy": request.deadline_policy,
        "policy_version": request.deadline_policy_version,
        "respond_on": _day(request.jurisdiction, request.respond_by),
        "extended_respond_on": _day(request.jurisdiction, request.extended_respond_by),
        "extended_at": _moment(request.extended_at),
        "extension_reason_given": request.extension_reason is not None,
        "paused_days": request.paused_days,
        "paused_since": _moment(request.paused_at),
        "clocks": [clock for clock in clocks if clock is not None],
    }


def _clock(
    request: PrivacyRequest, name: str, due: datetime | None, done: datetime | None, now: datetime
) -> dict[str, Any] | None:
    if due is None:
        return None
    if done is not None:
        state = "met" if done <= due else "missed"
    else:
        state = "overdue" if now > due else "running"
    return {
        "clock": name,
        "due_at": due.isoformat(),
        "due_on": _day(request.jurisdiction, due),
        "done_at": _moment(done),
        "state": state,
    }
