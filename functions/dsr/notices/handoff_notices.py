"""What the desk writes to those it hands a task to: a vendor, or a customer's administrators.

These messages name the person (the recipient must find them) and so go only to the addresses
the registry or the customer's account gives; subject lines carry the reference, never a name.
They are written as the desk's staff write (the staff catalog, dsr.core.staff_catalog).
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest
from dsr.core.readable_dates import day_text
from dsr.core.staff_catalog import S_, staff_text
from dsr.notices.subject_notices import Notice

_INSTRUCTIONS = {
    Action.EXPORT: S_(
        "send us a copy of all personal data you hold about this person, in a common machine-readable format"
    ),
    Action.ERASE: S_(
        "delete all personal data you hold about this person, including from backups "
        "as they cycle, and tell anyone you passed it to"
    ),
    Action.RECTIFY: S_("correct the personal data you hold about this person as listed below"),
    Action.RESTRICT: S_(
        "stop using the personal data you hold about this person, other than storing it, "
        "until we tell you otherwise"
    ),
    Action.OBJECT: S_("stop processing this person's data for our legitimate interests"),
    Action.OPT_OUT: S_("stop using this person's data for marketing, and stop selling or sharing it"),
    Action.LIMIT_SENSITIVE: S_(
        "use this person's sensitive personal information only to provide the "
        "services they asked for, as 11 CCR 7027(m) allows"
    ),
    Action.ADMT_OPT_OUT: S_(
        "stop making significant decisions about this person by automated means; a person decides instead"
    ),
}


_ASKED_FOR = {
    Action.EXPORT: S_("a copy of their personal data"),
    Action.ERASE: S_("the deletion of their personal data"),
    Action.RECTIFY: S_("the correction of their personal data, as listed below"),
    Action.RESTRICT: S_("their personal data to be only stored, and not otherwise used"),
    Action.OBJECT: S_("their data no longer to be processed on the grounds of legitimate interests"),
    Action.OPT_OUT: S_("their data no longer to be used for marketing, sold or shared"),
    Action.LIMIT_SENSITIVE: S_(
        "their sensitive personal information to be used only to provide the services they asked for"
    ),
    Action.ADMT_OPT_OUT: S_("no significant decision about them to be made by automated means"),
}
"""What the person asked for, in their voice, for those who decide about it (the customers)."""


def _who(request: PrivacyRequest) -> str:
    lines = [staff_text("Email address: %(email)s", email=request.subject.email)]
    if request.subject.name:
        lines.append(staff_text("Name: %(name)s", name=request.subject.name))
    return "\n".join(lines)


def _corrections(request: PrivacyRequest, action: Action) -> str:
    if action is not Action.RECTIFY or not request.corrections:
        return ""
    listed = "\n".join(f"- {c.field}: {c.corrected_value}" for c in request.corrections)
    return f"\n\n{staff_text('Corrections asked for:')}\n{listed}"


def _day(moment: datetime) -> str:
    return day_text(moment)


class AnswerLink(NamedTuple):
    """The link the recipient answers through (``dsr.fulfilment.owner_links.answer_link``), and
    until when it works."""

    url: str
    until: datetime


def _answer_through(link: AnswerLink, reply_to: str, request_id: str) -> tuple[str, str]:
    return (
        staff_text(
            "Answer through this link, without signing in: say it is done (for a copy, upload the "
            "export), that you hold nothing, that an exemption applies, or that it failed. The link "
            "is for this request only and works until %(day)s:",
            day=_day(link.until),
        )
        + f"\n{link.url}",
        staff_text(
            "If you cannot use the link, reply to %(reply_to)s with the reference %(request_id)s.",
            reply_to=reply_to,
            request_id=request_id,
        ),
    )


def vendor_instructions(
    request: PrivacyRequest,
    action: Action,
    vendor: str,
    answer_by: datetime,
    reply_to: str,
    *,
    link: AnswerLink,
) -> Notice:
    paragraphs = (
        staff_text("Dear %(vendor)s privacy team,", vendor=vendor),
        staff_text(
            "Under our data processing agreement, we ask you to act on a privacy request from a "
            "person whose data you process for us."
        ),
        staff_text("What to do: %(instruction)s.", instruction=staff_text(_INSTRUCTIONS[action])),
        f"{staff_text('For whom:')}\n{_who(request)}{_corrections(request, action)}",
        staff_text("By when: %(day)s at the latest.", day=_day(answer_by)),
        *_answer_through(link, reply_to, request.request_id),
    )
    return Notice(
        subject=staff_text(
            "Data subject request %(reference)s: action needed by %(day)s",
            reference=request.request_id[:8],
            day=_day(answer_by),
        ),
        body="\n\n".join(paragraphs) + "\n",
    )


def customer_notification(
    request: PrivacyRequest,
    action: Action,
    customer_name: str,
    answer_by: datetime,
    reply_to: str,
    *,
    link: AnswerLink,
) -> Notice:
    paragraphs = (
        staff_text("Dear administrator of %(customer)s,", customer=customer_name),
        staff_text(
            "A person who is a contact in your CRM account has sent us a privacy request. You are "
            "the controller of the contacts you keep with us, and we only process them on your "
            "instructions, so we have not changed your records."
        ),
        staff_text("They asked for %(what)s.", what=staff_text(_ASKED_FOR[action])),
        f"{staff_text('The person:')}\n{_who(request)}{_corrections(request, action)}",
        staff_text(
            "Please decide, and either act on it yourself in the Platform (you can edit or delete "
            "contacts at any time) or tell us what to do. The law may give you a deadline of its "
            "own; we ask for your answer by %(day)s.",
            day=_day(answer_by),
        ),
        *_answer_through(link, reply_to, request.request_id),
    )
    return Notice(
        subject=staff_text(
            "A person in your CRM made a privacy request (%(reference)s)", reference=request.request_id[:8]
        ),
        body="\n\n".join(paragraphs) + "\n",
    )


def what_to_do(action: Action) -> str:
    """The instruction for ``action``, as a vendor is given it."""
    return staff_text(_INSTRUCTIONS[action])


def what_was_asked(action: Action) -> str:
    """What the person asked for, as a customer (the controller) is told."""
    return staff_text(_ASKED_FOR[action])
