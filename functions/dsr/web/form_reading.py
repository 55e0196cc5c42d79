"""A posted request form read into a :class:`~dsr.core.models.NewRequest`, or refused with a
message per field in the form's own words (pydantic's errors translated), in the page's language."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from dsr.core.catalogs import N_, gettext
from dsr.core.identities import normalized_phone
from dsr.core.languages import ENGLISH
from dsr.core.models import NewRequest, RequestType
from dsr.web.request_form import (
    CORRECTION_NOT_ASKED,
    CORRECTION_ROWS,
    FIELD_MESSAGES,
    FORM_FIELDS,
    FORM_LEVEL,
    INVALID_EMAIL,
    NEEDS_CORRECTION,
    ONE_VALUE_ONLY,
    SINGLE_VALUE_FIELDS,
    SUBMISSION_KEY,
)


class FormErrors(Exception):  # noqa: N818 (several errors at once; the routes use this name)
    """The form cannot become a request. ``errors`` maps form field names (or ``_form``) to messages."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(errors)
        # Only the names: a message may quote what the person typed, and exceptions end up in logs.
        super().__init__(f"invalid form fields: {', '.join(sorted(self.errors))}")


# --- reading the posted form -------------------------------------------------------------------


class _Reading:
    """What the form says so far, and what is already known to be wrong with it."""

    __slots__ = ("correction_rows", "errors", "language", "single")

    def __init__(self, language: str) -> None:
        self.errors: dict[str, str] = {}
        self.single: dict[str, str] = {}
        self.correction_rows: list[int] = []
        self.language = language

    def translated(self, message: str, **values: object) -> str:
        return gettext(self.language, message, **values)


def _refuse_unknown_fields(form: Mapping[str, list[str]], reading: _Reading) -> None:
    unknown = [name for name in form if name not in FORM_FIELDS and name != SUBMISSION_KEY]
    if unknown:
        named = ", ".join(f"\u201c{name[:40]}\u201d" for name in unknown[:5])
        if len(unknown) > 5:
            message = N_("This form does not accept the field %(named)s and %(more)s more.")
            reading.errors[FORM_LEVEL] = reading.translated(message, named=named, more=len(unknown) - 5)
        else:
            reading.errors[FORM_LEVEL] = reading.translated(
                "This form does not accept the field %(named)s.", named=named
            )


# Read in capitals: ``gb`` is GB (the model's own upper-casing comes after its pattern check).
_CODES = frozenset({"country", "region"})


def _read_single_values(form: Mapping[str, list[str]], reading: _Reading) -> None:
    """Each one-value field, stripped; blank ones are left out, repeated ones refused."""
    for name in SINGLE_VALUE_FIELDS:
        given = form.get(name, [])
        if len(given) > 1:
            reading.errors[name] = reading.translated(ONE_VALUE_ONLY)
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
        reading.errors["phone"] = reading.translated(_sentence(str(error)))
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


def new_request_from_form(form: Mapping[str, list[str]], language: str = ENGLISH) -> NewRequest:
    """A request from the posted form, as ``urllib.parse.parse_qs(body, keep_blank_values=True)`` reads it.

    Raises :class:`FormErrors` naming each form field that is wrong, in words a person can act on,
    in ``language`` (a shipped language).
    """
    reading = _Reading(language)
    _refuse_unknown_fields(form, reading)
    _read_single_values(form, reading)
    data = _request_data(form, reading)
    try:
        request = NewRequest.model_validate(data)
    except ValidationError as invalid:
        for issue in invalid.errors():
            name, message = _form_error(issue, data, reading)
            reading.errors.setdefault(name, message)
        raise FormErrors(reading.errors) from None
    if reading.errors:
        raise FormErrors(reading.errors)
    return request


# --- pydantic's errors in the form's words -----------------------------------------------------


NOT_VALID = N_("This value is not valid.")


def _sentence(message: str) -> str:
    message = message.removeprefix("Value error, ").strip()
    if not message:
        return NOT_VALID
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else f"{message}."


def _in_words(name: str, english: str, reading: _Reading) -> str:
    """``english`` (a sentence of pydantic's or of a model's check) in the form's language: its
    translation where the catalogs have one, else the field's own message, else "not valid". A
    page in another language never shows English it has no words for."""
    if reading.language == ENGLISH:
        return english
    translated = reading.translated(english)
    if translated != english:
        return translated
    base = name.rsplit("_", 1)[0] if name.startswith("correction_") else name
    return reading.translated(FIELD_MESSAGES.get(base, NOT_VALID))


