"""Reading only the parts of a Parquet object that are needed: the footer, then the column chunks
asked for, each fetched with a ranged GET pinned to the object's ETag (If-Match) into a sparse
local copy of the object (a file of the object's size that holds only what was fetched, so the
disk holds no more than that either). pyarrow reads the copy as a local file: nothing of S3 runs
inside pyarrow's reads, where a Python exception cannot be raised safely, and an object replaced
meanwhile is found at the next fetch (``ObjectChangedMeanwhileError``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from dsr.connectors.s3_rewrites import ObjectChangedMeanwhileError, changed_meanwhile

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from dsr.connectors.owned_bucket import OwnedBucket

FOOTER_GUESS_BYTES = 64 * 1024
"""Read from the end at first: the footer (metadata, its length and the magic) is usually in it."""
COPY_CHUNK_BYTES = 1024 * 1024


class SparseObjectCopy:
    """One version of an S3 object on local disk, holding only the byte ranges fetched."""

    def __init__(self, s3: S3Client, bucket: OwnedBucket, key: str, folder: Path) -> None:
        head = s3.head_object(**bucket.arguments, Key=key)
        self._s3, self._bucket, self.key = s3, bucket, key
        self.size: int = head["ContentLength"]
        self.etag: str = head["ETag"]
        self.path = folder / "object.parquet"
        with self.path.open("wb") as copy:
            copy.truncate(self.size)
        self.fetched: list[tuple[int, int]] = []
        """The ranges fetched, [start, end), in order."""

    def fetch(self, start: int, end: int) -> None:
        """Bytes [start, end) of the object, written into the copy at the same place."""
        start, end = max(0, start), min(self.size, end)
        if end <= start:
            return
        try:
            response = self._s3.get_object(
                **self._bucket.arguments, Key=self.key, IfMatch=self.etag, Range=f"bytes={start}-{end - 1}"
            )
        except ClientError as error:
            if changed_meanwhile(error):
                raise ObjectChangedMeanwhileError(self.key) from error
            raise
        body = response["Body"]
        with self.path.open("r+b") as copy:
            copy.seek(start)
            try:
                while chunk := body.read(COPY_CHUNK_BYTES):
                    copy.write(chunk)
            finally:
                body.close()
        self.fetched.append((start, end))

    def fetch_footer(self) -> None:
        """The footer: the metadata, its length and the closing magic (and the opening magic)."""
        guess = min(self.size, FOOTER_GUESS_BYTES)
        self.fetch(self.size - guess, self.size)
        with self.path.open("rb") as copy:
            copy.seek(self.size - 8)
            length = int.from_bytes(copy.read(4), "little")
        if length + 8 > guess:
            self.fetch(self.size - length - 8, self.size - guess)
        if guess < self.size:
            self.fetch(0, 4)

    def fetch_columns(self, metadata: Any, row_group: int, columns: list[int] | None = None) -> None:
        """The chunks of the given columns (all, if None) of one row group."""
        group = metadata.row_group(row_group)
        for index in range(group.num_columns) if columns is None else columns:
            chunk = group.column(index)
            offsets = [chunk.data_page_offset]
            if chunk.has_dictionary_page and chunk.dictionary_page_offset:
                offsets.append(chunk.dictionary_page_offset)
            start = min(offsets)
            self.fetch(start, start + chunk.total_compressed_size)
