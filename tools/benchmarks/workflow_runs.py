"""Real runs of one request through the whole desk on the local cloud, with a registry of N
systems, recording everything the run did: the execution history, every Lambda invocation with
its duration and memory size, and every AWS call the functions made.

The request is an erasure under the GDPR by the web form: the acknowledgement, a code by email
(answered at once), a staff approval (given at once), then one erase task per system, the
completion notice. Each system is a DynamoDB table holding the subject's record.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

_subjects = itertools.count(1)  # a subject of its own each run: intake limits submissions per address
POLL_SECONDS = 0.05
MEMORY_POLL_SECONDS = 0.005  # what the local cloud holds in memory is cheap to look at often
CLOSING_FUNCTION = "CloseRequestFunction"


@dataclass
class CallRecord:
    """The AWS calls made during a run, with what DynamoDB and S3 bill them by."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    dynamodb_read_units: float = 0.0
    dynamodb_write_units: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def before_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.service_name
        with self.lock:
            self.calls[(service, model.name)] += 1
            if service == "dynamodb" and model.name in WRITES:
                self.dynamodb_write_units += _write_units(model.name, params)

    def after_call(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.service_model.service_name != "dynamodb" or model.name not in READS:
            return
        with self.lock:
            self.dynamodb_read_units += _read_units(parsed)

    def count(self, service: str, *operations: str) -> int:
        return sum(
            n for (s, op), n in self.calls.items() if s == service and (not operations or op in operations)
        )


class _Recording:
    """The hooks on the default session, made once per local cloud, that hand each call to the
    record of the run under way (none between runs). The functions' clients are made once, as a
    warm Lambda environment keeps them, and report every call from then on."""

    def __init__(self) -> None:
        self.current: CallRecord | None = None

    def before_call(self, **kwargs: Any) -> None:
        record = self.current  # read once: the run may end between a check and a second read
        if record is not None:
            record.before_call(**kwargs)

    def after_call(self, **kwargs: Any) -> None:
        record = self.current
        if record is not None:
            record.after_call(**kwargs)


_recording = _Recording()


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
READS = {"GetItem", "Query", "Scan", "BatchGetItem"}


def _write_units(operation: str, params: dict[str, Any]) -> float:
    """One write unit per 1 KB of the item written (rounded up), at least one per item."""
    body = json.loads(params.get("body") or b"{}")
    if operation == "BatchWriteItem":
        writes = [w for ws in body.get("RequestItems", {}).values() for w in ws]
        return float(sum(max(1, math.ceil(len(json.dumps(w)) / 1024)) for w in writes))
    item = body.get("Item") or body.get("Key") or {}
    size = len(json.dumps(item)) + len(json.dumps(body.get("ExpressionAttributeValues", {})))
    return float(max(1, math.ceil(size / 1024)))


def _read_units(parsed: dict[str, Any]) -> float:
    """One read unit per 4 KB read (rounded up), halved when eventually consistent is asked
    for; counted as strongly consistent here, which the desk mostly asks for."""
    items: list[Any] = []
    if "Item" in parsed:
        items = [parsed["Item"]]
    elif "Items" in parsed:
        items = list(parsed["Items"])
    elif "Responses" in parsed:
        items = [i for found in parsed["Responses"].values() for i in found]
    size = sum(len(json.dumps(item, default=str)) for item in items)
    return float(max(1, math.ceil(size / 4096)))


@dataclass
class WorkflowRun:
    systems: int
    request_id: str
    approval_to_completion_seconds: float
    states_entered: Counter[str]
    invocations: list[Any]
    calls: CallRecord
    api_requests: int
    status: str
    system_tasks_in_flight: int = 0
    """The most system tasks running at one moment, by the execution history."""
    records_erased: int = 0
    """Stores that held the subject's record when the run started and no longer do."""
    approval_to_completion_cpu_seconds: float = 0.0
    """Processor time the whole process (the local cloud and everything in it) used meanwhile."""

    @property
    def state_transitions(self) -> int:
        return sum(self.states_entered.values())

    @property
    def handler_milliseconds(self) -> float:
        return float(sum(i.milliseconds for i in self.invocations))

    @property
    def handler_cpu_milliseconds(self) -> float:
        return float(sum(i.cpu_milliseconds for i in self.invocations))


def registry_text(systems: int) -> str:
    entries = []
    for number in range(1, systems + 1):
        entries.append(
            f"""  - id: store-{number:02d}
    name: Store {number}
    owner: platform
    categories: [contact details]
    store: {{kind: dynamodb, table: store-{number:02d}, identity_attribute: email, key_attributes: [email]}}
    actions: {{export: {{}}, erase: {{}}}}
"""
        )
    return "systems:\n" + "".join(entries)


@contextmanager
def desk_with_systems(sizes: Sequence[int]) -> Iterator[tuple[Any, Callable[[int], None]]]:
    """The local cloud and its HTTP API, with a registry for each size: the first ``n`` of the same
    DynamoDB systems. The cloud starts with the largest, so every store exists; the function given
    beside the API points the desk at the registry of a size."""
    from dsr.core.registry import load_registry  # noqa: PLC0415
    from dsr.wiring.desk import desk_from_environment  # noqa: PLC0415
    from dsr_cli.local import running_local_cloud  # noqa: PLC0415 - moto loads only when needed

    with tempfile.TemporaryDirectory() as folder:
        registries = {}
        for systems in sizes:
            registries[systems] = Path(folder) / f"systems-{systems}.yaml"
            registries[systems].write_text(registry_text(systems), encoding="utf-8")

        def use(systems: int) -> None:
            os.environ["SYSTEM_REGISTRY_PATH"] = str(registries[systems])
            # The functions keep their clients between runs, as warm environments do; only the
            # registry they read changes.
            desk_from_environment().registry = load_registry(registries[systems])

        before = os.environ.get("SYSTEM_REGISTRY_PATH")
        os.environ["SYSTEM_REGISTRY_PATH"] = str(registries[max(sizes)])
        try:
            with running_local_cloud() as api:
                # Deployed with this registry, the task that reaches the stores has a policy for
                # each, as template.yaml has one for each store of the desk's own registry.
                api.cloud.add_policies(
                    "RunSystemTaskFunction",
                    [
                        {"DynamoDBCrudPolicy": {"TableName": f"store-{n:02d}"}}
                        for n in range(1, max(sizes) + 1)
                    ],
                )
                session: Any = boto3.DEFAULT_SESSION
                session.events.register("before-call", _recording.before_call)
                session.events.register("after-call", _recording.after_call)
                desk_from_environment.cache_clear()  # the functions' clients, made anew, carry the hooks
                try:
                    yield api, use
                finally:
                    session.events.unregister("before-call", _recording.before_call)
                    session.events.unregister("after-call", _recording.after_call)
        finally:
            if before is None:
                os.environ.pop("SYSTEM_REGISTRY_PATH", None)
            else:
                os.environ["SYSTEM_REGISTRY_PATH"] = before


def seed_subject(systems: int, subject: str) -> None:
    """Put the subject's record in each of the ``systems`` stores."""
    stores = boto3.resource("dynamodb")
    for number in range(1, systems + 1):
        stores.Table(f"store-{number:02d}").put_item(
            Item={"email": subject, "name": "Ada Lovelace", "plan": "business"}
        )


def run_one_erasure(api: Any, systems: int) -> WorkflowRun:
    """Carry one erasure through the desk, answering the code and the approval at once; what it
    cost in states, invocations and calls, and how long approval to completion took. Every
    system holds the subject's record when the run starts, so each one is found and erased."""
    from dsr_cli.http_client import DeskClient  # noqa: PLC0415

    subject = f"subject{next(_subjects)}@example.com"
    seed_subject(systems, subject)
    cloud = api.cloud
    record = CallRecord()
    watcher = _Watcher()  # reads the request from its own session, not counted
    invoked_before = len(cloud.bridge.invocations)
    public = DeskClient(cloud.base_url)
    approver = DeskClient(cloud.base_url, api.tokens.issue("approver@desk.example"))
    _recording.current = record  # from here to the end of the run; reset in the finally below
    try:
        submitted = public.post(
            "/requests", {"request_types": ["erasure"], "subject": {"email": subject}, "jurisdiction": "EU"}
        )
        if submitted.status != 201:
            raise RuntimeError(f"the benchmark's request was refused: {submitted.body}")
        request_id = str(submitted.body["request_id"])
        code = _wait(lambda: cloud.latest_code(request_id), "the verification code")
        public.post(f"/requests/{request_id}/verification", {"code": code})
        _wait(lambda: watcher.review_requested(request_id), "the request to wait for approval")
        approved_at, cpu_at_approval = time.perf_counter(), _process_cpu_seconds()
        approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
        # The record is read only once the close task has run: a poll of the table every few
        # milliseconds would take the processor time the run is measured by. The run ends when
        # the close task returned, as the local cloud recorded it, not when this loop noticed.
        closes_before = len(_runs_of(cloud, CLOSING_FUNCTION))
        status = _wait(
            lambda: (
                len(_runs_of(cloud, CLOSING_FUNCTION)) > closes_before and watcher.closed_status(request_id)
            ),
            "the request to close",
            seconds=600,
            every=MEMORY_POLL_SECONDS,
        )
        cpu_seconds = _process_cpu_seconds() - cpu_at_approval
        seconds = _runs_of(cloud, CLOSING_FUNCTION)[closes_before].ended_at - approved_at
        _wait(lambda: watcher.execution_ended(cloud, request_id), "the execution to end")
        records_left = watcher.stores_holding(subject, systems)
        if records_left:  # a run that did less than it should would measure the wrong thing
            raise RuntimeError(f"{records_left} of {systems} stores still hold the subject after the erasure")
    finally:
        _recording.current = None
    history = cloud.execution_history(request_id)["events"]
    entered = Counter(
        e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e
    )
    return WorkflowRun(
        systems=systems,
        request_id=request_id,
        approval_to_completion_seconds=seconds,
        states_entered=entered,
        invocations=list(cloud.bridge.invocations)[invoked_before:],
        calls=record,
        api_requests=3,  # the submission, the code, the approval
        status=status,
        system_tasks_in_flight=most_at_once(history, "RunSystemTask"),
        records_erased=systems - records_left,
        approval_to_completion_cpu_seconds=cpu_seconds,
    )


def _runs_of(cloud: Any, function: str) -> list[Any]:
    """The local cloud's runs of ``function``, oldest first: read from memory, no AWS call."""
    return [invocation for invocation in list(cloud.bridge.invocations) if invocation.function == function]


def _process_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def most_at_once(history: list[dict[str, Any]], state: str) -> int:
    """The most runs of ``state`` between entering and leaving it at one moment."""
    changes = []
    for event in history:
        if event.get("stateEnteredEventDetails", {}).get("name") == state:
            changes.append((event["timestamp"], 1))
        elif event.get("stateExitedEventDetails", {}).get("name") == state:
            changes.append((event["timestamp"], -1))
    running = most = 0
    for _, change in sorted(changes, key=lambda pair: (pair[0], pair[1])):
        running += change
        most = max(most, running)
    return most


class _Watcher:
    """Looks at the request from a boto3 session of its own, so that watching costs the run
    nothing it records."""

    def __init__(self) -> None:
        from dsr.core.settings import DeskSettings  # noqa: PLC0415

        session = boto3.session.Session(region_name="us-east-1")
        self._dynamodb = session.resource("dynamodb")
        self._table = self._dynamodb.Table(DeskSettings.from_environment().requests_table)
        self._sfn = session.client("stepfunctions")

    def _item(self, request_id: str) -> dict[str, Any]:
        return self._table.get_item(Key={"pk": f"REQ#{request_id}", "sk": "REQUEST"}).get("Item") or {}

    def review_requested(self, request_id: str) -> bool:
        task = self._table.get_item(Key={"pk": f"REQ#{request_id}", "sk": "TOKEN#approval"}).get("Item")
        return task is not None

    def closed_status(self, request_id: str) -> str | None:
        item = self._item(request_id)
        return str(item["status"]) if item.get("closed_at") else None

    def stores_holding(self, subject: str, systems: int) -> int:
        return sum(
            "Item" in self._dynamodb.Table(f"store-{number:02d}").get_item(Key={"email": subject})
            for number in range(1, systems + 1)
        )

    def execution_ended(self, cloud: Any, request_id: str) -> bool:
        status = self._sfn.describe_execution(executionArn=cloud.execution_arn(request_id))["status"]
        return status != "RUNNING"


def _wait(probe: Any, what: str, seconds: float = 120, every: float = POLL_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(every)
    raise TimeoutError(f"waited {seconds:.0f} s for {what}")


SIZES = (5, 20, 50)
RUNS_PER_SIZE = 5  # one process shares the processor with its collector and the OS: take the median
_measured: dict[tuple[int, ...], list[WorkflowRun]] = {}


def sizes_at(scale: float) -> tuple[int, ...]:
    """5, 20 and 50 systems at full scale; fewer, still three distinct sizes, below it."""
    if scale >= 1:
        return SIZES
    return tuple(sorted({max(1, round(size * scale)) + index for index, size in enumerate(SIZES)}))


def measured_runs(scale: float) -> list[WorkflowRun]:
    """One run per size, made once per process and shared by the cost and fan-out benchmarks: at
    full scale the median of five by approval to completion, the sizes taking turns (5, 20, 50,
    5, 20, 50...) in one local cloud, so that a machine busier for a while slows them alike."""
    sizes = sizes_at(scale)
    repeats = RUNS_PER_SIZE if scale >= 1 else 1
    if sizes not in _measured:
        repeated: dict[int, list[WorkflowRun]] = {systems: [] for systems in sizes}
        with desk_with_systems(sizes) as (api, use_registry_of):
            for systems in sizes:  # a first request of each size warms the functions, as in AWS
                use_registry_of(systems)
                run_one_erasure(api, systems)
            for _ in range(repeats):
                for systems in sizes:
                    use_registry_of(systems)
                    repeated[systems].append(run_one_erasure(api, systems))
        _measured[sizes] = [
            sorted(runs, key=lambda run: run.approval_to_completion_seconds)[len(runs) // 2]
            for runs in repeated.values()
        ]
    return _measured[sizes]
