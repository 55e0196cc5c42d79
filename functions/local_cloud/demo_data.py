"""Demonstration data: the stores in the system registry, created and filled with a few people."""

from __future__ import annotations

import json
from typing import Any

import boto3

from dsr.registry import DynamoDbStore, S3JsonLinesStore, SystemRegistry

PEOPLE: list[dict[str, Any]] = [
    {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+442071234567",
        "account": "acct-1001",
        "postal_code": "SW1A 1AA",
        "last_invoice_amount": "49.00",
        "created_month": "2021-03",
    },
    {
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "phone": "+12025550143",
        "account": "acct-1002",
        "postal_code": "94105",
        "last_invoice_amount": "129.50",
        "created_month": "2019-11",
    },
    {"name": "Alan Turing", "email": "alan@example.net", "phone": "+441234567890", "account": None},
]


def create_and_seed(registry: SystemRegistry) -> dict[str, int]:
    """Create every store the registry names and put the demonstration people in it."""
    seeded = {}
    for system in registry.systems:
        if isinstance(system.store, DynamoDbStore):
            seeded[system.id] = _seed_table(system.id, system.store)
        elif isinstance(system.store, S3JsonLinesStore):
            seeded[system.id] = _seed_bucket(system.store)
    return seeded


def _seed_table(system_id: str, store: DynamoDbStore) -> int:
    dynamodb = boto3.client("dynamodb")
    attributes = {*store.key_attributes, store.identity_attribute}
    kwargs: dict[str, Any] = {
        "TableName": store.table,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "KeySchema": [
            {"AttributeName": a, "KeyType": "HASH" if i == 0 else "RANGE"}
            for i, a in enumerate(store.key_attributes)
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if store.index:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": store.index,
                "KeySchema": [{"AttributeName": store.identity_attribute, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    dynamodb.create_table(**kwargs)
    table = boto3.resource("dynamodb").Table(store.table)
    items = _items_for(system_id)
    for item in items:
        table.put_item(Item=item)
    return len(items)


def _items_for(system_id: str) -> list[dict[str, Any]]:
    if system_id == "accounts":
        return [
            {
                "account_id": p["account"],
                "email": p["email"],
                "name": p["name"],
                "phone": p["phone"],
                "plan": "business",
                "card_last4": "4242",
                "postal_code": p["postal_code"],
                "last_invoice_amount": p["last_invoice_amount"],
                "created_month": p["created_month"],
                "marketing_opt_in": True,
            }
            for p in PEOPLE
            if p["account"]
        ]
    return [
        {"email": p["email"], "name": p["name"], "source": "webinar sign-up", "subscribed": True}
        for p in PEOPLE
    ]


def _seed_bucket(store: S3JsonLinesStore) -> int:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=store.bucket)
    tickets = [
        {
            "ticket": 7001,
            "requester_email": "ada@example.com",
            "topic": "Importing contacts",
            "device": "macOS 14",
        },
        {
            "ticket": 7002,
            "requester_email": "grace@example.org",
            "topic": "Billing question",
            "device": "Windows 11",
        },
        {
            "ticket": 7003,
            "requester_email": "ADA@example.com",
            "topic": "Training session",
            "device": "iOS 17",
        },
        {
            "ticket": 7004,
            "requester_email": "alan@example.net",
            "topic": "API limits",
            "device": "Linux",
        },
    ]
    body = "".join(json.dumps(t) + "\n" for t in tickets)
    s3.put_object(Bucket=store.bucket, Key=f"{store.prefix}2026-10.jsonl", Body=body.encode())
    return len(tickets)
