"""The grounds on which a reviewer withholds part of an access package, and how the subject and
staff read them.

The codes are what the law allows to be kept out of a copy of someone's data:

- ``third_party``: personal data about other people (GDPR art. 15(4): the copy must not adversely
  affect the rights and freedoms of others; UK DPA 2018 Sch. 2 para. 16).
- ``trade_secret``: trade secrets or intellectual property (GDPR recital 63; Cal. Civ. Code
  1798.100(f)).
- ``legal_privilege``: legal professional privilege (UK DPA 2018 Sch. 2 para. 19; Cal. Civ. Code
  1798.145(b) on evidentiary privileges).
- ``security``: an identification or account number, a password or a security answer, which the
  CCPA regulations forbid sending in an answer to a request to know (11 CCR 7024(d)); the
  subject is told that the desk holds it.

Staff choose a code; the subject reads its words in the language of their request (GDPR art.
12(1), 15(4); 11 CCR 7024(e) asks for the basis of any withholding to be given).
"""

from collections.abc import Iterable
from enum import StrEnum

from dsr.core import catalogs
from dsr.core.catalogs import N_
from dsr.core.staff_catalog import S_


class WithholdingGround(StrEnum):
    THIRD_PARTY = "third_party"
    TRADE_SECRET = "trade_secret"  # noqa: S105  # nosec B105 - a ground, not a password
    LEGAL_PRIVILEGE = "legal_privilege"
    SECURITY = "security"


STAFF_LABELS: dict[WithholdingGround, str] = {
    WithholdingGround.THIRD_PARTY: S_("Another person's personal data"),
    WithholdingGround.TRADE_SECRET: S_("Trade secret or intellectual property"),
    WithholdingGround.LEGAL_PRIVILEGE: S_("Legal privilege"),
    WithholdingGround.SECURITY: S_("Password, security answer or account number"),
}
"""What staff see beside each code in the console (through ``staff_text``)."""

SUBJECT_WORDS: dict[WithholdingGround, str] = {
    WithholdingGround.THIRD_PARTY: N_(
        "it is personal data about other people, whose rights we must protect too"
    ),
    WithholdingGround.TRADE_SECRET: N_("it would reveal our trade secrets or intellectual property"),
    WithholdingGround.LEGAL_PRIVILEGE: N_(
        "it is advice from our lawyers or prepared for legal proceedings, which the law lets us keep "
        "confidential"
    ),
    WithholdingGround.SECURITY: N_(
        "it is a password, security answer or identification or account number, which we hold but "
        "never send, to keep your accounts safe"
    ),
}
"""Why it was withheld, as the subject reads it after "because"."""


def grounds_for_subject(grounds: Iterable[WithholdingGround], language: str) -> list[str]:
    """Each ground once, in the order of the codes, in ``language``."""
    chosen = set(grounds)
    return [
        catalogs.gettext(language, SUBJECT_WORDS[ground]) for ground in WithholdingGround if ground in chosen
    ]
