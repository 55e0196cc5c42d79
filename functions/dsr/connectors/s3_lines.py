"""Objects of many records each, one record a line (JSON Lines, CSV): the machinery they share.

Reading streams each object line by line. A change rewrites the object into a temporary file,
copying every other line byte for byte and writing the subject's lines changed (or not at all),
then puts it back only if the object is still the version that was read (If-Match on its ETag);
if another writer got there first, the rewrite starts again from the new version. In a versioned
bucket the versions from before the rewrite are deleted, since they still hold what was changed.
No object is ever held in memory whole.
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from typing import TYPE_CHECKING, Any, NamedTuple

from dsr.connectors.base import FlagValue, Record, Replacement, Subject
from dsr.connectors.owned_bucket import OwnedBucket
from dsr.connectors.s3_rewrites import put_back_if_unchanged, rewritten_until_unchanged
from dsr.core.registry_stores import S3LinesStore

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client

READ_CHUNK_BYTES = 64 * 1024

Change = Callable[[Record], Record | None]
"""What a change does to one of the subject's records: the record to write, or None to drop it."""


class Row(NamedTuple):
    raw: bytes
    """The line(s) exactly as stored, with their line ending."""
    record: Record | None
    """The parsed record; None for a line that is not one (blank, malformed): kept as it is."""


class ObjectRows(ABC):
    """One object's rows, read once, and how a changed record is written back."""

    preamble: bytes = b""
    """Written before the rows (a CSV header)."""

    @abstractmethod
    def __iter__(self) -> Iterator[Row]: ...

    @abstractmethod
    def encode(self, record: Record) -> bytes:
        """The record as one line of this object, with its line ending."""


class S3LinesConnector(ABC):
    def __init__(self, s3: S3Client, location: S3LinesStore, bucket_owner: str | None = None) -> None:
        self._s3 = s3
        self._location = location
        self._bucket = OwnedBucket(location.bucket, bucket_owner)

    @abstractmethod
    def _rows(self, body: StreamingBody) -> ObjectRows:
        """Read ``body`` in this connector's format."""

    def export(self, subject: Subject | str) -> Iterator[Record]:
        found = Subject.of(subject)
        for key in self._object_keys():
            response = self._s3.get_object(**self._bucket.arguments, Key=key)
            with closing(response["Body"]) as body:
                for row in self._rows(body):
                    if row.record is not None and self._holds(row.record, found):
                        yield row.record

    def delete(self, subject: Subject) -> int:
        return self._rewrite_every_object(subject, lambda _record: None)

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        return self._rewrite_every_object(subject, _replacing_held(replacements))

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        return self._rewrite_every_object(subject, _replacing_held(values))

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        return self._rewrite_every_object(subject, lambda record: {**record, **fields})

    def _rewrite_every_object(self, subject: Subject, change: Change) -> int:
        """The number of the subject's records the change applied to, across every object."""
        return sum(self._rewrite(key, subject, change) for key in self._object_keys())

    def _rewrite(self, key: str, subject: Subject, change: Change) -> int:
        return rewritten_until_unchanged(
            self._location.bucket, key, lambda: self._rewrite_once(key, subject, change)
        )

    def _rewrite_once(self, key: str, subject: Subject, change: Change) -> int:
        response = self._s3.get_object(**self._bucket.arguments, Key=key)
        applied, modified = 0, False
        with tempfile.TemporaryFile() as rewritten, closing(response["Body"]) as body:
            rows = self._rows(body)
            rewritten.write(rows.preamble)
            for row in rows:
                if row.record is None or not self._holds(row.record, subject):
                    rewritten.write(row.raw)
                    continue
                applied += 1
                changed = change(row.record)
                if changed is None:
                    modified = True
                elif rows.encode(changed) != rows.encode(row.record):
                    modified = True
                    rewritten.write(rows.encode(changed))
                else:
                    rewritten.write(row.raw)
            if modified:
                put_back_if_unchanged(
                    self._s3,
                    self._bucket,
                    key,
                    content=rewritten,
                    read=response,
                    default_content_type="application/octet-stream",
                )
        return applied

    def _holds(self, record: Mapping[str, Any], subject: Subject) -> bool:
        return subject.holds(record.get(self._location.identity_attribute))

    def _object_keys(self) -> Iterator[str]:
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(**self._bucket.arguments, Prefix=self._location.prefix):
            for entry in page.get("Contents", []):
                yield entry["Key"]


def lines_of(body: StreamingBody) -> Iterator[bytes]:
    """Each line of the object with its ending, read a chunk at a time."""
    return body.iter_lines(chunk_size=READ_CHUNK_BYTES, keepends=True)


def _replacing_held(values: Mapping[str, Replacement]) -> Change:
    """Replace only what the record already holds: a correction or anonymization adds nothing."""

    def change(record: Record) -> Record:
        return {**record, **{name: value for name, value in values.items() if name in record}}

    return change
