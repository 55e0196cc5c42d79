"""The privacy request form as plain HTML that works without JavaScript: its fields, their
labels and hints, and the page with the errors of a refused attempt beside the fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from dsr.core.catalogs import N_, gettext
from dsr.core.languages import ENGLISH, html_lang
from dsr.core.models import RequestType
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.web import page_templates
from dsr.web.page_markup import RELATIONSHIP_LABELS, STYLE, safe_href

type FormValues = Mapping[str, str | list[str]]

FORM_LEVEL = "_form"

# Suggestions for the country box; any ISO 3166-1 two-letter code may be typed.
COUNTRY_SUGGESTIONS: tuple[tuple[str, str], ...] = (
    ("GB", N_("United Kingdom")),
    ("IE", N_("Ireland")),
    ("DE", N_("Germany")),
    ("FR", N_("France")),
    ("ES", N_("Spain")),
    ("IT", N_("Italy")),
    ("NL", N_("Netherlands")),
    ("US", N_("United States")),
    ("CA", N_("Canada")),
    ("BR", N_("Brazil")),
    ("AU", N_("Australia")),
    ("IN", N_("India")),
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

# Each label in English, which is its message id in the catalogs; a correction's names its row.
FIELD_LABELS: dict[str, str] = {
    "request_types": N_("What you would like us to do"),
    "email": N_("Email address"),
    "name": N_("Full name"),
    "phone": N_("Phone number"),
    "account_id": N_("Account ID"),
    "relationship": N_("How you know us"),
    "country": N_("Country"),
    "region": N_("State, province or region"),
    "details": N_("Anything else we should know"),
    "preferred_language": N_("Preferred language"),
    **{f"correction_field_{row}": N_("Correction %(row)s: which detail is wrong") for row in CORRECTION_ROWS},
    **{f"correction_value_{row}": N_("Correction %(row)s: what it should be") for row in CORRECTION_ROWS},
}

# What to say when a value does not fit, where pydantic's own words would not help a person.
FIELD_MESSAGES: dict[str, str] = {
    "email": N_("Enter your email address, like name@example.com."),
    "request_types": N_("Choose one or more of the things listed."),
    "relationship": N_("Choose how you know us from the list."),
    "country": N_("Enter the two-letter code of your country, such as GB, DE or US."),
    "region": N_(
        "Enter your state or province as a code of up to three letters or digits, such as CA or QC."
    ),
    "account_id": N_("An account ID has only letters, digits, hyphens and underscores, at most 64 of them."),
    "preferred_language": N_("Enter a language code such as en, fr or pt-BR."),
    "correction_field": N_("Tell us which detail is wrong."),
    "correction_value": N_("Tell us what the detail should be."),
}
NEEDS_CORRECTION = N_("To correct your data, tell us which detail is wrong and what it should be.")
CORRECTION_NOT_ASKED = N_(
    "You filled in a correction but did not choose \u201cCorrect my personal data\u201d. "
    "Choose it, or clear the correction."
)
# The laws the form names by their official names in each language (the policy table's names are
# English ones): GDPR is RGPD in French and Spanish, DSGVO in German.
LAW_NAMES = (N_("EU GDPR"), N_("UK GDPR"), N_("Canada PIPEDA"), N_("Quebec Law 25"))
ONE_VALUE_ONLY = N_("Give only one value here.")
INVALID_EMAIL = N_("Enter a valid email address, like name@example.com.")

# --- the request form --------------------------------------------------------------------------

type Attributes = dict[str, str | bool | None]


class _Input(NamedTuple):
    name: str
    hint: str | None = None
    kind: str = "text"
    extra: Mapping[str, str | bool] = MappingProxyType({})
    optional: bool = True


_ABOUT_YOU = (
    _Input(
        "email",
        N_("We will email you a code to confirm this address is yours, and reply to it."),
        "email",
        {"required": True, "autocomplete": "email", "maxlength": "254", "spellcheck": "false"},
        optional=False,
    ),
    _Input("name", N_("As you gave it to us."), extra={"autocomplete": "name", "maxlength": "200"}),
    _Input(
        "phone",
        N_("Include the country code (for example +44 20 7123 4567), or tell us your country below."),
        "tel",
        {"autocomplete": "tel", "maxlength": "40"},
    ),
    _Input(
        "account_id",
        N_("If you have an account with us, it helps us find your data."),
        extra={"maxlength": "64", "autocomplete": "off", "spellcheck": "false"},
    ),
)
_WHERE_YOU_LIVE = (
    _Input(
        "country",
        N_(
            "The two-letter code of the country you live in, such as GB, DE or US. "
            "It tells us which privacy law applies."
        ),
        extra={"autocomplete": "country", "maxlength": "2", "list": "country-codes", "class": "short"},
    ),
    _Input(
        "region",
        N_("In the United States or Canada: your state or province code, such as CA, TX or QC."),
        extra={"maxlength": "3", "class": "short"},
    ),
)
_LANGUAGE = _Input(
    "preferred_language",
    N_("The language you would like us to write to you in, as a code such as en, fr or de."),
    extra={"autocomplete": "language", "maxlength": "35", "class": "short"},
)
_CORRECTIONS = tuple(
    _Input(f"correction_{part}_{row}", extra={"maxlength": size}, optional=False)
    for row in CORRECTION_ROWS
    for part, size in (("field", "100"), ("value", "500"))
)


def field_label(name: str, language: str = ENGLISH) -> str:
    """A form field's label in ``language``; a correction's with its row."""
    row = name.rsplit("_", 1)[-1]
    if name.startswith("correction_"):
        return gettext(language, FIELD_LABELS[name], row=row)
    return gettext(language, FIELD_LABELS[name])


def _one_value(values: FormValues, name: str) -> str:
    value = values.get(name, "")
    if isinstance(value, str):
        return value
    return value[0] if value else ""


def _all_values(values: FormValues, name: str) -> set[str]:
    value = values.get(name, [])
    return {value} if isinstance(value, str) else set(value)


def _aria(name: str, has_hint: bool, errors: Mapping[str, str]) -> Attributes:
    """The ARIA attributes that point a field's input at its hint and its error."""
    ids = [f"{name}-hint"] if has_hint else []
    if name in errors:
        ids.append(f"{name}-error")
    return {"aria-describedby": " ".join(ids) or None, "aria-invalid": "true" if name in errors else None}


