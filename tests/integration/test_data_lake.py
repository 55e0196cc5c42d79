"""The demonstration Parquet data lake (local_cloud.demo_lake) through the workflow on the local
cloud, each lake task run by RunDataLakeTaskFunction under its own role: an access exports the
subject's rows; an erasure removes them from every object and every version, leaves everyone
else's rows as they were, and a second erasure finds nothing. A registry entry that names a
column the objects lack fails the task, naming the system and the column."""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
from datetime import timedelta
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq

from dsr.core.actions import Action
from dsr.core.identities import SubjectIdentity
from dsr.core.keyed_hash import normalized_email
from dsr.core.models import Channel, PrivacyRequest, Relationship, RequestType, Status
from dsr.core.registry import parse_registry
from dsr.fulfilment import carrying_out
from dsr.fulfilment.fulfilment import SystemTask
from dsr.storage.packages import part_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import LocalCloud
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status

LAKE_BUCKET = "product-analytics-lake"
ADA = "ada@example.com"


def lake_objects() -> dict[str, list[dict[str, Any]]]:
    """Every object's rows, by key (the current versions)."""
    s3 = boto3.client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=LAKE_BUCKET)["Contents"]]
    return {key: read_rows(s3.get_object(Bucket=LAKE_BUCKET, Key=key)["Body"].read()) for key in keys}


def read_rows(body: bytes) -> list[dict[str, Any]]:
    return list(pq.read_table(io.BytesIO(body)).to_pylist())


