"""Account-holder verification through the company's own login: a signed assertion from the product.

For account holders, California's rules (the CCPA regulations on password-protected accounts) say
to verify through the existing login: the subject signs in to the company's product again, and the
product tells the desk "this account holder, logged in just now, confirms request R". That
statement is an *account assertion*, and this module checks it.

Trust model
-----------
- The product signs assertions with an Ed25519 key (libsodium, through PyNaCl). **The private key
  never reaches the desk**: it stays with the product's login service.
- The desk holds only the matching **public key**, configured per deployment as standard base64 of
  the 32 raw key bytes. A copy of the desk's configuration, table or code is therefore no help in
  forging an assertion; rotating the key is a change of that one setting.
- Verification is libsodium's ``crypto_sign_open`` (constant-time), run on the exact bytes the
  product signed, *before* any of those bytes are parsed.

Wire format
-----------
``base64url(signature || canonical JSON)``: libsodium's "combined" signed message, the shape the
Data Rights Protocol uses for its signed bodies (64-byte signature first, then the JSON), encoded
with the URL-safe base64 alphabet (padding optional on input). Canonical JSON is
``json.dumps(assertion.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))``; that is
what :func:`sign_assertion` produces, but the signature covers whatever bytes the product sent, so
a product that serialises differently still verifies.

What an assertion must satisfy (:func:`verify_assertion`)
---------------------------------------------------------
It names this request; it was issued at most 15 minutes before it expires; it has not expired; the
login it reports happened at most ``max_age`` ago and not more than a minute in the future (clock
skew). Any failure raises :class:`InvalidAssertionError` whose ``reason`` is a short
machine-readable code for the audit trail. **Callers answer the subject with one generic message
whatever the reason**, as the emailed-code path does, so the answers reveal nothing.

Replay
------
A signed assertion is a bearer token for its short life: a single assertion must be usable once.
Verification here is pure (no storage), so the caller records :func:`assertion_fingerprint` with a
conditional write (``attribute_not_exists``) *before* acting on the assertion, and refuses it with
reason :attr:`RefusalReason.REPLAYED` when the write finds the fingerprint already there. Keep the
record at least until the assertion's ``expires_at`` (a TTL of ``expires_at`` plus a margin is
enough: an expired assertion is refused anyway).

The assertion also carries the account id and email the product signed in; the caller must check
that they match the request's subject before treating the request as verified.
"""

import base64
import binascii
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Final, Protocol, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from dsr.core.desk_model import DeskModel

if TYPE_CHECKING:
    # PyNaCl (libsodium) is imported where a signature is made or checked: only account verification.
    from nacl.signing import SigningKey, VerifyKey

SIGNATURE_BYTES: Final = 64
PUBLIC_KEY_BYTES: Final = 32
MAX_LIFETIME: Final = timedelta(minutes=15)
CLOCK_SKEW: Final = timedelta(seconds=60)
DEFAULT_MAX_AGE: Final = timedelta(minutes=10)
# A real assertion is a few hundred characters; refusing anything far longer before decoding it
# keeps a hostile body from costing more than a glance.
MAX_TOKEN_CHARS: Final = 4096

_BASE64URL: Final = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class RefusalReason(StrEnum):
    """Why an assertion was refused: for the audit trail and logs, never for the subject."""

    BAD_ENCODING = "bad-encoding"
    BAD_SIGNATURE = "bad-signature"
    BAD_PAYLOAD = "bad-payload"
    WRONG_REQUEST = "wrong-request"
    LIFETIME_TOO_LONG = "lifetime-too-long"
    NOT_YET_VALID = "not-yet-valid"
    EXPIRED = "expired"
    TOO_OLD = "too-old"
    WRONG_PURPOSE = "wrong-purpose"
    """A statement made for another purpose (a request's confirmation used as a privacy signal's)."""
    # Not raised here: for the caller whose conditional write found the fingerprint already used.
    REPLAYED = "replayed"


class InvalidAssertionError(Exception):
    """The assertion cannot be accepted. ``reason`` is for the audit trail only."""

    def __init__(self, reason: RefusalReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class InvalidPublicKeyError(ValueError):
    """The configured public key is not base64 of 32 bytes: a deployment error, not the subject's."""


def _in_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_in_utc)]
RequestId = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]
AccountId = Annotated[str, StringConstraints(min_length=1, max_length=256)]
Nonce = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]


class AccountAssertion(DeskModel):
    """The product's statement: account ``account_id`` (``email``), signed in at ``authenticated_at``,
    confirms request ``request_id``; the statement is good until ``expires_at``."""

    # Built on first use: only the account sign-in route reads an assertion.
    model_config = ConfigDict(frozen=True, extra="forbid")

    request_id: RequestId
    account_id: AccountId
    email: EmailStr
    authenticated_at: UtcDatetime
    expires_at: UtcDatetime
    nonce: Nonce

    @model_validator(mode="after")
    def _expires_after_login(self) -> Self:
        if self.expires_at <= self.authenticated_at:
            raise ValueError("expires_at must be after authenticated_at")
        return self