class _Page:
    """What the form's template is given, in the page's language."""

    def __init__(self, values: FormValues, errors: Mapping[str, str], language: str) -> None:
        self.values, self.errors, self.language = values, errors, language

    def translated(self, message: str, **values: object) -> str:
        return gettext(self.language, message, **values)

    def label(self, name: str, *, optional: bool = True) -> str:
        label = field_label(name, self.language)
        return self.translated("%(label)s (optional)", label=label) if optional else label

    def text_input(self, spec: _Input) -> dict[str, object]:
        attributes: Attributes = {"id": spec.name, "name": spec.name, "type": spec.kind}
        attributes |= {"value": _one_value(self.values, spec.name), **spec.extra}
        attributes |= _aria(spec.name, spec.hint is not None, self.errors)
        return {
            "name": spec.name,
            "label": self.label(spec.name, optional=spec.optional),
            "hint": self.translated(spec.hint) if spec.hint else None,
            "attributes": attributes,
        }

    def choices(self, offered: Sequence[RequestType] | None) -> list[dict[str, object]]:
        chosen = _all_values(self.values, "request_types")
        aria = _aria("request_types", True, self.errors)
        return [
            {
                "label": self.translated(label),
                "attributes": {
                    "id": f"request_types-{request_type.value}",
                    "name": "request_types",
                    "type": "checkbox",
                    "value": request_type.value,
                    "checked": request_type.value in chosen,
                    **aria,
                },
            }
            for request_type, label in REQUEST_TYPE_LABELS.items()
            if offered is None or request_type in offered
        ]

    def request_types_hint(self, offered: Sequence[RequestType] | None, recognised: str | None) -> str:
        hint = self.translated("Choose all that apply.")
        if recognised is not None:
            return f"{recognised} {hint}"
        if offered is not None:
            more = self.translated(
                "These are the rights the privacy law where you live gives you, and those we offer everyone."
            )
            return f"{hint} {more}"
        return hint

    def relationship(self) -> dict[str, object]:
        current = _one_value(self.values, "relationship")
        options = [
            {"value": kind.value, "label": self.translated(label), "selected": kind.value == current}
            for kind, label in RELATIONSHIP_LABELS.items()
        ]
        hint = self.translated("It helps us know where to look for your data.")
        attributes = {
            "id": "relationship",
            "name": "relationship",
            **_aria("relationship", True, self.errors),
        }
        return {
            "label": self.label("relationship"),
            "hint": hint,
            "attributes": attributes,
            "options": options,
        }

    def details(self) -> dict[str, object]:
        hint = N_(
            "For example, which of our services you used, or other names or addresses we may know you by."
        )
        attributes = {"id": "details", "name": "details", "rows": "5", "maxlength": "4000"}
        return {
            "label": self.label("details"),
            "hint": self.translated(hint),
            "attributes": attributes | _aria("details", True, self.errors),
            # The newline after the start tag is dropped by every HTML parser, so a value may start with one.
            "value": _one_value(self.values, "details"),
        }

    def place(self) -> list[dict[str, object]]:
        return [
            {
                "name": name,
                "label": self.label(name, optional=False),
                "attributes": {
                    "id": f"place-{name}",
                    "name": name,
                    "value": _one_value(self.values, name),
                    "maxlength": size,
                    "class": "short",
                },
            }
            for name, size in (("country", "2"), ("region", "3"))
        ]

    def summary(self) -> list[dict[str, str | None]]:
        return [
            {
                "anchor": _anchor(name) if name in FORM_FIELDS else None,
                "label": field_label(name, self.language) if name in FORM_FIELDS else None,
                "message": self.errors[name],
            }
            for name in sorted(self.errors, key=_summary_order)
        ]


