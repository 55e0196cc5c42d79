"""What the subject is told at each step. Plain text; no personal data in subject lines."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from dsr.core.models import Channel, PrivacyRequest
from dsr.core.readable_dates import day_text, utc_moment_text
from dsr.policies.proofs import Proof
from dsr.policies.request_deadlines import local_day

TYPE_NAMES = {
    "access": "a copy of your personal data",
    "portability": "your personal data in a portable format",
    "erasure": "deletion of your personal data",
    "rectification": "correction of your personal data",
    "restriction": "restriction of the use of your personal data",
    "objection": "an end to our use of your data for our legitimate interests",
    "marketing_opt_out": "an end to our marketing to you",
    "sale_sharing_opt_out": "an end to any sale or sharing of your personal data",
    "limit_sensitive": "a limit on the use of your sensitive personal data",
    "admt_opt_out": "an end to important decisions about you made by automated means",
    "admt_access": "information about the automated decisions we make about you",
    "third_party_list": "the list of the third parties we gave your personal data to",
    "profiling_review": "a review of an automated decision about you",
}
"""What a request asks for, as the subject reads it after "your request for"."""


class Notice(NamedTuple):
    subject: str
    body: str


def _asked_for(request: PrivacyRequest) -> str:
    """``a copy of your personal data and deletion of your personal data``."""
    names = [TYPE_NAMES[t.value] for t in request.request_types]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


def _local_day(request: PrivacyRequest, moment: datetime) -> str:
    """The date where the request's law counts days (a due date ends there at midnight)."""
    return day_text(local_day(request.jurisdiction, moment))


WHAT_HAPPENS_NEXT: dict[Proof, str] = {
    Proof.CODE: (
        "What happens next: we will send you a code to confirm this email address is yours. "
        "Once confirmed, our privacy team reviews the request and we carry it out in every "
        "system that holds your data."
    ),
    Proof.CODE_AND_DETAILS: (
        "What happens next: we will send you a code to confirm this email address is yours, and "
        "ask for two or three details we hold about you, to confirm it is you. Once confirmed, "
        "our privacy team reviews the request and we carry it out in every system that holds "
        "your data."
    ),
    Proof.SIGN_IN: (
        "What happens next: because this request concerns your account, we will email you a link "
        "to sign in to it, to confirm the request is yours. Once you have signed in, our privacy "
        "team reviews the request and we carry it out in every system that holds your data."
    ),
    Proof.POWER_OF_ATTORNEY: (
        "What happens next: our privacy team checks the power of attorney your agent sent. Once it "
        "is confirmed, they review the request and we carry it out in every system that holds "
        "your data. You do not need to do anything."
    ),
    Proof.NONE: (
        "What happens next: you do not need to do anything more. Our privacy team reviews the "
        "request and we carry it out in every system that holds your data."
    ),
}
"""The acknowledgement's next step, by how the request is proved to be the subject's."""


SIGNAL_ACKNOWLEDGED = (
    "Your browser sent the Global Privacy Control signal, which we honour as your request to opt "
    "out of the sale and sharing of your personal data, for targeted advertising too."
)
SIGNAL_NEXT_STEP = (
    "What happens next: you do not need to do anything. We carry it out in every system that holds your data."
)


def acknowledgement(request: PrivacyRequest, status_url: str, proof: Proof = Proof.CODE) -> Notice:
    """The reference, the due date and what happens next; a request a browser's Global Privacy
    Control signal opened says so, and that nobody reviews it first."""
    signal = request.channel is Channel.GPC
    opening = (
        SIGNAL_ACKNOWLEDGED
        if signal
        else f"Thank you. We have received your request for {_asked_for(request)}."
    )
    return Notice(
        subject=f"We received your privacy request {request.request_id[:8]}",
        body=(
            f"{opening}\n\n"
            f"Reference: {request.request_id}\n"
            f"We will respond by {_local_day(request, request.respond_by)} at the latest.\n\n"
            f"{SIGNAL_NEXT_STEP if signal else WHAT_HAPPENS_NEXT[proof]}\n\n"
            f"Follow the status of your request: {status_url}\n"
        ),
    )


def already_open(request: PrivacyRequest, open_request_id: str) -> Notice:
    """Sent once the subject has confirmed the address: only then are they told of the other request."""
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]} is joined to {open_request_id[:8]}",
        body=(
            "Thank you for confirming your email address. You asked for "
            f"{_asked_for(request)}, and we are already working on the same request from you "
            f"(reference {open_request_id}). We have joined this request to it, so you do not need "
            "to do anything more: we will answer both together, through that request.\n\n"
            f"Reference of this request: {request.request_id}\n"
        ),
    )


