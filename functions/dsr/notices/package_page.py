"""The access package as a page for people, in the request's language: grouped by system, with
each system's data categories, every value escaped and shown as text (dates in words, yes or no).
Made as a stream of chunks from the template ``notices/templates/package/page.html``, one record at
a time, so a large package is never held whole; the package store writes it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from dsr.core.catalogs import N_, day_in_words, gettext, moment_in_words, month_in_words, ngettext
from dsr.core.languages import ENGLISH, html_lang
from dsr.core.registry_text import shown_in
from dsr.notices import email_templates

PAGE_TEMPLATE = "package/page.html"
RECORD_TEMPLATE = "package/record.html"
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
    "overflow-wrap:break-word}h1{font-size:2rem;line-height:1.2}"
    "dl{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.2rem 1rem;"
    "border-top:1px solid #ccc;padding-top:.5rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}"
    # On a phone each label stands above its value (a long label, German's, would leave the value
    # a sliver beside it), and the main heading is smaller, so that "personenbezogenen" fits whole.
    "@media (max-width:40rem){h1{font-size:1.5rem}dl{display:block}dd{margin:0 0 .5rem}}"
)
"""The page's one style: a label beside each value on a wide screen, above it on a phone; a word
longer than the line (an address, a reference) is broken rather than widening the page."""


class Row(NamedTuple):
    """One field of a record as the page shows it: a file is a link that opens or saves it."""

    label: str
    text: str
    file: str | None = None
    href: str | None = None
    label_language: str | None = None
    """``en`` where a field the catalogs do not name is shown by its own (English) words on a
    page in another language, for screen readers to pronounce it as English (WCAG 3.1.2)."""
    description: Any = None
    """What the field holds, as the registry describes it (a registry text), if it does."""
    field: str = ""
    """The field's own name in the record."""


class Entry(NamedTuple):
    heading: str | None
    """The table or record set the record came from, where it changes from the record before."""
    rows: list[Row]


def readable_package(
    request_id: str,
    system_ids: Iterable[str],
    header: dict[str, Any],
    records_of: Callable[[str], Iterable[Any]],
    language: str = ENGLISH,
) -> Iterator[bytes]:
    """The page, chunk by chunk, in ``language``: ``records_of(system_id)`` gives that system's records."""
    described = header.get("systems", {})
    withheld = header.get("withheld") or {}
    explained = {
        system_id: str(told.get("explained", "")) for system_id, told in withheld.get("systems", {}).items()
    }
    template = email_templates.environment().get_template(PAGE_TEMPLATE)
    chunks = template.generate(
        language=language,
        lang=html_lang(language),
        style=STYLE,
        reference=request_id,
        prepared=_shown(str(header.get("generated_at", "")), language),
        systems=(
            _system(system_id, described.get(system_id, {}), records_of(system_id), language)
            | {"withheld": explained.get(system_id, "")}
            for system_id in sorted(system_ids)
        ),
        nothing_found=[name for _, name in sorted(header.get("nothing_found", {}).items())],
        # What a reviewer withheld and why (GDPR art. 15(4)): already in the request's language.
        withheld={"statement": withheld["statement"], "lines": list(explained.values())}
        if withheld
        else None,
    )
    for chunk in chunks:
        yield chunk.encode()


def _system(
    system_id: str, described: dict[str, Any], records: Iterable[Any], language: str
) -> dict[str, Any]:
    count = described.get("records")
    decisions = described.get("automated_decisions") or {}
    return {
        # Registry texts stay as they are (LocalText): the template's ``shown`` filter picks each
        # one's words for the language and marks English shown for want of a translation.
        "name": described.get("name", system_id),
        "categories": ", ".join(
            gettext(language, str(category)) if category in DATA_CATEGORIES else str(category)
            for category in described.get("categories", [])
        ),
        "records": ngettext(
            language, "%(count)s record about you.", "%(count)s records about you.", int(count)
        )
        if count is not None
        else "",
        "third_parties": [
            (str(party.get("name", "")), party.get("purpose", ""))
            for party in described.get("third_parties") or []
        ],
        "decisions": [(gettext(language, label), decisions.get(key, "")) for key, label in DECISION_WORDS]
        if decisions
        else [],
        # GDPR art. 15(1): why, from where, to whom, as the registry says (registry texts)
        "purposes": list(described.get("purposes") or []),
        "sources": list(described.get("sources") or []),
        "recipients": list(described.get("recipients") or []),
        "entries": _entries(records, language, described.get("fields") or {}),
    }


