"""Access packages in S3: each system's export as a part (JSON Lines), and the documents made
from the parts, streamed through a temporary file and encrypted with the desk's data key."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class PackageStore:
    def __init__(self, s3: S3Client, bucket: str, kms_key_id: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._kms_key_id = kms_key_id

    def _encryption(self) -> dict[str, str]:
        return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id}

    def put_part(self, request_id: str, system_id: str, records: Iterable[dict[str, Any]]) -> int:
        """Write one system's records as JSON Lines, streamed through a file; the count written."""
        counted = [0]

        def lines() -> Iterator[bytes]:
            for record in records:
                counted[0] += 1
                yield json.dumps(record, default=str, sort_keys=True).encode() + b"\n"

        self._upload(part_key(request_id, system_id), lines(), "application/x-ndjson")
        return counted[0]

    def part_lines(self, request_id: str, system_id: str) -> Iterator[bytes]:
        """One system's part, a JSON document a line, read as it streams in; the stream closed
        once read, so its connection goes back to the pool and its buffer is let go."""
        body = self._s3.get_object(Bucket=self._bucket, Key=part_key(request_id, system_id))["Body"]
        try:
            yield from body.iter_lines()
        finally:
            body.close()

    def part_records(self, request_id: str, system_id: str) -> Iterator[Any]:
        return (json.loads(line) for line in self.part_lines(request_id, system_id))

    def compile(self, request_id: str, system_ids: Iterable[str], header: dict[str, Any]) -> str:
        """Join the parts into one JSON document without holding it all in memory; its key."""
        return self.compile_records(
            request_id, system_ids, header, lambda system_id: self.part_records(request_id, system_id)
        )

    def compile_records(
        self,
        request_id: str,
        system_ids: Iterable[str],
        header: dict[str, Any],
        records_of: Callable[[str], Iterable[Any]],
    ) -> str:
        """One JSON document of each system's records as ``records_of`` gives them (the parts,
        less what a reviewer withheld), a record at a time; its key."""

        def document() -> Iterator[bytes]:
            yield b'{"request": ' + json.dumps(header, default=str).encode() + b', "systems": {'
            for index, system_id in enumerate(sorted(system_ids)):
                yield (b", " if index else b"") + json.dumps(system_id).encode() + b": ["
                for number, record in enumerate(records_of(system_id)):
                    yield (b", " if number else b"") + json.dumps(
                        record, default=str, sort_keys=True
                    ).encode()
                yield b"]"
            yield b"}}\n"

        key = package_key(request_id)
        self._upload(key, document(), "application/json", download_as="my-personal-data.json")
        return key

    def put_readable(self, request_id: str, page: Iterable[bytes]) -> str:
        """The package as a page for people (``dsr.notices.package_page``), streamed in; its key."""
        key = readable_package_key(request_id)
        self._upload(key, page, "text/html; charset=utf-8", download_as="my-personal-data.html")
        return key

    def _upload(
        self, key: str, chunks: Iterable[bytes], content_type: str, *, download_as: str | None = None
    ) -> None:
        """Stream ``chunks`` through a temporary file into one encrypted object."""
        extra = {**self._encryption(), "ContentType": content_type}
        if download_as:
            extra["ContentDisposition"] = f'attachment; filename="{download_as}"'
        with tempfile.TemporaryFile() as staged:
            for chunk in chunks:
                staged.write(chunk)
            staged.seek(0)
            self._s3.upload_fileobj(staged, self._bucket, key, ExtraArgs=extra)

    def put_evidence(self, request_id: str, name: str, content: bytes) -> str:
        """Keep a document the request relies on (an agent's signed permission), encrypted."""
        key = f"evidence/{request_id}/{name}"
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, **self._encryption())  # type: ignore[arg-type]
        return key

    def put_evidence_pack(
        self, request_id: str, produced: str, files: dict[str, bytes], sha256: str
    ) -> dict[str, str]:
        """Keep an evidence pack's files (``{"json": ..., "pdf": ...}``), encrypted, under their own
        prefix (the bucket keeps it for the record-keeping period); each file's key by its kind.
        Each object carries the JSON file's checksum, so the stored pair can be checked."""
        keys = {}
        for kind, content in files.items():
            key = evidence_pack_key(request_id, produced, kind)
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=content,
                ContentType=EVIDENCE_CONTENT_TYPES[kind],
                ContentDisposition=f'attachment; filename="{key.rsplit("/", 1)[1]}"',
                Metadata={"json-sha256": sha256},
                **self._encryption(),  # type: ignore[arg-type]
            )
            keys[kind] = key
        return keys

    def link(self, key: str, expires_in_seconds: int) -> str:
        return self._s3.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=expires_in_seconds,
        )


def readable_package_key(request_id: str) -> str:
    return f"packages/{request_id}/access-package.html"


def part_key(request_id: str, system_id: str) -> str:
    return f"parts/{request_id}/{system_id}.jsonl"


def package_key(request_id: str) -> str:
    return f"packages/{request_id}/access-package.json"


EVIDENCE_PACK_PREFIX = "evidence-packs/"
"""Kept for the record-keeping period by the bucket's lifecycle (template.yaml, KeepEvidencePacks)."""
EVIDENCE_CONTENT_TYPES = {"json": "application/json", "pdf": "application/pdf"}


def evidence_pack_key(request_id: str, produced: str, kind: str) -> str:
    """``evidence-packs/<request>/<moment produced>-evidence.<kind>``: every pack produced is kept."""
    return f"{EVIDENCE_PACK_PREFIX}{request_id}/{produced}-evidence.{kind}"
