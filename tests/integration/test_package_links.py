"""Presigned package links open on the local cloud as in AWS: a plain GET answers with the object,
and what S3 would refuse (an expired link, a wrong signature, another key) is refused."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from dsr.storage.packages import package_key
from dsr.wiring.desk import Desk
from local_cloud import s3_links
from local_cloud.cloud import LocalCloud

PACKAGE = b'{"request": {"reference": "r-1"}, "systems": {}}\n'
OTHER = b'{"request": {"reference": "r-2"}, "systems": {}}\n'


def plain_get(url: str) -> tuple[int, bytes, dict[str, str]]:
    """What a browser does with a link: one GET, nothing of the desk's or moto's in between."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read(), dict(refused.headers)


@pytest.fixture
def stored(desk: Desk) -> str:
    """Two packages in the packages bucket, as the desk writes them; the first one's key."""
    for reference, content in (("r-1", PACKAGE), ("r-2", OTHER)):
        desk.s3.put_object(
            Bucket=desk.settings.packages_bucket,
            Key=package_key(reference),
            Body=content,
            ContentType="application/json",
            ContentDisposition='attachment; filename="my-personal-data.json"',
        )
    return package_key("r-1")


def test_a_presigned_package_link_opens_from_a_plain_get_on_the_local_cloud(
    cloud: LocalCloud, desk: Desk, stored: str
) -> None:
    link = desk.packages.link(stored, 300)

    assert link.startswith(f"{cloud.base_url}/{desk.settings.packages_bucket}/")
    assert "X-Amz-Signature=" in link  # Signature Version 4, as in AWS
    status, body, headers = plain_get(link)
    assert status == 200
    assert body == PACKAGE
    assert headers["Content-Type"] == "application/json"
    assert headers["Content-Disposition"] == 'attachment; filename="my-personal-data.json"'


def test_a_tampered_link_or_one_pointed_at_another_key_is_refused(desk: Desk, stored: str) -> None:
    link = desk.packages.link(stored, 300)
    signature = link.rsplit("X-Amz-Signature=", 1)[1]
    tampered = link.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    another_key = link.replace("/r-1/", "/r-2/")
    unsigned = link.split("?", 1)[0]

    for refused in (tampered, another_key):
        status, body, _ = plain_get(refused)
        assert status == 403
        assert b"<Code>SignatureDoesNotMatch</Code>" in body
        assert OTHER not in body and PACKAGE not in body
    status, body, _ = plain_get(unsigned)  # not a link at all: nothing is served without a signature
    assert status == 403
    assert b"<Code>AccessDenied</Code>" in body


def test_an_expired_link_is_refused(desk: Desk, stored: str) -> None:
    link = desk.packages.link(stored, 1)
    assert plain_get(link)[0] == 200
    time.sleep(2.1)

    status, body, _ = plain_get(link)

    assert status == 403
    assert b"Request has expired" in body


def test_the_check_counts_from_when_the_link_was_signed(desk: Desk, stored: str) -> None:
    parts = urlsplit(desk.packages.link(stored, 300))
    signed = datetime.now(UTC)

    within = s3_links.presigned_get(parts.netloc, parts.path, parts.query, signed + timedelta(seconds=290))
    after = s3_links.presigned_get(parts.netloc, parts.path, parts.query, signed + timedelta(seconds=302))

    assert (within.status, within.body) == (200, PACKAGE)
    assert after.status == 403 and b"Request has expired" in after.body


def test_a_link_signed_with_a_key_the_cloud_does_not_know_is_refused(
    cloud: LocalCloud, desk: Desk, stored: str
) -> None:
    stranger = boto3.client(
        "s3",
        endpoint_url=cloud.base_url,
        aws_access_key_id="AKIASOMEONEELSE",
        aws_secret_access_key="not-the-desks",
        config=Config(signature_version="s3v4"),
    )
    link = stranger.generate_presigned_url(
        "get_object", Params={"Bucket": desk.settings.packages_bucket, "Key": stored}, ExpiresIn=300
    )

    status, body, _ = plain_get(link)

    assert status == 403
    assert b"<Code>InvalidAccessKeyId</Code>" in body
