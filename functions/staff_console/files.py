"""The console's files and the headers they are served with: a strict Content-Security-Policy,
the sign-in settings the page reads (``console/config.json``) and the staff catalog's messages
the script shows its text in (``console/messages.json``).

The console speaks one language, ``STAFF_LANGUAGE`` (dsr.core.staff_catalog): its page is drawn
from the staff catalog of that language, and its script reads the same catalog's messages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import Response

from dsr.core.languages import html_lang
from dsr.core.staff_catalog import STAFF_LANGUAGE, console_messages, staff_translations

if TYPE_CHECKING:
    from jinja2 import Template

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
SIGN_IN_VARIABLES = {
    "authorize_url": "STAFF_SIGN_IN_AUTHORIZE_URL",
    "token_url": "STAFF_SIGN_IN_TOKEN_URL",  # nosec B105 - a variable name, not a secret
    "client_id": "STAFF_SIGN_IN_CLIENT_ID",
    "redirect_uri": "STAFF_SIGN_IN_REDIRECT_URI",
    "logout_url": "STAFF_SIGN_OUT_URL",
}


def sign_in_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Where the console sends staff to sign in, and where it exchanges the code that comes back."""
    settings: dict[str, Any] = {key: environ.get(variable, "") for key, variable in SIGN_IN_VARIABLES.items()}
    settings["scope"] = "openid email"
    settings["local"] = environ.get("STAFF_SIGN_IN") == "local"
    return settings


def security_headers(code_exchange_url: str = "") -> dict[str, str]:
    """Scripts and styles from the console's own origin only; no inline script, no framing; the
    page talks to its own API, and to the sign-in service's token endpoint (https) for the code."""
    connect = "'self'"
    exchange = urlsplit(code_exchange_url)
    if exchange.scheme == "https" and exchange.netloc:
        connect += f" https://{exchange.netloc}"
    policy = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {connect}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-cache",
    }


def _headers() -> dict[str, str]:
    return security_headers(os.environ.get(SIGN_IN_VARIABLES["token_url"], ""))


def _file(name: str, content_type: str) -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_type,
        body=(STATIC / name).read_text(encoding="utf-8"),
        headers=_headers(),
    )


def config_file() -> Response[str]:
    """``console/config.json``: where the page sends staff to sign in."""
    return Response(
        status_code=200,
        content_type="application/json",
        body=json.dumps(sign_in_settings(os.environ)),
        headers=_headers(),
    )


def asset_file(name: str) -> Response[str]:
    """The console's script or style, its sign-in settings or its messages, or a 404 for any other name."""
    if name == "config.json":
        return config_file()
    if name == "messages.json":
        return messages_file()
    if name not in ASSETS:
        return Response(status_code=404, content_type="text/plain", body="no such file", headers=_headers())
    return _file(name, ASSETS[name])


def messages_file(language: str = STAFF_LANGUAGE) -> Response[str]:
    """``console/messages.json``: the console's text in ``language``, from its staff catalog."""
    return Response(
        status_code=200,
        content_type="application/json; charset=utf-8",
        body=json.dumps(console_messages(language), ensure_ascii=False),
        headers=_headers(),
    )


@cache
def _page(language: str) -> Template:
    """The page, its text read from the staff catalog of ``language`` (``t``), compiled once."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined  # noqa: PLC0415 - on the first page

    environment = Environment(
        loader=FileSystemLoader(STATIC),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
        keep_trailing_newline=True,
    )
    environment.globals["t"] = staff_translations(language).gettext
    return environment.get_template("index.html")


def page_file(language: str = STAFF_LANGUAGE) -> Response[str]:
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=_page(language).render(lang=html_lang(language)),
        headers=_headers(),
    )
