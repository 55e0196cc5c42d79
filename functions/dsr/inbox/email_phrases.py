"""What a message asks for: the request types, read from its text in several languages.

The request type is read in English, French, German and Spanish. Accents and case do not
matter: the text and the phrases are compared after Unicode NFKD decomposition, with combining
marks removed and case folded ("Löschung", "LOSCHUNG" and "löschung" read the same).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from dsr.core.models import RequestType

# Each phrase matches whole words. A trailing ``*`` lets the last word go on ("rectif*" finds
# "rectification"); a leading ``*`` lets the first word be the end of a compound ("*löschung"
# finds "Datenlöschung"). Write phrases as people write them, accents included.

Phrases = Mapping[RequestType, tuple[str, ...]]

ENGLISH: Phrases = {
    # The rights of the newer laws come first: their phrases are cut out of the text once found,
    # so "opt out of automated decision-making" is not read as a marketing opt-out as well.
    RequestType.ADMT_OPT_OUT: (
        "opt out of automated decision*",
        "opt-out of automated decision*",
        "opt out of admt",
        "opt-out of admt",
        "opting out of automated decision*",
        "stop using automated decision*",
        "no automated decision*",
        "not be subject to automated decision*",
    ),
    RequestType.ADMT_ACCESS: (
        "information about automated decision*",
        "information about your automated decision*",
        "information about the automated decision*",
        "access to automated decision*",
        "access information about automated decision*",
        "information about admt",
        "how automated decisions",
        "how you make automated decisions",
    ),
    RequestType.LIMIT_SENSITIVE: (
        "limit the use of my sensitive*",
        "limit use of my sensitive*",
        "limit the use of sensitive*",
        "limit the use and disclosure of my sensitive*",
        "limit the use and disclosure of sensitive*",
        "limit sensitive*",
        "limit the use of my sensitive personal*",
    ),
    RequestType.THIRD_PARTY_LIST: (
        "list of third parties",
        "list of the third parties",
        "list of specific third parties",
        "list of the specific third parties",
        "which third parties",
        "which companies you gave",
        "which companies you shared",
        "which companies you disclosed",
    ),
    RequestType.PROFILING_REVIEW: (
        "question the result",
        "question the decision",
        "question the profiling",
        "review of the decision",
        "review the decision",
        "reason for the decision",
        "profiling decision",
        "result of the profiling",
        "re-evaluat*",
        "reevaluat*",
    ),
    RequestType.ERASURE: (
        "delete",
        "deletion",
        "erase",
        "erasure",
        "remove my",
        "forget me",
        "right to be forgotten",
    ),
    RequestType.ACCESS: ("access", "copy of my", "what data", "what personal", "subject access", "dsar"),
    RequestType.RECTIFICATION: ("correct", "correction", "rectif*", "inaccurate", "out of date"),
    RequestType.PORTABILITY: ("portab*", "machine-readable", "machine readable", "transfer my data"),
    RequestType.RESTRICTION: ("restrict*",),
    RequestType.OBJECTION: ("object to", "objection", "stop processing", "legitimate interest*"),
    RequestType.MARKETING_OPT_OUT: (
        "unsubscrib*",
        "opt out",
        "opt-out",
        "stop sending",
        "no more marketing",
    ),
}

FRENCH: Phrases = {
    RequestType.ERASURE: (
        "supprimer",
        "supprimez",
        "suppression",
        "effacer",
        "effacez",
        "effacement",
        "droit à l'oubli",
    ),
    RequestType.ACCESS: ("droit d'accès", "accès à mes", "accéder à mes", "copie de mes", "quelles données"),
    RequestType.RECTIFICATION: ("rectifier", "rectifiez", "rectification", "corriger mes", "inexact*"),
    RequestType.PORTABILITY: ("portabilité",),
    RequestType.RESTRICTION: ("limitation du traitement", "limiter le traitement"),
    RequestType.OBJECTION: ("opposition", "je m'oppose", "m'opposer"),
    RequestType.MARKETING_OPT_OUT: ("désabonn*", "désinscri*", "ne plus recevoir"),
}

GERMAN: Phrases = {
    RequestType.ERASURE: (
        "löschen",
        "loeschen",
        "*löschung",
        "*loeschung",
        "recht auf vergessenwerden",
    ),
    # "*auskunft" finds "Auskunft" and "Selbstauskunft" but not "Auskünfte" (as in
    # "für weitere Auskünfte stehe ich gern zur Verfügung").
    RequestType.ACCESS: ("*auskunft", "auskunfts*", "kopie meiner", "welche daten"),
    RequestType.RECTIFICATION: ("berichtig*",),
    RequestType.PORTABILITY: ("*übertragbarkeit", "*uebertragbarkeit"),
    RequestType.RESTRICTION: ("einschränkung der verarbeitung", "verarbeitung einschränken"),
    RequestType.OBJECTION: ("*widerspruch", "widerspreche", "widersprechen"),
    RequestType.MARKETING_OPT_OUT: ("abmelden", "abmeldung", "abbestell*", "keine werbung"),
}

SPANISH: Phrases = {
    # California's rights, as its Spanish-speaking residents write them
    RequestType.ADMT_OPT_OUT: (
        "excluirme de la toma de decisiones automatizada*",
        "excluirme de decisiones automatizadas",
        "no tomen decisiones automatizadas",
    ),
    RequestType.ADMT_ACCESS: (
        "información sobre la toma de decisiones automatizada*",
        "información sobre decisiones automatizadas",
    ),
    RequestType.LIMIT_SENSITIVE: (
        "limitar el uso de mi información personal sensible",
        "limitar el uso de mis datos personales sensibles",
        "información personal sensible",
    ),
    RequestType.THIRD_PARTY_LIST: ("lista de terceros", "lista de los terceros"),
    RequestType.ERASURE: (
        "suprimir",
        "supriman",
        "supresión",
        "borrar",
        "borren",
        "eliminar",
        "eliminen",
        "derecho al olvido",
    ),
    RequestType.ACCESS: ("derecho de acceso", "acceso a mis", "acceder a mis", "copia de mis", "qué datos"),
    RequestType.RECTIFICATION: ("rectificar", "rectifiquen", "rectificación", "corregir"),
    RequestType.PORTABILITY: ("portabilidad",),
    RequestType.RESTRICTION: ("limitación del tratamiento", "limitar el tratamiento"),
    RequestType.OBJECTION: ("oposición", "me opongo", "oponerme"),
    RequestType.MARKETING_OPT_OUT: (
        "darse de baja",
        "darme de baja",
        "dar de baja",
        "cancelar la suscripción",
        "no quiero recibir",
    ),
}

PHRASES_BY_LANGUAGE: dict[str, Phrases] = {
    "English": ENGLISH,
    "French": FRENCH,
    "German": GERMAN,
    "Spanish": SPANISH,
}

LANGUAGE_CODES: dict[str, str] = {"English": "en", "French": "fr", "German": "de", "Spanish": "es"}
"""Each language read, by its ISO 639-1 code (``dsr.core.languages``)."""

# Only the start of a long body is read: a request is written at the top, not after the quote.
MAX_TEXT_READ = 100_000

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})


def normalized_text(text: str) -> str:
    """Case folded, accents removed, apostrophes straightened, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.split())


