"""The subject's own pages, as plain HTML that works without JavaScript: the request's status
(with the code or data-point form it waits for, and the appeal form), a short message, and the
access package's download.

Pure functions: each takes what a route has in hand and returns a whole page as a string. Every
piece of text that came from a person is escaped (``dsr.web.page_markup``), so a route never has to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import quote

from dsr.core.models import RequestType
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.notices.public_views import SubjectView
from dsr.notices.subject_notices import utc_moment
from dsr.policies.proofs import Proof
from dsr.web.page_markup import (
    Attributes,
    attributes_markup,
    escaped,
    hidden_input,
    page,
    readable_date,
    safe_href,
    signal_honored,
    status_label,
)

# --- the subject's other pages -----------------------------------------------------------------


def _status_details(view: SubjectView, proof: Proof) -> str:
    asked = "".join(f"<li>{escaped(_request_type_label(value))}</li>" for value in view.request_types)
    rows = [
        ("Reference", escaped(view.request_id)),
        ("Status", escaped(status_label(view.status, proof))),
        ("Next step", escaped(view.next_step)),
        ("What you asked for", f"<ul>{asked}</ul>"),
        ("Received", readable_date(view.received_on)),
    ]
    if view.linked_to:
        rows.append(("Answered with your request", escaped(view.linked_to)))
    if view.closed_on:
        rows.append(("Closed", readable_date(view.closed_on)))
    else:
        rows.append(("We will respond by", readable_date(view.respond_by)))
    if view.appeal is not None:
        rows += [
            ("Your appeal", escaped(view.appeal.next_step)),
            ("Appeal received", readable_date(view.appeal.received_on)),
            ("We will answer your appeal by", readable_date(view.appeal.answer_by)),
        ]
    return "<dl>\n" + "\n".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in rows) + "\n</dl>"


APPEAL_STATEMENT_LIMIT = 4000


def _appeal_form(request_id: str, token: str, until: str) -> str:
    """Where the law gives an appeal against a refusal: the subject says why they disagree."""
    action = f"/status/{quote(request_id, safe='')}/appeal"
    statement: Attributes = {
        "id": "statement",
        "name": "statement",
        "rows": "6",
        "maxlength": str(APPEAL_STATEMENT_LIMIT),
        "required": True,
        "aria-describedby": "statement-hint",
    }
    return f"""<h2>Appeal this decision</h2>
<p>If you think we were wrong, you may appeal until {readable_date(until)}. Someone who did not
take the decision will look at it again and answer you in writing, with reasons.</p>
<form method="post" action="{escaped(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<div class="field">
<label for="statement">Why do you disagree?</label>
<p class="hint" id="statement-hint">At most {APPEAL_STATEMENT_LIMIT} characters.</p>
<textarea{attributes_markup(statement)}></textarea>
</div>
<button type="submit">Send my appeal</button>
</form>"""


def _request_type_label(value: str) -> str:
    try:
        return REQUEST_TYPE_LABELS[RequestType(value)]
    except ValueError:
        return value


def _data_point_input(name: str) -> dict[str, str | bool | None]:
    return {"id": f"point_{name}", "name": f"point_{name}", "type": "text", "autocomplete": "off"}


def _data_point_fields(data_points: Sequence[tuple[str, str]], needed: int) -> str:
    """Inputs for the details we hold, named ``point_<name>``; the subject fills ``needed`` of them."""
    if not data_points:
        return ""
    fields = "".join(
        f'<div class="field"><label for="point_{escaped(name)}">{escaped(label)}</label>'
        f"<input{attributes_markup(_data_point_input(name))}></div>"
        for name, label in data_points
    )
    return (
        f"<fieldset><legend>To protect your data, give at least {needed} of these details as we hold them"
        f"</legend>{fields}</fieldset>"
    )


def _code_input(prefilled: str = "") -> dict[str, str | bool | None]:
    """The attributes of a six-digit one-time code field; phones offer the code from the email."""
    return {
        "value": prefilled if prefilled.isdigit() and len(prefilled) == 6 else None,
        "id": "code",
        "name": "code",
        "type": "text",
        "inputmode": "numeric",
        "pattern": "[0-9]{6}",
        "maxlength": "6",
        "autocomplete": "one-time-code",
        "spellcheck": "false",
        "required": True,
        "aria-describedby": "code-hint",
        "class": "short",
    }


CONFIRM_EMAIL_WORDS = ("Confirm your email address", "Confirm my email address")
"""The code form's heading and button when the code alone is asked."""


def _code_form(
    action: str, token: str, prefilled: str, data_points: Sequence[tuple[str, str]], needed: int
) -> str:
    code = _code_input(prefilled)
    # With details as well as the code, the form confirms the person, not only the address.
    heading, button = ("Confirm it is you", "Confirm") if data_points else CONFIRM_EMAIL_WORDS
    return f"""<h2>{heading}</h2>
<form method="post" action="{escaped(safe_href(action))}" accept-charset="utf-8">
<input{attributes_markup({"type": "hidden", "name": "token", "value": token})}>
<div class="field">
<label for="code">Verification code</label>
<p class="hint" id="code-hint">The 6 digits in the email we sent you.</p>
<input{attributes_markup(code)}>
</div>
{_data_point_fields(data_points, needed)}
<button type="submit">{button}</button>
</form>
<form method="post" action="{escaped(safe_href(_new_code_action(action)))}" accept-charset="utf-8">
<input{attributes_markup({"type": "hidden", "name": "token", "value": token})}>
<p>Code not arrived, or expired? We can email you a new one; the code we sent before then stops working.</p>
<button type="submit" class="secondary">Email me a new code</button>
</form>"""


