"""Appeals: where the law gives one, a refused subject appeals and gets a reasoned answer in time."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

import pytest

from dsr.policies.request_deadlines import local_day
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud, SentMail
from local_cloud.http_api import LocalApi, states_timeline
from tests.support import (
    advance,
    answer_hand_offs,
    staff_client,
    submit,
    verification_code,
    wait_for_status,
    wait_until,
)

GRACE = {"email": "grace@example.org", "name": "Grace Hopper"}
FORM = "application/x-www-form-urlencoded"
DENIAL_REASON = "We hold no data we could give you beyond what your account already shows you."


@dataclass(frozen=True)
class Refused:
    request_id: str
    token: str


@pytest.fixture
def admin(local_api: LocalApi) -> DeskClient:
    return staff_client(local_api, "admin@desk.example")


def _refused(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    jurisdiction: str,
    language: str = "en",
) -> Refused:
    """Grace asks for her data under ``jurisdiction`` (in ``language``); she proves who she is;
    staff refuse."""
    answer = submit(
        public,
        request_types=["access"],
        subject=GRACE,
        jurisdiction=jurisdiction,
        preferred_language=language,
    )
    assert answer.status == 201, answer.body
    request_id = answer.body["request_id"]
    code = verification_code(cloud, request_id)
    points = {"phone": "202-555-0143", "postal_code": "94105"}
    verified = public.post(f"/requests/{request_id}/verification", {"code": code, "data_points": points})
    assert verified.status == 200, verified.body
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    denied = approver.post(
        f"/staff/requests/{request_id}/decision", {"decision": "deny", "reason": DENIAL_REASON}
    )
    assert denied.status == 200, denied.body
    wait_for_status(desk, request_id, "DENIED")
    return Refused(request_id, answer.body["status_token"])


def _mail(cloud: LocalCloud, request_id: str, subject_part: str) -> SentMail:
    return wait_until(
        f"the email '{subject_part}'",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and subject_part in m.subject), None
        ),
    )


def _appeal_by_form(public: DeskClient, refused: Refused, statement: str) -> HttpAnswer:
    fields = urlencode({"token": refused.token, "statement": statement}).encode()
    return public.call("POST", f"/status/{refused.request_id}/appeal", raw=fields, content_type=FORM)


def _day_named_in(text: str, after: str) -> date:
    """The date written as ``2 December 2026`` (no leading zero) after ``after`` in a notice."""
    found = re.search(re.escape(after) + r" ([1-9]\d? \w+ \d{4})", text)
    assert found, text
    return datetime.strptime(found.group(1), "%d %B %Y").date()


def test_a_virginia_refusal_is_appealed_on_the_status_page_and_upheld_with_the_regulator_named(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, admin: DeskClient
) -> None:
    refused = _refused(cloud, desk, public, approver, "US-VA")
    closed_on = local_day("US-VA", desk.store.get(refused.request_id).closed_at)

    # The refusal tells her she may appeal, until when, and how
    denial = _mail(cloud, refused.request_id, "Your privacy request")
    assert DENIAL_REASON in denial.body
    assert "reply to this email beginning with the word APPEAL" in denial.body
    assert f"/status/{refused.request_id}?token={refused.token}" in denial.body
    assert _day_named_in(denial.body, "You may appeal this decision until") == closed_on + timedelta(days=60)

    # Her status page offers the appeal form
    page = public.get(f"/status/{refused.request_id}?token={refused.token}")
    assert "Appeal this decision" in page.body

    # She appeals, in her own words
    lodged = _appeal_by_form(public, refused, "I have had an account for years; there is more than it shows.")
    assert lodged.status == 200, lodged.body
    assert "Appeal received" in lodged.body

    # She is told by when she will have an answer: 60 days from the appeal (Va. Code 59.1-577)
    received = _mail(cloud, refused.request_id, "We received your appeal")
    appeal_day = local_day("US-VA", local_clock.now())
    assert _day_named_in(received.body, "with our reasons, by") == appeal_day + timedelta(days=60)
    status = public.get(f"/requests/{refused.request_id}?token={refused.token}").body
    assert status["appeal"]["status"] == "OPEN"
    assert status["appeal"]["answer_by"] == (appeal_day + timedelta(days=60)).isoformat()
    assert status["can_appeal_until"] is None
    assert (
        "Appeal this decision" not in public.get(f"/status/{refused.request_id}?token={refused.token}").body
    )

    # Staff see it in the appeals queue, with what she wrote
    [queued] = admin.get("/staff/appeals").body
    assert queued["request_id"] == refused.request_id
    detail = admin.get(f"/staff/requests/{refused.request_id}").body
    assert detail["appeal"]["statement"].startswith("I have had an account for years")
    assert detail["appeal"]["original_decision_by"] == "approver@desk.example"

    # The person who refused may not answer the appeal; someone else does
    reasons = "Everything we hold about you is in your account export; there is nothing more to give."
    same = approver.post(
        f"/staff/requests/{refused.request_id}/appeal/decision", {"decision": "uphold", "reason": reasons}
    )
    assert same.status == 403
    upheld = admin.post(
        f"/staff/requests/{refused.request_id}/appeal/decision", {"decision": "uphold", "reason": reasons}
    )
    assert upheld.status == 200, upheld.body
    again = admin.post(
        f"/staff/requests/{refused.request_id}/appeal/decision", {"decision": "reverse", "reason": reasons}
    )
    assert again.status == 409

    # The answer gives the reasons and the Attorney General's complaint route
    answer = _mail(cloud, refused.request_id, "The answer to your appeal")
    assert answer.to == ["grace@example.org"]
    assert reasons in answer.body
    assert "the Virginia Attorney General" in answer.body
    assert "https://www.oag.state.va.us/" in answer.body
    assert desk.store.get(refused.request_id).status.value == "DENIED"
    assert (
        public.get(f"/requests/{refused.request_id}?token={refused.token}").body["appeal"]["status"]
        == "UPHELD"
    )
    assert admin.get("/staff/appeals").body == []

    # One appeal per decision
    second = _appeal_by_form(public, refused, "And again.")
    assert second.status == 409
    actions = [e.action for e in desk.store.events(refused.request_id)]
    assert actions.count("appeal received") == 1
    assert actions.count("appeal answered") == 1

    # Answered, the appeal no longer needs her address or her words: the sweeper lets both go
    cloud.run_schedules()
    wait_until("the identity to be reduced", lambda: desk.store.get(refused.request_id).identity_reduced_at)
    detail = admin.get(f"/staff/requests/{refused.request_id}").body
    assert detail["appeal"]["statement"] == "(removed with the identity)"
    assert detail["appeal"]["status"] == "UPHELD"


def test_a_colorado_refusal_reversed_on_appeal_is_carried_out_without_asking_her_again(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    admin: DeskClient,
    analyst: DeskClient,
) -> None:
    refused = _refused(cloud, desk, public, approver, "US-CO")
    lodged = public.post(
        f"/requests/{refused.request_id}/appeal",
        {"token": refused.token, "statement": "Please look again: I want to see what you hold."},
    )
    assert lodged.status == 201, lodged.body
    assert lodged.body["appeal"]["status"] == "OPEN"

    reversed_ = admin.post(
        f"/staff/requests/{refused.request_id}/appeal/decision",
        {"decision": "reverse", "reason": "The refusal was a mistake; you are entitled to a copy."},
    )
    assert reversed_.status == 200, reversed_.body

    # The request runs from the plan: no second verification, no second review
    answer_hand_offs(desk, analyst, refused.request_id)
    wait_for_status(desk, refused.request_id, "COMPLETED")
    history = wait_until(
        "the appeal's execution to finish",
        lambda: (h := cloud.execution_history(f"{refused.request_id}-appeal"))["status"] != "RUNNING" and h,
    )
    entered = [s["state"] for s in states_timeline(history["events"])]
    assert entered[:2] == ["RunKind", "PlanSystems"]
    assert "VerifyIdentity" not in entered and "ReviewRequest" not in entered
    granted = _mail(cloud, refused.request_id, "succeeded")
    assert "we have changed it" in granted.body
    completed = _mail(cloud, refused.request_id, "is complete")
    assert completed.to == ["grace@example.org"]
    reopened = next(e for e in desk.store.events(refused.request_id) if e.action == "request reopened")
    assert reopened.actor == "staff:admin@desk.example"
    assert reopened.detail["previous_status"] == "DENIED"


def test_under_the_gdpr_there_is_no_appeal_to_the_company_but_the_authority_is_named(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    refused = _refused(cloud, desk, public, approver, "EU")

    denial = _mail(cloud, refused.request_id, "Your privacy request")
    assert "complain to your data protection authority" in denial.body
    assert "APPEAL" not in denial.body
    assert (
        "Appeal this decision" not in public.get(f"/status/{refused.request_id}?token={refused.token}").body
    )
    refused_appeal = public.post(
        f"/requests/{refused.request_id}/appeal", {"token": refused.token, "statement": "I disagree."}
    )
    assert refused_appeal.status == 409
    assert "gives no appeal" in refused_appeal.body["message"]


def test_an_appeal_after_the_window_is_refused_and_the_identity_waits_for_the_window(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, moved_clock: list[timedelta]
) -> None:
    refused = _refused(cloud, desk, public, approver, "US-TX")
    request = desk.store.get(refused.request_id)
    window_ends = local_day("US-TX", request.closed_at) + timedelta(days=60)

    # The subject's address is kept while the decision may still be appealed
    stored = wait_until(
        "the identity's reduction to be scheduled",
        lambda: (item := desk.store.get_item_fields(refused.request_id)).get("open_pk") == "REDUCE" and item,
    )
    assert local_day("US-TX", datetime_of(stored["due_at"])) == window_ends

    advance(moved_clock, timedelta(days=62))
    late = public.post(
        f"/requests/{refused.request_id}/appeal", {"token": refused.token, "statement": "Late."}
    )
    assert late.status == 409
    assert "time to appeal this decision has passed" in late.body["message"]


def test_a_reply_saying_appeal_is_an_appeal_and_a_redelivery_adds_nothing(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    refused = _refused(cloud, desk, public, approver, "US-CT")
    denial = _mail(cloud, refused.request_id, "Your privacy request")
    thanks = _reply_to(denial, "Thank you. I do not want to appeal.")
    appeal = _reply_to(denial, "APPEAL: I was a customer until last year and you must hold my invoices.")

    ordinary = cloud.receive_email(thanks)["outcomes"][0]
    event = cloud.ses_event_for(appeal)
    first = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]
    redelivered = cloud.invoke("EmailIntakeFunction", event)["outcomes"][0]
    # The same words sent again later are a reply about the appeal, for staff to read
    later = cloud.receive_email(appeal)["outcomes"][0]

    assert ordinary["disposition"] == "reply"
    assert (first["disposition"], redelivered["disposition"]) == ("appeal", "appeal")
    assert later["disposition"] == "reply"
    [waiting] = analyst.get("/staff/appeals").body
    assert waiting["request_id"] == refused.request_id
    detail = analyst.get(f"/staff/requests/{refused.request_id}").body
    assert detail["appeal"]["channel"] == "email"
    assert (
        detail["appeal"]["statement"]
        == "APPEAL: I was a customer until last year and you must hold my invoices."
    )
    assert [m.subject for m in cloud.outbox() if "We received your appeal" in m.subject] == [
        f"We received your appeal on privacy request {refused.request_id[:8]}"
    ]


def test_a_german_reply_opening_with_widerspruch_after_aw_is_an_appeal(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    refused = _refused(cloud, desk, public, approver, "US-CT", language="de")
    denial = wait_until(
        "the German refusal",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == refused.request_id and "EINSPRUCH" in m.body),
            None,
        ),
    )
    # The refusal names the catalog's word for an appeal; a German may open with either
    assert "mit dem Wort EINSPRUCH am Anfang" in denial.body
    assert "APPEAL" not in denial.body

    statement = "WIDERSPRUCH: Ich war bis letztes Jahr Kunde, Sie haben meine Rechnungen."
    outcome = cloud.receive_email(
        _reply_to(denial, statement, prefix="AW", quote_line="Am Montag schrieb der Schalter:")
    )

    assert outcome["outcomes"][0]["disposition"] == "appeal"
    detail = analyst.get(f"/staff/requests/{refused.request_id}").body
    assert detail["appeal"]["channel"] == "email"
    assert detail["appeal"]["statement"] == statement


def test_the_sweeper_reminds_staff_of_an_appeal_and_escalates_it_once_overdue(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, moved_clock: list[timedelta]
) -> None:
    refused = _refused(cloud, desk, public, approver, "US-VA")
    lodged = public.post(
        f"/requests/{refused.request_id}/appeal", {"token": refused.token, "statement": "No."}
    )
    assert lodged.status == 201, lodged.body

    advance(moved_clock, timedelta(days=55))
    cloud.run_schedules()
    cloud.run_schedules()
    advance(moved_clock, timedelta(days=6))
    cloud.run_schedules()
    cloud.run_schedules()

    alerts = [a for a in _deadline_alerts(cloud) if a["request_id"] == refused.request_id]
    assert [(a["item"], a["kind"]) for a in alerts] == [("appeal", "reminder"), ("appeal", "overdue")]
    staff_mail = [m.subject for m in cloud.outbox() if m.to == [desk.settings.staff_alert_address]]
    assert any(
        s.startswith(f"OVERDUE: appeal on privacy request {refused.request_id[:8]}") for s in staff_mail
    )


def test_a_colorado_appeal_may_be_extended_once_and_a_virginia_one_not(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, admin: DeskClient
) -> None:
    colorado = _refused(cloud, desk, public, approver, "US-CO")
    public.post(
        f"/requests/{colorado.request_id}/appeal", {"token": colorado.token, "statement": "Look again."}
    )
    appealed_on = local_day("US-CO", local_clock.now())
    reason = "We must ask the team that holds your support records, which takes more time."

    extended = admin.post(f"/staff/requests/{colorado.request_id}/appeal/extension", {"reason": reason})
    twice = admin.post(f"/staff/requests/{colorado.request_id}/appeal/extension", {"reason": reason})

    assert extended.status == 200, extended.body
    assert local_day("US-CO", datetime_of(extended.body["respond_by"])) == appealed_on + timedelta(days=105)
    assert twice.status == 409
    notice = _mail(cloud, colorado.request_id, "More time is needed for your appeal")
    assert reason in notice.body

    virginia = _refused(cloud, desk, public, approver, "US-VA")
    public.post(
        f"/requests/{virginia.request_id}/appeal", {"token": virginia.token, "statement": "Look again."}
    )
    refused = admin.post(f"/staff/requests/{virginia.request_id}/appeal/extension", {"reason": reason})
    assert refused.status == 409
    assert "allows no appeal extension" in refused.body["message"]


# --- helpers -------------------------------------------------------------------------------------


def datetime_of(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _reply_to(
    mail: SentMail, text: str, prefix: str = "Re", quote_line: str = "On Monday, the desk wrote:"
) -> bytes:
    """Grace's reply to ``mail``, as her mail client writes it: ``prefix`` before the subject, and
    the message quoted under ``quote_line``."""
    return (
        "From: Grace Hopper <grace@example.org>\r\n"
        "To: privacy@desk.example\r\n"
        f"Subject: {prefix}: {mail.subject}\r\n"
        f"Message-ID: <{abs(hash(text))}@example.org>\r\n"
        f"In-Reply-To: {mail.message_id}\r\n"
        f"References: {mail.message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{text}\r\n\r\n{quote_line}\r\n> {mail.body.splitlines()[0]}\r\n"
    ).encode()


def _deadline_alerts(cloud: LocalCloud) -> list[dict]:
    return [json.loads(a["Message"]) for a in cloud.alerts() if '"kind"' in a["Message"]]
