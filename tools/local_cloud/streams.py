"""DynamoDB streams delivered to functions as Lambda's event source mappings deliver them.

template.yaml's ``DynamoDB`` events are read at start: the table's stream, the starting position,
the batch size, the ``FilterCriteria``, ``MaximumRetryAttempts``, ``BisectBatchOnFunctionError``,
``FunctionResponseTypes`` (partial batch responses) and the on-failure destination. A poller reads
each stream from moto (``dynamodbstreams``, with the function's own role, as the mapping reads
it), turns moto's records into the records Lambda puts in its event, drops those no filter
selects, and invokes the function with batches in stream order:

- the function raises: the batch is split in two and each half tried on its own when bisecting
  is on (a split is not a retry), else the whole batch is tried again;
- the function answers ``batchItemFailures``: the batch is tried again from the first failed
  record (the records before it are done);
- after ``MaximumRetryAttempts`` retries, what is left of the batch is described (shard and
  sequence numbers, as Lambda describes it; never the records) on the on-failure queue, and the
  stream moves on.

Filters: the equality patterns (a list of values, one of which the field must equal) and
``exists``, nested to any depth; several filters select a record when any one does. A pattern
using anything else of Lambda's syntax (prefix, numeric, anything-but...) is refused when the
cloud starts rather than silently read as something else."""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3

from local_cloud.iam import RolePolicy, acting_as
from local_cloud.template import Template

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.1
MAX_POLL_PAUSE_SECONDS = 5.0
RETRY_PAUSE_SECONDS = 0.05  # Lambda backs off between retries; locally a short pause will do
STARTING_POSITIONS = {"TRIM_HORIZON", "LATEST"}


class FilterPatternError(ValueError):
    """A FilterCriteria pattern the local cloud cannot evaluate as Lambda would."""


Pattern = dict[str, Any]


def parse_pattern(text: str) -> Pattern:
    """A filter's pattern (the JSON text in the template), checked to use only what is evaluated."""
    try:
        pattern = json.loads(text)
    except (TypeError, ValueError) as error:
        raise FilterPatternError(f"a filter pattern is not JSON: {text!r}") from error
    if not isinstance(pattern, dict) or not pattern:
        raise FilterPatternError(f"a filter pattern must be a non-empty JSON object: {text!r}")
    _check(pattern, text)
    return pattern