def _entries(records: Iterable[Any], language: str, labels: dict[str, Any]) -> Iterator[Entry]:
    group: str | None = None
    for record in records:
        heading = _group_heading(record, language)
        shown = heading if heading is not None and heading != group else None
        group = heading if heading is not None else group
        yield Entry(shown, [_labelled(row, labels, language) for row in record_rows(record, language)])


def _labelled(row: Row, labels: dict[str, Any], language: str) -> Row:
    """The row named as the registry names its field, where it does (before the catalogs)."""
    labelled = labels.get(row.field)
    if not labelled:
        return row
    shown = shown_in(labelled["label"], language)
    english_here = shown.language == ENGLISH and not language.startswith(ENGLISH)
    described = labelled.get("description")
    return row._replace(
        label=shown.text, label_language=ENGLISH if english_here else None, description=described
    )


DATA_CATEGORIES = frozenset(
    {
        N_("identifiers"),
        N_("online identifiers"),
        N_("contact details"),
        N_("billing details"),
        N_("transactions"),
        N_("automated decisions"),
        N_("marketing preferences"),
        N_("email engagement"),
        N_("device information"),
        N_("usage data"),
        N_("support history"),
        N_("employment history"),
    }
)
"""The kinds of data systems.yaml names, as the catalogs translate them (a test holds the two
together; a kind the catalogs lack is shown as the registry writes it)."""

DECISION_WORDS = (
    ("purpose", N_("Purpose")),
    ("logic", N_("How it decides")),
    ("outcome", N_("Outcome")),
    ("human_role", N_("What a person does")),
)
"""How a system's automated decisions are described, field by field."""

GROUP_FIELDS = {"_table": N_("From the table: %(name)s"), "record_set": N_("Record type: %(name)s")}
"""Where a record came from inside its system (a database's table, a SaaS tool's record set):
shown as a heading over the records that share it, not as a field of each."""


def _group_heading(record: Any, language: str = ENGLISH) -> str | None:
    if not isinstance(record, dict):
        return None
    for field, words in GROUP_FIELDS.items():
        if isinstance(record.get(field), str) and record[field]:
            return gettext(language, words, name=record[field].replace("_", " "))
    return None


def record_rows(record: Any, language: str = ENGLISH) -> list[Row]:
    """A record's fields as the page shows them: who the person is first, each labelled in ``language``."""
    if not isinstance(record, dict):
        record = {"value": record}
    shown = [(str(field), value) for field, value in record.items() if field not in GROUP_FIELDS]
    return [
        _row(field, value, record, language)._replace(field=field)
        for field, value in sorted(shown, key=lambda item: _reading_order(item[0]))
    ]


def _record_html(record: Any, language: str = ENGLISH) -> bytes:
    """One record as the page writes it (a heading, if any, is the page's to write)."""
    macros = email_templates.environment().get_template(RECORD_TEMPLATE).make_module({"language": language})
    written = getattr(macros, "record")  # noqa: B009 - a macro of the template, unknown to the type checker
    return str(written(Entry(None, record_rows(record, language)))).encode()


MOMENT_FIELDS = ("created", "updated", "timestamp")
"""Fields a SaaS tool fills with a moment in seconds since 1970 (Stripe's ``created``), shown in words."""


def _row(field: str, value: Any, record: dict[str, Any], language: str) -> Row:
    """A file's content (kept as base64 in the JSON) is a link that opens or saves the named file."""
    label = field_label(field, language)
    label_language = ENGLISH if field not in FIELD_LABELS and language != ENGLISH else None
    if _is_epoch_moment(field, value):
        return Row(
            label, moment_in_words(datetime.fromtimestamp(value, UTC), language), None, None, label_language
        )
    if field != "content_base64" or not isinstance(value, str):
        return Row(label, _shown(value, language), label_language=label_language)
    name = str(record.get("file") or "file")
    content_type = str(record.get("content_type") or "application/octet-stream")
    if not all(character.isalnum() or character in "/.+-" for character in content_type):
        content_type = "application/octet-stream"
    opened = gettext(language, "Open or save %(file)s", file=name)
    return Row(label, opened, file=name, href=f"data:{content_type};base64,{value}")


def _is_epoch_moment(field: str, value: Any) -> bool:
    """Seconds since 1970 between 2000 and 2100, in a field named for a moment."""
    named = field in MOMENT_FIELDS or field.endswith(("_at", "_time"))
    return named and type(value) is int and 946_684_800 <= value < 4_102_444_800


FIELD_ORDER = ("name", "email", "requester_email", "phone", "address", "postal_code", "title")
"""Who the person is, as they read it on a form: these first, then every other field as stored."""


