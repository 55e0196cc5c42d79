"""The suppression list: people who were erased or opted out, kept only as keyed hashes of their
email, so that an import of an old list or a bought list cannot add them back."""

from __future__ import annotations

from collections.abc import Sequence

from dsr.core.keyed_hash import normalized_email
from dsr.core.models import PrivacyRequest, RequestType
from dsr.wiring.desk import Desk

SUPPRESSING_TYPES = {
    RequestType.ERASURE: "erased",
    RequestType.MARKETING_OPT_OUT: "marketing opt-out",
    RequestType.SALE_SHARING_OPT_OUT: "sale and sharing opt-out",
    RequestType.LIMIT_SENSITIVE: "limit on sensitive data",
    RequestType.ADMT_OPT_OUT: "automated decision opt-out",
}


def record(desk: Desk, request: PrivacyRequest) -> list[str]:
    """After a request is carried out, remember what must keep the person out of imports."""
    reasons = [SUPPRESSING_TYPES[t] for t in request.request_types if t in SUPPRESSING_TYPES]
    subject_hash = desk.hasher.digest(normalized_email(str(request.subject.email)))
    for reason in reasons:
        desk.store.suppress(subject_hash, reason, request.request_id, desk.now())
    if reasons:
        desk.audit(request.request_id, "workflow", "suppression list", "recorded", reasons=", ".join(reasons))
    return reasons


def check(desk: Desk, emails: Sequence[str]) -> list[dict[str, object]]:
    """For an import job: which of these addresses must not be added, and why."""
    results = []
    reasons_by_address: dict[str, set[str]] = {}  # each address hashed and looked up once
    for index, email in enumerate(emails):
        address = normalized_email(email)
        if address not in reasons_by_address:
            reasons_by_address[address] = desk.store.suppression_reasons(desk.hasher.digest(address))
        if reasons_by_address[address]:
            results.append({"index": index, "reasons": sorted(reasons_by_address[address])})
    return results