def law_recognised(law: str | None, language: str = ENGLISH) -> str:
    """What the form says of the place the person gave: the law it recognised there, by the name
    the policy table gives it, or, with ``law`` None, that no law applies and every right is offered."""
    if law is None:
        return gettext(
            language,
            "We know of no privacy law that applies where you live, so we offer you every right we "
            "offer anywhere.",
        )
    return gettext(
        language,
        "Where you live, the privacy law %(law)s gives you these rights; we also offer everyone "
        "the others listed.",
        law=gettext(language, law),
    )


def _anchor(name: str) -> str:
    return f"request_types-{RequestType.ACCESS.value}" if name == "request_types" else name


def _summary_order(name: str) -> int:
    if name == FORM_LEVEL:
        return -1
    return FORM_FIELDS.index(name) if name in FORM_FIELDS else len(FORM_FIELDS)


def request_form_page(
    values: FormValues | None = None,
    errors: Mapping[str, str] | None = None,
    *,
    action: str = "/privacy-request",
    submission_key: str | None = None,
    offered: Sequence[RequestType] | None = None,
    recognised: str | None = None,
    signal_sent: bool = False,
    language: str = ENGLISH,
    query: Mapping[str, str] | None = None,
) -> str:
    """The privacy request form in ``language``, filled in with ``values`` and showing ``errors``
    (by form field name, already in that language); with ``submission_key``, the form sends it
    back (``SUBMISSION_KEY``). With ``offered`` (the rights the law where the person lives gives,
    and those the company offers everyone), only those request types, and a form above to say
    where the person lives; ``recognised`` (``law_recognised``) says above the choices which law
    that place has. ``signal_sent``: the browser sent the Global Privacy Control signal, which
    the page says is honoured. ``query``: the page's query, which the language switch's links
    keep; a language chosen there (``lang``) is kept by both forms."""
    query = query or {}
    form = _Page(values or {}, errors or {}, language)
    chosen = page_templates.LANGUAGE_QUERY in query
    post_action = safe_href(action)
    if chosen:
        post_action += f"?{page_templates.LANGUAGE_QUERY}={html_lang(language)}"
    return page_templates.render(
        "request_form.html",
        language,
        title=form.translated("Make a privacy request"),
        has_errors=bool(form.errors),
        style=page_templates.trusted(STYLE),
        switch=page_templates.language_switch(language, query),
        signal_sent=signal_sent,
        errors=form.errors,
        summary=form.summary(),
        place=form.place() if offered is not None else [],
        action=safe_href(action),
        post_action=post_action,
        language_kept=chosen,
        submission_key=submission_key,
        request_types_hint=form.request_types_hint(offered, recognised),
        choices=form.choices(offered),
        about_you=[form.text_input(spec) for spec in _ABOUT_YOU],
        relationship=form.relationship(),
        where_you_live=[form.text_input(spec) for spec in _WHERE_YOU_LIVE],
        countries=[(code, form.translated(name)) for code, name in COUNTRY_SUGGESTIONS],
        corrections=[form.text_input(spec) for spec in _CORRECTIONS],
        details=form.details(),
        language_field=form.text_input(_LANGUAGE),
    )
