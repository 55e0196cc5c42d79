"""A Parquet data lake in S3 (analytics events, partitioned by date under a prefix): many people's
rows in each object, found, exported and changed by the desk's own connector.

Why not hand the lake to an Amazon S3 Find and Forget deployment: the desk must also export a
subject's rows for an access request (Find and Forget only erases), and a company should not need
Athena and Fargate for this. Lambda's limits are met instead: memory by working one row group at a
time (bounded by the largest row group, never the object), time by one object after another
(README, "Parquet data lake", gives the object sizes measured). A lake beyond those sizes belongs
to Find and Forget.

Finding: each object's footer is fetched first, with ranged reads into a sparse local copy
(``dsr.connectors.parquet_ranges``); a row group whose statistics (min and max of the identity
column) rule the subject out is skipped without reading its data
(``dsr.connectors.parquet_statistics``); of the others only the identity column is fetched, and
only the row groups that hold the subject are fetched whole.

Changing (erase, anonymize, correct, set_fields): the object is copied to a temporary file and
rewritten row group by row group with the same schema and compression (pyarrow's ParquetWriter),
then put back only if the object is still the version read (If-Match on its ETag); if another
writer got there first, the rewrite starts again from the new version. In a versioned bucket the
versions from before the rewrite are deleted, since they still hold the rows. Idempotent: a second
erasure finds nothing and writes nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from botocore.exceptions import ClientError

from dsr.connectors.base import (
    FlagValue,
    IdentityUnavailableError,
    Record,
    Replacement,
    StoreLayoutError,
    Subject,
)
from dsr.connectors.owned_bucket import OwnedBucket
from dsr.connectors.parquet_ranges import SparseObjectCopy
from dsr.connectors.parquet_statistics import any_between, email_may_be_between
from dsr.connectors.s3_rewrites import (
    ObjectChangedMeanwhileError,
    changed_meanwhile,
    put_back_if_unchanged,
    rewritten_until_unchanged,
)
from dsr.core.registry_stores import S3ParquetStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

COPY_CHUNK_BYTES = 1024 * 1024
EXPORT_BATCH_ROWS = 1024

ColumnChange = Callable[[pa.Table, pa.Array], pa.Table]
"""What a change does to one row group: the table, and which of its rows hold the subject."""


class S3ParquetConnector:
    def __init__(self, s3: S3Client, location: S3ParquetStore, bucket_owner: str | None = None) -> None:
        self._s3 = s3
        self._location = location
        self._bucket = OwnedBucket(location.bucket, bucket_owner)
        self.rows_by_object: dict[str, int] = {}
        """After a change: the subject's rows each object held (deleted or changed), by key."""

    # ------------------------------------------------------------------ finding and export

    def export(self, subject: Subject | str) -> Iterator[Record]:
        found = Subject.of(subject)
        for key in self._object_keys():
            with tempfile.TemporaryDirectory(prefix="parquet-") as folder:
                copy = SparseObjectCopy(self._s3, self._bucket, key, Path(folder))
                holding = dict(self._row_groups_holding(copy, found))
                parquet = pq.ParquetFile(copy.path)
                for index, matches in holding.items():
                    copy.fetch_columns(parquet.metadata, index)
                    rows = parquet.read_row_group(index).filter(matches)
                    for batch in rows.to_batches(max_chunksize=EXPORT_BATCH_ROWS):
                        yield from batch.to_pylist()

    def _row_groups_holding(self, copy: SparseObjectCopy, subject: Subject) -> Iterator[tuple[int, pa.Array]]:
        """Each row group that holds the subject, with which of its rows do: the footer fetched,
        then the identity column of each row group its statistics do not rule out."""
        copy.fetch_footer()
        parquet = pq.ParquetFile(copy.path)
        column = self._identity_column_index(parquet, copy.key)
        values = self._identities(subject)
        for index in range(parquet.metadata.num_row_groups):
            if not self._may_hold(parquet.metadata.row_group(index).column(column).statistics, values):
                continue
            copy.fetch_columns(parquet.metadata, index, [column])
            identities = parquet.read_row_group(index, columns=[self._location.identity_column])
            matches = self._matches(identities.column(0), values)
            if pc.any(matches).as_py():
                yield index, matches

    def _identity_column_index(self, parquet: pq.ParquetFile, key: str) -> int:
        name = self._location.identity_column
        names: list[str] = list(parquet.schema_arrow.names)
        if name not in names:
            raise StoreLayoutError(
                f"identity_column {name!r} is not a column of s3://{self._location.bucket}/{key} "
                f"(its columns: {', '.join(names)})"
            )
        index: int = parquet.metadata.schema.names.index(name)
        return index

    def _identities(self, subject: Subject) -> list[str]:
        if self._location.identity == "email":
            return [subject.normalized_email]
        accounts = subject.account_ids()
        if not accounts:
            raise IdentityUnavailableError(
                "the lake finds people by account id, and this request has no verified account id"
            )
        return accounts

    def _may_hold(self, statistics: Any, values: list[str]) -> bool:
        if statistics is None or not statistics.has_min_max:
            return True
        if self._location.identity == "email":
            return email_may_be_between(values[0], statistics.min, statistics.max)
        return any_between(values, statistics.min, statistics.max)

    def _matches(self, identities: pa.ChunkedArray, values: list[str]) -> pa.Array:
        """Which values are the subject's: an email in any case or spacing, account ids exactly."""
        as_text = identities.cast(pa.string())
        if self._location.identity == "email":
            found = pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(as_text)), values[0])
        else:
            found = pc.is_in(as_text, value_set=pa.array(values))
        return pc.fill_null(found, False).combine_chunks()

    # ------------------------------------------------------------------ changes

    def delete(self, subject: Subject) -> int:
        return self._rewrite_every_object(subject, lambda table, matches: table.filter(pc.invert(matches)))

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        return self._rewrite_every_object(subject, _replacing(replacements, add_missing=False))

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        return self._rewrite_every_object(subject, _replacing(values, add_missing=False))

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        return self._rewrite_every_object(subject, _replacing(fields, add_missing=True))

    def _rewrite_every_object(self, subject: Subject, change: ColumnChange) -> int:
        self._identities(subject)  # an unverified identity fails before any object is read
        self.rows_by_object = {}
        for key in list(self._object_keys()):
            rows = self._rewrite(key, subject, change)
            if rows:
                self.rows_by_object[key] = rows
        return sum(self.rows_by_object.values())

    def _rewrite(self, key: str, subject: Subject, change: ColumnChange) -> int:
        return rewritten_until_unchanged(
            self._location.bucket, key, lambda: self._rewrite_once(key, subject, change)
        )

    def _rewrite_once(self, key: str, subject: Subject, change: ColumnChange) -> int:
        """Find the subject's row groups with ranged reads; only if there are any, copy the object
        to a temporary file and write every row group again, the subject's changed."""
        with tempfile.TemporaryDirectory(prefix="parquet-") as folder:
            copy = SparseObjectCopy(self._s3, self._bucket, key, Path(folder))
            holding = dict(self._row_groups_holding(copy, subject))
            if not holding:
                return 0
            original, rewritten = Path(folder) / "original.parquet", Path(folder) / "rewritten.parquet"
            try:
                read = self._s3.get_object(**self._bucket.arguments, Key=key, IfMatch=copy.etag)
            except ClientError as error:
                if changed_meanwhile(error):
                    raise ObjectChangedMeanwhileError(key) from error
                raise
            with original.open("wb") as into:
                _copy(read["Body"], into)
            parquet = pq.ParquetFile(original)
            with pq.ParquetWriter(
                rewritten, parquet.schema_arrow, compression=_compression_of(parquet)
            ) as writer:
                for index in range(parquet.metadata.num_row_groups):
                    table = parquet.read_row_group(index)
                    if index in holding:
                        table = change(table, holding[index]).cast(parquet.schema_arrow)
                    writer.write_table(table, row_group_size=max(1, table.num_rows))
            with rewritten.open("rb") as content:
                put_back_if_unchanged(
                    self._s3,
                    self._bucket,
                    key,
                    content=content,
                    read=read,
                    default_content_type="application/vnd.apache.parquet",
                )
        return sum(int(pc.sum(matches.cast(pa.int64())).as_py()) for matches in holding.values())

    def _object_keys(self) -> Iterator[str]:
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(**self._bucket.arguments, Prefix=self._location.prefix):
            for entry in page.get("Contents", []):
                if entry["Size"] > 0 and not entry["Key"].endswith("/"):
                    yield entry["Key"]