def _check(pattern: Mapping[str, Any], text: str) -> None:
    for name, rule in pattern.items():
        if isinstance(rule, dict):
            if not rule:
                raise FilterPatternError(f"{name}: an empty object in filter pattern {text}")
            _check(rule, text)
            continue
        if not isinstance(rule, list) or not rule:
            raise FilterPatternError(f"{name}: a filter value must be a non-empty list, in {text}")
        for value in rule:
            if isinstance(value, dict):
                if set(value) != {"exists"} or not isinstance(value["exists"], bool):
                    raise FilterPatternError(
                        f"{name}: the local cloud evaluates equality and exists only, not {value} in {text}"
                    )
            elif not isinstance(value, (str, int, float, bool)) and value is not None:
                raise FilterPatternError(f"{name}: {value!r} is not a value a filter can match, in {text}")


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether ``record`` (a Lambda event record) satisfies every field of ``pattern``."""
    for name, rule in pattern.items():
        present = name in record
        value = record.get(name)
        if isinstance(rule, dict):
            # An absent object is matched as an empty one: only ``exists: false`` holds in it.
            if not matches(rule, value if isinstance(value, dict) else {}):
                return False
            continue
        if not any(_value_matches(expected, present, value) for expected in rule):
            return False
    return True


def _value_matches(expected: Any, present: bool, value: Any) -> bool:
    if isinstance(expected, dict):  # {"exists": bool}
        return bool(expected["exists"]) == (present and not isinstance(value, dict))
    if not present:
        return False
    candidates = value if isinstance(value, list) else [value]
    return any(_equal(expected, candidate) for candidate in candidates)


def _equal(expected: Any, candidate: Any) -> bool:
    if isinstance(expected, bool) or isinstance(candidate, bool) or expected is None or candidate is None:
        return bool(expected is candidate or (expected == candidate and type(expected) is type(candidate)))
    if isinstance(expected, (int, float)) and isinstance(candidate, (int, float)):
        return float(expected) == float(candidate)
    return bool(expected == candidate)


@dataclass
class StreamSource:
    """One ``DynamoDB`` event of one function, as template.yaml declares it."""

    function: str
    event_name: str
    table: str
    starting_position: str
    batch_size: int
    filters: list[Pattern]
    max_retries: int
    bisect: bool
    reports_item_failures: bool
    on_failure_queue: str | None
    iterators: dict[str, str | None] = field(default_factory=dict)

    def selects(self, record: Mapping[str, Any]) -> bool:
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)


def stream_sources(template: Template, refs: dict[str, str]) -> list[StreamSource]:
    """Every ``DynamoDB`` event in the template, checked: what the local cloud cannot deliver as
    Lambda would is refused here, with the function and event named."""
    found = []
    for function, resource in template.of_type("AWS::Serverless::Function").items():
        for event_name, event in resource["Properties"].get("Events", {}).items():
            if event["Type"] != "DynamoDB":
                continue
            props = event["Properties"]
            where = f"{function}.{event_name}"
            stream = props.get("Stream", {})
            if not (
                isinstance(stream, dict) and "Fn::GetAtt" in stream and stream["Fn::GetAtt"][1] == "StreamArn"
            ):
                raise ValueError(f"{where}: Stream must be !GetAtt <table>.StreamArn")
            table = stream["Fn::GetAtt"][0]
            spec = template.resources[table]["Properties"].get("StreamSpecification", {})
            if spec.get("StreamViewType") is None:
                raise ValueError(f"{where}: the table {table} declares no StreamSpecification")
            position = props.get("StartingPosition")
            if position not in STARTING_POSITIONS:
                raise ValueError(f"{where}: StartingPosition must be one of {sorted(STARTING_POSITIONS)}")
            retries = int(props.get("MaximumRetryAttempts", -1))
            if retries < 0:
                raise ValueError(
                    f"{where}: give MaximumRetryAttempts (the local cloud retries a bounded number of times)"
                )
            destination = props.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
            found.append(
                StreamSource(
                    function=function,
                    event_name=event_name,
                    table=table,
                    starting_position=position,
                    batch_size=int(props.get("BatchSize", 100)),
                    filters=[
                        parse_pattern(str(template.resolve(f["Pattern"], refs)))
                        for f in props.get("FilterCriteria", {}).get("Filters", [])
                    ],
                    max_retries=retries,
                    bisect=bool(props.get("BisectBatchOnFunctionError", False)),
                    reports_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
                    on_failure_queue=str(template.resolve(destination, refs)) if destination else None,
                )
            )
    return found


def lambda_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    """moto's stream record (as boto3 parses it) as Lambda puts it in the event: the creation
    time in epoch seconds, binary values in base64, and the stream's ARN."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("Keys", "NewImage", "OldImage"):
        if image in change:
            change[image] = {name: _attribute(value) for name, value in change[image].items()}
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion"),
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def _attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    ((kind, content),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(content).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in content]}
    if kind == "M":
        return {"M": {name: _attribute(item) for name, item in content.items()}}
    if kind == "L":
        return {"L": [_attribute(item) for item in content]}
    return {kind: content}


