"""The staff console's files: one page and its script and style, served with a strict
Content-Security-Policy, and the sign-in settings the page reads (``console/config.json``).

The console itself is a page of the staff API: it keeps no session on a server, and sends the
staff member's token in the Authorization header. In AWS staff sign in through the Cognito
user pool's hosted page; the local cloud signs tokens for its demonstration staff instead.
"""

import json
import os
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParameter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
app = APIGatewayRestResolver(enable_validation=True)

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
# Scripts and styles from the console's own origin only; no inline script, no framing; the
# page talks to its own API and nowhere else.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}


def _file(name: str, content_type: str) -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_type,
        body=(STATIC / name).read_text(encoding="utf-8"),
        headers=SECURITY_HEADERS,
    )


def sign_in_settings(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """How staff sign in: the local cloud's demonstration staff, or the user pool's hosted page."""
    if environ.get("STAFF_SIGN_IN") == "local":
        return {
            "sign_in": "local",
            "token_url": "/_local/staff-token",  # nosec B105
            "demo_users": json.loads(environ.get("STAFF_DEMO_USERS", "[]")),
        }
    return {"sign_in": "cognito", "sign_in_url": environ.get("STAFF_SIGN_IN_URL", "")}


@app.get("/console", include_in_schema=False)
def console_page() -> Response[str]:
    return _file("index.html", "text/html; charset=utf-8")


@app.get("/console/<asset>", include_in_schema=False)
def console_asset(asset: Annotated[str, PathParameter(pattern=r"^[a-z.]{1,40}$")]) -> Response[str]:
    if asset == "config.json":
        return Response(
            status_code=200,
            content_type="application/json",
            body=json.dumps(sign_in_settings(os.environ)),
            headers=SECURITY_HEADERS,
        )
    if asset not in ASSETS:
        return Response(
            status_code=404, content_type="text/plain", body="no such file", headers=SECURITY_HEADERS
        )
    return _file(asset, ASSETS[asset])


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
