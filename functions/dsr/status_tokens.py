"""The subject's key to their request's status page."""

from __future__ import annotations

import base64
import binascii

from dsr.desk import Desk


def status_token(desk: Desk, request_id: str) -> str:
    """The subject's key to the status page: a keyed hash of the id, so it can be re-derived
    for any later email and nothing secret is stored beside the request."""
    digest = desk.hasher.digest(f"status:{request_id}")
    return base64.urlsafe_b64encode(base64.b64decode(digest)).decode().rstrip("=")


def status_token_matches(desk: Desk, request_id: str, token: str) -> bool:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return False
    return desk.hasher.matches(f"status:{request_id}", base64.b64encode(raw).decode())
