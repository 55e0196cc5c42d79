"""Closing a request: the final status, the subject's notice, and an alert when staff must act."""

from __future__ import annotations

import json

from aws_lambda_powertools import Logger

from dsr.closing import suppression
from dsr.core import catalogs
from dsr.core.models import PrivacyRequest, Status
from dsr.core.registry_text import subject_texts
from dsr.core.tasks import Outcome
from dsr.intake.status_tokens import status_token
from dsr.notices import subject_notices as notices
from dsr.policies import retention as records
from dsr.policies.appeal_rules import appeal_open_until, complaint_routes
from dsr.storage.store import TransitionRejectedError
from dsr.wiring.desk import Desk

logger = Logger(child=True)


TARGETS: dict[Outcome, tuple[Status, list[Status]]] = {
    Outcome.COMPLETED: (Status.COMPLETED, [Status.IN_PROGRESS]),
    Outcome.PARTIAL: (Status.PARTIALLY_COMPLETED, [Status.IN_PROGRESS]),  # staff may re-run
    Outcome.DENIED: (Status.DENIED, [Status.AWAITING_APPROVAL]),
    Outcome.UNVERIFIABLE: (Status.UNVERIFIABLE, [Status.RECEIVED, Status.VERIFYING]),
    # Only before anything is carried out: a request half done is finished, not cancelled.
    Outcome.CANCELLED: (Status.CANCELLED, [Status.RECEIVED, Status.VERIFYING, Status.AWAITING_APPROVAL]),
    Outcome.FAILED: (
        Status.FAILED,
        [Status.RECEIVED, Status.VERIFYING, Status.AWAITING_APPROVAL, Status.IN_PROGRESS],
    ),
}


def close(
    desk: Desk,
    request_id: str,
    outcome: Outcome,
    reason: str | None = None,
    error: str | None = None,
    *,
    only_from: list[Status] | None = None,
) -> Status:
    """Close the request with ``outcome`` (from the states it allows, or only ``only_from``)."""
    target, allowed_from = TARGETS[outcome]
    allowed_from = only_from or allowed_from
    redelivered = False
    try:
        request = desk.store.transition(
            request_id, allowed_from, target, {"closed_at": desk.now().isoformat()}
        )
    except TransitionRejectedError:
        request = desk.store.get(request_id)
        if request.status is not target:  # not a redelivery of this very close
            raise
        redelivered = True
    if not (redelivered and _close_recorded(desk, request)):
        desk.audit(request_id, "workflow", "close request", target.value, reason=reason, error=error)
    if request.subject_hash:
        desk.store.release_claims(request.subject_hash, request.request_types, request_id)
    if outcome in (Outcome.COMPLETED, Outcome.PARTIAL):
        suppression.record(desk, request)
    if outcome in (Outcome.FAILED, Outcome.PARTIAL):
        _alert_staff_once(desk, request, outcome, error)
    if outcome is not Outcome.FAILED:
        _notify_subject_once(desk, request, outcome, reason)
    records.schedule(desk, request_id)  # how long the record is kept; when the identity goes
    return target


def _close_recorded(desk: Desk, request: PrivacyRequest) -> bool:
    """Whether the trail has this close already: a close delivered again writes it only if the
    first delivery failed before it did."""
    closed_at = request.closed_at
    return closed_at is not None and any(
        event.action == "close request" and event.outcome == request.status.value and event.at >= closed_at
        for event in desk.store.events(request.request_id)
    )


def appeal_invitation(desk: Desk, request: PrivacyRequest) -> notices.AppealInvitation | None:
    """How the refusal may be appealed, for the notice that tells the subject of it (the appeal
    itself is taken in by the appeals stage, after the request closed)."""
    until = appeal_open_until(request)
    if until is None:
        return None
    return notices.AppealInvitation(
        until, desk.status_url(request.request_id, status_token(desk, request.request_id))
    )


def complaint_invitation(desk: Desk, request: PrivacyRequest) -> notices.ComplaintInvitation | None:
    """Both routes of a complaint, where the law makes the controller handle them (the UK)."""
    routes = complaint_routes(request, desk.now())
    return notices.ComplaintInvitation(*routes) if routes else None


