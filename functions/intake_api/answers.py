"""What every route reads from the call and how it answers: JSON, or a page."""

from typing import Any, cast
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEvent
from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

from dsr.policies.gpc_header import signal_sent
from dsr.web.page_markup import RESPONSE_HEADERS

PAGE = "text/html; charset=utf-8"


def json_answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def page_answer(status: int, markup: str, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type=PAGE,
        body=markup,
        headers={**RESPONSE_HEADERS, **(headers or {})},
    )


def form_of(event: BaseProxyEvent) -> dict[str, list[str]]:
    return parse_qs(event.decoded_body or "", keep_blank_values=True)


def form_value(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def source_address(event: BaseProxyEvent) -> str:
    """The caller's address, as API Gateway saw it (the rate limits' key, hashed)."""
    return str(cast(APIGatewayProxyEvent, event).request_context.identity.source_ip or "unknown")


def browser_language(event: BaseProxyEvent) -> str | None:
    """What the caller asks for as the page's language, as an ``Accept-Language`` list: the
    language switch's choice (``?lang=``) first, then the browser's header; None when neither was sent."""
    chosen = (event.query_string_parameters or {}).get("lang")
    headers = event.raw_event.get("headers") or {}
    sent = next((value for name, value in headers.items() if name.lower() == "accept-language"), None)
    return ", ".join(part for part in (chosen, sent) if part) or None


def global_privacy_control(event: BaseProxyEvent) -> bool:
    """``Sec-GPC: 1``: the browser's opt-out of sale and sharing, whatever case the header's name
    came in and however many times it was sent (``dsr.policies.opt_out_signals.signal_sent``)."""
    raw = event.raw_event
    values: list[str | None] = [
        value for name, value in (raw.get("headers") or {}).items() if name.lower() == "sec-gpc"
    ]
    for name, sent in (raw.get("multiValueHeaders") or {}).items():
        if name.lower() == "sec-gpc":
            values.extend(sent or [])
    return signal_sent(values)
