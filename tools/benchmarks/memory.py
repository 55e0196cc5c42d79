"""Bounded memory: the two jobs whose data grows with the subject or the object, each measured
beside the same job at one tenth of the size.

- The access package of a subject with 200,000 records over a few systems: each system's export
  written as a part (``PackageStore.put_part``, as a system task does), then ``compile_results``
  joining the parts into the JSON document and the HTML page.
- Rewriting a 200 MB JSON Lines object without the subject's lines (the S3 JSON Lines connector's
  ``delete``).

moto keeps every object in memory itself, so the jobs run against stand-in S3 clients that stream
(``benchmarks.streaming_s3``): the packages' parts and outputs are kept in files on disk and served
back as streams, the JSON Lines object is generated line by line as it is read and its rewrite is
counted and let go. tracemalloc then counts only what the job itself allocates; its peak is reset
before each job. Each job runs once small first, untraced, so that what any first call caches is
not counted against the smaller job. Seconds (and so throughput) come from a second, untraced run
of each job, as tracemalloc slows every allocation.

Sizes: 1 MB is 10^6 bytes (objects, throughput); peaks are in MiB (2^20 bytes).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from benchmarks.figures import Figure
from benchmarks.streaming_s3 import CountingSink, FileBackedS3, Sink, StreamingS3, peak_bytes_while
from dsr.connectors.base import Subject
from dsr.connectors.s3_jsonl import S3JsonLinesConnector
from dsr.core.registry_disclosure import Disclosure
from dsr.core.registry_stores import S3JsonLinesStore
from dsr.fulfilment.results import compile_results
from dsr.storage.outcomes import StoredOutcome
from dsr.storage.packages import PackageStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from dsr.wiring.desk import Desk

BENCHMARK = "Bounded memory"
TARGET = "at most 1.5 x the job at one tenth"
TARGET_RATIO = 1.5

FULL_RECORDS = 200_000
MIN_RECORDS = 2_000
FULL_OBJECT_BYTES = 200 * 10**6
MIN_OBJECT_BYTES = 2 * 10**6
WARM_UP_RECORDS = 200
WARM_UP_OBJECT_BYTES = 200_000

MB = 10**6
MIB = 2**20

SUBJECT_EMAIL = "ada@example.com"
SUBJECT = Subject(email=SUBJECT_EMAIL)
PACKAGES_BUCKET = "privacy-desk-packages"
DATA_KEY_ID = "arn:aws:kms:eu-west-1:111122223333:key/bench-data-key"
SYSTEMS = {
    "accounts": ("Platform accounts", ["contact details", "account details"]),
    "orders": ("Orders", ["purchases", "delivery addresses"]),
    "support": ("Support tickets", ["correspondence"]),
    "web_events": ("Web analytics", ["online identifiers", "usage"]),
}
"""The few systems the subject's records are spread over: id, then name and data categories."""

LINE_BYTES = 1_000
SUBJECT_EVERY = 100
"""In the JSON Lines object, one line in this many is the subject's."""
OBJECT_KEY = "exports/2026/events.jsonl"
SOURCE_HEADERS = {
    "ContentType": "application/x-ndjson",
    "ServerSideEncryption": "aws:kms",
    "SSEKMSKeyId": DATA_KEY_ID,
}


@dataclass(frozen=True)
class Job:
    """What one run of a job did: how many records it went through and how many bytes."""

    records: int
    bytes: int
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Measured:
    job: Job
    peak_bytes: int
    seconds: float

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / MIB

    @property
    def records_per_second(self) -> float:
        return self.job.records / self.seconds

    @property
    def megabytes_per_second(self) -> float:
        return self.job.bytes / MB / self.seconds


# ------------------------------------------------------------------------------ the access package


def subject_records(system_id: str, count: int) -> Iterator[dict[str, Any]]:
    """The subject's records in one system, made as they are read, as a connector's export."""
    for number in range(count):
        yield {
            "id": f"{system_id}-{number:07d}",
            "email": SUBJECT_EMAIL,
            "at": f"2026-{number % 12 + 1:02d}-{number % 28 + 1:02d}T10:{number % 60:02d}:00+00:00",
            "kind": ("signed in", "ordered", "wrote", "viewed")[number % 4],
            "detail": {"path": f"/{system_id}/{number}", "ip": f"203.0.113.{number % 250}", "n": number},
            "note": f"Left with the neighbour at no. {number} <ring twice> & sign; thanks",
        }


def spread(records: int, systems: int) -> list[int]:
    """``records`` spread as evenly as they go over ``systems``."""
    each, left = divmod(records, systems)
    return [each + (1 if index < left else 0) for index in range(systems)]


