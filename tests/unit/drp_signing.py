"""Signing Data Rights Protocol messages as an agent does (libsodium combined mode, base64)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from nacl.signing import SigningKey

BUSINESS_ID = "PRIVACY_DESK_DEMO"
AGENT_ID = "TEST_AGENT"


def agent_key(seed: int = 1) -> SigningKey:
    return SigningKey(bytes([seed]) * 32)


def verify_key_of(key: SigningKey) -> str:
    return base64.b64encode(bytes(key.verify_key)).decode()


def envelope(now: datetime, **claims: Any) -> dict[str, Any]:
    return {
        "agent-id": AGENT_ID,
        "business-id": BUSINESS_ID,
        "issued-at": now.isoformat(),
        "expires-at": (now + timedelta(minutes=5)).isoformat(),
        "drp.version": "1.0",
        **claims,
    }


def signed(key: SigningKey, claims: Any) -> str:
    return base64.b64encode(key.sign(json.dumps(claims).encode()).__bytes__()).decode()
