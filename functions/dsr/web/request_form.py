"""The privacy request form as plain HTML that works without JavaScript: its fields, their
labels and hints, and the page with the errors of a refused attempt beside the fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from dsr.core.models import RequestType
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.web.page_markup import (
    RELATIONSHIP_LABELS,
    attributes_markup,
    escaped,
    hidden_input,
    page,
    safe_href,
    signal_honored,
)

type FormValues = Mapping[str, str | list[str]]

FORM_LEVEL = "_form"

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
        markup.append(f'<p class="hint" id="{name}-hint">{escaped(hint)}</p>')
        ids.append(f"{name}-hint")
    if name in errors:
        markup.append(
            f'<p class="error-message" id="{name}-error">'
            f'<span class="visually-hidden">Error: </span>{escaped(errors[name])}</p>'
        )
        ids.append(f"{name}-error")
    aria = {"aria-describedby": " ".join(ids) or None, "aria-invalid": "true" if name in errors else None}
    return "\n".join(markup), aria


def _field(name: str, label: str, help_markup: str, control: str, errors: Mapping[str, str]) -> str:
    css = "field has-error" if name in errors else "field"
    parts = [f'<label for="{name}">{escaped(label)}</label>', help_markup, control]
    return f'<div class="{css}">\n' + "\n".join(part for part in parts if part) + "\n</div>"


def _text_input(spec: _Input, values: FormValues, errors: Mapping[str, str]) -> str:
    help_markup, aria = _help(spec.name, spec.hint, errors)
    attributes: dict[str, str | bool | None] = {"id": spec.name, "name": spec.name, "type": spec.kind}
    attributes |= {"value": _one_value(values, spec.name), **spec.extra, **aria}
    return _field(spec.name, spec.label, help_markup, f"<input{attributes_markup(attributes)}>", errors)


def law_recognised(law: str | None) -> str:
    """What the form says of the place the person gave: the law it recognised there, by the name
    the policy table gives it, or, with ``law`` None, that no law applies and every right is offered."""
    if law is None:
        return (
            "We know of no privacy law in our table where you live; we offer you every right we "
            "honour anywhere."
        )
    return (
        f"Where you live, the privacy law {law} gives you these rights; we also offer everyone "
        "the others listed."
    )


def _request_types(
    values: FormValues,
    errors: Mapping[str, str],
    offered: Sequence[RequestType] | None,
    recognised: str | None,
) -> str:
    hint = "Choose all that apply."
    if recognised is not None:
        hint = f"{recognised} {hint}"
    elif offered is not None:
        hint += " These are the rights the privacy law where you live gives you, and those we offer everyone."
    help_markup, aria = _help("request_types", hint, errors)
    chosen = _all_values(values, "request_types")
    choices = []
    for request_type, label in REQUEST_TYPE_LABELS.items():
        if offered is not None and request_type not in offered:
            continue
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
            f'<div class="choice"><input{attributes_markup(attributes)}>'
            f'<label for="{control_id}">{escaped(label)}</label></div>'
        )
    css = ' class="has-error"' if "request_types" in errors else ""
    legend = f"<legend>{escaped(FIELD_LABELS['request_types'])}</legend>"
    return f"<fieldset{css}>\n{legend}\n{help_markup}\n" + "\n".join(choices) + "\n</fieldset>"


def place_form(values: FormValues, action: str) -> str:
    """A form of its own, sent with GET: where the person lives, so that the request form below
    offers the rights the law there gives. It works without JavaScript."""
    fields = []
    for name, label, size in (("country", "Country", "2"), ("region", "State, province or region", "3")):
        attributes = {
            "id": f"place-{name}",
            "name": name,
            "value": _one_value(values, name),
            "maxlength": size,
            "class": "short",
        }
        fields.append(
            f'<div class="field"><label for="place-{name}">{escaped(label)}</label>'
            f"<input{attributes_markup(attributes)}></div>"
        )
    return (
        f'<form method="get" action="{escaped(safe_href(action))}" class="place">\n'
        "<h2>Where you live</h2>\n"
        '<p class="hint">The rights you have depend on the privacy law where you live. Tell us the '
        "two-letter code of your country (and, in the United States or Canada, your state or "
        "province) to see them.</p>\n"
        + "\n".join(fields)
        + '\n<button type="submit">Show my rights</button>\n</form>'
    )


def _relationship(values: FormValues, errors: Mapping[str, str]) -> str:
    help_markup, aria = _help("relationship", "It helps us know where to look for your data.", errors)
    current = _one_value(values, "relationship")
    options = ['<option value="">Choose one</option>']
    for relationship, label in RELATIONSHIP_LABELS.items():
        selected = " selected" if relationship.value == current else ""
        options.append(f'<option value="{relationship.value}"{selected}>{escaped(label)}</option>')
    attributes = {"id": "relationship", "name": "relationship", **aria}
    control = f"<select{attributes_markup(attributes)}>\n" + "\n".join(options) + "\n</select>"
    return _field("relationship", f"{FIELD_LABELS['relationship']} (optional)", help_markup, control, errors)


def _country_suggestions() -> str:
    options = "".join(
        f'<option value="{code}">{escaped(name)}</option>' for code, name in COUNTRY_SUGGESTIONS
    )
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
    control = (
        f"<textarea{attributes_markup(attributes)}>\n{escaped(_one_value(values, 'details'))}</textarea>"
    )
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
            items.append(f'<li><a href="#{_anchor(name)}">{escaped(text)}</a></li>')
        else:
            items.append(f"<li>{escaped(errors[name])}</li>")
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
    offered: Sequence[RequestType] | None = None,
    recognised: str | None = None,
    signal_sent: bool = False,
) -> str:
    """The privacy request form, filled in with ``values`` and showing ``errors`` (by form field
    name); with ``submission_key``, the form sends it back (``SUBMISSION_KEY``). With ``offered``
    (the rights the law where the person lives gives, and those the company offers everyone),
    only those request types, and a form above to say where the person lives; ``recognised``
    (``law_recognised``) says above the choices which law that place has. ``signal_sent``: the
    browser sent the Global Privacy Control signal, which the page says is honoured."""
    values = values or {}
    errors = errors or {}
    sections = [
        "<h1>Make a privacy request</h1>",
        signal_honored() if signal_sent else "",
        _error_summary(errors) if errors else "",
        "<p>Ask us what personal data we hold about you, or to correct it, delete it or stop using it. "
        "You do not need an account.</p>",
        place_form(values, action) if offered is not None else "",
        f'<form method="post" action="{escaped(safe_href(action))}" accept-charset="utf-8">',
        hidden_input(SUBMISSION_KEY, submission_key) if submission_key else "",
        _request_types(values, errors, offered, recognised),
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
    return page(title, "\n".join(section for section in sections if section))
