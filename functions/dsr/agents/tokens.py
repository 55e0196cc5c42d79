"""Pairwise tokens (DRP 1.0, 2.05): made from libsodium's CSPRNG, given to the agent once, and
kept only as a keyed hash (HMAC in KMS, as the desk keeps emails), one agent per token."""

import base64
import re
from typing import Final

from dsr.agents.directory import AgentStatus, agent_store, known_agent
from dsr.wiring.desk import Desk

TOKEN_BYTES: Final = 32
_TOKEN_SPELLING: Final = re.compile(r"[A-Za-z0-9_-]{43}")
"""32 bytes in URL-safe base64 without padding: anything else is refused before KMS is asked."""


def _token_hash(desk: Desk, token: str) -> str:
    return desk.hasher.digest(f"drp-token:{token}")


def issue_token(desk: Desk, agent_id: str) -> str | None:
    """A new token for the agent, replacing its last; None when the agent is unknown or suspended."""
    import nacl.utils  # noqa: PLC0415 - only a key set-up makes a token

    token = base64.urlsafe_b64encode(nacl.utils.random(TOKEN_BYTES)).decode().rstrip("=")
    if not agent_store(desk).issue_token(agent_id, _token_hash(desk, token), desk.now()):
        return None
    return token


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if it is spelled as the desk's are."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN_SPELLING.fullmatch(token):
        return None
    return token


def agent_of_bearer(desk: Desk, authorization: str | None) -> str | None:
    """The active agent whose current token the header carries; None for any other header."""
    token = bearer_token(authorization)
    if token is None:
        return None
    agent_id = agent_store(desk).agent_of_token(_token_hash(desk, token))
    if agent_id is None:
        return None
    agent = known_agent(desk, agent_id)
    return agent_id if agent is not None and agent.status is AgentStatus.ACTIVE else None
