"""Demonstration data: the stores in the system registry, created and filled with a few people.

Ada has data in every system, Grace in most, Alan in a few; each system also holds someone else,
so a test can see that one person's request leaves the others' data alone. The README's table of
demonstration subjects is checked against ``PEOPLE`` and ``systems_holding``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import boto3

from dsr.connectors.base import Subject
from dsr.connectors.s3_objects import S3ObjectsConnector
from dsr.core.registry import SystemEntry, SystemRegistry
from dsr.core.registry_stores import (
    CustomerControllers,
    DynamoDbStore,
    S3CsvStore,
    S3JsonLinesStore,
    S3LinesStore,
    S3ObjectsStore,
    S3ParquetStore,
)
from local_cloud.demo_lake import lake_emails, seed_lake

PEOPLE: list[dict[str, Any]] = [
    {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+442071234567",
        "account": "acct-1001",
        "address": "12 St James's Square, London",
        "postal_code": "SW1A 1AA",
        "last_invoice_amount": "49.00",
        "created_month": "2021-03",
        "card_last4": "4242",
    },
    {
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "phone": "+12025550143",
        "account": "acct-1002",
        "address": "1 Market Street, San Francisco",
        "postal_code": "94105",
        "last_invoice_amount": "129.50",
        "created_month": "2019-11",
        "card_last4": "5454",
    },
    {"name": "Alan Turing", "email": "alan@example.net", "phone": "+441234567890", "account": None},
]
ADA, GRACE, ALAN = PEOPLE
ACCOUNT_HOLDERS: dict[str, str] = {p["account"]: p["email"] for p in PEOPLE if p["account"]}
"""Who can sign in to the product: account id and email."""


def create_and_seed(registry: SystemRegistry) -> dict[str, int]:
    """Create every store the registry names and put the demonstration people in it; for each
    system, how many records (or objects) it was given."""
    aws = _Clients()
    return {system.id: _seed(aws, system) for system in registry.systems}


class _Clients:
    """One client (and one resource) per service for a whole seeding: making one costs more
    processor time than the few calls each store needs, and a local cloud seeds at every start."""

    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}
        self._resources: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service)  # type: ignore[call-overload]
        return self._clients[service]

    def resource(self, service: str) -> Any:
        if service not in self._resources:
            self._resources[service] = boto3.resource(service)  # type: ignore[call-overload]
        return self._resources[service]


def _seed(aws: _Clients, system: SystemEntry) -> int:
    store = system.store
    if isinstance(store, DynamoDbStore):
        return _seed_table(aws, store, TABLE_ITEMS.get(system.id, list)())
    if isinstance(store, S3ObjectsStore):
        return _seed_subject_objects(aws, store, SUBJECT_OBJECTS.get(system.id, dict)())
    if isinstance(store, S3JsonLinesStore):
        return _seed_lines(aws, store, "2026-10.jsonl", _json_lines(LINE_RECORDS.get(system.id, list)()))
    if isinstance(store, S3CsvStore):
        return _seed_lines(aws, store, "2026-10.csv", _csv(LINE_RECORDS.get(system.id, list)()))
    return _seed_other(aws, store)


def _seed_other(aws: _Clients, store: Any) -> int:
    """The customers' CRMs and the data lake; none for a processor or a vendor, who holds the data."""
    if isinstance(store, CustomerControllers):
        return _seed_customer_contacts(aws, store)
    if isinstance(store, S3ParquetStore):
        return seed_lake(_bucket(aws, store.bucket), store)
    return 0