def _new_code_action(verification_action: str) -> str:
    """``…/status/{id}/new-code`` beside ``…/status/{id}/verification`` (under any stage prefix)."""
    return verification_action.removesuffix("/verification") + "/new-code"


def status_page(
    view: SubjectView,
    *,
    token: str,
    message: str | None = None,
    show_code_form: bool,
    action: str | None = None,
    code: str = "",
    data_points: Sequence[tuple[str, str]] = (),
    data_points_needed: int = 0,
    proof: Proof = Proof.CODE,
) -> str:
    """The subject's view of their request; with the code form while their email address is unconfirmed.

    ``action`` is where the code form posts: ``/status/{request_id}/verification`` unless given (pass
    the full path when the API is served under a stage prefix).
    """
    action = action or f"/status/{quote(view.request_id, safe='')}/verification"
    sections = [
        "<h1>Your privacy request</h1>",
        signal_honored() if view.preference_signal else "",
        f'<div class="notice" role="status"><p>{escaped(message)}</p></div>' if message else "",
        _status_details(view, proof),
        _code_form(action, token, code, data_points, data_points_needed) if show_code_form else "",
        _appeal_form(view.request_id, token, view.can_appeal_until) if view.can_appeal_until else "",
    ]
    return page("Your privacy request", "\n".join(section for section in sections if section))


def message_page(title: str, message: str, *, status_url: str | None = None) -> str:
    """A simple outcome, such as "Code accepted", with a way back to the status page."""
    link = (
        f'<p><a href="{escaped(safe_href(status_url))}">Back to the status of your request</a></p>'
        if status_url
        else ""
    )
    return page(title, f"<h1>{escaped(title)}</h1>\n<p>{escaped(message)}</p>\n{link}".rstrip())


# --- downloading the access package ------------------------------------------------------------


def _until(moment: datetime) -> str:
    return f'<time datetime="{escaped(moment.isoformat())}">{escaped(utc_moment(moment))}</time>'


def _hidden_token(token: str) -> str:
    return hidden_input("token", token)


def _download_code_form(request_id: str, token: str) -> str:
    code = _code_input()
    action = f"/download/{quote(request_id, safe='')}"
    return f"""<form method="post" action="{escaped(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<div class="field">
<label for="code">Download code</label>
<p class="hint" id="code-hint">The 6 digits in the email we have just sent you.</p>
<input{attributes_markup(code)}>
</div>
<button type="submit">Download my data</button>
</form>"""


def _ask_for_code_form(request_id: str, token: str, *, again: bool) -> str:
    """The first code is the page's one action; once one is sent, a new one is the lesser choice,
    worded so nobody presses it instead of downloading (it replaces the code we sent)."""
    action = f"/download/{quote(request_id, safe='')}/code"
    if not again:
        return f"""<form method="post" action="{escaped(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<button type="submit">Email me a code</button>
</form>"""
    return f"""<h2>Code not arrived, or expired?</h2>
<p>We can email you a new code. The code we sent before then stops working.</p>
<form method="post" action="{escaped(action)}" accept-charset="utf-8">
{_hidden_token(token)}
<button type="submit" class="secondary">Email me a new code instead</button>
</form>"""


def download_page(
    request_id: str,
    token: str,
    available_until: datetime,
    *,
    code_sent: bool = False,
    problem: str | None = None,
    code_minutes: int = 15,
) -> str:
    """The page the completion email links to: ask for a fresh code, then enter it."""
    sections = [
        "<h1>Download your personal data</h1>",
        f'<div class="error-summary" role="alert"><p>{escaped(problem)}</p></div>' if problem else "",
        (
            '<div class="notice" role="status"><p>We have emailed a 6-digit code to the address on '
            f"your request. It works once, for {code_minutes} minutes.</p></div>"
            if code_sent and not problem
            else ""
        ),
        f"<p>Reference {escaped(request_id)}. This link works until {_until(available_until)}.</p>",
        _download_code_form(request_id, token) if code_sent else "",
        "<p>To protect your data, we email a fresh code to the address on your request before you "
        "download it. Nobody can download your data without that code.</p>",
        _ask_for_code_form(request_id, token, again=code_sent),
    ]
    return page("Download your personal data", "\n".join(section for section in sections if section))


def download_links_page(readable: str | None, data: str | None, seconds: int) -> str:
    """The package links, answered to a right code; they work for ``seconds`` only."""
    links = [
        (readable, "Your data as a page to read (HTML)"),
        (data, "Your data in a format for computers (JSON)"),
    ]
    items = "".join(
        f'<li><a href="{escaped(safe_href(url))}">{escaped(text)}</a></li>' for url, text in links if url
    )
    body = f"""<h1>Your personal data</h1>
<div class="notice" role="status"><p>Your code is accepted. These links work for the next
{seconds // 60} minutes; save the files somewhere safe.</p></div>
<ul>{items}</ul>
<p>If the links stop working, open the link in our email again and ask for a new code.</p>"""
    return page("Your personal data", body)


def download_expired_page(form_url: str, mailbox: str) -> str:
    """Past the download window: the link has expired, and how to ask again."""
    body = f"""<h1>This download link has expired</h1>
<p>To protect your data, the link in our email worked for a limited time, and that time has passed.</p>
<p>To get a copy of your personal data, <a href="{escaped(safe_href(form_url))}">make a new request</a>
or write to <a href="mailto:{escaped(mailbox)}">{escaped(mailbox)}</a>.</p>"""
    return page("This download link has expired", body)
