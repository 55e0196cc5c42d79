"""The Parquet data lake connector's memory: erasing one subject from an object of 100 row groups
beside the same from an object of 10 row groups of the same size. A rewrite works a row group at
a time, so the peak should follow the row group, not the object (target: the ratio at most 1.5).

Each erasure runs in a fresh process (pyarrow's memory pool keeps its peak for the process's
life), against a stand-in S3 that serves the object from a file (ranged reads and whole) and
counts the rewrite it receives without keeping it. The peak is pyarrow's (its memory pool's
``max_memory``) plus Python's (tracemalloc); the process's peak resident size above what it held
before the job is given beside it. Seconds come from the same run; throughput is the object's
megabytes over them: the object sizes a 15-minute Lambda invocation can rewrite follow from it.

Sizes: 1 MB is 10^6 bytes (objects, throughput); peaks are in MiB (2^20 bytes).
"""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure

BENCHMARK = "Bounded memory"
TARGET = "at most 1.5 x the object of 10 row groups"
TARGET_RATIO = 1.5
FULL_ROWS_PER_GROUP = 50_000
MIN_ROWS_PER_GROUP = 1_000
SMALL_GROUPS, LARGE_GROUPS = 10, 100
SUBJECT_EVERY = 1_000
"""One row in this many is the subject's."""
LAMBDA_SECONDS = 15 * 60
MB = 10**6
MIB = 2**20
KEY = "events/date=2026-10-01/part-0.parquet"


class FileS3:
    """Just enough of S3 for the Parquet connector on one object kept in a file: list, head, get
    (whole or a range), and put, whose body is counted and let go."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self.bytes_received = 0

    def get_paginator(self, _operation: str) -> FileS3:
        return self

    def paginate(self, **_arguments: Any) -> list[dict[str, Any]]:
        return [{"Contents": [{"Key": KEY, "Size": self._path.stat().st_size}]}]

    def head_object(self, **_arguments: Any) -> dict[str, Any]:
        return {"ContentLength": self._path.stat().st_size, "ETag": '"file"'}

    def get_object(self, **arguments: Any) -> dict[str, Any]:
        handle = self._path.open("rb")
        if "Range" not in arguments:
            return {"Body": handle, "ETag": '"file"', "ContentType": "application/vnd.apache.parquet"}
        start, end = (int(n) for n in arguments["Range"].removeprefix("bytes=").split("-"))
        with handle:
            handle.seek(start)
            return {"Body": _Bytes(handle.read(end - start + 1)), "ETag": '"file"'}

    def put_object(self, **arguments: Any) -> dict[str, Any]:
        while chunk := arguments["Body"].read(1024 * 1024):
            self.bytes_received += len(chunk)
        return {"ETag": '"rewritten"'}


class _Bytes:
    """A range's bytes, read once, as a response body."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, _size: int = -1) -> bytes:
        data, self._data = self._data, b""
        return data

    def close(self) -> None:
        self._data = b""


def write_object(path: Path, groups: int, rows_per_group: int) -> int:
    """An object of ``groups`` row groups of product events; the subject's rows among them."""
    import pyarrow as pa  # noqa: PLC0415 - loaded in the job's process only
    import pyarrow.parquet as pq  # noqa: PLC0415

    schema = pa.schema(
        [("event_time", pa.string()), ("user_email", pa.string()), ("event", pa.string()), ("n", pa.int64())]
    )
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for group in range(groups):
            first = group * rows_per_group
            numbers = range(first, first + rows_per_group)
            writer.write_table(
                pa.table(
                    {
                        "event_time": [f"2026-10-01T{n % 24:02d}:{n % 60:02d}:00Z" for n in numbers],
                        "user_email": [
                            "ada@example.com" if n % SUBJECT_EVERY == 0 else f"person{n}@example.net"
                            for n in numbers
                        ],
                        "event": [("page_view", "sign_in", "search")[n % 3] for n in numbers],
                        "n": list(numbers),
                    },
                    schema=schema,
                )
            )
    return path.stat().st_size


def erase_in_fresh_process(path: Path) -> dict[str, Any]:
    """Run in a process of its own: erase the subject from the object, measured."""
    import pyarrow as pa  # noqa: PLC0415

    from dsr.connectors.base import Subject  # noqa: PLC0415
    from dsr.connectors.s3_parquet import S3ParquetConnector  # noqa: PLC0415
    from dsr.core.registry_stores import S3ParquetStore  # noqa: PLC0415

    store = S3ParquetStore(kind="s3_parquet", bucket="lake", prefix="events/", identity_column="user_email")
    s3 = FileS3(path)
    resident_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    removed = S3ParquetConnector(s3, store).delete(Subject(email="ada@example.com"))  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "removed": removed,
        "seconds": seconds,
        "peak_bytes": pa.default_memory_pool().max_memory() + python_peak,
        "arrow_peak_bytes": pa.default_memory_pool().max_memory(),
        "python_peak_bytes": python_peak,
        "resident_growth_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - resident_before,
        "bytes_rewritten": s3.bytes_received,
    }


def measure(groups: int, rows_per_group: int, folder: Path) -> dict[str, Any]:
    path = folder / f"{groups}-groups.parquet"
    size = write_object(path, groups, rows_per_group)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        measured: dict[str, Any] = pool.apply(erase_in_fresh_process, (path,))
    return {**measured, "object_bytes": size, "row_groups": groups, "rows_per_group": rows_per_group}


def run(scale: float) -> list[Figure]:
    rows_per_group = max(MIN_ROWS_PER_GROUP, round(FULL_ROWS_PER_GROUP * scale))
    with tempfile.TemporaryDirectory(prefix="data-lake-bench-") as folder:
        small = measure(SMALL_GROUPS, rows_per_group, Path(folder))
        large = measure(LARGE_GROUPS, rows_per_group, Path(folder))
    expected = len(range(0, LARGE_GROUPS * rows_per_group, SUBJECT_EVERY))
    if large["removed"] != expected:
        raise RuntimeError(f"the erasure removed {large['removed']} rows, not {expected}")
    object_mb = large["object_bytes"] / MB
    mb_per_second = object_mb / large["seconds"]
    return [
        Figure(
            BENCHMARK,
            f"Parquet erasure, {LARGE_GROUPS} row groups ({object_mb:.0f} MB object): peak memory",
            round(large["peak_bytes"] / MIB, 1),
            "MiB",
            baseline=f"{SMALL_GROUPS} row groups ({small['object_bytes'] / MB:.1f} MB object)",
            baseline_value=round(small["peak_bytes"] / MIB, 1),
            target=TARGET,
            met=large["peak_bytes"] <= TARGET_RATIO * small["peak_bytes"],
            detail={"large": large, "small": small},
        ),
        Figure(
            BENCHMARK,
            f"Parquet erasure, {LARGE_GROUPS} row groups: throughput in megabytes",
            round(mb_per_second, 1),
            "MB/s",
            detail={"object_mb_in_15_minutes": round(mb_per_second * LAMBDA_SECONDS)},
        ),
    ]
