"""Reads per subject: how many items DynamoDB reads to find what the desk looks for.

1. The DynamoDB connector finding subjects in a table of 100,000 items (their items found by
   Query on the declared index): items read per item found, beside a Scan of the same table.
2. The sweeper on a requests table of 100,000 closed and 1,000 open requests: items it reads,
   and how many of them belong to closed requests, beside a Scan of the same table.

Items read are counted from DynamoDB's own answers (``ScannedCount`` for Query and Scan, the items
returned by GetItem and BatchGetItem), by a hook on every DynamoDB call, so nothing the code under
test does can be missed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import boto3

from benchmarks.figures import Figure

TABLE_ITEMS = 100_000
ITEMS_PER_SUBJECT = 5
SUBJECTS_LOOKED_UP = 10
CLOSED_REQUESTS = 100_000
OPEN_REQUESTS = 1_000
BENCHMARK = "Reads per subject"


class ReadCounter:
    """An ``after-call`` hook: items DynamoDB read, per operation, and the partition keys seen."""

    def __init__(self) -> None:
        self.items: Counter[str] = Counter()
        self.partitions_read: set[str] = set()

    def __call__(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        if operation in {"Query", "Scan"}:
            self.items[operation] += int(parsed.get("ScannedCount", 0))
            self._note(parsed.get("Items", []))
        elif operation == "GetItem" and "Item" in parsed:
            self.items[operation] += 1
            self._note([parsed["Item"]])
        elif operation == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                self.items[operation] += len(items)
                self._note(items)

    def _note(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            pk = item.get("pk")
            if isinstance(pk, dict):  # the low-level shape, before boto3 deserializes it
                pk = pk.get("S")
            if isinstance(pk, str):
                self.partitions_read.add(pk)

    @property
    def total(self) -> int:
        return sum(self.items.values())


@contextmanager
def counting_reads() -> Iterator[ReadCounter]:
    """Count the items every DynamoDB client made from now on reads, until the block ends."""
    counter = ReadCounter()
    if boto3.DEFAULT_SESSION is None:
        boto3.setup_default_session()
    session: Any = boto3.DEFAULT_SESSION
    session.events.register("after-call.dynamodb", counter)
    try:
        yield counter
    finally:
        session.events.unregister("after-call.dynamodb", counter)


def seed_items(table_name: str, items: Iterator[dict[str, Any]]) -> None:
    """Write benchmark data straight into the emulator's table, about five times faster than
    through the API; what is measured afterwards goes through the API as usual."""
    from boto3.dynamodb.types import TypeSerializer  # noqa: PLC0415
    from moto.core.models import DEFAULT_ACCOUNT_ID  # noqa: PLC0415
    from moto.dynamodb.models import dynamodb_backends  # noqa: PLC0415

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    serializer = TypeSerializer()
    for item in items:
        backend.put_item(table_name, {name: serializer.serialize(value) for name, value in item.items()})


def _scaled(count: int, scale: float, floor: int) -> int:
    return max(floor, round(count * scale))


def run(scale: float) -> list[Figure]:
    return [*connector_reads(scale), *sweeper_reads(scale)]


# ------------------------------------------------------------------------------ the connector


def connector_reads(scale: float) -> list[Figure]:
    from moto import mock_aws  # noqa: PLC0415 - the benchmark's own emulator, not the desk's code

    from dsr.connectors.base import Subject  # noqa: PLC0415
    from dsr.connectors.dynamodb import DynamoDbConnector  # noqa: PLC0415
    from dsr.core.registry_stores import DynamoDbStore  # noqa: PLC0415

    items = _scaled(TABLE_ITEMS, scale, 500)
    subjects = items // ITEMS_PER_SUBJECT
    with mock_aws():
        boto3.setup_default_session(region_name="us-east-1")
        table = _contacts_table(items)
        store = DynamoDbStore(
            kind="dynamodb",
            table=table.name,
            index="ByEmail",
            identity_attribute="email",
            key_attributes=["contact_id"],
        )
        looked_up = random.Random(11).sample(  # noqa: S311  # nosec B311 - which subjects to look up
            range(subjects), min(SUBJECTS_LOOKED_UP, subjects)
        )
        with counting_reads() as counter:
            connector = DynamoDbConnector(boto3.resource("dynamodb").Table(table.name), store)
            found = sum(len(list(connector.export(Subject(email=_email(n))))) for n in looked_up)
        with counting_reads() as scanned:
            scan_found = 0
            scan: dict[str, Any] = {"FilterExpression": "email = :email"}
            client = boto3.client("dynamodb")
            scan["ExpressionAttributeValues"] = {":email": {"S": _email(looked_up[0])}}
            while True:
                page = client.scan(TableName=table.name, **scan)
                scan_found += len(page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    per_found = counter.total / found
    scan_per_found = scanned.total / scan_found
    return [
        Figure(
            BENCHMARK,
            f"DynamoDB connector, table of {items:,} items: items read per item found",
            per_found,
            "items",
            baseline="a Scan for one subject",
            baseline_value=scan_per_found,
            target="1.0 (Query, never Scan)",
            met=per_found == 1.0 and "Scan" not in counter.items,
            detail={
                "subjects_looked_up": len(looked_up),
                "items_found": found,
                "items_read": dict(counter.items),
                "scan_items_read": scanned.total,
            },
        )
    ]


def _email(number: int) -> str:
    return f"person-{number:06d}@example.com"


def _contacts_table(items: int) -> Any:
    dynamodb = boto3.resource("dynamodb")
    table = dynamodb.create_table(
        TableName="bench-contacts",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "contact_id", "AttributeType": "S"},
            {"AttributeName": "email", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "contact_id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "ByEmail",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    subjects = items // ITEMS_PER_SUBJECT
    seed_items(
        table.name,
        (
            {
                "contact_id": f"c-{number:07d}",
                "email": _email(number % subjects),
                "name": f"Person {number % subjects}",
                "notes": "met at the trade fair",
            }
            for number in range(items)
        ),
    )
    return table


# ------------------------------------------------------------------------------ the sweeper


def sweeper_reads(scale: float) -> list[Figure]:
    from dsr.deadlines import sweeper  # noqa: PLC0415
    from dsr.wiring.desk import desk_from_environment  # noqa: PLC0415
    from local_cloud.cloud import LocalCloud  # noqa: PLC0415

    closed = _scaled(CLOSED_REQUESTS, scale, 1_000)
    open_count = _scaled(OPEN_REQUESTS, scale, 50)
    cloud = LocalCloud("http://127.0.0.1:9")
    cloud.start()
    try:
        desk = desk_from_environment()
        closed_ids, open_ids = _requests_table(desk, closed, open_count)
        with counting_reads() as counter:
            desk_from_environment.cache_clear()  # clients made now see the counter
            report = sweeper.sweep(desk_from_environment())
        with counting_reads() as scanned:
            client = boto3.client("dynamodb")
            scan: dict[str, Any] = {"TableName": desk.settings.requests_table, "Select": "COUNT"}
            while True:
                page = client.scan(**scan)
                if "LastEvaluatedKey" not in page:
                    break
                scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    finally:
        cloud.stop()
    closed_read = len(counter.partitions_read & {f"REQ#{rid}" for rid in closed_ids})
    open_read = len(counter.partitions_read & {f"REQ#{rid}" for rid in open_ids})
    return [
        Figure(
            BENCHMARK,
            f"Sweeper, {closed:,} closed and {open_count:,} open requests: items read",
            counter.total,
            "items",
            baseline="a Scan of the requests table",
            baseline_value=scanned.total,
            target="no closed request read",
            met=closed_read == 0,
            detail={
                "closed_requests_read": closed_read,
                "open_requests_read": open_read,
                "items_read": dict(counter.items),
                "reminders_sent": report.deadlines.reminders_sent if report.deadlines else None,
            },
        ),
        Figure(
            BENCHMARK,
            "Sweeper: closed requests read",
            closed_read,
            "requests",
            target="0",
            met=closed_read == 0,
        ),
    ]


def _requests_table(desk: Any, closed: int, open_count: int) -> tuple[list[str], list[str]]:
    """Write closed and open requests straight to the table, as intake and closing leave them:
    open ones in the sparse index, due over the next 45 days; closed ones out of it."""
    from dsr.core.identities import SubjectIdentity  # noqa: PLC0415
    from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status  # noqa: PLC0415
    from dsr.storage.store import OPEN_PARTITION  # noqa: PLC0415

    now = desk.now()
    shape = PrivacyRequest(
        request_id="00000000-0000-4000-8000-000000000000",
        request_types=[RequestType.ACCESS],
        subject=SubjectIdentity(email="subject@example.com"),
        relationship=Relationship.OTHER,
        jurisdiction="EU",
        channel=Channel.WEB,
        status=Status.COMPLETED,
        received_at=now,
        respond_by=now,
        workflow_started_at=now,
    ).model_dump(mode="json", exclude_none=True)
    closed_ids: list[str] = []
    open_ids: list[str] = []
    chooser = random.Random(5)  # noqa: S311  # nosec B311 - benchmark data, not a secret

    def items() -> Iterator[dict[str, Any]]:
        for number in range(closed + open_count):
            is_open = number >= closed
            request_id = f"00000000-0000-4000-8000-{number:012d}"
            received = now - timedelta(days=chooser.randint(0, 20) if is_open else chooser.randint(1, 700))
            respond_by = (
                now + timedelta(days=chooser.randint(1, 45)) if is_open else received + timedelta(days=30)
            )
            item = {
                **shape,
                "pk": f"REQ#{request_id}",
                "sk": "REQUEST",
                "request_id": request_id,
                "subject": {"email": f"subject-{number}@example.com"},
                "received_at": received.isoformat(),
                "received_month": received.isoformat()[:7],
                "workflow_started_at": received.isoformat(),
                "respond_by": respond_by.isoformat(),
            }
            if is_open:
                item |= {"status": Status.AWAITING_APPROVAL.value, "open_pk": OPEN_PARTITION}
                item["due_at"] = respond_by.isoformat()
                open_ids.append(request_id)
            else:
                item["closed_at"] = (received + timedelta(days=12)).isoformat()
                closed_ids.append(request_id)
            yield item

    seed_items(desk.settings.requests_table, items())
    return closed_ids, open_ids
