"""An owner's export, as uploaded through their link: its size checked, its type read from its
content (never from its name or the type the browser claims), and its records taken out.

Accepted: JSON (an object, or an array of objects), JSON Lines (an object a line) and CSV (a
header row, then rows with as many fields), in UTF-8. Anything else (a PDF, a spreadsheet, an
archive, an image, prose) is refused with a message that says what is accepted.

The upload goes through the API, in the form's own request, up to :data:`MAX_UPLOAD_BYTES`: API
Gateway hands Lambda at most 6 MB synchronously, and a file sent in a form arrives base64-encoded
(a third larger). Through the API, one request checks the type before anything is kept, and the
page works without JavaScript; a presigned S3 POST would take larger files but would keep first
and check after.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Final

from dsr.core.staff_catalog import staff_text

MAX_UPLOAD_BYTES: Final = 4 * 1024 * 1024
ACCEPTED_TYPES: Final = "JSON, JSON Lines or CSV"


class UnacceptableUploadError(ValueError):
    """The upload is too large, empty, or not of an accepted type (the message says which)."""


def records_of(content: bytes) -> list[dict[str, Any]]:
    """The records an upload holds, read by its content; ``UnacceptableUploadError`` otherwise."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadTooLargeError(too_large())
    text = _text(content)
    if not text.strip():
        raise UnacceptableUploadError(staff_text("The file is empty."))
    for reader in (_json_records, _json_lines_records, _csv_records):
        records = reader(text)
        if records is not None:
            return records
    raise _not_accepted()


class UploadTooLargeError(UnacceptableUploadError):
    """The upload is larger than :data:`MAX_UPLOAD_BYTES`."""


def too_large() -> str:
    return staff_text(
        "The file is larger than %(limit)s MB. Upload a smaller export, or split it and tell us "
        "by replying to our email.",
        limit=MAX_UPLOAD_BYTES // 1024 // 1024,
    )


def _not_accepted() -> UnacceptableUploadError:
    return UnacceptableUploadError(
        staff_text(
            "This file is not %(types)s. Export the data in one of these formats and upload it again.",
            types=ACCEPTED_TYPES,
        )
    )


def _text(content: bytes) -> str:
    if content.startswith(b"%PDF-"):
        raise UnacceptableUploadError(
            staff_text("This file is a PDF. Upload the data itself, as %(types)s.", types=ACCEPTED_TYPES)
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_accepted() from None
    if "\x00" in text:
        raise _not_accepted()
    return text


def _as_record(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _json_records(text: str) -> list[dict[str, Any]] | None:
    try:
        document = json.loads(text)
    except ValueError:
        return None
    items = document if isinstance(document, list) else [document]
    records = [_as_record(item) for item in items]
    return None if any(record is None for record in records) else [r for r in records if r is not None]


def _json_lines_records(text: str) -> list[dict[str, Any]] | None:
    records = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = _as_record(json.loads(line))
        except ValueError:
            return None
        if record is None:
            return None
        records.append(record)
    return records


def _csv_records(text: str) -> list[dict[str, Any]] | None:
    """CSV with a header row of distinct names, and as many fields on every row."""
    if text.lstrip().startswith(("<", "{", "[")):
        return None
    try:
        rows = [row for row in csv.reader(io.StringIO(text)) if row]
    except csv.Error:
        return None
    header, body = rows[0], rows[1:]
    if any(not name.strip() for name in header) or len(set(header)) != len(header):
        return None
    if any(len(row) != len(header) for row in body):
        return None
    return [dict(zip(header, row, strict=True)) for row in body]
