"""What a message asks for: the request types, read from its text in several languages.

The request type is read in English, French, German and Spanish. Accents and case do not
matter: the text and the phrases are compared after Unicode NFKD decomposition, with combining
marks removed and case folded ("Löschung", "LOSCHUNG" and "löschung" read the same).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from dsr.models import RequestType

# Each phrase matches whole words. A trailing ``*`` lets the last word go on ("rectif*" finds
# "rectification"); a leading ``*`` lets the first word be the end of a compound ("*löschung"
# finds "Datenlöschung"). Write phrases as people write them, accents included.

Phrases = Mapping[RequestType, tuple[str, ...]]

ENGLISH: Phrases = {
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

# Only the start of a long body is read: a request is written at the top, not after the quote.
MAX_TEXT_READ = 100_000

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})


def normalized_text(text: str) -> str:
    """Case folded, accents removed, apostrophes straightened, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.split())


def _phrase_pattern(phrase: str) -> str:
    compound_tail = r"\w*" if phrase.startswith("*") else ""
    stem = r"\w*" if phrase.endswith("*") else ""
    return rf"\b{compound_tail}{re.escape(normalized_text(phrase.strip('*')))}{stem}\b"


def _compile_phrases() -> dict[RequestType, re.Pattern[str]]:
    patterns: dict[RequestType, list[str]] = {}
    for phrases in PHRASES_BY_LANGUAGE.values():
        for kind, words in phrases.items():
            patterns.setdefault(kind, []).extend(_phrase_pattern(word) for word in words)
    ordered = [kind for kind in RequestType if kind in patterns]
    return {kind: re.compile("|".join(patterns[kind])) for kind in ordered}


_PATTERNS = _compile_phrases()


def requested_types(subject: str, body: str) -> list[RequestType]:
    """The request types a message asks for, in any of the languages read."""
    text = normalized_text(f"{subject} {body[:MAX_TEXT_READ]}")
    return [kind for kind, pattern in _PATTERNS.items() if pattern.search(text)]
