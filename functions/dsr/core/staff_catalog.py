"""The staff's message catalog: every text the desk shows or sends its own staff (the console,
the staff API's refusals, the deadline alerts) and those it hands tasks to (vendors, customers'
administrators), in the gettext domain ``staff`` beside the subject's ``desk``:
``dsr/locale/<language>/LC_MESSAGES/staff.po``, compiled beside it as ``staff.mo``.

Staff read English for now, through this catalog so that they can read another language later:
adding one is adding its ``staff.po`` (``make messages``) and making it ``STAFF_LANGUAGE``. The
English text is the message id; ``make messages`` extracts ``staff_text``, ``staff_plural`` and
``S_`` here, and ``t``/``tn`` in the console's script, into ``staff.pot`` (never into the
subject's ``desk.pot``, whose every message is translated into each language the desk ships).
The catalog is read on first use, never at import, with the standard library's gettext (Babel
is needed only for the console's plural categories).
"""

from __future__ import annotations

import gettext
from functools import cache
from typing import Any

from dsr.core.catalogs import LOCALE_DIR
from dsr.core.languages import ENGLISH

STAFF_DOMAIN = "staff"
STAFF_LANGUAGE = ENGLISH
"""The language staff read the console, the staff API and the staff emails in."""

GETTEXT_PLURAL_ORDER = ("zero", "one", "two", "few", "many", "other")
"""The order of a catalog's plural forms by CLDR category, as Babel writes a catalog's rule."""


def S_(message: str) -> str:  # noqa: N802 - the name the extraction looks for
    """Marks ``message`` for the staff catalog where it is written (a label in a table), to be
    translated with ``staff_text`` where it is shown."""
    return message


@cache
def staff_translations(language: str = STAFF_LANGUAGE) -> gettext.GNUTranslations:
    """The compiled staff catalog of ``language`` (English's holds no translation: its ids are its
    text); FileNotFoundError when there is none (``make messages`` compiles it)."""
    try:
        found = gettext.translation(STAFF_DOMAIN, LOCALE_DIR, languages=[language])
    except FileNotFoundError as missing:
        raise FileNotFoundError(
            f"no compiled staff catalog for {language!r} under {LOCALE_DIR} (make messages)"
        ) from missing
    if not isinstance(found, gettext.GNUTranslations):  # pragma: no cover - gettext's own class
        raise TypeError(f"not a compiled catalog: {found!r}")
    return found


def staff_text(message: str, /, **values: object) -> str:
    """``message`` as staff read it, its ``%(name)s`` placeholders filled from ``values``."""
    text = staff_translations(STAFF_LANGUAGE).gettext(message)
    return text % values if values else text


def staff_plural(singular: str, plural: str, count: int, /, **values: object) -> str:
    """The singular or the plural form, as staff's language counts, with ``count`` and ``values``."""
    text = staff_translations(STAFF_LANGUAGE).ngettext(singular, plural, count)
    return text % ({"count": count} | values)


def console_messages(language: str = STAFF_LANGUAGE) -> dict[str, Any]:
    """What the console's script reads (``console/messages.json``): the translation of each
    message the compiled catalog of ``language`` holds (a plural message's forms as a list, keyed
    by its singular), and the CLDR plural category each form is for, in order (the script picks
    one with the browser's ``Intl.PluralRules``). A message not in it is shown as its English id."""
    from babel.core import Locale  # noqa: PLC0415 - on first use, see the module's docstring

    # gettext's own table of the compiled messages: a singular message by its id, each form of a
    # plural message by (singular, form), the catalog's header by "".
    compiled: dict[Any, str] = staff_translations(language)._catalog  # type: ignore[attr-defined]
    messages: dict[str, Any] = {}
    forms: dict[str, dict[int, str]] = {}
    for key, text in compiled.items():
        if isinstance(key, tuple):
            forms.setdefault(key[0], {})[key[1]] = text
        elif key:
            messages[key] = text
    for singular, by_index in forms.items():
        messages[singular] = [by_index[index] for index in sorted(by_index)]
    tags = Locale.parse(language).plural_form.tags | {"other"}
    return {
        "language": language,
        "plural_categories": [tag for tag in GETTEXT_PLURAL_ORDER if tag in tags],
        "messages": dict(sorted(messages.items())),
    }


__all__ = [
    "LOCALE_DIR",
    "STAFF_DOMAIN",
    "STAFF_LANGUAGE",
    "S_",
    "console_messages",
    "staff_plural",
    "staff_text",
    "staff_translations",
]