class _Requests:
    """The request store, as compile_results reads and writes it: one access request whose
    exports each went into a part."""

    def __init__(self, request_id: str, exported: dict[str, int]) -> None:
        self.received_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        self.language: str | None = None  # the package page in English
        self._outcomes = [
            StoredOutcome(
                system_id=system_id,
                action="export",
                status="done",
                records=count,
                fields={"status": "done", "records": count, "in_package": "true"},
            )
            for system_id, count in exported.items()
        ]
        self.fields: dict[str, Any] = {}

    def get(self, _request_id: str) -> _Requests:
        return self

    def system_outcomes(self, _request_id: str) -> list[StoredOutcome]:
        return self._outcomes

    def set_fields(self, _request_id: str, fields: dict[str, Any]) -> None:
        self.fields.update(fields)


@dataclass(frozen=True)
class _System:
    """What compile_results reads of a registry's system: one that discloses to no third party
    and makes no automated decision."""

    id: str
    name: str
    categories: list[str]
    third_parties: tuple[Any, ...] = ()
    automated_decisions: Any = None
    review_before_release: bool = False
    disclosure: Disclosure = field(default_factory=Disclosure)


class _Registry:
    systems = [_System(system_id, name, categories) for system_id, (name, categories) in SYSTEMS.items()]


@dataclass(frozen=True)
class _Settings:
    """The deployment holds no package for review: the package is built at once."""

    review_access_packages: bool = False


class _PackageDesk:
    """Just what compile_results uses of the desk; the packages are the real PackageStore."""

    def __init__(self, packages: PackageStore, requests: _Requests) -> None:
        self.settings = _Settings()
        self.packages = packages
        self.store = requests
        self.registry = _Registry()
        self.audited: list[tuple[str, ...]] = []

    def now(self) -> datetime:
        return datetime(2026, 11, 29, 10, 0, tzinfo=UTC)

    def audit(self, request_id: str, actor: str, action: str, outcome: str, **_detail: Any) -> None:
        self.audited.append((request_id, actor, action, outcome))


def build_access_package(records: int, s3: FileBackedS3, request_id: str = "bench-request") -> Job:
    """The subject's ``records`` spread over the systems: each system's part written as its export
    task writes it, then the package compiled as the workflow's last step does."""
    packages = PackageStore(cast("S3Client", s3), PACKAGES_BUCKET, DATA_KEY_ID)
    exported = {
        system_id: packages.put_part(request_id, system_id, subject_records(system_id, count))
        for system_id, count in zip(SYSTEMS, spread(records, len(SYSTEMS)), strict=True)
    }
    request_store = _Requests(request_id, exported)
    compiled = compile_results(cast("Desk", _PackageDesk(packages, request_store)), request_id)
    json_key = compiled.package_key
    html_key = request_store.fields.get("readable_package_key")
    if compiled.outcome != "completed" or json_key is None or html_key is None:
        raise RuntimeError(f"the package was not compiled: {compiled}")
    json_bytes = s3.uploads[(PACKAGES_BUCKET, json_key)]["bytes"]
    html_bytes = s3.uploads[(PACKAGES_BUCKET, html_key)]["bytes"]
    parts_bytes = sum(
        upload["bytes"] for (_bucket, key), upload in s3.uploads.items() if key.startswith("parts/")
    )
    return Job(
        records=sum(exported.values()),
        bytes=json_bytes + html_bytes,
        detail={
            "systems": len(exported),
            "parts_bytes": parts_bytes,
            "json_package_bytes": json_bytes,
            "html_package_bytes": html_bytes,
            "json_key": json_key,
            "html_key": html_key,
        },
    )


def _package_job(records: int) -> Callable[[], Job]:
    def run() -> Job:
        with FileBackedS3() as s3:
            return build_access_package(records, s3)

    return run


# ------------------------------------------------------------------------------ the JSON Lines rewrite


def email_on_line(number: int) -> str:
    return SUBJECT_EMAIL if number % SUBJECT_EVERY == 0 else f"person{number}@example.net"


def line_count(object_bytes: int) -> int:
    return object_bytes // LINE_BYTES


def subject_line_count(object_bytes: int) -> int:
    return len(range(0, line_count(object_bytes), SUBJECT_EVERY))


def json_line(number: int) -> bytes:
    """One line of exactly LINE_BYTES bytes, its ending included."""
    start = json.dumps({"n": number, "email": email_on_line(number), "event": "viewed", "note": ""})[:-2]
    return (start + "x" * (LINE_BYTES - len(start) - 3) + '"}\n').encode()


def json_lines(object_bytes: int) -> Callable[[], Iterator[bytes]]:
    """The object's lines, made as they are read; a new iterator for each read."""

    def lines() -> Iterator[bytes]:
        return (json_line(number) for number in range(line_count(object_bytes)))

    return lines


def source_object(object_bytes: int, received: Sink) -> StreamingS3:
    """The generated object of ``object_bytes`` as a KMS-encrypted object of an S3 bucket, its
    rewrite written to ``received``."""
    return StreamingS3(OBJECT_KEY, json_lines(object_bytes), received, headers=SOURCE_HEADERS)


