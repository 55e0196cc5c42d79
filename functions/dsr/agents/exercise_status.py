"""The Exercise Status object of the Data Rights Protocol 1.0 (3.03): the desk's status in DRP's words.

Each desk status has one DRP state (3.02):

- RECEIVED: ``open``; AWAITING_APPROVAL, IN_PROGRESS: ``in_progress``;
- VERIFYING: ``in_progress``/``need_user_verification`` with the request's own verification page
  (its status page, which asks for the emailed code and any details still needed);
- COMPLETED: ``fulfilled``, with ``results_url`` where an access package was made;
  PARTIALLY_COMPLETED: ``fulfilled``, ``processing_details`` naming what was not done;
- DENIED: ``denied`` with the closest DRP reason to the one staff recorded; UNVERIFIABLE:
  ``denied``/``insuf_verification``; FAILED: ``denied``/``other``; CANCELLED: ``revoked``;
- LINKED (the same person's duplicate): the status of the request it was joined to.

``expected_by`` is the legal response date, the extended one once staff extend it, and then
``processing_details`` gives the reason. ``expires_at``, for final states only, is when the desk's
retention rules let the record go (``records_kept_until``: the jurisdiction's record-keeping
period after closing, 24 months where the law sets none); until it is set, none is promised.
"""

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from pydantic import ConfigDict, Field

from dsr.core.desk_model import DeskModel
from dsr.core.models import PrivacyRequest, Status
from dsr.fulfilment.outcomes import SUCCESSFUL_OUTCOMES
from dsr.intake.status_tokens import status_token
from dsr.review.denial_reasons import SUBJECT_WORDS
from dsr.staff.reports import denial_reason
from dsr.wiring.desk import Desk

DRP_VERSION = "1.0"


