"""The public API: submit a request, follow its status, show it is the subject's, appeal, and
download the access package; as JSON and as web pages. The routes are in ``routes``, one Router
per area; the desk's errors are answered once: by kind (``dsr.web.http_errors``), and where a page
answers rather than JSON, in ``refusals``."""

from dsr.core.initialising import initialised

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler
from dsr.policies.deadlines import load_calendars
from dsr.policies.verification import load_policy
from dsr.web import page_templates
from dsr.web.http_errors import answer_refusals
from dsr.web.response_headers import with_security_headers
from dsr.wiring.desk import desk_from_environment
from dsr.wiring.snapshot import check_a_sample_submission, prepare_snapshot
from intake_api import guards, refusals, submissions
from intake_api.routes import api, documentation, downloads, pages, signals

app = APIGatewayRestResolver(enable_validation=True)
answer_refusals(app)
for area in (refusals, api, pages, downloads, signals, documentation):
    app.include_router(area.router)


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    refused = guards.refused_before_reading(event)
    if refused is not None:
        return with_security_headers(refused)
    submissions.IDEMPOTENCY.register_lambda_context(context)
    return with_security_headers(app.resolve(event, context))


# SnapStart (template.yaml): what a first event loads, loaded before the snapshot (dsr.wiring.snapshot):
# the verification levels' lazily imported checks, Swagger's page, the subject pages' templates.
prepare_snapshot(
    (
        *("dsr.verification.account_assertion", "dsr.verification.data_points", "dsr.connectors.selection"),
        *(f"dsr.connectors.{kind}" for kind in ("dynamodb", "s3_csv", "s3_jsonl", "s3_objects")),
        "nacl.signing",
        "aws_lambda_powertools.event_handler.openapi.swagger_ui",
    ),
    check_a_sample_submission,
    lambda: desk_from_environment().preload(
        "store", "limiter", "hasher", "mailer", "workflow", "packages", "registry"
    ),
    load_calendars,
    load_policy,
    submissions.submit_once,
    documentation.openapi_document,
    page_templates.load_every_template,
)

initialised()
