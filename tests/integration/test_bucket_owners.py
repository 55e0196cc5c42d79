"""Buckets the desk does not own are called with the account expected to own them.

Every call to a registry's bucket names its owner (ExpectedBucketOwner): the account in the
registry's owner_account, else the desk's own. S3 refuses a call whose named owner is not the
bucket's (403 AccessDenied; the local cloud plays that check, as moto does not), and the task
fails with an error that names the system, the bucket and the owner expected.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from dsr.core.actions import Action
from dsr.core.models import RequestType
from dsr.core.registry import parse_registry
from dsr.fulfilment import carrying_out
from dsr.fulfilment.fulfilment import SystemTask
from dsr.fulfilment.outcomes import OutcomeStatus
from dsr.wiring.desk import Desk
from local_cloud.cloud import LocalCloud
from local_cloud.template import ACCOUNT_ID
from tests.integration.test_connectors_fulfilment import new_request, run_every_task, stored_outcome

ANOTHER_ACCOUNT = "111122223333"
REGISTRY_BUCKETS = {"support-archive", "job-applications", "device-logs"}


def desk_with_support_archive_owned_by(desk: Desk, owner: str | None) -> Desk:
    owner_line = f"\n      owner_account: '{owner}'" if owner else ""
    registry = parse_registry(
        f"""
systems:
  - id: support-tickets
    name: Support and training records
    owner: customer-success
    categories: [support history]
    store:
      kind: s3_jsonl
      bucket: support-archive{owner_line}
      prefix: tickets/
      identity_attribute: requester_email
    actions: {{export: {{}}, erase: {{}}}}
"""
    )
    changed = dataclasses.replace(desk)
    changed.registry = registry
    return changed


def test_a_bucket_owned_by_another_account_is_refused_and_the_task_fails_naming_the_system(
    desk: Desk, cloud: LocalCloud
) -> None:
    erase = SystemTask(system_id="support-tickets", action=Action.ERASE)
    request_id = new_request(desk, [RequestType.ERASURE])

    # Given a registry that says another account owns the support archive
    result = carrying_out.run_system_task(
        desk_with_support_archive_owned_by(desk, ANOTHER_ACCOUNT), request_id, erase
    )

    # Then S3 (here, the local cloud) refuses the call and the task fails, saying where and why
    assert cloud.bucket_owners.refused == [("support-archive", ANOTHER_ACCOUNT)]
    assert result.status is OutcomeStatus.FAILED
    error = stored_outcome(desk, request_id, "support-tickets", "erase")["error"]
    assert "system support-tickets" in error
    assert "bucket support-archive" in error
    assert f"account {ANOTHER_ACCOUNT}" in error
    assert "AccessDenied" in error

    # And nothing was erased: the desk's own account (the default) finds Ada's two tickets, and
    # the same erasure with that account named in the registry erases them
    export = SystemTask(system_id="support-tickets", action=Action.EXPORT)
    access_id = new_request(desk, [RequestType.ACCESS])
    exported = carrying_out.run_system_task(desk_with_support_archive_owned_by(desk, None), access_id, export)
    assert (exported.status, exported.records) == (OutcomeStatus.DONE, 2)
    again = new_request(desk, [RequestType.ERASURE])
    erased = carrying_out.run_system_task(desk_with_support_archive_owned_by(desk, ACCOUNT_ID), again, erase)
    assert (erased.status, erased.records) == (OutcomeStatus.DONE, 2)
    assert len(cloud.bucket_owners.refused) == 1


def test_every_call_to_a_registry_bucket_names_the_desks_own_account_as_owner(desk: Desk) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_kwargs: Any) -> None:
        if params.get("Bucket") in REGISTRY_BUCKETS:
            calls.append((model.name, dict(params)))

    desk.s3.meta.events.register("before-parameter-build.s3", record)
    try:
        # When an access request and then an erasure are carried out in every system
        run_every_task(desk, new_request(desk, [RequestType.ACCESS]))
        run_every_task(desk, new_request(desk, [RequestType.ERASURE]))
    finally:
        desk.s3.meta.events.unregister("before-parameter-build.s3", record)

    # Then every kind of call reached the registry's buckets, and each named the desk's account
    operations = {operation for operation, _ in calls}
    assert {
        "ListObjectsV2",
        "GetObject",
        "PutObject",
        "HeadObject",
        "ListObjectVersions",
        "DeleteObjects",
    } <= operations
    unnamed = [
        (operation, params["Bucket"])
        for operation, params in calls
        if params.get("ExpectedBucketOwner") != ACCOUNT_ID
    ]
    assert not unnamed, f"calls without the expected owner: {unnamed}"
