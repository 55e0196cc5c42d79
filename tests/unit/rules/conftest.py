"""The desk's rules on their own: each test gets a desk whose requests table, keys and buckets
are moto's, in this process, made from template.yaml, and whose workflow engine and mailer are
the in-memory ones in ``fakes``. No local cloud, no HTTP, no state machine: a rule is called as
a stage calls it, and the test plays the state machine (handing out task tokens) and the person.

The repositories are the real ones over moto's table, not stand-ins of their own: a decision is
a conditional write, and moto refuses a write whose condition fails, as DynamoDB does."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

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


@pytest.fixture
def desk(aws: None, clock: StoppedClock) -> Iterator[DeskInMemory]:
    make_kms_key_pairs_on_first_use()  # as the local cloud does: no RSA key made that no rule uses
    boto3.setup_default_session(region_name=REGION)
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
