"""Stand-in S3 clients that stream, for measuring what the desk's own code holds in memory.

moto keeps every object in memory itself, so measuring a job against it would count moto's copy
of the data. These stand-ins serve an object from a generator or a file, as a stream, and receive
what is written into a file (or count it and let it go), so no object ever exists whole in memory
and tracemalloc sees only what the code under measure allocates. Each answers exactly the calls
the code it stands in for makes, and nothing else.
"""

from __future__ import annotations

import io
import tempfile
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

from botocore.exceptions import ClientError
from botocore.response import StreamingBody

COPY_CHUNK_BYTES = 64 * 1024

T = TypeVar("T")


class Sink(Protocol):
    """Where bytes can be written: a file, or a CountingSink."""

    def write(self, data: bytes, /) -> int: ...


class GeneratedStream(io.RawIOBase):
    """A read-only stream over lines made on demand: the object never exists in memory whole."""

    def __init__(self, lines: Iterator[bytes]) -> None:
        self._lines = lines
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = len(buffer)
        pieces, held = [self._pending], len(self._pending)
        while held < wanted:
            line = next(self._lines, None)
            if line is None:
                break
            pieces.append(line)
            held += len(line)
        pending = b"".join(pieces)
        size = min(wanted, len(pending))
        buffer[:size] = pending[:size]
        self._pending = pending[size:]
        return size


def generated_body(lines: Iterator[bytes]) -> StreamingBody:
    """A response body as botocore gives it, reading the generated lines a buffer at a time."""
    stream = io.BufferedReader(GeneratedStream(lines), buffer_size=COPY_CHUNK_BYTES)
    return StreamingBody(stream, None)  # type: ignore[arg-type]  # length unknown: botocore skips the check


class CountingSink(io.RawIOBase):
    """Where written bytes go to be counted and forgotten."""

    def __init__(self) -> None:
        self.bytes_written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        self.bytes_written += size
        return size


class StreamingS3:
    """Just enough of S3 for one object, as the line connectors use it (list_objects_v2,
    get_object, put_object): served as a stream, its rewrite received into ``received``."""

    def __init__(
        self,
        key: str,
        make_lines: Callable[[], Iterator[bytes]],
        received: Sink,
        headers: dict[str, Any] | None = None,
    ) -> None:
        self._key = key
        self._make_lines = make_lines
        self._headers = headers or {"ContentType": "text/plain"}
        self.received = received
        self.puts: list[dict[str, Any]] = []
        self.bytes_received = 0

    def get_paginator(self, _operation: str) -> StreamingS3:
        return self

    def paginate(self, **_arguments: Any) -> list[dict[str, Any]]:
        return [{"Contents": [{"Key": self._key}]}]

    def get_object(self, **_arguments: Any) -> dict[str, Any]:
        return {"Body": generated_body(self._make_lines()), "ETag": '"generated"', **self._headers}

    def put_object(self, **arguments: Any) -> dict[str, Any]:
        self.bytes_received += _copy(arguments["Body"], self.received)
        self.puts.append({name: value for name, value in arguments.items() if name != "Body"})
        return {"ETag": '"rewritten"'}


class FileBackedS3:
    """Just enough of S3 for the access packages (upload_fileobj, get_object): each object kept in
    a file of a temporary directory, served back as a stream. What was uploaded, and with which
    arguments, is in ``uploads``. Close it (or use it as a context manager) to delete the files."""

    def __init__(self) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="streaming-s3-")
        self._root = Path(self._directory.name)
        self._opened: list[IO[bytes]] = []
        self.uploads: dict[tuple[str, str], dict[str, Any]] = {}

    def __enter__(self) -> FileBackedS3:
        return self

    def __exit__(self, *_exception: object) -> None:
        self.close()

    def close(self) -> None:
        for file in self._opened:
            file.close()
        self._opened.clear()
        self._directory.cleanup()

    def path(self, bucket: str, key: str) -> Path:
        """Where the object is kept (the key's own segments, under the bucket's name)."""
        return self._root / bucket / key

    # boto3's own argument names
    def upload_fileobj(
        self,
        Fileobj: IO[bytes],  # noqa: N803
        Bucket: str,  # noqa: N803
        Key: str,  # noqa: N803
        *,
        ExtraArgs: dict[str, Any] | None = None,  # noqa: N803
        Callback: Any = None,  # noqa: N803
        Config: Any = None,  # noqa: N803
    ) -> None:
        path = self.path(Bucket, Key)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as stored:
            size = _copy(Fileobj, stored)
        self.uploads[(Bucket, Key)] = {"ExtraArgs": dict(ExtraArgs or {}), "bytes": size}

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        path = self.path(Bucket, Key)
        if not path.is_file():
            raise ClientError(
                {"Error": {"Code": "NoSuchKey", "Message": "The specified key does not exist."}}, "GetObject"
            )
        stored = path.open("rb", buffering=COPY_CHUNK_BYTES)
        self._opened.append(stored)
        size = path.stat().st_size
        extra = self.uploads.get((Bucket, Key), {}).get("ExtraArgs", {})
        return {"Body": StreamingBody(stored, size), "ContentLength": size, **extra}


def _copy(source: IO[bytes], target: Sink) -> int:
    counted = 0
    while chunk := source.read(COPY_CHUNK_BYTES):
        target.write(chunk)
        counted += len(chunk)
    return counted


def peak_bytes_while[T](run: Callable[[], T]) -> tuple[T, int]:
    """What ``run`` returns, and the most memory it held at once, as tracemalloc counts it."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak
