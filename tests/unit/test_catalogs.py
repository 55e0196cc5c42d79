"""The message catalogs: every message translated in every language the desk ships, with the
same placeholders, the compiled catalogs exactly what their sources compile to, and every message
the code and templates use present in the English catalog."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dsr.core.catalogs import LOCALE_DIR, day_in_words, gettext, ngettext
from dsr.core.languages import ENGLISH, SHIPPED_LANGUAGES

REPOSITORY = Path(__file__).resolve().parents[2]
TRANSLATED = [language for language in SHIPPED_LANGUAGES if language != ENGLISH]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# As `make messages` extracts them (functions/dsr/locale/babel.cfg and the Makefile's keywords).
KEYWORDS = {"_": None, "N_": None, "translated": None, "gettext": (2,), "ngettext": (2, 3)}
METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**.py", "python"),
    ("**/config/deadline_policies.yaml", "catalog_extraction.policy_table:extract_names"),
]
JINJA_OPTIONS = {"trim_blocks": "True", "lstrip_blocks": "True"}
OPTIONS = {"**/templates/**.html": JINJA_OPTIONS, "**/templates/**.txt": JINJA_OPTIONS}


def _catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "desk.po").open("rb") as source:
        return read_po(source, locale=language)


def _ids(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    return message_id if isinstance(message_id, tuple) else (message_id,)


def _placeholders(texts: tuple[str, ...] | str) -> set[str]:
    return {name for text in _ids(texts) for name in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_english_message_is_translated_with_the_same_placeholders(language: str) -> None:
    english = _catalog(ENGLISH)
    catalog = _catalog(language)

    problems = []
    for message in english:
        if not message.id:
            continue
        translation = catalog.get(message.id)
        strings = _ids(translation.string) if translation is not None else ("",)
        if translation is None or translation.fuzzy or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        elif any(_placeholders(text) != _placeholders(message.id) for text in strings):
            problems.append(f"placeholders differ: {message.id!r}")
    assert problems == [], language
    assert len(english) > 90


@pytest.mark.parametrize("language", SHIPPED_LANGUAGES)
def test_each_compiled_catalog_is_what_its_source_compiles_to(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(language))

    committed = (LOCALE_DIR / language / "LC_MESSAGES" / "desk.mo").read_bytes()
    assert committed == compiled.getvalue(), f"{language}: run make messages"


def test_every_message_the_code_and_templates_use_is_in_the_catalogs() -> None:
    used: set[str] = set()
    for folder in ("functions/dsr", "functions/intake_api"):
        for _, _, message, _, _ in extract_from_dir(
            REPOSITORY / folder, METHODS, OPTIONS, KEYWORDS, comment_tags=()
        ):
            used.add(message[0] if isinstance(message, tuple) else message)
    in_catalog = {
        message.id if isinstance(message.id, str) else message.id[0] for message in _catalog(ENGLISH)
    }

    assert sorted(used - in_catalog) == [], "run make messages and translate what it adds"


def test_every_law_and_regulator_of_the_policy_table_is_in_the_catalogs() -> None:
    """A law added to the policy table is a name its subjects read in their language: the
    catalogs extract it from the table itself, so it cannot be forgotten."""
    from dsr.policies.deadline_table import policies

    table = policies()
    names = set()
    for code in table.codes():
        for version in table.policy(code).versions():
            names.add(version.name)
            appeal = version.appeal
            if appeal is not None and appeal.regulator is not None:
                names.add(appeal.regulator.name)
    in_catalog = {message.id for message in _catalog(ENGLISH)}

    assert len(names) > 60
    assert sorted(names - in_catalog) == []
    assert gettext("fr", "the Montana Attorney General") == "le procureur général du Montana"
    assert gettext("de", "California CCPA/CPRA") == "das Gesetz CCPA/CPRA (Kalifornien)"


def test_a_message_reads_in_each_language_with_its_values() -> None:
    assert (
        gettext("de", "Use at most %(limit)s characters.", limit=200)
        == "Verwenden Sie höchstens 200 Zeichen."
    )
    assert gettext("fr_CA", "Email address") == "Adresse courriel"
    assert gettext("fr", "Email address") == "Adresse e-mail"
    assert gettext(ENGLISH, "Email address") == "Email address"
    assert ngettext("en", "%(count)s day", "%(count)s days", 2) == "2 days"


def test_dates_are_written_as_each_language_writes_them() -> None:
    day = date(2027, 1, 5)

    assert day_in_words(day, "en") == "5 January 2027"
    assert day_in_words(day, "fr") == "5 janvier 2027"
    assert day_in_words(day, "fr_CA") == "5 janvier 2027"
    assert day_in_words(day, "de") == "5. Januar 2027"
    assert day_in_words(day, "es") == "5 de enero de 2027"


def test_french_writes_the_first_of_the_month_as_an_ordinal() -> None:
    first = date(2027, 6, 1)

    assert day_in_words(first, "fr") == "1er juin 2027"
    assert day_in_words(first, "fr_CA") == "1er juin 2027"
    assert day_in_words(date(2027, 6, 11), "fr") == "11 juin 2027"
    assert day_in_words(date(2027, 6, 21), "fr_CA") == "21 juin 2027"
    assert day_in_words(first, "de") == "1. Juni 2027"
    assert day_in_words(first, "es") == "1 de junio de 2027"
    assert day_in_words(first, "en") == "1 June 2027"


def test_a_language_the_desk_does_not_ship_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="pt_BR"):
        gettext("pt_BR", "Email address")


def test_every_detail_verification_asks_for_is_labelled_in_the_catalogs() -> None:
    """The labels come from verification.yaml, which extraction does not read: a label added
    there must be added to dsr.web.pages.DETAIL_LABELS (and so to the catalogs) too."""
    from dsr.policies.verification import load_policy

    labels = {point.label for point in load_policy().data_points.points.values()}
    in_catalog = {message.id for message in _catalog(ENGLISH)}

    assert labels <= in_catalog
    assert gettext("de", "Postal code of the billing address") == "Postleitzahl der Rechnungsadresse"


def _translations(language: str) -> list[tuple[str, str]]:
    """Each English message with each of its translated forms, as (English, translation)."""
    return [
        (_ids(message.id)[0], text)
        for message in _catalog(language)
        if message.id
        for text in _ids(message.string)
    ]


# Where French puts a non-breaking space (U+00A0): before ; : ! ? », after «.
FRENCH_LOOSE_SPACE = re.compile(r"[ \t][;:!?»]|«[ \t]")


@pytest.mark.parametrize("language", ["fr", "fr_CA"])
def test_french_punctuation_is_held_to_its_word_by_a_non_breaking_space(language: str) -> None:
    loose = [text for _, text in _translations(language) if FRENCH_LOOSE_SPACE.search(text)]

    assert loose == []


def test_german_quotes_are_german_and_spanish_questions_open_with_their_mark() -> None:
    straight = [text for _, text in _translations("de") if '"' in text]
    unopened = [
        text
        for _, text in _translations("es")
        if text.count("?") > text.count("¿") or text.count("!") > text.count("¡")
    ]

    assert straight == []
    assert unopened == []


# One word for one thing in each language: (what the English says, what every translation of it
# says), and words a language's reader should never meet.
TERMS: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "fr": ([(r"\bappeal", "contest")], ["recours", "courriel", "clos"]),
    "fr_CA": ([(r"\bappeal", "contest")], ["recours", "e-mail", "données personnelles", "clos"]),
    "de": (
        [(r"\bappeal", "Einspruch"), (r"(?<!Payment )\b[Rr]eference\b", "Referenznummer")],
        ["Aktenzeichen", "Eintrag", "Einträge", "Bevollmächtigte"],
    ),
    "es": ([(r"\bappeal", "recur"), (r"power of attorney", "poder notarial")], ["portátil", "aplicar"]),
}


@pytest.mark.parametrize("language", TERMS)
def test_each_language_says_one_thing_with_one_word(language: str) -> None:
    required, avoided = TERMS[language]

    unsaid = [
        (english, text)
        for english, text in _translations(language)
        for pattern, word in required
        if re.search(pattern, english) and word not in text
    ]
    said = [(word, text) for _, text in _translations(language) for word in avoided if word in text]

    assert unsaid == []
    assert said == []
