"""S3's check of ``ExpectedBucketOwner``, played on the local cloud.

In AWS, a call that names the account expected to own its bucket is refused with 403 AccessDenied
when another account owns it. moto accepts any owner, so the local cloud checks here: every
bucket on the local cloud belongs to its one account. botocore hooks, registered on the default
session: the owner a call names is noted while its parameters are built, and the call is answered
with S3's refusal before it is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_NAMED_OWNER = "local_cloud_expected_bucket_owner"
REFUSAL = {
    "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
    "ResponseMetadata": {"HTTPStatusCode": 403},
}


@dataclass
class _Response:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class BucketOwnerCheck:
    account_id: str
    """The local cloud's account, which owns every bucket on it."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(bucket, owner named) of each call refused, so a test can show the check ran."""

    def on_before_parameter_build(
        self, params: dict[str, Any], context: dict[str, Any], **_kwargs: Any
    ) -> None:
        """botocore ``before-parameter-build.s3``: note the owner the call names, if any."""
        named = params.get("ExpectedBucketOwner")
        if named is not None:
            context[_NAMED_OWNER] = (str(params.get("Bucket", "")), str(named))

    def on_before_call(
        self, context: dict[str, Any] | None = None, **_kwargs: Any
    ) -> tuple[_Response, dict[str, Any]] | None:
        """botocore ``before-call.s3``: S3's refusal when the named owner is not the bucket's."""
        bucket, named = (context or {}).get(_NAMED_OWNER, ("", self.account_id))
        if named == self.account_id:
            return None
        self.refused.append((bucket, named))
        return _Response(403), {**REFUSAL}
