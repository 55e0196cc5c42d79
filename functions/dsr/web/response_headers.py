"""The security headers every answer of the public API, the staff API and the console carries,
set in one place: each function's handler passes its answer through :func:`with_security_headers`.

A route that sets a header of its own (a page's Content-Security-Policy, its Cache-Control) keeps
it; every other answer gets the strict defaults below.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any, Final

# Browsers that once reached the desk over HTTPS never try plain HTTP again, for two years.
STRICT_TRANSPORT_SECURITY: Final = "max-age=63072000; includeSubDomains"
# An answer with no policy of its own (JSON, plain text) may load nothing and be framed by nobody.
NOTHING_ALLOWED: Final = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

SECURITY_HEADERS: Final[Mapping[str, str]] = {
    "Strict-Transport-Security": STRICT_TRANSPORT_SECURITY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": NOTHING_ALLOWED,
}

# What API Gateway's own answers carry (template.yaml, GatewayResponses; the local cloud's
# stand-in sends the same): a static header value there cannot hold the policy's quoted sources.
GATEWAY_HEADERS: Final[Mapping[str, str]] = {
    name: value for name, value in SECURITY_HEADERS.items() if name != "Content-Security-Policy"
}

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def with_security_headers(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` (an API Gateway proxy result) with every security header it does not set itself."""
    single = dict(answer.get("headers") or {})
    multi = dict(answer.get("multiValueHeaders") or {})
    present = {name.lower() for name in (*single, *multi)}
    for name, value in SECURITY_HEADERS.items():
        if name.lower() in present:
            continue
        if "multiValueHeaders" in answer:
            multi[name] = [value]
        else:
            single[name] = value
    updated = {**answer, "headers": single}
    if "multiValueHeaders" in answer:
        updated["multiValueHeaders"] = multi
    return updated


def _hash_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy_for_inline_page(page: str) -> str:
    """A Content-Security-Policy for a page whose script and style are all inline (the API's
    Swagger UI): exactly those blocks may run, each by its hash; nothing from elsewhere, no
    framing, no forms; the page may call its own API."""
    scripts = [_hash_source(body) for kind, body in _INLINE.findall(page) if kind == "script"]
    styles = [_hash_source(body) for kind, body in _INLINE.findall(page) if kind == "style"]
    script_sources = " ".join(scripts) or "'none'"
    style_sources = " ".join(styles) or "'none'"
    return (
        f"default-src 'none'; script-src {script_sources}; style-src {style_sources}; "
        "img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
