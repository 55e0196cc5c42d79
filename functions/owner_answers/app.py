"""The page a vendor or a customer's administrator answers a handed-off task on (``routes``).

No staff sign-in: the link is the key (dsr.fulfilment.owner_links). Its own function and role,
so that the public intake function has no right on the access packages' parts."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.web import owner_pages
from dsr.web.http_guards import origin_of, sent_from_another_site
from dsr.web.page_markup import RESPONSE_HEADERS
from dsr.web.response_headers import with_security_headers
from dsr.wiring.desk import desk_from_environment
from owner_answers import routes

app = APIGatewayRestResolver()
app.include_router(routes.router)


def _cross_site(event: dict[str, Any]) -> bool:
    if event.get("httpMethod") != "POST":
        return False
    return sent_from_another_site(event, origin_of(desk_from_environment().settings.public_base_url))


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if _cross_site(event):
        refused = owner_pages.cross_site_page()
        return with_security_headers(
            {"statusCode": 403, "headers": RESPONSE_HEADERS, "body": refused, "isBase64Encoded": False}
        )
    return with_security_headers(app.resolve(event, context))


initialised()
