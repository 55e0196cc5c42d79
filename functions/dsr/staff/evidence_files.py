"""Producing a request's evidence pack: its facts read once, the JSON file and the PDF made from
them, both kept encrypted in the packages bucket, the production recorded in the audit trail,
and short-lived links to the two files handed back."""

from dsr.core.desk_model import DeskModel
from dsr.review import approval
from dsr.staff.evidence_pack import canonical_bytes, checksum, evidence_pack
from dsr.staff.evidence_pdf import evidence_pdf
from dsr.wiring.desk import Desk

LINK_SECONDS = 15 * 60
"""How long the links to a pack's files work: long enough to download them, no longer."""


class ProducedEvidence(DeskModel):
    request_id: str
    produced_at: str
    closed: bool
    """False: the pack shows the request as of ``produced_at``, still open."""
    sha256: str
    """The SHA-256 of the JSON file, also printed on every page of the PDF."""
    json_key: str
    pdf_key: str
    json_url: str
    pdf_url: str
    """Presigned links to the two files, working for ``LINK_SECONDS``."""
    link_seconds: int = LINK_SECONDS


def produce_evidence(desk: Desk, request_id: str, staff_member: str) -> ProducedEvidence:
    """Make, keep and link the evidence pack of ``request_id`` (refused if there is no such request)."""
    request = desk.store.get(request_id)
    produced_at = desk.now()
    pack = evidence_pack(
        request,
        desk.store.events(request_id),
        desk.store.system_outcomes(request_id),
        desk.store.get_task(request_id, approval.STAGE),
        desk.store.notices_sent(request_id),
        system_names={system.id: system.name for system in desk.registry.systems},
        produced_at=produced_at,
        produced_by=f"staff:{staff_member}",
    )
    content = canonical_bytes(pack)
    digest = checksum(content)
    stamp = produced_at.strftime("%Y%m%dT%H%M%S%fZ")
    keys = desk.packages.put_evidence_pack(
        request_id, stamp, {"json": content, "pdf": evidence_pdf(pack, digest)}, digest
    )
    closed = request.closed_at is not None
    desk.audit(request_id, f"staff:{staff_member}", "evidence pack", "produced", sha256=digest, closed=closed)
    return ProducedEvidence(
        request_id=request_id,
        produced_at=produced_at.isoformat(),
        closed=closed,
        sha256=digest,
        json_key=keys["json"],
        pdf_key=keys["pdf"],
        json_url=desk.packages.link(keys["json"], LINK_SECONDS),
        pdf_url=desk.packages.link(keys["pdf"], LINK_SECONDS),
    )
