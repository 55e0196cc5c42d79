"""The subject's own pages, as plain HTML that works without JavaScript: the request's status
(with the code or data-point form it waits for, and the appeal form), a short message, and the
access package's download.

Pure functions: each takes what a route has in hand and returns a whole page as a string. Every
piece of text that came from a person is escaped (``dsr.web.page_markup``), so a route never has to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from dsr.core.catalogs import N_, gettext, moment_in_words, ngettext
from dsr.core.languages import ENGLISH, html_lang
from dsr.core.models import RequestType, Status
from dsr.core.request_type_labels import REQUEST_TYPE_LABELS
from dsr.notices.public_views import LINKED_WITH_REFERENCE, SubjectView
from dsr.policies.proofs import Proof
from dsr.web import page_templates
from dsr.web.page_markup import (
    STYLE,
    Attributes,
    escaped,
    readable_date,
    safe_href,
    status_label,
)

if TYPE_CHECKING:
    from markupsafe import Markup

# --- the subject's other pages -----------------------------------------------------------------


def _date(iso: str, language: str) -> Markup:
    """A day as a ``<time>`` element, written in ``language``; anything else as given, escaped."""
    return page_templates.trusted(readable_date(iso, language))


class _StatusPage:
    """What the status page's template is given, in the page's language."""

    def __init__(self, view: SubjectView, language: str) -> None:
        self.view, self.language = view, language

    def translated(self, message: str, **values: object) -> str:
        return gettext(self.language, message, **values)

    def rows(self, proof: Proof) -> list[tuple[str, object]]:
        view, language = self.view, self.language
        asked = "".join(
            f"<li>{escaped(self.translated(_request_type_label(value)))}</li>" for value in view.request_types
        )
        rows: list[tuple[str, object]] = [
            (self.translated("Reference"), view.request_id),
            (self.translated("Status"), self.translated(status_label(view.status, proof))),
            (self.translated("Next step"), translated_next_step(view, language)),
            (self.translated("What you asked for"), page_templates.trusted(f"<ul>{asked}</ul>")),
            (self.translated("Received"), _date(view.received_on, language)),
        ]
        if view.linked_to:
            rows.append((self.translated("Answered with your request"), view.linked_to))
        if view.closed_on:
            rows.append((self.translated("Closed"), _date(view.closed_on, language)))
        else:
            rows.append((self.translated("We will respond by"), _date(view.respond_by, language)))
        if view.appeal is not None:
            rows += [
                (self.translated("Your appeal"), self.translated(view.appeal.next_step)),
                (self.translated("Appeal received"), _date(view.appeal.received_on, language)),
                (self.translated("We will answer your appeal by"), _date(view.appeal.answer_by, language)),
            ]
        return rows

    def code_form(
        self, action: str, prefilled: str, data_points: Sequence[tuple[str, str]], needed: int
    ) -> dict[str, object]:
        # With details as well as the code, the form confirms the person, not only the address.
        heading, button = CONFIRM_PERSON_WORDS if data_points else CONFIRM_EMAIL_WORDS
        legend = ngettext(
            self.language,
            "To protect your data, give at least %(count)s of these details as we hold them",
            "To protect your data, give at least %(count)s of these details as we hold them",
            needed,
        )
        return {
            "heading": self.translated(heading),
            "button": self.translated(button),
            "action": safe_href(action),
            "new_code_action": safe_href(_new_code_action(action)),
            "code": _code_input(prefilled),
            "details_legend": legend,
            "details": [
                {"name": name, "label": self.translated(label), "attributes": _data_point_input(name)}
                for name, label in data_points
            ],
        }


DETAIL_LABELS = (
    N_("Phone number on the account"),
    N_("Postal code of the billing address"),
    N_("Amount of the last invoice"),
    N_("Month the account was opened (YYYY-MM)"),
)
"""The labels of the details verification.yaml asks for, as the catalogs translate them (a
test holds the two together; a label the catalogs lack is shown as written)."""


def translated_next_step(view: SubjectView, language: str) -> str:
    """The view's next step in ``language`` (a joined request's names the one that answers it)."""
    if view.status is Status.LINKED and view.linked_to:
        return gettext(language, LINKED_WITH_REFERENCE, reference=view.linked_to)
    return gettext(language, view.next_step)


APPEAL_STATEMENT_LIMIT = 4000


def _appeal_form(request_id: str, until: str, language: str, chosen: str) -> dict[str, object]:
    """Where the law gives an appeal against a refusal: the subject says why they disagree."""
    statement: Attributes = {
        "id": "statement",
        "name": "statement",
        "rows": "6",
        "maxlength": str(APPEAL_STATEMENT_LIMIT),
        "required": True,
        "aria-describedby": "statement-hint",
    }
    return {
        "action": f"/status/{quote(request_id, safe='')}/appeal{chosen}",
        "until": _date(until, language),
        "limit": APPEAL_STATEMENT_LIMIT,
        "statement": statement,
    }


def _request_type_label(value: str) -> str:
    try:
        return REQUEST_TYPE_LABELS[RequestType(value)]
    except ValueError:
        return value


# A detail that is the person's own phone or postal code says so, so that the browser offers what
# it knows (WCAG 1.3.5); the others (an invoice's amount, a month) are nothing a browser keeps.
_DATA_POINT_AUTOCOMPLETE = {"phone": "tel", "postal_code": "postal-code"}


def _data_point_input(name: str) -> dict[str, str | bool | None]:
    autocomplete = _DATA_POINT_AUTOCOMPLETE.get(name, "off")
    return {"id": f"point_{name}", "name": f"point_{name}", "type": "text", "autocomplete": autocomplete}


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


CONFIRM_EMAIL_WORDS = (N_("Confirm your email address"), N_("Confirm my email address"))
"""The code form's heading and button when the code alone is asked."""
CONFIRM_PERSON_WORDS = (N_("Confirm it is you"), N_("Confirm"))
"""The code form's heading and button when details we hold are asked as well."""


