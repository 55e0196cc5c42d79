"""The privacy request web form and the subject's own pages, as plain HTML that works without JavaScript.

Pure functions: each takes what a route has in hand and returns a whole page as a string, or turns a
posted form into a :class:`~dsr.core.models.NewRequest`. Every piece of text that came from a person is
escaped here, so a route never has to.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from dsr.core.models import NewRequest, Relationship, RequestType, Status, normalized_phone
from dsr.core.readable_dates import day_text
from dsr.notices.public_views import Proof, SubjectView
from dsr.notices.subject_notices import utc_moment

type FormValues = Mapping[str, str | list[str]]
type Attributes = Mapping[str, str | bool | None]

SITE_NAME = "Privacy requests"
FORM_LEVEL = "_form"

REQUEST_TYPE_LABELS: dict[RequestType, str] = {
    RequestType.ACCESS: "Get a copy of my personal data",
    RequestType.PORTABILITY: "Get a copy of my personal data in a portable format",
    RequestType.ERASURE: "Delete my personal data",
    RequestType.RECTIFICATION: "Correct my personal data",
    RequestType.RESTRICTION: "Restrict how you use my data",
    RequestType.OBJECTION: "Stop processing my data for your legitimate interests",
    RequestType.MARKETING_OPT_OUT: "Stop sending me marketing",
    RequestType.SALE_SHARING_OPT_OUT: "Do not sell or share my personal data",
}

RELATIONSHIP_LABELS: dict[Relationship, str] = {
    Relationship.ACCOUNT_HOLDER: "I have an account with you",
    Relationship.CUSTOMER_CONTACT: "I am a contact in one of your customers' CRM",
    Relationship.MARKETING_LEAD: "I signed up for marketing or an event",
    Relationship.JOB_APPLICANT: "I applied for a job with you",
    Relationship.WEBSITE_VISITOR: "I visited your website",
    Relationship.OTHER: "Other",
}

STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Received",
    Status.VERIFYING: "Waiting for you to confirm your email address",
    Status.AWAITING_APPROVAL: "Being reviewed",
    Status.IN_PROGRESS: "In progress",
    Status.COMPLETED: "Complete",
    Status.PARTIALLY_COMPLETED: "Partly complete",
    Status.DENIED: "Refused",
    Status.UNVERIFIABLE: "Closed: email address not confirmed",
    Status.FAILED: "Held up by a problem on our side",
    Status.LINKED: "Joined to another of your requests",
    Status.CANCELLED: "Closed without action",
}

WAITING_FOR_PROOF_LABELS: dict[Proof, str] = {
    Proof.CODE: STATUS_LABELS[Status.VERIFYING],
    Proof.CODE_AND_DETAILS: "Waiting for you to confirm it is you",
    Proof.SIGN_IN: "Waiting for you to sign in to your account",
    Proof.POWER_OF_ATTORNEY: "Checking your agent's power of attorney",
    Proof.NONE: "Being reviewed",
}
"""The VERIFYING status as the subject reads it: what it waits for depends on the proof asked."""


def status_label(status: Status, proof: Proof = Proof.CODE) -> str:
    if status is Status.VERIFYING:
        return WAITING_FOR_PROOF_LABELS[proof]
    return STATUS_LABELS.get(status, status.value)


# Suggestions for the country box; any ISO 3166-1 two-letter code may be typed.
COUNTRY_SUGGESTIONS: tuple[tuple[str, str], ...] = (
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("ES", "Spain"),
    ("IT", "Italy"),
    ("NL", "Netherlands"),
    ("US", "United States"),
    ("CA", "Canada"),
    ("BR", "Brazil"),
    ("AU", "Australia"),
    ("IN", "India"),
)

CORRECTION_ROWS = (1, 2, 3)
SINGLE_VALUE_FIELDS = (
    "email",
    "name",
    "phone",
    "account_id",
    "relationship",
    "country",
    "region",
    *(f"correction_{part}_{row}" for row in CORRECTION_ROWS for part in ("field", "value")),
    "details",
    "preferred_language",
)
# Every field the form has, in the order the page shows them (the error summary follows it).
FORM_FIELDS = ("request_types", *SINGLE_VALUE_FIELDS)
SUBMISSION_KEY = "submission_key"
"""The form's hidden field: a key made when the form is shown, so that the same form sent twice
(a double click, a resend after a lost answer) records one request."""

FIELD_LABELS: dict[str, str] = {
    "request_types": "What you would like us to do",
    "email": "Email address",
    "name": "Full name",
    "phone": "Phone number",
    "account_id": "Account ID",
    "relationship": "How you know us",
    "country": "Country",
    "region": "State, province or region",
    "details": "Anything else we should know",
    "preferred_language": "Preferred language",
    **{f"correction_field_{row}": f"Correction {row}: which detail is wrong" for row in CORRECTION_ROWS},
    **{f"correction_value_{row}": f"Correction {row}: what it should be" for row in CORRECTION_ROWS},
}

# What to say when a value does not fit, where pydantic's own words would not help a person.
FIELD_MESSAGES: dict[str, str] = {
    "email": "Enter your email address, like name@example.com.",
    "request_types": "Choose one or more of the things listed.",
    "relationship": "Choose how you know us from the list.",
    "country": "Enter the two-letter code of your country, such as GB, DE or US.",
    "region": "Enter your state or province as a code of up to three letters or digits, such as CA or QC.",
    "account_id": "An account ID has only letters, digits, hyphens and underscores, at most 64 of them.",
    "preferred_language": "Enter a language code such as en, fr or pt-BR.",
    "correction_field": "Tell us which detail is wrong.",
    "correction_value": "Tell us what the detail should be.",
}
NEEDS_CORRECTION = "To correct your data, tell us which detail is wrong and what it should be."
CORRECTION_NOT_ASKED = (
    "You filled in a correction but did not choose \u201cCorrect my personal data\u201d. "
    "Choose it, or clear the correction."
)
ONE_VALUE_ONLY = "Give only one value here."
INVALID_EMAIL = "Enter a valid email address, like name@example.com."

STYLE = (
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;"
    "color:#0b0c0c;background:#fff}"
    "main{max-width:42rem;margin:0 auto;padding:1rem 1.25rem 3rem}"
    "h1{font-size:1.9rem;line-height:1.2}"
    ".field,fieldset{margin:0 0 1.5rem}"
    "fieldset{border:0;padding:0}"
    "label,legend{display:block;font-weight:600}"
    "legend{font-size:1.15rem;margin-bottom:.25rem}"
    ".choice{display:flex;gap:.6rem;align-items:flex-start;margin:.4rem 0}"
    ".choice label{font-weight:400}"
    ".choice input{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none}"
    ".hint{color:#505a5f;margin:.2rem 0 .4rem}"
    ".error-message{color:#d4351c;font-weight:600;margin:.2rem 0 .4rem}"
    ".has-error{border-left:5px solid #d4351c;padding-left:.9rem}"
    "input,select,textarea{font:inherit;padding:.4rem;border:2px solid #0b0c0c;border-radius:0;"
    "box-sizing:border-box;max-width:100%}"
    "input[type=text],input[type=email],input[type=tel],select,textarea{width:100%}"
    "input.short{width:6rem}"
    "[aria-invalid=true]{border-color:#d4351c}"
    ":focus{outline:3px solid #ffdd00;outline-offset:0}"
    "button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;color:#fff;"
    "background:#00703c;cursor:pointer}"
    "button.secondary{color:#0b0c0c;background:#f3f2f1;border:2px solid #0b0c0c;font-weight:400}"
    ".error-summary{border:5px solid #d4351c;padding:1rem 1.25rem;margin:0 0 2rem}"
    ".error-summary h2{margin-top:0}"
    ".error-summary a{color:#d4351c;font-weight:600}"
    ".notice{border-left:5px solid #1d70b8;background:#f3f2f1;padding:.75rem 1rem;margin:0 0 1.5rem}"
    "dt{font-weight:600}dd{margin:0 0 .9rem}"
    ".reference{font-size:1.4rem;font-weight:700;word-break:break-all}"
    ".visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

# Headers for every page here: no script may run, the inline style is allowed by its hash, forms post
# only to this site, and pages that carry status tokens and personal data are neither cached nor
# leaked through the Referer header.
RESPONSE_HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


class FormErrors(Exception):  # noqa: N818 (several errors at once; the routes use this name)
    """The form cannot become a request. ``errors`` maps form field names (or ``_form``) to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        # Only the names: a message may quote what the person typed, and exceptions end up in logs.
        super().__init__(f"invalid form fields: {', '.join(sorted(self.errors))}")


