"""A large JSON Lines or CSV object is rewritten in bounded memory: streamed in, through a
temporary file, and out, never held whole.

moto keeps every object in memory itself, so these tests serve a generated object through a
stand-in S3 client that streams it (benchmarks.streaming_s3, which the bounded-memory benchmark
uses too), and measure with tracemalloc what the connector allocates."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from typing import IO

import pytest

from benchmarks.streaming_s3 import StreamingS3, peak_bytes_while
from dsr.connectors.base import Subject
from dsr.connectors.s3_csv import S3CsvConnector
from dsr.connectors.s3_jsonl import S3JsonLinesConnector
from dsr.core.registry_stores import S3CsvStore, S3JsonLinesStore

OBJECT_BYTES = 20 * 1024 * 1024
SUBJECT_EVERY = 100  # one line in this many is the subject's
ADA = Subject(email="ada@example.com")


LINE_BYTES = 1024
LINES = OBJECT_BYTES // LINE_BYTES
SUBJECT_LINES = len(range(0, LINES, SUBJECT_EVERY))


def email_on_line(number: int) -> str:
    return "ada@example.com" if number % SUBJECT_EVERY == 0 else f"person{number}@example.net"


def json_lines() -> Iterator[bytes]:
    for number in range(LINES):
        start = json.dumps({"n": number, "email": email_on_line(number), "note": ""})[:-2]
        yield (start + "x" * (LINE_BYTES - len(start) - 3) + '"}\n').encode()


def csv_lines() -> Iterator[bytes]:
    yield b"n,email,ip,note\n"
    for number in range(LINES):
        start = f"{number},{email_on_line(number)},203.0.113.{number % 250},"
        yield (start + "x" * (LINE_BYTES - len(start) - 1) + "\n").encode()


def received_lines(s3: StreamingS3) -> Iterator[bytes]:
    s3.received.seek(0)
    yield from s3.received


@pytest.fixture
def received() -> Iterator[IO[bytes]]:
    """Where the stand-in S3 puts the rewritten object: on disk, like the object it replaces."""
    with tempfile.TemporaryFile() as file:
        yield file


def test_a_20_mb_json_lines_object_is_rewritten_in_bounded_memory(received: IO[bytes]) -> None:
    s3 = StreamingS3("t/big.jsonl", json_lines, received)
    store = S3JsonLinesStore(kind="s3_jsonl", bucket="big", identity_attribute="email")
    removed, peak = peak_bytes_while(lambda: S3JsonLinesConnector(s3, store).delete(ADA))  # type: ignore[arg-type]

    assert removed == SUBJECT_LINES > 100
    assert peak < OBJECT_BYTES / 10, f"peak {peak} bytes while rewriting a {OBJECT_BYTES}-byte object"
    assert s3.puts == [
        {"Bucket": "big", "Key": "t/big.jsonl", "IfMatch": '"generated"', "ContentType": "text/plain"}
    ]
    kept = list(received_lines(s3))
    assert len(kept) == LINES - SUBJECT_LINES
    assert not any(b"ada@example.com" in line for line in kept)


def test_a_20_mb_csv_object_is_anonymized_in_bounded_memory(received: IO[bytes]) -> None:
    s3 = StreamingS3("web/big.csv", csv_lines, received)
    store = S3CsvStore(kind="s3_csv", bucket="big", identity_attribute="email")

    changed, peak = peak_bytes_while(
        lambda: S3CsvConnector(s3, store).anonymize(ADA, {"ip": "0.0.0.0"})  # type: ignore[arg-type]
    )

    assert changed == SUBJECT_LINES
    assert peak < OBJECT_BYTES / 10, f"peak {peak} bytes while rewriting a {OBJECT_BYTES}-byte object"
    rows = [line for line in received_lines(s3) if b"ada@example.com" in line]
    assert len(rows) == changed and all(b",0.0.0.0," in row for row in rows)


def test_a_20_mb_object_is_exported_in_bounded_memory(received: IO[bytes]) -> None:
    s3 = StreamingS3("t/big.jsonl", json_lines, received)
    store = S3JsonLinesStore(kind="s3_jsonl", bucket="big", identity_attribute="email")

    found, peak = peak_bytes_while(lambda: sum(1 for _ in S3JsonLinesConnector(s3, store).export(ADA)))  # type: ignore[arg-type]

    assert found == SUBJECT_LINES
    assert peak < OBJECT_BYTES / 10, f"peak {peak} bytes"
