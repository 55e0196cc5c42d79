"""Each function runs with only its own role's permissions, as the SAM translator makes the role
from template.yaml, and a call outside them is refused as AWS refuses it."""

from __future__ import annotations

import base64
import copy
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from dsr.core.actions import Action
from dsr.fulfilment import handoffs
from dsr.fulfilment.opendsr import ProcessingStatus
from dsr.storage.packages import part_key
from dsr.wiring.desk import Desk
from dsr_cli.http_client import DeskClient
from local_cloud.clock import local_clock
from local_cloud.cloud import LocalCloud
from local_cloud.iam import acting_as, roles_from_template, translated_template
from local_cloud.template import Template
from tests.support import answer_hand_offs, submit, verification_code, wait_for_status, wait_until

AGENT_PERMISSION = base64.b64encode(b"%PDF-1.7 signed permission").decode()


def without_statement(cloud: LocalCloud, function: str, action: str, resource_suffix: str) -> Template:
    """The cloud's template with one statement taken out of one function's policies."""
    document = copy.deepcopy(cloud.template.document)
    policies = document["Resources"][function]["Properties"]["Policies"]
    removed = 0
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            kept = [
                s
                for s in policy["Statement"]
                if not (action in s["Action"] and resource_suffix in str(s["Resource"]))
            ]
            removed += len(policy["Statement"]) - len(kept)
            policy["Statement"] = kept
    assert removed == 1, f"expected one {action} statement on {resource_suffix} in {function}"
    return Template(path=cloud.template.path, document=document, parameters=cloud.template.parameters)


def use_roles_of(
    cloud: LocalCloud, template: Template, monkeypatch: pytest.MonkeyPatch, function: str
) -> None:
    assert cloud.bridge is not None
    roles = roles_from_template(template, cloud._refs)
    monkeypatch.setitem(cloud.bridge.roles, function, roles[function])


def test_a_call_outside_the_functions_role_is_refused_as_aws_refuses_it(
    cloud: LocalCloud, desk: Desk
) -> None:
    assert cloud.bridge is not None
    console_role = cloud.bridge.roles["StaffConsoleFunction"]  # serves pages: no data access at all
    table = boto3.client("dynamodb")
    key = {"pk": {"S": "REQ#none"}, "sk": {"S": "META"}}

    with acting_as(console_role), pytest.raises(ClientError) as refused:
        table.get_item(TableName=desk.settings.requests_table, Key=key)

    error = refused.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert "assumed-role/privacy-desk-StaffConsoleFunctionRole/" in error["Message"]
    assert "dynamodb:GetItem" in error["Message"]
    assert f"table/{desk.settings.requests_table}" in error["Message"]
    # Outside any function (the local cloud's own set-up, a test looking) nothing is refused.
    table.get_item(TableName=desk.settings.requests_table, Key=key)


