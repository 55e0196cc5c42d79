"""The page a vendor or a customer's administrator answers a handed-off task on, reached through
the link emailed to them (dsr.fulfilment.owner_links), and its short answers.

It shows only what the task needs: the system, what to do, the identifier to act on (the email
address; the corrections for a correction), and the answer-by date. Never the person's name, the
request's other systems or its history. In English, through the staff catalog: those who answer
here read what staff read.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final
from urllib.parse import quote, urlencode

from dsr.core.actions import Action
from dsr.core.languages import ENGLISH
from dsr.core.models import PrivacyRequest
from dsr.core.readable_dates import day_text
from dsr.core.staff_catalog import S_, staff_text
from dsr.fulfilment.outcomes import Carried, OutcomeStatus
from dsr.fulfilment.owner_links import LinkRefusal, LinkRefusedError, OwnerTask
from dsr.fulfilment.owner_uploads import ACCEPTED_TYPES, MAX_UPLOAD_BYTES
from dsr.notices.handoff_notices import what_to_do, what_was_asked
from dsr.web import page_templates
from dsr.web.page_markup import STYLE

_CHOICES: Final = (
    (OutcomeStatus.DONE, S_("Done"), S_("We did what was asked.")),
    (OutcomeStatus.NOTHING_FOUND, S_("Nothing found"), S_("We hold no data about this person.")),
    (OutcomeStatus.EXEMPT, S_("Exempt"), S_("The law lets us keep the data: give the reason below.")),
    (OutcomeStatus.FAILED, S_("Failed"), S_("We could not do it: say what went wrong below.")),
)
_ANSWERED_BY: Final = {
    "you": S_("by you"),
    "staff": S_("by our privacy staff, on your behalf"),
    "customers": S_("by the customers we asked"),
    "desk": S_("by the desk, because no answer came in time"),
}


def answer_action(task: OwnerTask, key: str) -> str:
    """The page's own address, where its form posts."""
    path = "/".join(quote(part, safe="") for part in (task.request_id, task.system.id, task.action.value))
    return f"/answer/{path}?" + urlencode({"for": task.holder, "key": key})


def _page(template: str, title: str, **context: object) -> str:
    style = page_templates.trusted(STYLE)
    return page_templates.render(
        template, ENGLISH, title=title, has_errors=False, style=style, switch=[], **context
    )


def _rows(task: OwnerTask, request: PrivacyRequest) -> list[tuple[str, str]]:
    asked = (
        (staff_text("What the person asked for"), what_was_asked(task.action))
        if task.several_holders
        else (staff_text("What to do"), what_to_do(task.action))
    )
    asked = (asked[0], asked[1][:1].upper() + asked[1][1:])
    rows = [
        (staff_text("Reference"), task.request_id),
        (staff_text("System"), str(task.system.name)),
        asked,
        (staff_text("Email address of the person"), str(request.subject.email)),
    ]
    if task.action is Action.RECTIFY:
        rows += [
            (staff_text("Correct %(field)s to", field=c.field), c.corrected_value)
            for c in request.corrections
        ]
    rows.append((staff_text("Answer by"), day_text(task.answer_by)))
    return rows


def task_page(
    task: OwnerTask,
    request: PrivacyRequest,
    key: str,
    *,
    problem: str | None = None,
    sent: Mapping[str, str] | None = None,
) -> str:
    """The task and the form that answers it; with ``problem`` (and what was ``sent``) after an
    answer that could not be taken."""
    sent = sent or {}
    export = task.action is Action.EXPORT
    words = {
        "intro": staff_text(
            "We handed this task to you. Tell us what came of it here; no sign-in is needed, and "
            "this page shows nothing else of the request."
        ),
        "legend": staff_text("Your answer"),
        "upload_label": staff_text("The export (needed when the answer is done)"),
        "upload_hint": staff_text(
            "%(types)s, up to %(limit)s MB. It becomes this system's part of the copy the person receives.",
            types=ACCEPTED_TYPES,
            limit=MAX_UPLOAD_BYTES // 1024 // 1024,
        ),
        "records_label": staff_text("Number of records (when the answer is done)"),
        "records_hint": staff_text("How many records you changed or deleted."),
        "note_label": staff_text("Reason or what went wrong"),
        "note_hint": staff_text("Needed when the answer is exempt or failed; at most 500 characters."),
        "send": staff_text("Send the answer"),
    }
    choices = [
        {
            "value": status.value,
            "label": staff_text(label),
            "hint": staff_text(hint),
            "checked": sent.get("answer") == status.value,
        }
        for status, label, hint in _CHOICES
    ]
    title = staff_text("Privacy request task for %(system)s", system=str(task.system.name))
    return _page(
        "owner_task.html",
        title,
        problem=problem,
        words=words,
        rows=_rows(task, request),
        choices=choices,
        export=export,
        records=sent.get("records", ""),
        note=sent.get("note", ""),
        action=answer_action(task, key),
    )


def answered_page(carried: Carried) -> str:
    title = staff_text("Thank you: your answer is recorded")
    labels = {status: label for status, label, _hint in _CHOICES}
    message = staff_text(
        "Your answer: %(answer)s. Nothing more is needed; this link now only says that it was answered.",
        answer=staff_text(labels.get(carried.status, carried.status.value)).lower(),
    )
    if carried.records:
        message += " " + staff_text("Records: %(count)s.", count=carried.records)
    return _page("message.html", title, message=message, status_url=None)


def refused_page(error: LinkRefusedError) -> str:
    """What a link that does not open its task says: which of not valid, expired or answered,
    and nothing of the task."""
    if error.refusal is LinkRefusal.EXPIRED:
        title = staff_text("This link has expired")
        message = staff_text(
            "The time to answer through this link has passed. Reply to the email that brought it, "
            "and our privacy staff will record your answer."
        )
    elif error.refusal is LinkRefusal.ANSWERED:
        title = staff_text("This task has been answered")
        message = staff_text(
            "It was answered %(who)s%(when)s. Nothing more is needed through this link.",
            who=staff_text(_ANSWERED_BY.get(str(error.answered_by), "by someone else")),
            when=_when(error.answered_at),
        )
    else:
        title = staff_text("This link is not valid")
        message = staff_text(
            "This is not a link we sent, or part of it was changed. Open the link in our email "
            "exactly as it is, or reply to that email."
        )
    return _page("message.html", title, message=message, status_url=None)


def _when(moment: datetime | None) -> str:
    return staff_text(" on %(day)s", day=day_text(moment)) if moment else ""


def status_of(refusal: LinkRefusal, *, posted: bool) -> int:
    """An answered task's link still opens a page (it says who answered and when); only another
    answer sent through it is a conflict."""
    if refusal is LinkRefusal.ANSWERED:
        return 409 if posted else 200
    return {LinkRefusal.NOT_VALID: 404, LinkRefusal.EXPIRED: 410}[refusal]


def cross_site_page() -> str:
    title = staff_text("Sent from another website")
    message = staff_text(
        "This answer was sent from another website. Open the link in our email and answer there."
    )
    return _page("message.html", title, message=message, status_url=None)