def _new_code_action(verification_action: str) -> str:
    """``…/status/{id}/new-code`` beside ``…/status/{id}/verification`` (under any stage prefix)."""
    path, mark, query = verification_action.partition("?")
    return path.removesuffix("/verification") + "/new-code" + mark + query


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
    language: str = ENGLISH,
    query: Mapping[str, str] | None = None,
) -> str:
    """The subject's view of their request in ``language``; with the code form while their email
    address is unconfirmed. ``message`` is already in that language.

    ``action`` is where the code form posts: ``/status/{request_id}/verification`` unless given (pass
    the full path when the API is served under a stage prefix). ``query``: the page's own query
    (its token), which the language switch's links keep; a language chosen there (``lang``) is
    kept by the page's forms.
    """
    query = query or {}
    chosen = (
        f"?{page_templates.LANGUAGE_QUERY}={html_lang(language)}"
        if page_templates.LANGUAGE_QUERY in query
        else ""
    )
    action = action or f"/status/{quote(view.request_id, safe='')}/verification{chosen}"
    status = _StatusPage(view, language)
    return page_templates.render(
        "status.html",
        language,
        title=status.translated("Your privacy request"),
        has_errors=False,
        style=page_templates.trusted(STYLE),
        switch=page_templates.language_switch(language, query, f"/status/{quote(view.request_id, safe='')}"),
        signal_sent=bool(view.preference_signal),
        message=message,
        rows=status.rows(proof),
        token=token,
        code_form=status.code_form(action, code, data_points, data_points_needed) if show_code_form else None,
        appeal_form=_appeal_form(view.request_id, view.can_appeal_until, language, chosen)
        if view.can_appeal_until
        else None,
    )


def message_page(title: str, message: str, *, status_url: str | None = None, language: str = ENGLISH) -> str:
    """A simple outcome, such as "Code accepted", with a way back to the status page; ``title``
    and ``message`` are already in ``language``."""
    return page_templates.render(
        "message.html",
        language,
        title=title,
        has_errors=False,
        style=page_templates.trusted(STYLE),
        switch=[],
        message=message,
        status_url=safe_href(status_url) if status_url else None,
    )


# --- downloading the access package ------------------------------------------------------------


def _until(moment: datetime, language: str) -> Markup:
    return page_templates.trusted(
        f'<time datetime="{escaped(moment.isoformat())}">{escaped(moment_in_words(moment, language))}</time>'
    )


def _page(template: str, language: str, title: str, **context: object) -> str:
    """One of the download's pages: no language switch (the emailed link carries a token that
    works once the page is in the request's language, and ``?lang=`` where the subject chose)."""
    style = page_templates.trusted(STYLE)
    return page_templates.render(
        template, language, title=title, has_errors=False, style=style, switch=[], **context
    )


def download_page(
    request_id: str,
    token: str,
    available_until: datetime,
    *,
    code_sent: bool = False,
    problem: str | None = None,
    code_minutes: int = 15,
    language: str = ENGLISH,
) -> str:
    """The page the completion email links to: ask for a fresh code, then enter it. ``problem``
    is already in ``language``."""
    quoted = quote(request_id, safe="")
    notice = ngettext(
        language,
        "We have emailed a 6-digit code to the address on your request. It works once, for %(count)s minute.",
        "We have emailed a 6-digit code to the address on your request. "
        "It works once, for %(count)s minutes.",
        code_minutes,
    )
    return _page(
        "download.html",
        language,
        gettext(language, "Download your personal data"),
        request_id=request_id,
        token=token,
        until=_until(available_until, language),
        code_sent=code_sent,
        code_sent_notice=notice,
        problem=problem,
        code=_code_input(),
        download_action=f"/download/{quoted}",
        code_action=f"/download/{quoted}/code",
    )


def download_links_page(
    readable: str | None, data: str | None, seconds: int, *, language: str = ENGLISH
) -> str:
    """The package links, answered to a right code; they work for ``seconds`` only."""
    links = [
        (readable, gettext(language, "Your data as a page to read (HTML)")),
        (data, gettext(language, "Your data in a format for computers (JSON)")),
    ]
    accepted = ngettext(
        language,
        "Your code is accepted. These links work for the next %(count)s minute; "
        "save the files somewhere safe.",
        "Your code is accepted. These links work for the next %(count)s minutes; "
        "save the files somewhere safe.",
        seconds // 60,
    )
    return _page(
        "download_links.html",
        language,
        gettext(language, "Your personal data"),
        accepted=accepted,
        links=[(safe_href(url), text) for url, text in links if url],
    )


def download_expired_page(form_url: str, mailbox: str, *, language: str = ENGLISH) -> str:
    """Past the download window: the link has expired, and how to ask again."""
    new_request = page_templates.trusted(
        f'<a href="{escaped(safe_href(form_url))}">{escaped(gettext(language, "make a new request"))}</a>'
    )
    write_to = page_templates.trusted(f'<a href="mailto:{escaped(mailbox)}">{escaped(mailbox)}</a>')
    return _page(
        "download_expired.html",
        language,
        gettext(language, "This download link has expired"),
        new_request=new_request,
        mailbox=write_to,
    )
