"""The requests table's repositories: queries read every page (more items than one page are all
found), and what they return is typed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from dsr.core.models import AuditEvent
from dsr.storage.dynamo import count_all, query_all
from dsr.storage.keys import hand_off_stage, request_key
from dsr.storage.outcomes import StoredOutcome
from dsr.storage.processors import SubjectRequestLink
from dsr.storage.store import RequestStore

REGION = "us-east-1"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
MORE_THAN_A_PAGE = 230  # the sweeper's and the triage list's old single page held 100 and 200


@pytest.fixture
def table(aws: None) -> Iterator[Any]:
    """The requests table with its OpenByDue index, in moto (opened by the aws fixture)."""
    dynamodb = boto3.resource("dynamodb", region_name=REGION)
    yield dynamodb.create_table(
        TableName="requests",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "open_pk", "due_at")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "OpenByDue",
                "KeySchema": [
                    {"AttributeName": "open_pk", "KeyType": "HASH"},
                    {"AttributeName": "due_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _request_id(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def test_every_overdue_hand_off_is_found_not_only_the_first_page(table: Any) -> None:
    store = RequestStore(table)
    for number in range(MORE_THAN_A_PAGE):
        answer_by = (NOW - timedelta(hours=1, seconds=number)).isoformat()
        fields = {
            "request_id": _request_id(number),
            "system_id": "crm",
            "action": "erase",
            "answer_by": answer_by,
        }
        store.put_hand_off(_request_id(number), hand_off_stage("crm", "erase"), fields)

    overdue = store.hand_offs_due_before(NOW)

    assert len(overdue) == MORE_THAN_A_PAGE
    assert [due.answer_by for due in overdue] == sorted(due.answer_by for due in overdue)
    assert {(due.system_id, due.action, due.answered) for due in overdue} == {("crm", "erase", False)}


def test_every_triage_item_waiting_for_staff_is_listed(table: Any) -> None:
    store = RequestStore(table)
    for number in range(MORE_THAN_A_PAGE):
        at = (NOW + timedelta(seconds=number)).isoformat()
        assert store.put_triage(_request_id(number), {"at": at, "reason": "not understood"}, needs_staff=True)

    assert len(store.open_triage()) == MORE_THAN_A_PAGE


def test_every_identity_due_for_reduction_is_found(table: Any) -> None:
    store = RequestStore(table)
    for number in range(MORE_THAN_A_PAGE):
        table.put_item(Item={**request_key(_request_id(number)), "status": "COMPLETED"})
        store.schedule_identity_reduction(_request_id(number), NOW - timedelta(days=1))

    due = store.identity_reductions_due(NOW)

    assert sorted(due) == [_request_id(number) for number in range(MORE_THAN_A_PAGE)]


def test_the_paginator_follows_every_page_and_stops_only_where_asked(table: Any) -> None:
    for number in range(25):
        table.put_item(Item={"pk": "P", "sk": f"{number:03d}"})
    one_item_pages = {
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": "P"},
        "Limit": 1,
    }

    assert len(query_all(table, one_item_pages)) == 25
    assert count_all(table, one_item_pages) == 25
    assert [item["sk"] for item in query_all(table, one_item_pages | {"Limit": 4}, at_most=10)] == [
        f"{number:03d}" for number in range(10)
    ]


def test_system_outcomes_name_their_system_and_action(table: Any) -> None:
    store = RequestStore(table)
    request_id = _request_id(1)
    for system_id, action, records in (("crm-contacts", "erase", 3), ("billing", "export", 0)):
        event = AuditEvent(
            request_id=request_id, at=NOW, actor=f"system:{system_id}", action=action, outcome="done"
        )
        store.put_system_outcome(request_id, system_id, action, {"status": "done", "records": records}, event)

    outcomes = store.system_outcomes(request_id)

    assert [(o.system_id, o.action, o.status, o.records) for o in outcomes] == [
        ("billing", "export", "done", 0),
        ("crm-contacts", "erase", "done", 3),
    ]
    assert all(isinstance(outcome, StoredOutcome) for outcome in outcomes)


def test_a_code_task_reads_its_attempts_and_expiry_typed(table: Any) -> None:
    store = RequestStore(table)
    request_id = _request_id(2)
    expires = NOW + timedelta(minutes=30)
    fields = {"task_token": "token", "code_mac": "mac", "code_expires_at": expires.isoformat(), "attempts": 0}
    store.put_task(request_id, "verification", fields)
    assert store.count_attempt(request_id, "verification", max_attempts=5, max_lifetime_attempts=15)

    task = store.code_task(request_id, "verification")

    assert task is not None
    assert (task.attempts, task.lifetime_attempts, task.decided_at) == (1, 1, None)
    assert task.code_expires_at == expires
    assert not task.expired(NOW) and task.expired(expires)
    assert store.code_task(request_id, "download") is None


def test_a_processors_subject_request_id_and_certificate_come_back_typed(table: Any) -> None:
    store = RequestStore(table)
    assert store.map_subject_request("subject-1", _request_id(3), "payments", "erase")
    store.pin_certificate("payments", "payments.example", "-----BEGIN CERTIFICATE-----", NOW)

    assert store.subject_request("subject-1") == SubjectRequestLink(_request_id(3), "payments", "erase")
    assert store.subject_request("subject-2") is None
    pinned = store.pinned_certificate("payments")
    assert pinned is not None and (pinned.domain, pinned.pem) == (
        "payments.example",
        "-----BEGIN CERTIFICATE-----",
    )
