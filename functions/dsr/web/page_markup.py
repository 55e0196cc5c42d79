"""What every page of the public web shares: the markup helpers (everything a person typed is
escaped here), the one inline style and the headers that allow it, and the words for request
types, relationships and statuses."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlsplit

from dsr.core.catalogs import N_, day_in_words
from dsr.core.languages import ENGLISH
from dsr.core.models import Relationship, Status
from dsr.policies.proofs import Proof

type Attributes = Mapping[str, str | bool | None]


RELATIONSHIP_LABELS: dict[Relationship, str] = {
    Relationship.ACCOUNT_HOLDER: N_("I have an account with you"),
    Relationship.CUSTOMER_CONTACT: N_("A business that uses your service has my details"),
    Relationship.MARKETING_LEAD: N_("I signed up for marketing or an event"),
    Relationship.JOB_APPLICANT: N_("I applied for a job with you"),
    Relationship.WEBSITE_VISITOR: N_("I visited your website"),
    Relationship.OTHER: N_("Other"),
}

STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: N_("Received"),
    Status.VERIFYING: N_("Waiting for you to confirm your email address"),
    Status.AWAITING_APPROVAL: N_("Being reviewed"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.COMPLETED: N_("Complete"),
    Status.PARTIALLY_COMPLETED: N_("Partly complete"),
    Status.DENIED: N_("Refused"),
    Status.UNVERIFIABLE: N_("Closed: email address not confirmed"),
    Status.FAILED: N_("Held up by a problem on our side"),
    Status.LINKED: N_("Joined to another of your requests"),
    Status.CANCELLED: N_("Closed without action"),
}

WAITING_FOR_PROOF_LABELS: dict[Proof, str] = {
    Proof.CODE: STATUS_LABELS[Status.VERIFYING],
    Proof.CODE_AND_DETAILS: N_("Waiting for you to confirm it is you"),
    Proof.SIGN_IN: N_("Waiting for you to sign in to your account"),
    Proof.POWER_OF_ATTORNEY: N_("Checking your agent's power of attorney"),
    Proof.NONE: N_("Being reviewed"),
}
"""The VERIFYING status as the subject reads it: what it waits for depends on the proof asked."""


def status_label(status: Status, proof: Proof = Proof.CODE) -> str:
    if status is Status.VERIFYING:
        return WAITING_FOR_PROOF_LABELS[proof]
    return STATUS_LABELS.get(status, status.value)


STYLE = (
    "body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;"
    "color:#0b0c0c;background:#fff}"
    "main{max-width:42rem;margin:0 auto;padding:1rem 1.25rem 3rem}"
    "h1{font-size:1.9rem;line-height:1.2}"
    # A word longer than the line (German's compounds at 320 px: "Datenschutzanfrage") breaks
    # rather than widening the page (WCAG 1.4.10); headings are hyphenated where the browser can,
    # and the main heading is smaller on a phone, so that such a word fits whole.
    "body{overflow-wrap:break-word}h1,h2{hyphens:auto}"
    "@media (max-width:25rem){h1{font-size:1.5rem}}"
    ".field,fieldset{margin:0 0 1.5rem}"
    "fieldset{border:0;padding:0}"
    "label,legend{display:block;font-weight:600}"
    "legend{font-size:1.15rem;margin-bottom:.25rem}"
    ".choice{display:flex;gap:.6rem;align-items:flex-start;margin:.4rem 0}"
    ".choice label{font-weight:400}"
    ".choice input{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none}"
    ".hint{color:#505a5f;margin:.2rem 0 .4rem}"
    ".error-message{color:#d4351c;font-weight:600;margin:.2rem 0 .4rem}"
    ".has-error{border-left:5px solid #d4351c;padding-left:.9rem}"
    "input,select,textarea{font:inherit;padding:.4rem;border:2px solid #0b0c0c;border-radius:0;"
    "box-sizing:border-box;max-width:100%}"
    "input[type=text],input[type=email],input[type=tel],select,textarea{width:100%}"
    "input.short{width:6rem}"
    "[aria-invalid=true]{border-color:#d4351c}"
    "button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;color:#fff;"
    "background:#00703c;cursor:pointer}"
    "button.secondary{color:#0b0c0c;background:#f3f2f1;border:2px solid #0b0c0c;font-weight:400}"
    "form.place{margin:0 0 2rem}"
    ".error-summary{border:5px solid #d4351c;padding:1rem 1.25rem;margin:0 0 2rem}"
    ".error-summary h2{margin-top:0}"
    ".error-summary a{color:#d4351c;font-weight:600}"
    ".notice{border-left:5px solid #1d70b8;background:#f3f2f1;padding:.75rem 1rem;margin:0 0 1.5rem}"
    "dt{font-weight:600}dd{margin:0 0 .9rem}"
    ".reference{font-size:1.4rem;font-weight:700;word-break:break-all}"
    ".visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap}"
    # The language switch: a row of links above the page, each a target of at least 24 px.
    "nav.languages{max-width:42rem;margin:0 auto;padding:.5rem 1.25rem 0}"
    "nav.languages ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:0 1.25rem}"
    "nav.languages a{display:inline-block;padding:.25rem 0;color:#1d70b8}"
    "nav.languages a[aria-current]{color:#0b0c0c;font-weight:600;text-decoration:none}"
    # Focus, last so that it wins (the GOV.UK pattern): yellow with black beside it, which shows
    # on the white page and on the yellow alike (WCAG 1.4.11, 3:1). A field's border thickens
    # inwards, clear of its label; a link or a button turns yellow with a black edge below.
    ":focus{outline:3px solid #ffdd00;outline-offset:0;box-shadow:0 0 0 6px #0b0c0c}"
    "input:not([type=checkbox]):focus,select:focus,textarea:focus{box-shadow:inset 0 0 0 2px #0b0c0c}"
    "a:focus,nav.languages a:focus{outline:3px solid transparent;color:#0b0c0c;background:#ffdd00;"
    "box-shadow:0 -2px #ffdd00,0 4px #0b0c0c;text-decoration:none}"
    "button:focus{outline:3px solid transparent;color:#0b0c0c;background:#ffdd00;box-shadow:0 3px 0 #0b0c0c}"
)
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

# Headers for every page here: no script may run, the inline style is allowed by its hash, forms post
# only to this site, and pages that carry status tokens and personal data are neither cached nor
# leaked through the Referer header.
RESPONSE_HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; img-src data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


# --- markup helpers ----------------------------------------------------------------------------


def escaped(text: object) -> str:
    return html.escape(str(text), quote=True)


def attributes_markup(attributes: Attributes) -> str:
    """`` name="value"`` for each attribute; ``True`` is a bare attribute, ``None``/``False`` none."""
    parts = []
    for name, value in attributes.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not None and value is not False:
            parts.append(f' {name}="{escaped(value)}"')
    return "".join(parts)


def safe_href(url: str) -> str:
    """Links go to web addresses only: never ``javascript:`` or ``data:``."""
    return url if urlsplit(url.strip()).scheme.lower() in {"", "http", "https"} else "#"


def readable_date(iso: str, language: str = ENGLISH) -> str:
    """``2026-03-12`` as ``<time datetime="2026-03-12">12 March 2026</time>``, the day written in
    ``language`` (``12 mars 2026``); anything else as given."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return escaped(iso)
    return f'<time datetime="{day.isoformat()}">{escaped(day_in_words(day, language))}</time>'


def hidden_input(name: str, value: str) -> str:
    return f"<input{attributes_markup({'type': 'hidden', 'name': name, 'value': value})}>"
