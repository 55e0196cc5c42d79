"""Every function of the local cloud, and the tests, share one process and its cached desk: two
threads querying through one boto3 resource at once must each get their own condition expression,
as two Lambda environments would."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import ConditionExpressionBuilder, Key

from local_cloud.cloud import _build_each_condition_expression_alone


@pytest.fixture
def table(aws: None) -> Any:
    _build_each_condition_expression_alone()  # as a cloud's start does, before any resource is made
    dynamodb = boto3.resource("dynamodb")
    made = dynamodb.create_table(
        TableName="requests",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for pk in ("REQ#a", "REQ#b"):
        made.put_item(Item={"pk": pk, "sk": "TASK#1"})
    return made


def test_a_query_built_while_another_thread_builds_one_waits_and_both_are_answered(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    building, release = threading.Event(), threading.Event()
    entered: list[str] = []
    build = ConditionExpressionBuilder.build_expression

    def paused(builder: ConditionExpressionBuilder, condition: Any, is_key_condition: bool = False) -> Any:
        entered.append(threading.current_thread().name)
        if threading.current_thread().name == "first":
            building.set()
            release.wait(timeout=10)
        return build(builder, condition, is_key_condition=is_key_condition)

    monkeypatch.setattr(ConditionExpressionBuilder, "build_expression", paused)
    answers: dict[str, Any] = {}

    def query(pk: str) -> None:
        condition = Key("pk").eq(pk) & Key("sk").begins_with("TASK#")
        answers[pk] = table.query(KeyConditionExpression=condition)["Items"]

    first = threading.Thread(target=query, args=("REQ#a",), name="first")
    second = threading.Thread(target=query, args=("REQ#b",), name="second")
    first.start()
    assert building.wait(timeout=10)
    second.start()
    second.join(timeout=0.3)
    assert entered == ["first"]  # the second waits while the first builds its expression
    release.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert answers == {
        "REQ#a": [{"pk": "REQ#a", "sk": "TASK#1"}],
        "REQ#b": [{"pk": "REQ#b", "sk": "TASK#1"}],
    }
