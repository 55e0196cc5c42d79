"""A form sent as ``multipart/form-data`` (one with a file), read with the standard library's
MIME parser: its text fields, and its one file's bytes."""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import NamedTuple


class UploadedForm(NamedTuple):
    fields: dict[str, str]
    files: dict[str, bytes]


def read_form(content_type: str, body: bytes) -> UploadedForm:
    """The fields and files of a form; an urlencoded form reads as fields only, and anything
    else as an empty form."""
    if content_type.lower().startswith("application/x-www-form-urlencoded"):
        from urllib.parse import parse_qsl  # noqa: PLC0415 - only where a form is not multipart

        return UploadedForm(dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), {})
    if not content_type.lower().startswith("multipart/form-data"):
        return UploadedForm({}, {})
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: dict[str, bytes] = {}
    if not message.is_multipart():
        return UploadedForm(fields, files)
    for part in message.iter_parts():
        _read_part(part, fields, files)
    return UploadedForm(fields, files)


def _read_part(part: Message, fields: dict[str, str], files: dict[str, bytes]) -> None:
    name = part.get_param("name", header="content-disposition")
    if not isinstance(name, str):
        return
    payload = part.get_payload(decode=True)
    content = payload if isinstance(payload, bytes) else b""
    if part.get_param("filename", header="content-disposition") is not None:
        if content:  # a file input left empty sends a part with no bytes
            files[name] = content
        return
    fields[name] = content.decode("utf-8", "replace")
