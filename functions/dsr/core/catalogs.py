"""The desk's message catalogs (``dsr/locale/<language>/LC_MESSAGES/desk.po``, compiled beside
each as ``desk.mo``): every text a subject reads, in each language the desk ships, and dates as
each language writes them.

The English text is the message id; English itself needs no translation. Babel is loaded, and
a catalog read, on first use in each language (``make messages`` extracts, updates and compiles).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dsr.core.languages import ENGLISH, SHIPPED_LANGUAGES
from dsr.core.readable_dates import day_text, utc_moment_text

if TYPE_CHECKING:
    from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "desk"


def N_(message: str) -> str:  # noqa: N802 - the name gettext's tools look for
    """Marks ``message`` for the catalogs where it is written (a label in a table), to be
    translated where it is shown."""
    return message


@cache
def translations(language: str) -> Translations:
    """The catalog of a shipped language (English's is empty: its ids are its text)."""
    from babel.support import Translations  # noqa: PLC0415 - on first use, see the module's docstring

    if language not in SHIPPED_LANGUAGES:
        raise ValueError(f"no catalog for the language {language!r}: the desk ships {SHIPPED_LANGUAGES}")
    loaded = Translations.load(str(LOCALE_DIR), [language], DOMAIN)
    if not isinstance(loaded, Translations):  # Babel's stand-in when the file is not there
        raise FileNotFoundError(f"no compiled catalog for {language} under {LOCALE_DIR} (make messages)")
    return loaded


def gettext(language: str, message: str, **values: object) -> str:
    """``message`` in ``language``, its ``%(name)s`` placeholders filled from ``values``."""
    text = translations(language).gettext(message)
    return text % values if values else text


def ngettext(language: str, singular: str, plural: str, count: int, **values: object) -> str:
    """The singular or the plural form (as ``language`` counts) with ``count`` and ``values``."""
    text = translations(language).ngettext(singular, plural, count)
    return text % ({"count": count} | values)


def day_in_words(day: date, language: str) -> str:
    """``5 January 2027``, ``5 janvier 2027``, ``5. Januar 2027``, ``5 de enero de 2027``; French
    writes the first of the month as an ordinal, ``1er juin 2027``, which Babel's CLDR data does not."""
    if language == ENGLISH:
        return day_text(day)
    from babel.dates import format_date  # noqa: PLC0415 - on first use, see the module's docstring

    written = format_date(day, format="long", locale=language)
    if day.day == 1 and language.split("_", maxsplit=1)[0] == "fr":
        return written.replace("1", "1er", 1) if written.startswith("1 ") else written
    return written


def month_in_words(year: int, month: int, language: str) -> str:
    """``March 2021``, ``mars 2021``, ``März 2021``, ``marzo de 2021``: a month of a year."""
    if language == ENGLISH:
        return f"{date(year, month, 1):%B %Y}"
    from babel.dates import format_skeleton  # noqa: PLC0415 - on first use, see the module's docstring

    return format_skeleton("yMMMM", date(year, month, 1), locale=language)


def moment_in_words(moment: datetime, language: str) -> str:
    """``14 March 2026, 10:32 UTC``, ``14. März 2026, 10:32 UTC``: a moment, stated in UTC."""
    if language == ENGLISH:
        return utc_moment_text(moment)
    at = moment.astimezone(UTC)
    return f"{day_in_words(at.date(), language)}, {at:%H:%M} UTC"
