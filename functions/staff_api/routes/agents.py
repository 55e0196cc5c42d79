"""The Data Rights Protocol agents the desk knows (privacy-admin): listed, added from the service
directory's entries, suspended and resumed."""

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from pydantic import ConfigDict, Field

from dsr.agents.directory import (
    AgentEntry,
    AgentStatus,
    known_agent,
    known_agents,
    register_agent,
    set_status,
)
from dsr.core.desk_model import DeskModel
from dsr.core.refusals import NoSuchItemError
from dsr.core.staff_catalog import staff_text
from dsr.web.http_errors import documented_answer
from dsr.wiring.desk import desk_from_environment
from staff_api.routes.answers import documented_answers

router = Router()  # type: ignore[no-untyped-call]

AgentId = Annotated[str, Path(pattern=r"^[A-Z_]{1,100}$")]
NO_SUCH_AGENT = documented_answer("the desk knows no agent with this id")


class UnknownAgentError(LookupError, NoSuchItemError):
    """No agent has that id."""


class AgentStatusChange(DeskModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "suspended"] = Field(
        description="suspended: its token and key set-up are refused"
    )


@router.get("/staff/agents", responses=documented_answers())
def list_agents() -> list[AgentEntry]:
    """Every agent the desk knows, with its status."""
    return sorted(known_agents(desk_from_environment()), key=lambda agent: agent.id)


@router.post("/staff/agents", responses=documented_answers(takes_body=True))
def add_agents(entries: Annotated[list[AgentEntry], Body(min_length=1, max_length=100)]) -> list[AgentEntry]:
    """Add agents from the service directory's entries (or replace their entries: their tokens
    and status are kept unless an entry sets its status)."""
    desk = desk_from_environment()
    for entry in entries:
        register_agent(desk, entry.model_dump(mode="json", exclude_defaults=True))
    return [agent for entry in entries if (agent := known_agent(desk, entry.id)) is not None]


@router.post(
    "/staff/agents/<agent_id>/status", responses={**documented_answers(takes_body=True), 404: NO_SUCH_AGENT}
)
def change_agent_status(agent_id: AgentId, change: Annotated[AgentStatusChange, Body()]) -> AgentEntry:
    """Suspend an agent (its token and key set-up are refused at once) or resume it."""
    desk = desk_from_environment()
    if not set_status(desk, agent_id, AgentStatus(change.status)):
        raise UnknownAgentError(staff_text("no agent %(agent)s", agent=agent_id))
    agent = known_agent(desk, agent_id)
    if agent is None:
        raise UnknownAgentError(staff_text("no agent %(agent)s", agent=agent_id))
    return agent