# --- markup helpers ----------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _attributes(attributes: Attributes) -> str:
    """`` name="value"`` for each attribute; ``True`` is a bare attribute, ``None``/``False`` none."""
    parts = []
    for name, value in attributes.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not None and value is not False:
            parts.append(f' {name}="{_e(value)}"')
    return "".join(parts)


def _safe_href(url: str) -> str:
    """Links go to web addresses only: never ``javascript:`` or ``data:``."""
    return url if urlsplit(url.strip()).scheme.lower() in {"", "http", "https"} else "#"


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)} \u2013 {_e(SITE_NAME)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _readable_date(iso: str) -> str:
    """``2026-03-12`` as ``<time datetime="2026-03-12">12 March 2026</time>``; anything else as given."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return _e(iso)
    return f'<time datetime="{day.isoformat()}">{day_text(day)}</time>'


# --- the request form --------------------------------------------------------------------------


class _Input(NamedTuple):
    name: str
    hint: str | None = None
    kind: str = "text"
    extra: Mapping[str, str | bool] = MappingProxyType({})
    optional: bool = True

    @property
    def label(self) -> str:
        label = FIELD_LABELS[self.name]
        return f"{label} (optional)" if self.optional else label


_ABOUT_YOU = (
    _Input(
        "email",
        "We will email you a code to confirm this address is yours, and reply to it.",
        "email",
        {"required": True, "autocomplete": "email", "maxlength": "254", "spellcheck": "false"},
        optional=False,
    ),
    _Input("name", "As you gave it to us.", extra={"autocomplete": "name", "maxlength": "200"}),
    _Input(
        "phone",
        "Include the country code (for example +44 20 7123 4567), or tell us your country below.",
        "tel",
        {"autocomplete": "tel", "maxlength": "40"},
    ),
    _Input(
        "account_id",
        "If you have an account with us, it helps us find your data.",
        extra={"maxlength": "64", "autocomplete": "off", "spellcheck": "false"},
    ),
)
_WHERE_YOU_LIVE = (
    _Input(
        "country",
        "The two-letter code of the country you live in, such as GB, DE or US. "
        "It tells us which privacy law applies.",
        extra={"autocomplete": "country", "maxlength": "2", "list": "country-codes", "class": "short"},
    ),
    _Input(
        "region",
        "In the United States or Canada: your state or province code, such as CA, TX or QC.",
        extra={"maxlength": "3", "class": "short"},
    ),
)
_LANGUAGE = _Input(
    "preferred_language",
    "The language you would like us to write to you in, as a code such as en, fr or de.",
    extra={"autocomplete": "language", "maxlength": "35", "class": "short"},
)


def _one_value(values: FormValues, name: str) -> str:
    value = values.get(name, "")
    if isinstance(value, str):
        return value
    return value[0] if value else ""


def _all_values(values: FormValues, name: str) -> set[str]:
    value = values.get(name, [])
    return {value} if isinstance(value, str) else set(value)


def _help(name: str, hint: str | None, errors: Mapping[str, str]) -> tuple[str, dict[str, str | None]]:
    """The hint and error shown above a field, and the ARIA attributes that point its input at them."""
    markup, ids = [], []
    if hint:
        markup.append(f'<p class="hint" id="{name}-hint">{_e(hint)}</p>')
        ids.append(f"{name}-hint")
    if name in errors:
        markup.append(
            f'<p class="error-message" id="{name}-error">'
            f'<span class="visually-hidden">Error: </span>{_e(errors[name])}</p>'
        )
        ids.append(f"{name}-error")
    aria = {"aria-describedby": " ".join(ids) or None, "aria-invalid": "true" if name in errors else None}
    return "\n".join(markup), aria


def _field(name: str, label: str, help_markup: str, control: str, errors: Mapping[str, str]) -> str:
    css = "field has-error" if name in errors else "field"
    parts = [f'<label for="{name}">{_e(label)}</label>', help_markup, control]
    return f'<div class="{css}">\n' + "\n".join(part for part in parts if part) + "\n</div>"


def _text_input(spec: _Input, values: FormValues, errors: Mapping[str, str]) -> str:
    help_markup, aria = _help(spec.name, spec.hint, errors)
    attributes: dict[str, str | bool | None] = {"id": spec.name, "name": spec.name, "type": spec.kind}
    attributes |= {"value": _one_value(values, spec.name), **spec.extra, **aria}
    return _field(spec.name, spec.label, help_markup, f"<input{_attributes(attributes)}>", errors)


def _request_types(values: FormValues, errors: Mapping[str, str]) -> str:
    help_markup, aria = _help("request_types", "Choose all that apply.", errors)
    chosen = _all_values(values, "request_types")
    choices = []
    for request_type, label in REQUEST_TYPE_LABELS.items():
        control_id = f"request_types-{request_type.value}"
        attributes = {
            "id": control_id,
            "name": "request_types",
            "type": "checkbox",
            "value": request_type.value,
            "checked": request_type.value in chosen,
            **aria,
        }
        choices.append(
            f'<div class="choice"><input{_attributes(attributes)}>'
            f'<label for="{control_id}">{_e(label)}</label></div>'
        )
    css = ' class="has-error"' if "request_types" in errors else ""
    legend = f"<legend>{_e(FIELD_LABELS['request_types'])}</legend>"
    return f"<fieldset{css}>\n{legend}\n{help_markup}\n" + "\n".join(choices) + "\n</fieldset>"


def _relationship(values: FormValues, errors: Mapping[str, str]) -> str:
    help_markup, aria = _help("relationship", "It helps us know where to look for your data.", errors)
    current = _one_value(values, "relationship")
    options = ['<option value="">Choose one</option>']
    for relationship, label in RELATIONSHIP_LABELS.items():
        selected = " selected" if relationship.value == current else ""
        options.append(f'<option value="{relationship.value}"{selected}>{_e(label)}</option>')
    attributes = {"id": "relationship", "name": "relationship", **aria}
    control = f"<select{_attributes(attributes)}>\n" + "\n".join(options) + "\n</select>"
    return _field("relationship", f"{FIELD_LABELS['relationship']} (optional)", help_markup, control, errors)


def _country_suggestions() -> str:
    options = "".join(f'<option value="{code}">{_e(name)}</option>' for code, name in COUNTRY_SUGGESTIONS)
    return f'<datalist id="country-codes">{options}</datalist>'


def _corrections(values: FormValues, errors: Mapping[str, str]) -> str:
    rows = []
    for row in CORRECTION_ROWS:
        for part, extra in (("field", {"maxlength": "100"}), ("value", {"maxlength": "500"})):
            spec = _Input(f"correction_{part}_{row}", extra=extra, optional=False)
            rows.append(_text_input(spec, values, errors))
    return (
        '<fieldset aria-describedby="corrections-hint">\n'
        "<legend>Corrections: only if you chose \u201cCorrect my personal data\u201d</legend>\n"
        '<p class="hint" id="corrections-hint">Tell us which detail is wrong (for example, your postal '
        "address) and what it should be. Leave these empty for any other request.</p>\n"
        + "\n".join(rows)
        + "\n</fieldset>"
    )


def _details(values: FormValues, errors: Mapping[str, str]) -> str:
    hint = "For example, which of our services you used, or other names or addresses we may know you by."
    help_markup, aria = _help("details", hint, errors)
    attributes = {"id": "details", "name": "details", "rows": "5", "maxlength": "4000", **aria}
    # The newline after the start tag is dropped by every HTML parser, so a value may start with one.
    control = f"<textarea{_attributes(attributes)}>\n{_e(_one_value(values, 'details'))}</textarea>"
    return _field("details", f"{FIELD_LABELS['details']} (optional)", help_markup, control, errors)


def _anchor(name: str) -> str:
    return f"request_types-{RequestType.ACCESS.value}" if name == "request_types" else name


def _summary_order(name: str) -> int:
    if name == FORM_LEVEL:
        return -1
    return FORM_FIELDS.index(name) if name in FORM_FIELDS else len(FORM_FIELDS)


def _error_summary(errors: Mapping[str, str]) -> str:
    items = []
    for name in sorted(errors, key=_summary_order):
        if name in FORM_FIELDS:
            text = f"{FIELD_LABELS[name]}: {errors[name]}"
            items.append(f'<li><a href="#{_anchor(name)}">{_e(text)}</a></li>')
        else:
            items.append(f"<li>{_e(errors[name])}</li>")
    return (
        '<div class="error-summary" id="error-summary" role="alert" aria-labelledby="error-summary-title">\n'
        '<h2 id="error-summary-title">There is a problem</h2>\n<ul>\n' + "\n".join(items) + "\n</ul>\n</div>"
    )


def request_form_page(
    values: FormValues | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    action: str = "/privacy-request",
    submission_key: str | None = None,
) -> str:
    """The privacy request form, filled in with ``values`` and showing ``errors`` (by form field
    name); with ``submission_key``, the form sends it back (``SUBMISSION_KEY``)."""
    values = values or {}
    errors = errors or {}
    sections = [
        "<h1>Make a privacy request</h1>",
        _error_summary(errors) if errors else "",
        "<p>Ask us what personal data we hold about you, or to correct it, delete it or stop using it. "
        "You do not need an account.</p>",
        f'<form method="post" action="{_e(_safe_href(action))}" accept-charset="utf-8">',
        _hidden(SUBMISSION_KEY, submission_key) if submission_key else "",
        _request_types(values, errors),
        "<h2>About you</h2>",
        *(_text_input(spec, values, errors) for spec in _ABOUT_YOU),
        _relationship(values, errors),
        *(_text_input(spec, values, errors) for spec in _WHERE_YOU_LIVE),
        _country_suggestions(),
        _corrections(values, errors),
        _details(values, errors),
        _text_input(_LANGUAGE, values, errors),
        '<button type="submit">Send my request</button>',
        "</form>",
    ]
    title = "Error: Make a privacy request" if errors else "Make a privacy request"
    return _page(title, "\n".join(section for section in sections if section))


# --- reading the posted form -------------------------------------------------------------------


class _Reading:
    """What the form says so far, and what is already known to be wrong with it."""

    __slots__ = ("correction_rows", "errors", "single")

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.single: dict[str, str] = {}
        self.correction_rows: list[int] = []


def _refuse_unknown_fields(form: Mapping[str, list[str]], reading: _Reading) -> None:
    unknown = [name for name in form if name not in FORM_FIELDS and name != SUBMISSION_KEY]
    if unknown:
        named = ", ".join(f"\u201c{name[:40]}\u201d" for name in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        reading.errors[FORM_LEVEL] = f"This form does not accept the field {named}{more}."


# Read in capitals: ``gb`` is GB (the model's own upper-casing comes after its pattern check).
_CODES = frozenset({"country", "region"})


def _read_single_values(form: Mapping[str, list[str]], reading: _Reading) -> None:
    """Each one-value field, stripped; blank ones are left out, repeated ones refused."""
    for name in SINGLE_VALUE_FIELDS:
        given = form.get(name, [])
        if len(given) > 1:
            reading.errors[name] = ONE_VALUE_ONLY
        value = given[0].replace("\r\n", "\n").strip() if given else ""
        if name in _CODES:
            value = value.upper()
        if value:
            reading.single[name] = value


def _corrections_data(reading: _Reading) -> list[dict[str, str]]:
    """One correction for each row with anything in it; which row each came from is remembered."""
    corrections = []
    for row in CORRECTION_ROWS:
        wrong = reading.single.get(f"correction_field_{row}", "")
        right = reading.single.get(f"correction_value_{row}", "")
        if wrong or right:
            corrections.append({"field": wrong, "corrected_value": right})
            reading.correction_rows.append(row)
    return corrections


def _phone_in_e164(reading: _Reading) -> str | None:
    """The phone number read in the stated country, so that a national number needs no +prefix."""
    phone = reading.single.get("phone")
    if phone is None:
        return None
    country = reading.single.get("country", "").upper()
    try:
        return normalized_phone(phone, country if re.fullmatch(r"[A-Z]{2}", country) else None)
    except ValueError as error:
        reading.errors["phone"] = _sentence(str(error))
        return None


_SUBJECT_FIELDS = ("email", "name", "account_id")
_REQUEST_FIELDS = ("relationship", "country", "region", "details", "preferred_language")


def _request_data(form: Mapping[str, list[str]], reading: _Reading) -> dict[str, Any]:
    single = reading.single
    subject = {name: single[name] for name in _SUBJECT_FIELDS if name in single}
    phone = _phone_in_e164(reading)
    if phone is not None:
        subject["phone"] = phone
    types = [value.strip() for value in form.get("request_types", []) if value.strip()]
    data: dict[str, Any] = {"request_types": list(dict.fromkeys(types)), "subject": subject}
    data |= {name: single[name] for name in _REQUEST_FIELDS if name in single}
    corrections = _corrections_data(reading)
    if corrections:
        data["corrections"] = corrections
    return data


def new_request_from_form(form: Mapping[str, list[str]]) -> NewRequest:
    """A request from the posted form, as ``urllib.parse.parse_qs(body, keep_blank_values=True)`` reads it.

    Raises :class:`FormErrors` naming each form field that is wrong, in words a person can act on.
    """
    reading = _Reading()
    _refuse_unknown_fields(form, reading)
    _read_single_values(form, reading)
    data = _request_data(form, reading)
    try:
        request = NewRequest.model_validate(data)
    except ValidationError as invalid:
        for issue in invalid.errors():
            name, message = _form_error(issue, data, reading.correction_rows)
            reading.errors.setdefault(name, message)
        raise FormErrors(reading.errors) from None
    if reading.errors:
        raise FormErrors(reading.errors)
    return request


# --- pydantic's errors in the form's words -----------------------------------------------------


def _sentence(message: str) -> str:
    message = message.removeprefix("Value error, ").strip()
    if not message:
        return "This value is not valid."
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."


def _form_error(issue: ErrorDetails, data: Mapping[str, Any], rows: Sequence[int]) -> tuple[str, str]:
    """The form field a pydantic error belongs to, and what to tell the person."""
    location = tuple(issue["loc"])
    if not location:
        return _model_error(issue, data, rows)
    name = _field_for(location, rows)
    return name, _message(name, issue)


def _field_for(location: tuple[int | str, ...], rows: Sequence[int]) -> str:
    head = location[0]
    if head == "subject":
        # The subject's only check across fields is the phone number's.
        return str(location[1]) if len(location) > 1 else "phone"
    if head == "corrections":
        return _correction_field(location, rows)
    return str(head) if head in FORM_FIELDS else FORM_LEVEL


def _correction_field(location: tuple[int | str, ...], rows: Sequence[int]) -> str:
    """``("corrections", 0, "field")`` is the first filled-in row's ``correction_field_N``."""
    index = location[1] if len(location) > 1 else 0
    row = rows[index] if isinstance(index, int) and index < len(rows) else CORRECTION_ROWS[0]
    part = "field" if location[2:3] == ("field",) else "value"
    return f"correction_{part}_{row}"


def _model_error(issue: ErrorDetails, data: Mapping[str, Any], rows: Sequence[int]) -> tuple[str, str]:
    """A check across fields: corrections and rectification go together, or something else."""
    message = str(issue["msg"])
    if "correction" not in message:
        return FORM_LEVEL, _sentence(message)
    if rows and RequestType.RECTIFICATION.value not in data["request_types"]:
        return "request_types", CORRECTION_NOT_ASKED
    return f"correction_value_{CORRECTION_ROWS[0]}", NEEDS_CORRECTION


_NOT_AN_EMAIL = "Value is not a valid email address: "


# Errors whose own words name the value and what to enter instead.
SELF_EXPLAINING_ERRORS = frozenset({"country_code", "region_code", "region_without_country"})


def _message(name: str, issue: ErrorDetails) -> str:
    kind = issue["type"]
    if kind in SELF_EXPLAINING_ERRORS:
        return _sentence(str(issue["msg"]))
    if kind == "value_error":
        reason = _sentence(str(issue["msg"]))
        if reason.startswith(_NOT_AN_EMAIL):
            return f"{INVALID_EMAIL} {_sentence(reason.removeprefix(_NOT_AN_EMAIL))}"
        return reason
    limit = (issue.get("ctx") or {}).get("max_length")
    if kind == "string_too_long" and limit is not None:
        return f"Use at most {limit} characters."
    base = name.rsplit("_", 1)[0] if name.startswith("correction_") else name
    return FIELD_MESSAGES.get(base) or _sentence(str(issue["msg"]))


# --- the subject's other pages -----------------------------------------------------------------


def _status_details(view: SubjectView, proof: Proof) -> str:
    asked = "".join(f"<li>{_e(_request_type_label(value))}</li>" for value in view.request_types)
    rows = [
        ("Reference", _e(view.request_id)),
        ("Status", _e(status_label(view.status, proof))),
        ("Next step", _e(view.next_step)),
        ("What you asked for", f"<ul>{asked}</ul>"),
        ("Received", _readable_date(view.received_on)),
    ]
    if view.linked_to:
        rows.append(("Answered with your request", _e(view.linked_to)))
    if view.closed_on:
        rows.append(("Closed", _readable_date(view.closed_on)))
    else:
        rows.append(("We will respond by", _readable_date(view.respond_by)))
    if view.appeal is not None:
        rows += [
            ("Your appeal", _e(view.appeal.next_step)),
            ("Appeal received", _readable_date(view.appeal.received_on)),
            ("We will answer your appeal by", _readable_date(view.appeal.answer_by)),
        ]
    return "<dl>\n" + "\n".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows) + "\n</dl>"


