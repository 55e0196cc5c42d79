"""Access packages: each system's export as a part, compiled into one encrypted object."""

from __future__ import annotations

import calendar
import html
import json
import tempfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from dsr.core.readable_dates import day_text, utc_moment_text

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class PackageStore:
    def __init__(self, s3: S3Client, bucket: str, kms_key_id: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._kms_key_id = kms_key_id

    def _encryption(self) -> dict[str, str]:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id}

    def put_part(self, request_id: str, system_id: str, records: Iterable[dict[str, Any]]) -> int:
        """Write one system's records as JSON Lines, streamed through a file; the count written."""
        count = 0
        with tempfile.TemporaryFile() as part:
            for record in records:
                part.write(json.dumps(record, default=str, sort_keys=True).encode() + b"\n")
                count += 1
            part.seek(0)
            self._s3.upload_fileobj(
                part,
                self._bucket,
                part_key(request_id, system_id),
                ExtraArgs={**self._encryption(), "ContentType": "application/x-ndjson"},
            )
        return count

    def compile(self, request_id: str, system_ids: Iterable[str], header: dict[str, Any]) -> str:
        """Join the parts into one JSON document without holding it all in memory; its key."""
        key = package_key(request_id)
        with tempfile.TemporaryFile() as package:
            package.write(b'{"request": ' + json.dumps(header, default=str).encode())
            package.write(b', "systems": {')
            for index, system_id in enumerate(sorted(system_ids)):
                if index:
                    package.write(b", ")
                package.write(json.dumps(system_id).encode() + b": [")
                body = self._s3.get_object(Bucket=self._bucket, Key=part_key(request_id, system_id))
                for line_number, line in enumerate(body["Body"].iter_lines()):
                    if line_number:
                        package.write(b", ")
                    package.write(line)
                package.write(b"]")
            package.write(b"}}\n")
            package.seek(0)
            self._s3.upload_fileobj(
                package,
                self._bucket,
                key,
                ExtraArgs={
                    **self._encryption(),
                    "ContentType": "application/json",
                    "ContentDisposition": 'attachment; filename="my-personal-data.json"',
                },
            )
        return key

    def compile_readable(self, request_id: str, system_ids: Iterable[str], header: dict[str, Any]) -> str:
        """The same package as a page for people: grouped by system, with each system's data
        categories, every value escaped; streamed part by part like the JSON one. Its key."""
        key = readable_package_key(request_id)
        systems = header.get("systems", {})
        with tempfile.TemporaryFile() as page:
            page.write(_page_start(request_id, str(header.get("generated_at", ""))).encode())
            for system_id in sorted(system_ids):
                described = systems.get(system_id, {})
                page.write(_system_heading(system_id, described))
                body = self._s3.get_object(Bucket=self._bucket, Key=part_key(request_id, system_id))
                for line in body["Body"].iter_lines():
                    page.write(_record_html(json.loads(line)))
                page.write(b"</section>\n")
            page.write(_nothing_found(header.get("nothing_found", {})))
            page.write(b"</main></body></html>\n")
            page.seek(0)
            self._s3.upload_fileobj(
                page,
                self._bucket,
                key,
                ExtraArgs={
                    **self._encryption(),
                    "ContentType": "text/html; charset=utf-8",
                    "ContentDisposition": 'attachment; filename="my-personal-data.html"',
                },
            )
        return key

    def put_evidence(self, request_id: str, name: str, content: bytes) -> str:
        """Keep a document the request relies on (an agent's signed permission), encrypted."""
        key = f"evidence/{request_id}/{name}"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, **self._encryption())  # type: ignore[arg-type]
        return key

    def link(self, key: str, expires_in_seconds: int) -> str:
        return self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=expires_in_seconds,
        )


def _page_start(request_id: str, generated_at: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Your personal data</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;border-top:1px solid #ccc;"
        "padding-top:.5rem}dt{font-weight:600}dd{margin:0;word-break:break-word}</style></head><body><main>"
        f"<h1>Your personal data</h1><p>Reference {html.escape(request_id)}, "
        f"prepared {html.escape(_shown(generated_at))}."
        " The same data in a format for computers (JSON) is offered beside this page where you"
        " downloaded it.</p>"
    )


def _system_heading(system_id: str, described: dict[str, Any]) -> bytes:
    name = html.escape(str(described.get("name", system_id)))
    listed = ", ".join(html.escape(str(category)) for category in described.get("categories", []))
    kinds = f"<p>Kinds of data: {listed}</p>" if listed else ""
    records = described.get("records")
    count = f"<p>{_records(int(records))} about you.</p>" if records is not None else ""
    return f"<section><h2>{name}</h2>{kinds}{count}".encode()


