"""The acknowledgement: the first thing the workflow does for a request, and only that. Kept
apart from intake so that the function sending it loads neither submission nor verification."""

from __future__ import annotations

from dsr.intake import throttling
from dsr.intake.proof_of_identity import proof_asked
from dsr.intake.status_tokens import status_token
from dsr.notices import subject_notices as notices
from dsr.wiring.desk import Desk


def acknowledge(desk: Desk, request_id: str) -> bool:
    """Send the acknowledgement once: reference, what happens next, due date, status link."""
    request = desk.store.get(request_id)
    if request.acknowledged_at is not None:
        return False
    if not throttling.admit_mail(desk, str(request.subject.email), request_id):
        # The address has had its day's share of mail: the request goes on, unannounced.
        desk.store.claim_once(request_id, "acknowledged_at", desk.now())
        desk.audit(request_id, "workflow", "acknowledge", "acknowledgement withheld")
        return False
    status_url = desk.status_url(request_id, status_token(desk, request_id))
    notice = notices.acknowledgement(request, status_url, proof_asked(desk, request))
    desk.send_notice(str(request.subject.email), notice, request_id)
    desk.store.claim_once(request_id, "acknowledged_at", desk.now())
    desk.audit(request_id, "workflow", "acknowledge", "acknowledgement sent")
    return True