APPEAL_STATEMENT_LIMIT = 4000


def _appeal_form(request_id: str, token: str, until: str) -> str:
    """Where the law gives an appeal against a refusal: the subject says why they disagree."""
    action = f"/status/{quote(request_id, safe='')}/appeal"
    statement: Attributes = {
        "id": "statement",
        "name": "statement",
        "rows": "6",
        "maxlength": str(APPEAL_STATEMENT_LIMIT),
        "required": True,
        "aria-describedby": "statement-hint",
    }
    return f"""<h2>Appeal this decision</h2>
<p>If you think we were wrong, you may appeal until {_readable_date(until)}. Someone who did not
take the decision will look at it again and answer you in writing, with reasons.</p>
<form method="post" action="{_e(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<div class="field">
<label for="statement">Why do you disagree?</label>
<p class="hint" id="statement-hint">At most {APPEAL_STATEMENT_LIMIT} characters.</p>
<textarea{_attributes(statement)}></textarea>
</div>
<button type="submit">Send my appeal</button>
</form>"""


def _request_type_label(value: str) -> str:
    try:
        return REQUEST_TYPE_LABELS[RequestType(value)]
    except ValueError:
        return value


def _data_point_input(name: str) -> dict[str, str | bool | None]:
    return {"id": f"point_{name}", "name": f"point_{name}", "type": "text", "autocomplete": "off"}