def systems_holding(person: dict[str, Any]) -> list[str]:
    """The registry's systems the demonstration data gives this person records in (the help-desk
    vendor's are not here: the vendor holds them, and answers by email)."""
    email = str(person["email"]).casefold()
    held: set[str] = set()
    for system_id, items in {**TABLE_ITEMS, **LINE_RECORDS}.items():
        for item in items():
            owner = item.get("email") or item.get("requester_email") or ""
            if str(owner).casefold() == email or (
                person["account"] and item.get("account_id") == person["account"]
            ):
                held.add(system_id)
    held |= {system_id for system_id, files in SUBJECT_OBJECTS.items() if person["email"] in files()}
    held |= {"crm-contacts" for _, _, contact in CONTACTS if contact is person}
    if email in lake_emails():
        held.add("product-analytics")  # the demonstration data lake (local_cloud.demo_lake)
    held |= {system_id for system_id, records in PROCESSOR_RECORDS.items() if person["email"] in records()}
    held |= _saas_systems_holding(person)
    if person["account"]:
        held.add("crm-database")  # an account holder's row (local_cloud.database seeds them)
    return sorted(held)


def _saas_systems_holding(person: dict[str, Any]) -> set[str]:
    """The SaaS systems whose stand-in holds the person (its module's ``held``)."""
    import importlib  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    from dsr.core.registry import load_registry  # noqa: PLC0415
    from dsr.core.registry_stores import SaasStore  # noqa: PLC0415
    from dsr.core.settings import DeskSettings  # noqa: PLC0415

    registry_path = DeskSettings.model_fields["system_registry_path"].default
    found = set()
    for system in load_registry(Path(registry_path)).systems:
        if isinstance(system.store, SaasStore):
            module = importlib.import_module(f"local_cloud.saas_standins.{system.store.tool}")
            held = getattr(module, "held", None)
            if held is not None and any(p is person for p in held(PEOPLE)):
                found.add(system.id)
    return found


# ------------------------------------------------------------------------------ customers' CRMs

CUSTOMERS: list[dict[str, Any]] = [
    {"customer_id": "cust-2001", "name": "Northwind Traders", "admin_emails": ["admin@northwind.example"]},
    {
        "customer_id": "cust-2002",
        "name": "Globex Corporation",
        "admin_emails": ["crm-admin@globex.example", "dpo@globex.example"],
    },
]
CONTACTS: list[tuple[str, str, dict[str, Any]]] = [
    ("c-5001", "cust-2001", ADA),
    ("c-5002", "cust-2002", ADA),
    ("c-5003", "cust-2002", GRACE),
]


