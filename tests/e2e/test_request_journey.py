"""One request through every stage of the real state machine, as a subject and staff would drive it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import boto3
import pytest
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from local_cloud.http_api import states_timeline
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status, wait_until

pytestmark = pytest.mark.e2e

HAPPY_PATH = [
    "RunKind",
    "Acknowledge",
    "NeedsVerification",
    "VerifyIdentity",
    "ReviewRequest",
    "ReviewDecision",
    "PlanSystems",
    "ExportData",
    "ApplyChanges",
    "HandOff",
    "CompileResults",
    "PackageHeld",  # no: the package is not held for review
    "CloseCompleted",
    "Closed",
]


def _finished_execution(cloud: LocalCloud, request_id: str) -> dict:
    return wait_until(
        "the execution to finish",
        lambda: (h := cloud.execution_history(request_id))["status"] != "RUNNING" and h,
    )


def test_access_and_erasure_request_runs_every_stage_and_completes(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    # Given a subject who holds an account, a marketing sign-up and support tickets
    # When they ask for a copy of their data and its deletion through the web form
    answer = submit(public, request_types=["access", "erasure"], jurisdiction="EU")
    assert answer.status == 201, answer.body
    request_id = answer.body["request_id"]

    # Then they are acknowledged with the reference and due date, and sent a code
    code = verification_code(cloud, request_id)
    acknowledgement = next(m for m in cloud.outbox() if "received your privacy request" in m.subject)
    assert request_id in acknowledgement.body
    assert answer.body["respond_by"] in {desk.store.get(request_id).respond_by.date().isoformat()}

    # When they enter the code and staff approve
    assert public.post(f"/requests/{request_id}/verification", {"code": code}).status == 200
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    decided = approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    assert decided.status == 200, decided.body
    answer_hand_offs(desk, analyst, request_id)

    # Then the execution passes through every stage and the request ends COMPLETED
    history = _finished_execution(cloud, request_id)
    assert history["status"] == "SUCCEEDED"
    assert [s["state"] for s in states_timeline(history["events"])] == HAPPY_PATH
    record = desk.store.get(request_id)
    assert record.status.value == "COMPLETED"
    assert record.closed_at is not None

    # And each step left an audit event
    actions = [event.action for event in desk.store.events(request_id)]
    for step in [
        "request received",
        "start workflow",
        "acknowledge",
        "verification requested",
        "verification attempt",
        "legal clock",
        "staff review requested",
        "staff decision",
        "plan systems",
        "export",
        "erase",
        "compile results",
        "close request",
        "notify subject",
    ]:
        assert step in actions, f"no audit event for {step}"

    # And the access package holds the subject's records from every system, exported before erasure
    package = boto3.client("s3").get_object(Bucket=desk.settings.packages_bucket, Key=record.package_key)
    content = json.loads(package["Body"].read())
    assert {len(records) for records in content["systems"].values()} == {1, 2, 3, 4, 5, 7}
    # over the vendors' APIs: her Stripe customer, three charges and an invoice; her Intercom
    # contact and three conversations
    assert [r["record_set"] for r in content["systems"]["card-payments"]].count("charges") == 3
    assert len(content["systems"]["card-payments"]) == 5
    assert len(content["systems"]["support-messenger"]) == 4
    # her account, its two invoices and a support note, from the database
    assert sorted(row["_table"] for row in content["systems"]["crm-database"]) == [
        "accounts",
        "invoices",
        "invoices",
        "support_notes",
    ]
    # her HubSpot contact and two subscriptions; her Mailchimp members of two audiences, two
    # activities and three tags; her Zendesk user and three tickets, over two pages
    assert [r["record_set"] for r in content["systems"]["marketing-crm"]].count("subscriptions") == 2
    assert [r["record_set"] for r in content["systems"]["newsletter"]].count("person") == 2
    assert len(content["systems"]["newsletter"]) == 7
    assert [r["record_set"] for r in content["systems"]["help-desk"]].count("requested_tickets") == 3
    assert len(content["systems"]["payments"]) == 3  # her card and two charges, from the processor
    assert len(content["systems"]["support-tickets"]) == 2  # both spellings of her address
    assert content["systems"]["accounts"][0]["email"] == "ada@example.com"
    assert "grace@example.org" not in json.dumps(content)

    # And the subject's records are gone from the stores, while other people's remain
    accounts = boto3.resource("dynamodb").Table("crm-accounts").scan()["Items"]
    assert [item["email"] for item in accounts] == ["grace@example.org"]
    tickets = boto3.client("s3").get_object(Bucket="support-archive", Key="tickets/2026-10.jsonl")
    remaining = [json.loads(line)["requester_email"] for line in tickets["Body"].iter_lines()]
    assert remaining == ["grace@example.org", "alan@example.net"]

    # And a page for people holds the same records, grouped by system
    page = boto3.client("s3").get_object(
        Bucket=desk.settings.packages_bucket, Key=record.readable_package_key
    )
    readable = page["Body"].read().decode()
    assert "Platform accounts" in readable
    assert "ada@example.com" in readable

    # And the completion email links to the desk's download page (which asks for a fresh code),
    # never to the package itself, and says until when the link works
    completion = next(m for m in cloud.outbox() if "is complete" in m.subject)
    assert f"/download/{request_id}?token=" in completion.body
    assert "amazonaws.com" not in completion.body
    assert "The link works until" in completion.body


def test_denied_request_closes_with_the_reason_sent_to_the_subject(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient
) -> None:
    request_id = submit(public, request_types=["erasure"]).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")

    reason = "An unpaid invoice is under dispute; we must keep the account records."
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "deny", "reason": reason})

    history = _finished_execution(cloud, request_id)
    entered = [s["state"] for s in states_timeline(history["events"])]
    assert entered[-2:] == ["CloseDenied", "Closed"]
    assert "PlanSystems" not in entered
    assert desk.store.get(request_id).status.value == "DENIED"
    denial = next(m for m in cloud.outbox() if m.request_id == request_id and m.body.count(reason))
    assert denial.to == ["ada@example.com"]
    accounts = boto3.resource("dynamodb").Table("crm-accounts").scan()["Items"]
    assert "ada@example.com" in [item["email"] for item in accounts]  # nothing was erased


@pytest.fixture
def application_logs(cloud: LocalCloud) -> Iterator[io.StringIO]:
    """Everything the functions log, at every level, formatted as Powertools formats it in Lambda."""
    assert cloud.bridge is not None
    for logical_id in cloud.template.of_type("AWS::Serverless::Function"):
        cloud.bridge.handler(logical_id)  # import every handler, so every logger exists
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    handler.setFormatter(LambdaPowertoolsFormatter())
    service_loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name == "privacy-desk" or name.startswith("privacy-desk.")
    ]
    levels = [service_logger.level for service_logger in service_loggers]
    for service_logger in service_loggers:
        service_logger.setLevel(logging.DEBUG)
    logging.getLogger("privacy-desk").addHandler(handler)
    yield captured
    logging.getLogger("privacy-desk").removeHandler(handler)
    for service_logger, level in zip(service_loggers, levels, strict=True):
        service_logger.setLevel(level)


def test_a_whole_journey_logs_no_personal_data(
    cloud: LocalCloud,
    desk: Desk,
    public: DeskClient,
    approver: DeskClient,
    application_logs: io.StringIO,
    analyst: DeskClient,
) -> None:
    request_id = submit(
        public,
        request_types=["access", "erasure"],
        subject={"email": "ada@example.com", "name": "Ada Lovelace"},
    ).body["request_id"]
    public.post(f"/requests/{request_id}/verification", {"code": "000000"})  # a wrong code first
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")

    logged = application_logs.getvalue()
    assert request_id in logged, "the journey should have logged its steps by request id"
    assert "a***@e***.com" in logged  # the masked form is what appears
    for personal in ["ada@example.com", "Ada Lovelace", "Lovelace", "+442071234567"]:
        assert personal not in logged
