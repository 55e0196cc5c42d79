"""Global Privacy Control: the site's statement that it honours the signal (``gpc.json``)."""

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field

from dsr.core.desk_model import DeskModel
from dsr.policies.opt_out_signals import signal_table
from dsr.web.http_errors import documented_answer
from intake_api.answers import json_answer

router = Router()  # type: ignore[no-untyped-call]


class GpcSupport(DeskModel):
    """The GPC specification's well-known resource (section 3.4)."""

    gpc: bool = Field(description="true: the site honours Global Privacy Control signals")
    lastUpdate: str = Field(description="the day what the site does with the signal last changed")  # noqa: N815


@router.get(
    "/.well-known/gpc.json",
    responses={200: documented_answer("the site honours the signal, since lastUpdate", GpcSupport)},
)
def gpc_support() -> Response[GpcSupport]:
    support = GpcSupport(gpc=True, lastUpdate=signal_table().last_update.isoformat())
    return json_answer(200, support.model_dump(), headers={"Cache-Control": "max-age=86400"})
