"""Identity verification, matched to the risk of the request.

The task token of the waiting state never leaves the server: a one-time code (or, for account
holders, the product's signed assertion) unlocks it. Every failure of the code looks the same
from outside; only whoever sent the right code is told that details are missing or do not match.
The audit trail says which failure it was.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from aws_lambda_powertools import Logger

from dsr.core.keyed_hash import normalized_email
from dsr.core.models import PrivacyRequest, Status
from dsr.intake import duplicates, throttling
from dsr.intake.proof_of_identity import requirement_for
from dsr.intake.status_tokens import status_token
from dsr.notices import subject_notices as notices
from dsr.policies.request_deadlines import recounted
from dsr.policies.verification import Level, Requirement, load_policy
from dsr.storage.tasks import CodeTask
from dsr.verification.agent_claims import verified_by_agent
from dsr.wiring.desk import Desk

logger = Logger(child=True)

STAGE = "verification"
CODE_DIGITS = 6
MAX_ATTEMPTS = 5
MAX_DATA_POINT_FAILURES = 3
# Wrong codes over a request's whole life, whatever new codes it was sent: three codes' worth. A
# new code brings fresh tries at that code, not a fresh start: once these are used up the request
# closes unverifiable (the subject is told, and may file again), so a guesser gets about 15
# tries at a 6-digit code in all rather than 5 an hour for the request's window.
MAX_LIFETIME_ATTEMPTS = 3 * MAX_ATTEMPTS
LIFETIME_ATTEMPTS_USED = "too many wrong codes for this request"
# Compared against when there is no code to compare with, so that path costs the same work.
STAND_IN_MAC = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
WINDOW_CLOSED = "VerificationWindowClosed"
FAILED = "VerificationFailed"


class VerificationOutcome(StrEnum):
    VERIFIED = "verified"
    REJECTED = "rejected"
    DETAILS_MISSING = "details_missing"
    """The code is right, but the request also needs details we hold, and none were given."""
    DETAILS_MISMATCHED = "details_mismatched"
    """The code is right, but too few of the details given match what we hold."""


def _code_message(request_id: str, code: str) -> str:
    """The code is bound to its request, so a code for one request is worthless for another."""
    return f"{request_id}:{code}"


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def begin(desk: Desk, request_id: str, task_token: str) -> Requirement:
    """Keep the task token, ask the subject for the proof the request needs, and wait."""
    request = desk.store.transition(request_id, [Status.RECEIVED, Status.VERIFYING], Status.VERIFYING)
    requirement = requirement_for(desk, request)
    if verified_by_agent(desk, request, requirement, task_token):  # an agent's verified claims suffice
        return requirement
    now = desk.now()
    window_ends_at = now + timedelta(seconds=desk.settings.verification_window_seconds)
    task: dict[str, Any] = {
        "task_token": task_token,
        "level": requirement.level.value,
        "data_points_required": requirement.data_points,
        "window_ends_at": window_ends_at.isoformat(),
        "attempts": 0,
        "data_point_failures": 0,
    }
    power_of_attorney = bool(request.agent and request.agent.power_of_attorney)
    code = None if power_of_attorney or requirement.level is Level.ACCOUNT else _new_code()
    if code:
        task.update(_code_fields(desk, request_id, code, now))
    desk.store.put_task(request_id, STAGE, task, window_ends_at=window_ends_at)
    desk.store.set_fields(request_id, {"verification_level": requirement.level.value})
    _ask_subject(desk, request, requirement, code, power_of_attorney)
    desk.audit(
        request_id,
        "workflow",
        "verification requested",
        "waiting for staff to confirm the power of attorney"
        if power_of_attorney
        else "waiting for the subject",
        level=requirement.level.value,
        data_points=requirement.data_points,
        path="power of attorney" if power_of_attorney else "subject confirms directly",
        policy=load_policy().version,
    )
    return requirement


def _code_fields(desk: Desk, request_id: str, code: str, now: datetime) -> dict[str, Any]:
    expires_at = now + timedelta(minutes=desk.settings.verification_code_ttl_minutes)
    return {
        "code_mac": desk.hasher.digest(_code_message(request_id, code)),
        "code_expires_at": expires_at.isoformat(),
    }


def _ask_subject(
    desk: Desk,
    request: PrivacyRequest,
    requirement: Requirement,
    code: str | None,
    power_of_attorney: bool,
    *,
    mail_counted: bool = False,
) -> None:
    if power_of_attorney:
        return  # staff confirm the power of attorney in the console
    if not mail_counted and not throttling.admit_mail(desk, str(request.subject.email), request.request_id):
        return  # the address has had its day's share of mail; the subject may ask for a code later
    status_url = desk.status_url(request.request_id, status_token(desk, request.request_id))
    if code is not None:
        status_url += f"&code={code}"  # the link carries the same secret as the code
    if code is None:
        login_url = f"{desk.settings.product_login_url}?request_id={request.request_id}"
        notice = notices.account_sign_in(request, login_url)
    else:
        asked = list(usable_details(request).values()) if requirement.level is Level.MATCHED else []
        notice = notices.verification_code(
            request,
            code,
            status_url,
            desk.settings.verification_code_ttl_minutes,
            data_point_labels=asked,
            data_points_needed=requirement.data_points,
        )
    desk.send_notice(str(request.subject.email), notice, request.request_id)


def usable_details(request: PrivacyRequest) -> dict[str, str]:
    """The details the request may be verified with, each name with its label: the policy's,
    less any a correction in the same request touches (never used to verify it, so never asked)."""
    from dsr.verification.data_points import excluded_points  # noqa: PLC0415 - the matched level's path only

    source = load_policy().data_points
    excluded = excluded_points(request.corrections, source)
    return {name: point.label for name, point in source.points.items() if name not in excluded}


def submit_code(
    desk: Desk, request_id: str, code: str, data_points: Mapping[str, str] | None = None
) -> VerificationOutcome:
    """Check a code (and, at the matched level, the data points). A right code with missing or
    unmatched details is told apart from a wrong code: only whoever has the code learns it.

    A wrong code costs the same work whether or not the request exists, so the time an answer
    takes does not tell: one read of the task, one counted attempt, one keyed-hash comparison
    (against a stand-in when there is no code) and one write to the trail (a write that cannot
    succeed when there is no request)."""
    task = desk.store.code_task(request_id, STAGE)
    reason = _unusable(task, desk.now())
    counted = _count_attempt(desk, request_id)
    code_mac = task.code_mac if task is not None and task.code_mac else STAND_IN_MAC
    code_matches = desk.hasher.matches(_code_message(request_id, code), code_mac)
    if reason is None and not counted:
        reason = "too many attempts or already used"
    if reason is None and not code_matches:
        reason = "wrong code"
    if reason is not None and counted:
        _close_after_the_last_attempt(desk, request_id, task)
    if reason is None and task is not None and task.level == Level.MATCHED.value:
        if not any(value.strip() for value in (data_points or {}).values()):
            _reject(desk, request_id, task, "the code was right; no data points were given")
            _close_after_the_last_attempt(desk, request_id, task)
            return VerificationOutcome.DETAILS_MISSING
        mismatch = _check_data_points(desk, request_id, task, data_points or {})
        if mismatch is not None:
            _reject(desk, request_id, task, mismatch)
            _close_after_the_last_attempt(desk, request_id, task)
            return VerificationOutcome.DETAILS_MISMATCHED
    if reason is None and task is not None:
        reason = _claim(desk, request_id)
    if reason is not None or task is None:
        _reject(desk, request_id, task, reason or "no verification waiting")
        return VerificationOutcome.REJECTED
    _verified(desk, request_id, str(task.task_token), str(task.level))
    return VerificationOutcome.VERIFIED


def submit_assertion(desk: Desk, request_id: str, token: str) -> VerificationOutcome:
    """An account holder signed in to the product, which vouches for them with a signed assertion."""
    task = desk.store.code_task(request_id, STAGE)
    reason = _assertion_problem(desk, request_id, task, token)
    if reason is not None or task is None:
        _reject(desk, request_id, task, reason or "no verification waiting")
        return VerificationOutcome.REJECTED
    _verified(desk, request_id, str(task.task_token), Level.ACCOUNT.value)
    return VerificationOutcome.VERIFIED


def _assertion_problem(desk: Desk, request_id: str, task: CodeTask | None, token: str) -> str | None:
    if task is None or task.decided_at is not None:
        return "no verification waiting" if task is None else "already used"
    if task.level != Level.ACCOUNT.value or not desk.settings.product_login_public_key:
        return "this request is not verified by signing in"
    # Loaded here: only the API that takes a signed-in assertion checks one.
    from dsr.verification.account_assertion import (  # noqa: PLC0415
        InvalidAssertionError,
        assertion_fingerprint,
        verify_assertion,
    )

    try:
        assertion = verify_assertion(
            token, desk.settings.product_login_public_key, request_id=request_id, now=desk.now()
        )
    except InvalidAssertionError as refused:
        return f"assertion refused: {refused.reason}"
    request = desk.store.get(request_id)
    same_email = normalized_email(assertion.email) == normalized_email(str(request.subject.email))
    if assertion.account_id != request.subject.account_id or not same_email:
        return "assertion for another account"
    claimed = desk.store.claim_with_assertion(request_id, STAGE, assertion_fingerprint(assertion), desk.now())
    return None if claimed else "replayed"


def _count_attempt(desk: Desk, request_id: str) -> bool:
    """Count one try against the code's attempts and the request's lifetime attempts; False when
    either is used up, the request is decided, or there is no task (the same conditional write)."""
    return desk.store.count_attempt(request_id, STAGE, MAX_ATTEMPTS, MAX_LIFETIME_ATTEMPTS)


def _close_after_the_last_attempt(desk: Desk, request_id: str, task: CodeTask | None) -> None:
    """The request's last attempt did not verify it (a wrong code, or the right one without the
    details it needs): no attempt is left that could, so it closes unverifiable, and the subject is
    told."""
    if task is not None and task.lifetime_attempts + 1 >= MAX_LIFETIME_ATTEMPTS:
        close_window(desk, request_id, FAILED, LIFETIME_ATTEMPTS_USED)


def _check_data_points(desk: Desk, request_id: str, task: CodeTask, given: Mapping[str, str]) -> str | None:
    from dsr.verification.data_points import count_matches, excluded_points  # noqa: PLC0415 - this level's path only

    request = desk.store.get(request_id)
    source = load_policy().data_points
    held = held_data_points(desk, request)
    region = request.subject.postal_address.country if request.subject.postal_address else request.country
    matched = count_matches(
        given, held, source, excluded=excluded_points(request.corrections, source), region=region
    )
    if matched >= task.data_points_required:
        return None
    desk.store.count_data_point_failure(request_id, STAGE)
    if task.data_point_failures + 1 >= MAX_DATA_POINT_FAILURES:
        close_window(desk, request_id, FAILED, "the data points did not match, too many times")
    return f"data points did not match ({matched} of {task.data_points_required})"


def held_data_points(desk: Desk, request: PrivacyRequest) -> dict[str, Any]:
    """What the company holds about the subject in the system the policy names."""
    from dsr.connectors.selection import connector_for  # noqa: PLC0415 - only the data-point level reads a store

    source = load_policy().data_points
    system = desk.registry.system(source.source_system)
    for record in connector_for(desk, system).export(str(request.subject.email)):
        return record
    return {}


def _claim(desk: Desk, request_id: str) -> str | None:
    return None if desk.store.claim_task(request_id, STAGE, desk.now()) else "already used"


def _reject(desk: Desk, request_id: str, task: CodeTask | None, reason: str) -> None:
    if task is None:
        desk.store.write_nothing(request_id)  # the stand-in for the trail's line, as costly
    else:
        desk.audit(request_id, "subject", "verification attempt", "rejected", reason=reason)
    logger.info("verification rejected", request_id=request_id, reason=reason)


def _verified(desk: Desk, request_id: str, task_token: str, level: str) -> None:
    desk.audit(request_id, "subject", "verification attempt", "verified", level=level)
    resume_or_link(desk, request_id, task_token, level)


def resume_or_link(desk: Desk, request_id: str, task_token: str, level: str) -> None:
    """The subject has proven control of the address: a duplicate of their open request is linked
    to it now (and its execution ends); any other request goes on to review."""
    request = desk.store.get(request_id)
    open_request_id = duplicates.link_if_duplicate(desk, request, STAGE)
    if open_request_id is not None:
        desk.workflow.fail(task_token, duplicates.LINKED_ERROR, "linked to an open request of the subject")
        return
    desk.workflow.resume(task_token, {"verified": True, "level": level})
    apply_clock_rule(desk, request)


def apply_clock_rule(desk: Desk, request: PrivacyRequest) -> None:
    """California: the clock keeps running whatever the time spent verifying. UK: identification
    received restarts it. Either way the trail says which rule applied."""
    rule = load_policy().clock_rule(request.jurisdiction)
    if rule == "restarts":
        deadlines = recounted(request, clock_started_at=desk.now())
        restarted = {name: value for name, value in deadlines.fields().items() if value is not None}
        restarted["clock_started_at"] = desk.now().isoformat()
        desk.store.set_fields(request.request_id, {**restarted, "due_at": restarted["watch_at"]})
        desk.audit(
            request.request_id,
            "policy",
            "legal clock",
            "restarted on identification",
            respond_by=deadlines.respond_by.isoformat(),
        )
    else:
        desk.audit(request.request_id, "policy", "legal clock", "kept running while verifying")


def issue_new_code(desk: Desk, request_id: str) -> bool:
    """A fresh code (and a fresh set of attempts at it, within the request's lifetime attempts)
    for a request still waiting on one; False if it is not. Raises
    :class:`~dsr.intake.throttling.TooManyAttemptsError` when the subject's mailbox has had its day's
    share of mail, before the old code is replaced."""
    task = desk.store.code_task(request_id, STAGE)
    if task is None or task.decided_at is not None or task.code_mac is None:
        return False
    request = desk.store.get(request_id)
    throttling.enforce_mail(desk, str(request.subject.email), request_id)
    code = _new_code()
    fields = _code_fields(desk, request_id, code, desk.now())
    renewed = desk.store.renew_code(
        request_id, STAGE, str(fields["code_mac"]), str(fields["code_expires_at"])
    )
    if renewed:
        requirement = requirement_for(desk, request)
        _ask_subject(desk, request, requirement, code, power_of_attorney=False, mail_counted=True)
        desk.audit(request_id, "subject", "new verification code", "sent")
    return renewed


def close_window(desk: Desk, request_id: str, error: str, cause: str) -> bool:
    """End the wait: the window closed, or the subject failed too often. One caller wins."""
    task = desk.store.code_task(request_id, STAGE)
    if task is None or not desk.store.claim_task(
        request_id, STAGE, desk.now(), **{duplicates.PROOF_ENDED: error}
    ):
        return False
    desk.workflow.fail(str(task.task_token), error, cause)
    desk.audit(request_id, "workflow", "verification ended", error, cause=cause)
    return True


def confirm_power_of_attorney(desk: Desk, request_id: str, staff_member: str) -> bool:
    """Staff have checked the agent's power of attorney: the subject need not confirm directly."""
    task = desk.store.code_task(request_id, STAGE)
    request = desk.store.get(request_id)
    if task is None or not (request.agent and request.agent.power_of_attorney) or _claim(desk, request_id):
        return False
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "power of attorney confirmed",
        "verified",
        path="power of attorney",
    )
    resume_or_link(desk, request_id, str(task.task_token), "power_of_attorney")
    return True


def expire_windows(desk: Desk) -> int:
    """Close the verification windows that have ended by the desk's clock. Only tasks whose
    window has ended are read (the index's ``WINDOW`` partition), each once: closed, or, when the
    subject verified or the request moved on meanwhile, let go of."""
    closed = 0
    for request_id, stage in desk.store.windows_ended_before(desk.now()):
        request = desk.store.find(request_id)
        if stage == STAGE and request is not None and request.status is Status.VERIFYING:
            closed += close_window(desk, request_id, WINDOW_CLOSED, "the verification window ended")
        desk.store.forget_window(request_id, stage)
    return closed


def _unusable(task: CodeTask | None, now: datetime) -> str | None:
    if task is None:
        return "no verification waiting"
    if task.decided_at is not None:
        return "already used"
    if task.code_mac is None:
        return "no code was issued for this request"
    if task.expired(now):
        return "code expired"
    if task.attempts >= MAX_ATTEMPTS:
        return "too many attempts"
    return None
