"""The staff API behind the console: one Router per area (functions/staff_api/routes), each
refusal answered once (dsr.web.http_errors), each caller authorized once, before the route
(routes/access)."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.core.staff_catalog import staff_translations
from dsr.policies.deadlines import load_calendars
from dsr.policies.verification import load_policy
from dsr.web.http_errors import answer_refusals
from dsr.web.response_headers import with_security_headers
from dsr.wiring.desk import desk_from_environment
from dsr.wiring.snapshot import prepare_snapshot
from staff_api.routes import AREAS, LOADED_BY_ONE_ROUTE, access, answers, documentation

app = APIGatewayRestResolver(enable_validation=True)
answer_refusals(app)
for area in AREAS:
    app.include_router(area.router)


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    caller = access.authorized(event)  # who may call first; then whether the body can be read
    if isinstance(caller, dict):
        return with_security_headers(caller)
    app.append_context(**{answers.STAFF_MEMBER: caller})  # type: ignore[no-untyped-call]
    return with_security_headers(app.resolve(event, context))


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot).
prepare_snapshot(
    (*LOADED_BY_ONE_ROUTE, "email_validator"),  # pydantic imports it on the first email it checks
    lambda: desk_from_environment().preload("store", "hasher", "mailer", "workflow", "packages", "registry"),
    load_calendars,
    load_policy,
    staff_translations,  # the staff catalog: the queue's labels, the refusals
    documentation.openapi_document_text,
)

initialised()
