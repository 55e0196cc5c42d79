"""Identity verification by email: a single-use code that unlocks the task token kept server-side."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from aws_lambda_powertools import Logger

from dsr import notices
from dsr.desk import Desk
from dsr.intake import status_token
from dsr.models import Status

logger = Logger(child=True)

STAGE = "verification"
CODE_DIGITS = 6
MAX_ATTEMPTS = 5


class VerificationOutcome(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected"


def _code_message(request_id: str, code: str) -> str:
    """The code is bound to its request, so a code for one request is worthless for another."""
    return f"{request_id}:{code}"


def begin(desk: Desk, request_id: str, task_token: str) -> None:
    """Keep the task token, send the subject a code, and wait."""
    request = desk.store.transition(request_id, [Status.RECEIVED, Status.VERIFYING], Status.VERIFYING)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = desk.now() + timedelta(minutes=desk.settings.verification_code_ttl_minutes)
    desk.store.put_task(
        request_id,
        STAGE,
        {
            "task_token": task_token,
            "code_mac": desk.hasher.digest(_code_message(request_id, code)),
            "code_expires_at": expires_at.isoformat(),
            "attempts": 0,
        },
    )
    status_url = desk.status_url(request_id, status_token(desk, request_id))
    notice = notices.verification_code(request, code, status_url, desk.settings.verification_code_ttl_minutes)
    desk.send_notice(str(request.subject.email), notice, request_id)
    desk.audit(request_id, "workflow", "verification code sent", "waiting for the subject", level="email")


def submit_code(desk: Desk, request_id: str, code: str) -> VerificationOutcome:
    """Check a code. Every failure looks the same from outside; the audit trail says which it was."""
    task = desk.store.get_task(request_id, STAGE)
    reason = _unusable(task, desk.now())
    if reason is None and task is not None:
        counted = desk.store.update_task(
            request_id,
            STAGE,
            "SET attempts = attempts + :one",
            "attempts < :max AND attribute_not_exists(decided_at)",
            {":one": 1, ":max": MAX_ATTEMPTS},
        )
        if not counted:
            reason = "too many attempts or already used"
        elif not desk.hasher.matches(_code_message(request_id, code), str(task["code_mac"])):
            reason = "wrong code"
        elif not desk.store.update_task(
            request_id,
            STAGE,
            "SET decided_at = :now",
            "attribute_not_exists(decided_at)",
            {":now": desk.now().isoformat()},
        ):
            reason = "already used"
    if reason is not None:
        if task is not None:
            desk.audit(request_id, "subject", "verification attempt", "rejected", reason=reason)
        logger.info("verification rejected", request_id=request_id, reason=reason)
        return VerificationOutcome.REJECTED
    assert task is not None
    desk.workflow.resume(str(task["task_token"]), {"verified": True, "level": "email"})
    desk.audit(request_id, "subject", "verification attempt", "verified", level="email")
    return VerificationOutcome.VERIFIED


def _unusable(task: dict[str, object] | None, now: datetime) -> str | None:
    if task is None:
        return "no verification waiting"
    if "decided_at" in task:
        return "already used"
    if datetime.fromisoformat(str(task["code_expires_at"])) <= now:
        return "code expired"
    if int(str(task["attempts"])) >= MAX_ATTEMPTS:
        return "too many attempts"
    return None
