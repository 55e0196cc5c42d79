"""Rate limits applied to the desk's public doors, with each lock-out audited once.

Keys are keyed hashes (KMS), never addresses or emails: a copy of the table tells nobody who
asked how often.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger

from dsr.desk import Desk
from dsr.rate_limits import RateLimit, Verdict

logger = Logger(child=True)


class TooManyAttemptsError(Exception):
    """Refused by a rate limit; the same answer whichever limit it was."""

    def __init__(self, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__("Too many attempts; try again later.")


def address_key(desk: Desk, source_ip: str) -> str:
    return desk.hasher.digest(f"address:{source_ip}")


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
