"""Nobody can use the desk to flood someone's inbox or to guess their way into a request: mail
an outsider could cause is capped per mailbox, new codes need the status token, and a request's
codes allow a fixed number of tries over its whole life."""

from __future__ import annotations

from collections import Counter
from email.utils import make_msgid
from typing import Any

from dsr.storage.rate_limits import MAILS_PER_RECIPIENT
from dsr.verification import identity_checks as verification
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.cloud import LocalCloud
from tests.support import submit, verification_code, wait_for_status, wait_until

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
VICTIM = "victim@example.com"


def _new_code(public: DeskClient, request_id: str, token: str | None) -> HttpAnswer:
    body = {} if token is None else {"token": token}
    return public.post(f"/requests/{request_id}/verification/new-code", body)


def _mails_to(cloud: LocalCloud, mailbox: str) -> int:
    local, _, domain = mailbox.partition("@")
    return sum(
        1
        for mail in cloud.outbox()
        for to in mail.to
        if to.lower().split("@")[1] == domain and to.lower().split("@")[0].split("+")[0] == local
    )


def test_a_new_code_needs_the_requests_status_token(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    receipt = submit(public, subject={"email": VICTIM}).body
    request_id = receipt["request_id"]
    verification_code(cloud, request_id)
    other_token = submit(public, subject={"email": "someone@example.com"}).body["status_token"]
    sent_before = _mails_to(cloud, VICTIM)

    without = _new_code(public, request_id, None)
    borrowed = _new_code(public, request_id, other_token)
    unknown = _new_code(public, UNKNOWN_ID, receipt["status_token"])

    assert without.status == 422
    assert "token" in without.body["message"]
    assert (borrowed.status, unknown.status) == (404, 404)
    assert borrowed.body == unknown.body  # the same answer: it tells nobody the request exists
    assert _mails_to(cloud, VICTIM) == sent_before
    assert _new_code(public, request_id, receipt["status_token"]).status == 202


def test_the_status_pages_new_code_button_needs_its_token(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    receipt = submit(public, subject={"email": VICTIM}).body
    request_id, token = receipt["request_id"], receipt["status_token"]
    verification_code(cloud, request_id)
    wait_for_status(desk, request_id, "VERIFYING")
    other_token = submit(public, subject={"email": "someone@example.com"}).body["status_token"]
    sent_before = _mails_to(cloud, VICTIM)

    def ask(with_token: str) -> HttpAnswer:
        return public.call(
            "POST",
            f"/status/{request_id}/new-code",
            raw=f"token={with_token}".encode(),
            content_type="application/x-www-form-urlencoded",
        )

    assert ask(other_token).status == 404
    assert _mails_to(cloud, VICTIM) == sent_before
    answer = ask(token)
    assert answer.status == 200
    assert "emailed you a new code" in answer.body


def test_plus_tags_and_capitals_share_one_mailboxs_daily_submissions(public: DeskClient) -> None:
    types = ["access", "erasure", "restriction", "objection", "portability", "marketing_opt_out"]
    addresses = [f"Bomb+{n}@Example.com" if n % 2 else f"bomb+{n}@example.com" for n in range(6)]

    answers = [
        submit(public, request_types=[kind], subject={"email": address})
        for kind, address in zip(types, addresses, strict=True)
    ]

    assert [a.status for a in answers] == [201] * 5 + [429]


def test_a_mailbox_gets_at_most_its_daily_share_of_mail_however_it_is_asked_for(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    types = ["access", "erasure", "restriction", "objection", "portability"]
    receipts = [
        submit(public, request_types=[kind], subject={"email": f"victim+{n}@example.com"}).body
        for n, kind in enumerate(types)
    ]
    for receipt in receipts:  # an acknowledgement and a code for each
        verification_code(cloud, receipt["request_id"])
    wait_until("the acknowledgements", lambda: _mails_to(cloud, VICTIM) >= 2 * len(receipts))

    asked = [  # new codes, as many as each request allows in an hour
        _new_code(public, r["request_id"], r["status_token"]).status for r in receipts for _ in range(3)
    ]

    share = MAILS_PER_RECIPIENT.limit
    assert asked == [202] * (share - 2 * len(receipts)) + [429] * (len(asked) - share + 2 * len(receipts))
    assert _mails_to(cloud, VICTIM) == share
    last = receipts[-1]["request_id"]
    assert any(
        e.action == "mails-per-recipient" and e.outcome == "email withheld" for e in desk.store.events(last)
    )


def test_a_request_allows_a_fixed_number_of_wrong_codes_over_its_life_then_closes(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    receipt = submit(public).body
    request_id, token = receipt["request_id"], receipt["status_token"]
    right = verification_code(cloud, request_id)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    answers = []
    for _ in range(verification.MAX_LIFETIME_ATTEMPTS // verification.MAX_ATTEMPTS):
        wait_for_status(desk, request_id, "VERIFYING")
        answers += [
            public.post(f"/requests/{request_id}/verification", {"code": wrong}).status
            for _ in range(verification.MAX_ATTEMPTS)
        ]
        _new_code(public, request_id, token)  # fresh tries at a fresh code, not a fresh start
        right = verification_code(cloud, request_id)
        wrong = f"{(int(right) + 1) % 10**6:06d}"

    assert answers == [403] * verification.MAX_LIFETIME_ATTEMPTS  # refused, each the same way
    wait_for_status(desk, request_id, "UNVERIFIABLE")
    assert public.post(f"/requests/{request_id}/verification", {"code": right}).status == 403
    ended = [e for e in desk.store.events(request_id) if e.action == "verification ended"]
    assert [e.detail["cause"] for e in ended] == [verification.LIFETIME_ATTEMPTS_USED]
    page = public.get(f"/status/{request_id}?token={token}").body
    assert "You may make a new request" in page


def _calls_made(desk: Desk, attempt: Any) -> Counter[str]:
    """The AWS operations ``attempt`` makes through a desk of its own (so nothing else running
    in the local cloud is counted)."""
    own = Desk(settings=desk.settings, clock=desk.clock, registry_path=desk.registry_path)
    calls: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        calls[model.name] += 1

    own.store  # noqa: B018 - made now, so its client can be watched
    own.store._table.meta.client.meta.events.register("before-call", count)
    own.hasher._kms.meta.events.register("before-call", count)
    attempt(own)
    return calls


def test_a_wrong_code_costs_the_same_work_whether_or_not_the_request_exists(
    cloud: LocalCloud, desk: Desk, public: DeskClient
) -> None:
    waiting = submit(public).body["request_id"]
    verification_code(cloud, waiting)
    wait_for_status(desk, waiting, "VERIFYING")

    existing = _calls_made(desk, lambda own: verification.submit_code(own, waiting, "000000"))
    unknown = _calls_made(desk, lambda own: verification.submit_code(own, UNKNOWN_ID, "000000"))

    assert existing == unknown
    assert existing["VerifyMac"] == 1


def _unreadable_mail(sender: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: privacy@desk.example\r\nSubject: hello\r\n"
        f"Message-ID: {make_msgid()}\r\n\r\nWhat a lovely day.\r\n"
    ).encode()


def test_mail_we_could_not_read_is_answered_only_within_the_mailboxs_share(
    cloud: LocalCloud, desk: Desk
) -> None:
    senders = [f"Victim+{n}@example.com" for n in range(MAILS_PER_RECIPIENT.limit + 3)]

    outcomes = [cloud.receive_email(_unreadable_mail(sender))["outcomes"][0] for sender in senders]

    assert {o["disposition"] for o in outcomes} == {"triage"}  # every one kept for staff
    assert _mails_to(cloud, VICTIM) == MAILS_PER_RECIPIENT.limit
