"""How a subject shows that a request is theirs, before staff review it.

Apart from the verification policy's tables so that the notices and the status page can name a
proof without loading them.
"""

from enum import StrEnum


class Proof(StrEnum):
    """What a request waits for before review: how the subject shows the request is theirs."""

    CODE = "code"
    CODE_AND_DETAILS = "code_and_details"
    """The emailed code and details the company holds about the person (the matched level)."""
    SIGN_IN = "sign_in"
    POWER_OF_ATTORNEY = "power_of_attorney"
    NONE = "none"


CODE_PROOFS = frozenset({Proof.CODE, Proof.CODE_AND_DETAILS})
"""The proofs the subject gives on the status page, starting with the emailed code."""