def _reading_order(field: str) -> int:
    return FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER)


FIELD_LABELS: dict[str, str] = {
    "account_id": N_("Account number"),
    "address": N_("Postal address"),
    "amount": N_("Amount"),
    "card_brand": N_("Card type"),
    "card_expiry": N_("Card expiry (year and month)"),
    "card_last4": N_("Card number (last 4 digits)"),
    "charge_id": N_("Payment reference"),
    "charged_on": N_("Charged on"),
    "created_month": N_("Account opened (month)"),
    "currency": N_("Currency"),
    "customer_id": N_("Customer"),
    "day": N_("Day"),
    "content_base64": N_("The file"),
    "email": N_("Email address"),
    "emails_opened": N_("Emails opened"),
    "first_seen": N_("First seen"),
    "invoice_id": N_("Invoice number"),
    "ip": N_("IP address"),
    "issued_on": N_("Issued on"),
    "last_invoice_amount": N_("Last invoice amount"),
    "mailing_list": N_("Mailing list"),
    "marketing_opt_in": N_("Agreed to marketing emails"),
    "name": N_("Name"),
    "name_on_card": N_("Name on the card"),
    "os": N_("Operating system"),
    "pages_viewed": N_("Pages viewed"),
    "path": N_("Page visited"),
    "phone": N_("Phone number"),
    "plan": N_("Plan"),
    "postal_code": N_("Postal code"),
    "requester_email": N_("Email address"),
    "seats": N_("Seats"),
    "source": N_("Where we got it"),
    "subscribed": N_("Subscribed"),
    "subscribed_on": N_("Subscribed on"),
    "system_model": N_("Device model"),
    "ticket": N_("Ticket number"),
    "timestamp": N_("When"),
    "title": N_("Job title"),
    "topic": N_("Topic"),
    "tracking_consent": N_("Agreed to tracking"),
    "user_agent": N_("Browser"),
    "visitor_id": N_("Visitor number"),
    # The accounts database, the data lake and the automated decisions of the demonstration
    "automated_decision": N_("Decided by an automated system"),
    "billing_name": N_("Name on invoices"),
    "country": N_("Country"),
    "decided_on": N_("Decided on"),
    "device": N_("Device"),
    "event": N_("Event"),
    "event_time": N_("Time of the event"),
    "invoice_terms_offered": N_("Payment on invoice offered"),
    "page": N_("Page"),
    "processing_restricted": N_("Use restricted"),
    "score": N_("Score"),
    "user_email": N_("Email address"),
}
"""How the fields the demonstration systems hold are named for people (message ids of the
catalogs); any other field is its name in words (``order_total`` reads ``Order total``)."""


_WORD_START = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def field_label(field: str, language: str = ENGLISH) -> str:
    """The field's name for people: the catalogs' where they name it, else its own words
    (``order_total`` and ``createdAt`` read ``Order total`` and ``Created at``)."""
    if field in FIELD_LABELS:
        return gettext(language, FIELD_LABELS[field])
    words = _WORD_START.sub(" ", field).replace("_", " ").split()
    return " ".join(words).capitalize() or field


def _shown(value: Any, language: str = ENGLISH) -> str:
    """A value as a person reads it in ``language``: yes or no, dates in words, lists joined."""
    if isinstance(value, bool):
        return gettext(language, "Yes") if value else gettext(language, "No")
    if value is None or value == "":
        return gettext(language, "(empty)")
    if isinstance(value, list):
        return ", ".join(_shown(item, language) for item in value) or gettext(language, "(none)")
    if isinstance(value, dict):
        shown = "; ".join(
            f"{field_label(str(name), language)}: {_shown(item, language)}" for name, item in value.items()
        )
        return shown or gettext(language, "(none)")
    if isinstance(value, str):
        return _date_in_words(value, language) or value
    return str(value)


def _date_in_words(text: str, language: str = ENGLISH) -> str | None:
    """``2025-06-01`` as ``1 June 2025``, ``2021-03`` as ``March 2021``, ``2026-10-02T09:14:03Z``
    as ``2 October 2026, 09:14 UTC`` (each as ``language`` writes it); None for anything else."""
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        month = int(text[5:])
        return month_in_words(int(text[:4]), month, language) if 1 <= month <= 12 else None
    if len(text) == 10:
        try:
            return day_in_words(date.fromisoformat(text), language)
        except ValueError:
            return None
    if len(text) >= 19 and text[10] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return moment_in_words(moment if moment.tzinfo else moment.replace(tzinfo=UTC), language)
    return None