def _data_point_fields(data_points: Sequence[tuple[str, str]], needed: int) -> str:
    """Inputs for the details we hold, named ``point_<name>``; the subject fills ``needed`` of them."""
    if not data_points:
        return ""
    fields = "".join(
        f'<div class="field"><label for="point_{_e(name)}">{_e(label)}</label>'
        f"<input{_attributes(_data_point_input(name))}></div>"
        for name, label in data_points
    )
    return (
        f"<fieldset><legend>To protect your data, give at least {needed} of these details as we hold them"
        f"</legend>{fields}</fieldset>"
    )


def _code_input(prefilled: str = "") -> dict[str, str | bool | None]:
    """The attributes of a six-digit one-time code field; phones offer the code from the email."""
    return {
        "value": prefilled if prefilled.isdigit() and len(prefilled) == 6 else None,
        "id": "code",
        "name": "code",
        "type": "text",
        "inputmode": "numeric",
        "pattern": "[0-9]{6}",
        "maxlength": "6",
        "autocomplete": "one-time-code",
        "spellcheck": "false",
        "required": True,
        "aria-describedby": "code-hint",
        "class": "short",
    }


CONFIRM_EMAIL_WORDS = ("Confirm your email address", "Confirm my email address")
"""The code form's heading and button when the code alone is asked."""


