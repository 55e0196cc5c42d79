"""The accounts and billing database (system crm-database) reached by the workflow on the local
cloud, as deployed: its credentials read from Secrets Manager with the role of the function that
carries out system tasks, and by no other; an access request's package holds the subject's rows,
and an erasure removes them."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.cloud import DATABASE_SECRET_PARAMETER, LocalCloud
from local_cloud.iam import acting_as
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status, wait_until

ADA = "ada@example.com"


def carried_out(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient, kind: str
) -> str:
    request_id = submit(public, request_types=[kind], subject={"email": ADA}).body["request_id"]
    code = verification_code(cloud, request_id)
    assert public.post(f"/requests/{request_id}/verification", {"code": code}).status == 200
    wait_until(
        "the request to wait for staff",
        lambda: any(e.action == "staff review requested" for e in desk.store.events(request_id)),
    )
    assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
    answer_hand_offs(desk, analyst, request_id)
    wait_for_status(desk, request_id, "COMPLETED")
    return request_id


def outcome(desk: Desk, request_id: str, action: str) -> dict[str, object]:
    return next(
        dict(o.fields)
        for o in desk.store.system_outcomes(request_id)
        if (o.system_id, o.action) == ("crm-database", action)
    )


def test_an_access_request_packages_the_subjects_rows_from_the_database(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = carried_out(cloud, desk, public, approver, analyst, "access")

    exported = outcome(desk, request_id, "export")
    assert (exported["status"], exported["records"]) == ("done", 4)
    rows = list(desk.packages.part_records(request_id, "crm-database"))
    assert sorted((row["_table"], row.get("invoice_id")) for row in rows) == [
        ("accounts", None),
        ("invoices", 5001),
        ("invoices", 5002),
        ("support_notes", None),
    ]
    assert "grace@example.org" not in json.dumps(rows) and "acct-1999" not in json.dumps(rows)


def test_an_erasure_through_the_workflow_removes_the_subjects_rows_from_the_database(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    request_id = carried_out(cloud, desk, public, approver, analyst, "erasure")

    erased = outcome(desk, request_id, "erase")
    assert (erased["status"], erased["records"], erased["kept_anonymized"]) == ("done", 2, "2")
    assert erased["rows_by_table"] == "support_notes=1,invoices=2,accounts=1"
    connection = cloud.database_connection()
    try:
        assert connection.run("SELECT email FROM accounts ORDER BY email") == [
            ["grace@example.org"],
            ["someone.else@example.com"],
        ]
        assert connection.run("SELECT billing_name, account_id FROM invoices WHERE invoice_id = 5001") == [
            ["[removed]", None]
        ]
    finally:
        connection.close()


def test_only_the_function_that_carries_out_system_tasks_may_read_the_database_secret(
    cloud: LocalCloud,
) -> None:
    assert cloud.bridge is not None
    secret_arn = cloud.template.parameters[DATABASE_SECRET_PARAMETER]
    secrets = boto3.client("secretsmanager")

    with acting_as(cloud.bridge.roles["RunSystemTaskFunction"]):
        secret = json.loads(secrets.get_secret_value(SecretId=secret_arn)["SecretString"])
    with acting_as(cloud.bridge.roles["PlanSystemsFunction"]), pytest.raises(ClientError) as refused:
        secrets.get_secret_value(SecretId=secret_arn)

    assert secret["dbname"] == cloud.database
    assert refused.value.response["Error"]["Code"] in {"AccessDeniedException", "AccessDenied"}
