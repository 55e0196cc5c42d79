"""Vendors without an API: the desk emails them instructions with a link to answer through
(dsr.fulfilment.owner_links); staff can still record their answer for them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest
from dsr.core.registry import SystemEntry
from dsr.core.registry_stores import VendorByEmail
from dsr.fulfilment.outcomes import Carried
from dsr.fulfilment.owner_links import answer_link
from dsr.notices.handoff_notices import vendor_instructions
from dsr.wiring.desk import Desk


def send_instructions(
    desk: Desk, request: PrivacyRequest, system: SystemEntry, action: Action, fields: Mapping[str, Any]
) -> Carried | None:
    """Email the vendor what to do, for whom and by when (once per attempt); then wait."""
    if not isinstance(system.store, VendorByEmail):
        raise TypeError(f"system {system.id} is not a vendor reached by email")
    vendor = system.store
    step = f"vendor-mail#{system.id}#{action.value}#{fields['attempt']}"
    # Sent, then recorded: a send that fails is sent again when the task is retried (a failure
    # between the two could send it twice, which is the lesser harm).
    # The link is kept on the task each time (a retried invocation stores the task afresh).
    link = answer_link(desk, request.request_id, system.id, action)
    if not desk.store.has_step(request.request_id, step):
        answer_by = datetime.fromisoformat(str(fields["answer_by"]))
        notice = vendor_instructions(
            request, action, vendor.vendor, answer_by, desk.settings.privacy_mailbox, link=link
        )
        desk.send_notice(str(vendor.privacy_address), notice, request.request_id)
        desk.store.claim_step(request.request_id, step, desk.now())
        desk.audit(
            request.request_id,
            f"system:{system.id}",
            f"{action.value} instructions emailed",
            "sent",
            vendor=vendor.vendor,
        )
    return None
