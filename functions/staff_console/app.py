"""The staff console's files: one page and its script and style, served with a strict
Content-Security-Policy, the sign-in settings the page reads (``console/config.json``) and the
messages its script shows (``console/messages.json``, from the staff catalog).

The console itself is a page of the staff API: it keeps no session on a server, and sends the
staff member's token in the Authorization header. Staff sign in with the authorization code flow
and PKCE: on the Cognito user pool's hosted page in AWS, on the local cloud's stand-in for it
(its demonstration staff) locally.
"""

from dsr.core.initialising import initialised

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParameter
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.web.response_headers import with_security_headers
from dsr.wiring.snapshot import prepare_snapshot
from staff_console.files import asset_file, messages_file, page_file, security_headers, sign_in_settings

app = APIGatewayRestResolver(enable_validation=True)
__all__ = ["lambda_handler", "security_headers", "sign_in_settings"]


@app.get("/console", include_in_schema=False)
def console_page() -> Response[str]:
    return page_file()


@app.get("/console/<asset>", include_in_schema=False)
def console_asset(asset: Annotated[str, PathParameter(pattern=r"^[a-z.]{1,40}$")]) -> Response[str]:
    return asset_file(asset)


# No desk settings to check (its sign-in settings are read for each config.json), and no AWS call
# to trace.
@desk_handler(environment=None, correlation_id_path=correlation_paths.API_GATEWAY_REST, traced=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return with_security_headers(app.resolve(event, context))


# SnapStart (template.yaml): the page and the messages are drawn from the staff catalog before
# the snapshot, so the first event imports nothing; the restore hook still gives each
# environment its own randomness (dsr.wiring.snapshot).
prepare_snapshot((), page_file, messages_file)

initialised()
