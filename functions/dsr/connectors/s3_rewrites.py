"""Rewriting an S3 object in place, as the connectors of many records per object do (JSON Lines,
CSV, Parquet): the rewrite is put back only if the object is still the version that was read
(If-Match on its ETag), keeping its content type, metadata and KMS key; if another writer got there
first, the rewrite starts again from the new version, a few times at most. In a versioned bucket
the versions from before the rewrite are deleted, since they still hold what was changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from dsr.connectors.s3_versions import UNVERSIONED, purge_noncurrent_versions

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from dsr.connectors.owned_bucket import OwnedBucket

REWRITE_ATTEMPTS = 3
CHANGED_MEANWHILE = {"PreconditionFailed", "ConditionalRequestConflict"}


class ObjectChangedMeanwhileError(RuntimeError):
    """The object was replaced between reading it and putting the rewrite back."""


def changed_meanwhile(error: ClientError) -> bool:
    """Whether S3 refused a conditional read or write because the object is another version now."""
    return error.response.get("Error", {}).get("Code") in CHANGED_MEANWHILE


def rewritten_until_unchanged(bucket: str, key: str, rewrite_once: Callable[[], int]) -> int:
    """What ``rewrite_once`` returns, run again while the object changes under it."""
    for _attempt in range(REWRITE_ATTEMPTS):
        try:
            return rewrite_once()
        except ObjectChangedMeanwhileError:
            continue
    raise ObjectChangedMeanwhileError(
        f"s3://{bucket}/{key} changed during each of {REWRITE_ATTEMPTS} rewrites"
    )


def put_back_if_unchanged(
    s3: S3Client,
    bucket: OwnedBucket,
    key: str,
    *,
    content: IO[bytes],
    read: Mapping[str, Any],
    default_content_type: str,
) -> None:
    """Put ``content`` back as ``key`` only if the object is still the version ``read`` returned."""
    content.seek(0)
    arguments: dict[str, Any] = {
        **bucket.arguments,
        "Key": key,
        "Body": content,
        "IfMatch": read["ETag"],
        "ContentType": read.get("ContentType", default_content_type),
    }
    if read.get("Metadata"):
        arguments["Metadata"] = read["Metadata"]
    if read.get("ServerSideEncryption") == "aws:kms" and read.get("SSEKMSKeyId"):
        arguments |= {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": read["SSEKMSKeyId"]}
    try:
        s3.put_object(**arguments)
    except ClientError as error:
        if changed_meanwhile(error):
            raise ObjectChangedMeanwhileError(key) from error
        raise
    if read.get("VersionId", UNVERSIONED) != UNVERSIONED:
        purge_noncurrent_versions(s3, bucket, key)
