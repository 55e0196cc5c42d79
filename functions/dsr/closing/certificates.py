"""A deletion certificate, sent to the subject of a closed erasure when staff ask: an email in the
subject's language saying where their data was deleted, what was kept and why, and when the
request closed, with the same text attached as a PDF. Sent once each time staff ask; audited."""

from __future__ import annotations

from dsr.closing.closing import english_in_summary
from dsr.core.actions import Action
from dsr.core.mailer import Attachment
from dsr.core.models import PrivacyRequest, RequestType, Status
from dsr.core.refusals import StateConflictError
from dsr.core.staff_catalog import staff_text
from dsr.core.text_pdf import text_pdf
from dsr.notices import subject_notices as notices
from dsr.wiring.desk import Desk

CERTIFIED_STATUSES = frozenset({Status.COMPLETED, Status.PARTIALLY_COMPLETED})
"""A closed erasure carried out, in every system or in some: what a certificate can speak of."""


class NoCertificateError(StateConflictError):
    """The request is not a closed erasure that was carried out, or its subject can no longer be
    written to."""


def send_deletion_certificate(desk: Desk, request_id: str, staff_member: str) -> str:
    """Email the certificate to the subject (refused unless the request is a closed, carried-out
    erasure whose identity is still held); the language it was written in."""
    request = desk.store.get(request_id)
    _check_certifiable(request)
    from dsr.fulfilment.results import outcome_lines  # noqa: PLC0415 - see closing.completion_summary

    language = notices.language_of(request)
    erased = outcome_lines(desk, request_id, language, only=Action.ERASE)
    notice = notices.deletion_certificate(request, erased, english_in_summary(desk, request))
    reference = request_id[:8]

    def footer(page: int, pages: int) -> list[str]:
        return [f"{notice.subject} ({page}/{pages})"]

    pdf = text_pdf(notice.subject, [notice.subject, "", *notice.body.splitlines()], footer, language)
    attachment = Attachment(f"deletion-certificate-{reference}.pdf", pdf, "application/pdf")
    desk.send_notice(str(request.subject.email), notice, request_id, attachments=[attachment])
    desk.audit(
        request_id,
        f"staff:{staff_member}",
        "deletion certificate",
        "sent to the subject",
        language=language,
        systems=len(erased),
    )
    return language


def _check_certifiable(request: PrivacyRequest) -> None:
    if RequestType.ERASURE not in request.request_types:
        raise NoCertificateError(staff_text("a deletion certificate is only for an erasure"))
    if request.status not in CERTIFIED_STATUSES:
        raise NoCertificateError(
            staff_text(
                "a deletion certificate is sent once the erasure has closed, carried out (it is %(status)s)",
                status=request.status.value,
            )
        )
    if request.identity_reduced_at is not None:
        raise NoCertificateError(
            staff_text(
                "the subject's address was erased after the request closed: there is no one to send it to"
            )
        )
