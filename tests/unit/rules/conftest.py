"""The desk's rules on their own: each test gets a desk whose requests table, keys and buckets
are moto's, in this process, made from template.yaml, and whose workflow engine and mailer are
the in-memory ones in ``fakes``. No local cloud, no HTTP, no state machine: a rule is called as
a stage calls it, and the test plays the state machine (handing out task tokens) and the person.

The repositories are the real ones over moto's table, not stand-ins of their own: a decision is
a conditional write, and moto refuses a write whose condition fails, as DynamoDB does."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from dsr.core.registry import load_registry
from dsr.core.registry_stores import DynamoDbStore
from dsr.core.settings import DeskSettings
from dsr.policies.verification import load_policy
from dsr.wiring.desk import Desk
from local_cloud.cloud import (
    LOCAL_PARAMETERS,
    TEMPLATE_PATH,
    create_buckets,
    create_keys,
    create_tables,
    make_kms_key_pairs_on_first_use,
)
from local_cloud.demo_data import TABLE_ITEMS
from local_cloud.product_login import DemoProductLogin
from local_cloud.template import ACCOUNT_ID, REGION, read_template
from tests.unit.rules.fakes import RecordedMailer, RecordedWorkflow, StoppedClock

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday in term time: no holiday near
PUBLIC_BASE_URL = "https://privacy.example"

_TEMPLATE = read_template(
    TEMPLATE_PATH,
    {
        **LOCAL_PARAMETERS,
        "PublicBaseUrl": PUBLIC_BASE_URL,
        "ProductLoginUrl": "",
        "ProductLoginPublicKey": "",
    },
)


class DeskInMemory(Desk):
    """The desk with the in-memory workflow engine and mailer in place of Step Functions and SES."""

    @property
    def workflow(self) -> Any:
        return self._once("workflow", RecordedWorkflow)

    @property
    def mailer(self) -> Any:
        return self._once("mailer", RecordedMailer)


@pytest.fixture
def clock() -> StoppedClock:
    return StoppedClock(NOW)


_made_once: dict[tuple[Any, ...], Any] = {}


@functools.cache
def _session() -> boto3.Session:
    return boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")


def _options_key(options: dict[str, Any]) -> tuple[Any, ...]:
    def key(value: Any) -> Any:
        return tuple(sorted(value._user_provided_options.items())) if isinstance(value, Config) else value

    return tuple(sorted((name, key(value)) for name, value in options.items()))


def _made_once_client(service: str, **options: Any) -> Any:
    return _once(("client", service, _options_key(options)), lambda: _session().client(service, **options))


def _made_once_resource(service: str, **options: Any) -> Any:
    return _once(
        ("resource", service, _options_key(options)), lambda: _session().resource(service, **options)
    )


def _once(key: tuple[Any, ...], make: Any) -> Any:
    if key not in _made_once:
        _made_once[key] = make()
    return _made_once[key]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto, fresh for each test, answering clients made once for the whole run: a botocore
    session costs about 0.1 s and each client about 30 ms, most of a rule's test otherwise. moto
    answers a client whichever test made it, from the state of the test that calls it."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setattr(boto3, "client", _made_once_client)
    monkeypatch.setattr(boto3, "resource", _made_once_resource)
    make_kms_key_pairs_on_first_use()  # as the local cloud does: no RSA key made that no rule uses
    with mock_aws():
        yield


@pytest.fixture
def desk(aws: None, clock: StoppedClock) -> Iterator[DeskInMemory]:
    keys = create_keys(_TEMPLATE)
    create_tables(_TEMPLATE)
    create_buckets(_TEMPLATE)
    settings = DeskSettings(
        REQUESTS_TABLE=_TEMPLATE.physical_name("RequestsTable"),
        PACKAGES_BUCKET=_TEMPLATE.physical_name("AccessPackagesBucket"),
        INBOUND_MAIL_BUCKET=_TEMPLATE.physical_name("InboundMailBucket"),
        DATA_KEY_ID=keys["DataKey"],
        IDENTITY_KEY_ID=keys["IdentityHashKey"],
        SENDER_ADDRESS=_TEMPLATE.parameters["SenderAddress"],
        PRIVACY_MAILBOX=_TEMPLATE.parameters["PrivacyMailbox"],
        STAFF_ALERT_ADDRESS=_TEMPLATE.parameters["AlertEmail"],
        PUBLIC_BASE_URL=PUBLIC_BASE_URL,
        DESK_ACCOUNT_ID=ACCOUNT_ID,
        ALERTS_TOPIC_ARN=_TEMPLATE.arn("AlertsTopic"),
        STATE_MACHINE_ARN=_TEMPLATE.arn("RequestWorkflow"),
    )
    boto3.client("sns").create_topic(Name=_TEMPLATE.physical_name("AlertsTopic"))
    yield DeskInMemory(settings=settings, clock=clock, registry_path=settings.system_registry_path)


@pytest.fixture
def workflow(desk: DeskInMemory) -> RecordedWorkflow:
    return desk.workflow  # type: ignore[no-any-return]


@pytest.fixture
def outbox(desk: DeskInMemory) -> RecordedMailer:
    return desk.mailer  # type: ignore[no-any-return]


@pytest.fixture
def accounts(desk: DeskInMemory) -> list[dict[str, Any]]:
    """The product's accounts store, where the data points the matched level asks for are held,
    with the demonstration people's accounts in it (Ada's and Grace's)."""
    store = desk.registry.system(load_policy().data_points.source_system).store
    assert isinstance(store, DynamoDbStore)
    attributes = sorted({*store.key_attributes, store.identity_attribute})
    boto3.client("dynamodb").create_table(
        TableName=store.table,
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in attributes],
        KeySchema=[{"AttributeName": store.key_attributes[0], "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": str(store.index),
                "KeySchema": [{"AttributeName": store.identity_attribute, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    held = TABLE_ITEMS["accounts"]()
    table = boto3.resource("dynamodb").Table(store.table)
    for item in held:
        table.put_item(Item=item)
    return held


@pytest.fixture
def product_login(desk: DeskInMemory) -> DemoProductLogin:
    """The product's login, configured on the desk: account holders sign in instead of matching
    data points, and the product vouches for them with a signed assertion."""
    login = DemoProductLogin()
    desk.settings = desk.settings.model_copy(
        update={
            "product_login_public_key": login.public_key_b64,
            "product_login_url": f"{PUBLIC_BASE_URL}/product-login",
        }
    )
    return login


# --- a small registry of the desk's own systems, handed-off ones among them -------------------

SMALL_REGISTRY = """
systems:
  - id: accounts
    name: Accounts
    owner: platform
    categories: [identifiers, contact details]
    store: {kind: dynamodb, table: rules-accounts, index: ByEmail, identity_attribute: email,
            key_attributes: [account_id]}
    provides: {account_id: account_id}
    actions:
      export: {}
      erase: {method: delete}
      rectify: {fields: {name: name}}
      restrict: {set_fields: {processing_restricted: true}}
  - id: invoices
    name: Invoices
    owner: finance
    categories: [billing details]
    store: {kind: dynamodb, table: rules-invoices, index: ByEmail, identity_attribute: email,
            key_attributes: [invoice_id]}
    actions: {export: {}, erase: {method: delete}}
    exemptions:
      - applies_to: [erase]
        reason: "Tax law requires us to keep invoices for six years"
        citation: "Taxes Management Act 1970, s.12B"
        instead: {method: anonymize, fields: {name: "[removed]", email: "removed@invalid"}}
  - id: usage
    name: Platform usage
    owner: platform
    categories: [usage]
    store: {kind: dynamodb, table: rules-usage, identity_attribute: account_id, identity: account_id,
            key_attributes: [account_id, at]}
    actions: {export: {}, erase: {}}
  - id: tickets
    name: Support tickets
    owner: support
    categories: [support history]
    store: {kind: s3_jsonl, bucket: rules-tickets, prefix: tickets/, identity_attribute: requester_email}
    actions: {export: {}, erase: {}}
  - id: helpline
    name: Telephone helpline
    owner: support
    categories: [support history]
    store: {kind: vendor_email, vendor: Helpline Ltd, privacy_address: privacy@helpline.example,
            answer_within_days: 10}
    actions: {export: {}, erase: {}, restrict: {set_fields: {restricted: true}}}
  - id: crm-contacts
    name: Customers' CRM contacts
    owner: platform
    categories: [contact details]
    store: {kind: customer_controllers, contacts_table: rules-contacts, contacts_index: ByEmail,
            customers_table: rules-customers}
    actions: {export: {}, erase: {}}
  - id: payments
    name: Payments (our payment provider)
    owner: finance
    categories: [billing details]
    store: {kind: opendsr, domain: payments.example, base_url_env: RULES_PAYMENTS_OPENDSR_URL,
            answer_within_days: 30}
    actions: {export: {}, erase: {}}
"""

SMALL_REGISTRY_ITEMS: dict[str, list[dict[str, Any]]] = {
    "rules-accounts": [
        {"account_id": "acct-1", "email": "ada@example.net", "name": "Ada Lovelace"},
        {"account_id": "acct-2", "email": "grace@example.org", "name": "Grace Hopper"},
    ],
    "rules-invoices": [
        {"invoice_id": "inv-1", "email": "ada@example.net", "name": "Ada Lovelace", "amount": "49.00"},
        {"invoice_id": "inv-2", "email": "ada@example.net", "name": "Ada Lovelace", "amount": "12.00"},
        {"invoice_id": "inv-3", "email": "grace@example.org", "name": "Grace Hopper", "amount": "8.00"},
    ],
    "rules-usage": [
        {"account_id": "acct-1", "at": "2026-02-01T10:00:00Z", "page": "/billing"},
        {"account_id": "acct-1", "at": "2026-02-02T10:00:00Z", "page": "/export"},
        {"account_id": "acct-2", "at": "2026-02-01T11:00:00Z", "page": "/home"},
    ],
    "rules-contacts": [
        {"contact_id": "c1", "email": "ada@example.net", "customer_id": "northwind"},
        {"contact_id": "c2", "email": "ada@example.net", "customer_id": "globex"},
        {"contact_id": "c3", "email": "alan@example.net", "customer_id": "initech"},
    ],
    "rules-customers": [
        {"customer_id": "northwind", "name": "Northwind", "admin_emails": ["admin@northwind.example"]},
        {
            "customer_id": "globex",
            "name": "Globex",
            "admin_emails": ["dpo@globex.example", "it@globex.example"],
        },
        {"customer_id": "initech", "name": "Initech", "admin_emails": []},
    ],
}
SMALL_REGISTRY_TICKETS = (
    b'{"ticket": "t1", "requester_email": "ada@example.net", "text": "cannot log in"}\n'
    b'{"ticket": "t2", "requester_email": "grace@example.org", "text": "invoice copy"}\n'
    b'{"ticket": "t3", "requester_email": "Ada@Example.net", "text": "thanks"}\n'
)


def _create_table(dynamodb: Any, name: str, keys: list[str], email_index: bool) -> None:
    attributes = {*keys, "email"} if email_index else set(keys)
    options: dict[str, Any] = {}
    if email_index:
        options["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "ByEmail",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": key, "KeyType": kind}
            for key, kind in zip(keys, ["HASH", "RANGE"], strict=False)
        ],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"} for name in sorted(attributes)],
        BillingMode="PAY_PER_REQUEST",
        **options,
    )


@pytest.fixture
def systems(desk: DeskInMemory, tmp_path: Path) -> DeskInMemory:
    """The desk with ``SMALL_REGISTRY`` as its registry, and its tables and bucket made and filled
    (Ada holds records in each, Grace in some). The processor's URL is the test's to set."""
    dynamodb = boto3.client("dynamodb")
    _create_table(dynamodb, "rules-accounts", ["account_id"], email_index=True)
    _create_table(dynamodb, "rules-invoices", ["invoice_id"], email_index=True)
    _create_table(dynamodb, "rules-usage", ["account_id", "at"], email_index=False)
    _create_table(dynamodb, "rules-contacts", ["contact_id"], email_index=True)
    _create_table(dynamodb, "rules-customers", ["customer_id"], email_index=False)
    tables = desk.dynamodb  # the desk's own resource: made once
    for table, items in SMALL_REGISTRY_ITEMS.items():
        with tables.Table(table).batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
    desk.s3.create_bucket(Bucket="rules-tickets")
    desk.s3.put_object(Bucket="rules-tickets", Key="tickets/2026-02.jsonl", Body=SMALL_REGISTRY_TICKETS)
    path = tmp_path / "systems.yaml"
    path.write_text(SMALL_REGISTRY, encoding="utf-8")
    desk.registry = load_registry(path)
    return desk


@pytest.fixture
def staff_alerts(desk: DeskInMemory) -> Callable[[], list[dict[str, Any]]]:
    """What staff were alerted of on the alerts topic, in order: each alert's subject beside its
    decoded message, read through a queue subscribed to the topic."""
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="rules-staff-alerts")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(TopicArn=desk.settings.alerts_topic_arn, Protocol="sqs", Endpoint=queue_arn)
    seen: list[dict[str, Any]] = []

    def received() -> list[dict[str, Any]]:
        while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                alert = json.loads(message["Body"])
                seen.append({"Subject": alert.get("Subject"), **json.loads(alert["Message"])})
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return list(seen)

    return received
