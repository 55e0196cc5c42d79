"""Opening a signed message of the Data Rights Protocol 1.0 (3.07), the checks in the spec's order.

A message is text: base64 of the Ed25519 signature (64 bytes) followed by the JSON it signs
(libsodium's "combined mode"). :func:`open_signed` checks, in this order, and stops at the first
that fails:

1. the body is at most ``MAX_BODY_CHARACTERS`` and decodes from base64 into bytes;
2. the signature verifies with the verify key of the agent the bearer token belongs to (for key
   set-up, the agent the path names): the directory's key is the root of trust;
3. the signed bytes are UTF-8 JSON, an object;
4. ``agent-id`` is that agent;
5. ``business-id`` is this desk's (the ``DrpBusinessId`` deployment setting);
6. now is at or after ``issued-at``, allowing ``CLOCK_SKEW`` for an agent's clock a little ahead;
7. now is before ``expires-at``;
8. and further: ``expires-at`` is after ``issued-at`` by at most ``MAX_VALIDITY`` (the spec
   recommends ten minutes), and ``drp.version`` is "1.0".

A moment without a time zone is read as UTC. Any failure is a :class:`MessageRefused` naming the
check; nothing in a message is trusted before its signature verifies.
"""

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final, NamedTuple

DRP_VERSION: Final = "1.0"
MAX_BODY_CHARACTERS: Final = 64 * 1024
"""A request's claims fit in a few kilobytes; a larger body is refused before it is decoded."""
CLOCK_SKEW: Final = timedelta(seconds=60)
"""How far an agent's clock may run ahead of ours: a message issued up to a minute "in the future"
is taken as issued now."""
MAX_VALIDITY: Final = timedelta(minutes=10)
"""The longest a message may be valid (``expires-at - issued-at``): the spec's recommendation."""
SIGNATURE_BYTES: Final = 64


class MessageRefused(Exception):  # noqa: N818 - a refusal, answered as the protocol's error
    """A signed message failed ``check``; ``message`` says why, for the agent."""

    def __init__(self, check: str, message: str, *, status: int = 400) -> None:
        self.check = check
        self.message = message
        self.status = status
        super().__init__(message)


class SignedMessage(NamedTuple):
    claims: dict[str, Any]
    digest: str
    """SHA-256 of the decoded body (signature and message): the message's identity, for accepting
    it once. libsodium refuses a malleated signature, so one message has one signature."""
    expires_at: datetime | None


def decoded(body: str) -> bytes:
    if len(body) > MAX_BODY_CHARACTERS:
        raise MessageRefused("size", f"the body is larger than {MAX_BODY_CHARACTERS} characters", status=413)
    try:
        return base64.b64decode(body.strip(), validate=True)
    except (binascii.Error, ValueError) as problem:
        raise MessageRefused("base64", "the body does not decode from base64") from problem


def verified(raw: bytes, verify_key: str) -> bytes:
    if len(raw) <= SIGNATURE_BYTES:
        raise MessageRefused(
            "signature", "the body is too short to hold a signature and a message", status=403
        )
    from nacl.exceptions import BadSignatureError, CryptoError  # noqa: PLC0415 - only signed bodies need it
    from nacl.signing import VerifyKey  # noqa: PLC0415 - as above

    try:
        return VerifyKey(base64.b64decode(verify_key)).verify(raw)
    except (BadSignatureError, CryptoError, ValueError) as problem:
        raise MessageRefused(
            "signature", "the signature does not verify with the agent's key", status=403
        ) from problem


def claims_of(signed: bytes) -> dict[str, Any]:
    try:
        claims = json.loads(signed.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as problem:
        raise MessageRefused("json", "the signed message is not UTF-8 JSON") from problem
    if not isinstance(claims, dict):
        raise MessageRefused("json", "the signed message is not a JSON object")
    return claims


def moment(claims: dict[str, Any], name: str) -> datetime:
    value = claims.get(name)
    if not isinstance(value, str):
        raise MessageRefused(name, f"{name} is missing: an ISO 8601 timestamp is needed")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as problem:
        raise MessageRefused(name, f"{name} is not an ISO 8601 timestamp") from problem
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def open_signed(
    body: str,
    *,
    verify_key: str,
    agent_id: str,
    business_id: str,
    now: datetime,
    envelope: bool = True,
) -> SignedMessage:
    """The message's claims, once every check of 3.07 holds (see the module's docstring).

    ``envelope=False`` (a revocation, whose body the spec gives as ``{"reason"}`` alone) checks
    the signature and then only the envelope claims the message carries."""
    raw = decoded(body)
    claims = claims_of(verified(raw, verify_key))
    if (envelope or "agent-id" in claims) and claims.get("agent-id") != agent_id:
        raise MessageRefused("agent-id", "agent-id does not match the agent of the token", status=403)
    if (envelope or "business-id" in claims) and claims.get("business-id") != business_id:
        raise MessageRefused("business-id", f"business-id is not {business_id}, this business", status=403)
    issued_at = moment(claims, "issued-at") if envelope or "issued-at" in claims else None
    if issued_at is not None and now + CLOCK_SKEW < issued_at:
        raise MessageRefused("issued-at", "issued-at is in the future: check the agent's clock")
    expires_at = moment(claims, "expires-at") if envelope or "expires-at" in claims else None
    if expires_at is not None and now >= expires_at:
        raise MessageRefused("expires-at", "the message has expired (expires-at has passed)")
    if (
        issued_at is not None
        and expires_at is not None
        and not timedelta(0) < expires_at - issued_at <= MAX_VALIDITY
    ):
        minutes = int(MAX_VALIDITY.total_seconds() // 60)
        raise MessageRefused("validity", f"expires-at must be after issued-at by at most {minutes} minutes")
    if (envelope or "drp.version" in claims) and claims.get("drp.version") != DRP_VERSION:
        raise MessageRefused("drp.version", f'drp.version must be "{DRP_VERSION}"')
    return SignedMessage(claims, hashlib.sha256(raw).hexdigest(), expires_at)
