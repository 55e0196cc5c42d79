"""A demonstration page of the company's own site, for the local cloud only: it embeds the desk's
Global Privacy Control script (``/gpc.js``) as a company would, with a signed-in demonstration
account holder whose statement the product (``product_login``) signs for the page.

``/_local/company`` shows Grace Hopper signed in (California); ``?account=acct-1001`` Ada
Lovelace (UK); ``?account=`` a visitor nobody knows, with a newsletter form whose email the page
passes to ``PrivacyDesk.gpc.identify``.
"""

from __future__ import annotations

import html
from datetime import datetime

from local_cloud.demo_data import ACCOUNT_HOLDERS
from local_cloud.product_login import DemoProductLogin

COMPANY_PAGE_PATH = "/_local/company"
DEFAULT_ACCOUNT = "acct-1002"
WHERE_THEY_LIVE = {"acct-1001": ("GB", None), "acct-1002": ("US", "CA")}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
    "header{display:flex;justify-content:space-between;flex-wrap:wrap;gap:1rem;"
    "border-bottom:1px solid #ddd;padding-bottom:1rem}"
    "#gpc-honored{display:inline-block;background:#e8f5e9;color:#1b5e20;border:1px solid #1b5e20;"
    "border-radius:1rem;padding:.25rem .75rem;font-size:.9rem}"
    "#gpc-honored[hidden]{display:none}"
)
_IDENTIFY = (
    "document.getElementById('newsletter').addEventListener('submit',function(e){e.preventDefault();"
    "var email=document.getElementById('email').value;"
    "window.PrivacyDesk.gpc.identify(email).then(function(){"
    "document.getElementById('thanks').hidden=false;});});"
)


def company_page(query_account: str | None, login: DemoProductLogin, now: datetime) -> str:
    """The page; ``query_account`` is the demonstration account signed in (None: the default,
    empty: nobody)."""
    account = DEFAULT_ACCOUNT if query_account is None else query_account
    email = ACCOUNT_HOLDERS.get(account)
    country, region = WHERE_THEY_LIVE.get(account, (None, None))
    head = ""
    who = "<p>Not signed in.</p>"
    if email is not None:
        statement = login.signal_assertion_for(account, email, now, country=country, region=region)
        head = f'<meta name="privacy-desk-account-assertion" content="{html.escape(statement, quote=True)}">'
        who = f"<p>Signed in as <strong>{html.escape(email)}</strong> ({html.escape(account)})</p>"
    where = "".join(
        f' data-{name}="{html.escape(value, quote=True)}"'
        for name, value in (("country", country), ("region", region))
        if value
    )
    newsletter = (
        ""
        if email is not None
        else "<form id=newsletter><p><label for=email>Email for our newsletter</label> "
        "<input id=email name=email type=email required> <button type=submit>Sign up</button></p>"
        "<p id=thanks hidden>Thank you.</p></form>"
        f"<script>{_IDENTIFY}</script>"
    )
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>Example CRM (demonstration company page)</title>{head}<style>{_STYLE}</style>"
        f'<script src="/gpc.js" defer{where}></script>'
        f"<header><strong>Example CRM</strong>{who}</header>"
        "<h1>Your CRM, your customers</h1>"
        "<p>The local cloud's stand-in for a page of the company's own site. It embeds the desk's "
        "Global Privacy Control script; a browser that sends the signal is opted out of the sale "
        "and sharing of its person's data.</p>"
        f"{newsletter}"
        '<footer><p id="gpc-honored" hidden></p></footer></html>'
    )
