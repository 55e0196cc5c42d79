"""The local cloud's reading of Lambda's event filters and its delivery of a DynamoDB stream:
what selects a record, what is refused at start, and how a failing batch is retried."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from local_cloud.streams import (
    FilterPatternError,
    StreamDelivery,
    StreamSource,
    lambda_record,
    matches,
    parse_pattern,
)

DRP_REQUESTS = (
    '{"eventName": ["INSERT", "MODIFY"],'
    ' "dynamodb": {"NewImage": {"sk": {"S": ["REQUEST"]}, "channel": {"S": ["drp"]}}}}'
)


def _record(event_name: str, sequence: str, **image: str) -> dict[str, Any]:
    return {
        "eventName": event_name,
        "dynamodb": {
            "SequenceNumber": sequence,
            "NewImage": {name: {"S": value} for name, value in image.items()},
        },
    }


def test_a_drp_request_record_is_selected_and_others_are_not() -> None:
    pattern = parse_pattern(DRP_REQUESTS)
    assert matches(pattern, _record("MODIFY", "1", sk="REQUEST", channel="drp"))
    assert matches(pattern, _record("INSERT", "1", sk="REQUEST", channel="drp"))
    assert not matches(pattern, _record("MODIFY", "1", sk="REQUEST", channel="web"))
    assert not matches(pattern, _record("MODIFY", "1", sk="EVT#1", channel="drp"))
    assert not matches(pattern, _record("REMOVE", "1", sk="REQUEST", channel="drp"))
    assert not matches(pattern, _record("MODIFY", "1", sk="REQUEST"))  # no channel at all
    assert not matches(pattern, {"eventName": "REMOVE", "dynamodb": {"OldImage": {}}})


def test_exists_selects_on_presence_of_a_leaf_alone() -> None:
    pattern = parse_pattern('{"dynamodb": {"NewImage": {"linked_to": {"S": [{"exists": false}]}}}}')
    assert matches(pattern, _record("MODIFY", "1", sk="REQUEST"))
    assert not matches(pattern, _record("MODIFY", "1", linked_to="x"))


@pytest.mark.parametrize(
    "pattern",
    [
        '{"dynamodb": {"NewImage": {"channel": {"S": [{"prefix": "dr"}]}}}}',
        '{"dynamodb": {"NewImage": {"channel": {"S": [{"anything-but": ["web"]}]}}}}',
        '{"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}}',
        '{"eventName": "MODIFY"}',
        '{"eventName": []}',
        "[]",
        "not json",
    ],
)
def test_a_pattern_the_local_cloud_cannot_evaluate_is_refused(pattern: str) -> None:
    with pytest.raises(FilterPatternError):
        parse_pattern(pattern)


@settings(max_examples=40, deadline=None)
@given(
    channel=st.text(max_size=8),
    sort_key=st.text(max_size=8),
    event_name=st.sampled_from(["INSERT", "MODIFY", "REMOVE"]),
)
def test_only_drp_request_items_are_ever_selected(channel: str, sort_key: str, event_name: str) -> None:
    selected = matches(parse_pattern(DRP_REQUESTS), _record(event_name, "1", sk=sort_key, channel=channel))
    assert selected == (channel == "drp" and sort_key == "REQUEST" and event_name != "REMOVE")


def test_moto_records_become_lambda_records() -> None:
    from datetime import UTC, datetime

    moto_record = {
        "eventID": "e1",
        "eventName": "MODIFY",
        "eventVersion": "1.0",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": datetime(2026, 1, 2, tzinfo=UTC),
            "Keys": {"pk": {"S": "REQ#1"}},
            "NewImage": {"pk": {"S": "REQ#1"}, "blob": {"B": b"\x00\x01"}, "n": {"M": {"x": {"B": b"a"}}}},
            "SequenceNumber": "10",
            "SizeBytes": 12,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }
    record = lambda_record(moto_record, "arn:stream")
    assert record["eventSourceARN"] == "arn:stream"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1767312000
    assert record["dynamodb"]["NewImage"]["blob"] == {"B": "AAE="}
    assert record["dynamodb"]["NewImage"]["n"] == {"M": {"x": {"B": "YQ=="}}}
    json.dumps(record)  # what Lambda sends is JSON
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBStreamEvent

    parsed = next(iter(DynamoDBStreamEvent({"Records": [record]}).records))
    assert parsed.dynamodb is not None and parsed.dynamodb.sequence_number == "10"


@pytest.fixture(autouse=True)
def _no_pause_between_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("local_cloud.streams.RETRY_PAUSE_SECONDS", 0.0)


def _source(max_retries: int, *, bisect: bool = False) -> StreamSource:
    return StreamSource(
        function="F",
        event_name="E",
        table="T",
        starting_position="TRIM_HORIZON",
        batch_size=10,
        filters=[],
        max_retries=max_retries,
        bisect=bisect,
        reports_item_failures=True,
        on_failure_queue=None,
    )


def _delivery(answers: list[Any], seen: list[list[str]]) -> StreamDelivery:
    def invoke(_function: str, event: dict[str, Any]) -> Any:
        seen.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        answer = answers.pop(0) if answers else {"batchItemFailures": []}
        if isinstance(answer, Exception):
            raise answer
        return answer

    return StreamDelivery([], {}, invoke, {}, {})


def test_a_partial_failure_is_retried_from_the_failed_record_on() -> None:
    seen: list[list[str]] = []
    delivery = _delivery([{"batchItemFailures": [{"itemIdentifier": "2"}]}], seen)
    batch = [_record("MODIFY", str(n)) for n in (1, 2, 3)]
    delivery._deliver_batch(_source(3), "shard", "arn", batch)
    assert seen == [["1", "2", "3"], ["2", "3"]]
    assert delivery.failed_batches == 0


def test_retries_end_after_the_maximum_and_the_batch_is_given_up() -> None:
    seen: list[list[str]] = []
    failing = {"batchItemFailures": [{"itemIdentifier": "1"}]}
    delivery = _delivery([failing] * 10, seen)
    delivery._deliver_batch(_source(2), "shard", "arn", [_record("MODIFY", "1")])
    assert seen == [["1"]] * 3  # the first attempt and two retries
    assert delivery.failed_batches == 1


def test_a_function_error_bisects_the_batch_when_asked() -> None:
    seen: list[list[str]] = []
    delivery = _delivery([RuntimeError("boom")], seen)
    batch = [_record("MODIFY", str(n)) for n in (1, 2, 3, 4)]
    delivery._deliver_batch(_source(0, bisect=True), "shard", "arn", batch)
    assert seen == [["1", "2", "3", "4"], ["1", "2"], ["3", "4"]]


def test_each_invocation_after_a_function_error_starts_without_the_earlier_error() -> None:
    """As in Lambda, where each invocation is its own: a halved batch's function is not run while
    the error of the whole batch is being handled (its own error would carry the earlier one, and
    the log of each error the ones before it)."""
    handling: list[BaseException | None] = []

    def invoke(_function: str, _event: dict[str, Any]) -> Any:
        handling.append(sys.exc_info()[1])
        raise RuntimeError("every record fails")

    delivery = StreamDelivery([], {}, invoke, {}, {})
    batch = [_record("MODIFY", str(n)) for n in range(1, 9)]
    delivery._deliver_batch(_source(1, bisect=True), "shard", "arn", batch)

    assert len(handling) > 8  # split down to single records, each tried twice
    assert handling == [None] * len(handling)
