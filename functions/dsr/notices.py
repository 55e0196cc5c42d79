"""What the subject is told at each step. Plain text; no personal data in subject lines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dsr.models import PrivacyRequest

TYPE_NAMES = {
    "access": "a copy of your personal data",
    "portability": "your personal data in a portable format",
    "erasure": "deletion of your personal data",
    "rectification": "correction of your personal data",
    "restriction": "restriction of the use of your personal data",
    "objection": "that we stop processing your data for our legitimate interests",
    "marketing_opt_out": "that we stop sending you marketing",
    "sale_sharing_opt_out": "that we do not sell or share your personal data",
}


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str


def _asked_for(request: PrivacyRequest) -> str:
    return "; ".join(TYPE_NAMES[t.value] for t in request.request_types)


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y")


def acknowledgement(request: PrivacyRequest, status_url: str) -> Notice:
    return Notice(
        subject=f"We received your privacy request {request.request_id[:8]}",
        body=(
            f"Thank you. We have received your request for {_asked_for(request)}.\n\n"
            f"Reference: {request.request_id}\n"
            f"We will respond by {_day(request.respond_by)} at the latest.\n\n"
            "What happens next: we will send you a code to confirm this email address is yours. "
            "Once confirmed, our privacy team reviews the request and we carry it out in every "
            "system that holds your data.\n\n"
            f"Follow the status of your request: {status_url}\n"
        ),
    )


def already_open(request: PrivacyRequest, open_request_id: str) -> Notice:
    return Notice(
        subject=f"We already have your privacy request {open_request_id[:8]}",
        body=(
            f"Thank you. You asked for {_asked_for(request)}, and we are already working on the same "
            f"request from you (reference {open_request_id}). We have added this message to it, so "
            "you do not need to do anything more; we will answer both together.\n\n"
            f"Reference of this message: {request.request_id}\n"
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


def completion(
    request: PrivacyRequest, summary: str, package_link: str | None, readable_link: str | None = None
) -> Notice:
    link_text = ""
    if readable_link:
        link_text += f"\nYour data, to read (the link expires): {readable_link}\n"
    if package_link:
        link_text += f"\nYour data, for computers (JSON; the link expires): {package_link}\n"
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]} is complete",
        body=(
            f"We have completed your request for {_asked_for(request)}.\n\n"
            f"{summary}\n{link_text}\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def denial(request: PrivacyRequest, reason: str) -> Notice:
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]}",
        body=(
            f"We cannot carry out your request for {_asked_for(request)}.\n\n"
            f"Reason: {reason}\n\n"
            "You may complain to your data protection authority, or contact us to discuss it.\n"
            f"Reference: {request.request_id}\n"
        ),
    )


def unverifiable(request: PrivacyRequest) -> Notice:
    return Notice(
        subject=f"Your privacy request {request.request_id[:8]} was closed",
        body=(
            "We could not confirm that this email address belongs to the person making the "
            "request, so we have closed it without acting on it.\n\n"
            "You can make a new request at any time through our privacy request form or by "
            "writing to our privacy address.\n"
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