def _code_form(
    action: str, token: str, prefilled: str, data_points: Sequence[tuple[str, str]], needed: int
) -> str:
    code = _code_input(prefilled)
    # With details as well as the code, the form confirms the person, not only the address.
    heading, button = ("Confirm it is you", "Confirm") if data_points else CONFIRM_EMAIL_WORDS
    return f"""<h2>{heading}</h2>
<form method="post" action="{_e(_safe_href(action))}" accept-charset="utf-8">
<input{_attributes({"type": "hidden", "name": "token", "value": token})}>
<div class="field">
<label for="code">Verification code</label>
<p class="hint" id="code-hint">The 6 digits in the email we sent you.</p>
<input{_attributes(code)}>
</div>
{_data_point_fields(data_points, needed)}
<button type="submit">{button}</button>
</form>
<form method="post" action="{_e(_safe_href(_new_code_action(action)))}" accept-charset="utf-8">
<input{_attributes({"type": "hidden", "name": "token", "value": token})}>
<p>Code not arrived, or expired? We can email you a new one; the code we sent before then stops working.</p>
<button type="submit" class="secondary">Email me a new code</button>
</form>"""


def _new_code_action(verification_action: str) -> str:
    """``…/status/{id}/new-code`` beside ``…/status/{id}/verification`` (under any stage prefix)."""
    return verification_action.removesuffix("/verification") + "/new-code"