def canonical_json(assertion: BaseModel) -> bytes:
    """The bytes :func:`sign_assertion` signs: sorted keys, no spaces, ASCII (json.dumps's escapes)."""
    document = assertion.model_dump(mode="json")
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def sign_assertion(assertion: BaseModel, signing_key: "SigningKey") -> str:
    """The product's side (and the tests'): ``base64url(signature || canonical JSON)``, for a
    request's confirmation and for any other statement of the product (a privacy signal's)."""
    from nacl.encoding import URLSafeBase64Encoder  # noqa: PLC0415 - see the TYPE_CHECKING import

    signed = signing_key.sign(canonical_json(assertion), encoder=URLSafeBase64Encoder)
    return bytes(signed).decode("ascii")


def load_verify_key(public_key_b64: str) -> "VerifyKey":
    """The deployment's public key, from standard base64 of its 32 raw bytes."""
    try:
        raw = base64.b64decode(public_key_b64.strip(), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidPublicKeyError("the account assertion public key is not base64") from error
    if len(raw) != PUBLIC_KEY_BYTES:
        raise InvalidPublicKeyError(f"the account assertion public key must be {PUBLIC_KEY_BYTES} bytes")
    from nacl.signing import VerifyKey  # noqa: PLC0415 - see the TYPE_CHECKING import

    return VerifyKey(raw)


def verify_assertion(
    token: str,
    public_key_b64: str,
    *,
    request_id: str,
    now: datetime,
    max_age: timedelta = DEFAULT_MAX_AGE,
) -> AccountAssertion:
    """The assertion in ``token``, once its signature, request and times have been checked.

    Raises :class:`InvalidAssertionError` for anything wrong with the token (and nothing else for
    any token), :class:`InvalidPublicKeyError` when the configured key is unusable, and
    ``ValueError`` when ``now`` has no time zone (both of these are the caller's errors).
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    verify_key = load_verify_key(public_key_b64)
    payload = _signed_payload(_decode(token), verify_key)
    try:
        assertion = AccountAssertion.model_validate_json(payload)
    except ValidationError as error:
        raise InvalidAssertionError(_refusal_of_payload(payload)) from error
    if assertion.request_id != request_id:
        raise InvalidAssertionError(RefusalReason.WRONG_REQUEST)
    _check_times(assertion, now.astimezone(UTC), max_age)
    return assertion


def _refusal_of_payload(payload: bytes) -> RefusalReason:
    """A statement made for a purpose (a privacy signal's) is not a request's confirmation."""
    try:
        document = json.loads(payload)
    except ValueError:
        return RefusalReason.BAD_PAYLOAD
    has_purpose = isinstance(document, dict) and "purpose" in document
    return RefusalReason.WRONG_PURPOSE if has_purpose else RefusalReason.BAD_PAYLOAD


def assertion_fingerprint(assertion: AccountAssertion) -> str:
    """What the caller records, with a conditional write, so that an assertion is used once.

    SHA-256 (hex) of ``request_id`` and ``nonce``: stable for one assertion, different for every
    nonce, and free of personal data, so it can sit in the table and the audit trail.
    """
    return hashlib.sha256(f"{assertion.request_id}:{assertion.nonce}".encode()).hexdigest()


def _decode(token: str) -> bytes:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or not _BASE64URL.fullmatch(token):
        raise InvalidAssertionError(RefusalReason.BAD_ENCODING)
    unpadded = token.rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
    except (binascii.Error, ValueError) as error:
        raise InvalidAssertionError(RefusalReason.BAD_ENCODING) from error
    if len(raw) <= SIGNATURE_BYTES:
        raise InvalidAssertionError(RefusalReason.BAD_ENCODING)
    return raw


def _signed_payload(signed: bytes, verify_key: "VerifyKey") -> bytes:
    """The message, only if the signature over it verifies; nothing unsigned is ever parsed."""
    from nacl.exceptions import BadSignatureError  # noqa: PLC0415 - see the TYPE_CHECKING import

    try:
        return verify_key.verify(signed)
    except BadSignatureError as error:
        raise InvalidAssertionError(RefusalReason.BAD_SIGNATURE) from error


class _Timed(Protocol):
    @property
    def authenticated_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...


def verified_payload(token: str, public_key_b64: str) -> bytes:
    """The bytes the product signed in ``token``, once the signature over them is checked; for
    statements of another shape (``dsr.verification.signal_assertion``)."""
    return _signed_payload(_decode(token), load_verify_key(public_key_b64))


def check_times(assertion: _Timed, now: datetime, max_age: timedelta = DEFAULT_MAX_AGE) -> None:
    """The lifetime, login and expiry rules every signed statement of the product obeys."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    _check_times(assertion, now.astimezone(UTC), max_age)


def _check_times(assertion: _Timed, now: datetime, max_age: timedelta) -> None:
    if assertion.expires_at - assertion.authenticated_at > MAX_LIFETIME:
        raise InvalidAssertionError(RefusalReason.LIFETIME_TOO_LONG)
    if assertion.authenticated_at > now + CLOCK_SKEW:
        raise InvalidAssertionError(RefusalReason.NOT_YET_VALID)
    if now >= assertion.expires_at:
        raise InvalidAssertionError(RefusalReason.EXPIRED)
    if now - assertion.authenticated_at > max_age:
        raise InvalidAssertionError(RefusalReason.TOO_OLD)
