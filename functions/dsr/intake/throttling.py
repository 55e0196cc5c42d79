"""Rate limits applied to the desk's public doors, with each lock-out audited once.

Keys are keyed hashes (KMS), never addresses or emails: a copy of the table tells nobody who
asked how often.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from dsr.core.keyed_hash import normalized_mailbox
from dsr.storage.rate_limits import MAILS_PER_RECIPIENT, RateLimit, Verdict
from dsr.wiring.desk import Desk

logger = Logger(child=True)


class TooManyAttemptsError(Exception):
    """Refused by a rate limit; the same answer whichever limit it was."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__("Too many attempts; try again later.")


def address_key(desk: Desk, source_ip: str) -> str:
    return desk.hasher.digest(f"address:{source_ip}")


def mailbox_key(desk: Desk, email: str) -> str:
    """The rate-limit key of the mailbox ``email`` delivers to (see ``normalized_mailbox``)."""
    return desk.hasher.digest(f"mailbox:{normalized_mailbox(email)}")


def admit_mail(desk: Desk, email: str, request_id: str | None = None) -> bool:
    """Count one email to ``email`` that its owner may not have asked for; False (and the trail
    says so) when the mailbox has had its day's share, and the email must not be sent."""
    verdict = desk.limiter.hit(MAILS_PER_RECIPIENT, mailbox_key(desk, email), desk.now())
    if not verdict.allowed:
        logger.warning("email withheld: recipient's daily limit", request_id=request_id)
        if request_id:
            desk.audit(request_id, "rate limit", MAILS_PER_RECIPIENT.name, "email withheld")
    return verdict.allowed


def enforce_mail(desk: Desk, email: str, request_id: str | None = None) -> None:
    """As :func:`admit_mail`, for a path that answers the caller: 429 when over the limit."""
    if not admit_mail(desk, email, request_id):
        raise TooManyAttemptsError(MAILS_PER_RECIPIENT.window_seconds)


def enforce(desk: Desk, rule: RateLimit, key: str, *, request_id: str | None = None) -> Verdict:
    """Count one attempt; raise TooManyAttemptsError when the rule refuses it."""
    verdict = desk.limiter.hit(rule, key, desk.now())
    if verdict.locked_now:
        if request_id:
            desk.audit(request_id, "rate limit", rule.name, "locked out", seconds=verdict.retry_after_seconds)
        logger.warning("rate limit lock-out", rule=rule.name, request_id=request_id)
    if not verdict.allowed:
        raise TooManyAttemptsError(verdict.retry_after_seconds)
    return verdict
