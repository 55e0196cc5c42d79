"""What the desk writes to a system's owner inside the company (a team the registry names) when
a task is theirs to carry out: a system the desk cannot reach itself, such as a spreadsheet.

Like the vendor's instructions, the message names the person (the owner must find them) and goes
only to the address the registry gives; the subject line carries the reference, never a name.
"""

from __future__ import annotations

from datetime import datetime

from dsr.core.actions import Action
from dsr.core.models import PrivacyRequest
from dsr.core.readable_dates import day_text
from dsr.core.staff_catalog import S_, staff_text
from dsr.notices.handoff_notices import AnswerLink
from dsr.notices.subject_notices import Notice

_TO_DO = {
    Action.EXPORT: S_("send us a copy of all personal data the system holds about this person"),
    Action.ERASE: S_("delete all personal data the system holds about this person"),
    Action.RECTIFY: S_("correct the personal data the system holds about this person as listed below"),
    Action.RESTRICT: S_("stop using this person's data in the system, other than storing it"),
    Action.OBJECT: S_("stop processing this person's data in the system for our legitimate interests"),
    Action.OPT_OUT: S_("stop using this person's data in the system for marketing, selling or sharing"),
    Action.LIMIT_SENSITIVE: S_(
        "use this person's sensitive personal information in the system only to provide the "
        "services they asked for"
    ),
    Action.ADMT_OPT_OUT: S_("stop making significant decisions about this person by automated means"),
}


def owner_instructions(
    request: PrivacyRequest,
    action: Action,
    *,
    team: str,
    system_name: str,
    answer_by: datetime,
    reply_to: str,
    link: AnswerLink,
) -> Notice:
    who = [staff_text("Email address: %(email)s", email=request.subject.email)]
    if request.subject.name:
        who.append(staff_text("Name: %(name)s", name=request.subject.name))
    corrections = ""
    if action is Action.RECTIFY and request.corrections:
        listed = "\n".join(f"- {c.field}: {c.corrected_value}" for c in request.corrections)
        corrections = f"\n\n{staff_text('Corrections asked for:')}\n{listed}"
    paragraphs = (
        staff_text("Dear %(team)s,", team=team),
        staff_text(
            "A person has made a privacy request, and the registry names you as the owner of "
            "%(system)s, which the privacy desk cannot reach itself.",
            system=system_name,
        ),
        staff_text("What to do: %(instruction)s.", instruction=staff_text(_TO_DO[action])),
        f"{staff_text('For whom:')}\n" + "\n".join(who) + corrections,
        staff_text("By when: %(day)s at the latest.", day=day_text(answer_by)),
        # As a vendor is told (dsr.notices.handoff_notices): the link, or else a reply.
        staff_text(
            "Answer through this link, without signing in: say it is done (for a copy, upload the "
            "export), that you hold nothing, that an exemption applies, or that it failed. The link "
            "is for this request only and works until %(day)s:",
            day=day_text(link.until),
        )
        + f"\n{link.url}",
        staff_text(
            "If you cannot use the link, reply to %(reply_to)s with the reference %(request_id)s.",
            reply_to=reply_to,
            request_id=request.request_id,
        ),
    )
    return Notice(
        subject=staff_text(
            "Data subject request %(reference)s: action needed by %(day)s",
            reference=request.request_id[:8],
            day=day_text(answer_by),
        ),
        body="\n\n".join(paragraphs) + "\n",
    )
