"""The local stand-in for the user pool's hosted sign-in holds the console to the authorization
code flow with PKCE: a code is worth a token only once, soon, to the client and address it was
issued for, and only with the verifier whose SHA-256 is the challenge the console sent."""

from __future__ import annotations

import pytest

from local_cloud.hosted_sign_in import CLIENT_ID, CODE_LIFETIME_SECONDS, HostedSignIn, SignInError, s256

CONSOLE = "http://127.0.0.1:3000/console"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"  # RFC 7636 appendix B


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sign_in(clock: Clock) -> HostedSignIn:
    return HostedSignIn(CONSOLE, issue_token=lambda username: f"token-for-{username}", clock=clock)


def _asked(**changes: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CONSOLE,
        "state": "a-state-of-sixteen",
        "code_challenge": s256(VERIFIER),
        "code_challenge_method": "S256",
        "scope": "openid email",
        **changes,
    }


def _exchange(code: str, **changes: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "code": code,
        "redirect_uri": CONSOLE,
        "code_verifier": VERIFIER,
        **changes,
    }


def test_the_s256_challenge_is_rfc_7636_s() -> None:
    assert s256(VERIFIER) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_code_gives_the_member_s_token_once(sign_in: HostedSignIn) -> None:
    code = sign_in.grant("approver@desk.example", sign_in.authorization_request(_asked()))

    answer = sign_in.exchange(_exchange(code))

    assert answer == {
        "id_token": "token-for-approver@desk.example",
        "token_type": "Bearer",
        "expires_in": 3600,
    }
    with pytest.raises(SignInError, match="unknown, used or expired") as again:
        sign_in.exchange(_exchange(code))
    assert again.value.error == "invalid_grant"


@pytest.mark.parametrize(
    ("changes", "error", "names"),
    [
        ({"code_verifier": "x" * 43}, "invalid_grant", "code_verifier does not match"),
        ({"code_verifier": "short"}, "invalid_request", "code_verifier must be"),
        ({"redirect_uri": "https://elsewhere.example/console"}, "invalid_grant", "redirect_uri"),
        ({"client_id": "another-client"}, "invalid_client", "another client"),
        ({"grant_type": "password"}, "unsupported_grant_type", "authorization_code"),
    ],
)
def test_a_code_is_refused_without_what_it_was_issued_for_and_is_spent_by_the_try(
    sign_in: HostedSignIn, changes: dict[str, str], error: str, names: str
) -> None:
    code = sign_in.grant("admin@desk.example", sign_in.authorization_request(_asked()))

    with pytest.raises(SignInError, match=names) as refused:
        sign_in.exchange(_exchange(code, **changes))

    assert refused.value.error == error
    if error in {"invalid_request", "unsupported_grant_type"}:
        # Malformed, refused before the code is looked at: the code still works, once.
        assert sign_in.exchange(_exchange(code))["id_token"] == "token-for-admin@desk.example"
    else:
        # A wrong guess spends the code: the right verifier no longer gets a token either.
        with pytest.raises(SignInError, match="unknown, used or expired"):
            sign_in.exchange(_exchange(code))


def test_a_code_expires_after_five_minutes(sign_in: HostedSignIn, clock: Clock) -> None:
    code = sign_in.grant("analyst@desk.example", sign_in.authorization_request(_asked()))
    clock.now += CODE_LIFETIME_SECONDS

    with pytest.raises(SignInError, match="unknown, used or expired"):
        sign_in.exchange(_exchange(code))


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"response_type": "token"}, "response_type must be code"),  # the implicit flow
        ({"code_challenge_method": "plain"}, "must be S256"),
        ({"code_challenge": ""}, "code_challenge"),
        ({"client_id": "another-client"}, "client_id"),
        ({"redirect_uri": "https://attacker.example/console"}, "redirect_uri"),
        ({"state": ""}, "state"),
        ({"scope": "email"}, "scope must be openid"),
        ({"scope": "openid aws.cognito.signin.user.admin"}, "scope must be openid"),
    ],
)
def test_the_page_is_refused_to_a_request_outside_the_flow(
    sign_in: HostedSignIn, changes: dict[str, str], names: str
) -> None:
    with pytest.raises(SignInError, match=names):
        sign_in.authorization_request(_asked(**changes))


def test_signing_out_returns_only_to_the_console(sign_in: HostedSignIn) -> None:
    assert sign_in.signed_out_to({"client_id": CLIENT_ID, "logout_uri": CONSOLE}) == CONSOLE
    with pytest.raises(SignInError, match="logout_uri"):
        sign_in.signed_out_to({"client_id": CLIENT_ID, "logout_uri": "https://attacker.example/"})
    with pytest.raises(SignInError, match="client_id"):
        sign_in.signed_out_to({"client_id": "another-client", "logout_uri": CONSOLE})
