"""A request's evidence pack: what it says of the request, that the subject is not in it (neither in
the JSON file nor in the PDF's text), and that the checksum the PDF prints verifies the JSON."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pypdf

from dsr.core.identities import SubjectIdentity
from dsr.core.models import AuditEvent, Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.staff.evidence_pack import canonical_bytes, checksum, evidence_pack
from dsr.staff.evidence_pdf import evidence_pdf
from dsr.storage.outcomes import StoredOutcome

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
EMAIL, NAME, PHONE = "ada.lovelace@example.com", "Ada Lovelace", "+442071234567"


def _request(**fields: object) -> PrivacyRequest:
    return PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ERASURE],
        subject=SubjectIdentity(email=EMAIL, name=NAME, phone=PHONE),
        relationship=Relationship.CUSTOMER_CONTACT,
        jurisdiction="US-CA",
        channel=Channel.WEB,
        status=fields.pop("status", Status.COMPLETED),
        received_at=RECEIVED,
        respond_by=RECEIVED + timedelta(days=45),
        acknowledge_by=RECEIVED + timedelta(days=10),
        acknowledged_at=RECEIVED + timedelta(minutes=1),
        verification_level="email",
        **fields,
    )


def _event(
    request_id: str, minutes: int, actor: str, action: str, outcome: str, **detail: object
) -> AuditEvent:
    return AuditEvent(
        request_id=request_id,
        at=RECEIVED + timedelta(minutes=minutes),
        actor=actor,
        action=action,
        outcome=outcome,
        detail=detail,  # type: ignore[arg-type]
    )


def _pack(request: PrivacyRequest, produced_at: datetime | None = None) -> dict[str, object]:
    rid = request.request_id
    timeline = [
        _event(rid, 0, "intake", "submit", "received"),
        _event(rid, 2, "subject", "verification attempt", "rejected", reason="wrong code"),
        _event(rid, 3, "subject", "verification attempt", "verified", level="email"),
        _event(
            rid, 9, "staff:analyst@desk.example", "triaged", "recommends approve", note=f"{NAME} asked twice"
        ),
        _event(rid, 10, "staff:approver@desk.example", "staff decision", "approve"),
        _event(
            rid,
            11,
            "staff:analyst@desk.example",
            "ask for information",
            "sent",
            question=f"Is {EMAIL} yours?",
        ),
        _event(
            rid,
            20,
            "staff:reviewer@desk.example",
            "part redacted",
            "withheld",
            field="notes",
            reason="third_party",
        ),
        _event(rid, 30, "workflow", "close request", "COMPLETED"),
    ]
    outcomes = [
        StoredOutcome(
            system_id="accounts",
            action="erase",
            status="done",
            records=2,
            fields={
                "status": "done",
                "records": 2,
                "rows_by_table": "accounts=1,invoices=1",
                "note": f"rows of {PHONE}",
            },
        ),
        StoredOutcome(
            system_id="billing", action="erase", status="exempt", records=3, fields={"reason": "tax records"}
        ),
    ]
    task = {
        "triaged_by": "analyst@desk.example",
        "recommendation": "approve",
        "decided_by": "approver@desk.example",
        "decision": "approve",
    }
    notices = [
        {
            "sent_at": (RECEIVED + timedelta(minutes=1)).isoformat(),
            "recipient": "a***@e***.com",
            "subject_line": f"We received your privacy request {rid[:8]}",
            "language": "en",
        },
        {
            "sent_at": (RECEIVED + timedelta(minutes=12)).isoformat(),
            "recipient": "p***@h***.com",
            "subject_line": f"Data subject request {rid[:8]}: action needed by 9 November 2026",
            "language": "en",
        },
        {
            "sent_at": (RECEIVED + timedelta(minutes=30)).isoformat(),
            "recipient": "a***@e***.com",
            "subject_line": f"Your privacy request {rid[:8]} is done",
            "language": "en",
        },
    ]
    return evidence_pack(
        request,
        timeline,
        outcomes,
        task,
        notices,
        system_names={"accounts": "Platform accounts", "billing": "Billing"},
        produced_at=produced_at or RECEIVED + timedelta(days=1),
        produced_by="staff:approver@desk.example",
    )


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_the_pack_says_who_verified_decided_and_what_each_system_did() -> None:
    request = _request(closed_at=RECEIVED + timedelta(minutes=30))

    pack = _pack(request)

    verification = pack["verification"]
    assert verification["level"] == "email" and verification["verified"] is True  # type: ignore[index]
    assert [a["outcome"] for a in verification["attempts"]] == ["rejected", "verified"]  # type: ignore[index]
    decision = pack["decision"]
    assert decision["decided_by"] == "approver@desk.example"  # type: ignore[index]
    assert decision["triaged_by"] == "analyst@desk.example"  # type: ignore[index]
    systems = {s["system_id"]: s for s in pack["systems"]}  # type: ignore[attr-defined]
    assert systems["accounts"]["recorded"]["rows_by_table"] == "accounts=1,invoices=1"
    assert (
        systems["billing"]["status"] == "exempt" and systems["billing"]["recorded"]["reason"] == "tax records"
    )
    assert [r["action"] for r in pack["redactions"]] == ["part redacted"]  # type: ignore[attr-defined]
    notices = [(n["to"], n["subject_line"][:15]) for n in pack["notices"]]  # type: ignore[attr-defined]
    assert notices == [
        ("subject", "We received you"),
        ("p***@h***.com", "Data subject re"),
        ("subject", "Your privacy re"),
    ]
    clocks = {c["clock"]: c["state"] for c in pack["deadlines"]["clocks"]}  # type: ignore[index]
    assert clocks == {"acknowledge": "met", "respond": "met"}
    assert pack["closed"] is True and pack["request"]["subject"] == "a***@e***.com"  # type: ignore[index]


def test_an_open_request_s_pack_is_as_of_its_moment_and_shows_a_missed_clock_as_overdue() -> None:
    request = _request(status=Status.IN_PROGRESS)

    pack = _pack(request, produced_at=RECEIVED + timedelta(days=50))

    assert pack["closed"] is False and "as of" in str(pack["scope"])
    clocks = {c["clock"]: c["state"] for c in pack["deadlines"]["clocks"]}  # type: ignore[index]
    assert clocks["respond"] == "overdue"


def test_neither_the_json_nor_the_pdf_holds_the_subject_s_email_name_or_phone() -> None:
    pack = _pack(_request(closed_at=RECEIVED + timedelta(minutes=30)))

    content = canonical_bytes(pack)
    text = _pdf_text(evidence_pdf(pack, checksum(content)))

    for written in (content.decode(), text):
        for identifier in (EMAIL, NAME, "Lovelace", PHONE):
            assert identifier.lower() not in written.lower()
    assert "A*** L*** asked twice" in content.decode()  # the staff note kept, the subject masked in it


def test_the_checksum_the_pdf_prints_verifies_the_json_file() -> None:
    pack = _pack(_request(closed_at=RECEIVED + timedelta(minutes=30)))
    content = canonical_bytes(pack)

    text = _pdf_text(evidence_pdf(pack, checksum(content)))

    printed = set(re.findall(r"\b[0-9a-f]{64}\b", text))
    assert printed == {checksum(content)}
    assert canonical_bytes(json.loads(content)) == content  # the file read back gives the same bytes
    assert f"Evidence pack of request {pack['request_id']}" in text