def rewrite_object(s3: StreamingS3, object_bytes: int) -> Job:
    """Delete the subject from the generated object of ``object_bytes`` that ``s3`` serves, with
    the connector a JSON Lines system uses."""
    store = S3JsonLinesStore(kind="s3_jsonl", bucket="exports", prefix="exports/", identity_attribute="email")
    removed = S3JsonLinesConnector(cast("S3Client", s3), store).delete(SUBJECT)
    lines = line_count(object_bytes)
    expected_removed = subject_line_count(object_bytes)
    if removed != expected_removed or s3.bytes_received != (lines - removed) * LINE_BYTES:
        raise RuntimeError(
            f"the rewrite removed {removed} lines ({expected_removed} expected) and wrote "
            f"{s3.bytes_received} bytes ({(lines - expected_removed) * LINE_BYTES} expected)"
        )
    return Job(
        records=lines,
        bytes=lines * LINE_BYTES,
        detail={"object_bytes": lines * LINE_BYTES, "removed": removed, "written_bytes": s3.bytes_received},
    )


def _rewrite_job(object_bytes: int) -> Callable[[], Job]:
    return lambda: rewrite_object(source_object(object_bytes, CountingSink()), object_bytes)


# ------------------------------------------------------------------------------ measuring


def measure(job: Callable[[], Job]) -> Measured:
    """The job's peak allocation, traced; then its seconds, untraced."""
    traced, peak = peak_bytes_while(job)
    started = time.perf_counter()
    timed = job()
    seconds = time.perf_counter() - started
    if timed != traced:
        raise RuntimeError(f"the job did not do the same twice: {traced} then {timed}")
    return Measured(job=timed, peak_bytes=peak, seconds=seconds)


def compared(
    name: str, *, size: str, baseline_size: str, large: Measured, small: Measured, detail: dict[str, Any]
) -> list[Figure]:
    """The peak against the target, then the throughput in records and in megabytes a second."""
    ratio = large.peak_bytes / small.peak_bytes
    common = {
        "records": large.job.records,
        "seconds": round(large.seconds, 3),
        "records_per_second": round(large.records_per_second),
        "megabytes_per_second": round(large.megabytes_per_second, 2),
        "peak_bytes": large.peak_bytes,
        **detail,
    }
    peak = Figure(
        benchmark=BENCHMARK,
        measure=f"{name}, {size}: peak memory",
        value=large.peak_mib,
        unit="MiB",
        baseline=baseline_size,
        baseline_value=small.peak_mib,
        target=TARGET,
        met=ratio <= TARGET_RATIO,
        detail=common
        | {
            "baseline_peak_bytes": small.peak_bytes,
            "baseline_records": small.job.records,
            "baseline_seconds": round(small.seconds, 3),
            "baseline_records_per_second": round(small.records_per_second),
            "baseline_megabytes_per_second": round(small.megabytes_per_second, 2),
            **{f"baseline_{name}": value for name, value in _sizes(small.job.detail).items()},
            **_sizes(large.job.detail),
            "peak_ratio": round(ratio, 3),
        },
    )
    return [
        peak,
        Figure(
            benchmark=BENCHMARK,
            measure=f"{name}, {size}: throughput in records",
            value=large.records_per_second,
            unit="records/s",
            detail=common,
        ),
        Figure(
            benchmark=BENCHMARK,
            measure=f"{name}, {size}: throughput in megabytes",
            value=large.megabytes_per_second,
            unit="MB/s",
            detail=common,
        ),
    ]


def _sizes(detail: dict[str, Any]) -> dict[str, Any]:
    """A job's detail without the objects' keys."""
    return {name: value for name, value in detail.items() if not name.endswith("_key")}


def run(scale: float) -> list[Figure]:
    records = max(MIN_RECORDS, round(FULL_RECORDS * scale))
    object_bytes = max(MIN_OBJECT_BYTES, round(FULL_OBJECT_BYTES * scale))
    small_records, small_object_bytes = records // 10, object_bytes // 10

    _package_job(WARM_UP_RECORDS)()
    _rewrite_job(WARM_UP_OBJECT_BYTES)()

    package_small = measure(_package_job(small_records))
    package_large = measure(_package_job(records))
    rewrite_small = measure(_rewrite_job(small_object_bytes))
    rewrite_large = measure(_rewrite_job(object_bytes))

    return [
        *compared(
            "Access package",
            size=f"{records:,} records",
            baseline_size=f"{small_records:,} records",
            large=package_large,
            small=package_small,
            detail={"megabytes_counted": "the JSON document and the HTML page written"},
        ),
        *compared(
            "JSON Lines rewrite",
            size=f"{object_bytes / MB:g} MB object",
            baseline_size=f"{small_object_bytes / MB:g} MB object",
            large=rewrite_large,
            small=rewrite_small,
            detail={"megabytes_counted": "the object read", "subject_every": SUBJECT_EVERY},
        ),
    ]