def _seed_customer_contacts(aws: _Clients, store: CustomerControllers) -> int:
    """Contacts in customers' CRMs (Ada is in two, Grace in one, Alan in none), and the customers
    with their administrators."""
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(
        TableName=store.contacts_table,
        AttributeDefinitions=[
            {"AttributeName": "contact_id", "AttributeType": "S"},
            {"AttributeName": store.identity_attribute, "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "contact_id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": store.contacts_index,
                "KeySchema": [{"AttributeName": store.identity_attribute, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.create_table(
        TableName=store.customers_table,
        AttributeDefinitions=[{"AttributeName": store.customer_attribute, "AttributeType": "S"}],
        KeySchema=[{"AttributeName": store.customer_attribute, "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    resource = aws.resource("dynamodb")
    for customer in CUSTOMERS:
        resource.Table(store.customers_table).put_item(Item=customer)
    for contact_id, customer_id, person in CONTACTS:
        resource.Table(store.contacts_table).put_item(
            Item={
                "contact_id": contact_id,
                store.customer_attribute: customer_id,
                store.identity_attribute: person["email"],
                "name": person["name"],
                "phone": person["phone"],
                "title": "Buyer",
            }
        )
    return len(CONTACTS)


# ------------------------------------------------------------------------------ DynamoDB


def _accounts() -> list[dict[str, Any]]:
    return [
        {
            "account_id": p["account"],
            "email": p["email"],
            "name": p["name"],
            "phone": p["phone"],
            "plan": "business",
            "card_last4": p["card_last4"],
            "address": p["address"],
            "postal_code": p["postal_code"],
            "last_invoice_amount": p["last_invoice_amount"],
            "created_month": p["created_month"],
            "marketing_opt_in": True,
        }
        for p in PEOPLE
        if p["account"]
    ]


def _invoice_terms() -> list[dict[str, Any]]:
    """The automated decision on invoice terms, per account: Ada is offered them, Grace is not."""
    scores = {ADA["account"]: (72, True), GRACE["account"]: (41, False)}
    return [
        {
            "account_id": p["account"],
            "email": p["email"],
            "score": scores[p["account"]][0],
            "invoice_terms_offered": scores[p["account"]][1],
            "decided_on": "2026-10-01",
            "automated_decision": True,
        }
        for p in PEOPLE
        if p["account"]
    ]


def _invoices() -> list[dict[str, Any]]:
    issued = [(ADA, "inv-2024-0107", "2024-01-31", "49.00"), (ADA, "inv-2025-0212", "2025-02-28", "49.00")]
    issued.append((GRACE, "inv-2025-0318", "2025-03-31", "129.50"))
    return [
        {
            "invoice_id": invoice_id,
            "account_id": person["account"],
            "email": person["email"],
            "name": person["name"],
            "address": person["address"],
            "issued_on": issued_on,
            "amount": amount,
            "currency": "USD",
        }
        for person, invoice_id, issued_on, amount in issued
    ]


def _marketing_leads() -> list[dict[str, Any]]:
    return [
        {"email": p["email"], "name": p["name"], "source": "webinar sign-up", "subscribed": True}
        for p in PEOPLE
    ]


def _analytics_profiles() -> list[dict[str, Any]]:
    return [
        {
            "visitor_id": f"v-{index:04d}",
            "email": person["email"],
            "first_seen": "2025-06-01",
            "pages_viewed": 12 + index,
            "tracking_consent": True,
        }
        for index, person in enumerate(PEOPLE, start=1)
    ]


def _platform_usage() -> list[dict[str, Any]]:
    """Per account and day, keyed by account id: no email here, so only enrichment finds it."""
    days = [("acct-1001", "2026-10-01", "macOS 14", "MacBookPro18,3", "203.0.113.7")]
    days += [("acct-1001", "2026-10-02", "iOS 17", "iPhone15,2", "203.0.113.7")]
    days += [("acct-1002", "2026-10-01", "Windows 11", "Surface Laptop 5", "198.51.100.23")]
    return [
        {"account_id": account, "day": day, "os": os, "system_model": model, "ip": ip, "seats": 3}
        for account, day, os, model, ip in days
    ]


TABLE_ITEMS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "platform-usage": _platform_usage,
    "accounts": _accounts,
    "invoice-terms": _invoice_terms,
    "billing-invoices": _invoices,
    "marketing-leads": _marketing_leads,
    "analytics": _analytics_profiles,
}


def _seed_table(aws: _Clients, store: DynamoDbStore, items: list[dict[str, Any]]) -> int:
    dynamodb = aws.client("dynamodb")
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
    table = aws.resource("dynamodb").Table(store.table)
    for item in items:
        table.put_item(Item=item)
    return len(items)


# ------------------------------------------------------------------------------ S3 lines


def _support_tickets() -> list[dict[str, Any]]:
    return [
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
        {"ticket": 7004, "requester_email": "alan@example.net", "topic": "API limits", "device": "Linux"},
    ]


def _device_log_lines() -> list[dict[str, Any]]:
    visits = [
        ("2026-10-02T09:14:03Z", "ada@example.com", "203.0.113.7", "Safari/17.0 (Macintosh)", "/pricing"),
        (
            "2026-10-02T11:40:51Z",
            "grace@example.org",
            "198.51.100.23",
            "Edge/129 (Windows NT 10.0)",
            "/login",
        ),
        ("2026-10-05T17:02:12Z", "Ada@Example.com", "203.0.113.7", "Mobile Safari (iPhone; iOS 17)", "/app"),
        ("2026-10-07T08:25:40Z", "alan@example.net", "192.0.2.44", "Firefox/131 (X11; Linux)", "/docs, api"),
    ]
    return [
        {"timestamp": at, "email": email, "ip": ip, "user_agent": agent, "path": path}
        for at, email, ip, agent, path in visits
    ]


LINE_RECORDS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "support-tickets": _support_tickets,
    "device-logs": _device_log_lines,
}


def _json_lines(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def _csv(records: list[dict[str, Any]]) -> bytes:
    if not records:
        return b""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return text.getvalue().encode()


def _seed_lines(aws: _Clients, store: S3LinesStore, name: str, body: bytes) -> int:
    s3 = _bucket(aws, store.bucket)
    if not body:
        return 0
    s3.put_object(Bucket=store.bucket, Key=f"{store.prefix}{name}", Body=body)
    return body.count(b"\n") - (1 if name.endswith(".csv") else 0)


# ------------------------------------------------------------------------------ processors

ProcessorRecords = dict[str, list[dict[str, Any]]]


def _payment_records() -> ProcessorRecords:
    """The payment processor's: each customer's card on file and the charges it made."""
    return {
        ADA["email"]: [
            {
                "card_brand": "Visa",
                "card_last4": ADA["card_last4"],
                "card_expiry": "2028-09",
                "name_on_card": ADA["name"],
            },
            {"charge_id": "ch-3001", "charged_on": "2024-01-31", "amount": "49.00", "currency": "USD"},
            {"charge_id": "ch-3002", "charged_on": "2025-02-28", "amount": "49.00", "currency": "USD"},
        ],
        GRACE["email"]: [
            {
                "card_brand": "Mastercard",
                "card_last4": GRACE["card_last4"],
                "card_expiry": "2027-05",
                "name_on_card": GRACE["name"],
            },
            {"charge_id": "ch-3003", "charged_on": "2025-03-31", "amount": "129.50", "currency": "USD"},
        ],
    }


def _mailing_list_records() -> ProcessorRecords:
    """The email provider's: the newsletter subscription of everyone who signed up."""
    return {
        person["email"]: [
            {
                "email": person["email"],
                "name": person["name"],
                "mailing_list": "Product news",
                "subscribed_on": "2025-06-01",
                "emails_opened": 3 + index,
            }
        ]
        for index, person in enumerate(PEOPLE)
    }


PROCESSOR_RECORDS: dict[str, Callable[[], ProcessorRecords]] = {
    "payments": _payment_records,
    "email-provider": _mailing_list_records,
}
PROCESSOR_DOMAINS = {"payments": "payments.example", "email-provider": "mail.example"}


def processor_holdings(domain: str) -> ProcessorRecords:
    """What the demonstration processor at ``domain`` holds, per email address."""
    return next(
        (
            records()
            for system_id, records in PROCESSOR_RECORDS.items()
            if PROCESSOR_DOMAINS[system_id] == domain
        ),
        {},
    )


# ------------------------------------------------------------------------------ S3 objects

# A few bytes that open as a PDF's first line: enough for the demo, not a real document.
FAKE_PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
SubjectFiles = dict[str, list[tuple[str, bytes, str]]]


def _job_applications() -> SubjectFiles:
    """Per applicant: (file name, content, type), in upload order; a name twice is a new version."""
    return {
        ADA["email"]: [
            ("cv.pdf", FAKE_PDF + b"% first draft\n", "application/pdf"),
            ("cv.pdf", FAKE_PDF + b"% updated\n", "application/pdf"),
            ("cover-letter.txt", b"I would like to apply for the analyst role.\n", "text/plain"),
        ],
        ALAN["email"]: [("cv.pdf", FAKE_PDF, "application/pdf")],
    }


SUBJECT_OBJECTS: dict[str, Callable[[], SubjectFiles]] = {"job-applications": _job_applications}


def _seed_subject_objects(aws: _Clients, store: S3ObjectsStore, files: SubjectFiles) -> int:
    """Versioned, as a bucket of applications should be: so erasure must remove old versions too."""
    s3 = _bucket(aws, store.bucket)
    s3.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    keys = set()
    for email, uploads in files.items():
        prefix = S3ObjectsConnector(s3, store).prefix_for(Subject(email=email))
        for name, content, content_type in uploads:
            s3.put_object(Bucket=store.bucket, Key=prefix + name, Body=content, ContentType=content_type)
            keys.add(prefix + name)
    return len(keys)


def _bucket(aws: _Clients, name: str) -> Any:
    s3 = aws.client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name not in existing:
        s3.create_bucket(Bucket=name)
    return s3
