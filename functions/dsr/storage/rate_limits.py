"""Fixed-window rate limits, kept in the requests table.

Layout (same single table as :mod:`dsr.storage.store`, partition key ``pk = RATE#<rule>#<key>``; the items
are kept by :mod:`dsr.storage.rate_windows`):

* ``sk = W#<window start, epoch seconds>``: ``count`` attempts allowed in that window.
* ``sk = LOCK``: ``until`` (epoch seconds): the key is refused until then, whatever the window.

Both carry ``expires_at`` (epoch seconds), so DynamoDB's TTL removes them once they no longer
matter. TTL deletes late (up to days), so nothing here relies on an item being gone: a window
item is keyed by its window, and a lock is honoured only while ``until`` is in the future.

Counting is one conditional ``update_item``: it adds one only while the count is below the
limit, so callers racing from many Lambdas can never be allowed more than ``limit`` times.

No personal data is stored. ``key`` must already be opaque: a keyed hash of an email or of a
source IP address (both are personal data), made with :func:`opaque_key` or with the desk's
KMS :class:`~dsr.core.keyed_hash.KeyedHasher`, or an identifier that is not personal, such as a
request id. :func:`check_opaque` refuses keys that look like an address, an email or a phone
number, but it is a guard, not a guarantee: hash before calling.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from datetime import datetime
from typing import TYPE_CHECKING, Final, NamedTuple, Self

from dsr.storage.keys import rate_pk
from dsr.storage.rate_windows import RateWindows

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

# Hex or base64 digests (64 or 44 characters) and request ids (UUIDs, 36) pass; emails, IP
# addresses (dots, colons) and phone numbers (at most 16 characters) do not.
_OPAQUE_KEY: Final = re.compile(r"[A-Za-z0-9+/=_-]{32,256}")
_RULE_NAME: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


class _RuleFields(NamedTuple):
    name: str
    limit: int
    window_seconds: int
    lockout_seconds: int


class RateLimit(_RuleFields):
    """At most ``limit`` attempts per key in each fixed window of ``window_seconds``. Once an
    attempt goes over the limit, the key is refused for ``lockout_seconds`` (0: no lockout),
    even after its window has ended.

    An immutable tuple checked as it is made: the rules are constants every function imports, and
    a pydantic model (or a dataclass) would be built for them at every cold start."""

    __slots__ = ()

    def __new__(cls, name: str, limit: int, window_seconds: int, lockout_seconds: int = 0) -> Self:
        if not isinstance(name, str) or not _RULE_NAME.fullmatch(name):
            raise ValueError(f"name {name!r}: lowercase letters, digits and hyphens, at most 64")
        for field_name, value, least in (
            ("limit", limit, 1),
            ("window_seconds", window_seconds, 1),
            ("lockout_seconds", lockout_seconds, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"{field_name} {value!r}: a whole number of at least {least}")
        return super().__new__(cls, name, limit, window_seconds, lockout_seconds)


class Verdict(NamedTuple):
    """``allowed``: go on. Otherwise answer 429 with ``Retry-After: retry_after_seconds``.
    ``locked_now`` is True for exactly one attempt per lockout, the one that started it: audit
    that one, not every refusal."""

    allowed: bool
    retry_after_seconds: int = 0
    locked_now: bool = False


# --- the desk's rules ---------------------------------------------------------------------------

# A subject (keyed hash of the mailbox: see MAILS_PER_RECIPIENT) may file 5 requests a day: enough for several
# rights at once (access, then erasure, a correction, a retry after a typo); more is a script, or
# someone filing in another person's name to flood their inbox with acknowledgements. No lockout:
# the window alone caps the abuse, and a real subject must never be shut out of their rights.
SUBMISSIONS_PER_SUBJECT: Final = RateLimit(
    name="submissions-per-subject", limit=5, window_seconds=24 * 3600, lockout_seconds=0
)

# A mailbox (keyed hash of the address, case ignored and plus-tag taken off) may be sent 15 emails
# a day that someone other than its owner could have asked for: acknowledgements, verification
# codes (first and new), download codes and answers to mail we could not read. A real subject
# filing their five requests a day needs two each, and a few new or download codes; more is
# someone using the desk to flood an inbox. Mail staff decide to send (decisions, extensions,
# closing notices) is not counted.
MAILS_PER_RECIPIENT: Final = RateLimit(
    name="mails-per-recipient", limit=15, window_seconds=24 * 3600, lockout_seconds=0
)

# A source address (keyed hash of the IP) may submit 30 requests an hour: one address can be a
# whole office or a carrier-grade NAT, so this is far above what people behind it send, yet it
# stops a scripted flood. Going over costs 15 minutes, so a script pays for hitting the limit
# while a shared office is not shut out for long.
SUBMISSIONS_PER_ADDRESS: Final = RateLimit(
    name="submissions-per-address", limit=30, window_seconds=3600, lockout_seconds=15 * 60
)

# A source address may try 20 verification codes an hour, across all requests. Each code already
# allows only 5 tries (verification.MAX_ATTEMPTS); this stops one address guessing across many
# requests. 20 covers a few subjects behind one address mistyping; the 30-minute lockout keeps
# a guesser near 20 tries per 90 minutes, against a 6-digit code that lives 30 minutes.
CODE_ATTEMPTS_PER_ADDRESS: Final = RateLimit(
    name="code-attempts-per-address", limit=20, window_seconds=3600, lockout_seconds=30 * 60
)

# A request (its id, not personal) may ask for 3 new codes an hour: each sends an email to the
# subject, and 3 covers a lost or late message, so the desk cannot be used to flood an inbox.
# No lockout: the window is enough, and locking the request would lock out the real subject.
NEW_CODES_PER_REQUEST: Final = RateLimit(
    name="new-codes-per-request", limit=3, window_seconds=3600, lockout_seconds=0
)

# The same for the codes that unlock an access package download (dsr.closing.downloads), counted apart:
# 3 an hour, each with 5 tries, keeps a guesser near 15 tries an hour against a 6-digit code,
# and the subject's inbox is not flooded. No lockout, for the same reason as above.
DOWNLOAD_CODES_PER_REQUEST: Final = RateLimit(
    name="download-codes-per-request", limit=3, window_seconds=3600, lockout_seconds=0
)

# An authorized agent (the SHA-256 of its directory id, not personal) may send 120 Data Rights
# Protocol calls a minute: a bulk agent sends a person's requests to many businesses, not many to
# one, and checks status with callbacks, so more is a loop gone wrong. No lockout: the window is
# enough, and the answer (429, Retry-After) tells the agent when to come back.
CALLS_PER_AGENT: Final = RateLimit(
    name="drp-calls-per-agent", limit=120, window_seconds=60, lockout_seconds=0
)

# A source address may send 600 Global Privacy Control signals an hour: the script sends one per
# browser a day (and again when the page learns who the person is), so this is a large office
# behind one address; more is a script inflating the counts. No lockout: the window is enough,
# and a refused signal is sent again on the next page.
SIGNALS_PER_ADDRESS: Final = RateLimit(
    name="gpc-signals-per-address", limit=600, window_seconds=3600, lockout_seconds=0
)


def opaque_key(value: str, secret: bytes) -> str:
    """The HMAC-SHA256 (hex) of ``value`` under ``secret``: a key that cannot be turned back
    into an email or an IP address without the secret. Normalize ``value`` first (for instance
    :func:`dsr.core.keyed_hash.normalized_email`) so the same person always gets the same key."""
    if not secret:
        raise ValueError("opaque_key needs a non-empty secret")
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def check_opaque(key: str) -> str:
    """``key`` if it looks opaque (a digest or an id), else ValueError. Never logs the key."""
    if not _OPAQUE_KEY.fullmatch(key):
        raise ValueError("rate-limit keys must be opaque: pass a keyed hash, not the value itself")
    return key


def _epoch(now: datetime) -> int:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return math.floor(now.timestamp())


class RateLimiter:
    """Counts attempts in the requests table; see the module's notes for the layout."""

    def __init__(self, table: Table) -> None:
        self._windows = RateWindows(table)

    def hit(self, rule: RateLimit, key: str, now: datetime) -> Verdict:
        """Count one attempt by ``key`` (opaque: see :func:`opaque_key`) at ``now``."""
        pk = rate_pk(rule.name, check_opaque(key))
        at = _epoch(now)
        locked_until = self._windows.locked_until(pk, at)
        if locked_until is not None:
            return Verdict(allowed=False, retry_after_seconds=_wait(locked_until, at))
        window_end = at - at % rule.window_seconds + rule.window_seconds
        if self._windows.count(pk, rule.window_seconds, rule.limit, window_end):
            return Verdict(allowed=True)
        if rule.lockout_seconds == 0:
            return Verdict(allowed=False, retry_after_seconds=_wait(window_end, at))
        until = at + rule.lockout_seconds
        locked_now = self._windows.lock(pk, until, at)
        return Verdict(
            allowed=False, retry_after_seconds=_wait(max(until, window_end), at), locked_now=locked_now
        )


def _wait(until: int, at: int) -> int:
    """Whole seconds until ``until``; at least 1, so Retry-After never says "now"."""
    return max(1, until - at)