class StreamDelivery:
    """Polls each source's stream and invokes its function, on a thread of its own (``start``),
    or once when asked (``deliver``, for tests that want the deliveries done before they look)."""

    def __init__(
        self,
        sources: list[StreamSource],
        stream_arns: dict[str, str],
        invoke: Callable[[str, dict[str, Any]], Any],
        roles: Mapping[str, RolePolicy],
        function_arns: Mapping[str, str],
    ) -> None:
        self.sources = sources
        self._stream_arns = stream_arns
        self._invoke = invoke
        self._roles = roles
        self._function_arns = function_arns
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.failed_batches = 0
        # Made once, at start, on the thread that starts the cloud: clients are safe to share
        # between threads, making them from the default session at once is not.
        self._streams: Any = None
        self._sqs: Any = None

    def open(self) -> StreamDelivery:
        """Each source's position in each shard of its stream, as the mapping takes it when made."""
        self._streams = streams = boto3.client("dynamodbstreams")
        self._sqs = boto3.client("sqs")
        for source in self.sources:
            arn = self._stream_arns[source.table]
            with acting_as(self._roles.get(source.function)):
                shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
                for shard in shards:
                    source.iterators[shard["ShardId"]] = streams.get_shard_iterator(
                        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=source.starting_position
                    )["ShardIterator"]
        return self

    def start(self) -> StreamDelivery:
        if not self.sources:
            return self
        self._thread = threading.Thread(target=self._run, name="dynamodb-streams", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        pause = POLL_SECONDS
        while not self._stop.wait(pause):
            try:
                self.deliver()
                pause = POLL_SECONDS
            except Exception:  # the poller goes on, as Lambda's does, less often while it fails
                logger.exception("reading a stream failed")
                pause = min(pause * 2, MAX_POLL_PAUSE_SECONDS)

    def deliver(self) -> int:
        """Read what is new on every stream and deliver it; how many records were delivered."""
        delivered = 0
        with self._lock:
            streams = self._streams
            for source in self.sources:
                arn = self._stream_arns[source.table]
                for shard_id, iterator in list(source.iterators.items()):
                    if iterator is None or self._stop.is_set():
                        continue
                    with acting_as(self._roles.get(source.function)):
                        page = streams.get_records(ShardIterator=iterator)
                    source.iterators[shard_id] = page.get("NextShardIterator")
                    records = [lambda_record(r, arn) for r in page.get("Records", [])]
                    selected = [r for r in records if source.selects(r)]
                    for start in range(0, len(selected), source.batch_size):
                        batch = selected[start : start + source.batch_size]
                        self._deliver_batch(source, shard_id, arn, batch)
                        delivered += len(batch)
        return delivered

    def _deliver_batch(
        self, source: StreamSource, shard_id: str, arn: str, batch: list[dict[str, Any]]
    ) -> None:
        retries = 0
        pending = batch
        while pending and not self._stop.is_set():  # a stopping cloud delivers nothing more
            failed_from: int | None
            try:
                answer = self._invoke(source.function, {"Records": pending})
            except Exception:  # a function error, as Lambda sees it
                raised, failed_from = True, 0
            else:
                raised, failed_from = False, _first_failure(source, pending, answer)
                if failed_from is None:
                    return
            # The halves are delivered outside the handler of the failure above: each invocation
            # starts afresh, as in Lambda, rather than carrying the earlier errors as its context
            # (which the function's log of each new error would repeat, growing with every split).
            if raised and source.bisect and len(pending) > 1:
                half = len(pending) // 2
                self._deliver_batch(source, shard_id, arn, pending[:half])
                self._deliver_batch(source, shard_id, arn, pending[half:])
                return
            if retries >= source.max_retries:
                self._give_up(source, shard_id, arn, pending[failed_from:], retries + 1)
                return
            retries += 1
            pending = pending[failed_from:]
            time.sleep(RETRY_PAUSE_SECONDS * retries)

    def _give_up(
        self, source: StreamSource, shard_id: str, arn: str, records: list[dict[str, Any]], invocations: int
    ) -> None:
        self.failed_batches += 1
        if source.on_failure_queue is None:
            return
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        description = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self._function_arns.get(source.function, source.function),
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(records),
                "streamArn": arn,
            },
        }
        _, _, _, _, account, name = source.on_failure_queue.split(":", 5)
        sqs = self._sqs
        url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]
        with acting_as(self._roles.get(source.function)):
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(description, default=str))


def _first_failure(source: StreamSource, batch: list[dict[str, Any]], answer: Any) -> int | None:
    """Where a partial batch response says to start again (None: the whole batch is done). A
    failure naming no record of the batch fails the whole batch, as Lambda reads it."""
    if not source.reports_item_failures or not isinstance(answer, dict):
        return None
    failures = answer.get("batchItemFailures") or []
    if not failures:
        return None
    sequence = [record["dynamodb"]["SequenceNumber"] for record in batch]
    positions = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in sequence:
            return 0
        positions.append(sequence.index(identifier))
    return min(positions)
