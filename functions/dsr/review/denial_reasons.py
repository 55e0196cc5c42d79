"""The reasons staff choose from when they deny a request, and how the subject reads them.

The codes are the Data Rights Protocol's (1.0, 3.02), then the desk's own ``legal_obligation``.
Staff pick a code and may add an explanation in their own words; the subject is sent the
reason in the language of their request, followed by that explanation as staff wrote it.
"""

from enum import StrEnum

from dsr.core import catalogs
from dsr.core.catalogs import N_


class DenialReason(StrEnum):
    INSUF_VERIFICATION = "insuf_verification"
    NO_MATCH = "no_match"
    SUSPECTED_FRAUD = "suspected_fraud"
    CLAIM_NOT_COVERED = "claim_not_covered"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    TOO_MANY_REQUESTS = "too_many_requests"
    LEGAL_OBLIGATION = "legal_obligation"
    OTHER = "other"


SUBJECT_WORDS: dict[DenialReason, str] = {
    DenialReason.INSUF_VERIFICATION: N_("We could not verify your identity well enough for this request."),
    DenialReason.NO_MATCH: N_("We hold no personal data that matches the details you gave."),
    DenialReason.SUSPECTED_FRAUD: N_("We have reason to believe the request was not made by you."),
    DenialReason.CLAIM_NOT_COVERED: N_("The law does not give this right for this data."),
    DenialReason.OUTSIDE_JURISDICTION: N_("The law you relied on does not apply to us for this data."),
    DenialReason.TOO_MANY_REQUESTS: N_("You have made this request too often in the period the law allows."),
    DenialReason.LEGAL_OBLIGATION: N_("The law requires us to keep this data."),
}
"""What the subject reads for each code (``other`` has no words of its own: staff explain it)."""


def reason_for_subject(code: DenialReason, explanation: str | None, language: str) -> str:
    """The reason as the subject is sent it: the code's words in ``language``, then staff's
    explanation as written (for ``other``, the explanation alone)."""
    words = catalogs.gettext(language, SUBJECT_WORDS[code]) if code in SUBJECT_WORDS else ""
    return " ".join(part for part in (words, (explanation or "").strip()) if part)