def test_the_same_call_is_allowed_to_a_function_whose_role_grants_it(cloud: LocalCloud, desk: Desk) -> None:
    assert cloud.bridge is not None
    key = {"pk": {"S": "REQ#none"}, "sk": {"S": "META"}}
    with acting_as(cloud.bridge.roles["RequestReviewFunction"]):
        boto3.client("dynamodb").get_item(TableName=desk.settings.requests_table, Key=key)
        with pytest.raises(ClientError) as refused:  # but not the packages bucket
            boto3.client("s3").list_objects_v2(Bucket=desk.settings.packages_bucket)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_agent_request_is_taken_with_the_intake_role_and_refused_without_its_evidence_statement(
    cloud: LocalCloud, public: DeskClient, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = {"name": "Pat Agent", "email": "pat@agents.example", "permission_document": AGENT_PERMISSION}
    taken = submit(public, agent=agent)
    assert taken.status == 201
    stored = desk.store.get(taken.body["request_id"])
    assert stored.agent is not None and stored.agent.permission_document_key.startswith("evidence/")

    narrower = without_statement(cloud, "IntakeApiFunction", "s3:PutObject", "/evidence/*")
    use_roles_of(cloud, narrower, monkeypatch, "IntakeApiFunction")

    refused = submit(public, agent=agent, subject={"email": "alan@example.net", "name": "Alan Turing"})
    assert refused.status >= 500
    assert "request_id" not in (refused.body or {})
    # A request without an agent needs no such permission and is still taken.
    assert submit(public, subject={"email": "grace@example.org", "name": "Grace Hopper"}).status == 201


def test_a_processors_finished_export_is_written_with_the_hand_off_role_and_refused_without_it(
    cloud: LocalCloud, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cloud.bridge is not None
    records: list[dict[str, Any]] = [{"invoice": "INV-1", "amount": "12.00"}]
    with acting_as(cloud.bridge.roles["HandOffSystemTaskFunction"]):
        assert desk.packages.put_part("req-1", "payments", iter(records)) == 1
    part = boto3.client("s3").get_object(
        Bucket=desk.settings.packages_bucket, Key="parts/req-1/payments.jsonl"
    )
    assert b"INV-1" in part["Body"].read()

    narrower = without_statement(cloud, "HandOffSystemTaskFunction", "s3:PutObject", "/parts/*")
    roles = roles_from_template(narrower, cloud._refs)
    with acting_as(roles["HandOffSystemTaskFunction"]), pytest.raises(ClientError) as refused:
        desk.packages.put_part("req-2", "payments", iter(records))
    assert "s3:PutObject" in refused.value.response["Error"]["Message"]


def test_an_owners_upload_is_written_by_the_owners_page_role_and_the_public_intake_cannot_write_parts(
    cloud: LocalCloud, desk: Desk
) -> None:
    assert cloud.bridge is not None
    records: list[dict[str, Any]] = [{"ticket": "T-1"}]
    with acting_as(cloud.bridge.roles["OwnerAnswersFunction"]):
        assert desk.packages.put_part("req-4", "customer-service", iter(records)) == 1
        assert list(desk.packages.part_records("req-4", "customer-service")) == records
    intake = cloud.bridge.roles["IntakeApiFunction"]
    with acting_as(intake), pytest.raises(ClientError) as refused:
        desk.packages.put_part("req-5", "customer-service", iter(records))
    assert "s3:PutObject" in refused.value.response["Error"]["Message"]
    # The owner's page reads and writes parts only: not the packages the subject downloads
    bucket_arn = f"arn:aws:s3:::{desk.settings.packages_bucket}"
    owners = cloud.bridge.roles["OwnerAnswersFunction"]
    assert owners.allows("s3:PutObject", f"{bucket_arn}/parts/req-4/customer-service.jsonl")
    assert not owners.allows("s3:PutObject", f"{bucket_arn}/packages/req-4/access-package.json")
    assert not owners.allows("s3:GetObject", f"{bucket_arn}/packages/req-4/access-package.json")


def test_objects_in_the_kms_encrypted_bucket_need_the_callers_permission_on_its_key(
    cloud: LocalCloud, desk: Desk
) -> None:
    document = copy.deepcopy(cloud.template.document)
    policies = document["Resources"]["IntakeApiFunction"]["Properties"]["Policies"]
    for policy in policies:
        if isinstance(policy, dict) and "Statement" in policy:
            policy["Statement"] = [s for s in policy["Statement"] if "kms:GenerateDataKey" not in s["Action"]]
    roles = roles_from_template(
        Template(path=cloud.template.path, document=document, parameters=cloud.template.parameters),
        cloud._refs,
    )

    with acting_as(roles["IntakeApiFunction"]), pytest.raises(ClientError) as refused:
        desk.packages.put_evidence("req-3", "agent-permission", b"%PDF")
    assert "kms:GenerateDataKey" in refused.value.response["Error"]["Message"]


def test_each_functions_role_is_the_one_the_sam_translator_generates(cloud: LocalCloud, desk: Desk) -> None:
    assert cloud.bridge is not None
    translated = translated_template(cloud.template)["Resources"]
    functions = set(cloud.template.of_type("AWS::Serverless::Function"))
    assert set(cloud.bridge.roles) == functions | {"RequestWorkflow"}
    for function in (*functions, "RequestWorkflow"):
        generated = translated[f"{function}Role"]["Properties"]
        expected = [
            cloud.template.resolve(p["PolicyDocument"], cloud._refs) for p in generated.get("Policies", [])
        ]
        assert cloud.bridge.roles[function].documents[: len(expected)] == expected
    # What DynamoDBCrudPolicy expands to, though template.yaml never names it:
    table_arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{desk.settings.requests_table}"
    assert cloud.bridge.roles["RequestReviewFunction"].allows("dynamodb:ConditionCheckItem", table_arn)
    assert cloud.bridge.roles["RequestReviewFunction"].allows(
        "dynamodb:Query", f"{table_arn}/index/OpenByDue"
    )
    assert not cloud.bridge.roles["RequestReviewFunction"].allows("dynamodb:DeleteTable", table_arn)


def test_the_state_machine_invokes_its_tasks_with_its_own_role(cloud: LocalCloud) -> None:
    assert cloud.bridge is not None
    role = cloud.bridge.roles["RequestWorkflow"]
    acknowledge = cloud.template.arn("AcknowledgeRequestFunction")
    assert role.allows("lambda:InvokeFunction", f"{acknowledge}:live")
    intake = cloud.template.arn("IntakeApiFunction")
    assert not role.allows("lambda:InvokeFunction", intake)


def test_a_processor_asked_again_after_finishing_an_export_has_its_part_written_by_the_hand_off(
    cloud: LocalCloud, desk: Desk, public: DeskClient, approver: DeskClient, analyst: DeskClient
) -> None:
    payments = cloud.processors["payments.example"]
    payments.never_answer = True  # it takes the request, and its answer never arrives
    try:
        request_id = str(submit(public, request_types=["access"]).body["request_id"])
        public.post(f"/requests/{request_id}/verification", {"code": verification_code(cloud, request_id)})
        wait_for_status(desk, request_id, "AWAITING_APPROVAL")
        assert approver.post(f"/staff/requests/{request_id}/decision", {"decision": "approve"}).status == 200
        stage = handoffs.stage("payments", Action.EXPORT)
        task = wait_until("the processor to be asked", lambda: desk.store.get_task(request_id, stage))
        answer_hand_offs(desk, analyst, request_id)
        # The processor finishes the export; its callback is lost, and the wait runs out.
        with payments._lock:
            payments._requests[str(task["subject_request_id"])].status = ProcessingStatus.COMPLETED
        late = datetime.fromisoformat(str(task["answer_by"])) - local_clock.now() + timedelta(hours=1)
        local_clock.advance(late)
        try:
            cloud.run_schedules()
        finally:
            local_clock.advance(-late)
        wait_for_status(desk, request_id, "PARTIALLY_COMPLETED")

        # Staff re-run it: the hand-off asks the processor again and writes the finished part itself.
        assert approver.post(f"/staff/requests/{request_id}/rerun").status == 202
        wait_for_status(desk, request_id, "COMPLETED")
    finally:
        payments.never_answer = False
    part = boto3.client("s3").get_object(
        Bucket=desk.settings.packages_bucket, Key=part_key(request_id, "payments")
    )
    assert b"4242" in part["Body"].read()


def test_the_system_task_function_reads_the_saas_secrets_and_no_other(cloud: LocalCloud, desk: Desk) -> None:
    assert cloud.bridge is not None
    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="privacy-desk/database/owner", SecretString='{"password": "x"}')

    with acting_as(cloud.bridge.roles["RunSystemTaskFunction"]):
        stripe = secrets.get_secret_value(SecretId="privacy-desk/saas/stripe")
        with pytest.raises(ClientError) as refused:
            secrets.get_secret_value(SecretId="privacy-desk/database/owner")
    with acting_as(cloud.bridge.roles["RequestReviewFunction"]), pytest.raises(ClientError) as elsewhere:
        secrets.get_secret_value(SecretId="privacy-desk/saas/stripe")

    assert "api_key" in stripe["SecretString"]
    assert "secretsmanager:GetSecretValue" in refused.value.response["Error"]["Message"]
    assert "privacy-desk-RequestReviewFunctionRole" in elsewhere.value.response["Error"]["Message"]
