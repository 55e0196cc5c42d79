"""A stand-in for the company's product login, for demonstrations and tests on the local cloud only.

In production the product's login service holds the Ed25519 private key and issues an account
assertion when a signed-in account holder confirms a request; the desk is configured with the
public key alone (see ``dsr.verification.account_assertion``). Here one process plays both sides: the key is
generated afresh at start, lives only in memory, and is never written anywhere.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from nacl.encoding import Base64Encoder
from nacl.signing import SigningKey

from dsr.verification.account_assertion import AccountAssertion, sign_assertion
from dsr.verification.signal_assertion import PURPOSE, SignalAssertion, sign_signal_assertion

PRODUCT_SIGN_IN_PATH = "/_local/product-login"  # where the desk's sign-in email sends account holders
PRODUCT_CONFIRM_PATH = "/_local/product-login/confirm"
ASSERTION_LIFETIME = timedelta(minutes=10)
NONCE_BYTES = 24  # 32 url-safe characters


class DemoProductLogin:
    """Issues signed account assertions as the product would, just after the holder signs in."""

    def __init__(self) -> None:
        self._signing_key = SigningKey.generate()

    @property
    def public_key_b64(self) -> str:
        """What the desk is configured with: standard base64 of the 32-byte public key."""
        return bytes(self._signing_key.verify_key.encode(encoder=Base64Encoder)).decode("ascii")

    def assertion_for(self, request_id: str, account_id: str, email: str, now: datetime) -> str:
        """A fresh assertion: ``account_id`` signed in at ``now`` and confirms ``request_id``."""
        assertion = AccountAssertion(
            request_id=request_id,
            account_id=account_id,
            email=email,
            authenticated_at=now,
            expires_at=now + ASSERTION_LIFETIME,
            nonce=secrets.token_urlsafe(NONCE_BYTES),
        )
        return sign_assertion(assertion, self._signing_key)

    def signal_assertion_for(
        self,
        account_id: str,
        email: str,
        now: datetime,
        *,
        country: str | None = None,
        region: str | None = None,
    ) -> str:
        """The statement the product puts in a signed-in holder's pages, for the GPC script."""
        assertion = SignalAssertion(
            purpose=PURPOSE,
            account_id=account_id,
            email=email,
            country=country,
            region=region,
            authenticated_at=now,
            expires_at=now + ASSERTION_LIFETIME,
            nonce=secrets.token_urlsafe(NONCE_BYTES),
        )
        return sign_signal_assertion(assertion, self._signing_key)
