"""A second open request of the same type from the same subject: joined to the first, never worked twice.

Each open request claims its (subject, request type) pairs when it is recorded. A submission whose
every type is already claimed by an open request is nonetheless acknowledged and verified like any
other, so that its answer and its status page look the same whether or not the address has asked
before: that is only told to someone who has proven control of the address. Once it is verified,
it is linked to the open request (status ``LINKED``) and the subject is told which request carries
it. Only a request whose subject has proven the address carries another: one still waiting for
proof gives its claims up to the first of the subject's requests to be verified, since whoever
sent it may not be the subject.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_lambda_powertools import Logger

from dsr.core.models import PrivacyRequest, Status
from dsr.notices import subject_notices as notices
from dsr.storage.store import TransitionRejectedError
from dsr.wiring.desk import Desk

logger = Logger(child=True)

LINKED_ERROR = "RequestLinked"
"""How the verification wait of a linked request ends; the workflow ends there, the request closed."""
PROOF_ENDED = "ended_without_proof"
"""Recorded on a proof task whose wait ended without proof (the window closed, too many tries)."""
_BEFORE_PROOF = frozenset({Status.RECEIVED, Status.VERIFYING})


def claim_or_find_open_request(
    desk: Desk,
    subject_hash: str,
    request_types: Sequence[str],
    request_id: str,
    *,
    proof_stage: str | None = None,
) -> str | None:
    """Claim each requested type for this subject (a claim whose holder has closed is taken
    over). When every type is held by another open request, return that request's id.

    ``proof_stage``: the stage where a subject proves the address (given once this request's
    subject has). A holder still waiting there is taken over too: whoever sent it has not shown
    the address is theirs, so it cannot carry a request whose subject has."""
    holders: dict[str, str] = {}
    for request_type in request_types:
        holder = desk.store.claim_subject_type(subject_hash, request_type, request_id)
        if holder is None or holder == request_id:
            continue
        if not _holds(desk, holder, proof_stage) and desk.store.take_over_claim(
            subject_hash, request_type, holder, request_id
        ):
            continue
        holders[request_type] = holder
    if request_types and len(holders) == len(request_types):
        return holders[request_types[0]]
    return None


def _holds(desk: Desk, holder: str, proof_stage: str | None) -> bool:
    """Whether the request holding a claim still holds it: open, and (with ``proof_stage``) not
    waiting there for its subject's proof."""
    current = desk.store.find(holder)
    if current is None or not current.status.is_open:
        return False
    if proof_stage is None or current.status not in _BEFORE_PROOF:
        return True
    task = desk.store.get_task(holder, proof_stage)
    return task is not None and "decided_at" in task and PROOF_ENDED not in task


def link_if_duplicate(desk: Desk, request: PrivacyRequest, proof_stage: str) -> str | None:
    """Just verified at ``proof_stage``: when every type the request asks for is held by another
    open request of the same subject whose subject has proven the address too, close this one as
    ``LINKED`` to it, tell the subject which, and return its id. A holder still waiting for proof
    gives its claims up to this request, and is linked to it in turn if it is ever verified."""
    if not request.subject_hash:
        return None
    types = [request_type.value for request_type in request.request_types]
    open_request_id = claim_or_find_open_request(
        desk, request.subject_hash, types, request.request_id, proof_stage=proof_stage
    )
    if open_request_id is None:
        return None
    now = desk.now()
    try:
        linked = desk.store.transition(
            request.request_id,
            [Status.RECEIVED, Status.VERIFYING],
            Status.LINKED,
            {"linked_to": open_request_id, "closed_at": now.isoformat()},
        )
    except TransitionRejectedError:
        logger.info("not linked: the request moved on", request_id=request.request_id)
        return None
    desk.audit(request.request_id, "workflow", "link to open request", "linked", open_request=open_request_id)
    desk.audit(
        open_request_id, "workflow", "duplicate submission", "linked", linked_request=request.request_id
    )
    desk.send_notice(
        str(request.subject.email), notices.already_open(linked, open_request_id), request.request_id
    )
    desk.store.claim_once(request.request_id, "closing_notice_sent_at", now)
    from dsr.policies import retention  # noqa: PLC0415 - only a request linked at verification closes here

    retention.schedule(desk, request.request_id)
    logger.info("linked to an open request", request_id=request.request_id, open_request=open_request_id)
    return open_request_id