def _notify_subject_once(desk: Desk, request: PrivacyRequest, outcome: Outcome, reason: str | None) -> None:
    latest = desk.store.get(request.request_id)
    if latest.closing_notice_sent_at is not None:
        return
    if outcome is Outcome.DENIED:
        notice = notices.denial(
            request,
            reason or "not stated",
            appeal_invitation(desk, latest),
            complaint_invitation(desk, latest),
        )
    elif outcome is Outcome.UNVERIFIABLE:
        notice = notices.unverifiable(
            request, appeal_invitation(desk, latest), complaint_invitation(desk, latest)
        )
    elif outcome is Outcome.CANCELLED:
        notice = notices.cancelled(request, reason or "not stated")
    elif latest.package_key:
        from dsr.closing import downloads  # noqa: PLC0415 - see completion_summary

        # The email links to the desk's download page, which asks for a fresh code before any
        # download; the package itself is never linked from an email.
        notice = notices.completion(
            request,
            completion_summary(desk, latest),
            downloads.download_url(desk, request.request_id),
            downloads.open_window(desk, request.request_id),
            partly=outcome is Outcome.PARTIAL,
            in_english=english_in_summary(desk, latest),
        )
    else:
        notice = notices.completion(
            request,
            completion_summary(desk, latest),
            partly=outcome is Outcome.PARTIAL,
            in_english=english_in_summary(desk, latest),
        )
    desk.send_notice(str(request.subject.email), notice, request.request_id)
    desk.store.claim_once(request.request_id, "closing_notice_sent_at", desk.now())
    desk.audit(request.request_id, "workflow", "notify subject", f"{outcome.value} notice sent")


def completion_summary(desk: Desk, request: PrivacyRequest) -> str:
    """Per system: what was done, nothing found, exempt (with the reason and the law), or not yet;
    then what the request's types ask to be told (third parties, automated decisions, a review);
    in the request's language.

    Only a completion reads the results and the package: a request that failed is closed without
    them, by the function that watches executions end, which so does not load the system registry."""
    from dsr.fulfilment.results import answers_to_rights, outcome_lines  # noqa: PLC0415 - see above

    language = notices.language_of(request)
    lines = outcome_lines(desk, request.request_id, language)
    if lines or not request.request_types_answered_without_systems_only:
        listed = lines or [catalogs.gettext(language, "we hold no personal data about you")]
        done = catalogs.gettext(language, "What we did:") + "\n" + "\n".join(f"- {line}" for line in listed)
    else:
        done = ""
    return "\n\n".join(part for part in [done, *answers_to_rights(desk, request, language)] if part)


def english_in_summary(desk: Desk, request: PrivacyRequest) -> list[str]:
    """The registry's texts the completion summary may give in English for want of their
    translation in the request's language (as written, and as a sentence continues them, its
    first letter small), for its HTML part to mark as English."""
    language = notices.language_of(request)
    english = [
        str(text)
        for system in desk.registry.systems
        for _, text in subject_texts(system)
        if language in text.falls_back_to_english()
    ]
    return [*dict.fromkeys([*english, *(text[:1].lower() + text[1:] for text in english)])]


STAFF_ALERTED = "staff_alerted_at"
"""Set once staff were alerted of the close; a re-run removes it, so its own close alerts again."""


def _alert_staff_once(desk: Desk, request: PrivacyRequest, outcome: Outcome, error: str | None) -> None:
    """Alerted, then recorded (as the subject's notice is): a close delivered again after a
    failure midway alerts only if the alert had not gone."""
    if desk.store.get_item_fields(request.request_id).get(STAFF_ALERTED):
        return
    _alert_staff(desk, request, outcome, error)
    desk.store.claim_once(request.request_id, STAFF_ALERTED, desk.now())


def _alert_staff(desk: Desk, request: PrivacyRequest, outcome: Outcome, error: str | None) -> None:
    desk.alerts.publish(
        TopicArn=desk.settings.alerts_topic_arn,
        Subject=f"Privacy request {request.request_id[:8]} needs attention",
        Message=json.dumps(
            {
                "request_id": request.request_id,
                "outcome": outcome.value,
                "error": (error or "")[:500],
            }
        ),
    )
    logger.warning("staff alerted", request_id=request.request_id, outcome=outcome.value)


def mark_execution_ended(desk: Desk, request_id: str, execution_status: str, error: str | None) -> bool:
    """An execution ended outside any Catch: mark the request FAILED unless already closed."""
    try:
        request = desk.store.get(request_id)
    except LookupError:
        logger.warning("execution for an unknown request", request_id=request_id)
        return False
    if not request.status.is_open:
        desk.audit(
            request_id,
            "eventbridge",
            f"execution {execution_status.lower()}",
            "request already closed",
        )
        return False
    close(desk, request_id, Outcome.FAILED, error=f"execution {execution_status}: {error or ''}")
    return True
