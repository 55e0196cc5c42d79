"""The rights of the newer laws as the rules carry them out: a profiling review answered by
staff in words, a third-party list answered from the registry, a request for information about
automated decisions asked only of the systems that make them, and the opt-outs that need no
verification. Each goes through the stages as the state machine calls them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dsr.closing.closing import close
from dsr.core.actions import Action
from dsr.core.models import Channel, NewRequest, RequestType, Status
from dsr.core.tasks import Outcome
from dsr.fulfilment.carrying_out import run_system_task
from dsr.fulfilment.fulfilment import plan, planned_tasks
from dsr.fulfilment.results import compile_results
from dsr.inbox.email_requests import handle_inbound
from dsr.intake.submission import submit
from dsr.policies.verification import load_policy
from dsr.review.approval import (
    ProfilingReviewAnswer,
    ReviewAnswerMissingError,
    StaffDecision,
    await_review,
    decide,
)
from local_cloud.demo_data import create_and_seed
from tests.unit.rules.conftest import DeskInMemory
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
GRACE = {"email": "grace@example.org", "name": "Grace Hopper"}


def _submitted(desk: DeskInMemory, types: list[str], **fields: object) -> str:
    request = NewRequest.model_validate({"request_types": types, "subject": GRACE, **fields})
    return submit(desk, request, Channel.WEB).request_id


def _reviewed(
    desk: DeskInMemory, workflow: RecordedWorkflow, request_id: str, decision: StaffDecision
) -> None:
    """Verified and waiting for staff, then decided, as the state machine would see it."""
    desk.store.transition(request_id, [Status.RECEIVED], Status.VERIFYING)
    await_review(desk, request_id, workflow.hand_out_token())
    decide(desk, request_id, decision, "approver@desk.example")


def _carried_out_and_closed(desk: DeskInMemory, request_id: str) -> None:
    create_and_seed(desk.registry)  # planning looks the subject's accounts up
    tasks = plan(desk, request_id)
    assert (tasks.exports, tasks.changes, tasks.hand_offs, tasks.not_covered) == ([], [], [], [])
    compile_results(desk, request_id)
    close(desk, request_id, Outcome.COMPLETED)


def test_a_profiling_review_is_approved_only_with_staffs_answer_which_the_subject_is_sent(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _submitted(
        desk, ["profiling_review"], country="US", region="MN", details="Invoice terms refused in October"
    )
    desk.store.transition(request_id, [Status.RECEIVED], Status.VERIFYING)
    await_review(desk, request_id, workflow.hand_out_token())

    with pytest.raises(ReviewAnswerMissingError, match=r"review\.decision_reason"):
        decide(desk, request_id, StaffDecision(decision="approve"), "approver@desk.example")
    answer = ProfilingReviewAnswer(
        decision_reason="Two invoices were paid more than 30 days late in 2026.",
        review_result="One of them was our error; the score is now 64 and invoice terms are offered.",
    )
    decide(desk, request_id, StaffDecision(decision="approve", review=answer), "approver@desk.example")
    _carried_out_and_closed(desk, request_id)

    assert desk.store.get(request_id).status is Status.COMPLETED
    completion = next(m for m in outbox.sent if "is complete" in m.subject)
    assert "a review of an automated decision about you" in completion.body
    assert "Why it was made: Two invoices were paid more than 30 days late in 2026." in completion.body
    assert "What our review found: One of them was our error" in completion.body
    assert "What we did" not in completion.body  # no system was asked anything


def test_a_third_party_list_names_every_third_party_and_not_the_service_providers(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer
) -> None:
    request_id = _submitted(desk, ["third_party_list"], country="US", region="OR")
    _reviewed(desk, workflow, request_id, StaffDecision(decision="approve"))
    _carried_out_and_closed(desk, request_id)

    completion = next(m for m in outbox.sent if "is complete" in m.subject)
    assert "the list of the third parties we gave your personal data to" in completion.body
    assert "- Fabrikam Reseller Partners LLC: the authorized reseller" in completion.body
    assert "- Contoso Events Inc.: co-sponsor of the webinars" in completion.body
    assert "Helpline Outsourcing" not in completion.body  # a processor, not a third party


def test_information_about_automated_decisions_is_asked_only_of_the_systems_that_make_them(
    desk: DeskInMemory,
) -> None:
    tasks = planned_tasks(desk.registry, [RequestType.ADMT_ACCESS])
    assert [(t.system_id, t.action) for t in tasks] == [("invoice-terms", Action.EXPORT)]

    with_access = planned_tasks(desk.registry, [RequestType.ADMT_ACCESS, RequestType.ACCESS])
    assert with_access == planned_tasks(desk.registry, [RequestType.ACCESS])
    assert len(with_access) > 1

    opt_out = planned_tasks(desk.registry, [RequestType.ADMT_OPT_OUT])
    assert [(t.system_id, t.action) for t in opt_out] == [("invoice-terms", Action.ADMT_OPT_OUT)]
    limit = planned_tasks(desk.registry, [RequestType.LIMIT_SENSITIVE])
    assert [(t.system_id, t.action) for t in limit] == [("accounts", Action.LIMIT_SENSITIVE)]


def test_the_california_opt_outs_of_the_newer_rules_need_no_verification_and_take_15_business_days(
    desk: DeskInMemory, clock: StoppedClock
) -> None:
    # Received Monday 2 March 2026: 15 business days is Monday 23 March, which ends in
    # California at 07:00 UTC on the 24th (daylight saving time has begun).
    limit_id = _submitted(desk, ["limit_sensitive"], country="US", region="CA")
    limit = desk.store.get(limit_id)
    assert load_policy().requirement_for(limit, account_login=False).level == "none"
    assert limit.respond_by.astimezone(LOS_ANGELES).date().isoformat() == "2026-03-23"
    # The opt-out of automated decisions from 1 January 2027: received Monday 1 March 2027,
    # 15 business days is Monday 22 March.
    clock.advance(datetime(2027, 3, 1, 9, 30, tzinfo=UTC) - clock.now())
    admt_id = _submitted(desk, ["admt_opt_out"], country="US", region="CA")
    admt = desk.store.get(admt_id)
    assert load_policy().requirement_for(admt, account_login=False).level == "none"
    assert admt.respond_by.astimezone(LOS_ANGELES).date().isoformat() == "2027-03-22"


def test_an_access_answer_names_the_third_parties_and_the_automated_decisions_in_the_package_and_email(
    desk: DeskInMemory, workflow: RecordedWorkflow, outbox: RecordedMailer, clock: StoppedClock
) -> None:
    clock.advance(datetime(2027, 3, 1, 9, 30, tzinfo=UTC) - clock.now())  # California's ADMT rights apply
    request_id = submit(
        desk,
        NewRequest.model_validate(
            {
                "request_types": ["access", "admt_access"],
                "subject": {"email": "ada@example.com"},
                "country": "US",
                "region": "CA",
            }
        ),
        Channel.WEB,
    ).request_id
    _reviewed(desk, workflow, request_id, StaffDecision(decision="approve"))
    create_and_seed(desk.registry)
    planned = plan(desk, request_id)
    # The stores moto holds in this process; a database, the SaaS tools and the lake have their
    # own servers and functions (tests/integration), and what others hold waits for them.
    for task in planned.exports:
        if desk.registry.system(task.system_id).store.kind in {
            "dynamodb",
            "s3_jsonl",
            "s3_csv",
            "s3_objects",
        }:
            run_system_task(desk, request_id, task)
    compile_results(desk, request_id)
    close(desk, request_id, Outcome.COMPLETED)

    key = desk.store.get(request_id).package_key
    package = json.loads(desk.s3.get_object(Bucket=desk.settings.packages_bucket, Key=key)["Body"].read())
    systems = package["request"]["systems"]
    assert systems["accounts"]["third_parties"][0]["name"] == "Fabrikam Reseller Partners LLC"
    assert systems["invoice-terms"]["automated_decisions"]["human_role"].startswith(
        "The finance team reviews"
    )
    assert "third_parties" not in systems["support-tickets"]
    completion = next(m for m in outbox.sent if "is complete" in m.subject)
    assert "the third parties we disclose the personal data we found about you to" in completion.body
    assert "- Fabrikam Reseller Partners LLC" in completion.body
    assert "- Contoso Events Inc." in completion.body
    assert (
        "Automated decisions we make:\n- Invoice terms decisions\n  Purpose: To decide whether"
        in completion.body
    )


def test_an_emailed_profiling_review_keeps_the_subjects_words_for_staff_to_answer(desk: DeskInMemory) -> None:
    raw = (
        b"From: Grace Hopper <grace@example.org>\r\nTo: privacy@desk.example\r\n"
        b"Subject: Profiling\r\nMessage-ID: <review-1@example.org>\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        b"I question the result of the profiling that refused me invoice terms.\r\n"
        b"Please review the decision.\r\n\r\nOn Monday the desk wrote:\r\n> earlier mail\r\n"
    )

    outcome = handle_inbound(desk, raw, "review-1", {})

    assert outcome.request_id is not None
    stored = desk.store.get(outcome.request_id)
    assert stored.request_types == [RequestType.PROFILING_REVIEW]
    assert stored.details == (
        "I question the result of the profiling that refused me invoice terms.\nPlease review the decision."
    )
