"""A demonstration authorized agent of the Data Rights Protocol 1.0, for the local cloud only.

It plays an agent (an app that sends privacy requests on people's behalf) against the desk's
DRP routes: its Ed25519 key is generated at start, lives only in memory and is never written
anywhere; its service-directory entry (3.05.1) is registered with the desk when the local cloud
starts; it pairs (``POST /v1/agent/{id}``) the first time it signs for a request and keeps the
token. Messages are signed as the protocol says (3.07.1): libsodium's combined form (the
signature, then the JSON), base64, sent as ``text/plain``.

Its status-callback endpoint is a route of the local cloud (``POST /_local/drp-agent/callbacks``):
every status the desk sends is kept (bounded) and listed at ``GET /_local/drp-agent/callbacks``.
``fail_next_callbacks(n)`` makes the next n callbacks answer 500, to show the desk's retries.

The command line (``dsr local drp-agent``) asks the local cloud to sign (``/_local/drp-agent/sign``)
and sends the signed body to the desk itself, so the private key never leaves this process. For
demonstrations and tests it can also sign what the desk must refuse: a tampered signature, a
body expired before it is sent.
"""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from nacl.encoding import Base64Encoder
from nacl.signing import SigningKey

from local_cloud.clock import local_clock

AGENT_ID = "DEMO_PRIVACY_AGENT"
AGENT_NAME = "Demonstration privacy agent"
CALLBACKS_PATH = "/_local/drp-agent/callbacks"
MESSAGE_LIFETIME = timedelta(minutes=5)
EXPIRED_BY = timedelta(minutes=10)  # an --expired body: issued 15 minutes ago, expired 10 ago
MAX_CALLBACKS_KEPT = 1000
MAX_CALLBACK_BYTES = 64 * 1024
PAIRING_TIMEOUT_SECONDS = 10.0
DRP_VERSION = "1.0"


class PairingError(RuntimeError):
    """The desk refused the agent's key set-up (it answers 403 with no body, as the spec says)."""


