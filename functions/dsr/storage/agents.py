"""The Data Rights Protocol agents the desk knows, their pairwise tokens, and what they sent once.

Items in the requests table, like every other store of the desk (one table to back up, one TTL,
one role grant; no table of its own for a few dozen items):

* ``pk = AGENTS, sk = AGENT#<id>``: the agent's directory entry, its status (active, suspended)
  and the keyed hash of its current token (``token_hash``).
* ``pk = DRPTOKEN#<keyed hash of the token>, sk = TOKEN``: the agent the token was issued to.
  The token itself is never stored; a new key set-up replaces the agent's token.
* ``pk = DRPMSG#<sha256 of the signed body>, sk = SEEN``: a signed message already accepted,
  kept (``expires_at``) until it expires, so that it is accepted once.
* ``pk = DRPREQ#<agent>#<sha256 of its request id>, sk = REQUEST``: the request made for an
  agent's ``agent-request-id``, so that the same id twice finds the first request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from dsr.storage.dynamo import Repository, query_all, set_if, write_if
from dsr.storage.keys import (
    AGENTS_PK,
    agent_request_key,
    agent_token_key,
    protocol_agent_key,
    signed_message_key,
)

_AGENT_FIELDS_KEPT = ("pk", "sk", "token_hash", "token_issued_at")


class AgentStore(Repository):
    def put_agent(self, entry: dict[str, Any]) -> None:
        """Add the agent, or replace its directory entry (its token and status are kept unless
        ``entry`` sets the status)."""
        key = protocol_agent_key(str(entry["id"]))
        current = self._table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        kept = {name: current[name] for name in _AGENT_FIELDS_KEPT if name in current}
        status = entry.get("status") or current.get("status") or "active"
        self._table.put_item(Item={**entry, **kept, **key, "status": status})

    def agent(self, agent_id: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key=protocol_agent_key(agent_id), ConsistentRead=True).get("Item")
        return dict(item) if item is not None else None

    def agents(self) -> list[dict[str, Any]]:
        return query_all(
            self._table, {"KeyConditionExpression": Key("pk").eq(AGENTS_PK), "ConsistentRead": True}
        )

    def set_agent_status(self, agent_id: str, status: str) -> bool:
        """False when the desk knows no such agent."""
        return set_if(self._table, protocol_agent_key(agent_id), {"status": status}, "attribute_exists(pk)")

    def issue_token(self, agent_id: str, token_hash: str, at: datetime) -> bool:
        """Make ``token_hash`` the agent's one token; the one before stops working. False when
        the agent is unknown or suspended (checked in the same write)."""
        current = self.agent(agent_id)
        self._table.put_item(Item={**agent_token_key(token_hash), "agent_id": agent_id})
        issued = set_if(
            self._table,
            protocol_agent_key(agent_id),
            {"token_hash": token_hash, "token_issued_at": at.isoformat()},
            "attribute_exists(pk) AND #status = :active",
            values={":active": "active"},
            names={"#status": "status"},
        )
        if not issued:
            self._table.delete_item(Key=agent_token_key(token_hash))
            return False
        previous = (current or {}).get("token_hash")
        if previous and previous != token_hash:
            self._table.delete_item(Key=agent_token_key(str(previous)))
        return True

    def agent_of_token(self, token_hash: str) -> str | None:
        """The agent the token was issued to, if it is still that agent's current token."""
        item = self._table.get_item(Key=agent_token_key(token_hash), ConsistentRead=True).get("Item")
        if item is None:
            return None
        agent = self.agent(str(item["agent_id"]))
        if agent is None or agent.get("token_hash") != token_hash:
            return None
        return str(item["agent_id"])

    def accept_once(self, digest: str, until: datetime) -> bool:
        """Record a signed message as accepted; False when it was accepted before (a replay)."""
        return write_if(
            self._table.put_item,
            Item={**signed_message_key(digest), "expires_at": int(until.timestamp()) + 1},
            ConditionExpression="attribute_not_exists(pk)",
        )

    def claim_agent_request(self, agent_id: str, digest: str, request_id: str) -> str | None:
        """Claim the agent's request id for ``request_id``; the request it was claimed for
        before, if any (then nothing is written)."""
        key = agent_request_key(agent_id, digest)
        if write_if(
            self._table.put_item,
            Item={**key, "request_id": request_id},
            ConditionExpression="attribute_not_exists(pk)",
        ):
            return None
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        return str(item.get("request_id", "")) or None
