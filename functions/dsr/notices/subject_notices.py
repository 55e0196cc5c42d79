"""What the subject is told at each step, in the request's language: each email a template in
``dsr/notices/templates/emails/`` (its first line the subject line, then a blank line, then the
plain text), every sentence read from the catalogs, every date written as the language writes it.
No personal data in subject lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from dsr.core import catalogs
from dsr.core.appeal_words import appeal_word
from dsr.core.catalogs import N_
from dsr.core.languages import ENGLISH, SHIPPED_LANGUAGES
from dsr.core.models import Channel, PrivacyRequest
from dsr.core.readable_dates import utc_moment_text
from dsr.notices import email_templates
from dsr.notices.email_markup import html_version
from dsr.policies.deadline_rules import Period
from dsr.policies.proofs import Proof
from dsr.policies.request_deadlines import local_day

TYPE_NAMES = {
    "access": N_("a copy of your personal data"),
    "portability": N_("your personal data in a portable format"),
    "erasure": N_("deletion of your personal data"),
    "rectification": N_("correction of your personal data"),
    "restriction": N_("restriction of the use of your personal data"),
    "objection": N_("an end to our use of your data for our legitimate interests"),
    "marketing_opt_out": N_("an end to our marketing to you"),
    "sale_sharing_opt_out": N_("an end to any sale or sharing of your personal data"),
    "limit_sensitive": N_("a limit on the use of your sensitive personal data"),
    "admt_opt_out": N_("an end to important decisions about you made by automated means"),
    "admt_access": N_("information about the automated decisions we make about you"),
    "third_party_list": N_("the list of the third parties we gave your personal data to"),
    "profiling_review": N_("a review of an automated decision about you"),
}
"""What a request asks for, as the subject reads it after "your request for"."""


class Notice(NamedTuple):
    subject: str
    body: str
    language: str = ENGLISH
    """The language it is written in (Babel's ``fr_CA``): its Content-Language and ``<html lang>``."""
    html: str | None = None
    """The same content as HTML, sent beside the plain text; None sends the plain text alone."""


def language_of(request: PrivacyRequest) -> str:
    """The language the request's emails are written in: the one chosen at intake, else English."""
    return request.language if request.language in SHIPPED_LANGUAGES else ENGLISH


def render(name: str, language: str, *, in_english: Sequence[str] = (), **context: Any) -> Notice:
    """The email ``emails/<name>.txt`` in ``language``, with its HTML part (where ``in_english``,
    English words in it, are marked as English)."""
    text = email_templates.render(f"emails/{name}.txt", language, **context)
    subject, _, body = text.partition("\n\n")
    subject = " ".join(subject.split())
    return Notice(subject, body, language, html_version(subject, body, language, in_english))


def _about(request: PrivacyRequest, name: str, **context: Any) -> Notice:
    """An email about ``request``, in its language: its reference and what it asks for at hand."""
    language = language_of(request)
    return render(
        name,
        language,
        short=request.request_id[:8],
        reference=request.request_id,
        asked_for=_asked_for(request, language),
        **context,
    )


def _asked_for(request: PrivacyRequest, language: str = ENGLISH) -> str:
    """``a copy of your personal data and deletion of your personal data``."""
    names = [catalogs.gettext(language, TYPE_NAMES[t.value]) for t in request.request_types]
    if len(names) == 1:
        return names[0]
    return catalogs.gettext(language, "%(listed)s and %(last)s", listed=", ".join(names[:-1]), last=names[-1])


def _local_day(request: PrivacyRequest, moment: datetime) -> str:
    """The date where the request's law counts days (a due date ends there at midnight)."""
    return catalogs.day_in_words(local_day(request.jurisdiction, moment), language_of(request))


WHAT_HAPPENS_NEXT: dict[Proof, str] = {
    Proof.CODE: N_(
        "What happens next: we will send you a code to confirm this email address is yours. "
        "Once confirmed, our privacy team reviews the request and we carry it out in every "
        "system that holds your data."
    ),
    Proof.CODE_AND_DETAILS: N_(
        "What happens next: we will send you a code to confirm this email address is yours, and "
        "ask for two or three details we hold about you, to confirm it is you. Once confirmed, "
        "our privacy team reviews the request and we carry it out in every system that holds "
        "your data."
    ),
    Proof.SIGN_IN: N_(
        "What happens next: because this request concerns your account, we will email you a link "
        "to sign in to it, to confirm the request is yours. Once you have signed in, our privacy "
        "team reviews the request and we carry it out in every system that holds your data."
    ),
    Proof.POWER_OF_ATTORNEY: N_(
        "What happens next: our privacy team checks the power of attorney your agent sent. Once it "
        "is confirmed, they review the request and we carry it out in every system that holds "
        "your data. You do not need to do anything."
    ),
    Proof.NONE: N_(
        "What happens next: you do not need to do anything more. Our privacy team reviews the "
        "request and we carry it out in every system that holds your data."
    ),
}
"""The acknowledgement's next step, by how the request is proved to be the subject's."""

SIGNAL_NEXT_STEP = N_(
    "What happens next: you do not need to do anything. We carry it out in every system that holds your data."
)


def acknowledgement(request: PrivacyRequest, status_url: str, proof: Proof = Proof.CODE) -> Notice:
    """The reference, the due date and what happens next; a request a browser's Global Privacy
    Control signal opened says so, and that nobody reviews it first."""
    signal = request.channel is Channel.GPC
    next_step = SIGNAL_NEXT_STEP if signal else WHAT_HAPPENS_NEXT[proof]
    return _about(
        request,
        "acknowledgement",
        signal=signal,
        respond_by=_local_day(request, request.respond_by),
        next_step=catalogs.gettext(language_of(request), next_step),
        status_url=status_url,
    )


def already_open(request: PrivacyRequest, open_request_id: str) -> Notice:
    """Sent once the subject has confirmed the address: only then are they told of the other request."""
    return _about(request, "already_open", open_reference=open_request_id)


def verification_code(
    request: PrivacyRequest,
    code: str,
    status_url: str,
    minutes: int,
    *,
    data_point_labels: list[str] | None = None,
    data_points_needed: int = 0,
) -> Notice:
    language = language_of(request)
    return _about(
        request,
        "verification_code",
        code=code,
        status_url=status_url,
        expiry=_expiry(request, minutes),
        data_point_labels=[catalogs.gettext(language, label) for label in data_point_labels or []],
        data_points_needed=data_points_needed,
    )


def _expiry(request: PrivacyRequest, minutes: int) -> str:
    """``The code works once and expires in 30 minutes.``, in the request's language."""
    return catalogs.ngettext(
        language_of(request),
        "The code works once and expires in %(count)s minute.",
        "The code works once and expires in %(count)s minutes.",
        minutes,
    )


def account_sign_in(request: PrivacyRequest, login_url: str) -> Notice:
    return _about(request, "account_sign_in", login_url=login_url)


def utc_moment(moment: datetime) -> str:
    """``14 March 2026, 10:32 UTC``: how emails and pages state when a link stops working."""
    return utc_moment_text(moment)


def moment_in_words(moment: datetime, language: str) -> str:
    """``utc_moment`` in ``language``: ``14 mars 2026, 10:32 UTC``."""
    at = moment.astimezone(UTC)
    return f"{catalogs.day_in_words(at.date(), language)}, {at:%H:%M} UTC"


def completion(
    request: PrivacyRequest,
    summary: str,
    download_url: str | None = None,
    available_until: datetime | None = None,
    *,
    partly: bool = False,
    in_english: Sequence[str] = (),
) -> Notice:
    """What was done; ``in_english``: registry texts in ``summary`` that have no translation in the
    request's language (``dsr.closing.closing.english_in_summary``), marked as English in HTML."""
    offered = bool(download_url and available_until)
    return _about(
        request,
        "completion",
        in_english=in_english,
        summary=summary,
        partly=partly,
        download_url=download_url if offered else None,
        available_until=moment_in_words(available_until, language_of(request)) if available_until else None,
    )


def deletion_certificate(
    request: PrivacyRequest, erased: Sequence[str], in_english: Sequence[str] = ()
) -> Notice:
    """For a closed erasure, on request: where the data was deleted and what was kept and why (one
    line a system, as the completion notice says it), and the day the request closed."""
    closed_at = request.closed_at or request.respond_by
    listed = "\n".join(f"- {line}" for line in erased)
    return _about(
        request,
        "deletion_certificate",
        erased=listed,
        closed_on=_local_day(request, closed_at),
        in_english=in_english,
    )


def download_code(request: PrivacyRequest, code: str, minutes: int) -> Notice:
    """The fresh code that unlocks an access package download; asked for on the download page."""
    return _about(request, "download_code", code=code, expiry=_expiry(request, minutes))


class AppealInvitation(NamedTuple):
    """How and until when a refusal may be appealed, for the notice that tells of it."""

    until: datetime
    status_url: str


class ComplaintInvitation(NamedTuple):
    """A refusal's two routes where the law makes the controller handle complaints (the UK):
    a complaint to us, acknowledged within a period, and one to the regulator (as the policy
    table names it, in English: the notice reads its name from the catalogs)."""

    acknowledge_within: Period
    regulator: str


def period_in_words(period: Period, language: str) -> str:
    """``30 calendar days``, ``30 jours civils``, ``30 Kalendertagen``: a period the law sets."""
    if period.unit == "calendar_months":
        return catalogs.ngettext(
            language, "%(count)s calendar month", "%(count)s calendar months", period.amount
        )
    if period.unit == "business_days":
        return catalogs.ngettext(language, "%(count)s business day", "%(count)s business days", period.amount)
    return catalogs.ngettext(language, "%(count)s calendar day", "%(count)s calendar days", period.amount)


def _how_to_appeal(
    request: PrivacyRequest, appeal: AppealInvitation | None, complaint: ComplaintInvitation | None
) -> dict[str, Any]:
    """What ``emails/_how_to_appeal.txt`` says: the appeal, else the complaint to us, else the authority."""
    language = language_of(request)
    return {
        "appeal_until": _local_day(request, appeal.until) if appeal else None,
        "appeal_url": appeal.status_url if appeal else None,
        "appeal_word": appeal_word(language),
        "acknowledge_within": period_in_words(complaint.acknowledge_within, language) if complaint else None,
        "regulator": catalogs.gettext(language, complaint.regulator) if complaint else None,
    }


def denial(
    request: PrivacyRequest,
    reason: str,
    appeal: AppealInvitation | None = None,
    complaint: ComplaintInvitation | None = None,
) -> Notice:
    return _about(request, "denial", reason=reason, **_how_to_appeal(request, appeal, complaint))


def unverifiable(
    request: PrivacyRequest,
    appeal: AppealInvitation | None = None,
    complaint: ComplaintInvitation | None = None,
) -> Notice:
    return _about(request, "unverifiable", **_how_to_appeal(request, appeal, complaint))


def cancelled(request: PrivacyRequest, reason: str) -> Notice:
    return _about(request, "cancelled", reason=reason)


def email_not_understood(form_url: str, *, correction: bool = False, language: str = ENGLISH) -> Notice:
    """The one answer to mail the desk could not turn into a request; never names what was written."""
    return render("email_not_understood", language, form_url=form_url, correction=correction)


def extension(request: PrivacyRequest, reason: str) -> Notice:
    """The notice the law requires before the original date runs out: the new date, and why."""
    return _about(request, "extension", reason=reason, respond_by=_local_day(request, request.respond_by))


def information_requested(request: PrivacyRequest, question: str, clock_paused: bool) -> Notice:
    """Staff need more from the subject to answer the request."""
    return _about(
        request,
        "information_requested",
        question=question,
        clock_paused=clock_paused,
        respond_by=_local_day(request, request.respond_by),
    )


# --- appeals ----------------------------------------------------------------------------------


def appeal_received(request: PrivacyRequest, respond_by: datetime) -> Notice:
    return _about(request, "appeal_received", respond_by=_local_day(request, respond_by))


def appeal_extended(request: PrivacyRequest, respond_by: datetime, reason: str) -> Notice:
    return _about(request, "appeal_extended", reason=reason, respond_by=_local_day(request, respond_by))


ANY_REGULATOR = N_("your data protection regulator")
"""Where an upheld appeal points when the policy table names no regulator for the law."""


def appeal_upheld(
    request: PrivacyRequest, reason: str, regulator: str | None, complaint_url: str | None
) -> Notice:
    """The refusal stands: the reasons, and where the subject may complain (the law requires it):
    the regulator the policy table names, read from the catalogs, and its complaint page where
    one has been verified."""
    language = language_of(request)
    return _about(
        request,
        "appeal_upheld",
        reason=reason,
        regulator=catalogs.gettext(language, regulator or ANY_REGULATOR),
        complaint_url=complaint_url or catalogs.gettext(language, "(see the regulator's website)"),
    )


def appeal_granted(request: PrivacyRequest, reason: str) -> Notice:
    return _about(request, "appeal_granted", reason=reason)