def status_page(
    view: SubjectView,
    *,
    token: str,
    message: str | None = None,
    show_code_form: bool,
    action: str | None = None,
    code: str = "",
    data_points: Sequence[tuple[str, str]] = (),
    data_points_needed: int = 0,
    proof: Proof = Proof.CODE,
) -> str:
    """The subject's view of their request; with the code form while their email address is unconfirmed.

    ``action`` is where the code form posts: ``/status/{request_id}/verification`` unless given (pass
    the full path when the API is served under a stage prefix).
    """
    action = action or f"/status/{quote(view.request_id, safe='')}/verification"
    sections = [
        "<h1>Your privacy request</h1>",
        f'<div class="notice" role="status"><p>{_e(message)}</p></div>' if message else "",
        _status_details(view, proof),
        _code_form(action, token, code, data_points, data_points_needed) if show_code_form else "",
        _appeal_form(view.request_id, token, view.can_appeal_until) if view.can_appeal_until else "",
    ]
    return _page("Your privacy request", "\n".join(section for section in sections if section))


def message_page(title: str, message: str, *, status_url: str | None = None) -> str:
    """A simple outcome, such as "Code accepted", with a way back to the status page."""
    link = (
        f'<p><a href="{_e(_safe_href(status_url))}">Back to the status of your request</a></p>'
        if status_url
        else ""
    )
    return _page(title, f"<h1>{_e(title)}</h1>\n<p>{_e(message)}</p>\n{link}".rstrip())


