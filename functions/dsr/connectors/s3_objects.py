"""Objects that belong to one subject each (CVs, uploads), under a prefix the key template names.

The template's placeholders are the identities a key may carry
(``dsr.core.key_templates.KEY_TEMPLATE_PLACEHOLDERS``): ``{email_hash}``, the SHA-256 hex of the
trimmed, lower-cased email address (an address itself never appears in a key), and
``{account_id}``, used only when the product vouched for the account.

Export copies each object's metadata and content (text inline, anything else base64). Erasure
deletes every object under the prefix and, in a versioned bucket, every earlier version and delete
marker too, so nothing of the subject's remains to be restored.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from contextlib import closing
from typing import TYPE_CHECKING, Any

from dsr.connectors.base import (
    FlagValue,
    IdentityUnavailableError,
    Record,
    Replacement,
    Subject,
    is_safe_key_segment,
)
from dsr.connectors.owned_bucket import OwnedBucket
from dsr.connectors.s3_versions import delete_versions, versions_under
from dsr.core.registry_stores import S3ObjectsStore

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

TEXT_TYPES = ("text/", "application/json", "application/xml", "application/x-ndjson")


class S3ObjectsConnector:
    def __init__(self, s3: S3Client, location: S3ObjectsStore, bucket_owner: str | None = None) -> None:
        self._s3 = s3
        self._location = location
        self._bucket = OwnedBucket(location.bucket, bucket_owner)

    def prefix_for(self, subject: Subject) -> str:
        identities = {"email_hash": subject.email_hash, "account_id": subject.account_id}
        missing = sorted(name for name in self._location.placeholders if not identities.get(name))
        if missing:
            raise IdentityUnavailableError(
                f"this store finds people by {', '.join(missing)}, which the request has not verified"
            )
        unsafe = sorted(
            name for name in self._location.placeholders if not is_safe_key_segment(identities[name])
        )
        if unsafe:
            raise IdentityUnavailableError(
                f"the {', '.join(unsafe)} cannot name an object prefix (only letters, digits, - and _)"
            )
        return self._location.key_template.format(**identities)

    def export(self, subject: Subject | str) -> Iterator[Record]:
        prefix = self.prefix_for(Subject.of(subject))
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(**self._bucket.arguments, Prefix=prefix):
            for entry in page.get("Contents", []):
                yield self._exported(entry["Key"], prefix)

    def delete(self, subject: Subject) -> int:
        """Every version of every object under the subject's prefix; the number of objects."""
        versions = list(versions_under(self._s3, self._bucket, self.prefix_for(subject)))
        delete_versions(self._s3, self._bucket, versions)
        return len({version.key for version in versions if not version.is_delete_marker})

    def anonymize(self, subject: Subject, replacements: Mapping[str, Replacement]) -> int:
        raise NotImplementedError("objects that belong to one subject are deleted whole, not anonymized")

    def correct(self, subject: Subject, values: Mapping[str, str]) -> int:
        raise NotImplementedError("objects that belong to one subject cannot be corrected field by field")

    def set_fields(self, subject: Subject, fields: Mapping[str, FlagValue]) -> int:
        raise NotImplementedError("objects that belong to one subject have no fields to set")

    def _exported(self, key: str, prefix: str) -> Record:
        head = self._s3.head_object(**self._bucket.arguments, Key=key)
        content_type = head.get("ContentType", "application/octet-stream")
        record: Record = {
            "file": key.removeprefix(prefix),
            "size": head["ContentLength"],
            "last_modified": head["LastModified"].isoformat(),
            "content_type": content_type,
        }
        if head["ContentLength"] > self._location.max_inline_bytes:
            record["content_omitted"] = (
                f"larger than {self._location.max_inline_bytes} bytes; ask us for a copy of this file"
            )
            return record
        response = self._s3.get_object(**self._bucket.arguments, Key=key)
        with closing(response["Body"]) as body:
            return record | _content(body.read(), content_type)


def _content(data: bytes, content_type: str) -> dict[str, Any]:
    if content_type.startswith(TEXT_TYPES):
        try:
            return {"content": data.decode("utf-8")}
        except UnicodeDecodeError:
            pass
    return {"content_base64": base64.b64encode(data).decode("ascii")}
