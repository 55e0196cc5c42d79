"""The access package as a page for people: grouped by system, with each system's data
categories, every value escaped and shown as text (dates in words, yes or no). Made as a stream of
chunks, one record at a time, so a large package is never held whole; the package store writes it."""

from __future__ import annotations

import calendar
import html
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any

from dsr.core.readable_dates import day_text, utc_moment_text


def readable_package(
    request_id: str,
    system_ids: Iterable[str],
    header: dict[str, Any],
    records_of: Callable[[str], Iterable[Any]],
) -> Iterator[bytes]:
    """The page, chunk by chunk: ``records_of(system_id)`` gives that system's records."""
    systems = header.get("systems", {})
    yield _page_start(request_id, str(header.get("generated_at", ""))).encode()
    for system_id in sorted(system_ids):
        yield _system_heading(system_id, systems.get(system_id, {}))
        group: str | None = None
        for record in records_of(system_id):
            heading = _group_heading(record)
            if heading is not None and heading != group:
                group = heading
                yield f"<h3>{html.escape(heading)}</h3>".encode()
            yield _record_html(record)
        yield b"</section>\n"
    yield _nothing_found(header.get("nothing_found", {}))
    yield b"</main></body></html>\n"


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
    return f"<section><h2>{name}</h2>{kinds}{count}{_given_to(described)}{_decided(described)}".encode()


def _given_to(described: dict[str, Any]) -> str:
    """The specific third parties this system's data is disclosed to (not our service providers)."""
    parties = described.get("third_parties") or []
    if not parties:
        return ""
    listed = "".join(
        f"<li>{html.escape(str(p.get('name', '')))}: {html.escape(str(p.get('purpose', '')))}</li>"
        for p in parties
    )
    return f"<p>Third parties we disclose this data to:</p><ul>{listed}</ul>"


_DECISION_WORDS = (
    ("purpose", "Purpose"),
    ("logic", "How it decides"),
    ("outcome", "Outcome"),
    ("human_role", "What a person does"),
)


def _decided(described: dict[str, Any]) -> str:
    """How this system makes significant decisions about people by automated means."""
    decisions = described.get("automated_decisions")
    if not decisions:
        return ""
    rows = "".join(
        f"<dt>{label}</dt><dd>{html.escape(str(decisions.get(key, '')))}</dd>"
        for key, label in _DECISION_WORDS
    )
    return f"<p>This system makes decisions about people by automated means:</p><dl>{rows}</dl>"


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


GROUP_FIELDS = {"_table": "From the table", "record_set": "Records of kind"}
"""Where a record came from inside its system (a database's table, a SaaS tool's record set):
shown as a heading over the records that share it, not as a field of each."""


def _group_heading(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    for field, words in GROUP_FIELDS.items():
        if isinstance(record.get(field), str) and record[field]:
            return f"{words}: {record[field].replace('_', ' ')}"
    return None


def _record_html(record: Any) -> bytes:
    if not isinstance(record, dict):
        record = {"value": record}
    shown = [(field, value) for field, value in record.items() if _group_heading({field: value}) is None]
    rows = "".join(
        f"<dt>{html.escape(field_label(str(field)))}</dt><dd>{_value_html(str(field), value, record)}</dd>"
        for field, value in sorted(shown, key=lambda item: _reading_order(str(item[0])))
    )
    return f"<dl>{rows}</dl>\n".encode()


MOMENT_FIELDS = ("created", "updated", "timestamp")
"""Fields a SaaS tool fills with a moment in seconds since 1970 (Stripe's ``created``), shown in words."""


def _value_html(field: str, value: Any, record: dict[str, Any]) -> str:
    """A file's content (kept as base64 in the JSON) is a link that opens or saves the named file."""
    if _is_epoch_moment(field, value):
        return html.escape(utc_moment_text(datetime.fromtimestamp(value, UTC)))
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


def _is_epoch_moment(field: str, value: Any) -> bool:
    """Seconds since 1970 between 2000 and 2100, in a field named for a moment."""
    named = field in MOMENT_FIELDS or field.endswith(("_at", "_time"))
    return named and type(value) is int and 946_684_800 <= value < 4_102_444_800


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
        return ", ".join(_shown(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return (
            "; ".join(f"{field_label(str(name))}: {_shown(item)}" for name, item in value.items()) or "(none)"
        )
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