# --- downloading the access package ------------------------------------------------------------


def _until(moment: datetime) -> str:
    return f'<time datetime="{_e(moment.isoformat())}">{_e(utc_moment(moment))}</time>'


def _hidden(name: str, value: str) -> str:
    return f"<input{_attributes({'type': 'hidden', 'name': name, 'value': value})}>"


def _hidden_token(token: str) -> str:
    return _hidden("token", token)


def _download_code_form(request_id: str, token: str) -> str:
    code = _code_input()
    action = f"/download/{quote(request_id, safe='')}"
    return f"""<form method="post" action="{_e(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<div class="field">
<label for="code">Download code</label>
<p class="hint" id="code-hint">The 6 digits in the email we have just sent you.</p>
<input{_attributes(code)}>
</div>
<button type="submit">Download my data</button>
</form>"""


def _ask_for_code_form(request_id: str, token: str, *, again: bool) -> str:
    """The first code is the page's one action; once one is sent, a new one is the lesser choice,
    worded so nobody presses it instead of downloading (it replaces the code we sent)."""
    action = f"/download/{quote(request_id, safe='')}/code"
    if not again:
        return f"""<form method="post" action="{_e(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<button type="submit">Email me a code</button>
</form>"""
    return f"""<h2>Code not arrived, or expired?</h2>
<p>We can email you a new code. The code we sent before then stops working.</p>
<form method="post" action="{_e(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<button type="submit" class="secondary">Email me a new code instead</button>
</form>"""


