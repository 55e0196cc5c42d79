"""What a request keeps of the authorized agent that sent it over the Data Rights Protocol.

The agent (Consumer Reports' Permission Slip, say) signed the request with its key from the
service directory; the desk keeps the agent's id and name, the agent's own id for the request,
where to send status updates, and the protocol's words for what was asked, so that every status
the desk answers or sends is in the agent's terms.
"""

from pydantic import Field

from dsr.core.desk_model import DeskModel


class ProtocolAgentLink(DeskModel):
    """The request's link to the agent that sent it (Data Rights Protocol 1.0)."""

    agent_id: str
    """The agent's id in the service directory (``[A-Z_]+``)."""
    agent_name: str | None = None
    """The agent's name as the directory had it when the request came in, for staff."""
    agent_request_id: str | None = None
    """The agent's own id for the request (``agent-request-id``), sent back in every status."""
    status_callback: str | None = None
    """Where status updates are POSTed: https, on a host of the agent's."""
    exercise: str
    """The right as the protocol names it: ``sale:opt-out``, ``deletion``, ``access``..."""
    regime: str | None = None
    """``ccpa``, or None for a request made on a voluntary basis."""
    relationships: list[str] = Field(default_factory=list)
    """The agent's hints at how the person relates to the business, as sent."""
    verified_claims: list[str] = Field(default_factory=list)
    """The identity claims the agent marked verified: ``email``, ``phone_number``, ``address``."""
