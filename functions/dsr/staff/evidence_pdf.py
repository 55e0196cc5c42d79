"""The evidence pack as a PDF for people: the same data as the JSON file, section by section, with
the JSON file's SHA-256 checksum on every page so a printout can be checked against the file.

Written with pydyf, a small pure-Python PDF writer (no dependency of its own): the pages use
Courier, one of the standard fonts every PDF reader has, so nothing is embedded and lines wrap by
counting characters. Text outside Windows-1252 (the standard fonts' encoding) is shown as ``?``.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

import pydyf

from dsr.core.staff_catalog import staff_text

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4, in points
MARGIN = 42
FONT_SIZE = 8.5
LEADING = 11
CHARACTERS_PER_LINE = int((PAGE_WIDTH - 2 * MARGIN) / (FONT_SIZE * 0.6))
LINES_PER_PAGE = int((PAGE_HEIGHT - 2 * MARGIN) / LEADING) - 2  # the footer's two lines kept free


def evidence_pdf(pack: Mapping[str, Any], digest: str) -> bytes:
    """The PDF of ``pack``, each page naming the request and the JSON file's checksum."""
    lines = [wrapped for line in pack_lines(pack, digest) for wrapped in _wrap(line)]
    pages = [lines[start : start + LINES_PER_PAGE] for start in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    document = pydyf.PDF()
    document.info["Title"] = pydyf.String(
        staff_text("Evidence pack of request %(id)s", id=pack["request_id"])
    )
    document.info["Producer"] = pydyf.String("privacy-rights-desk")
    font = pydyf.Dictionary(
        {"Type": "/Font", "Subtype": "/Type1", "BaseFont": "/Courier", "Encoding": "/WinAnsiEncoding"}
    )
    document.add_object(font)
    for number, page_lines in enumerate(pages, start=1):
        footer = staff_text(
            "Request %(id)s, page %(page)s of %(pages)s. SHA-256 of the JSON file:",
            id=pack["request_id"],
            page=number,
            pages=len(pages),
        )
        content = _page_content(page_lines, [footer, digest])
        document.add_object(content)
        page = pydyf.Dictionary(
            {
                "Type": "/Page",
                "Parent": document.pages.reference,
                "MediaBox": pydyf.Array([0, 0, PAGE_WIDTH, PAGE_HEIGHT]),
                "Contents": content.reference,
                "Resources": pydyf.Dictionary({"Font": pydyf.Dictionary({"F1": font.reference})}),
            }
        )
        document.add_page(page)
    written = io.BytesIO()
    document.write(written)
    return written.getvalue()


def _page_content(lines: list[str], footer: list[str]) -> pydyf.Stream:
    content = pydyf.Stream()
    content.begin_text()
    content.set_font_size("F1", FONT_SIZE)
    content.set_text_matrix(1, 0, 0, 1, MARGIN, PAGE_HEIGHT - MARGIN)
    for index, line in enumerate(lines):
        if index:
            content.move_text_to(0, -LEADING)
        content.show_text(_literal(line))
    content.end_text()
    content.begin_text()
    content.set_font_size("F1", FONT_SIZE)
    content.set_text_matrix(1, 0, 0, 1, MARGIN, MARGIN)
    for index, line in enumerate(reversed(footer)):
        if index:
            content.move_text_to(0, LEADING)
        content.show_text(_literal(line))
    content.end_text()
    return content


def _literal(text: str) -> bytes:
    """A PDF string literal of ``text`` in the standard fonts' encoding."""
    encoded = text.encode("cp1252", "replace")
    escaped = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def _wrap(line: str) -> list[str]:
    indent = " " * (len(line) - len(line.lstrip(" ")) + 2)
    return textwrap.wrap(
        line, CHARACTERS_PER_LINE, subsequent_indent=indent, break_on_hyphens=False, drop_whitespace=False
    ) or [""]


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
        staff_text("Notices sent to the subject"),
        [f"{n['sent_at']} [{n['language']}] {n['subject_line']}" for n in pack["notices"]]
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
    records = f", {system['records']} records" if system.get("records") is not None else ""
    recorded = ", ".join(f"{key}={value}" for key, value in system["recorded"].items())
    return f"{system['system_id']}{name} {system['action']}: {system['status']}{records}" + (
        f"; {recorded}" if recorded else ""
    )
