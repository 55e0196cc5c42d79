"""The authorized agents the desk knows: entries in the service directory's agent format (DRP
1.0, 3.05.1), with their status here (active or suspended) and the hosts their status callbacks
may go to.

The agents the desk ships with are in ``config/drp_agents.json`` (none: the service directory is
semi-private, and a verify key is only ever copied from it, never made up). Staff add agents from
the directory with ``dsr staff agents add FILE``; the local cloud registers its demonstration
agent with :func:`register_agent`.
"""

import base64
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from aws_lambda_powertools import Logger
from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter, field_validator

from dsr.core.desk_model import DeskModel
from dsr.storage.agents import AgentStore
from dsr.wiring.desk import Desk

logger = Logger(child=True)

SHIPPED_AGENTS = Path(__file__).parents[1] / "config" / "drp_agents.json"
AGENT_ID_PATTERN = r"^[A-Z_]+$"
"""The directory's identifiers (3.05): capital letters and underscores."""

AgentId = Annotated[str, StringConstraints(pattern=AGENT_ID_PATTERN, max_length=100)]
HostName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{0,252}$")]
"""A host name in lower case, without scheme, port or path."""
HttpsUrl = Annotated[
    str, StringConstraints(pattern=r"^https://[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]+$", max_length=500)
]


class AgentStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class AgentEntry(DeskModel):
    """One agent of the service directory (3.05.1), and what the desk adds to it."""

    model_config = ConfigDict(extra="ignore")

    id: AgentId
    name: str = Field(min_length=1, max_length=200)
    verify_key: str = Field(
        pattern=r"^[A-Za-z0-9+/]{43}=$", description="the agent's Ed25519 verify key, base64 (32 bytes)"
    )
    web_url: HttpsUrl
    identity_assurance_url: HttpsUrl | None = None
    technical_contact: str | None = Field(default=None, max_length=320)
    business_contact: str | None = Field(default=None, max_length=320)
    callback_hosts: list[HostName] = Field(
        default_factory=list,
        max_length=20,
        description="hosts the agent's status callbacks may go to; empty: web_url's host alone",
    )
    status: AgentStatus = AgentStatus.ACTIVE

    @field_validator("verify_key")
    @classmethod
    def _an_ed25519_key(cls, key: str) -> str:
        try:
            raw = base64.b64decode(key, validate=True)
        except ValueError as problem:
            raise ValueError("verify_key is not base64") from problem
        if len(raw) != 32:  # an Ed25519 public key's length
            raise ValueError("verify_key is not an Ed25519 verify key (32 bytes, base64)")
        return key

    def allowed_callback_hosts(self) -> set[str]:
        return set(self.callback_hosts) or {urlsplit(self.web_url).hostname or ""}


_ENTRIES = TypeAdapter(list[AgentEntry])


def read_entries(text: str) -> list[AgentEntry]:
    """Directory entries from JSON: one agent (an object) or several (a list)."""
    found = json.loads(text)
    return _ENTRIES.validate_python(found if isinstance(found, list) else [found])


def register_agent(desk: Desk, entry: AgentEntry | dict[str, Any]) -> AgentEntry:
    """Add the agent (or replace its entry, keeping its token and status unless the entry says
    otherwise)."""
    agent = entry if isinstance(entry, AgentEntry) else AgentEntry.model_validate(entry)
    stored = agent.model_dump(mode="json", exclude_none=True)
    if isinstance(entry, dict) and "status" not in entry:
        stored.pop("status")
    agent_store(desk).put_agent(stored)
    logger.info("protocol agent registered", agent_id=agent.id)
    return agent


def register_shipped_agents(desk: Desk, path: Path = SHIPPED_AGENTS) -> list[AgentEntry]:
    return [register_agent(desk, entry) for entry in read_entries(path.read_text(encoding="utf-8"))]


def known_agent(desk: Desk, agent_id: str) -> AgentEntry | None:
    item = agent_store(desk).agent(agent_id)
    return AgentEntry.model_validate(item) if item is not None else None


def known_agents(desk: Desk) -> list[AgentEntry]:
    return [AgentEntry.model_validate(item) for item in agent_store(desk).agents()]


def set_status(desk: Desk, agent_id: str, status: AgentStatus) -> bool:
    """Suspend or resume an agent; False when the desk knows no such agent. A suspended agent's
    token and key set-up are refused until it is resumed."""
    changed = agent_store(desk).set_agent_status(agent_id, status.value)
    logger.info("protocol agent status", agent_id=agent_id, status=status.value, changed=changed)
    return changed


def agent_store(desk: Desk) -> AgentStore:
    return AgentStore(desk.table(desk.settings.requests_table))
