"""Staff sign-in for the local cloud: tokens with Cognito's claim shape, for demonstration users.

In AWS the API Gateway Cognito authorizer checks the token and hands its claims to the staff
API; here the local API does the same check with this issuer's key.
"""

from __future__ import annotations

import secrets
import time
import uuid
from typing import Any

import jwt

ISSUER = "local-cloud"
DEMO_STAFF = {
    "analyst@desk.example": ["privacy-analyst"],
    "approver@desk.example": ["privacy-approver"],
    "admin@desk.example": ["privacy-admin"],
}


class InvalidTokenError(Exception):
    """The token is missing, forged or expired."""


class LocalTokenIssuer:
    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def issue(self, username: str, lifetime_seconds: int = 3600) -> str:
        if username not in DEMO_STAFF:
            raise KeyError(f"no demonstration staff member {username!r}")
        now = int(time.time())
        claims = {
            "sub": str(uuid.uuid5(uuid.NAMESPACE_URL, username)),
            "email": username,
            "cognito:username": username,
            "cognito:groups": DEMO_STAFF[username],
            # The claim Cognito's ID tokens carry, not a secret.
            "token_use": "id",  # nosec B105
            "iss": ISSUER,
            "iat": now,
            "exp": now + lifetime_seconds,
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def claims(self, authorization: str | None) -> dict[str, Any]:
        if not authorization:
            raise InvalidTokenError("no token")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(token, self._key, algorithms=["HS256"], issuer=ISSUER)
        except jwt.PyJWTError as error:
            raise InvalidTokenError(str(error)) from error
        return authorizer_claims(claims)


def authorizer_claims(token_claims: dict[str, Any]) -> dict[str, str]:
    """The claims as API Gateway's Cognito authorizer gives them to a REST API's function in
    ``requestContext.authorizer.claims``: every value a string, a list (``cognito:groups``)
    joined by commas."""
    return {
        name: ",".join(map(str, value)) if isinstance(value, list) else str(value)
        for name, value in token_claims.items()
    }
