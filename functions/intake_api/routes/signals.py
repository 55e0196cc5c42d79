"""Global Privacy Control: the site's statement that it honours the signal (``gpc.json``), and
the signal itself as the script on the company's pages sends it (``POST /signals/gpc``).

The company's pages are on its own origin, not the desk's: the signal is a cross-origin call, and
its answer may be read by any page (``Access-Control-Allow-Origin: *``, no credentials), as it
says nothing about anyone."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import Field

from dsr.core.desk_model import DeskModel
from dsr.verification.gpc_signals import GpcSignal, SignalAnswer, SignalNotSentError, receive_signal
from dsr.web import subject_actions
from dsr.web.http_errors import BODY_REFUSALS, documented_answer
from dsr.wiring.desk import desk_from_environment
from intake_api.answers import global_privacy_control, json_answer, source_address
from intake_api.schemas import THROTTLED, UNAVAILABLE

router = Router()  # type: ignore[no-untyped-call]

ANY_PAGE = {"Access-Control-Allow-Origin": "*"}
PREFLIGHT = {
    **ANY_PAGE,
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


SNIPPET = Path(__file__).parents[1] / "static" / "gpc.js"
JAVASCRIPT = "text/javascript; charset=utf-8"


@lru_cache(maxsize=1)
def snippet() -> str:
    return SNIPPET.read_text(encoding="utf-8")


class GpcSupport(DeskModel):
    """The GPC specification's well-known resource (section 3.4)."""

    gpc: bool = Field(description="true: the site honours Global Privacy Control signals")
    lastUpdate: str = Field(description="the day what the site does with the signal last changed")  # noqa: N815


@router.get(
    "/.well-known/gpc.json",
    responses={200: documented_answer("the site honours the signal, since lastUpdate", GpcSupport)},
)
def gpc_support() -> Response[GpcSupport]:
    from dsr.policies.opt_out_signals import signal_table  # noqa: PLC0415 - read for this route alone

    support = GpcSupport(gpc=True, lastUpdate=signal_table().last_update.isoformat())
    return json_answer(200, support.model_dump(), headers={"Cache-Control": "max-age=86400"})


@router.post(
    "/signals/gpc",
    responses={
        202: documented_answer(
            "recorded for the browser; for a known person where the signal is an opt-out, their "
            "opt-out of sale and sharing is requested. The same answer whoever the person is",
            SignalAnswer,
        ),
        **BODY_REFUSALS,
        400: documented_answer("the call carries no Sec-GPC: 1 header, or an unreadable body"),
        401: documented_answer("the account_assertion was refused; the message says why"),
        429: THROTTLED,
        503: UNAVAILABLE,
    },
)
def gpc_signal(signal: Annotated[GpcSignal, Body()]) -> Response[SignalAnswer]:
    desk = desk_from_environment()
    event = router.current_event
    caller = subject_actions.caller_key(desk, source_address(event))
    answer = receive_signal(desk, signal, header_sent=global_privacy_control(event), caller=caller)
    return json_answer(202, answer.model_dump(), headers=ANY_PAGE)


class Preflight(DeskModel):
    methods: list[str] = Field(description="what a page of any origin may send here")


@router.route(
    "/signals/gpc",
    method="OPTIONS",
    responses={200: documented_answer("a page of any origin may post a signal (CORS preflight)", Preflight)},
)
def gpc_signal_preflight() -> Response[Preflight]:
    return json_answer(200, Preflight(methods=["POST", "OPTIONS"]).model_dump(), headers=PREFLIGHT)


@router.exception_handler(SignalNotSentError)  # type: ignore[untyped-decorator]
def signal_not_sent(error: SignalNotSentError) -> Response[Any]:
    return json_answer(400, {"message": str(error)}, headers=ANY_PAGE)


@router.get(
    "/gpc.js",
    responses={
        200: {
            "description": "the script the company's pages embed to send the signal",
            "content": {"text/javascript": {"schema": {"type": "string"}}},
        }
    },
)
def gpc_script() -> Response[str]:
    return Response(
        status_code=200,
        content_type=JAVASCRIPT,
        body=snippet(),
        headers={"Cache-Control": "max-age=3600", "Access-Control-Allow-Origin": "*"},
    )
