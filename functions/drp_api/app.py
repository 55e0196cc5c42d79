"""The Data Rights Protocol 1.0 routes of the covered business (drp_api.routes, answered by
dsr.agents.protocol): pairwise key set-up and the agent's check of its token, a right exercised,
its status, and its revocation."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from drp_api import routes
from dsr.agents.openapi_paths import DRP_METHODS
from dsr.core.handler_stack import desk_handler
from dsr.web.http_guards import method_not_allowed
from dsr.web.response_headers import with_security_headers
from dsr.wiring.desk import desk_from_environment

app = APIGatewayRestResolver()
app.include_router(routes.router)


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    other_method = method_not_allowed(event, DRP_METHODS)
    return with_security_headers(other_method or app.resolve(event, context))


initialised()