class DemoDrpAgent:
    def __init__(self, base_url: str, business_id: str) -> None:
        self.base_url = base_url
        self.business_id = business_id
        self._signing_key = SigningKey.generate()
        self.token: str | None = None
        self._callbacks: deque[dict[str, Any]] = deque(maxlen=MAX_CALLBACKS_KEPT)
        self._failures_to_give = 0
        self._lock = threading.Lock()

    # --- who it is ----------------------------------------------------------------------------

    @property
    def verify_key_b64(self) -> str:
        return bytes(self._signing_key.verify_key.encode(encoder=Base64Encoder)).decode("ascii")

    @property
    def callback_url(self) -> str:
        return f"{self.base_url}{CALLBACKS_PATH}"

    def directory_entry(self) -> dict[str, Any]:
        """The agent's entry as the service directory lists it (3.05.1), with the host its
        callbacks go to (the local cloud's loopback address)."""
        return {
            "id": AGENT_ID,
            "name": AGENT_NAME,
            "verify_key": self.verify_key_b64,
            "web_url": "https://agent.example",
            "identity_assurance_url": "https://agent.example/identity-assurance",
            "technical_contact": "tech@agent.example",
            "business_contact": "privacy@agent.example",
            "callback_hosts": ["127.0.0.1"],
        }

    # --- signing ------------------------------------------------------------------------------

    def sign(self, message: dict[str, Any], *, tamper: bool = False) -> str:
        """base64(signature ‖ JSON): libsodium's combined form. ``tamper`` flips a bit of the
        signature, as a body altered on the way would fail to verify."""
        signed = bytearray(bytes(self._signing_key.sign(json.dumps(message).encode())))
        if tamper:
            signed[0] ^= 0x01
        return base64.b64encode(bytes(signed)).decode("ascii")

    def envelope(self, *, expired: bool = False) -> dict[str, Any]:
        """The claims every signed message carries (2.01, 2.05), on the desk's clock."""
        now = local_clock.now()
        issued = now - EXPIRED_BY - MESSAGE_LIFETIME if expired else now
        return {
            "agent-id": AGENT_ID,
            "business-id": self.business_id,
            "issued-at": _iso(issued),
            "expires-at": _iso(issued + MESSAGE_LIFETIME),
            "drp.version": DRP_VERSION,
        }

    def exercise_message(self, fields: dict[str, Any]) -> dict[str, Any]:
        """An exercise body (2.01): the envelope, the right, the callback and the identity claims."""
        message = self.envelope(expired=bool(fields.get("expired")))
        message["exercise"] = str(fields["exercise"])
        if fields.get("agent_request_id"):
            message["agent-request-id"] = str(fields["agent_request_id"])
        if fields.get("regime"):
            message["regime"] = str(fields["regime"])
        message["relationships"] = list(fields.get("relationships") or [])
        message["status_callback"] = self.callback_url
        message["name"] = str(fields["name"])
        message["email"] = str(fields["email"])
        message["email_verified"] = bool(fields.get("email_verified"))
        if fields.get("phone_number"):  # E.164
            message["phone_number"] = str(fields["phone_number"])
            message["phone_number_verified"] = bool(fields.get("phone_number_verified"))
        if isinstance(fields.get("address"), dict):  # OpenID Connect's address claim
            message["address"] = {str(k): str(v) for k, v in fields["address"].items()}
        return message

    def revoke_message(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A revoke body (2.04): the reason, with the envelope every signed message carries."""
        return {
            **self.envelope(expired=bool(fields.get("expired"))),
            "reason": str(fields.get("reason") or ""),
        }

    def signed(self, kind: str, fields: dict[str, Any]) -> dict[str, Any]:
        """What the command line sends: the body, the agent's token (paired first if need be)."""
        messages = {"exercise": self.exercise_message, "revoke": self.revoke_message}
        if kind not in messages:
            raise ValueError(f"the agent signs exercise or revoke, not {kind}")
        message = messages[kind](fields)
        return {
            "agent_id": AGENT_ID,
            "token": self.paired(),
            "body": self.sign(message, tamper=bool(fields.get("tamper"))),
        }

    # --- pairing ------------------------------------------------------------------------------

    def paired(self) -> str:
        """The agent's bearer token, pairing with the desk the first time (2.05)."""
        with self._lock:
            if self.token is None:
                self.token = self._pair()
            return self.token

    def _pair(self) -> str:
        request = urllib.request.Request(  # noqa: S310 - the local cloud's own address
            f"{self.base_url}/v1/agent/{AGENT_ID}",
            data=self.sign(self.envelope()).encode(),
            headers={"Content-Type": "text/plain"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=PAIRING_TIMEOUT_SECONDS) as answer:  # noqa: S310  # nosec B310
                token = json.loads(answer.read())["token"]
        except urllib.error.HTTPError as error:
            error.close()
            raise PairingError(f"the desk refused the agent's key set-up (HTTP {error.code})") from None
        return str(token)

    # --- the status callbacks it receives -----------------------------------------------------

    def fail_next_callbacks(self, count: int) -> None:
        with self._lock:
            self._failures_to_give = max(0, count)

    def receive_callback(self, body: bytes) -> int:
        """A status the desk sent: kept, and answered 200 (or 500 while failures are switched on)."""
        with self._lock:
            failing = self._failures_to_give > 0
            if failing:
                self._failures_to_give -= 1
        try:
            status = json.loads(body[:MAX_CALLBACK_BYTES]) if len(body) <= MAX_CALLBACK_BYTES else None
        except ValueError:
            status = None
        self._callbacks.append(
            {
                "received_at": _iso(local_clock.now()),
                "answered": 500 if failing else 200,
                "request_id": status.get("request_id") if isinstance(status, dict) else None,
                "status": status,
            }
        )
        return 500 if failing else 200

    def callbacks(self, request_id: str | None = None) -> list[dict[str, Any]]:
        """Every callback received (oldest first), or those of one request."""
        return [c for c in list(self._callbacks) if request_id is None or c["request_id"] == request_id]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
