"""Systems the desk cannot reach (a finance spreadsheet, say): their owner inside the company,
named in the registry, is emailed what to do with a link to answer through
(dsr.fulfilment.owner_links); staff can still record the owner's answer for them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dsr.core.actions import Action
from dsr.core.languages import ENGLISH
from dsr.core.models import PrivacyRequest
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import SystemOwner
from dsr.fulfilment.outcomes import Carried
from dsr.fulfilment.owner_links import answer_link
from dsr.notices.handoff_notices import AnswerLink
from dsr.notices.owner_notices import owner_instructions
from dsr.notices.subject_notices import Notice
from dsr.wiring.desk import Desk


def owner_notice(
    desk: Desk,
    request: PrivacyRequest,
    system: SystemEntry,
    action: Action,
    answer_by: datetime,
    *,
    link: AnswerLink | None = None,
) -> Notice:
    """The message that asks the system's owner to act (with ``link``, or the task's link)."""
    if not isinstance(system.store, SystemOwner):
        raise TypeError(f"system {system.id} has no owner to email")
    return owner_instructions(
        request,
        action,
        team=system.store.team,
        system_name=system.name.in_language(ENGLISH),
        answer_by=answer_by,
        reply_to=desk.settings.privacy_mailbox,
        link=link or answer_link(desk, request.request_id, system.id, action),  # the same for every reminder
    )


def send_instructions(
    desk: Desk, request: PrivacyRequest, system: SystemEntry, action: Action, fields: Mapping[str, Any]
) -> Carried | None:
    """Email the owner what to do, for whom and by when (once per attempt); then wait."""
    if not isinstance(system.store, SystemOwner):
        raise TypeError(f"system {system.id} has no owner to email")
    owner = system.store
    step = f"owner-mail#{system.id}#{action.value}#{fields['attempt']}"
    # Sent, then recorded, as a vendor's instructions are (see vendor_mail); the link is kept on
    # the task each time, as a retried invocation stores the task afresh and the email already
    # sent must still answer.
    link = answer_link(desk, request.request_id, system.id, action)
    if not desk.store.has_step(request.request_id, step):
        answer_by = datetime.fromisoformat(str(fields["answer_by"]))
        notice = owner_notice(desk, request, system, action, answer_by, link=link)
        desk.send_notice(str(owner.address), notice, request.request_id)
        desk.store.claim_step(request.request_id, step, desk.now())
        desk.audit(
            request.request_id,
            f"system:{system.id}",
            f"{action.value} instructions emailed",
            "sent",
            owner=owner.team,
        )
    return None
