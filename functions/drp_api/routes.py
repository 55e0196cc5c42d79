"""The five routes of the Data Rights Protocol 1.0 (dsr.agents.protocol answers each): text/plain
bodies in, JSON out, every refusal the spec's error body (3.06), a failed key set-up 403 with no
body (2.05.1)."""

import base64
import binascii
import os
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from dsr.agents import protocol
from dsr.agents.protocol import DrpSettings, ProtocolError
from dsr.core.tracing import desk_tracer
from dsr.wiring.desk import desk_from_environment

router = Router()  # type: ignore[no-untyped-call]
tracer = desk_tracer()
NOT_OFFERED = ProtocolError(404, "this business takes no Data Rights Protocol requests")


@cache
def drp_settings() -> DrpSettings:
    return DrpSettings.model_validate(os.environ)


def _body() -> str:
    event = router.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        try:
            return base64.b64decode(body).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "\x00"  # not text: refused as a body that does not decode
    return body


def _answered(work: Callable[[], dict[str, Any]]) -> Response[Any]:
    if not drp_settings().business_id:
        return Response(404, content_types.APPLICATION_JSON, NOT_OFFERED.answer())
    try:
        return Response(200, content_types.APPLICATION_JSON, work())
    except ProtocolError as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        if refused.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        if not refused.body:
            return Response(refused.status, content_types.TEXT_PLAIN, "", headers)
        return Response(refused.status, content_types.APPLICATION_JSON, refused.answer(), headers)


def _authorization() -> str | None:
    return router.current_event.headers.get("Authorization") or router.current_event.headers.get(
        "authorization"
    )


@router.post("/v1/agent/<agent_id>")
@tracer.capture_method
def set_up_key(agent_id: str) -> Response[Any]:
    desk = desk_from_environment()
    return _answered(lambda: protocol.set_up_key(desk, drp_settings(), agent_id, _body()))


@router.get("/v1/agent/<agent_id>")
@tracer.capture_method
def agent_information(agent_id: str) -> Response[Any]:
    desk = desk_from_environment()
    return _answered(lambda: protocol.agent_information(desk, _authorization(), agent_id))


@router.post("/v1/data-rights-request")
@tracer.capture_method
def exercise() -> Response[Any]:
    desk = desk_from_environment()
    return _answered(lambda: protocol.exercise(desk, drp_settings(), _authorization(), _body()))


@router.get("/v1/data-rights-request/<request_id>")
@tracer.capture_method
def status(request_id: str) -> Response[Any]:
    desk = desk_from_environment()
    return _answered(lambda: protocol.status(desk, _authorization(), request_id))


@router.delete("/v1/data-rights-request/<request_id>")
@tracer.capture_method
def revoke(request_id: str) -> Response[Any]:
    desk = desk_from_environment()
    return _answered(lambda: protocol.revoke(desk, drp_settings(), _authorization(), request_id, _body()))
