"""The bounded-memory benchmark measures what it says: small runs, checked for what they did and
for the figures they give; never timed, and no speed is asserted."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import pytest
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from benchmarks import memory
from benchmarks.streaming_s3 import FileBackedS3, peak_bytes_while

KMS = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": memory.DATA_KEY_ID}


@pytest.fixture
def received() -> Iterator[IO[bytes]]:
    with tempfile.TemporaryFile() as file:
        yield file


def test_a_small_run_gives_each_jobs_peak_beside_the_smaller_job_and_its_throughput() -> None:
    figures = memory.run(0.001)

    assert [(f.measure, f.unit) for f in figures] == [
        ("Access package, 2,000 records: peak memory", "MiB"),
        ("Access package, 2,000 records: throughput in records", "records/s"),
        ("Access package, 2,000 records: throughput in megabytes", "MB/s"),
        ("JSON Lines rewrite, 2 MB object: peak memory", "MiB"),
        ("JSON Lines rewrite, 2 MB object: throughput in records", "records/s"),
        ("JSON Lines rewrite, 2 MB object: throughput in megabytes", "MB/s"),
    ]
    assert all(f.benchmark == "Bounded memory" and f.value > 0 for f in figures)
    package, _, _, rewrite, _, _ = figures
    assert package.baseline == "200 records"
    assert rewrite.baseline == "0.2 MB object"
    for peak in (package, rewrite):
        assert peak.target == "at most 1.5 x the job at one tenth"
        assert peak.baseline_value is not None and peak.baseline_value > 0
        assert peak.met is (peak.value <= 1.5 * peak.baseline_value)
        assert peak.detail["records_per_second"] > 0 and peak.detail["megabytes_per_second"] > 0
    assert package.detail["records"] == 2_000 and package.detail["baseline_records"] == 200
    assert rewrite.detail["records"] == 2_000 and rewrite.detail["removed"] == 20
    assert all(f.target is None and f.met is None for f in figures if f.unit != "MiB")


def test_the_rewrite_received_is_the_object_without_the_subjects_lines_byte_for_byte(
    received: IO[bytes],
) -> None:
    object_bytes = 500_000
    s3 = memory.source_object(object_bytes, received)

    job = memory.rewrite_object(s3, object_bytes)

    original = list(memory.json_lines(object_bytes)())
    assert len(original) == 500 and b"".join(original).count(b"ada@example.com") == 5
    received.seek(0)
    kept = received.read()
    assert kept == b"".join(line for line in original if b'"ada@example.com"' not in line)
    assert b"ada@example.com" not in kept
    assert job.records == 500 and job.detail["removed"] == 5 and job.detail["written_bytes"] == len(kept)
    assert s3.puts == [
        {
            "Bucket": "exports",
            "Key": memory.OBJECT_KEY,
            "IfMatch": '"generated"',
            "ContentType": "application/x-ndjson",
            **KMS,
        }
    ]


def test_the_package_holds_each_of_the_subjects_records_once_in_both_forms_encrypted() -> None:
    with FileBackedS3() as s3:
        job = memory.build_access_package(1_001, s3, request_id="r-1")

        package = json.loads(s3.path(memory.PACKAGES_BUCKET, job.detail["json_key"]).read_text())
        page = s3.path(memory.PACKAGES_BUCKET, job.detail["html_key"]).read_text()
        uploads = dict(s3.uploads)

    assert package["request"]["reference"] == "r-1"
    assert sorted(package["systems"]) == sorted(memory.SYSTEMS)
    records = [record for part in package["systems"].values() for record in part]
    assert len(records) == len({record["id"] for record in records}) == job.records == 1_001
    assert all(record["email"] == "ada@example.com" for record in records)
    assert page.count("<dl>") == 1_001
    assert "&lt;ring twice&gt; &amp; sign" in page and "<ring" not in page
    assert job.bytes == len(json.dumps(package).encode()) + 1 + len(page.encode())
    assert len(uploads) == len(memory.SYSTEMS) + 2
    assert all(KMS.items() <= upload["ExtraArgs"].items() for upload in uploads.values())


class WholeObjectS3(FileBackedS3):
    """Reads each part into memory whole before serving it: what a package that did not stream
    would hold."""

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:  # noqa: N803
        content = self.path(Bucket, Key).read_bytes()
        return {"Body": StreamingBody(io.BytesIO(content), len(content))}


def test_the_measure_sees_a_part_held_in_memory_whole() -> None:
    with FileBackedS3() as streaming:
        job, streamed_peak = peak_bytes_while(lambda: memory.build_access_package(8_000, streaming))
    with WholeObjectS3() as whole:
        _, whole_peak = peak_bytes_while(lambda: memory.build_access_package(8_000, whole))

    part = job.detail["parts_bytes"] / len(memory.SYSTEMS)
    assert part > 400_000
    assert streamed_peak < part < whole_peak  # streamed, no part is ever held whole


def test_the_file_backed_stand_in_answers_a_missing_key_as_s3_does() -> None:
    with FileBackedS3() as s3, pytest.raises(ClientError, match="NoSuchKey"):
        s3.get_object(Bucket="b", Key="missing")
