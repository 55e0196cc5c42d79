"""Matching what a requester tells us against what the company holds about the subject.

Tolerant where people are (case, spacing, phone and postal-code formats, "$12.50" or "12,50"),
strict where it matters: a point counts only if it matches exactly once normalized; a partial
match never counts, and the caller never learns which point failed.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from dsr.core.identities import Correction
from dsr.policies.verification import Comparison, DataPointSource

_MONTHS = {name.lower(): index for index, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): index for index, name in enumerate(calendar.month_abbr) if name})
# A corrected field is never used to verify: these correction field names cover these points.
_CORRECTED_FIELD_COVERS = {"postal_address": {"postal_code"}, "address": {"postal_code"}}


def normalized(value: object, compare: Comparison, region: str | None = None) -> str | None:
    """The canonical form of a data point, or None when it cannot be read."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    if compare == "phone":
        return _phone(text, region)
    if compare == "postal_code":
        return re.sub(r"[\s-]", "", text).upper() or None
    if compare == "amount":
        return _amount(text)
    if compare == "month":
        return _month(text)
    return " ".join(text.split()).casefold()


def _phone(text: str, region: str | None) -> str | None:
    import phonenumbers  # noqa: PLC0415 - large metadata; only phone data points need it

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _amount(text: str) -> str | None:
    digits = re.sub(r"[^\d.,-]", "", text)
    if re.fullmatch(r"-?\d+,\d{1,2}", digits):  # a decimal comma: 12,50
        digits = digits.replace(",", ".")
    digits = digits.replace(",", "")
    try:
        return str(Decimal(digits).quantize(Decimal("0.01")))
    except InvalidOperation:
        return None


def _month(text: str) -> str | None:
    """``2024-03``, ``03/2024``, ``March 2024`` and ``Mar 2024`` are all ``2024-03``."""
    lowered = text.lower().replace(",", " ")
    if found := re.fullmatch(r"(\d{4})[-/.](\d{1,2})", lowered):
        year, month = int(found.group(1)), int(found.group(2))
    elif found := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", lowered):
        month, year = int(found.group(1)), int(found.group(2))
    elif (found := re.fullmatch(r"([a-z]+)\s+(\d{4})", lowered)) and found.group(1) in _MONTHS:
        month, year = _MONTHS[found.group(1)], int(found.group(2))
    else:
        return None
    return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else None


def _region_of(held_phone: str | None, compare: Comparison) -> str | None:
    """A number given without +prefix is read in the country of the number we hold."""
    if compare != "phone" or not held_phone:
        return None
    import phonenumbers  # noqa: PLC0415 - as in _phone

    region = phonenumbers.region_code_for_number(phonenumbers.parse(held_phone, None))
    return str(region) if region else None


def excluded_points(corrections: Iterable[Correction], source: DataPointSource) -> set[str]:
    """Points that a correction in the same request touches: never used to verify it."""
    excluded: set[str] = set()
    for correction in corrections:
        field = correction.field.strip().lower()
        for name, point in source.points.items():
            if field in {name, point.attribute.lower()}:
                excluded.add(name)
        excluded |= _CORRECTED_FIELD_COVERS.get(field, set())
    return excluded


def count_matches(
    given: Mapping[str, str],
    held: Mapping[str, Any],
    source: DataPointSource,
    *,
    excluded: set[str],
    region: str | None = None,
) -> int:
    """How many points the requester gave that equal what we hold, once both are normalized."""
    matches = 0
    for name, point in source.points.items():
        if name in excluded or name not in given:
            continue
        ours = normalized(held.get(point.attribute), point.compare, region)
        theirs = normalized(given[name], point.compare, region or _region_of(ours, point.compare))
        if ours is not None and theirs is not None and ours == theirs:
            matches += 1
    return matches
