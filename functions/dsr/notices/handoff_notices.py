"""What the desk writes to those it hands a task to: a vendor, or a customer's administrators.

These messages name the person (the recipient must find them) and so go only to the addresses
the registry or the customer's account gives; subject lines carry the reference, never a name.
"""

from __future__ import annotations

from datetime import datetime

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest
from dsr.core.readable_dates import day_text
from dsr.notices.subject_notices import Notice

_INSTRUCTIONS = {
    Action.EXPORT: "send us a copy of all personal data you hold about this person, in a common "
    "machine-readable format",
    Action.ERASE: "delete all personal data you hold about this person, including from backups "
    "as they cycle, and tell anyone you passed it to",
    Action.RECTIFY: "correct the personal data you hold about this person as listed below",
    Action.RESTRICT: "stop using the personal data you hold about this person, other than storing it, "
    "until we tell you otherwise",
    Action.OBJECT: "stop processing this person's data for our legitimate interests",
    Action.OPT_OUT: "stop using this person's data for marketing, and stop selling or sharing it",
    Action.LIMIT_SENSITIVE: "use this person's sensitive personal information only to provide the "
    "services they asked for, as 11 CCR 7027(m) allows",
    Action.ADMT_OPT_OUT: "stop making significant decisions about this person by automated means; "
    "a person decides instead",
}


_ASKED_FOR = {
    Action.EXPORT: "a copy of their personal data",
    Action.ERASE: "the deletion of their personal data",
    Action.RECTIFY: "the correction of their personal data, as listed below",
    Action.RESTRICT: "their personal data to be only stored, and not otherwise used",
    Action.OBJECT: "their data no longer to be processed on the grounds of legitimate interests",
    Action.OPT_OUT: "their data no longer to be used for marketing, sold or shared",
    Action.LIMIT_SENSITIVE: "their sensitive personal information to be used only to provide the "
    "services they asked for",
    Action.ADMT_OPT_OUT: "no significant decision about them to be made by automated means",
}
"""What the person asked for, in their voice, for those who decide about it (the customers)."""


def _who(request: PrivacyRequest) -> str:
    lines = [f"Email address: {request.subject.email}"]
    if request.subject.name:
        lines.append(f"Name: {request.subject.name}")
    return "\n".join(lines)


def _corrections(request: PrivacyRequest, action: Action) -> str:
    if action is not Action.RECTIFY or not request.corrections:
        return ""
    listed = "\n".join(f"- {c.field}: {c.corrected_value}" for c in request.corrections)
    return f"\nCorrections asked for:\n{listed}\n"


def _day(moment: datetime) -> str:
    return day_text(moment)


def vendor_instructions(
    request: PrivacyRequest, action: Action, vendor: str, answer_by: datetime, reply_to: str
) -> Notice:
    return Notice(
        subject=f"Data subject request {request.request_id[:8]}: action needed by {_day(answer_by)}",
        body=(
            f"Dear {vendor} privacy team,\n\n"
            "Under our data processing agreement, we ask you to act on a privacy request from a "
            "person whose data you process for us.\n\n"
            f"What to do: {_INSTRUCTIONS[action]}.\n\n"
            f"For whom:\n{_who(request)}\n"
            f"{_corrections(request, action)}\n"
            f"By when: {_day(answer_by)} at the latest.\n\n"
            f"Please reply to {reply_to} with the reference {request.request_id}, saying what you did "
            "(or that you hold no data about this person). If you cannot act, tell us why.\n"
        ),
    )


def customer_notification(
    request: PrivacyRequest, action: Action, customer_name: str, answer_by: datetime, reply_to: str
) -> Notice:
    return Notice(
        subject=f"A person in your CRM made a privacy request ({request.request_id[:8]})",
        body=(
            f"Dear administrator of {customer_name},\n\n"
            "A person who is a contact in your CRM account has sent us a privacy request. You are "
            "the controller of the contacts you keep with us, and we only process them on your "
            "instructions, so we have not changed your records.\n\n"
            f"They asked for {_ASKED_FOR[action]}.\n\n"
            f"The person:\n{_who(request)}\n"
            f"{_corrections(request, action)}\n"
            "Please decide, and either act on it yourself in the Platform (you can edit or delete "
            "contacts at any time) or tell us what to do. The law may give you a deadline of its "
            f"own; we ask for your answer by {_day(answer_by)}.\n\n"
            f"Reply to {reply_to} with the reference {request.request_id}.\n"
        ),
    )