class Phrase(NamedTuple):
    """A phrase as it is looked for: normalized, and whether its ends may run into a word."""

    text: str
    ends_a_compound: bool  # written with a leading ``*``
    word_goes_on: bool  # written with a trailing ``*``

    @classmethod
    def written(cls, phrase: str) -> Phrase:
        return cls(normalized_text(phrase.strip("*")), phrase.startswith("*"), phrase.endswith("*"))

    def found_in(self, text: str) -> bool:
        """Whether the phrase is in ``text`` (normalized) as whole words, as its stars allow."""
        return self.first_place_in(text) is not None

    def first_place_in(self, text: str) -> tuple[int, int] | None:
        """Where the phrase first stands in ``text`` as whole words: its start and end (the end
        of the word it starts, for a phrase whose word goes on); None if it is not there."""
        start = text.find(self.text)
        while start != -1:
            end = start + len(self.text)
            starts_a_word = self.ends_a_compound or start == 0 or not _in_a_word(text[start - 1])
            ends_a_word = self.word_goes_on or end == len(text) or not _in_a_word(text[end])
            if starts_a_word and ends_a_word:
                while end < len(text) and _in_a_word(text[end]):
                    end += 1
                return start, end
            start = text.find(self.text, start + 1)
        return None


def _in_a_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _phrases_by_type() -> dict[RequestType, tuple[Phrase, ...]]:
    """Every language's phrases for each request type, in the order the types are declared.

    Plain text search rather than regular expressions: compiling a pattern per type at import
    cost about five milliseconds of every email intake cold start."""
    found: dict[RequestType, list[Phrase]] = {}
    for phrases in PHRASES_BY_LANGUAGE.values():
        for kind, words in phrases.items():
            found.setdefault(kind, []).extend(Phrase.written(word) for word in words)
    return {kind: tuple(found[kind]) for kind in RequestType if kind in found}


_PHRASES = _phrases_by_type()


SPECIFIC_TYPES = (
    RequestType.ADMT_OPT_OUT,
    RequestType.ADMT_ACCESS,
    RequestType.LIMIT_SENSITIVE,
    RequestType.THIRD_PARTY_LIST,
    RequestType.PROFILING_REVIEW,
)
"""Types whose phrases hold a more general one ("opt out", "access", "limit"): read first, and
what they matched is taken out of the text before the other types are read."""


def requested_types(subject: str, body: str) -> list[RequestType]:
    """The request types a message asks for, in any of the languages read."""
    text = normalized_text(f"{subject} {body[:MAX_TEXT_READ]}")
    found: set[RequestType] = set()
    for kind in SPECIFIC_TYPES:
        for phrase in _PHRASES.get(kind, ()):
            while (place := phrase.first_place_in(text)) is not None:
                found.add(kind)
                text = f"{text[: place[0]]} | {text[place[1] :]}"
    found.update(
        kind
        for kind, phrases in _PHRASES.items()
        if kind not in SPECIFIC_TYPES and any(phrase.found_in(text) for phrase in phrases)
    )
    return [kind for kind in _PHRASES if kind in found]


def written_language(subject: str, body: str) -> str | None:
    """The language a message is written in, as its code (``de``), by the language whose request
    phrases it uses most; None when it uses none (the first language read wins a tie)."""
    text = normalized_text(f"{subject} {body[:MAX_TEXT_READ]}")
    found = {
        language: sum(Phrase.written(word).found_in(text) for words in phrases.values() for word in words)
        for language, phrases in PHRASES_BY_LANGUAGE.items()
    }
    language, count = max(found.items(), key=lambda item: item[1])
    return LANGUAGE_CODES[language] if count else None
