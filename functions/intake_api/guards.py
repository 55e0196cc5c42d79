"""What is refused before the resolver reads a call: a method the path does not take, a body the
route cannot read, and a post another site's page made a visitor's browser send."""

import json
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import content_types

from dsr.core.catalogs import N_, gettext
from dsr.core.languages import LanguageHints, chosen_language
from dsr.web import pages as web_pages
from dsr.web.http_guards import FORM, JSON, method_not_allowed, origin_of, refusal, sent_from_another_site
from dsr.web.page_markup import RESPONSE_HEADERS
from dsr.wiring.desk import desk_from_environment

logger = Logger(child=True)

BODY_TYPES = {
    "/requests": JSON,
    "/requests/{request_id}/verification": JSON,
    "/requests/{request_id}/verification/account": JSON,
    "/requests/{request_id}/verification/new-code": JSON,
    "/privacy-request": FORM,
    "/status/{request_id}/verification": FORM,
    "/status/{request_id}/new-code": FORM,
    "/status/{request_id}/appeal": FORM,
    "/requests/{request_id}/appeal": JSON,
    "/download/{request_id}": FORM,
    "/download/{request_id}/code": FORM,
    "/signals/gpc": JSON,
}
# The documented paths and their methods; API Gateway sends their other methods (ANY) for a 405.
DOCUMENTED_METHODS = {
    "/requests": ("POST",),
    "/requests/{request_id}": ("GET",),
    "/requests/{request_id}/verification": ("POST",),
    "/requests/{request_id}/verification/account": ("POST",),
    "/requests/{request_id}/verification/new-code": ("POST",),
    "/requests/{request_id}/appeal": ("POST",),
    "/.well-known/gpc.json": ("GET",),
    "/signals/gpc": ("POST", "OPTIONS"),
    "/gpc.js": ("GET",),
}
# Posted by the script on the company's own pages, another origin than the desk's by design: a
# signal opts a person out and tells nothing, so another site's page gains nothing by sending one.
FROM_ANY_SITE = frozenset({"/signals/gpc"})
CROSS_SITE = N_(
    "This form was sent from another website. For your safety we only accept it from our own "
    "pages: open the privacy request page on our site and send it from there."
)


def refused_before_reading(event: dict[str, Any]) -> dict[str, Any] | None:
    """The answer to a call refused unread, or None to go on."""
    return method_not_allowed(event, DOCUMENTED_METHODS) or refusal(event, BODY_TYPES) or _cross_site(event)


def _cross_site(event: dict[str, Any]) -> dict[str, Any] | None:
    """A post a page of another site made a visitor's browser send: refused with 403 before it
    is read (a form there could file or confirm a request in the visitor's name)."""
    if event.get("httpMethod") != "POST" or event.get("resource") in FROM_ANY_SITE:
        return None
    site = origin_of(desk_from_environment().settings.public_base_url)
    if not sent_from_another_site(event, site):
        return None
    logger.warning("cross-site post refused", route=event.get("resource"))
    if BODY_TYPES.get(str(event.get("resource"))) == JSON:
        return {
            "statusCode": 403,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps({"message": CROSS_SITE}),
            "isBase64Encoded": False,
        }
    sent = [
        value for name, value in (event.get("headers") or {}).items() if name.lower() == "accept-language"
    ]
    language = chosen_language(LanguageHints(browser=next(iter(sent), None)))
    title, message = gettext(language, "Sent from another website"), gettext(language, CROSS_SITE)
    return {
        "statusCode": 403,
        "headers": dict(RESPONSE_HEADERS),
        "body": web_pages.message_page(title, message, language=language),
        "isBase64Encoded": False,
    }
