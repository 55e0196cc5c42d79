"""A signed-in account holder's Global Privacy Control signal: the product's statement of who is
signed in on the page the signal came from.

The company's product puts a short-lived statement in its pages, signed with the same Ed25519
key as its login's account assertions (``dsr.verification.account_assertion``), in the same wire
format. Its ``purpose`` is always ``global-privacy-control`` and it names no request, while an
account assertion names a request and has no purpose: each is refused where the other is
expected (``RefusalReason.WRONG_PURPOSE``), so a statement made to confirm one request cannot be
replayed as a signal, nor a signal's statement as a confirmation. A statement replayed as a
signal only repeats the signal, which opens nothing while the first opt-out stands.
"""

import json
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Final, Literal, Self

from pydantic import ConfigDict, EmailStr, StringConstraints, ValidationError, model_validator

from dsr.core.desk_model import DeskModel
from dsr.verification.account_assertion import (
    AccountId,
    InvalidAssertionError,
    Nonce,
    RefusalReason,
    UtcDatetime,
    check_times,
    sign_assertion,
    verified_payload,
)

if TYPE_CHECKING:
    from nacl.signing import SigningKey

PURPOSE: Final = "global-privacy-control"
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")]


class SignalAssertion(DeskModel):
    """The product's statement: account ``account_id`` (``email``), who lives in ``country``
    (``region``), is signed in on this page since ``authenticated_at``; good until ``expires_at``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    purpose: Literal["global-privacy-control"]
    account_id: AccountId
    email: EmailStr
    country: CountryCode | None = None
    region: RegionCode | None = None
    authenticated_at: UtcDatetime
    expires_at: UtcDatetime
    nonce: Nonce

    @model_validator(mode="after")
    def _expires_after_login(self) -> Self:
        if self.expires_at <= self.authenticated_at:
            raise ValueError("expires_at must be after authenticated_at")
        return self


def sign_signal_assertion(assertion: SignalAssertion, signing_key: "SigningKey") -> str:
    """The product's side (and the demonstration's): signed as a request's confirmation is."""
    return sign_assertion(assertion, signing_key)


def verify_signal_assertion(token: str, public_key_b64: str, *, now: datetime) -> SignalAssertion:
    """The statement in ``token``, once its signature, purpose and times are checked; raises
    ``InvalidAssertionError`` with the reason otherwise."""
    payload = verified_payload(token, public_key_b64)
    try:
        document = json.loads(payload)
    except ValueError as error:
        raise InvalidAssertionError(RefusalReason.BAD_PAYLOAD) from error
    if not isinstance(document, dict) or document.get("purpose") != PURPOSE:
        raise InvalidAssertionError(RefusalReason.WRONG_PURPOSE)
    try:
        assertion = SignalAssertion.model_validate(document)
    except ValidationError as error:
        raise InvalidAssertionError(RefusalReason.BAD_PAYLOAD) from error
    check_times(assertion, now)
    return assertion
