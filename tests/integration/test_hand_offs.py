"""Tasks handed to others: subprocessors over OpenDSR, a vendor by email, customers for their CRM
contacts. Each waits for exactly one answer, and the request completes only when all are in."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from dsr.core.actions import Action
from dsr.fulfilment import handoffs
from dsr.fulfilment.fulfilment import Route, SystemTask
from dsr.fulfilment.opendsr import CallbackStatus, ProcessingStatus, status_document
from dsr.storage.packages import part_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient, HttpAnswer
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from local_cloud.opendsr_processor import DemoOpenDsrProcessor, generate_identity, sign
from tests.support import submit, verification_code, wait_for_status, wait_until

PAYMENTS = "payments.example"


def _outcomes(desk: Desk, request_id: str) -> dict[str, str]:
    return {f"{o.system_id}#{o.action}": o.status for o in desk.store.system_outcomes(request_id)}


def _outcome(desk: Desk, request_id: str, task: str) -> dict[str, Any]:
    return next(
        o.fields for o in desk.store.system_outcomes(request_id) if f"{o.system_id}#{o.action}" == task
    )


def _approved(cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, **request: Any) -> str:
    request_id = str(submit(public, **request).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    return request_id


def _wait_for(desk: Desk, request_id: str, task: str, status: str) -> dict[str, Any]:
    wait_until(f"{task} to be {status}", lambda: _outcomes(desk, request_id).get(task) == status)
    return _outcome(desk, request_id, task)


def _confirm(
    staff: DeskClient, request_id: str, task: str, answer: str = "done", note: str = "x"
) -> HttpAnswer:
    system_id, action = task.split("#")
    return staff.post(
        f"/staff/requests/{request_id}/systems/{system_id}/{action}/confirmation",
        {"answer": answer, "note": note},
    )


# --- the whole route -----------------------------------------------------------------------------


def test_an_erasure_reaches_processors_vendor_and_customers_and_completes_when_all_answer(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, request_types=["erasure"])

    # Then both processors confirm by signed callback, and the vendor and the customers are asked
    assert _wait_for(desk, request_id, "payments#erase", "done")["confirmed_by"] == PAYMENTS
    _wait_for(desk, request_id, "email-provider#erase", "done")
    waiting = _wait_for(desk, request_id, "customer-service#erase", "waiting")
    assert waiting["waiting_on"] == "Helpline Outsourcing Ltd"
    _wait_for(desk, request_id, "crm-contacts#erase", "waiting")
    mail = [m for m in cloud.outbox() if m.request_id == request_id]
    vendor_mail = [m for m in mail if "privacy@helpline.example" in m.to]
    assert len(vendor_mail) == 1
    assert "delete all personal data" in vendor_mail[0].body and "ada@example.com" in vendor_mail[0].body
    assert "ada@" not in vendor_mail[0].subject
    # Ada is a contact of two customers: each customer's administrators are told, once
    told = sorted(address for m in mail if "in your CRM" in m.subject for address in m.to)
    assert told == ["admin@northwind.example", "crm-admin@globex.example", "dpo@globex.example"]
    assert "we have not changed your records" in next(m.body for m in mail if "in your CRM" in m.subject)
    assert desk.store.get(request_id).status.value == "IN_PROGRESS"

    # When staff record the vendor's and the customers' answers
    assert _confirm(analyst, request_id, "customer-service#erase", note="deleted 3 tickets").status == 200
    assert _confirm(analyst, request_id, "crm-contacts#erase", note="both deleted").status == 200

    # Then the request completes, the subject is told who was asked, and a second answer is refused
    wait_for_status(desk, request_id, "COMPLETED")
    again = _confirm(analyst, request_id, "crm-contacts#erase", answer="failed", note="late")
    assert again.status == 409
    assert again.body["decided_by"] == "staff:analyst@desk.example"
    notice = wait_until(
        "the completion notice",
        lambda: next(
            (m for m in cloud.outbox() if m.request_id == request_id and "complete" in m.subject), None
        ),
    )
    assert (
        "we passed on the deletion to our payment provider, and they confirmed it was carried out"
        in notice.body
    )
    assert "to Helpline Outsourcing Ltd, and they confirmed it was carried out" in notice.body
    assert "to the businesses that use our service and hold your details, and they confirmed" in notice.body


def test_a_person_no_customer_holds_is_not_passed_to_any_customer(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    # An opt-out needs no verification: it goes straight to review
    answer = submit(public, request_types=["marketing_opt_out"], subject={"email": "alan@example.net"})
    request_id = str(answer.body["request_id"])
    wait_until(
        "the request to wait for staff",
        lambda: any(e.action == "staff review requested" for e in desk.store.events(request_id)),
    )
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})

    _wait_for(desk, request_id, "crm-contacts#opt_out", "nothing_found")
    wait_for_status(desk, request_id, "COMPLETED")  # no vendor holds opt-outs; nobody else to wait for
    assert not [m for m in cloud.outbox() if m.request_id == request_id and "in your CRM" in m.subject]


def test_staff_answers_need_a_waiting_task_and_a_signed_in_analyst(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, request_types=["restriction"])
    _wait_for(desk, request_id, "customer-service#restrict", "waiting")

    assert _confirm(public, request_id, "customer-service#restrict").status == 401
    assert _confirm(analyst, request_id, "accounts#restrict").status == 404  # carried out by the desk
    bad = _confirm(analyst, request_id, "customer-service#restrict", answer="maybe")
    assert bad.status == 422
    failed = _confirm(
        analyst, request_id, "customer-service#restrict", answer="failed", note="vendor refused"
    )
    assert failed.status == 200
    _confirm(analyst, request_id, "crm-contacts#restrict")

    # A vendor that could not do it leaves the request partially completed, with the reason
    wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")
    assert _outcome(desk, request_id, "customer-service#restrict")["error"] == "vendor refused"


# --- subprocessors: retries, silence -------------------------------------------------------------


def test_a_processor_that_fails_twice_is_retried_and_the_request_created_once(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    payments = cloud.processors[PAYMENTS]
    payments.fail_next(2)

    request_id = _approved(cloud, desk, public, approver, request_types=["erasure"])

    done = _wait_for(desk, request_id, "payments#erase", "done")
    assert done["confirmed_by"] == PAYMENTS
    task = desk.store.get_task(request_id, handoffs.stage("payments", Action.ERASE))
    assert task is not None
    assert payments.status_of(task["subject_request_id"]) is ProcessingStatus.COMPLETED
    sent = [e for e in desk.store.events(request_id) if e.actor == "system:payments" and "sent" in e.action]
    assert len(sent) == 1, "the processor was sent one request, after two refusals"


def test_a_processor_that_never_answers_times_out_and_staff_are_told(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    cloud.processors[PAYMENTS].never_answer = True
    request_id = _approved(cloud, desk, public, approver, request_types=["erasure"])
    waiting = _wait_for(desk, request_id, "payments#erase", "waiting")
    for task in ("customer-service#erase", "crm-contacts#erase"):
        _wait_for(desk, request_id, task, "waiting")
        assert _confirm(analyst, request_id, task).status == 200
    # Everything else has answered; only the silent processor is left
    wait_until(
        "every other system to answer",
        lambda: (
            [t for t, s in _outcomes(desk, request_id).items() if s not in {"done", "exempt"}]
            == ["payments#erase"]
        ),
    )
    cloud.run_schedules()
    assert _outcomes(desk, request_id)["payments#erase"] == "waiting"  # not yet due

    # When the answer-by time passes and the sweeper runs
    late = datetime.fromisoformat(str(waiting["answer_by"])) - local_clock.now() + timedelta(hours=1)
    local_clock.advance(late)
    try:
        cloud.run_schedules()
        cloud.run_schedules()  # a second sweep changes nothing
    finally:
        local_clock.advance(-late)

    # Then the task is failed with the reason, the request partially completed, staff alerted
    wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")
    failed = _outcome(desk, request_id, "payments#erase")
    assert failed["error"].startswith(f"no answer from {PAYMENTS} by ")
    wait_until(
        "the staff alert", lambda: any(a["Subject"].endswith("needs attention") for a in cloud.alerts())
    )
    timed_out = [
        e for e in desk.store.events(request_id) if e.actor == "system:payments" and e.outcome == "failed"
    ]
    assert len(timed_out) == 1

    # When staff re-run it, the processor is asked about the request it already has, not sent another
    assert approver.post(f"/staff/requests/{request_id}/rerun").status == 202

    # (the outcome says waiting before the hand-off is stored: an answer can only come after)
    def asked_again() -> dict[str, Any] | None:
        task = desk.store.get_task(request_id, handoffs.stage("payments", Action.ERASE))
        return task if task is not None and "decided_at" not in task else None

    task = wait_until("the re-run to wait again", asked_again)
    assert _outcomes(desk, request_id)["payments#erase"] == "waiting"
    assert task["attempt"] == 2
    srid = str(task["subject_request_id"])
    sent = [e for e in desk.store.events(request_id) if e.actor == "system:payments" and "sent" in e.action]
    assert {e.detail["subject_request_id"] for e in sent} == {srid}

    # And its late answer completes the request
    answer = _callback(
        public, "payments", cloud.processors[PAYMENTS]._signing_key, srid, ProcessingStatus.COMPLETED
    )
    assert answer.body == {"outcome": "done"}
    wait_for_status(desk, request_id, "COMPLETED")


# --- callbacks -----------------------------------------------------------------------------------


@pytest.fixture
def silent_payments(cloud: LocalCloud) -> Iterator[DemoOpenDsrProcessor]:
    """The payment processor accepts requests and never calls back: the test sends the callbacks."""
    processor = cloud.processors[PAYMENTS]
    processor.never_answer = True
    yield processor
    processor.never_answer = False


def _callback(
    public: DeskClient,
    system_id: str,
    key: Any,
    subject_request_id: str,
    status: ProcessingStatus,
    *,
    domain: str = PAYMENTS,
    v1: bool = False,
    body: bytes | None = None,
) -> HttpAnswer:
    body = body or status_document(
        CallbackStatus(subject_request_id=subject_request_id, request_status=status)
    )
    prefix = "X-OpenGDPR" if v1 else "X-OpenDSR"
    headers = {f"{prefix}-Processor-Domain": domain, f"{prefix}-Signature": sign(key, body)}
    return public.call(
        "POST", f"/opendsr/callbacks/{system_id}", raw=body, content_type="application/json", headers=headers
    )


def test_callbacks_are_acted_on_only_when_signed_by_the_processor_and_for_its_own_request(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    silent_payments: DemoOpenDsrProcessor,
) -> None:
    request_id = _approved(cloud, desk, public, approver, request_types=["erasure"])
    wait_until(  # each processor's certificate is pinned before the request is sent to it
        "the request to be sent to both processors",
        lambda: (
            {"system:payments", "system:email-provider"}
            <= {e.actor for e in desk.store.events(request_id) if "sent" in e.action}
        ),
    )
    task = desk.store.get_task(request_id, handoffs.stage("payments", Action.ERASE))
    assert task is not None
    srid = str(task["subject_request_id"])
    key = silent_payments._signing_key
    forger, _ = generate_identity(PAYMENTS, "rsa", datetime.now(UTC), timedelta(days=1))

    # Forged: signed by another key, or naming another domain
    assert _callback(public, "payments", forger, srid, ProcessingStatus.COMPLETED).body == {
        "outcome": "bad-signature"
    }
    wrong_domain = _callback(public, "payments", key, srid, ProcessingStatus.COMPLETED, domain="mail.example")
    assert (wrong_domain.status, wrong_domain.body["outcome"]) == (401, "wrong-domain")
    # Tampered: the signed bytes changed after signing
    body = status_document(CallbackStatus(subject_request_id=srid, request_status=ProcessingStatus.COMPLETED))
    tampered = {"Content-Type": "application/json", "X-OpenDSR-Processor-Domain": PAYMENTS}
    tampered["X-OpenDSR-Signature"] = sign(key, body)
    answer = public.call(
        "POST", "/opendsr/callbacks/payments", raw=body.replace(b"completed", b"cancelled"), headers=tampered
    )
    assert answer.status == 401
    # Wrong request: a request this processor was never sent, or another system's route
    other = "9b2f1c3e-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
    assert _callback(public, "payments", key, other, ProcessingStatus.COMPLETED).status == 404
    assert _callback(public, "email-provider", key, srid, ProcessingStatus.COMPLETED).status == 401
    # ...even signed by the other processor itself, a payments request is not the email provider's
    mail_key = cloud.processors["mail.example"]._signing_key
    other_system = _callback(
        public, "email-provider", mail_key, srid, ProcessingStatus.COMPLETED, domain="mail.example"
    )
    assert (other_system.status, other_system.body["outcome"]) == (404, "unknown subject_request_id")
    assert _callback(public, "no-such-system", key, srid, ProcessingStatus.COMPLETED).status == 404
    assert _outcomes(desk, request_id)["payments#erase"] == "waiting"

    # An OpenGDPR 1 progress callback is read, and noted on the trail
    assert _callback(public, "payments", key, srid, ProcessingStatus.IN_PROGRESS, v1=True).status == 200

    # The real one resumes the task; replayed, it changes nothing
    completed = status_document(
        CallbackStatus(subject_request_id=srid, request_status=ProcessingStatus.COMPLETED)
    )
    first = _callback(public, "payments", key, srid, ProcessingStatus.COMPLETED, body=completed)
    replayed = _callback(public, "payments", key, srid, ProcessingStatus.COMPLETED, body=completed)
    assert (first.status, first.body["outcome"]) == (200, "done")
    assert (replayed.status, replayed.body["outcome"]) == (200, "already received")
    assert _outcome(desk, request_id, "payments#erase")["confirmed_by"] == PAYMENTS
    statuses = [e.outcome for e in desk.store.events(request_id) if e.actor == f"processor:{PAYMENTS}"]
    assert statuses == ["in_progress", "completed"]


def test_an_access_request_adds_the_processors_results_to_the_package(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, request_types=["access"])

    done = _wait_for(desk, request_id, "payments#export", "done")

    # The processor's records about this person (Ada's card and two charges), as it returned them
    assert done["records"] == 3 and done["in_package"] == "true"
    part = desk.packages._s3.get_object(
        Bucket=desk.settings.packages_bucket, Key=part_key(request_id, "payments")
    )
    records = [json.loads(line) for line in part["Body"].iter_lines()]
    assert len(records) == 3
    assert records[0]["card_last4"] == "4242" and records[0]["name_on_card"] == "Ada Lovelace"
    assert not [record for record in records if "subject_request_id" in record]


# --- redelivery ----------------------------------------------------------------------------------


def test_a_redelivered_hand_off_asks_the_vendor_once_and_keeps_the_newest_token(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = _approved(cloud, desk, public, approver, request_types=["restriction"])
    wait_until(
        "the vendor to be emailed",
        lambda: "restrict instructions emailed" in [e.action for e in desk.store.events(request_id)],
    )
    task = SystemTask(system_id="customer-service", action=Action.RESTRICT, route=Route.HAND_OFF)

    handoffs.hand_off(desk, request_id, task, "redelivered-token")

    stored = desk.store.get_task(request_id, handoffs.stage("customer-service", Action.RESTRICT))
    assert stored is not None and stored["task_token"] == "redelivered-token"
    vendor_mail = [
        m for m in cloud.outbox() if m.request_id == request_id and "privacy@helpline.example" in m.to
    ]
    assert len(vendor_mail) == 1


def test_a_vendor_email_that_fails_once_is_sent_when_the_workflow_retries(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    # Given SES refuses the first instruction email to the vendor (throttled)
    refused: list[str] = []

    def throttle_the_vendor_once(params: dict[str, Any], **_: Any) -> None:
        raw = params.get("Content", {}).get("Raw", {}).get("Data", b"")
        if b"privacy@helpline.example" in raw and not refused:
            refused.append("once")
            raise ClientError(
                {"Error": {"Code": "TooManyRequestsException", "Message": "slow down"}}, "SendEmail"
            )

    events = desk.mailer._ses.meta.events
    events.register_first("before-parameter-build.sesv2.SendEmail", throttle_the_vendor_once)
    try:
        request_id = _approved(cloud, desk, public, approver, request_types=["restriction"])
        # Then the state machine retries the task, and the vendor gets the email once
        wait_until(
            "the vendor to be emailed",
            lambda: "restrict instructions emailed" in [e.action for e in desk.store.events(request_id)],
        )
    finally:
        events.unregister("before-parameter-build.sesv2.SendEmail", throttle_the_vendor_once)
    assert refused == ["once"]
    vendor_mail = [
        m for m in cloud.outbox() if m.request_id == request_id and "privacy@helpline.example" in m.to
    ]
    assert len(vendor_mail) == 1
    assert _outcomes(desk, request_id)["customer-service#restrict"] == "waiting"


def test_callbacks_that_cannot_be_used_get_a_clear_answer_not_a_server_error(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    silent_payments: DemoOpenDsrProcessor,
) -> None:
    # A route that is not a processor's
    key = silent_payments._signing_key
    srid = "9b2f1c3e-3c4d-4e5f-8a6b-7c8d9e0f1a2b"
    assert _callback(public, "crm-contacts", key, srid, ProcessingStatus.COMPLETED).status == 404

    # A completed export whose results are on another host ends the task failed, with the reason
    request_id = _approved(cloud, desk, public, approver, request_types=["access"])
    wait_until(
        "the request to be sent to the processor",
        lambda: any(
            e.actor == "system:payments" and "sent" in e.action for e in desk.store.events(request_id)
        ),
    )
    task = desk.store.get_task(request_id, handoffs.stage("payments", Action.EXPORT))
    assert task is not None
    body = status_document(
        CallbackStatus(
            subject_request_id=str(task["subject_request_id"]),
            request_status=ProcessingStatus.COMPLETED,
            results_url="https://elsewhere.example/results/1",
        )
    )
    answer = _callback(public, "payments", key, "", ProcessingStatus.COMPLETED, body=body)
    assert (answer.status, answer.body["outcome"]) == (200, "failed")
    failed = _outcome(desk, request_id, "payments#export")
    assert (
        failed["error"]
        == "payments.example results could not be read: results_url is not on the processor's own host"
    )