def verification_code(
    request: PrivacyRequest,
    code: str,
    status_url: str,
    minutes: int,
    *,
    data_point_labels: list[str] | None = None,
    data_points_needed: int = 0,
) -> Notice:
    points = ""
    if data_point_labels and data_points_needed:
        listed = "".join(f"- {label}\n" for label in data_point_labels)
        points = (
            f"To protect your data we also need {data_points_needed} of these details, as we hold them:\n"
            f"{listed}\n"
        )
    return Notice(
        subject=f"Your verification code for privacy request {request.request_id[:8]}",
        body=(
            f"Your verification code is {code}\n\n"
            f"Enter it on your request's page, or open this link, which fills it in: {status_url}\n\n"
            f"{points}"
            f"The code works once and expires in {minutes} minutes. If you did not make this "
            "request, ignore this message and nothing will happen.\n"
        ),
    )


def account_sign_in(request: PrivacyRequest, login_url: str) -> Notice:
    return Notice(
        subject=f"Sign in to confirm your privacy request {request.request_id[:8]}",
        body=(
            "Because this request concerns your account, please confirm it by signing in to your "
            f"account: {login_url}\n\n"
            "If you did not make this request, ignore this message and nothing will happen.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def utc_moment(moment: datetime) -> str:
    """``14 March 2026, 10:32 UTC``: how emails and pages state when a link stops working."""
    return utc_moment_text(moment)


def completion(
    request: PrivacyRequest,
    summary: str,
    download_url: str | None = None,
    available_until: datetime | None = None,
    *,
    partly: bool = False,
) -> Notice:
    download = ""
    if download_url and available_until:
        download = (
            "\nYour personal data is ready to download, as a page to read and in a format for "
            f"computers (JSON): {download_url}\n"
            "To protect it, that page emails a fresh code to this address before the download "
            "starts.\n"
            f"The link works until {utc_moment(available_until)}. Keep it private.\n"
        )
    opening = f"We have completed your request for {_asked_for(request)}."
    if partly:
        opening = (
            f"We have carried out your request for {_asked_for(request)}, except what the list below "
            "says is not yet done: our team is on it, and we will write again when it is."
        )
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]} is {'partly ' if partly else ''}complete",
        body=f"{opening}\n\n{summary}\n{download}\nReference: {request.request_id}\n",
    )


def download_code(request: PrivacyRequest, code: str, minutes: int) -> Notice:
    """The fresh code that unlocks an access package download; asked for on the download page."""
    return Notice(
        subject=f"Your download code for privacy request {request.request_id[:8]}",
        body=(
            f"Your download code is {code}\n\n"
            "Enter it on the download page to get your personal data. "
            f"The code works once and expires in {minutes} minutes.\n\n"
            "If you did not ask for it, ignore this message: nobody can download your data "
            "without this code.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


class AppealInvitation(NamedTuple):
    """How and until when a refusal may be appealed, for the notice that tells of it."""

    until: datetime
    status_url: str


class ComplaintInvitation(NamedTuple):
    """A refusal's two routes where the law makes the controller handle complaints (the UK):
    a complaint to us, acknowledged within a period, and one to the regulator."""

    acknowledge_within: str
    regulator: str


def _how_to_appeal(
    request: PrivacyRequest, appeal: AppealInvitation | None, complaint: ComplaintInvitation | None = None
) -> str:
    if appeal is None and complaint is not None:
        return (
            "You may complain to us about this decision by writing to our privacy address: we will "
            f"acknowledge your complaint within {complaint.acknowledge_within} of receiving it, look "
            "into it and tell you the outcome.\n"
            f"You may also complain to {complaint.regulator}.\n"
        )
    if appeal is None:
        return "You may complain to your data protection authority, or contact us to discuss it.\n"
    return (
        f"You may appeal this decision until {_local_day(request, appeal.until)}: reply to this "
        "email beginning with the word APPEAL and tell us why you disagree, or use the appeal form on your "
        f"request's status page: {appeal.status_url}\n"
        "We will answer your appeal in writing, with our reasons, within the time the law sets.\n"
    )


def denial(
    request: PrivacyRequest,
    reason: str,
    appeal: AppealInvitation | None = None,
    complaint: ComplaintInvitation | None = None,
) -> Notice:
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]}: we cannot carry it out",
        body=(
            f"We cannot carry out your request for {_asked_for(request)}.\n\n"
            f"Reason: {reason}\n\n"
            f"{_how_to_appeal(request, appeal, complaint)}"
            f"Reference: {request.request_id}\n"
        ),
    )