class DrpState(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    FULFILLED = "fulfilled"
    REVOKED = "revoked"
    DENIED = "denied"
    EXPIRED = "expired"


class DrpReason(StrEnum):
    NEED_USER_VERIFICATION = "need_user_verification"
    SUSPECTED_FRAUD = "suspected_fraud"
    INSUF_VERIFICATION = "insuf_verification"
    NO_MATCH = "no_match"
    CLAIM_NOT_COVERED = "claim_not_covered"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    TOO_MANY_REQUESTS = "too_many_requests"
    OTHER = "other"


REASON_SPELLINGS: dict[str, DrpReason] = {
    **{reason.value: reason for reason in DrpReason},
    "insufficient_verification": DrpReason.INSUF_VERIFICATION,
    "legal_obligation": DrpReason.CLAIM_NOT_COVERED,
}
"""Every spelling read as a reason: the spec's, the reference implementation's
``insufficient_verification``, and the desk's own ``legal_obligation`` (keeping data the law
requires kept is the closest DRP has to a claim the law does not cover). Only the spec's are
ever sent."""

DENIAL_LABELS: dict[str, DrpReason] = {
    words.rstrip("."): REASON_SPELLINGS[code.value] for code, words in SUBJECT_WORDS.items()
}
"""A denial recorded before reasons were recorded by code carried the console's label as its
first words, the reason's English words (``dsr.review.denial_reasons``): each read back as the
reason its code maps to."""

_STATE_OF: dict[Status, DrpState] = {
    Status.RECEIVED: DrpState.OPEN,
    Status.VERIFYING: DrpState.IN_PROGRESS,
    Status.AWAITING_APPROVAL: DrpState.IN_PROGRESS,
    Status.IN_PROGRESS: DrpState.IN_PROGRESS,
    Status.COMPLETED: DrpState.FULFILLED,
    Status.PARTIALLY_COMPLETED: DrpState.FULFILLED,
    Status.DENIED: DrpState.DENIED,
    Status.UNVERIFIABLE: DrpState.DENIED,
    Status.FAILED: DrpState.DENIED,
    Status.CANCELLED: DrpState.REVOKED,
    Status.LINKED: DrpState.IN_PROGRESS,  # only without the request it joined (see exercise_status)
}

FINAL_STATES = frozenset({DrpState.FULFILLED, DrpState.REVOKED, DrpState.DENIED, DrpState.EXPIRED})


class ExerciseStatus(DeskModel):
    """DRP's Exercise Status object (3.03), in its field names."""

    model_config = ConfigDict(populate_by_name=True)

    request_id: str
    status: DrpState
    reason: DrpReason | None = None
    agent_request_id: str | None = None
    received_at: datetime | None = None
    expected_by: datetime | None = None
    processing_details: str | None = Field(default=None, max_length=2000)
    user_verification_url: str | None = None
    results_url: str | None = None
    expires_at: datetime | None = None

    def as_drp(self) -> dict[str, Any]:
        """The object as it is sent: DRP's names, ISO 8601 moments, absent fields left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def reason_of_denial(recorded: str | None) -> DrpReason:
    """The DRP reason closest to the reason staff recorded: a DRP reason written first (in
    either spelling of insufficient verification), else the console's label it starts with,
    else ``other``."""
    text = (recorded or "").strip()
    first_word = text.split(maxsplit=1)[0].rstrip(":.,;").lower() if text else ""
    if first_word in REASON_SPELLINGS:
        return REASON_SPELLINGS[first_word]
    for label, reason in DENIAL_LABELS.items():
        if text.lower().startswith(label.lower()):
            return reason
    return DrpReason.OTHER


def verification_page(public_base_url: str, request_id: str, status_token: str) -> str:
    """The request's own page where the person proves it is theirs (its status page)."""
    page = f"{public_base_url.rstrip('/')}/status/{quote(request_id, safe='')}"
    return f"{page}?token={quote(status_token, safe='')}"


def results_page(public_base_url: str, request_id: str) -> str:
    """The access package's download page (it asks for a fresh emailed code before the download)."""
    return f"{public_base_url.rstrip('/')}/download/{quote(request_id, safe='')}"


def _expected(request: PrivacyRequest) -> tuple[datetime, str | None]:
    if request.extended_at is None:
        return request.respond_by, None
    reason = request.extension_reason or "the request needs more time"
    return request.respond_by, f"The response date was extended: {reason}"


def _details(request: PrivacyRequest, not_done: Sequence[str]) -> str | None:
    if request.status is Status.PARTIALLY_COMPLETED:
        systems = ", ".join(not_done) if not_done else "some of the systems that hold the data"
        return f"Partly carried out: not done in {systems}."
    if request.status is Status.FAILED:
        return "The request could not be carried out because of a problem at the business."
    return None


def exercise_status(
    request: PrivacyRequest,
    *,
    public_base_url: str,
    now: datetime,
    status_token: str | None = None,
    denial_reason: str | None = None,
    linked: PrivacyRequest | None = None,
    not_done: Sequence[str] = (),
    verification_until: datetime | None = None,
) -> ExerciseStatus:
    """The request's status in DRP's terms, as of ``now``.

    ``status_token`` opens the request's verification page (asked for while it is VERIFYING),
    and ``verification_until`` is when its window to verify closes (the state's ``expires_at``);
    ``denial_reason`` is the reason staff recorded for a denial; ``linked`` the request a
    duplicate was joined to; ``not_done`` the systems a partial completion did not reach.
    """
    if request.status is Status.LINKED and linked is not None and linked.status is not Status.LINKED:
        joined = exercise_status(
            linked, public_base_url=public_base_url, now=now, denial_reason=denial_reason, not_done=not_done
        )
        return joined.model_copy(
            update={
                "request_id": request.request_id,
                "agent_request_id": _agent_request_id(request),
                "received_at": request.received_at,
                "user_verification_url": None,
                "processing_details": _joined_details(joined.processing_details),
            }
        )
    state = _STATE_OF[request.status]
    expected_by, extension_note = _expected(request)
    details = " ".join(filter(None, [extension_note, _details(request, not_done)])) or None
    fields: dict[str, Any] = {
        "request_id": request.request_id,
        "status": state,
        "agent_request_id": _agent_request_id(request),
        "received_at": request.received_at,
        "expected_by": expected_by,
        "processing_details": details,
    }
    if request.status is Status.VERIFYING and status_token:
        fields["reason"] = DrpReason.NEED_USER_VERIFICATION
        fields["user_verification_url"] = verification_page(public_base_url, request.request_id, status_token)
        fields["expires_at"] = verification_until
    elif request.status is Status.DENIED:
        fields["reason"] = reason_of_denial(denial_reason)
    elif request.status is Status.UNVERIFIABLE:
        fields["reason"] = DrpReason.INSUF_VERIFICATION
    elif request.status is Status.FAILED:
        fields["reason"] = DrpReason.OTHER
    elif request.status is Status.LINKED:
        fields["processing_details"] = _joined_details(None)
    if state is DrpState.FULFILLED and request.package_key:
        fields["results_url"] = results_page(public_base_url, request.request_id)
    if state in FINAL_STATES:
        fields["expires_at"] = request.records_kept_until
        if request.records_kept_until is not None and now >= request.records_kept_until:
            fields["status"], fields["reason"] = DrpState.EXPIRED, None
    return ExerciseStatus(**fields)


def current_exercise_status(desk: Desk, request: PrivacyRequest) -> ExerciseStatus:
    """The request's status for its agent, read from the desk: the reason staff recorded for a
    denial, the request a duplicate was joined to, the systems a partial completion missed.
    What the status endpoint answers and the status callback sends."""
    denial = denial_reason(desk.store.events(request.request_id)) if request.status is Status.DENIED else None
    linked = (
        desk.store.find(request.linked_to) if request.status is Status.LINKED and request.linked_to else None
    )
    target = linked or request
    not_done: list[str] = []
    if target.status is Status.PARTIALLY_COMPLETED:
        names = {system.id: system.name for system in desk.registry.systems}
        not_done = [
            names.get(outcome.system_id, outcome.system_id)
            for outcome in desk.store.system_outcomes(target.request_id)
            if outcome.status not in SUCCESSFUL_OUTCOMES
        ]
    if linked is not None and linked.status is Status.DENIED:
        denial = denial_reason(desk.store.events(linked.request_id))
    waiting = (
        desk.store.get_task(request.request_id, "verification")
        if request.status is Status.VERIFYING
        else None
    )
    return exercise_status(
        request,
        public_base_url=desk.settings.public_base_url,
        now=desk.now(),
        status_token=status_token(desk, request.request_id) if request.status is Status.VERIFYING else None,
        denial_reason=denial,
        linked=linked,
        not_done=list(dict.fromkeys(not_done)),
        verification_until=datetime.fromisoformat(str(waiting["window_ends_at"]))
        if waiting and waiting.get("window_ends_at")
        else None,
    )


def _agent_request_id(request: PrivacyRequest) -> str | None:
    return request.protocol_agent.agent_request_id if request.protocol_agent else None


def _joined_details(details: str | None) -> str:
    joined = "Joined to an earlier request of the same person for the same right; it answers both."
    return f"{joined} {details}" if details else joined
