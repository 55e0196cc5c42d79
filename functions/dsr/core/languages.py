"""The language the desk speaks to a subject in: one of the languages it has catalogs for, chosen
from what the subject said, what they wrote in, what their browser asks for and where they live.

Pure: nothing here reads AWS or the catalogs themselves. Languages are Babel's locale identifiers
(``fr_CA``); what people send are BCP 47 tags (``fr-CA``), read in either form.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

ENGLISH = "en"
SHIPPED_LANGUAGES: tuple[str, ...] = ("en", "fr", "fr_CA", "de", "es")
"""The languages the desk has catalogs for, in the order the language switch lists them."""

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "fr": "Français",
    "fr_CA": "Français (Canada)",
    "de": "Deutsch",
    "es": "Español",
}
"""Each language named in itself, as the language switch and the staff views show it."""
NOT_RECORDED = "Not recorded"
"""What staff see of the language of a request recorded before the desk chose one."""

JURISDICTION_LANGUAGES: dict[str, str] = {
    # The Charter of the French Language: French is the language of a business's dealings with
    # people in Quebec (Law 96), and Law 25 governs their personal information.
    "CA-QC": "fr_CA",
}
"""Where the law of the place expects a language other than English when nobody asked for one."""

# An Accept-Language header longer than this is not read past it, nor more tags than this.
_LONGEST_HEADER = 1000
_MOST_TAGS = 20


class LanguageHints(NamedTuple):
    """What a request says of its subject's language, strongest first."""

    preferred: str | None = None
    """The request's ``preferred_language``, as the subject gave it."""
    email: str | None = None
    """The language email intake read the message in (``dsr.inbox.email_phrases.language_of``)."""
    browser: str | None = None
    """The form's choice: the language switch's, else the browser's ``Accept-Language`` header."""


def locale_id(tag: str) -> str:
    """``fr-ca`` or ``fr_CA`` as Babel's ``fr_CA``; a language alone in lower case."""
    parts = tag.strip().replace("-", "_").split("_")
    return "_".join([parts[0].lower(), *(part.upper() if len(part) == 2 else part for part in parts[1:])])


def shipped_language(tags: Iterable[str]) -> str | None:
    """The first of ``tags`` (most wanted first) the desk speaks, by Babel's negotiation: an exact
    match, else the tag's language alone (``fr-BE`` is ``fr``, ``en-US`` is ``en``); None if none."""
    # On first use: Babel's import is a few milliseconds that only a language choice needs.
    from babel.core import negotiate_locale  # noqa: PLC0415

    wanted = [locale_id(tag) for tag in tags if tag.strip()]
    found = negotiate_locale(wanted, SHIPPED_LANGUAGES, sep="_", aliases={})
    if found is None:
        return None
    return next(language for language in SHIPPED_LANGUAGES if language.lower() == found.lower())


def accepted_tags(header: str) -> list[str]:
    """The language tags of an ``Accept-Language`` header, most wanted first (by ``q``, then by
    order); tags refused with ``q=0`` and the wildcard are left out."""
    weighted: list[tuple[float, int, str]] = []
    for place, item in enumerate(header[:_LONGEST_HEADER].split(",")[:_MOST_TAGS]):
        tag, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and weight > 0:
            weighted.append((-weight, place, tag))
    return [tag for _, _, tag in sorted(weighted)]


def browser_language(header: str | None) -> str | None:
    """The first language the desk speaks that an ``Accept-Language`` header asks for; None if none."""
    return shipped_language(accepted_tags(header)) if header else None


def chosen_language(hints: LanguageHints, jurisdiction: str | None = None) -> str:
    """The request's ``preferred_language``, else the language its email was written in, else
    the form's (``Accept-Language``), else the jurisdiction's (Quebec: Canadian French), else
    English. A hint in a language the desk does not speak passes to the next."""
    for hint in (hints.preferred, hints.email):
        if hint and (language := shipped_language([hint])) is not None:
            return language
    if hints.browser and (language := browser_language(hints.browser)) is not None:
        return language
    return JURISDICTION_LANGUAGES.get(jurisdiction or "", ENGLISH)


def language_name(language: str | None) -> str:
    """``fr_CA`` as ``Français (Canada)``; a language the desk does not ship as given."""
    if language is None:
        return NOT_RECORDED
    return LANGUAGE_NAMES.get(language, language)


def html_lang(language: str) -> str:
    """``fr_CA`` as the BCP 47 tag ``fr-CA`` that ``<html lang>`` and ``hreflang`` take."""
    return language.replace("_", "-")


def language_choices(current: str) -> Sequence[tuple[str, str, bool]]:
    """Each shipped language as the switch lists it: its tag, its own name, and whether it is shown."""
    return [
        (html_lang(language), LANGUAGE_NAMES[language], language == current) for language in SHIPPED_LANGUAGES
    ]
