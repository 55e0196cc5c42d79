"""Extending a request's deadline, as far as its law allows and no further.

Staff give a reason; the extension is refused when the law allows none, when it was extended
already (the cap is the one extension the policy states), or when the time to tell the subject
has passed. Granting it is a conditional write, and the subject is told the new date and why
before the original one runs out.
"""

from __future__ import annotations

from datetime import datetime

from dsr.core.models import PrivacyRequest
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.notices import subject_notices as notices
from dsr.policies.request_deadlines import local_day
from dsr.wiring.desk import Desk


class ExtensionRefusedError(StateConflictError):
    """The request cannot be extended; the message says why."""


def extend(desk: Desk, request_id: str, reason: str, staff_member: str) -> PrivacyRequest:
    request = desk.store.get(request_id)
    new_date = _extended_date(desk, request)
    granted = desk.store.record_extension(
        request_id,
        {
            "extended_at": desk.now().isoformat(),
            "extended_by": staff_member,
            "extension_reason": reason,
            "original_respond_by": request.respond_by.isoformat(),
            "respond_by": new_date.isoformat(),
            "watch_at": new_date.isoformat(),
        },
    )
    if not granted:
        raise ExtensionRefusedError(staff_text("the request was extended or closed meanwhile"))
    extended = desk.store.get(request_id)
    desk.send_notice(str(request.subject.email), notices.extension(extended, reason), request_id)
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "extend deadline",
        "extended",
        respond_by=new_date.isoformat(),
        policy=request.deadline_policy,
    )
    return extended


def _extended_date(desk: Desk, request: PrivacyRequest) -> datetime:
    if not request.status.is_open:
        raise ExtensionRefusedError(
            staff_text("the request is %(status)s, not open", status=request.status.value)
        )
    if request.extended_at is not None:
        on = local_day(request.jurisdiction, request.extended_at).isoformat()
        raise ExtensionRefusedError(
            staff_text("the request was extended already on %(day)s; the law allows one extension", day=on)
        )
    if request.extended_respond_by is None:
        raise ExtensionRefusedError(
            staff_text(
                "%(policy)s allows no extension", policy=request.deadline_policy or request.jurisdiction
            )
        )
    if request.extension_notice_by is not None and desk.now() > request.extension_notice_by:
        last = local_day(request.jurisdiction, request.extension_notice_by).isoformat()
        raise ExtensionRefusedError(staff_text("too late: the subject had to be told by %(day)s", day=last))
    return request.extended_respond_by
