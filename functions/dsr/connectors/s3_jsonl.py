"""JSON Lines objects in S3 (exports, archives): one record a line, many subjects an object."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any

from dsr.connectors import Record
from dsr.registry import S3JsonLinesStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class S3JsonLinesConnector:
    def __init__(self, s3: S3Client, location: S3JsonLinesStore) -> None:
        self._s3 = s3
        self._location = location

    def export(self, identity: str) -> Iterator[Record]:
        for key in self._object_keys():
            for record in self._records(key):
                if record is not None and self._holds(record, identity):
                    yield record

    def erase(self, identity: str) -> int:
        """Rewrite each object that holds the subject without their lines, streaming through a file."""
        removed = 0
        for key in self._object_keys():
            removed += self._rewrite_without(key, identity)
        return removed

    def opt_out(self, identity: str, set_fields: Mapping[str, Any]) -> int:
        raise NotImplementedError("archived JSON Lines records have no opt-out flag to set")

    def _rewrite_without(self, key: str, identity: str) -> int:
        removed = 0
        with tempfile.TemporaryFile() as kept:
            body = self._s3.get_object(Bucket=self._location.bucket, Key=key)["Body"]
            for line in body.iter_lines():
                record = _parse(line)
                if record is not None and self._holds(record, identity):
                    removed += 1
                    continue
                kept.write(line + b"\n")
            if removed:
                _upload(self._s3, self._location.bucket, key, kept)
        return removed

    def _holds(self, record: Mapping[str, Any], identity: str) -> bool:
        value = record.get(self._location.identity_attribute)
        return isinstance(value, str) and value.strip().lower() == identity.strip().lower()

    def _object_keys(self) -> Iterator[str]:
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._location.bucket, Prefix=self._location.prefix):
            for entry in page.get("Contents", []):
                yield entry["Key"]

    def _records(self, key: str) -> Iterator[Record | None]:
        body = self._s3.get_object(Bucket=self._location.bucket, Key=key)["Body"]
        for line in body.iter_lines():
            yield _parse(line)


def _parse(line: bytes) -> Record | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _upload(s3: S3Client, bucket: str, key: str, content: IO[bytes]) -> None:
    content.seek(0)
    s3.upload_fileobj(content, bucket, key)
