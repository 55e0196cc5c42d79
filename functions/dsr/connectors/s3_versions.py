"""Object versions: in a versioned bucket, deleting or rewriting an object leaves its old versions,
which still hold what was erased. These helpers find and delete them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

    from dsr.connectors.owned_bucket import OwnedBucket

UNVERSIONED = "null"  # the version id S3 reports for objects written while versioning was off
DELETE_BATCH = 1000  # the most keys DeleteObjects takes at once


class ObjectVersion(NamedTuple):
    key: str
    version_id: str
    is_latest: bool
    is_delete_marker: bool


def versions_under(s3: S3Client, bucket: OwnedBucket, prefix: str) -> Iterator[ObjectVersion]:
    """Every version and delete marker under ``prefix`` (in an unversioned bucket: each object)."""
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(**bucket.arguments, Prefix=prefix):
        for version in page.get("Versions", []):
            yield ObjectVersion(
                key=version["Key"],
                version_id=version.get("VersionId", UNVERSIONED),
                is_latest=version.get("IsLatest", False),
                is_delete_marker=False,
            )
        for marker in page.get("DeleteMarkers", []):
            yield ObjectVersion(
                key=marker["Key"],
                version_id=marker.get("VersionId", UNVERSIONED),
                is_latest=marker.get("IsLatest", False),
                is_delete_marker=True,
            )


def delete_versions(s3: S3Client, bucket: OwnedBucket, versions: Iterable[ObjectVersion]) -> None:
    """Delete each version for good (a version id given, S3 adds no delete marker)."""
    remaining = iter(versions)
    while batch := list(islice(remaining, DELETE_BATCH)):
        objects: list[ObjectIdentifierTypeDef] = [_identifier(version) for version in batch]
        answer = s3.delete_objects(**bucket.arguments, Delete={"Objects": objects, "Quiet": True})
        errors = answer.get("Errors", [])
        if errors:
            codes = sorted({str(error.get("Code")) for error in errors})
            raise RuntimeError(f"{len(errors)} object versions in {bucket.name} were not deleted: {codes}")


def purge_noncurrent_versions(s3: S3Client, bucket: OwnedBucket, key: str) -> None:
    """After a rewrite, the versions before it (which held what the rewrite removed) go too."""
    noncurrent = [v for v in versions_under(s3, bucket, key) if v.key == key and not v.is_latest]
    delete_versions(s3, bucket, noncurrent)


def _identifier(version: ObjectVersion) -> ObjectIdentifierTypeDef:
    if version.version_id == UNVERSIONED:
        return {"Key": version.key}
    return {"Key": version.key, "VersionId": version.version_id}