def unverifiable(
    request: PrivacyRequest,
    appeal: AppealInvitation | None = None,
    complaint: ComplaintInvitation | None = None,
) -> Notice:
    appeal_text = (
        f"\n{_how_to_appeal(request, appeal, complaint)}"
        if appeal is not None or complaint is not None
        else ""
    )
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]} was closed",
        body=(
            "We could not confirm that this email address belongs to the person making the "
            "request, so we have closed it without acting on it.\n\n"
            "You can make a new request at any time through our privacy request form or by "
            f"writing to our privacy address.\n{appeal_text}"
            f"Reference: {request.request_id}\n"
        ),
    )


def cancelled(request: PrivacyRequest, reason: str) -> Notice:
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]} was closed",
        body=(
            f"We have closed your request for {_asked_for(request)} without acting on it.\n\n"
            f"Why: {reason}\n\n"
            "If you did not mean this, you can make a new request at any time through our privacy "
            "request form or by writing to our privacy address.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def email_not_understood(form_url: str, *, correction: bool = False) -> Notice:
    """The one answer to mail the desk could not turn into a request; never names what was written."""
    if correction:
        ask = (
            "To correct your personal data we need to know which details are wrong and what they "
            f"should be. Please use our privacy request form at {form_url}, which asks for each "
            "detail and its corrected value.\n"
        )
    else:
        ask = (
            "We could not tell what you would like us to do with your personal data. Please use "
            f"our privacy request form at {form_url}, or reply saying whether you want a copy of "
            "your data, its deletion, its correction, or to unsubscribe.\n"
        )
    return Notice(subject="About your message to our privacy team", body=ask)


def extension(request: PrivacyRequest, reason: str) -> Notice:
    """The notice the law requires before the original date runs out: the new date, and why."""
    return Notice(
        subject=f"More time is needed for your privacy request {request.request_id[:8]}",
        body=(
            f"We are working on your request for {_asked_for(request)}, and we need more time to "
            "complete it, as the law allows.\n\n"
            f"Why: {reason}\n\n"
            f"We will now respond by {_local_day(request, request.respond_by)} at the latest.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def information_requested(request: PrivacyRequest, question: str, clock_paused: bool) -> Notice:
    """Staff need more from the subject to answer the request."""
    clock = (
        "Until you answer, the time we have to respond stands still, as the law allows."
        if clock_paused
        else f"We will still respond by {_local_day(request, request.respond_by)} at the latest."
    )
    return Notice(
        subject=f"We need more information for your privacy request {request.request_id[:8]}",
        body=(
            f"To answer your request for {_asked_for(request)}, we need to ask you:\n\n"
            f"{question}\n\n"
            f"Please reply to this email. {clock}\n"
            f"Reference: {request.request_id}\n"
        ),
    )


# --- appeals ----------------------------------------------------------------------------------


def appeal_received(request: PrivacyRequest, respond_by: datetime) -> Notice:
    return Notice(
        subject=f"We received your appeal on privacy request {request.request_id[:8]}",
        body=(
            "We have received your appeal against our decision on your request for "
            f"{_asked_for(request)}.\n\n"
            "Someone who did not take the original decision will look at it again. We will answer "
            f"in writing, with our reasons, by {_local_day(request, respond_by)} at the latest.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def appeal_extended(request: PrivacyRequest, respond_by: datetime, reason: str) -> Notice:
    return Notice(
        subject=f"More time is needed for your appeal on privacy request {request.request_id[:8]}",
        body=(
            "We need more time to answer your appeal, as the law allows.\n\n"
            f"Why: {reason}\n\n"
            f"We will answer by {_local_day(request, respond_by)} at the latest.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def appeal_upheld(request: PrivacyRequest, reason: str, regulator: str, complaint_url: str) -> Notice:
    """The refusal stands: the reasons, and where the subject may complain (the law requires it)."""
    return Notice(
        subject=f"The answer to your appeal on privacy request {request.request_id[:8]}",
        body=(
            "We have looked again at our decision on your request for "
            f"{_asked_for(request)}, and it stands.\n\n"
            f"Our reasons: {reason}\n\n"
            f"If you are not satisfied, you may complain to {regulator}: {complaint_url}\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def appeal_granted(request: PrivacyRequest, reason: str) -> Notice:
    return Notice(
        subject=f"Your appeal on privacy request {request.request_id[:8]} succeeded",
        body=(
            "We have looked again at our decision on your request for "
            f"{_asked_for(request)}, and we have changed it.\n\n"
            f"Our reasons: {reason}\n\n"
            "We are now carrying out your request, and will write to you again when it is done.\n"
            f"Reference: {request.request_id}\n"
        ),
    )
