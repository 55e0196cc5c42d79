"""The console page may reach its own API and, to exchange a sign-in code, the user pool's
token endpoint over https: nothing else."""

from __future__ import annotations

from staff_console.app import security_headers, sign_in_settings

POOL = "https://desk-staff.auth.eu-west-1.amazoncognito.com"


def test_the_page_may_post_the_code_to_the_pool_s_token_endpoint_and_nowhere_else() -> None:
    policy = security_headers(f"{POOL}/oauth2/token")["Content-Security-Policy"]

    assert f"connect-src 'self' {POOL};" in policy
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy


def test_a_token_endpoint_on_plain_http_or_none_adds_nothing() -> None:
    for token_url in ("", "http://desk-staff.example/oauth2/token", "/_local/oauth2/token"):
        assert "connect-src 'self';" in security_headers(token_url)["Content-Security-Policy"], token_url


def test_the_page_reads_where_to_sign_in_from_the_function_s_environment() -> None:
    settings = sign_in_settings(
        {
            "STAFF_SIGN_IN_AUTHORIZE_URL": f"{POOL}/oauth2/authorize",
            "STAFF_SIGN_IN_TOKEN_URL": f"{POOL}/oauth2/token",
            "STAFF_SIGN_IN_CLIENT_ID": "client-of-the-pool",
            "STAFF_SIGN_IN_REDIRECT_URI": "https://privacy.desk.example/console",
            "STAFF_SIGN_OUT_URL": f"{POOL}/logout",
        }
    )

    assert settings == {
        "authorize_url": f"{POOL}/oauth2/authorize",
        "token_url": f"{POOL}/oauth2/token",
        "client_id": "client-of-the-pool",
        "redirect_uri": "https://privacy.desk.example/console",
        "logout_url": f"{POOL}/logout",
        "scope": "openid email",
        "local": False,
    }