def adas(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [row for row in rows if normalized_email(row["user_email"]) == ADA]


def others(objects: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {key: [row for row in rows if row not in adas(rows)] for key, rows in objects.items()}


def run_approved(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient, kind: str
) -> str:
    request_id = str(submit(public, request_types=[kind]).body["request_id"])
    public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
    wait_for_status(desk, request_id, "AWAITING_APPROVAL")
    approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"})
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    return request_id


def lake_outcome(desk: Desk, request_id: str, action: str) -> dict[str, Any]:
    return next(
        o.fields
        for o in desk.store.system_outcomes(request_id)
        if (o.system_id, o.action) == ("product-analytics", action)
    )


def test_access_exports_and_erasure_removes_the_subjects_rows_from_every_version(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    before = lake_objects()
    held = sum(len(adas(rows)) for rows in before.values())
    assert held == 3, "the demonstration lake holds three of Ada's events, in two objects"

    # An access request exports her rows into the package
    access = run_approved(cloud, desk, public, approver, analyst, "access")
    assert lake_outcome(desk, access, "export")["status"] == "done"
    part = desk.packages._s3.get_object(
        Bucket=desk.settings.packages_bucket, Key=part_key(access, "product-analytics")
    )
    exported = [json.loads(line) for line in part["Body"].iter_lines()]
    assert sorted(r["event_time"] for r in exported) == sorted(
        r["event_time"] for rows in before.values() for r in adas(rows)
    )

    # An erasure removes them, counted per object, and leaves everyone else's rows as they were
    erasure = run_approved(cloud, desk, public, approver, analyst, "erasure")
    outcome = lake_outcome(desk, erasure, "erase")
    assert (outcome["status"], int(outcome["records"]), outcome["objects"]) == ("done", 3, "2")
    assert "events/date=2026-10-01/part-0.parquet=2" in outcome["rows_by_object"]
    after = lake_objects()
    assert others(after) == others(before)
    assert all(adas(rows) == [] for rows in after.values())

    # No version of any object still holds them
    s3 = boto3.client("s3")
    versions = s3.list_object_versions(Bucket=LAKE_BUCKET)
    for version in versions["Versions"]:
        body = s3.get_object(Bucket=LAKE_BUCKET, Key=version["Key"], VersionId=version["VersionId"])[
            "Body"
        ].read()
        assert adas(read_rows(body)) == [], f"{version['Key']} {version['VersionId']} holds Ada's rows"
    assert len(versions["Versions"]) == len(after)

    # A second erasure finds nothing
    again = run_approved(cloud, desk, public, approver, analyst, "erasure")
    assert lake_outcome(desk, again, "erase")["status"] == "nothing_found"
    assert lake_objects() == after


def approved_request(desk: Desk) -> str:
    """Ada's erasure, approved and being carried out, recorded directly (no workflow runs)."""
    now = desk.now()
    request = PrivacyRequest(
        request_id=str(uuid.uuid4()),
        request_types=[RequestType.ERASURE],
        subject=SubjectIdentity(email=ADA),
        relationship=Relationship.OTHER,
        jurisdiction="EU",
        channel=Channel.WEB,
        status=Status.IN_PROGRESS,
        received_at=now,
        respond_by=now + timedelta(days=30),
    )
    desk.store.create(request)
    return request.request_id


def test_a_registry_that_names_a_column_the_objects_lack_fails_the_task_naming_both(desk: Desk) -> None:
    wrong = parse_registry(
        """
systems:
  - id: product-analytics
    name: Product analytics events
    owner: data-team
    categories: [usage data]
    store:
      kind: s3_parquet
      bucket: product-analytics-lake
      prefix: events/
      identity_column: customer_email
    actions: {export: {}, erase: {method: delete}}
"""
    )
    wrong_desk = dataclasses.replace(desk)
    wrong_desk.registry = wrong
    request_id = approved_request(desk)

    result = carrying_out.run_system_task(
        wrong_desk, request_id, SystemTask(system_id="product-analytics", action=Action.ERASE)
    )

    assert result.status.value == "failed"
    error = lake_outcome(desk, request_id, "erase")["error"]
    assert "system product-analytics" in error and "'customer_email'" in error


class WriterInTheWay:
    """The desk's S3, except that another writer appends rows to the object right after the
    desk's first whole read of it (the copy a rewrite starts from)."""

    def __init__(self, s3: Any, key: str) -> None:
        self._s3, self._key = s3, key
        self.interrupted = False

    def get_object(self, **kwargs: Any) -> Any:
        answer = self._s3.get_object(**kwargs)
        if kwargs["Key"] == self._key and "Range" not in kwargs and not self.interrupted:
            self.interrupted = True
            table = pq.read_table(
                io.BytesIO(self._s3.get_object(Bucket=LAKE_BUCKET, Key=self._key)["Body"].read())
            )
            late = [
                {**table.to_pylist()[0], "user_email": email, "event": "late"}
                for email in ("late@example.com", "ada@example.com")
            ]
            body = io.BytesIO()
            pq.write_table(pa.concat_tables([table, pa.Table.from_pylist(late, schema=table.schema)]), body)
            self._s3.put_object(Bucket=LAKE_BUCKET, Key=self._key, Body=body.getvalue())
        return answer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def test_an_object_changed_during_the_erasure_is_rewritten_from_the_new_version(desk: Desk) -> None:
    key = "events/date=2026-10-01/part-0.parquet"
    interrupted_desk = dataclasses.replace(desk)
    writer = WriterInTheWay(desk.s3, key)
    interrupted_desk._made["s3"] = writer
    request_id = approved_request(desk)

    result = carrying_out.run_system_task(
        interrupted_desk, request_id, SystemTask(system_id="product-analytics", action=Action.ERASE)
    )

    assert writer.interrupted
    assert (result.status.value, result.records) == ("done", 4), "the late row of Ada's is erased too"
    rows = lake_objects()[key]
    assert [row["event"] for row in rows if row["user_email"] == "late@example.com"] == ["late"]
    assert adas(rows) == []
    versions = boto3.client("s3").list_object_versions(Bucket=LAKE_BUCKET, Prefix=key)["Versions"]
    assert len(versions) == 1, "neither the version read first nor the other writer's is kept"