def _form_error(issue: ErrorDetails, data: Mapping[str, Any], reading: _Reading) -> tuple[str, str]:
    """The form field a pydantic error belongs to, and what to tell the person."""
    location = tuple(issue["loc"])
    if not location:
        return _model_error(issue, data, reading)
    name = _field_for(location, reading.correction_rows)
    return name, _message(name, issue, reading)


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


def _model_error(issue: ErrorDetails, data: Mapping[str, Any], reading: _Reading) -> tuple[str, str]:
    """A check across fields: corrections and rectification go together, or something else."""
    message = str(issue["msg"])
    if "correction" not in message:
        return FORM_LEVEL, _in_words(FORM_LEVEL, _sentence(message), reading)
    if reading.correction_rows and RequestType.RECTIFICATION.value not in data["request_types"]:
        return "request_types", reading.translated(CORRECTION_NOT_ASKED)
    return f"correction_value_{CORRECTION_ROWS[0]}", reading.translated(NEEDS_CORRECTION)


_NOT_AN_EMAIL = "Value is not a valid email address: "
# What email-validator says is wrong with an address, by how its sentence starts (some go on to
# quote the characters at fault), as the form says it: the commonest mistakes. Another is said in
# English on an English page and left out on a page in another language.
EMAIL_PROBLEMS: dict[str, str] = {
    "An email address must have an @-sign": N_("An email address must have an @-sign."),
    "There must be something before the @-sign": N_("There must be something before the @-sign."),
    "There must be something after the @-sign": N_("There must be something after the @-sign."),
    "The part after the @-sign is not valid. It should have a period": N_(
        "The part after the @-sign is not valid. It should have a period."
    ),
    "The part after the @-sign is a special-use or reserved name": N_(
        "The part after the @-sign is a special-use or reserved name that cannot be used with email."
    ),
    "The part after the @-sign contains invalid characters": N_(
        "The part after the @-sign contains characters an email address cannot have."
    ),
    "The email address contains invalid characters before the @-sign": N_(
        "The part before the @-sign contains characters an email address cannot have."
    ),
    "An email address cannot have two periods in a row": N_(
        "An email address cannot have two periods in a row."
    ),
    "An email address cannot start with a period": N_("An email address cannot start with a period."),
    "An email address cannot end with a period": N_("An email address cannot end with a period."),
    "An email address cannot have a period immediately before the @-sign": N_(
        "An email address cannot have a period immediately before the @-sign."
    ),
    "An email address cannot have a period immediately after the @-sign": N_(
        "An email address cannot have a period immediately after the @-sign."
    ),
    "There can't be anything after the email address": N_("There can't be anything after the email address."),
}


def _email_problem(reason: str, reading: _Reading) -> str:
    """Why an address is not one, in the form's language; empty where the catalogs lack the words."""
    for start, message in EMAIL_PROBLEMS.items():
        if reason.startswith(start):
            return reading.translated(message)
    return reason if reading.language == ENGLISH else ""


# Errors whose own words name the value and what to enter instead, as the form says them (the
# values from the error's context).
SELF_EXPLAINING_ERRORS: dict[str, str] = {
    "country_code": N_("%(code)s is not a country code (ISO 3166-1): use two letters such as GB, DE or US."),
    "region_code": N_(
        "%(region)s is not a region of %(country)s (ISO 3166-2): use its code, such as CA in US."
    ),
    "region_without_country": N_("A region needs its country: give the country too, such as US for CA."),
}
# dsr.core.identities' words for a phone number it cannot read, as the form says them.
PHONE_PROBLEMS = (
    N_("Not a phone number; use the international form, e.g. +44 20 7123 4567."),
    N_("Not a valid phone number for its country."),
)


def _message(name: str, issue: ErrorDetails, reading: _Reading) -> str:
    kind = issue["type"]
    context = issue.get("ctx") or {}
    if kind in SELF_EXPLAINING_ERRORS:
        return reading.translated(
            SELF_EXPLAINING_ERRORS[kind], **{key: str(value) for key, value in context.items()}
        )
    if kind == "value_error":
        reason = _sentence(str(issue["msg"]))
        if reason.startswith(_NOT_AN_EMAIL):
            problem = _email_problem(_sentence(reason.removeprefix(_NOT_AN_EMAIL)), reading)
            return " ".join(part for part in (reading.translated(INVALID_EMAIL), problem) if part)
        return _in_words(name, reason, reading)
    limit = context.get("max_length")
    if kind == "string_too_long" and limit is not None:
        return reading.translated("Use at most %(limit)s characters.", limit=limit)
    base = name.rsplit("_", 1)[0] if name.startswith("correction_") else name
    if base in FIELD_MESSAGES:
        return reading.translated(FIELD_MESSAGES[base])
    return _in_words(name, _sentence(str(issue["msg"])), reading)
