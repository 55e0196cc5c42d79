"""The access package for people: grouped by system, every value shown as text."""

from __future__ import annotations

import boto3

from dsr.packages import PackageStore

BUCKET = "packages"


def test_the_readable_package_groups_by_system_and_escapes_every_value(aws: None) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    kms_key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]["KeyId"]
    store = PackageStore(s3, BUCKET, kms_key)
    store.put_part("r-1", "accounts", [{"name": "<img src=x onerror=alert(1)>", "tags": ["a", "b"]}])
    store.put_part("r-1", "tickets", [{"topic": "Billing"}, {"topic": "Training"}])
    header = {
        "generated_at": "2026-11-29T10:00:00+00:00",
        "systems": {"accounts": {"name": "Platform accounts", "categories": ["contact details"]}},
    }

    key = store.compile_readable("r-1", ["tickets", "accounts"], header)

    page = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read().decode()
    assert page.index("Platform accounts") < page.index("tickets")  # sorted by system id
    assert "Kinds of data: contact details" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img" not in page
    assert page.count("<dl>") == 3
    assert "[&quot;a&quot;, &quot;b&quot;]" in page