def _nothing_found(systems: dict[str, str]) -> bytes:
    """The systems that were searched and held nothing about the person, said plainly."""
    if not systems:
        return b""
    listed = "".join(f"<li>{html.escape(str(name))}</li>" for _, name in sorted(systems.items()))
    return (
        "<section><h2>Where we found nothing</h2>"
        f"<p>We looked in these systems too, and they hold no personal data about you:</p><ul>{listed}</ul>"
        "</section>\n"
    ).encode()


def _records(count: int) -> str:
    return "1 record" if count == 1 else f"{count} records"


def _record_html(record: Any) -> bytes:
    if not isinstance(record, dict):
        record = {"value": record}
    rows = "".join(
        f"<dt>{html.escape(field_label(str(field)))}</dt><dd>{_value_html(str(field), value, record)}</dd>"
        for field, value in sorted(record.items(), key=lambda item: _reading_order(str(item[0])))
    )
    return f"<dl>{rows}</dl>\n".encode()


def _value_html(field: str, value: Any, record: dict[str, Any]) -> str:
    """A file's content (kept as base64 in the JSON) is a link that opens or saves the named file."""
    if field != "content_base64" or not isinstance(value, str):
        return html.escape(_shown(value))
    name = str(record.get("file") or "file")
    content_type = str(record.get("content_type") or "application/octet-stream")
    if not all(character.isalnum() or character in "/.+-" for character in content_type):
        content_type = "application/octet-stream"
    href = f"data:{content_type};base64,{value}"
    return (
        f'<a download="{html.escape(name)}" href="{html.escape(href)}">Open or save {html.escape(name)}</a>'
    )


FIELD_ORDER = ("name", "email", "requester_email", "phone", "address", "postal_code", "title")
"""Who the person is, as they read it on a form: these first, then every other field as stored."""


def _reading_order(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


FIELD_LABELS: dict[str, str] = {
    "account_id": "Account number",
    "address": "Postal address",
    "amount": "Amount",
    "card_brand": "Card type",
    "card_expiry": "Card expiry (year and month)",
    "card_last4": "Card number (last 4 digits)",
    "charge_id": "Payment reference",
    "charged_on": "Charged on",
    "created_month": "Account opened (month)",
    "currency": "Currency",
    "customer_id": "Customer",
    "day": "Day",
    "content_base64": "The file",
    "email": "Email address",
    "emails_opened": "Emails opened",
    "first_seen": "First seen",
    "invoice_id": "Invoice number",
    "ip": "IP address",
    "issued_on": "Issued on",
    "last_invoice_amount": "Last invoice amount",
    "mailing_list": "Mailing list",
    "marketing_opt_in": "Agreed to marketing emails",
    "name": "Name",
    "name_on_card": "Name on the card",
    "os": "Operating system",
    "pages_viewed": "Pages viewed",
    "path": "Page visited",
    "phone": "Phone number",
    "plan": "Plan",
    "postal_code": "Postal code",
    "requester_email": "Email address",
    "seats": "Seats",
    "source": "Where we got it",
    "subscribed": "Subscribed",
    "subscribed_on": "Subscribed on",
    "system_model": "Device model",
    "ticket": "Ticket number",
    "timestamp": "When",
    "title": "Job title",
    "topic": "Topic",
    "tracking_consent": "Agreed to tracking",
    "user_agent": "Browser",
    "visitor_id": "Visitor number",
}
"""How the fields the demonstration systems hold are named for people; any other field is its
name in words (``order_total`` reads ``Order total``)."""


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field) or (field.replace("_", " ").strip().capitalize() or field)


def _shown(value: Any) -> str:
    """A value as a person reads it: yes or no, dates in words, lists joined."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(name))}: {_shown(item)}" for name, item in value.items())
    if isinstance(value, str):
        return _date_in_words(value) or value
    return str(value)


def _date_in_words(text: str) -> str | None:
    """``2025-06-01`` as ``1 June 2025``, ``2021-03`` as ``March 2021``, ``2026-10-02T09:14:03Z``
    as ``2 October 2026, 09:14 UTC``; None for anything else."""
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        month = int(text[5:])
        return f"{calendar.month_name[month]} {text[:4]}" if 1 <= month <= 12 else None
    if len(text) == 10:
        try:
            return day_text(date.fromisoformat(text))
        except ValueError:
            return None
    if len(text) >= 19 and text[10] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return utc_moment_text(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return None


def readable_package_key(request_id: str) -> str:
    return f"packages/{request_id}/access-package.html"


def part_key(request_id: str, system_id: str) -> str:
    return f"parts/{request_id}/{system_id}.jsonl"


def package_key(request_id: str) -> str:
    return f"packages/{request_id}/access-package.json"
