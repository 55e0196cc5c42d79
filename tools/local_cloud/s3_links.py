"""S3's answer to a presigned GET, played on the local cloud.

On the local cloud the desk's S3 client has the local cloud as its endpoint (``AWS_ENDPOINT_URL_S3``,
path-style addressing), so it presigns links exactly as in AWS and they point here. A person's
browser brings such a link back as a plain GET; this module checks it as S3 would (a SigV4 query
signature over the method, path, query and host, made with the access key it names, within
``X-Amz-Expires`` seconds of ``X-Amz-Date``) and reads the object from moto's in-memory S3. moto's
own S3 does not check presigned links, so the check is here.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qsl, unquote

import boto3
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import ReadOnlyCredentials
from botocore.exceptions import ClientError

ALGORITHM = "AWS4-HMAC-SHA256"
LONGEST_EXPIRY = timedelta(days=7)  # what S3 accepts for X-Amz-Expires
_AUTH_PARAMETERS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
)


@dataclass(frozen=True)
class S3Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class RefusedError(Exception):
    """What S3 says when it refuses a request: an HTTP status and an error code."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.answer = S3Answer(
            status,
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>\n"
            ).encode(),
            {"Content-Type": "application/xml"},
        )


def is_presigned(query: str) -> bool:
    """Whether a query carries S3's query-string authentication (a presigned link)."""
    names = {name for name, _ in parse_qsl(query, keep_blank_values=True)}
    return "X-Amz-Signature" in names or "AWSAccessKeyId" in names


def names_a_bucket(path: str) -> bool:
    """Whether a path begins with the name of a bucket (path-style addressing)."""
    bucket = path.lstrip("/").partition("/")[0]
    return bool(bucket) and bucket in {
        found["Name"] for found in boto3.client("s3").list_buckets()["Buckets"]
    }


def presigned_get(host: str, path: str, query: str, now: datetime | None = None) -> S3Answer:
    """Answer a GET of a presigned path-style link (``/bucket/key?X-Amz-...``) as S3 would."""
    try:
        _check(host, path, query, now or datetime.now(UTC))
        bucket, _, key = path.lstrip("/").partition("/")
        return _object(bucket, unquote(key))
    except RefusedError as refused:
        return refused.answer


def _check(host: str, path: str, query: str, now: datetime) -> None:
    pairs = parse_qsl(query, keep_blank_values=True)
    given = dict(pairs)
    if not given:
        raise RefusedError(403, "AccessDenied", "Access Denied")
    if given.get("X-Amz-Algorithm") != ALGORITHM or not all(name in given for name in _AUTH_PARAMETERS):
        raise RefusedError(
            403,
            "AccessDenied",
            "Only Signature Version 4 presigned links are accepted (X-Amz-Algorithm=AWS4-HMAC-SHA256).",
        )
    signature = given.get("X-Amz-Signature", "")
    access_key, _, scope = given["X-Amz-Credential"].partition("/")
    _, region, service, *_ = [*scope.split("/"), "", "", ""]
    try:
        signed_at = datetime.strptime(given["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        expires = int(given["X-Amz-Expires"])
    except ValueError as unreadable:
        raise RefusedError(
            400, "AuthorizationQueryParametersError", "X-Amz-Date or X-Amz-Expires is malformed."
        ) from unreadable
    if not 0 < expires <= LONGEST_EXPIRY.total_seconds():
        raise RefusedError(
            400, "AuthorizationQueryParametersError", "X-Amz-Expires must be between 1 and 604800 seconds."
        )
    credentials = _credentials()
    if not hmac.compare_digest(access_key, str(credentials.access_key)):
        raise RefusedError(
            403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        )
    if now > signed_at + timedelta(seconds=expires):
        raise RefusedError(403, "AccessDenied", "Request has expired")
    signed = _signature(
        credentials, host, path, query, signed_at=given["X-Amz-Date"], scope=(region, service, expires)
    )
    if not hmac.compare_digest(signature, signed):
        raise RefusedError(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        )


def _credentials() -> ReadOnlyCredentials:
    """The credentials the desk's clients sign with on the local cloud (the session's)."""
    found = boto3.Session().get_credentials()
    if found is None:
        raise RefusedError(
            403, "InvalidAccessKeyId", "The local cloud has no credentials to check links with."
        )
    return found.get_frozen_credentials()


def _signature(
    credentials: ReadOnlyCredentials,
    host: str,
    path: str,
    query: str,
    *,
    signed_at: str,
    scope: tuple[str, str, int],
) -> str:
    """The signature S3 computes for the link: botocore's own SigV4 query signer, at the time the
    link says it was signed, over the link as it came (path and query encoded as sent) without
    its signature."""
    region, service, expires = scope
    unsigned = "&".join(pair for pair in query.split("&") if not pair.startswith("X-Amz-Signature="))
    request = AWSRequest(method="GET", url=f"http://{host}{path}?{unsigned}")
    request.context["timestamp"] = signed_at
    signer = S3SigV4QueryAuth(credentials, service, region, expires=expires)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def _object(bucket: str, key: str) -> S3Answer:
    try:
        found: Any = boto3.client("s3").get_object(Bucket=bucket, Key=key)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", "NoSuchKey"))
        raise RefusedError(404, code, "The specified key does not exist.") from error
    headers = {"Content-Type": str(found.get("ContentType") or "application/octet-stream")}
    if found.get("ContentDisposition"):
        headers["Content-Disposition"] = str(found["ContentDisposition"])
    return S3Answer(200, found["Body"].read(), headers)