def _replacing(values: Mapping[str, Replacement], *, add_missing: bool) -> ColumnChange:
    """Write each value into the subject's rows, in the columns the objects have. A column the
    objects lack is an error for flags (nowhere to record them), and left alone for anonymizing
    and corrections (nothing held there to replace)."""

    def change(table: pa.Table, matches: pa.Array) -> pa.Table:
        missing = sorted(set(values) - set(table.column_names))
        if add_missing and missing:
            raise StoreLayoutError(f"the objects have no column {', '.join(missing)} to set")
        for name, value in values.items():
            if name not in table.column_names:
                continue
            position = table.column_names.index(name)
            column = table.column(position)
            replacement = (
                pa.scalar(value).cast(column.type) if value is not None else pa.nulls(1, column.type)[0]
            )
            table = table.set_column(position, name, pc.if_else(matches, replacement, column))
        return table

    return change


def _compression_of(parquet: pq.ParquetFile) -> dict[str, str]:
    """Each column's codec, as the first row group was written (the writer takes one per column)."""
    if parquet.metadata.num_row_groups == 0:
        return {}
    group = parquet.metadata.row_group(0)
    return {
        group.column(index).path_in_schema: str(group.column(index).compression).lower()
        for index in range(group.num_columns)
    }


def _copy(body: Any, into: IO[bytes]) -> None:
    """Stream the object into a file, a chunk at a time."""
    try:
        while chunk := body.read(COPY_CHUNK_BYTES):
            into.write(chunk)
    finally:
        body.close()
