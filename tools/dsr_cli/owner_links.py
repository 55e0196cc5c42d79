"""Answering a handed-off task as its owner does: the link read from the email that asks, then
the owner's page's form posted (``multipart/form-data``, with the export as a file)."""

from __future__ import annotations

import re
import secrets
import time
import urllib.parse
from collections.abc import Mapping

from dsr_cli.http_client import DeskClient, HttpAnswer

LINK = re.compile(r"https?://\S+/answer/\S+")


class NoAnswerLinkError(LookupError):
    """The email holds no link to an owner's page."""


def link_in(body: str) -> str:
    """The owner's link in an email's text."""
    found = LINK.search(body)
    if found is None:
        raise NoAnswerLinkError("no answer link in the email")
    return found.group(0)


def multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes]]) -> tuple[str, bytes]:
    """The content type and the body of a form with ``fields`` and ``files`` (name: (file name, bytes))."""
    boundary = f"----desk-form-{secrets.token_hex(12)}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + f"--{boundary}--\r\n".encode()


def open_link(link: str) -> HttpAnswer:
    """The owner's page, as the link opens it."""
    base, path = _split(link)
    return DeskClient(base).get(path)


def answer_through_link(
    link: str,
    answer: str,
    *,
    records: int | None = None,
    note: str = "",
    upload: tuple[str, bytes] | None = None,
) -> HttpAnswer:
    """Post the owner's page's form: ``answer`` (done, nothing_found, exempt, failed), the count
    of records, a note, and for an export the file (name, bytes)."""
    fields = {"answer": answer, "note": note}
    if records is not None:
        fields["records"] = str(records)
    content_type, body = multipart(fields, {"export": upload} if upload else {})
    base, path = _split(link)
    return DeskClient(base).call("POST", path, raw=body, content_type=content_type)


def _split(link: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(link)
    return f"{parts.scheme}://{parts.netloc}", urllib.parse.urlunsplit(("", "", parts.path, parts.query, ""))


LinkAnswer = tuple[str, tuple[str, bytes] | None]
"""(answer, upload): ``done`` with the export as (file name, bytes), or ``nothing_found`` and no file."""


class LinksNotAnsweredError(TimeoutError):
    """A task was still waiting when the time ran out, though its owners answered every link found."""


def answer_links_in_outbox(
    public: DeskClient,
    staff: DeskClient,
    request_id: str,
    answers: Mapping[str, LinkAnswer],
    seconds: float = 30.0,
) -> dict[str, int]:
    """Each owner of each ``system#action`` reads the email that asks them in the outbox and
    answers through its link, as many links as there are owners (each customer told has its
    own), until the task no longer waits. How many links were answered for each task."""
    deadline = time.monotonic() + seconds
    used: set[str] = set()
    answered = dict.fromkeys(answers, 0)
    settled: set[str] = set()
    while time.monotonic() < deadline and settled != set(answers):
        statuses = _statuses(staff, request_id)
        for task, (answer, upload) in answers.items():
            if task in settled or statuses.get(task) != "waiting":
                if answered[task] and statuses.get(task) not in {None, "waiting"}:
                    settled.add(task)
                continue
            for link in _links_for(public, request_id, task) - used:
                reply = answer_through_link(link, answer, upload=upload)
                if reply.status != 200:
                    raise LinksNotAnsweredError(f"{task}: the owner's answer was refused ({reply.status})")
                used.add(link)
                answered[task] += 1
        time.sleep(0.1)
    if settled != set(answers):
        raise LinksNotAnsweredError(f"request {request_id}: {sorted(set(answers) - settled)} still waiting")
    return answered


def _statuses(staff: DeskClient, request_id: str) -> dict[str, str]:
    detail = staff.get(f"/staff/requests/{request_id}").body
    return {f"{s['system_id']}#{s['action']}": str(s["status"]) for s in detail.get("systems", [])}


def _links_for(public: DeskClient, request_id: str, task: str) -> set[str]:
    system_id, action = task.split("#")
    wanted = f"/answer/{request_id}/{system_id}/{action}?"
    mail = public.get("/_local/outbox.json").body
    return {
        link_in(m["body"]) for m in mail if m.get("request_id") == request_id and wanted in m.get("body", "")
    }
