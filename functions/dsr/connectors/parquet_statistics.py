"""Whether a Parquet row group may hold a subject, from its statistics alone (the min and max of
the identity column), without reading its data.

An email matches however it was stored: any case, surrounding whitespace (``Subject.holds``).
So a row group is ruled out only when no spelling of the address can lie between its min and
max: the spellings without leading whitespace lie between the address upper-cased and the
address with each ``k`` as the Kelvin sign (the one character outside ASCII that lower-cases to
an ASCII letter), and may have whitespace after them; spellings with leading whitespace start
with a whitespace character, so they are ruled out when none lies between the first characters
of min and max. Addresses outside ASCII are never ruled out by statistics. Account ids are
compared exactly.
"""

from __future__ import annotations

from collections.abc import Iterable

# Every character str.strip() removes (str.isspace), in code point order.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
KELVIN_SIGN = "\u212a"


def email_may_be_between(normalized: str, low: object, high: object) -> bool:
    """Whether a value between ``low`` and ``high`` may be a spelling of the normalized address."""
    if not (isinstance(low, str) and isinstance(high, str)) or not normalized.isascii():
        return True
    if any(low[:1] <= space <= high[:1] for space in WHITESPACE):
        return True
    smallest = normalized.upper()
    largest = normalized.replace("k", KELVIN_SIGN)
    below = high < smallest
    above = low > largest and not low.startswith(largest)
    return not (below or above)


def any_between(values: Iterable[str], low: object, high: object) -> bool:
    """Whether any of the exact values lies between ``low`` and ``high``."""
    if not (isinstance(low, str) and isinstance(high, str)):
        return True
    return any(low <= value <= high for value in values)