def download_page(
    request_id: str,
    token: str,
    available_until: datetime,
    *,
    code_sent: bool = False,
    problem: str | None = None,
    code_minutes: int = 15,
) -> str:
    """The page the completion email links to: ask for a fresh code, then enter it."""
    sections = [
        "<h1>Download your personal data</h1>",
        f'<div class="error-summary" role="alert"><p>{_e(problem)}</p></div>' if problem else "",
        (
            '<div class="notice" role="status"><p>We have emailed a 6-digit code to the address on '
            f"your request. It works once, for {code_minutes} minutes.</p></div>"
            if code_sent and not problem
            else ""
        ),
        f"<p>Reference {_e(request_id)}. This link works until {_until(available_until)}.</p>",
        _download_code_form(request_id, token) if code_sent else "",
        "<p>To protect your data, we email a fresh code to the address on your request before you "
        "download it. Nobody can download your data without that code.</p>",
        _ask_for_code_form(request_id, token, again=code_sent),
    ]
    return _page("Download your personal data", "\n".join(section for section in sections if section))


def download_links_page(readable: str | None, data: str | None, seconds: int) -> str:
    """The package links, answered to a right code; they work for ``seconds`` only."""
    links = [
        (readable, "Your data as a page to read (HTML)"),
        (data, "Your data in a format for computers (JSON)"),
    ]
    items = "".join(f'<li><a href="{_e(_safe_href(url))}">{_e(text)}</a></li>' for url, text in links if url)
    body = f"""<h1>Your personal data</h1>
<div class="notice" role="status"><p>Your code is accepted. These links work for the next
{seconds // 60} minutes; save the files somewhere safe.</p></div>
<ul>{items}</ul>
<p>If the links stop working, open the link in our email again and ask for a new code.</p>"""
    return _page("Your personal data", body)


def download_expired_page(form_url: str, mailbox: str) -> str:
    """Past the download window: the link has expired, and how to ask again."""
    body = f"""<h1>This download link has expired</h1>
<p>To protect your data, the link in our email worked for a limited time, and that time has passed.</p>
<p>To get a copy of your personal data, <a href="{_e(_safe_href(form_url))}">make a new request</a>
or write to <a href="mailto:{_e(mailbox)}">{_e(mailbox)}</a>.</p>"""
    return _page("This download link has expired", body)
