"""The word that opens a subject's emailed appeal, in each language the desk ships.

A refusal tells the subject to reply beginning with the word of their own language (a German
subject writes EINSPRUCH, not APPEAL): the word each language's catalog uses for an appeal
(``tests/unit/test_catalogs.py`` holds the catalogs to it). Email intake takes a reply opening with
any language's word, or a synonym a subject may write instead (WIDERSPRUCH, APPEL, APELACIÓN), as
an appeal, whatever the request's language, after the reply or forward prefixes mail clients add
in these languages ("Re:", "AW:", "WG:", "TR:", "RV:", "Réf. :"). Accents are optional when
matching (APELACION is APELACIÓN), and so is the case.
"""

from __future__ import annotations

import re
import unicodedata

from dsr.core.languages import ENGLISH

APPEAL_WORDS: dict[str, str] = {
    "en": "APPEAL",
    "fr": "CONTESTATION",
    "fr_CA": "CONTESTATION",
    "de": "EINSPRUCH",
    "es": "RECURSO",
}
"""The word each shipped language's refusal names (``tests/unit/test_appeal_words.py`` holds it
to ``SHIPPED_LANGUAGES``)."""
ALSO_APPEALS = ("WIDERSPRUCH", "APPEL", "APELACIÓN")
"""Words a subject may open an appeal with instead of their language's own."""

# Reply and forward prefixes: English (Re, Fw, Fwd), German (AW, WG), French (RE, TR, Réf.),
# Spanish (RE, RV), Nordic (SV, VS) and Dutch (Antw), each followed by a colon, as many as a
# thread has gathered ("AW: WG: ...").
_PREFIXES = r"(?:(?:re|aw|wg|sv|vs|tr|rv|fw|fwd|antw|ref\.?)\s*:\s*|ref\.\s*)*"


def _unaccented(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(character for character in decomposed if not unicodedata.combining(character))


_OPENS_WITH_APPEAL = re.compile(
    r"^\s*"
    + _PREFIXES
    + "(?:"
    + "|".join(
        sorted(
            {re.escape(_unaccented(word)) for word in (*APPEAL_WORDS.values(), *ALSO_APPEALS)},
            key=len,
            reverse=True,
        )
    )
    + r")\b",
    re.IGNORECASE,
)


def appeal_word(language: str | None) -> str:
    """The word a refusal in ``language`` asks the subject to open their reply with."""
    return APPEAL_WORDS.get(language or ENGLISH, APPEAL_WORDS[ENGLISH])


def opens_with_appeal(text: str) -> bool:
    """Whether ``text`` (a reply's first words or its subject) opens with any language's appeal
    word, after any reply prefixes: "AW: Einspruch ..." does, "I do not want to appeal" does not."""
    return _OPENS_WITH_APPEAL.match(_unaccented(text)) is not None
