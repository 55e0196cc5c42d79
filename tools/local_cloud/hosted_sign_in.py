"""The user pool's hosted sign-in, played locally: the authorization code flow with PKCE.

In AWS the console sends staff to Cognito's ``/oauth2/authorize``; the member signs in there and
comes back to the console with a one-time code, which the console exchanges at ``/oauth2/token``,
with the verifier only it holds, for the ID token. Here the same two endpoints run on the local
cloud, and "signing in" is choosing one of the demonstration staff. The checks are the ones the
flow depends on (RFC 7636, and OAuth 2.0's for the code): the challenge is S256, the code is for
this client and this redirect, is used once, expires after five minutes, and is given up only for
the verifier whose SHA-256 is the challenge.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CLIENT_ID = "local-console"
AUTHORIZE_PATH = "/_local/oauth2/authorize"
TOKEN_PATH = "/_local/oauth2/token"  # noqa: S105  # nosec B105 - an address, not a secret
LOGOUT_PATH = "/_local/logout"
CODE_LIFETIME_SECONDS = 300  # Cognito's authorization codes last five minutes
ALLOWED_SCOPES = frozenset({"openid", "email"})  # the user pool client's AllowedOAuthScopes
# RFC 7636 4.1 and 4.2: 43 to 128 characters of the unreserved set; an S256 challenge is 43.
_VERIFIER = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-_]{43}$")
_STATE = re.compile(r"^[\x21-\x7e]{8,512}$")


class SignInError(ValueError):
    """An OAuth error: ``error`` is the code the client reads, the message says what was wrong."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error


@dataclass(frozen=True)
class AuthorizationRequest:
    """What the console asked for on its way to the sign-in page."""

    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    scope: str


@dataclass(frozen=True)
class _Grant:
    username: str
    request: AuthorizationRequest
    expires_at: float


def s256(verifier: str) -> str:
    """The S256 challenge for a verifier: unpadded base64url of its SHA-256."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class HostedSignIn:
    """The authorize and token endpoints' state: codes waiting to be exchanged, each once."""

    def __init__(
        self,
        redirect_uri: str,
        issue_token: Callable[[str], str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redirect_uri = redirect_uri
        self._issue_token = issue_token
        self._clock = clock
        self._grants: dict[str, _Grant] = {}
        self._lock = threading.Lock()

    def authorization_request(self, query: Mapping[str, str]) -> AuthorizationRequest:
        """The console's request to sign in, checked before the page is shown."""
        if query.get("response_type") != "code":
            raise SignInError("unsupported_response_type", "response_type must be code")
        if query.get("client_id") != CLIENT_ID:
            raise SignInError("unauthorized_client", "client_id is not the console's")
        if query.get("redirect_uri") != self.redirect_uri:
            raise SignInError("invalid_request", "redirect_uri is not the console's sign-in address")
        if query.get("code_challenge_method") != "S256":
            raise SignInError("invalid_request", "code_challenge_method must be S256")
        if not _CHALLENGE.fullmatch(query.get("code_challenge", "")):
            raise SignInError("invalid_request", "code_challenge must be an S256 challenge (43 characters)")
        if not _STATE.fullmatch(query.get("state", "")):
            raise SignInError("invalid_request", "state is missing or not 8 to 512 printable characters")
        scopes = set(query.get("scope", "").split())
        if "openid" not in scopes or not scopes <= ALLOWED_SCOPES:
            raise SignInError("invalid_scope", "scope must be openid, with email if wanted")
        return AuthorizationRequest(
            client_id=query["client_id"],
            redirect_uri=query["redirect_uri"],
            state=query["state"],
            code_challenge=query["code_challenge"],
            scope=" ".join(sorted(scopes)),
        )

    def signed_out_to(self, query: Mapping[str, str]) -> str:
        """The logout endpoint: where to send the browser back once the session here is over (the
        stand-in keeps no session: each sign-in asks whom to sign in as)."""
        if query.get("client_id") != CLIENT_ID:
            raise SignInError("unauthorized_client", "client_id is not the console's")
        if query.get("logout_uri") != self.redirect_uri:
            raise SignInError("invalid_request", "logout_uri is not the console's address")
        return self.redirect_uri

    def grant(self, username: str, request: AuthorizationRequest) -> str:
        """The member signed in: a one-time code for the console to exchange."""
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._forget_expired()
            self._grants[code] = _Grant(username, request, self._clock() + CODE_LIFETIME_SECONDS)
        return code

    def exchange(self, form: Mapping[str, str]) -> dict[str, str | int]:
        """The token endpoint: the ID token for a code, given the verifier behind its challenge."""
        if form.get("grant_type") != "authorization_code":
            raise SignInError("unsupported_grant_type", "grant_type must be authorization_code")
        verifier = form.get("code_verifier", "")
        if not _VERIFIER.fullmatch(verifier):
            raise SignInError("invalid_request", "code_verifier must be 43 to 128 unreserved characters")
        with self._lock:
            # Taken whatever follows: a code is good for one try.
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires_at <= self._clock():
            raise SignInError("invalid_grant", "the code is unknown, used or expired")
        if form.get("client_id") != grant.request.client_id:
            raise SignInError("invalid_client", "the code was issued to another client")
        if form.get("redirect_uri") != grant.request.redirect_uri:
            raise SignInError("invalid_grant", "redirect_uri is not the one the code was issued for")
        if not hmac.compare_digest(s256(verifier), grant.request.code_challenge):
            raise SignInError("invalid_grant", "the code_verifier does not match the code_challenge")
        token = self._issue_token(grant.username)
        # "Bearer" is OAuth's token type, not a secret.
        return {"id_token": token, "token_type": "Bearer", "expires_in": 3600}  # nosec B105

    def _forget_expired(self) -> None:
        now = self._clock()
        for code in [code for code, grant in self._grants.items() if grant.expires_at <= now]:
            del self._grants[code]
