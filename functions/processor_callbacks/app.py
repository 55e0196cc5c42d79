"""The public route subprocessors call back on: POST /opendsr/callbacks/{system_id}.

The body is read as the exact bytes received, because the signature covers them; nothing is
parsed before the signature is checked (see dsr.fulfilment.processor_callbacks)."""

from dsr.core.initialising import initialised

import base64
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from dsr.core.handler_stack import desk_handler, logger
from dsr.core.tracing import desk_tracer
from dsr.fulfilment.opendsr import MAX_CALLBACK_BYTES
from dsr.fulfilment.processor_callbacks import receive_callback
from dsr.wiring.desk import desk_from_environment

tracer = desk_tracer()
app = APIGatewayRestResolver()


def _raw_body() -> bytes:
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


@app.post("/opendsr/callbacks/<system_id>")
@tracer.capture_method
def callback(system_id: str) -> Response[Any]:
    raw = _raw_body()
    if len(raw) > MAX_CALLBACK_BYTES:
        return Response(413, content_types.APPLICATION_JSON, {"error": "callback body too large"})
    answer = receive_callback(desk_from_environment(), system_id, raw, dict(app.current_event.headers or {}))
    logger.info(
        "processor callback", system_id=system_id, http_status=answer.http_status, outcome=answer.outcome
    )
    return Response(answer.http_status, content_types.APPLICATION_JSON, {"outcome": answer.outcome})


@desk_handler(environment=desk_from_environment, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)


initialised()
