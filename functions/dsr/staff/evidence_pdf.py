"""The evidence pack as a PDF for people: the same data as the JSON file, section by section, with
the JSON file's SHA-256 checksum on every page so a printout can be checked against the file
(``dsr.core.text_pdf`` writes it)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dsr.core.staff_catalog import staff_plural, staff_text
from dsr.core.text_pdf import text_pdf


def evidence_pdf(pack: Mapping[str, Any], digest: str) -> bytes:
    """The PDF of ``pack``, each page naming the request and the JSON file's checksum."""

    def footer(page: int, pages: int) -> list[str]:
        return [
            staff_text(
                "Request %(id)s, page %(page)s of %(pages)s. SHA-256 of the JSON file:",
                id=pack["request_id"],
                page=page,
                pages=pages,
            ),
            digest,
        ]

    title = staff_text("Evidence pack of request %(id)s", id=pack["request_id"])
    return text_pdf(title, pack_lines(pack, digest), footer)


def pack_lines(pack: Mapping[str, Any], digest: str) -> Iterator[str]:
    """The pack in lines of text, in the JSON document's order of sections."""
    yield staff_text("Evidence pack of request %(id)s", id=pack["request_id"])
    yield staff_text(
        "Produced %(at)s by %(by)s: %(scope)s",
        at=pack["produced_at"],
        by=pack["produced_by"],
        scope=pack["scope"],
    )
    yield staff_text("SHA-256 of the JSON file: %(digest)s", digest=digest)
    yield ""
    yield from _section(staff_text("The request"), _pairs(pack["request"]))
    verification = pack["verification"]
    yield from _section(
        staff_text("Verification"),
        [
            *_pairs({k: v for k, v in verification.items() if k != "attempts"}),
            *(_event(e) for e in verification["attempts"]),
        ],
    )
    decision = pack["decision"]
    yield from _section(
        staff_text("Decision"), _pairs(decision) if decision else [staff_text("none recorded")]
    )
    yield from _section(staff_text("Systems"), [_system(s) for s in pack["systems"]] or [staff_text("none")])
    yield from _section(
        staff_text("Redactions"), [_event(e) for e in pack["redactions"]] or [staff_text("none")]
    )
    yield from _section(
        staff_text("Notices sent"),
        [f"{n['sent_at']} to {n['to']} [{n['language']}] {n['subject_line']}" for n in pack["notices"]]
        or [staff_text("none")],
    )
    deadlines = pack["deadlines"]
    yield from _section(
        staff_text("Deadlines"),
        [
            *_pairs({k: v for k, v in deadlines.items() if k != "clocks"}),
            *(
                f"{c['clock']}: {c['state']} (due {c['due_at']}, done {c['done_at'] or '-'})"
                for c in deadlines["clocks"]
            ),
        ],
    )
    yield from _section(staff_text("Timeline"), [_event(e) for e in pack["timeline"]])


def _section(title: str, lines: list[str]) -> Iterator[str]:
    yield title
    yield "-" * len(title)
    yield from (f"  {line}" for line in lines)
    yield ""


def _pairs(values: Mapping[str, Any]) -> list[str]:
    return [f"{key}: {_shown(value)}" for key, value in values.items() if value not in (None, "", [])]


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _event(event: Mapping[str, Any]) -> str:
    detail = ", ".join(f"{key}={value}" for key, value in sorted(event["detail"].items()))
    return f"{event['at']} {event['actor']}: {event['action']} - {event['outcome']}" + (
        f" ({detail})" if detail else ""
    )


def _system(system: Mapping[str, Any]) -> str:
    name = f" ({system['system_name']})" if system.get("system_name") else ""
    count = system.get("records")
    records = (
        "" if count is None else ", " + staff_plural("%(count)d record", "%(count)d records", int(count))
    )
    recorded = ", ".join(f"{key}={value}" for key, value in system["recorded"].items())
    return f"{system['system_id']}{name} {system['action']}: {system['status']}{records}" + (
        f"; {recorded}" if recorded else ""
    )
