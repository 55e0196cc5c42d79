"""The link in the sign-in email opens, on the local cloud, the product's login played locally: an
account holder signs in there and the product vouches for them to the desk."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urlencode

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import submit, wait_for_status, wait_until

GRACE_ACCOUNT = {"email": "grace@example.org", "account_id": "acct-1002"}


def _open(url: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    data = urlencode(form).encode() if form is not None else None
    try:
        with urllib.request.urlopen(url, data) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode()


def _sign_in_link(cloud: LocalCloud, request_id: str) -> str:
    mail = wait_until(
        "the sign-in email",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "Sign in" in m.subject), None
        ),
    )
    return re.search(r"http://\S+", mail.body).group(0)


def test_the_emailed_sign_in_link_opens_and_signing_in_confirms_the_request(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    request_id = submit(
        public,
        request_types=["erasure"],
        subject=GRACE_ACCOUNT,
        relationship="account_holder",
        jurisdiction="US-CA",
    ).body["request_id"]

    status, page = _open(_sign_in_link(cloud, request_id))
    assert status == 200
    assert "Sign in to your account" in page and "grace@example.org" in page

    signed_in = _open(
        f"{cloud.base_url}/_local/product-login/confirm",
        {"request_id": request_id, "account_id": "acct-1002"},
    )
    assert signed_in[0] == 200 and "Request confirmed" in signed_in[1]
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    assert desk.store.get(request_id).verification_level == "account"

    # Signing in as another account holder confirms nothing
    again = _open(
        f"{cloud.base_url}/_local/product-login/confirm",
        {"request_id": request_id, "account_id": "acct-1001"},
    )
    assert again[0] == 400 and "did not accept" in again[1]
